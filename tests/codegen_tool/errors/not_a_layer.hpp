// An element that is not a Kiln layer: kiln-gen points at it and names its position.
// expect: error: kiln::network: an element is not a Kiln layer
// expect: \(layer 1\)
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<4>,
                                          42,  // <- error
                                          kiln::dense<1>};
