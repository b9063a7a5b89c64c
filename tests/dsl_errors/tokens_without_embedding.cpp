// Token IDs are not values: the layer after kiln::tokens (layer 1, a dense layer) must embed them.
// expect: kiln::tokens<context, vocab> must be followed by kiln::embedding<vocab, dim>
// expect: tokens_must_be_followed_by_embedding<1, kiln::kind::dense>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::tokens<3, 27>, kiln::dense<2>,  // <- error
                                          kiln::mse};                           // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::tokens<3, 27>, kiln::embedding<27, 4>, kiln::dense<2>, kiln::mse};
#endif
