// An empty residual block: kiln-gen points at it.
// expect: error: kiln::network: a residual block needs at least one layer
// expect: \(layer 2\)
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::dense<4>, kiln::residual{},  // <- error
                  kiln::mse};
