// batch_norm's epsilon is checked when the network is constant-evaluated: NaN, 0 and infinity fail.
// expect: kiln::batch_norm: epsilon must be finite and > 0
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<3>, kiln::batch_norm(__builtin_nan(""), 0.1)};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<3>, kiln::batch_norm(1e-3, 0.1)};
#endif
