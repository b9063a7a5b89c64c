// An infinite hyperparameter is refused like a NaN: here elu's alpha.
// expect: kiln::elu: alpha must be finite and > 0
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::elu(__builtin_inf()), kiln::dense<1>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<4>, kiln::elu(1e300), kiln::dense<1>};
#endif
