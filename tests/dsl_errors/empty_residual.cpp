// An empty residual block is refused at its position (layer 2).
// expect: a residual block needs at least one layer
// expect: residual_body_must_not_be_empty<2>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::dense<4>, kiln::residual{}, kiln::mse};  // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::dense<4>, kiln::residual{kiln::relu}, kiln::mse};
#endif
