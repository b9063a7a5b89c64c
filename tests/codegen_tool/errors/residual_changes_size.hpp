// A DSL static_assert fails inside the DSL's headers: kiln-gen repeats it at the residual.
// expect: error: kiln::network: a residual body must output as many values as the block takes in
// expect: \(layer 2\)
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<4>,
                                          kiln::residual{kiln::dense<8>, kiln::relu},  // <- error
                                          kiln::mse};
