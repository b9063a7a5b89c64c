// A layer needs at least one unit: layer 2 is dense<0>.
// expect: a layer must have at least one unit
// expect: layer_size_must_be_positive<2, kiln::kind::dense, 0>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::tanh, kiln::dense<0>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::tanh, kiln::dense<1>};
#endif
