// A non-layer inside a residual block counts its position in the flattened graph: input 0, the
// block's begin 1, dense 2, then 3.
// expect: an element is not a Kiln layer
// expect: element_is_not_a_kiln_layer<3>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::residual{kiln::dense<4>, 7}, kiln::mse};  // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::residual{kiln::dense<4>, kiln::tanh}, kiln::mse};
#endif
