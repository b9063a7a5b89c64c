// The generic engine: runs any network from its flattened graph with run-time sizes. Written for
// clarity, not speed: it is the reference every generated kernel is judged against.
#pragma once

#include <algorithm>
#include <cstdint>
#include <kiln/dsl.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "embedding.hpp"
#include "math.hpp"
#include "model.hpp"  // kiln::train_pass

namespace kiln {

namespace detail {
inline void check_size(const char* where, const char* what, std::size_t got, std::size_t want) {
  if (got != want)
    throw std::invalid_argument(std::string(where) + ": " + what + " has " + std::to_string(got) +
                                " values, expected " + std::to_string(want));
}

/// y[i] = f(x[i]) for the elementwise activation of kind k.
template <class T>
void activate(kind k, T hp, const T* x, T* y, int n) {
  for (int i = 0; i < n; ++i) {
    switch (k) {
      case kind::identity:
        y[i] = math::identity(x[i]);
        break;
      case kind::step:
        y[i] = math::step(x[i]);
        break;
      case kind::sigmoid:
        y[i] = math::sigmoid(x[i]);
        break;
      case kind::tanh:
        y[i] = math::tanh(x[i]);
        break;
      case kind::relu:
        y[i] = math::relu(x[i]);
        break;
      case kind::leaky_relu:
        y[i] = math::leaky_relu(x[i], hp);
        break;
      case kind::elu:
        y[i] = math::elu(x[i], hp);
        break;
      case kind::gelu:
        y[i] = math::gelu(x[i]);
        break;
      case kind::gelu_tanh:
        y[i] = math::gelu_tanh(x[i]);
        break;
      case kind::silu:
        y[i] = math::silu(x[i]);
        break;
      case kind::softplus:
        y[i] = math::softplus(x[i]);
        break;
      default:
        throw std::logic_error("kiln: not an activation");
    }
  }
}

/// d_x[i] += d_y[i] * f'(x[i]) for the elementwise activation of kind k (y = f(x)).
template <class T>
void activate_backward(kind k, T hp, const T* x, const T* y, const T* d_y, T* d_x, int n) {
  for (int i = 0; i < n; ++i) {
    T d = 0;
    switch (k) {
      case kind::identity:
        d = math::identity_d(x[i], y[i]);
        break;
      case kind::step:
        d = math::step_d(x[i], y[i]);
        break;
      case kind::sigmoid:
        d = math::sigmoid_d(x[i], y[i]);
        break;
      case kind::tanh:
        d = math::tanh_d(x[i], y[i]);
        break;
      case kind::relu:
        d = math::relu_d(x[i], y[i]);
        break;
      case kind::leaky_relu:
        d = math::leaky_relu_d(x[i], y[i], hp);
        break;
      case kind::elu:
        d = math::elu_d(x[i], y[i], hp);
        break;
      case kind::gelu:
        d = math::gelu_d(x[i], y[i]);
        break;
      case kind::gelu_tanh:
        d = math::gelu_tanh_d(x[i], y[i]);
        break;
      case kind::silu:
        d = math::silu_d(x[i], y[i]);
        break;
      case kind::softplus:
        d = math::softplus_d(x[i], y[i]);
        break;
      default:
        throw std::logic_error("kiln: not an activation");
    }
    d_x[i] += d_y[i] * d;
  }
}
}  // namespace detail

/// The generic engine for network type Net in precision T (float or double).
/// Not thread-safe: it keeps its scratch buffers between calls; use one engine per thread.
template <class T, class Net>
class generic_model {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "kiln::generic_model: T must be float or double");

 public:
  using value_type = T;
  using spec_type = Net;
  static constexpr int input_size = Net::input_size;
  static constexpr int output_size = Net::output_size;
  static constexpr int param_count = Net::param_count;
  /// True when a layer (batch_norm) couples the samples of a batch in training.
  static constexpr bool couples_samples = [] {
    for (const node& n : Net::layout)
      if (kiln::couples_samples(n.k)) return true;
    return false;
  }();

  explicit generic_model(const Net& net) : nodes_(net.nodes.begin(), net.nodes.end()) {}

  const std::vector<node>& nodes() const { return nodes_; }

  /// x: [batch][input_size], y: [batch][output_size]. Dropout is the identity here.
  void forward(std::span<const T> params, std::span<const T> x, std::span<T> y, int batch) const {
    check_io("kiln::generic_model::forward", params, x, batch);
    detail::check_size("kiln::generic_model::forward", "y", y.size(),
                       std::size_t(batch) * output_size);
    run_forward(params.data(), x.data(), batch, false, {});
    const std::vector<T>& out = act_[output_node()];
    std::copy(out.begin(), out.end(), y.begin());
  }

  /// Mean loss over the batch, in inference mode (dropout is the identity).
  T loss(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
         int batch) const requires(Net::has_loss) {
    check_io("kiln::generic_model::loss", params, x, batch);
    detail::check_size("kiln::generic_model::loss", "targets", targets.size(),
                       std::size_t(batch) * output_size);
    run_forward(params.data(), x.data(), batch, false, {});
    return seed_loss_gradient(targets.data(), batch);
  }

  /// Folds the batch statistics of x (a forward pass in training mode, the masks of `pass`) into
  /// the running statistics each batch_norm keeps in params, as nn.BatchNorm1d's forward in
  /// training does; the parameters proper are left as they are. Nothing to do without batch_norm.
  void update_running_stats(std::span<T> params, std::span<const T> x, int batch,
                            train_pass pass = {}) const {
    const char* where = "kiln::generic_model::update_running_stats";
    check_io(where, params, x, batch);
    if constexpr (!couples_samples) return;
    check_batch_statistics(where, batch);
    if (batch == 0) return;
    run_forward(params.data(), x.data(), batch, true, pass);
    for (int i = 0; i < int(nodes_.size()); ++i) {
      const node& n = nodes_[i];
      if (n.k != kind::batch_norm) continue;
      const T* stats = aux_[i].data() + std::size_t(batch) * n.out;
      math::batch_norm_track(params.data() + state_of(n).begin, stats + n.out, stats + 2 * n.out,
                             batch, n.out, n.hp2);
    }
  }

  /// Mean loss over the batch, in training mode (dropout active, mask drawn from pass.seed);
  /// writes d_params = d(mean loss)/d(params), overwriting it.
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, train_pass pass = {}) const
      requires(Net::has_loss) {
    static_assert(Net::differentiable(),
                  "kiln: this network contains kiln::step, which has no gradient; train it with "
                  "the perceptron rule (kiln::perceptron) instead");
    const char* where = "kiln::generic_model::loss_and_gradient";
    check_io(where, params, x, batch);
    detail::check_size(where, "targets", targets.size(), std::size_t(batch) * output_size);
    detail::check_size(where, "d_params", d_params.size(), std::size_t(param_count));
    check_batch_statistics(where, batch);
    run_forward(params.data(), x.data(), batch, true, pass);
    const T loss = seed_loss_gradient(targets.data(), batch);
    std::fill(d_params.begin(), d_params.end(), T(0));
    run_backward(params.data(), d_params.data(), batch, pass);
    return loss;
  }

 private:
  std::vector<node> nodes_;
  // act_[i]: input of node i, act_[i+1] its output; [batch][width].
  mutable std::vector<std::vector<T>> act_, grad_, aux_, skip_;
  mutable int first_backward_ = 0;  // node where backward starts after the loss seeded it

  int loss_node() const { return Net::has_loss ? int(nodes_.size()) - 1 : -1; }
  // The output of the network: the input of the loss, or the last node's output.
  int output_node() const { return Net::has_loss ? loss_node() : int(nodes_.size()); }

  // Batch statistics need two samples or more (one sample's variance is 0), as PyTorch says.
  void check_batch_statistics(const char* where, int batch) const {
    if (batch != 1) return;
    for (int i = 0; i < int(nodes_.size()); ++i)
      if (kiln::couples_samples(nodes_[i].k))
        throw std::invalid_argument(std::string(where) + ": layer " + std::to_string(i) + " (" +
                                    std::string(kind_name(nodes_[i].k)) +
                                    ") needs a batch of 2 or more samples in training, got 1");
  }

  void check_io(const char* where, std::span<const T> params, std::span<const T> x,
                int batch) const {
    if (batch < 0) throw std::invalid_argument(std::string(where) + ": negative batch");
    detail::check_size(where, "params", params.size(), std::size_t(param_count));
    detail::check_size(where, "x", x.size(), std::size_t(batch) * input_size);
    if (const int vocab = token_vocab(nodes_.front()); vocab > 0)
      detail::check_tokens(where, x.data(), batch, input_size, vocab);
  }

  void run_forward(const T* params, const T* x, int batch, bool training, train_pass pass) const {
    const int count = int(nodes_.size());
    act_.resize(count + 1);
    aux_.resize(count);
    act_[0].assign(x, x + std::size_t(batch) * input_size);
    for (int i = 0; i < count; ++i) {
      const node& n = nodes_[i];
      const std::vector<T>& in = act_[i];
      std::vector<T>& out = act_[i + 1];
      out.assign(std::size_t(batch) * n.out, T(0));
      const T* p = params + n.param_offset;
      const T hp = T(n.hp);
      if (n.k == kind::batch_norm) {
        batch_norm_forward(i, n, p, in.data(), out.data(), batch, training);
        continue;
      }
      for (int b = 0; b < batch; ++b) {
        const T* xb = in.data() + std::size_t(b) * n.in;
        T* yb = out.data() + std::size_t(b) * n.out;
        switch (n.k) {
          case kind::dense:  // W: [out][in] row-major, then b[out]
            for (int o = 0; o < n.out; ++o) {
              T s = n.bias ? p[n.out * n.in + o] : T(0);
              for (int j = 0; j < n.in; ++j) s += p[o * n.in + j] * xb[j];
              yb[o] = s;
            }
            break;
          case kind::embedding:  // table: [vocab][out / in]; check_io checked the IDs
            math::embedding_forward(yb, xb, p, n.in, n.out / n.in);
            break;
          case kind::softmax:
            math::softmax_forward(yb, xb, n.out);
            break;
          case kind::layer_norm:  // params: gain[n], bias[n]; aux: xhat [batch][n], rstd [batch]
            aux_[i].resize(std::size_t(batch) * (n.out + 1));
            math::layer_norm_forward(yb, aux_[i].data() + std::size_t(b) * n.out,
                                     aux_[i][std::size_t(batch) * n.out + b], xb, p, p + n.out,
                                     n.out, hp);
            break;
          case kind::dropout:
            for (int u = 0; u < n.out; ++u)
              yb[u] = !training ? xb[u]
                      : math::dropout_keep(pass.seed, i, pass.first_sample + b, u, n.hp)
                          ? xb[u] / (T(1) - hp)
                          : T(0);
            break;
          case kind::residual_end: {  // x + f(x): the skip is the input of the matching begin
            const T* skip = act_[n.link].data() + std::size_t(b) * n.in;
            for (int u = 0; u < n.out; ++u) yb[u] = xb[u] + skip[u];
            break;
          }
          case kind::input:
          case kind::residual_begin:
          case kind::mse:
          case kind::binary_cross_entropy:
          case kind::softmax_cross_entropy:
            std::copy(xb, xb + n.out, yb);
            break;
          default:
            detail::activate(n.k, hp, xb, yb, n.out);
            break;
        }
      }
    }
  }

  // batch_norm, node i: in training, with the batch's statistics (aux_[i]: xhat [batch][n], then
  // rstd, mean and biased variance [n] each); in inference, per sample with the running ones.
  void batch_norm_forward(int i, const node& n, const T* p, const T* x, T* y, int batch,
                          bool training) const {
    const int f = n.out;
    const T* running = p + 2 * f;
    if (!training) {
      for (int u = 0; u < f; ++u) {
        const T rstd = math::batch_norm_rstd(running[f + u], T(n.hp));
        for (int b = 0; b < batch; ++b)
          y[b * f + u] = math::batch_norm_inference(x[b * f + u], p[u], p[f + u], running[u], rstd);
      }
      return;
    }
    std::vector<T>& a = aux_[i];
    a.assign(std::size_t(batch + 3) * f, T(0));
    T* stats = a.data() + std::size_t(batch) * f;
    if (batch > 0)
      math::batch_norm_forward(y, a.data(), stats + f, stats + 2 * f, stats, x, p, p + f, batch, f,
                               T(n.hp));
  }

  // Computes the mean loss from the forward pass and seeds grad_ with d(mean loss)/d(...) at the
  // first node the backward pass must visit: the loss's input for mse, the logits for the fused
  // losses (whose gradient skips the sigmoid or softmax).
  T seed_loss_gradient(const T* targets, int batch) const {
    const int count = int(nodes_.size());
    const int L = loss_node();
    const node& loss = nodes_[L];
    const int n = loss.in;
    grad_.resize(count + 1);
    const bool fused = loss.k != kind::mse;
    const int seeded = fused ? L - 1 : L;  // grad_[seeded] = d loss / d (input of node seeded)
    grad_[seeded].assign(std::size_t(batch) * n, T(0));
    T total = 0;
    for (int b = 0; b < batch; ++b) {
      const T* y = act_[L].data() + std::size_t(b) * n;
      const T* t = targets + std::size_t(b) * n;
      T* d = grad_[seeded].data() + std::size_t(b) * n;
      if (loss.k == kind::mse) {
        total += math::squared_error(d, y, t, n, T(1) / (T(batch) * T(n)));
      } else if (loss.k == kind::binary_cross_entropy) {
        const T* z = act_[L - 1].data() + std::size_t(b) * n;
        total += math::binary_cross_entropy(d, z, y, t, n, T(1) / (T(batch) * T(n)));
      } else {
        const T* z = act_[L - 1].data() + std::size_t(b) * n;
        total += math::softmax_cross_entropy(d, z, y, t, n, T(1) / T(batch));
      }
    }
    first_backward_ = seeded - 1;
    if (batch == 0) return T(0);
    return loss.k == kind::softmax_cross_entropy ? total / T(batch) : total / (T(batch) * T(n));
  }

  void run_backward(const T* params, T* d_params, int batch, train_pass pass) const {
    skip_.assign(nodes_.size(), {});
    for (int i = first_backward_; i >= 0; --i) {
      const node& n = nodes_[i];
      const std::vector<T>& in = act_[i];
      const std::vector<T>& out = act_[i + 1];
      const std::vector<T>& d_out = grad_[i + 1];
      std::vector<T>& d_in = grad_[i];
      d_in.assign(std::size_t(batch) * n.in, T(0));
      const T* p = params + n.param_offset;
      T* dp = d_params + n.param_offset;
      const T hp = T(n.hp);
      if (n.k == kind::batch_norm) {  // aux: xhat [batch][n], rstd [n] (see batch_norm_forward)
        math::batch_norm_backward(d_in.data(), dp, dp + n.out, d_out.data(), aux_[i].data(),
                                  aux_[i].data() + std::size_t(batch) * n.out, p, batch, n.out);
        continue;
      }
      for (int b = 0; b < batch; ++b) {
        const T* xb = in.data() + std::size_t(b) * n.in;
        const T* yb = out.data() + std::size_t(b) * n.out;
        const T* dyb = d_out.data() + std::size_t(b) * n.out;
        T* dxb = d_in.data() + std::size_t(b) * n.in;
        switch (n.k) {
          case kind::dense:
            for (int o = 0; o < n.out; ++o) {
              for (int j = 0; j < n.in; ++j) {
                dp[o * n.in + j] += dyb[o] * xb[j];
                dxb[j] += p[o * n.in + j] * dyb[o];
              }
              if (n.bias) dp[n.out * n.in + o] += dyb[o];
            }
            break;
          case kind::embedding:  // token IDs have no gradient
            math::embedding_backward(dp, dyb, xb, n.in, n.out / n.in);
            break;
          case kind::softmax:
            math::softmax_backward(dxb, dyb, yb, n.out);
            break;
          case kind::layer_norm:
            math::layer_norm_backward(dxb, dp, dp + n.out, dyb,
                                      aux_[i].data() + std::size_t(b) * n.out,
                                      aux_[i][std::size_t(batch) * n.out + b], p, n.out);
            break;
          case kind::dropout:
            for (int u = 0; u < n.out; ++u)
              if (math::dropout_keep(pass.seed, i, pass.first_sample + b, u, n.hp))
                dxb[u] += dyb[u] / (T(1) - hp);
            break;
          case kind::residual_end:
            for (int u = 0; u < n.out; ++u) dxb[u] += dyb[u];
            break;
          case kind::residual_begin:  // the block's input also fed the skip
            for (int u = 0; u < n.out; ++u) dxb[u] += dyb[u] + skip_[i][std::size_t(b) * n.out + u];
            break;
          case kind::input:
          case kind::mse:
            for (int u = 0; u < n.out; ++u) dxb[u] += dyb[u];
            break;
          default:
            detail::activate_backward(n.k, hp, xb, yb, dyb, dxb, n.out);
            break;
        }
      }
      if (n.k == kind::residual_end) skip_[n.link] = d_out;
    }
  }
};

/// The generic engine for `net` in precision T: `auto engine = kiln::generic<float>(spirals);`
template <class T, class Net>
generic_model<T, Net> generic(const Net& net) {
  return generic_model<T, Net>(net);
}

}  // namespace kiln
