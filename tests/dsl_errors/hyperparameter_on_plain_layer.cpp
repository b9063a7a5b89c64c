// A hyperparameter given to a layer that takes none is refused at the call, naming the layer.
// expect: unit_layer<kiln::kind::relu>
// expect: layer_takes_a_hyperparameter
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::relu(0.3), kiln::dense<1>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<4>, kiln::leaky_relu(0.3), kiln::dense<1>};
#endif
