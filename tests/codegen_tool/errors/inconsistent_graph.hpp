// A header that imitates kiln::network without the DSL and its checks: kiln-gen's own passes
// catch the broken graph (a dense layer taking 3 values after an input of 2) and report it.
// expect: error: fake: layer 1 \(dense\)
#pragma once
#include <array>
#include <kiln/graph.hpp>

namespace kiln {
template <class... L>
struct network {
  static constexpr int input_size = 2, output_size = 1, param_count = 4;
  static constexpr bool has_loss = false;
  std::array<node, 2> nodes;
};
}  // namespace kiln

// The error points at the variable: it has no layer expressions to point at.
inline constexpr kiln::network<> fake =  // <- error
    {{{{kiln::kind::input, 2, 2, 0, 0, false, 0.0, -1},
       {kiln::kind::dense, 3, 1, 0, 4, true, 0.0, -1}}}};
