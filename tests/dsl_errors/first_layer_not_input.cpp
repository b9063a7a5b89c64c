// The first layer must be input<N>.
// expect: the first layer must be kiln::input<N>
// expect: the_first_layer_must_be_input<0, kiln::kind::dense>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::dense<3>, kiln::relu};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<3>, kiln::relu};
#endif
