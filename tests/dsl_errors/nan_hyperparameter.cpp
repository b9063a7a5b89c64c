// A NaN hyperparameter is refused when the network is constant-evaluated, naming the layer.
// expect: kiln::leaky_relu: the slope must be finite
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::leaky_relu(__builtin_nan("")), kiln::dense<1>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<4>, kiln::leaky_relu(0.2), kiln::dense<1>};
#endif
