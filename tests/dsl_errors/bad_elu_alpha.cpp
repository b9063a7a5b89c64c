// Hyperparameters are checked when the network is constant-evaluated.
// expect: alpha must be finite and > 0
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::elu(-1.0)};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::elu(0.5)};
#endif
