// softmax_cross_entropy needs a softmax output; here layer 3 (the loss) follows relu.
// expect: softmax_cross_entropy must follow kiln::softmax
// expect: softmax_cross_entropy_needs_a_softmax_output<3, kiln::kind::relu>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<3>, kiln::relu,  // <- error
                                          kiln::softmax_cross_entropy};                // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::input<2>, kiln::dense<3>, kiln::softmax, kiln::softmax_cross_entropy};
#endif
