// An embedding reads token IDs: after an input of values (layer 1 here) it is refused.
// expect: must come right after an input of token IDs
// expect: embedding_must_follow_tokens<1>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<3>, kiln::embedding<27, 10>,  // <- error
                                          kiln::dense<2>, kiln::mse};               // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::tokens<3, 27>, kiln::embedding<27, 10>, kiln::dense<2>, kiln::mse};
#endif
