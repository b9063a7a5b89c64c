// input<0> has nothing to feed the network.
// expect: a layer must have at least one unit
// expect: layer_size_must_be_positive<0, kiln::kind::input, 0>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<0>, kiln::dense<2>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<1>, kiln::dense<2>};
#endif
