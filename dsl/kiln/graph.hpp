// The flat, plain-data description of a network: one node per layer, in declaration order.
// Shared by the DSL (which builds it at compile time), the generic engine and kiln-gen (which reads
// it by constant evaluation). No Hana, no fmt: generated code may include it.
#pragma once

#if __has_include(<string_view>)
#include <cstddef>
#include <string_view>
#else
#include <kiln/freestanding.hpp>  // no C++ library (bare metal): Kiln's subset
#endif

namespace kiln {

/// Every layer kind, activation and loss Kiln knows.
enum class kind : int {
  input,
  dense,
  identity,
  step,
  sigmoid,
  tanh,
  relu,
  leaky_relu,
  elu,
  gelu,
  gelu_tanh,
  silu,
  softplus,
  softmax,
  layer_norm,
  dropout,
  residual_begin,
  residual_end,
  mse,
  binary_cross_entropy,
  softmax_cross_entropy,
  embedding,
  batch_norm,
};

/// One past the last kind: the range a reader of a node (kiln-gen's front end) accepts.
inline constexpr int kind_count = int(kind::batch_norm) + 1;

/// One layer of the flattened graph. `in`/`out` are values per sample; parameters of the layer
/// occupy [param_offset, param_offset + param_count) of the flat buffer. `hp` is the layer's
/// hyperparameter (leaky_relu slope, elu alpha, layer_norm and batch_norm epsilon, dropout rate;
/// the vocabulary of an input of token IDs and of an embedding), `hp2` a second one (batch_norm's
/// momentum), `link` the index of the matching residual_begin for a residual_end (and vice
/// versa), else -1.
struct node {
  kind k = kind::identity;
  int in = 0;
  int out = 0;
  int param_offset = 0;
  int param_count = 0;
  bool bias = false;
  double hp = 0.0;
  int link = -1;
  double hp2 = 0.0;
};

constexpr std::string_view kind_name(kind k) {
  switch (k) {
    case kind::input:
      return "input";
    case kind::dense:
      return "dense";
    case kind::identity:
      return "identity";
    case kind::step:
      return "step";
    case kind::sigmoid:
      return "sigmoid";
    case kind::tanh:
      return "tanh";
    case kind::relu:
      return "relu";
    case kind::leaky_relu:
      return "leaky_relu";
    case kind::elu:
      return "elu";
    case kind::gelu:
      return "gelu";
    case kind::gelu_tanh:
      return "gelu_tanh";
    case kind::silu:
      return "silu";
    case kind::softplus:
      return "softplus";
    case kind::softmax:
      return "softmax";
    case kind::layer_norm:
      return "layer_norm";
    case kind::dropout:
      return "dropout";
    case kind::residual_begin:
      return "residual";
    case kind::residual_end:
      return "residual_end";
    case kind::mse:
      return "mse";
    case kind::binary_cross_entropy:
      return "binary_cross_entropy";
    case kind::softmax_cross_entropy:
      return "softmax_cross_entropy";
    case kind::embedding:
      return "embedding";
    case kind::batch_norm:
      return "batch_norm";
  }
  return "?";
}

/// Elementwise activations: y[i] depends on x[i] only.
constexpr bool is_activation(kind k) {
  return k == kind::identity || k == kind::step || k == kind::sigmoid || k == kind::tanh ||
         k == kind::relu || k == kind::leaky_relu || k == kind::elu || k == kind::gelu ||
         k == kind::gelu_tanh || k == kind::silu || k == kind::softplus;
}

/// The vocabulary of an input node of token IDs (`kiln::tokens<context, vocab>`), 0 for an input
/// of real values: the IDs travel as values of the engine's type, integers in [0, vocab).
constexpr int token_vocab(const node& n) { return n.k == kind::input ? int(n.hp) : 0; }

/// A layer whose output for one sample depends on the other samples of the batch (in training).
constexpr bool couples_samples(kind k) { return k == kind::batch_norm; }

/// The parameters a node must have: one rule for the DSL, kiln-gen and every file format.
/// dense: W[out][in] then b[out]; layer_norm: gain[n], bias[n]; embedding: table[vocab][dim];
/// batch_norm: gain[n], bias[n], then its state (no gradient, never touched by an optimizer):
/// running_mean[n], running_var[n], num_batches_tracked[1].
constexpr long long wide_param_count(const node& n) {
  switch (n.k) {
    case kind::dense:
      return 1ll * n.out * n.in + (n.bias ? n.out : 0);
    case kind::layer_norm:
      return 2ll * n.out;
    case kind::batch_norm:
      return 4ll * n.out + 1;
    case kind::embedding:
      return (long long)n.hp * (n.in > 0 ? n.out / n.in : 0);
    default:
      return 0;
  }
}
constexpr int expected_param_count(const node& n) { return int(wide_param_count(n)); }

/// Where in the flat buffer a node keeps state rather than parameters: [begin, begin + count),
/// count 0 for a node without state. Its gradient is 0 and optimizers leave it alone.
struct state_range {
  int begin = 0;
  int count = 0;
};
constexpr state_range state_of(const node& n) {
  if (n.k == kind::batch_norm) return {n.param_offset + 2 * n.out, 2 * n.out + 1};
  return {n.param_offset, 0};
}

constexpr bool is_loss(kind k) {
  return k == kind::mse || k == kind::binary_cross_entropy || k == kind::softmax_cross_entropy;
}

}  // namespace kiln
