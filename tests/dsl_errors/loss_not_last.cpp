// A loss may only be the last element: layer 2 is mse, and a dense layer follows it.
// expect: a loss may only be the last element of a network
// expect: loss_must_be_the_last_layer<2, kiln::kind::mse>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<3>, kiln::mse,  // <- error
                                          kiln::dense<1>};                            // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::input<2>, kiln::dense<3>, kiln::dense<1>, kiln::mse};
#endif
