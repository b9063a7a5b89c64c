// Optimizers over the flat parameter buffer, their state in flat buffers beside it: SGD (plain,
// momentum, Nesterov), RMSProp, Adam, AdamW; learning-rate schedules; clipping by global norm;
// and the perceptron rule for a single dense layer with a step output.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "model.hpp"

namespace kiln {

// Update rules, for each parameter w with gradient g at step t = 1, 2, ... (lr from the
// schedule). `weight_decay` (wd) is L2 regularization, g <- g + wd w, except for AdamW.

/// SGD: w <- w - lr g. With momentum mu: v <- mu v + g, w <- w - lr v. Nesterov: v <- mu v + g,
/// w <- w - lr (g + mu v). State: v [param_count] when mu != 0.
struct sgd {
  double lr = 0.01;
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0;
};

/// RMSProp: s <- rho s + (1 - rho) g^2, w <- w - lr g / (sqrt(s) + eps). State: s.
struct rmsprop {
  double lr = 0.001;
  double rho = 0.9;
  double eps = 1e-8;
  double weight_decay = 0;
};

/// Adam: m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2, m^ = m / (1 - b1^t),
/// v^ = v / (1 - b2^t), w <- w - lr m^ / (sqrt(v^) + eps). State: m, then v.
struct adam {
  double lr = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

/// AdamW, decoupled weight decay: w <- w - lr wd w, then the Adam step with g (no L2 term).
/// State: m, then v.
struct adamw {
  double lr = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

/// Any of the optimizers above.
using optimizer_config = std::variant<sgd, rmsprop, adam, adamw>;

/// Learning-rate schedule: the factor on the optimizer's lr at step s = 0, 1, ... (steps taken
/// so far). With warmup_steps = W > 0 the factor is (s + 1) / W for s < W, and the schedule
/// below runs on s - W afterwards.
struct schedule {
  enum class shape { constant, step_decay, cosine };
  shape kind = shape::constant;
  int warmup_steps = 0;
  int step_size = 1;      ///< step_decay: multiply by gamma every step_size steps
  double gamma = 0.1;     ///< step_decay: gamma^floor(s / step_size)
  int total_steps = 1;    ///< cosine: min + (1 - min) (1 + cos(pi min(s, total) / total)) / 2
  double min_factor = 0;  ///< cosine: the factor it ends at

  static schedule constant() { return {}; }
  static schedule step_decay(int step_size, double gamma) {
    schedule s;
    s.kind = shape::step_decay;
    s.step_size = step_size;
    s.gamma = gamma;
    return s;
  }
  static schedule cosine(int total_steps, double min_factor = 0) {
    schedule s;
    s.kind = shape::cosine;
    s.total_steps = total_steps;
    s.min_factor = min_factor;
    return s;
  }
  /// This schedule with a linear warm-up over its first `steps` steps.
  schedule with_warmup(int steps) const {
    schedule s = *this;
    s.warmup_steps = steps;
    return s;
  }

  /// The factor at step s (0-based).
  double factor(long long s) const {
    if (s < warmup_steps) return double(s + 1) / warmup_steps;
    s -= warmup_steps;
    switch (kind) {
      case shape::constant:
        return 1.0;
      case shape::step_decay:
        return std::pow(gamma, double(s / std::max(step_size, 1)));
      case shape::cosine: {
        const double total = std::max(total_steps, 1);
        const double progress = std::min(double(s), total) / total;
        return min_factor + (1 - min_factor) * 0.5 * (1 + std::cos(std::numbers::pi * progress));
      }
    }
    return 1.0;
  }
};

/// Scales `grad` so its global L2 norm is at most max_norm (when max_norm > 0); returns the norm
/// before clipping.
template <class T>
double clip_by_global_norm(std::span<T> grad, double max_norm) {
  double sum = 0;
  for (T g : grad) sum += double(g) * double(g);
  const double norm = std::sqrt(sum);
  if (max_norm > 0 && norm > max_norm) {
    const double scale = max_norm / norm;
    for (T& g : grad) g = T(g * scale);
  }
  return norm;
}

/// An optimizer for `param_count` parameters in precision T: the rule, its state (flat buffers,
/// state() in the order each rule lists), the step count and the lr schedule.
template <class T>
class optimizer {
 public:
  optimizer(optimizer_config config, int param_count, schedule lr_schedule = {})
      : config_(config), schedule_(lr_schedule), param_count_(param_count) {
    state_.assign(std::size_t(state_buffers()) * param_count, T(0));
  }

  /// One update of `params` with `grad` (both [param_count]); increments steps().
  void step(std::span<T> params, std::span<const T> grad) {
    if (int(params.size()) != param_count_ || int(grad.size()) != param_count_)
      throw std::invalid_argument("kiln::optimizer::step: params has " +
                                  std::to_string(params.size()) + " values and grad " +
                                  std::to_string(grad.size()) + ", expected " +
                                  std::to_string(param_count_));
    update(begin_step(), params.data(), grad.data(), 0, std::size_t(param_count_));
  }

  /// A step in parts, for threads that each update a range of the parameters: begin_step()
  /// increments steps() and returns the step's constants; update(plan, ...) then applies it to
  /// parameters [begin, end) (params and grad: [param_count]). The parts together compute the
  /// same bits as step().
  struct step_plan {
    double lr = 0;
    long long t = 0;
  };
  step_plan begin_step() {
    const double lr = learning_rate();
    return {lr, ++steps_};
  }
  void update(const step_plan& plan, T* params, const T* grad, std::size_t begin, std::size_t end) {
    const double lr = plan.lr;
    const long long t = plan.t;
    T* s0 = state_.data();  // null without state (plain SGD): no offset may be added to it
    T* s1 = state_buffers() == 2 ? s0 + param_count_ : nullptr;
    std::visit(
        [&](const auto& c) {
          using C = std::decay_t<decltype(c)>;
          // Adam's bias corrections, once per step (std::pow per parameter was 45% of an MNIST
          // epoch).
          double correct1 = 1, correct2 = 1;
          if constexpr (std::is_same_v<C, adam> || std::is_same_v<C, adamw>) {
            correct1 = 1 - std::pow(c.beta1, double(t));
            correct2 = 1 - std::pow(c.beta2, double(t));
          }
          for (std::size_t i = begin; i < end; ++i) {
            const double w = params[i];
            double g = grad[i];
            if constexpr (!std::is_same_v<C, adamw>) g += c.weight_decay * w;
            double next = w;
            if constexpr (std::is_same_v<C, sgd>) {
              if (c.momentum == 0) {
                next = w - lr * g;
              } else {
                const double v = c.momentum * s0[i] + g;
                s0[i] = T(v);
                next = w - lr * (c.nesterov ? g + c.momentum * v : v);
              }
            } else if constexpr (std::is_same_v<C, rmsprop>) {
              const double s = c.rho * s0[i] + (1 - c.rho) * g * g;
              s0[i] = T(s);
              next = w - lr * g / (std::sqrt(s) + c.eps);
            } else {
              const double base = std::is_same_v<C, adamw> ? w - lr * c.weight_decay * w : w;
              const double m = c.beta1 * s0[i] + (1 - c.beta1) * g;
              const double v = c.beta2 * s1[i] + (1 - c.beta2) * g * g;
              s0[i] = T(m);
              s1[i] = T(v);
              const double m_hat = m / correct1;
              const double v_hat = v / correct2;
              next = base - lr * m_hat / (std::sqrt(v_hat) + c.eps);
            }
            params[i] = T(next);
          }
        },
        config_);
  }

  /// The learning rate of the next step: the rule's lr times the schedule's factor.
  double learning_rate() const {
    return std::visit([](const auto& c) { return c.lr; }, config_) * schedule_.factor(steps_);
  }
  /// Steps taken so far.
  long long steps() const { return steps_; }
  void set_steps(long long s) { steps_ = s; }
  /// The state buffers, one after the other, each [param_count].
  std::span<T> state() { return state_; }
  std::span<const T> state() const { return state_; }
  int param_count() const { return param_count_; }
  const optimizer_config& config() const { return config_; }
  const schedule& lr_schedule() const { return schedule_; }
  /// A short name: "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw".
  std::string name() const {
    if (const sgd* s = std::get_if<sgd>(&config_))
      return s->momentum == 0 ? "sgd" : s->nesterov ? "nesterov" : "momentum";
    if (std::holds_alternative<rmsprop>(config_)) return "rmsprop";
    if (std::holds_alternative<adam>(config_)) return "adam";
    return "adamw";
  }

 private:
  int state_buffers() const {
    if (const sgd* s = std::get_if<sgd>(&config_)) return s->momentum != 0 ? 1 : 0;
    if (std::holds_alternative<rmsprop>(config_)) return 1;
    return 2;
  }

  optimizer_config config_;
  schedule schedule_;
  int param_count_;
  long long steps_ = 0;
  std::vector<T> state_;
};

/// The perceptron rule, for a network of one dense layer followed by step (which has no
/// gradient): for each sample, y = step(W x + b), then W <- W + lr (t - y) x^T, b <- b + lr (t -
/// y).
struct perceptron {
  double lr = 1.0;
  int max_epochs = 100;
};

/// One pass of the perceptron rule over the samples in order (x: [n][M::input_size],
/// t: [n][M::output_size]); returns the number of samples it got wrong before updating.
template <model M>
int perceptron_epoch(const M& m, std::span<typename M::value_type> params,
                     std::span<const typename M::value_type> x,
                     std::span<const typename M::value_type> t, const perceptron& rule) {
  using T = typename M::value_type;
  constexpr int in = M::input_size, out = M::output_size;
  constexpr bool bias = M::param_count == out * in + out;
  static_assert(bias || M::param_count == out * in,
                "kiln::perceptron: the rule trains one dense layer followed by step");
  const int n = int(x.size() / in);
  if (x.size() != std::size_t(n) * in || t.size() != std::size_t(n) * out)
    throw std::invalid_argument("kiln::perceptron_epoch: x and t do not hold the same samples");
  int mistakes = 0;
  std::vector<T> y(out);
  for (int s = 0; s < n; ++s) {
    const T* xs = x.data() + std::size_t(s) * in;
    const T* ts = t.data() + std::size_t(s) * out;
    m.forward(params, std::span<const T>(xs, in), y, 1);
    bool wrong = false;
    for (int o = 0; o < out; ++o) {
      const T e = ts[o] - y[o];
      if (e == T(0)) continue;
      wrong = true;
      for (int j = 0; j < in; ++j) params[o * in + j] += T(rule.lr) * e * xs[j];
      if constexpr (bias) params[out * in + o] += T(rule.lr) * e;
    }
    mistakes += wrong;
  }
  return mistakes;
}

/// Runs perceptron epochs until one makes no mistake or rule.max_epochs have run; returns the
/// mistakes of each epoch (the last is 0 when it converged).
template <model M>
std::vector<int> train_perceptron(const M& m, std::span<typename M::value_type> params,
                                  std::span<const typename M::value_type> x,
                                  std::span<const typename M::value_type> t,
                                  const perceptron& rule = {}) {
  std::vector<int> mistakes;
  for (int e = 0; e < rule.max_epochs; ++e) {
    mistakes.push_back(perceptron_epoch(m, params, x, t, rule));
    if (mistakes.back() == 0) break;
  }
  return mistakes;
}

}  // namespace kiln
