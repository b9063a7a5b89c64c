// The loss needs a softmax before it: the error points at the loss, layer 3.
// expect: error: kiln::network: softmax_cross_entropy must follow kiln::softmax
#pragma once
#include <kiln/dsl.hpp>

namespace specs {
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<4>, kiln::relu,
                                          kiln::softmax_cross_entropy};  // <- error
}
