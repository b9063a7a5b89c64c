// A NaN hyperparameter fails constant evaluation: the error points at the layer.
// expect: error: kiln::leaky_relu: the slope must be finite
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<4>,
                                          kiln::leaky_relu(__builtin_nan("")),  // <- error
                                          kiln::dense<1>};
