// input<N> may appear only as the first layer.
// expect: kiln::input<N> may appear only as the first layer
// expect: input_must_be_the_first_layer_only<2>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =                                         // <- error
    kiln::network{kiln::input<2>, kiln::dense<3>, kiln::input<3>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<3>};
#endif
