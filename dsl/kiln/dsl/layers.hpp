// The vocabulary of the DSL: input, dense, activations, blocks and losses. Sizes live in the
// type; hyperparameters (slopes, rates, epsilons) live in the value, so kiln-gen can read them by
// constant evaluation.
#pragma once

#include <boost/hana/tuple.hpp>

#include "../graph.hpp"

namespace kiln {

namespace hana = boost::hana;

/// `input<N>`: N values per sample. Must be the first layer, and only there.
template <int N>
struct input_t {
  static constexpr int size = N;
};
template <int N>
inline constexpr input_t<N> input{};

/// `tokens<Context, Vocab>`: Context token IDs per sample, each an integer in [0, Vocab). The IDs
/// travel as values of the engine's type (float holds every integer up to 2^24 exactly, so Vocab
/// is at most 2^24), and every engine checks them before it reads a table row. Must be the first
/// layer, and be followed by `embedding<Vocab, dim>`.
template <int Context, int Vocab>
struct tokens_t {
  static constexpr int context = Context;
  static constexpr int vocab = Vocab;
};
template <int Context, int Vocab>
inline constexpr tokens_t<Context, Vocab> tokens{};

/// `embedding<Vocab, Dim>`: each token ID picks its row of table[Vocab][Dim] (row-major, the one
/// parameter); the rows, position by position, make Context * Dim values. nn.Embedding's layout.
template <int Vocab, int Dim>
struct embedding_t {
  static constexpr int vocab = Vocab;
  static constexpr int dim = Dim;
};
template <int Vocab, int Dim>
inline constexpr embedding_t<Vocab, Dim> embedding{};

/// `dense<N>`: y = W x + b with W[N][in] row-major, then b[N]. `dense_no_bias<N>`: y = W x.
template <int N, bool Bias>
struct dense_t {
  static constexpr int units = N;
  static constexpr bool bias = Bias;
};
template <int N>
inline constexpr dense_t<N, true> dense{};
template <int N>
inline constexpr dense_t<N, false> dense_no_bias{};

namespace detail {
// A literal type that is not a constant expression when evaluated: calling it in a constexpr
// context turns a bad hyperparameter into a compile error pointing at this message.
inline void bad_hyperparameter(const char*) {}
}  // namespace detail

/// The layers that take a hyperparameter: `kiln::relu(0.3)` is refused at the call, naming the
/// layer's kind, because unit_layer<kind::relu> does not satisfy this.
template <kind K>
concept layer_takes_a_hyperparameter =
    K == kind::leaky_relu || K == kind::elu || K == kind::layer_norm || K == kind::dropout;

/// A size-preserving layer of kind K with at most one hyperparameter (`hp`).
/// `kiln::leaky_relu` uses the default; `kiln::leaky_relu(0.2)` sets it.
template <kind K>
struct unit_layer {
  double hp = 0.0;
  constexpr unit_layer operator()(double value) const requires layer_takes_a_hyperparameter<K> {
    // NaN fails every comparison; the bounds below also refuse the infinities.
    constexpr double largest = 1.7976931348623157e308;
    if constexpr (K == kind::dropout) {
      if (!(value >= 0.0 && value < 1.0))
        detail::bad_hyperparameter("kiln::dropout: the rate must be in [0, 1)");
    } else if constexpr (K == kind::layer_norm) {
      if (!(value > 0.0 && value <= largest))
        detail::bad_hyperparameter("kiln::layer_norm: epsilon must be finite and > 0");
    } else if constexpr (K == kind::elu) {
      if (!(value > 0.0 && value <= largest))
        detail::bad_hyperparameter("kiln::elu: alpha must be finite and > 0");
    } else if constexpr (K == kind::leaky_relu) {
      if (!(value >= -largest && value <= largest))
        detail::bad_hyperparameter("kiln::leaky_relu: the slope must be finite");
    }
    return unit_layer{value};
  }
};

inline constexpr unit_layer<kind::identity> identity{};
/// Heaviside: 1 where x >= 0, else 0. No gradient: train it with the perceptron rule.
inline constexpr unit_layer<kind::step> step{};
inline constexpr unit_layer<kind::sigmoid> sigmoid{};
inline constexpr unit_layer<kind::tanh> tanh{};
inline constexpr unit_layer<kind::relu> relu{};
/// x > 0 ? x : slope * x; slope 0.01 unless set: `leaky_relu(0.2)`.
inline constexpr unit_layer<kind::leaky_relu> leaky_relu{0.01};
/// x > 0 ? x : alpha (e^x - 1); alpha 1 unless set.
inline constexpr unit_layer<kind::elu> elu{1.0};
/// x Phi(x), the exact erf form.
inline constexpr unit_layer<kind::gelu> gelu{};
/// The tanh approximation of gelu.
inline constexpr unit_layer<kind::gelu_tanh> gelu_tanh{};
/// x sigmoid(x); `swish` is the same layer.
inline constexpr unit_layer<kind::silu> silu{};
inline constexpr unit_layer<kind::silu> swish{};
/// log(1 + e^x).
inline constexpr unit_layer<kind::softplus> softplus{};
/// Softmax over the values of one sample.
inline constexpr unit_layer<kind::softmax> softmax{};
/// Per-sample normalization with learnable gain (init 1) and bias (init 0); params: gain[n],
/// bias[n]. Epsilon 1e-5 unless set: `layer_norm(1e-3)`.
inline constexpr unit_layer<kind::layer_norm> layer_norm{1e-5};
/// Inverted dropout: in training, each value is zeroed with probability `rate` and the rest
/// scaled by 1/(1-rate); identity at inference. Rate 0.5 unless set: `dropout(0.2)`.
inline constexpr unit_layer<kind::dropout> dropout{0.5};

/// Normalization of each feature over the batch, as nn.BatchNorm1d: in training, with the
/// batch's mean and biased variance, folding them into running statistics (the variance
/// unbiased) with `momentum`; in inference, with the running statistics. Learnable gain (init 1)
/// and bias (init 0). Params: gain[n], bias[n], then the state running_mean[n], running_var[n],
/// num_batches_tracked. Epsilon 1e-5 and momentum 0.1 unless set: `batch_norm(1e-3, 0.2)`.
struct batch_norm_t {
  double eps = 1e-5;
  double momentum = 0.1;
  constexpr batch_norm_t operator()(double epsilon, double new_momentum) const {
    constexpr double largest = 1.7976931348623157e308;
    if (!(epsilon > 0.0 && epsilon <= largest))
      detail::bad_hyperparameter("kiln::batch_norm: epsilon must be finite and > 0");
    if (!(new_momentum >= 0.0 && new_momentum <= 1.0))
      detail::bad_hyperparameter("kiln::batch_norm: the momentum must be in [0, 1]");
    return {epsilon, new_momentum};
  }
};
inline constexpr batch_norm_t batch_norm{};

/// `residual{f...}`: y = x + f(x), f any sequence of layers that ends with as many values as it
/// started with.
template <class... L>
struct residual {
  hana::tuple<L...> body;
  constexpr residual() = default;
  constexpr residual(L... layers) requires(sizeof...(L) > 0) : body(layers...) {}
};

/// A loss, the optional last element of a network.
template <kind K>
struct loss_t {};
/// Mean squared error: (1 / (batch * outputs)) * sum over samples and outputs of (y - t)^2.
inline constexpr loss_t<kind::mse> mse{};
/// Binary cross-entropy on a sigmoid output, mean over samples and outputs; fused, stable gradient.
inline constexpr loss_t<kind::binary_cross_entropy> binary_cross_entropy{};
inline constexpr loss_t<kind::binary_cross_entropy> bce{};
/// Cross-entropy on a softmax output, summed over classes and averaged over samples; fused.
inline constexpr loss_t<kind::softmax_cross_entropy> softmax_cross_entropy{};

}  // namespace kiln
