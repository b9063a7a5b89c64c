// Dataset loaders: CSV (optional header, chosen target columns, class labels to one-hot), IDX
// (the MNIST format) and NPY (float32/float64, C order). A malformed file is refused with a
// kiln::load_error naming the file, the line or byte offset, and what was expected.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "data.hpp"

namespace kiln {

/// A malformed or unreadable file: "path:line: ..." for text, "path: byte N: ..." for binary.
struct load_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// How load_csv reads a file.
struct csv_options {
  enum class header_mode { automatic, present, absent };
  /// automatic: the first line is a header when one of its feature fields is not a number.
  header_mode header = header_mode::automatic;
  char delimiter = ',';
  /// Columns (0-based; negative counts from the end) holding targets; the others are features.
  /// Empty: the last column.
  std::vector<int> target_columns;
  /// > 0: the single target column holds a class label, an integer in [0, classes) or one of
  /// `labels`, and becomes a one-hot row of `classes` values.
  int classes = 0;
  /// Class names, in class order (classes defaults to labels.size()).
  std::vector<std::string> labels;
};

/// Reads a CSV file of numbers into a dataset: each line is a sample, every line with the same
/// number of fields. Blank lines are skipped; fields may be quoted ("1.5").
dataset<float> load_csv(const std::string& path, const csv_options& options = {});
/// As load_csv, on text already in memory; `name` stands for the file in error messages.
dataset<float> parse_csv(std::string_view text, const std::string& name,
                         const csv_options& options = {});

/// An n-dimensional array read from a file: shape, and values in C (row-major) order.
struct array {
  std::vector<std::size_t> shape;
  std::vector<float> data;
  /// Product of shape[first..], the values per item when first = 1.
  std::size_t count(std::size_t first = 0) const {
    std::size_t n = 1;
    for (std::size_t i = first; i < shape.size(); ++i) n *= shape[i];
    return n;
  }
};

/// Reads an IDX file (magic 0 0 type dims, big-endian u32 dimensions, big-endian data) of
/// unsigned bytes (type 0x08), float32 (0x0D) or float64 (0x0E).
array load_idx(const std::string& path);
/// As load_idx, on bytes in memory.
array parse_idx(std::string_view bytes, const std::string& name);

/// MNIST-style pair: images [n][...] (unsigned bytes scaled by `scale`, or floats as they are)
/// and labels [n] (integers in [0, classes)) into a dataset with one-hot targets.
dataset<float> load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                                int classes = 10, float scale = 1.0f / 255.0f);

/// Reads an NPY file (format 1.0, 2.0 or 3.0) holding little-endian float32 ('<f4') or float64
/// ('<f8') in C order.
array load_npy(const std::string& path);
/// As load_npy, on bytes in memory.
array parse_npy(std::string_view bytes, const std::string& name);

/// A dataset from two arrays with the same first dimension: x [n][...] and y [n][...] (or [n]).
dataset<float> make_dataset(const array& x, const array& y);

}  // namespace kiln
