// Hyperparameters are checked when the network is constant-evaluated.
// expect: the rate must be in .0, 1.
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dropout(1.5)};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dropout(0.5)};
#endif
