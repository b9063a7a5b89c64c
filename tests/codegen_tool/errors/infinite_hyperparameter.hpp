// An infinite hyperparameter fails like a NaN: here layer_norm's epsilon.
// expect: error: kiln::layer_norm: epsilon must be finite and > 0
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<4>, kiln::dense<4>,
                                          kiln::layer_norm(__builtin_inf()),  // <- error
                                          kiln::dense<1>};
