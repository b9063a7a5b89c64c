// An embedding must have its tokens' vocabulary: here layer 1 embeds 26 symbols after tokens of 27.
// expect: must have the vocabulary of the kiln::tokens<context, vocab> before it
// expect: embedding_vocabulary_must_match_tokens<1, 26, 27>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::tokens<3, 27>, kiln::embedding<26, 10>,  // <- error
                                          kiln::dense<27>, kiln::softmax,                // <- error
                                          kiln::softmax_cross_entropy};                  // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::tokens<3, 27>, kiln::embedding<27, 10>, kiln::dense<27>, kiln::softmax,
                  kiln::softmax_cross_entropy};
#endif
