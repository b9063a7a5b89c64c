// The cairo drawing behind kiln::plot::figure: layout, ticks, series, legend, PNG output.
#include "plot.hpp"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

namespace kiln::plot {

color palette(int i) {
  static constexpr color colors[] = {
      {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173}, {0.839, 0.153, 0.157},
      {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
      {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812}};
  return colors[((i % 10) + 10) % 10];
}

figure::figure(std::string title, std::string x_label, std::string y_label)
    : title_(std::move(title)), x_label_(std::move(x_label)), y_label_(std::move(y_label)) {}

figure& figure::add(std::string label, std::vector<double> x, std::vector<double> y, style s) {
  if (x.size() != y.size())
    throw std::invalid_argument(
        fmt::format("kiln::plot: series '{}' has {} x and {} y values", label, x.size(), y.size()));
  if (s.color_index < 0) s.color_index = int(series_.size());
  series_.push_back({std::move(label), std::move(x), std::move(y), s, {}});
  return *this;
}

figure& figure::add_points(std::string label, std::vector<double> x, std::vector<double> y,
                           int color_index, double radius) {
  return add(std::move(label), std::move(x), std::move(y),
             {.line = false, .markers = true, .width = radius, .color_index = color_index});
}

figure& figure::add_labelled_points(std::string label, std::vector<double> x, std::vector<double> y,
                                    std::vector<std::string> texts, int color_index) {
  if (texts.size() != x.size())
    throw std::invalid_argument("kiln::plot: " + std::to_string(texts.size()) + " texts for " +
                                std::to_string(x.size()) + " points");
  add_points(std::move(label), std::move(x), std::move(y), color_index, 3.5);
  series_.back().texts = std::move(texts);
  return *this;
}

figure& figure::background(int nx, int ny, std::vector<int> classes) {
  if (nx <= 0 || ny <= 0 || classes.size() != std::size_t(nx) * ny)
    throw std::invalid_argument(
        fmt::format("kiln::plot: background of {}x{} cells has {} values", nx, ny, classes.size()));
  bg_nx_ = nx;
  bg_ny_ = ny;
  bg_ = std::move(classes);
  return *this;
}

figure& figure::x_range(double lo, double hi) {
  fixed_x_ = true;
  x_lo_ = lo;
  x_hi_ = hi;
  return *this;
}

figure& figure::y_range(double lo, double hi) {
  fixed_y_ = true;
  y_lo_ = lo;
  y_hi_ = hi;
  return *this;
}

figure& figure::log_y(bool on) {
  log_y_ = on;
  return *this;
}

figure& figure::size(int width, int height) {
  width_ = width;
  height_ = height;
  return *this;
}

figure& figure::legend_at(std::string corner) {
  legend_ = std::move(corner);
  return *this;
}

namespace {

// Ticks at 1, 2 or 5 times a power of ten, about `want` of them across [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int want) {
  const double raw = (hi - lo) / want;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string tick_label(double v) { return fmt::format("{:g}", v); }

std::string log_tick_label(int exponent) {
  if (exponent >= -3 && exponent <= 3) return fmt::format("{:g}", std::pow(10.0, exponent));
  return fmt::format("1e{}", exponent);
}

struct cairo_deleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

void set(cairo_t* cr, color c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

// Draws text with its anchor at (x, y): ax, ay in [0, 1] pick the point of the text's box.
void text(cairo_t* cr, const std::string& s, double x, double y, double ax, double ay,
          double angle = 0) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  cairo_move_to(cr, -e.x_bearing - ax * e.width, -e.y_bearing - ay * e.height);
  cairo_show_text(cr, s.c_str());
  cairo_restore(cr);
}

}  // namespace

void figure::save(const std::string& path) const {
  // Data ranges (y in log10 units on a log axis).
  auto ty = [&](double y) { return log_y_ ? std::log10(y) : y; };
  auto usable = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!log_y_ || y > 0);
  };
  double xl = x_lo_, xh = x_hi_, yl = fixed_y_ ? ty(y_lo_) : 0, yh = fixed_y_ ? ty(y_hi_) : 1;
  if (!fixed_x_ || !fixed_y_) {
    double ax = std::numeric_limits<double>::infinity(), bx = -ax, ay = ax, by = -ax;
    for (const entry& e : series_)
      for (std::size_t i = 0; i < e.x.size(); ++i)
        if (usable(e.x[i], e.y[i])) {
          ax = std::min(ax, e.x[i]);
          bx = std::max(bx, e.x[i]);
          ay = std::min(ay, ty(e.y[i]));
          by = std::max(by, ty(e.y[i]));
        }
    if (ax > bx) ax = 0, bx = 1, ay = 0, by = 1;
    if (bx - ax < 1e-12) ax -= 0.5, bx += 0.5;
    if (by - ay < 1e-12) ay -= 0.5, by += 0.5;
    bool markers = false;  // markers at the ends of the range would be cut in half: pad
    for (const entry& e : series_) markers = markers || e.s.markers;
    const double x_pad = markers ? 0.04 * (bx - ax) : 0.0;
    if (!fixed_x_) xl = ax - x_pad, xh = bx + x_pad;
    if (!fixed_y_) {
      const double pad = 0.05 * (by - ay);
      yl = ay - pad;
      yh = by + pad;
    }
  }

  std::unique_ptr<cairo_surface_t, cairo_deleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_, height_));
  std::unique_ptr<cairo_t, cairo_deleter> context(cairo_create(surface.get()));
  cairo_t* cr = context.get();
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  // Plot area.
  const double left = 82, right = width_ - 24, top = 48, bottom = height_ - 62;
  auto px = [&](double x) { return left + (x - xl) / (xh - xl) * (right - left); };
  auto py = [&](double y) { return bottom - (ty(y) - yl) / (yh - yl) * (bottom - top); };
  auto py_raw = [&](double v) { return bottom - (v - yl) / (yh - yl) * (bottom - top); };

  // Decision background.
  if (bg_nx_ > 0) {
    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    const double cw = (right - left) / bg_nx_, ch = (bottom - top) / bg_ny_;
    for (int r = 0; r < bg_ny_; ++r)
      for (int c = 0; c < bg_nx_; ++c) {
        const color k = palette(bg_[std::size_t(r) * bg_nx_ + c]);
        cairo_set_source_rgb(cr, 1 - 0.3 * (1 - k.r), 1 - 0.3 * (1 - k.g), 1 - 0.3 * (1 - k.b));
        cairo_rectangle(cr, std::floor(left + c * cw), std::floor(bottom - (r + 1) * ch),
                        std::ceil(cw) + 1, std::ceil(ch) + 1);
        cairo_fill(cr);
      }
    cairo_restore(cr);
  }

  // Grid and ticks.
  cairo_set_font_size(cr, 13);
  cairo_set_line_width(cr, 1);
  std::vector<double> xt = nice_ticks(xl, xh, 8);
  std::vector<std::pair<double, std::string>> yt;  // (axis units, label)
  if (log_y_) {
    const int e0 = int(std::ceil(yl - 1e-9)), e1 = int(std::floor(yh + 1e-9));
    const int stride = std::max(1, (e1 - e0 + 1) / 8);
    for (int e = e0; e <= e1; ++e)
      if ((e - e0) % stride == 0) yt.emplace_back(double(e), log_tick_label(e));
    if (e1 - e0 < 2)  // a narrow log axis also gets 2x and 5x ticks
      for (int e = e0 - 1; e <= e1; ++e)
        for (double m : {2.0, 5.0}) {
          const double v = e + std::log10(m);
          if (v >= yl && v <= yh) yt.emplace_back(v, fmt::format("{:g}", m * std::pow(10.0, e)));
        }
  } else {
    for (double v : nice_ticks(yl, yh, 7)) yt.emplace_back(v, tick_label(v));
  }
  for (double v : xt) {
    cairo_set_source_rgba(cr, 0, 0, 0, bg_nx_ > 0 ? 0.10 : 0.12);
    cairo_move_to(cr, std::round(px(v)) + 0.5, top);
    cairo_line_to(cr, std::round(px(v)) + 0.5, bottom);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    text(cr, tick_label(v), px(v), bottom + 8, 0.5, 0);
  }
  for (const auto& [v, label] : yt) {
    cairo_set_source_rgba(cr, 0, 0, 0, bg_nx_ > 0 ? 0.10 : 0.12);
    cairo_move_to(cr, left, std::round(py_raw(v)) + 0.5);
    cairo_line_to(cr, right, std::round(py_raw(v)) + 0.5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    text(cr, label, left - 8, py_raw(v), 1, 0.5);
  }

  // Series, clipped to the plot area.
  cairo_save(cr);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_clip(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (const entry& e : series_) {
    const color k = palette(e.s.color_index);
    if (e.s.line) {
      set(cr, k);
      cairo_set_line_width(cr, e.s.width);
      const double dash[] = {8, 5};
      cairo_set_dash(cr, dash, e.s.dashed ? 2 : 0, 0);
      bool pen_down = false;
      for (std::size_t i = 0; i < e.x.size(); ++i) {
        if (!usable(e.x[i], e.y[i])) {
          pen_down = false;
          continue;
        }
        if (pen_down)
          cairo_line_to(cr, px(e.x[i]), py(e.y[i]));
        else
          cairo_move_to(cr, px(e.x[i]), py(e.y[i]));
        pen_down = true;
      }
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    if (e.s.markers) {
      const double r = e.s.line ? e.s.width + 1.5 : e.s.width;
      for (std::size_t i = 0; i < e.x.size(); ++i) {
        if (!usable(e.x[i], e.y[i])) continue;
        cairo_arc(cr, px(e.x[i]), py(e.y[i]), r, 0, 2 * M_PI);
        set(cr, k);
        cairo_fill_preserve(cr);
        if (e.s.line)
          cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
        else  // scatter points get a darker rim, to stand out on a tinted background
          cairo_set_source_rgb(cr, 0.55 * k.r, 0.55 * k.g, 0.55 * k.b);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
      }
    }
    if (!e.texts.empty()) {
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      cairo_set_font_size(cr, 15);
      for (std::size_t i = 0; i < e.x.size(); ++i)
        if (usable(e.x[i], e.y[i])) text(cr, e.texts[i], px(e.x[i]) + 6, py(e.y[i]) - 4, 0, 1);
      cairo_new_path(cr);  // show_text leaves a current point that the next arc would join
    }
  }
  cairo_restore(cr);

  // Frame, title, axis labels.
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 1.2);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 17);
  text(cr, title_, (left + right) / 2, top / 2, 0.5, 0.5);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 14);
  text(cr, x_label_, (left + right) / 2, height_ - 12, 0.5, 1);
  text(cr, y_label_ + (log_y_ ? " (log scale)" : ""), 16, (top + bottom) / 2, 0.5, 0.5, -M_PI / 2);

  // Legend.
  std::vector<const entry*> shown;
  for (const entry& e : series_)
    if (!e.label.empty()) shown.push_back(&e);
  if (!shown.empty()) {
    cairo_set_font_size(cr, 13);
    double text_w = 0;
    for (const entry* e : shown) {
      cairo_text_extents_t ext;
      cairo_text_extents(cr, e->label.c_str(), &ext);
      text_w = std::max(text_w, ext.x_advance);
    }
    const double row = 20, pad = 8, sample = 28;
    const double w = pad + sample + 8 + text_w + pad, h = pad * 2 + row * shown.size() - 4;
    const bool at_right = legend_.find("right") != std::string::npos;
    const bool at_top = legend_.find("top") != std::string::npos;
    const double bx = at_right ? right - 10 - w : left + 10;
    const double by = at_top ? top + 10 : bottom - 10 - h;
    cairo_rectangle(cr, bx, by, w, h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    for (std::size_t i = 0; i < shown.size(); ++i) {
      const entry& e = *shown[i];
      const double cy = by + pad + row * i + row / 2 - 2;
      const color k = palette(e.s.color_index);
      set(cr, k);
      if (e.s.line) {
        const double dash[] = {6, 4};
        cairo_set_dash(cr, dash, e.s.dashed ? 2 : 0, 0);
        cairo_set_line_width(cr, e.s.width);
        cairo_move_to(cr, bx + pad, cy);
        cairo_line_to(cr, bx + pad + sample, cy);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
      }
      if (e.s.markers) {
        cairo_arc(cr, bx + pad + sample / 2, cy, e.s.line ? e.s.width + 1.5 : 4, 0, 2 * M_PI);
        cairo_fill(cr);
      }
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      text(cr, e.label, bx + pad + sample + 8, cy, 0, 0.5);
    }
  }

  cairo_surface_flush(surface.get());
  const cairo_status_t status = cairo_surface_write_to_png(surface.get(), path.c_str());
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(
        fmt::format("kiln::plot: cannot write '{}': {}", path, cairo_status_to_string(status)));
}

}  // namespace kiln::plot
