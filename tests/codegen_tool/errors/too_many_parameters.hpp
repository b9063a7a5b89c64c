// A parameter count that does not fit in an int: kiln-gen points at the layer that overflows it.
// expect: error: kiln::network: too many parameters
// expect: parameter_count_must_fit_in_int<2, kiln::kind::dense, 10000600000>
// expect: \(layer 2\)
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::dense<100000>, kiln::dense<100000>};  // <- error
