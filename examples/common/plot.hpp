// PNG figures for the examples, drawn with cairo: line and scatter plots with axes, tick labels,
// a title and a legend, a class-colored background for decision boundaries, and points labelled
// with text.
#pragma once

#include <string>
#include <vector>

namespace kiln::plot {

struct color {
  double r = 0, g = 0, b = 0;
};

/// The i-th color of a ten-color qualitative palette (matplotlib's "tab10"), cycling.
color palette(int i);

/// How one series is drawn.
struct style {
  bool line = true;      // join the points with a line
  bool markers = false;  // draw a dot at each point
  double width = 2.0;    // line width or marker radius, in pixels
  bool dashed = false;
  int color_index = -1;  // palette index; -1: the series' position in the figure
};

/// A figure: add series, then save(). Ranges fit the data unless set.
class figure {
 public:
  figure(std::string title, std::string x_label, std::string y_label);

  figure& add(std::string label, std::vector<double> x, std::vector<double> y, style s = {});
  /// Scatter points: add(label, x, y, {.line = false, .markers = true}).
  figure& add_points(std::string label, std::vector<double> x, std::vector<double> y,
                     int color_index = -1, double radius = 3.0);
  /// Scatter points, each with its text (texts[i] beside point i).
  figure& add_labelled_points(std::string label, std::vector<double> x, std::vector<double> y,
                              std::vector<std::string> texts, int color_index = -1);
  /// Background cells: classes[row * nx + col] for cell centers spanning the x and y ranges
  /// (row 0 at the bottom), painted in a light tint of palette(class).
  figure& background(int nx, int ny, std::vector<int> classes);
  figure& x_range(double lo, double hi);
  figure& y_range(double lo, double hi);
  figure& log_y(bool on = true);
  figure& size(int width, int height);
  /// Legend corner: "top right" (default), "top left", "bottom right", "bottom left".
  figure& legend_at(std::string corner);

  /// Writes the PNG; throws std::runtime_error naming the path when it cannot.
  void save(const std::string& path) const;

 private:
  struct entry {
    std::string label;
    std::vector<double> x, y;
    style s;
    std::vector<std::string> texts;  // per point, or none
  };
  std::string title_, x_label_, y_label_, legend_ = "top right";
  std::vector<entry> series_;
  int width_ = 800, height_ = 560;
  bool log_y_ = false, fixed_x_ = false, fixed_y_ = false;
  double x_lo_ = 0, x_hi_ = 1, y_lo_ = 0, y_hi_ = 1;
  int bg_nx_ = 0, bg_ny_ = 0;
  std::vector<int> bg_;
};

}  // namespace kiln::plot
