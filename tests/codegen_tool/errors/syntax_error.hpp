// A plain C++ error in the spec: clang's own diagnostic, and nothing is written.
// expect: error: no (member|template) named 'dens' in namespace 'kiln'
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<2>,
                                          kiln::dens<4>,  // <- error
                                          kiln::mse};
