// The CSV, IDX and NPY loaders (kiln/loaders.hpp). Every size is checked against the bytes that
// are really there before anything is allocated, so a lying header cannot crash or hang.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <kiln/loaders.hpp>
#include <limits>
#include <sstream>

#include "bits.hpp"

namespace kiln {

namespace {

std::string read_file(const std::string& path, const char* who) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw load_error(fmt::format("{}: {}: cannot open the file", who, path));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw load_error(fmt::format("{}: {}: read error", who, path));
  return std::move(s).str();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view s, float& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Splits one line into fields; a field may be quoted ("...", "" for a quote inside).
bool split_fields(std::string_view line, char delimiter, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == delimiter) {
      fields.push_back(was_quoted ? field : std::string(trim(field)));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) return false;
  fields.push_back(was_quoted ? field : std::string(trim(field)));
  return true;
}

}  // namespace

dataset<float> load_csv(const std::string& path, const csv_options& options) {
  return parse_csv(read_file(path, "kiln::load_csv"), path, options);
}

dataset<float> parse_csv(std::string_view text, const std::string& name,
                         const csv_options& options) {
  auto fail = [&](int line, const std::string& what) {
    return load_error(fmt::format("kiln::load_csv: {}:{}: {}", name, line, what));
  };
  const int classes = options.classes > 0 ? options.classes : int(options.labels.size());
  std::vector<std::string> fields;
  std::vector<bool> is_target;
  int columns = -1, line_no = 0;
  dataset<float> d;
  std::vector<float> xs, ys;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    if (!split_fields(line, options.delimiter, fields))
      throw fail(line_no, "a quoted field is not closed");
    if (columns < 0) {
      columns = int(fields.size());
      is_target.assign(columns, false);
      std::vector<int> targets = options.target_columns;
      if (targets.empty()) targets.push_back(-1);
      for (int c : targets) {
        const int col = c < 0 ? columns + c : c;
        if (col < 0 || col >= columns)
          throw fail(line_no, fmt::format("target column {} does not exist: the line has {} fields",
                                          c, columns));
        if (is_target[col]) throw fail(line_no, fmt::format("target column {} is given twice", c));
        is_target[col] = true;
      }
      if (int(targets.size()) == columns)
        throw fail(line_no, "every column is a target: no features are left");
      if (classes > 0 && targets.size() != 1)
        throw fail(line_no, fmt::format("class labels need exactly one target column, {} given",
                                        targets.size()));
      d = dataset<float>(columns - int(targets.size()),
                         classes > 0 ? classes : int(targets.size()));
      xs.resize(d.features);
      ys.resize(d.targets);
    }
    if (int(fields.size()) != columns)
      throw fail(line_no, fmt::format("expected {} fields (as on the first line), found {}",
                                      columns, fields.size()));
    if (first) {
      first = false;
      bool header = options.header == csv_options::header_mode::present;
      if (options.header == csv_options::header_mode::automatic) {
        float v;
        for (int c = 0; c < columns; ++c)
          if (!is_target[c] && !parse_number(fields[c], v)) header = true;
      }
      if (header) continue;
    }
    int fx = 0, fy = 0;
    for (int c = 0; c < columns; ++c) {
      const std::string& f = fields[c];
      float v = 0;
      if (is_target[c] && classes > 0) {
        int label = -1;
        const auto it = std::find(options.labels.begin(), options.labels.end(), f);
        if (it != options.labels.end()) {
          label = int(it - options.labels.begin());
        } else if (!parse_number(f, v) || !(v >= 0 && v < float(classes)) ||
                   v != float(int(v))) {  // the range first: int(v) out of int's range is UB
          throw fail(line_no,
                     fmt::format("field {} ('{}') should be a class label: an integer in [0, {}){}",
                                 c + 1, f, classes,
                                 options.labels.empty() ? "" : " or one of the names in labels"));
        } else {
          label = int(v);
        }
        std::fill(ys.begin(), ys.end(), 0.0f);
        ys[label] = 1.0f;
        continue;
      }
      if (!parse_number(f, v))
        throw fail(line_no, fmt::format("field {} ('{}') should be a number", c + 1, f));
      (is_target[c] ? ys[fy++] : xs[fx++]) = v;
    }
    d.add(xs, ys);
  }
  if (columns < 0) throw fail(line_no, "the file holds no data");
  if (d.empty()) throw fail(line_no, "the file holds a header but no samples");
  return d;
}

namespace {

// Reads big- or little-endian unsigned integers of `n` bytes at `at`.
std::uint64_t read_be(std::string_view b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | std::uint8_t(b[at + i]);
  return v;
}
std::uint64_t read_le(std::string_view b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | std::uint8_t(b[at + i]);
  return v;
}

// Checks that `dims` of `size`-byte values fill the `have` bytes from `at` exactly; returns the
// value count. `fail(offset, text)` builds the error.
template <class Fail>
std::size_t checked_count(const std::vector<std::size_t>& dims, std::size_t size, std::size_t at,
                          std::size_t have, const char* dims_word, Fail fail) {
  const std::string text = fmt::format("{} ({})", dims_word, fmt::join(dims, ", "));
  std::size_t n = 1;
  bool too_many = false;
  for (std::size_t d : dims) {
    if (d != 0 && n > (have / size) / d) too_many = true;
    if (!too_many) n *= d;
  }
  if (too_many || n * size > have)
    throw fail(at + have, fmt::format("the file ends after {} data bytes, but {} needs more "
                                      "({} bytes per value)",
                                      have, text, size));
  if (n * size < have)
    throw fail(at + n * size,
               fmt::format("{} bytes follow the {} values of {}", have - n * size, n, text));
  return n;
}

}  // namespace

array load_idx(const std::string& path) {
  return parse_idx(read_file(path, "kiln::load_idx"), path);
}

array parse_idx(std::string_view b, const std::string& name) {
  auto fail = [&](std::size_t at, const std::string& what) {
    return load_error(fmt::format("kiln::load_idx: {}: byte {}: {}", name, at, what));
  };
  if (b.size() < 4)
    throw fail(b.size(), fmt::format("the file ends after {} bytes, expected a 4-byte magic "
                                     "number (0, 0, type, dimensions)",
                                     b.size()));
  if (b[0] != 0 || b[1] != 0)
    throw fail(0, fmt::format("bad magic number 0x{:08x}: an IDX file starts with two zero bytes",
                              read_be(b, 0, 4)));
  const int type = std::uint8_t(b[2]), ndims = std::uint8_t(b[3]);
  int size = 0;
  if (type == 0x08) size = 1;
  if (type == 0x0D) size = 4;
  if (type == 0x0E) size = 8;
  if (size == 0)
    throw fail(2, fmt::format("data type 0x{:02x} is not supported: expected 0x08 (unsigned "
                              "byte), 0x0D (float32) or 0x0E (float64)",
                              type));
  if (ndims == 0) throw fail(3, "zero dimensions: expected at least one");
  const std::size_t header = 4 + 4 * std::size_t(ndims);
  if (b.size() < header)
    throw fail(b.size(), fmt::format("the file ends inside the {} dimensions (expected {} "
                                     "header bytes)",
                                     ndims, header));
  array a;
  for (int i = 0; i < ndims; ++i) a.shape.push_back(read_be(b, 4 + 4 * i, 4));
  const std::size_t n = checked_count(a.shape, size, header, b.size() - header, "dimensions", fail);
  a.data.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t at = header + i * size;
    if (size == 1) {
      a.data[i] = float(std::uint8_t(b[at]));
    } else {
      a.data[i] = float(detail::from_bits(read_be(b, at, size), size));
    }
  }
  return a;
}

dataset<float> load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                                int classes, float scale) {
  const std::string images_bytes = read_file(images_path, "kiln::load_idx");
  const array images = parse_idx(images_bytes, images_path);
  const array labels = load_idx(labels_path);
  if (labels.shape.size() != 1)
    throw load_error(
        fmt::format("kiln::load_idx: {}: byte 3: labels should have 1 dimension, "
                    "found {}",
                    labels_path, labels.shape.size()));
  if (labels.shape[0] != images.shape[0])
    throw load_error(fmt::format("kiln::load_idx: {}: byte 4: {} labels for the {} images of {}",
                                 labels_path, labels.shape[0], images.shape[0], images_path));
  const bool bytes = std::uint8_t(images_bytes[2]) == 0x08;
  const std::size_t per = images.count(1);
  if (per > std::size_t(std::numeric_limits<int>::max()))
    throw load_error(fmt::format("kiln::load_idx: {}: byte 4: images are too large", images_path));
  dataset<float> d(int(per), classes);
  d.x = images.data;
  if (bytes)
    for (float& v : d.x) v *= scale;
  d.y.assign(labels.data.size() * classes, 0.0f);
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    const float l = labels.data[i];
    if (!(l >= 0 && l < float(classes) && l == float(int(l))))
      throw load_error(fmt::format("kiln::load_idx: {}: byte {}: label {} is not in [0, {})",
                                   labels_path, 8 + i, l, classes));
    d.y[i * classes + int(l)] = 1.0f;
  }
  return d;
}

array load_npy(const std::string& path) {
  return parse_npy(read_file(path, "kiln::load_npy"), path);
}

namespace {
// The value of 'key' in a Python dict literal: the text after "'key':" up to the next top-level
// comma or closing brace.
bool dict_value(std::string_view dict, std::string_view key, std::string_view& value) {
  const std::string quoted = "'" + std::string(key) + "'";
  std::size_t at = dict.find(quoted);
  if (at == std::string_view::npos) return false;
  at = dict.find(':', at + quoted.size());
  if (at == std::string_view::npos) return false;
  ++at;
  int depth = 0;
  std::size_t end = at;
  for (; end < dict.size(); ++end) {
    const char c = dict[end];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  value = trim(dict.substr(at, end - at));
  return true;
}
}  // namespace

array parse_npy(std::string_view b, const std::string& name) {
  auto fail = [&](std::size_t at, const std::string& what) {
    return load_error(fmt::format("kiln::load_npy: {}: byte {}: {}", name, at, what));
  };
  static constexpr std::string_view magic("\x93NUMPY", 6);
  if (b.size() < 10 || b.substr(0, 6) != magic)
    throw fail(0, "expected the NPY magic string \\x93NUMPY");
  const int major = std::uint8_t(b[6]);
  if (major < 1 || major > 3)
    throw fail(6, fmt::format("format version {} is not supported: expected 1, 2 or 3", major));
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  if (b.size() < 8 + len_bytes) throw fail(b.size(), "the file ends inside the header length");
  const std::size_t header_len = read_le(b, 8, int(len_bytes));
  const std::size_t data_at = 8 + len_bytes + header_len;
  if (data_at > b.size())
    throw fail(8, fmt::format("the header claims {} bytes but only {} follow", header_len,
                              b.size() - 8 - len_bytes));
  const std::string_view header = b.substr(8 + len_bytes, header_len);
  const std::size_t header_at = 8 + len_bytes;
  std::string_view descr, fortran, shape;
  if (!dict_value(header, "descr", descr) || !dict_value(header, "fortran_order", fortran) ||
      !dict_value(header, "shape", shape))
    throw fail(header_at, "the header should be a dict with 'descr', 'fortran_order' and 'shape'");
  int size = 0;
  if (descr == "'<f4'") size = 4;
  if (descr == "'<f8'") size = 8;
  if (size == 0)
    throw fail(header_at + (descr.data() - header.data()),
               fmt::format("dtype {} is not supported: expected '<f4' (float32) or '<f8' "
                           "(float64)",
                           descr));
  if (fortran != "False")
    throw fail(header_at + (fortran.data() - header.data()),
               fmt::format("fortran_order is {}: expected False (C order)", fortran));
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')')
    throw fail(header_at + (shape.data() - header.data()),
               fmt::format("shape {} should be a tuple of integers", shape));
  array a;
  std::string_view dims = shape.substr(1, shape.size() - 2);
  while (!trim(dims).empty()) {
    const std::size_t comma = dims.find(',');
    const std::string_view item = trim(dims.substr(0, comma));
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      throw fail(header_at + (item.data() - header.data()),
                 fmt::format("shape {} should be a tuple of integers", shape));
    a.shape.push_back(v);
    if (comma == std::string_view::npos) break;
    dims.remove_prefix(comma + 1);
  }
  const std::size_t n = checked_count(a.shape, size, data_at, b.size() - data_at, "shape", fail);
  a.data.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    a.data[i] = float(detail::from_bits(read_le(b, data_at + std::size_t(size) * i, size), size));
  }
  return a;
}

dataset<float> make_dataset(const array& x, const array& y) {
  if (x.shape.empty() || y.shape.empty() || x.shape[0] != y.shape[0])
    throw std::invalid_argument(fmt::format(
        "kiln::make_dataset: x has shape ({}) and y ({}): the first dimensions should match",
        fmt::join(x.shape, ", "), fmt::join(y.shape, ", ")));
  const std::size_t fx = x.count(1), fy = y.count(1);
  if (fx == 0 || fy == 0 || fx > std::size_t(std::numeric_limits<int>::max()) ||
      fy > std::size_t(std::numeric_limits<int>::max()))
    throw std::invalid_argument("kiln::make_dataset: samples must have 1 to 2^31 values");
  return dataset<float>(int(fx), int(fy), x.data, y.data);
}

}  // namespace kiln
