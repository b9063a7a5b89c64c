// Readable compile-time errors for bad networks. Each mistake has one template whose name says
// what is wrong and whose arguments are the layer index, its kind and the sizes involved; its
// static_assert fires where the user declared the network ("required from here").
#pragma once

#include "../graph.hpp"

namespace kiln {

/// What can be wrong with a network; `none` when nothing is.
enum class fault : int {
  none,
  first_layer_not_input,
  input_not_first,
  size_not_positive,
  residual_changes_size,
  loss_not_last,
  softmax_cross_entropy_without_softmax,
  binary_cross_entropy_without_sigmoid,
  not_a_layer,
  residual_empty,
  too_many_parameters,
  embedding_needs_tokens,
  tokens_need_embedding,
  vocabulary_mismatch,
  vocabulary_too_large,
};

/// The largest vocabulary of kiln::tokens: every ID must be exact in float.
inline constexpr int max_vocab = 1 << 24;

/// The first fault found in a network: the layer (flat index in declaration order, input = 0,
/// a residual counting as one layer before its body), its kind and the sizes involved.
struct spec_fault {
  fault code = fault::none;
  int layer = -1;
  kind k = kind::identity;
  int got = 0;
  int expected = 0;
  long long count = 0;  ///< too_many_parameters: the parameters up to and including the layer
};

// One template per mistake. Layer indices count every layer as written, from input = layer 0.
namespace error {

template <int Layer>
inline constexpr bool never = false;

template <int Layer, kind Kind>
struct the_first_layer_must_be_input {
  static_assert(never<Layer>, "kiln::network: the first layer must be kiln::input<N>");
};
template <int Layer>
struct input_must_be_the_first_layer_only {
  static_assert(never<Layer>, "kiln::network: kiln::input<N> may appear only as the first layer");
};
template <int Layer, kind Kind, int Size>
struct layer_size_must_be_positive {
  static_assert(Size > 0, "kiln::network: a layer must have at least one unit");
};
template <int Layer, int BodyOutputs, int BlockInputs>
struct residual_body_must_keep_its_size {
  static_assert(BodyOutputs == BlockInputs,
                "kiln::network: a residual body must output as many values as the block takes in "
                "(x + f(x) needs f(x) the size of x)");
};
template <int Layer, kind Loss>
struct loss_must_be_the_last_layer {
  static_assert(never<Layer>, "kiln::network: a loss may only be the last element of a network");
};
template <int Layer, kind LayerBeforeLoss>
struct softmax_cross_entropy_needs_a_softmax_output {
  static_assert(never<Layer>,
                "kiln::network: softmax_cross_entropy must follow kiln::softmax (the layer before "
                "the loss is named below)");
};
template <int Layer, kind LayerBeforeLoss>
struct binary_cross_entropy_needs_a_sigmoid_output {
  static_assert(never<Layer>,
                "kiln::network: binary_cross_entropy must follow kiln::sigmoid (the layer before "
                "the loss is named below)");
};

template <int Layer>
struct element_is_not_a_kiln_layer {
  static_assert(never<Layer>,
                "kiln::network: an element is not a Kiln layer (expected kiln::input, dense, an "
                "activation, residual or a loss); its position, from input = 0, is the first "
                "argument below");
};
template <int Layer>
struct residual_body_must_not_be_empty {
  static_assert(never<Layer>,
                "kiln::network: a residual block needs at least one layer: residual{} would "
                "only double its input");
};
template <int Layer, kind Kind, long long ParametersSoFar>
struct parameter_count_must_fit_in_int {
  static_assert(never<Layer>,
                "kiln::network: too many parameters: the count reaches 2^31 or more at the layer "
                "named below (layer, kind, parameters up to and including it)");
};
template <int Layer>
struct embedding_must_follow_tokens {
  static_assert(never<Layer>,
                "kiln::network: kiln::embedding<vocab, dim> must come right after an input of "
                "token IDs, kiln::tokens<context, vocab>");
};
template <int Layer, kind LayerAfterTokens>
struct tokens_must_be_followed_by_embedding {
  static_assert(never<Layer>,
                "kiln::network: kiln::tokens<context, vocab> must be followed by "
                "kiln::embedding<vocab, dim> (the layer after it is named below)");
};
template <int Layer, int EmbeddingVocab, int TokensVocab>
struct embedding_vocabulary_must_match_tokens {
  static_assert(EmbeddingVocab == TokensVocab,
                "kiln::network: kiln::embedding<vocab, dim> must have the vocabulary of the "
                "kiln::tokens<context, vocab> before it");
};
template <int Layer, int Vocab, int Max>
struct vocabulary_must_fit_float {
  static_assert(Vocab <= Max,
                "kiln::network: kiln::tokens<context, vocab>: vocab must be at most 2^24 (token "
                "IDs travel as float, exact up to 2^24)");
};

}  // namespace error

namespace detail {
/// Instantiates the one error template that names fault F (its static_assert is the error).
template <spec_fault F>
constexpr bool report() {
  if constexpr (F.code == fault::first_layer_not_input)
    return sizeof(error::the_first_layer_must_be_input<F.layer, F.k>) > 0;
  else if constexpr (F.code == fault::input_not_first)
    return sizeof(error::input_must_be_the_first_layer_only<F.layer>) > 0;
  else if constexpr (F.code == fault::size_not_positive)
    return sizeof(error::layer_size_must_be_positive<F.layer, F.k, F.got>) > 0;
  else if constexpr (F.code == fault::residual_changes_size)
    return sizeof(error::residual_body_must_keep_its_size<F.layer, F.got, F.expected>) > 0;
  else if constexpr (F.code == fault::loss_not_last)
    return sizeof(error::loss_must_be_the_last_layer<F.layer, F.k>) > 0;
  else if constexpr (F.code == fault::softmax_cross_entropy_without_softmax)
    return sizeof(error::softmax_cross_entropy_needs_a_softmax_output<F.layer, F.k>) > 0;
  else if constexpr (F.code == fault::binary_cross_entropy_without_sigmoid)
    return sizeof(error::binary_cross_entropy_needs_a_sigmoid_output<F.layer, F.k>) > 0;
  else if constexpr (F.code == fault::not_a_layer)
    return sizeof(error::element_is_not_a_kiln_layer<F.layer>) > 0;
  else if constexpr (F.code == fault::residual_empty)
    return sizeof(error::residual_body_must_not_be_empty<F.layer>) > 0;
  else if constexpr (F.code == fault::too_many_parameters)
    return sizeof(error::parameter_count_must_fit_in_int<F.layer, F.k, F.count>) > 0;
  else if constexpr (F.code == fault::embedding_needs_tokens)
    return sizeof(error::embedding_must_follow_tokens<F.layer>) > 0;
  else if constexpr (F.code == fault::tokens_need_embedding)
    return sizeof(error::tokens_must_be_followed_by_embedding<F.layer, F.k>) > 0;
  else if constexpr (F.code == fault::vocabulary_mismatch)
    return sizeof(error::embedding_vocabulary_must_match_tokens<F.layer, F.got, F.expected>) > 0;
  else if constexpr (F.code == fault::vocabulary_too_large)
    return sizeof(error::vocabulary_must_fit_float<F.layer, F.got, F.expected>) > 0;
  else
    return true;
}
}  // namespace detail

}  // namespace kiln
