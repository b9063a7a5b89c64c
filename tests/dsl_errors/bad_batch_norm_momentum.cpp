// batch_norm's momentum must lie in [0, 1] (an infinity or NaN fails too).
// expect: kiln::batch_norm: the momentum must be in .0, 1.
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<3>, kiln::batch_norm(1e-5, __builtin_inf())};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<3>, kiln::batch_norm(1e-5, 1.0)};
#endif
