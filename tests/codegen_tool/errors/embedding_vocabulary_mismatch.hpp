// The embedding's vocabulary differs from its tokens': the error points at the embedding, layer 1.
// expect: error: kiln::network: kiln::embedding<vocab, dim> must have the vocabulary of the
// expect: \(layer 1\)
#pragma once
#include <kiln/dsl.hpp>

namespace specs {
inline constexpr auto net =
    kiln::network{kiln::tokens<3, 27>, kiln::embedding<26, 10>,  // <- error
                  kiln::dense<27>, kiln::softmax, kiln::softmax_cross_entropy};
}
