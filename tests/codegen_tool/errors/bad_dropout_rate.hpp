// A hyperparameter out of range fails constant evaluation: the error points at the layer.
// expect: error: kiln::dropout: the rate must be in .0, 1.
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<4>,
                                          kiln::dropout(1.5),  // <- error
                                          kiln::dense<1>, kiln::mse};
