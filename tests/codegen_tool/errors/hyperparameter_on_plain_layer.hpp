// A hyperparameter given to a layer that takes none: clang refuses the call, naming the layer.
// expect: error: no matching function for call to object of type 'const unit_layer<kind::relu>'
// expect: layer_takes_a_hyperparameter
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net = kiln::network{kiln::input<4>,
                                          kiln::relu(0.3),  // <- error
                                          kiln::dense<1>};
