// Hyperparameters are checked when the network is constant-evaluated.
// expect: epsilon must be finite and > 0
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::layer_norm(0.0)};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::layer_norm(1e-3)};
#endif
