// binary_cross_entropy needs a sigmoid output; here layer 2 (the loss) follows a dense layer.
// expect: binary_cross_entropy must follow kiln::sigmoid
// expect: binary_cross_entropy_needs_a_sigmoid_output<2, kiln::kind::dense>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<1>,  // <- error
                                          kiln::binary_cross_entropy};     // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::input<2>, kiln::dense<1>, kiln::sigmoid, kiln::binary_cross_entropy};
#endif
