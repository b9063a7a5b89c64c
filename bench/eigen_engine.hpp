// The Eigen 3.4 baseline: a hand-written MLP engine over the same flat parameter layout, written
// the way an Eigen user would (batched, activations as [features x batch] column-major matrices).
// Fixed = true gives fixed-size feature dimensions (and a fixed batch of 1), false all-dynamic.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <kiln/dsl.hpp>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

namespace bench {

/// forward(params, x, y, batch) and loss_and_gradient(params, x, targets, d_params, batch) like
/// the generic engine. Batch: the compile-time batch (1) or Eigen::Dynamic.
template <const auto& Net, bool Fixed, int Batch = Eigen::Dynamic>
class eigen_engine {
  using net_type = std::remove_cvref_t<decltype(Net)>;
  static constexpr int count = net_type::node_count;
  static constexpr int size_of(int rows) { return Fixed ? rows : Eigen::Dynamic; }

  // Activation i: [values][batch]; act 0 is the input x, act i + 1 the output of node i.
  static constexpr int act_rows(int i) {
    return i == 0 ? net_type::input_size : Net.nodes[i - 1].out;
  }
  template <int Rows>
  using matrix = Eigen::Matrix<float, size_of(Rows), Fixed ? Batch : Eigen::Dynamic>;
  template <int I>
  using act_type = matrix<act_rows(I)>;

  // W[out][in] row-major (a one-column W is stored the same either way; Eigen wants ColMajor).
  template <int Out, int In>
  using weights = Eigen::Matrix<float, size_of(Out), size_of(In),
                                (In == 1 && Out != 1) ? Eigen::ColMajor : Eigen::RowMajor>;
  template <int Out>
  using bias = Eigen::Matrix<float, size_of(Out), 1>;

  template <class Seq>
  struct tuple_of;
  template <int... I>
  struct tuple_of<std::integer_sequence<int, I...>> {
    using type = std::tuple<act_type<I>...>;
  };
  using acts = typename tuple_of<std::make_integer_sequence<int, count + 1>>::type;

 public:
  using value_type = float;
  static constexpr int input_size = net_type::input_size;
  static constexpr int output_size = net_type::output_size;
  static constexpr int param_count = net_type::param_count;

  void forward(std::span<const float> params, std::span<const float> x, std::span<float> y,
               int batch) {
    run_forward(params.data(), x.data(), batch);
    Eigen::Map<matrix<output_size>>(y.data(), output_size, batch) = std::get<output_act>(act_);
  }

  float loss_and_gradient(std::span<const float> params, std::span<const float> x,
                          std::span<const float> targets, std::span<float> d_params, int batch) {
    run_forward(params.data(), x.data(), batch);
    const Eigen::Map<const matrix<output_size>> t(targets.data(), output_size, batch);
    constexpr int loss_node = count - 1;
    constexpr kiln::kind loss = Net.nodes[loss_node].k;
    float value = 0;
    if constexpr (loss == kiln::kind::mse) {
      const float scale = 1.0f / (float(batch) * float(output_size));
      auto& d_y = std::get<loss_node>(grad_);
      d_y = std::get<loss_node>(act_) - t;
      value = d_y.squaredNorm() * scale;
      d_y *= 2.0f * scale;
      backward<loss_node - 1>(params.data(), d_params.data());
    } else if constexpr (loss == kiln::kind::softmax_cross_entropy) {
      // Fused with the softmax before it: d_z = (p sum(t) - t) / batch.
      const auto& z = std::get<loss_node - 1>(act_);
      const auto& p = std::get<loss_node>(act_);
      const auto m = z.colwise().maxCoeff().eval();
      const auto lse = ((z.rowwise() - m).array().exp().colwise().sum().log() + m.array()).eval();
      value = (t.array() * (-(z.array().rowwise() - lse))).sum() / float(batch);
      std::get<loss_node - 1>(grad_) =
          (p.array().rowwise() * t.colwise().sum().array() - t.array()) / float(batch);
      backward<loss_node - 2>(params.data(), d_params.data());
    } else {
      static_assert(loss == kiln::kind::binary_cross_entropy, "eigen_engine: unknown loss");
      const float scale = 1.0f / (float(batch) * float(output_size));
      const auto& z = std::get<loss_node - 1>(act_).array();
      value = (z.max(0.0f) - z * t.array() + (-z.abs()).exp().log1p()).sum() * scale;
      std::get<loss_node - 1>(grad_) = (std::get<loss_node>(act_) - t) * scale;
      backward<loss_node - 2>(params.data(), d_params.data());
    }
    return value;
  }

 private:
  static constexpr int output_act = net_type::has_loss ? count - 1 : count;
  acts act_, grad_;
  const float* x_ = nullptr;
  int batch_ = 0;

  // The input of node I: x itself for node 1 (after the input node), no copy.
  template <int I>
  decltype(auto) input_of() const {
    if constexpr (I <= 1)
      return Eigen::Map<const act_type<0>>(x_, input_size, batch_);
    else
      return std::get<I>(act_);
  }

  void run_forward(const float* params, const float* x, int batch) {
    x_ = x;
    batch_ = batch;
    [&]<int... I>(std::integer_sequence<int, I...>) { (forward_node<I + 1>(params), ...); }
    (std::make_integer_sequence<int, output_act - 1>());
  }

  template <int I>
  void forward_node(const float* params) {
    constexpr kiln::node n = Net.nodes[I];
    auto&& x = input_of<I>();
    auto& y = std::get<I + 1>(act_);
    if constexpr (n.k == kiln::kind::dense) {
      const Eigen::Map<const weights<n.out, n.in>> w(params + n.param_offset, n.out, n.in);
      y.noalias() = w * x;
      if constexpr (n.bias)
        y.colwise() += Eigen::Map<const bias<n.out>>(params + n.param_offset + n.out * n.in, n.out);
    } else if constexpr (n.k == kiln::kind::tanh) {
      y = x.array().tanh();
    } else if constexpr (n.k == kiln::kind::sigmoid) {
      y = x.array().logistic();
    } else if constexpr (n.k == kiln::kind::relu) {
      y = x.cwiseMax(0.0f);
    } else if constexpr (n.k == kiln::kind::softmax) {
      y = (x.rowwise() - x.colwise().maxCoeff()).array().exp();
      const auto sum = y.colwise().sum().eval();
      y.array().rowwise() /= sum.array();
    } else if constexpr (n.k == kiln::kind::residual_end) {
      y = x + input_of<n.link>();
    } else if constexpr (n.k == kiln::kind::identity || n.k == kiln::kind::residual_begin) {
      y = x;
    } else {
      static_assert(n.k == kiln::kind::identity, "eigen_engine: layer kind not supported");
    }
  }

  // grad_[i] = d loss / d act i. Node I turns grad_[I + 1] into grad_[I] and its d_params.
  template <int I>
  void backward(const float* params, float* d_params) {
    if constexpr (I >= 1) {
      constexpr kiln::node n = Net.nodes[I];
      const auto& d_y = std::get<I + 1>(grad_);
      auto& d_x = std::get<I>(grad_);
      if constexpr (n.k == kiln::kind::dense) {
        auto&& x = input_of<I>();
        Eigen::Map<weights<n.out, n.in>>(d_params + n.param_offset, n.out, n.in).noalias() =
            d_y * x.transpose();
        if constexpr (n.bias)
          Eigen::Map<bias<n.out>>(d_params + n.param_offset + n.out * n.in, n.out) =
              d_y.rowwise().sum();
        if constexpr (I > 1) {  // nobody needs d loss / d x
          const Eigen::Map<const weights<n.out, n.in>> w(params + n.param_offset, n.out, n.in);
          d_x.noalias() = w.transpose() * d_y;
        }
      } else if constexpr (n.k == kiln::kind::tanh) {
        d_x = d_y.array() * (1.0f - std::get<I + 1>(act_).array().square());
      } else if constexpr (n.k == kiln::kind::sigmoid) {
        const auto& y = std::get<I + 1>(act_).array();
        d_x = d_y.array() * y * (1.0f - y);
      } else if constexpr (n.k == kiln::kind::relu) {
        // Not select(): Eigen 3.4.0's vectorized select gives wrong values for AVX and a fixed
        // row count of 10 (found by the agreement check); the mask product is as fast.
        d_x = d_y.array() * (input_of<I>().array() > 0.0f).template cast<float>();
      } else if constexpr (n.k == kiln::kind::residual_end) {
        d_x = d_y;
        std::get<n.link>(grad_) = d_y;  // the skip's share, completed at the begin node
      } else if constexpr (n.k == kiln::kind::residual_begin) {
        d_x += d_y;
      } else if constexpr (n.k == kiln::kind::identity) {
        d_x = d_y;
      } else {
        static_assert(n.k == kiln::kind::identity, "eigen_engine: no backward for this kind");
      }
      backward<I - 1>(params, d_params);
    }
  }
};

}  // namespace bench
