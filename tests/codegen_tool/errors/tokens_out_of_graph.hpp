// A header that imitates kiln::network without the DSL's checks: kiln-gen's own passes refuse an
// input of token IDs (vocabulary 27) that a dense layer reads instead of an embedding.
// expect: error: fake: layer 1 \(dense\): tokens must be followed by embedding
#pragma once
#include <array>
#include <kiln/graph.hpp>

namespace kiln {
template <class... L>
struct network {
  static constexpr int input_size = 2, output_size = 1, param_count = 3;
  static constexpr bool has_loss = false;
  std::array<node, 2> nodes;
};
}  // namespace kiln

// The error points at the variable: it has no layer expressions to point at.
inline constexpr kiln::network<> fake =  // <- error
    {{{{kiln::kind::input, 2, 2, 0, 0, false, 27.0, -1},
       {kiln::kind::dense, 2, 1, 0, 3, true, 0.0, -1}}}};
