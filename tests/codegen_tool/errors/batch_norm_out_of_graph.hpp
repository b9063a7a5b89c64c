// A header that imitates kiln::network without the DSL's checks: kiln-gen's own passes refuse a
// batch_norm whose momentum (the node's second hyperparameter) is outside [0, 1].
// expect: error: fake: layer 1 \(batch_norm\): the momentum must be in .0, 1., got 2
#pragma once
#include <array>
#include <kiln/graph.hpp>

namespace kiln {
template <class... L>
struct network {
  static constexpr int input_size = 2, output_size = 2, param_count = 9;
  static constexpr bool has_loss = false;
  std::array<node, 2> nodes;
};
}  // namespace kiln

// The error points at the variable: it has no layer expressions to point at.
inline constexpr kiln::network<> fake =  // <- error
    {{{{kiln::kind::input, 2, 2, 0, 0, false, 0.0, -1},
       {kiln::kind::batch_norm, 2, 2, 0, 9, false, 1e-5, -1, 2.0}}}};
