// The embedding layer for every engine: the check of token IDs that runs before any table row is
// read, the scalar lookup and scatter-add of the generic engine, and the tile kernels kiln-gen's
// code calls (one sample per lane). Table: [vocab][dim] row-major, as nn.Embedding's weight.
#pragma once

#include <cmath>
#include <cstdio>
#include <kiln/graph.hpp>
#include <stdexcept>
#include <string>

#include "vmath.hpp"

namespace kiln {

namespace detail {
/// Throws std::invalid_argument naming the first sample and position of x ([batch][context])
/// whose value is not an integer in [0, vocab). NaN and infinities are neither.
template <class T>
void check_tokens(const char* where, const T* x, int batch, int context, int vocab) {
  for (int b = 0; b < batch; ++b)
    for (int c = 0; c < context; ++c) {
      const T v = x[std::size_t(b) * context + c];
      if (v >= T(0) && v < T(vocab) && v == std::floor(v)) continue;
      char value[40];
      std::snprintf(value, sizeof value, "%.9g", double(v));
      throw std::invalid_argument(std::string(where) + ": x: sample " + std::to_string(b) +
                                  ", position " + std::to_string(c) + ": token ID " + value +
                                  " is not an integer in [0, " + std::to_string(vocab) + ")");
    }
}
}  // namespace detail

namespace math {
/// y[c][d] = table[ids[c]][d] for c < context: the rows of the sample's tokens, in order.
template <class T>
inline void embedding_forward(T* y, const T* ids, const T* table, int context, int dim) {
  for (int c = 0; c < context; ++c) {
    const T* row = table + std::size_t(ids[c]) * dim;
    for (int d = 0; d < dim; ++d) y[c * dim + d] = row[d];
  }
}
/// d_table[ids[c]][d] += d_y[c][d]: the scatter-add of the rows used (a token used twice gets
/// both).
template <class T>
inline void embedding_backward(T* d_table, const T* d_y, const T* ids, int context, int dim) {
  for (int c = 0; c < context; ++c) {
    T* row = d_table + std::size_t(ids[c]) * dim;
    for (int d = 0; d < dim; ++d) row[d] += d_y[c * dim + d];
  }
}
}  // namespace math

namespace kernels {
/// math::embedding_forward for each lane of a tile (V a lane vector) or one sample (V = T). The
/// engine checked every ID, and pads a ragged tile with ID 0.
template <int Context, int Dim, class T, class V>
inline void embedding_forward(V* __restrict y, const V* __restrict ids, const T* __restrict table) {
  for (int c = 0; c < Context; ++c)
    for (int l = 0; l < vmath::lane_traits<V>::lanes; ++l) {
      const T* row = table + std::size_t(vmath::lane(ids[c], l)) * Dim;
      for (int d = 0; d < Dim; ++d) vmath::lane(y[c * Dim + d], l) = row[d];
    }
}
/// math::embedding_backward for the first `count` lanes.
template <int Context, int Dim, class T, class V>
inline void embedding_backward(T* __restrict d_table, const V* __restrict d_y,
                               const V* __restrict ids, int count) {
  for (int c = 0; c < Context; ++c)
    for (int l = 0; l < count; ++l) {
      T* row = d_table + std::size_t(vmath::lane(ids[c], l)) * Dim;
      for (int d = 0; d < Dim; ++d) row[d] += vmath::lane(d_y[c * Dim + d], l);
    }
}
}  // namespace kernels

}  // namespace kiln
