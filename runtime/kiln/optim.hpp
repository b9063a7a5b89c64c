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

#include "init.hpp"
#include "model.hpp"
#include "vmath.hpp"

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

namespace detail {
// Sums of squares in double, a register of vmath::tile<double> at a time: T values converted on
// loading.
using double_register = vmath::tile<double>::vec;
inline constexpr std::size_t double_lanes = vmath::tile<double>::lanes;
template <class T>
using register_of_t = typename vmath::vector_of<T, int(double_lanes * sizeof(T))>::type;

template <class T>
KILN_VINLINE double_register load_doubles(const T* p) {
  return __builtin_convertvector(vmath::load<register_of_t<T>>(p), double_register);
}

/// The sum of the squares of v[0, n) in double: partial sums in the lanes of four registers (a
/// single register's sum is a chain of additions, 4 cycles a register: 15 us of each of D's
/// training steps), added in a fixed order at the end.
template <class T>
double sum_of_squares(const T* v, std::size_t n) {
  constexpr std::size_t L = double_lanes;
  double_register acc[4] = {};
  std::size_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L)
    for (std::size_t a = 0; a < 4; ++a) {
      const double_register x = load_doubles(v + i + a * L);
      acc[a] += x * x;
    }
  for (; i + L <= n; i += L) {
    const double_register x = load_doubles(v + i);
    acc[0] += x * x;
  }
  const double_register both = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  double sum = 0;
  for (std::size_t l = 0; l < L; ++l) sum += both[l];
  for (; i < n; ++i) sum += double(v[i]) * double(v[i]);
  return sum;
}

/// Applies `rule` (next w from w, g and the States state values, registers of T) to parameters
/// [begin, end): w in params, g in grad, the state in s0 and s1, read and written back; saves the
/// old parameters to `previous` when it is not null. Returns whether every new parameter is
/// finite. The last partial register goes through a padded copy, so every parameter is updated by
/// the same instructions whatever range it falls in (a thread's), to the same bits.
template <int States, class T, class F>
KILN_VINLINE bool update_registers(T* params, const T* grad, T* s0, T* s1, T* previous,
                                   std::size_t begin, std::size_t end, F rule) {
  using V = typename vmath::tile<T>::vec;
  constexpr std::size_t L = vmath::tile<T>::lanes;
  decltype(V{} != V{}) bad{};  // lanes where a new value was not finite (x - x is not 0)
  T* state[2] = {s0, s1};
  const auto run = [&](T* w, const T* g, T* const* s, T* old) {
    V st[States > 0 ? States : 1];
    for (int k = 0; k < States; ++k) st[k] = vmath::load<V>(s[k]);
    const V w0 = vmath::load<V>(w);
    if (old) vmath::store(old, w0);
    const V w1 = rule(w0, vmath::load<V>(g), st);
    bad |= w1 - w1 != 0;
    vmath::store(w, w1);
    for (int k = 0; k < States; ++k) vmath::store(s[k], st[k]);
  };
  std::size_t i = begin;
  for (; i + L <= end; i += L) {
    T* s[2] = {States > 0 ? state[0] + i : nullptr, States > 1 ? state[1] + i : nullptr};
    run(params + i, grad + i, s, previous ? previous + i : nullptr);
  }
  if (i < end) {
    const std::size_t n = end - i;
    T w[L] = {}, g[L] = {}, pad[2][L] = {};
    T* s[2] = {pad[0], pad[1]};
    std::copy_n(params + i, n, w);
    std::copy_n(grad + i, n, g);
    for (int k = 0; k < States; ++k) std::copy_n(state[k] + i, n, pad[k]);
    if (previous) std::copy_n(params + i, n, previous + i);
    run(w, g, s, nullptr);
    std::copy_n(w, n, params + i);
    for (int k = 0; k < States; ++k) std::copy_n(pad[k], n, state[k] + i);
  }
  for (std::size_t l = 0; l < L; ++l)
    if (bad[l]) return false;
  return true;
}
}  // namespace detail

/// Scales `grad` so its global L2 norm is at most max_norm (when max_norm > 0); returns the norm
/// before clipping.
template <class T>
double clip_by_global_norm(std::span<T> grad, double max_norm) {
  const double norm = std::sqrt(detail::sum_of_squares(grad.data(), grad.size()));
  if (max_norm > 0 && norm > max_norm) {
    const double scale = max_norm / norm;
    for (T& g : grad) g = T(g * scale);
  }
  return norm;
}

/// An optimizer for `param_count` parameters in precision T: the rule, its state (flat buffers,
/// state() in the order each rule lists), the step count and the lr schedule.
///
/// A network's flat buffer can hold state beside its parameters (batch_norm's running
/// statistics, `state_of(node)`): built from the model, or told the nodes by
/// leave_state_of(nodes), the optimizer never changes those values (weight decay would shrink
/// them). Built from a bare count, it treats every value as a parameter; `fit` tells it the nodes.
template <class T>
class optimizer {
 public:
  optimizer(optimizer_config config, int param_count, schedule lr_schedule = {})
      : config_(config), schedule_(lr_schedule), param_count_(param_count) {
    state_.assign(std::size_t(state_buffers()) * param_count, T(0));
  }
  /// An optimizer for the parameters of `m`, leaving its state alone.
  template <has_nodes M>
  optimizer(optimizer_config config, const M& m, schedule lr_schedule = {})
      : optimizer(config, M::param_count, lr_schedule) {
    leave_state_of(nodes_of(m));
  }

  /// From now on, leave the state of `nodes` (the network's, whose buffer this optimizer steps)
  /// unchanged, and its slots in state() at 0.
  void leave_state_of(std::span<const node> nodes) {
    std::vector<state_range> fixed;
    for (const node& n : nodes)
      if (const state_range r = state_of(n); r.count > 0) {
        if (r.begin < 0 || r.begin + r.count > param_count_)
          throw std::invalid_argument("kiln::optimizer::leave_state_of: a node's state ends at " +
                                      std::to_string(r.begin + r.count) +
                                      ", past the optimizer's " + std::to_string(param_count_) +
                                      " parameters: the nodes are another network's");
        fixed.push_back(r);
      }
    std::sort(fixed.begin(), fixed.end(),
              [](state_range a, state_range b) { return a.begin < b.begin; });
    fixed_ = std::move(fixed);
  }
  /// The ranges of the buffer the optimizer leaves unchanged, in order.
  std::span<const state_range> fixed_ranges() const { return fixed_; }

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
  /// same bits as step(). update also copies the parameters it overwrites to `previous`
  /// ([param_count]) when given, and returns whether every parameter it wrote is finite.
  struct step_plan {
    double lr = 0;
    long long t = 0;
  };
  step_plan begin_step() {
    const double lr = learning_rate();
    return {lr, ++steps_};
  }
  bool update(const step_plan& plan, T* params, const T* grad, std::size_t begin, std::size_t end,
              T* previous = nullptr) {
    bool finite = true;
    for (const state_range& r : fixed_) {  // the parameters between the fixed ranges
      const std::size_t b = std::max(std::size_t(r.begin), begin);
      const std::size_t e = std::min(std::size_t(r.begin + r.count), end);
      if (b >= e) continue;
      if (b > begin) finite &= update_parameters(plan, params, grad, begin, b, previous);
      if (previous) std::copy(params + b, params + e, previous + b);
      begin = e;
    }
    if (begin < end) finite &= update_parameters(plan, params, grad, begin, end, previous);
    return finite;
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
  // The rules in T, as PyTorch computes them for float parameters (no conversion to double and
  // back: float square roots and divisions are also the cheaper ones).
  bool update_parameters(const step_plan& plan, T* params, const T* grad, std::size_t begin,
                         std::size_t end, T* previous) {
    using V = typename vmath::tile<T>::vec;
    const T lr = T(plan.lr);
    const long long t = plan.t;
    T* s0 = state_.data();  // null without state (plain SGD): no offset may be added to it
    T* s1 = state_buffers() == 2 ? s0 + param_count_ : nullptr;
    return std::visit(
        [&](const auto& c) {
          using C = std::decay_t<decltype(c)>;
          const T decay = T(c.weight_decay);
          if constexpr (std::is_same_v<C, sgd>) {
            const T mu = T(c.momentum);
            const auto l2 = [=](V w, V g) { return g + decay * w; };
            if (c.momentum == 0)
              return detail::update_registers<0>(params, grad, s0, s1, previous, begin, end,
                                                 [=](V w, V g, V*) { return w - lr * l2(w, g); });
            const bool nesterov = c.nesterov;
            return detail::update_registers<1>(params, grad, s0, s1, previous, begin, end,
                                               [=](V w, V g, V* s) {
                                                 const V v = mu * s[0] + l2(w, g);
                                                 s[0] = v;
                                                 return w - lr * (nesterov ? l2(w, g) + mu * v : v);
                                               });
          } else if constexpr (std::is_same_v<C, rmsprop>) {
            const T rho = T(c.rho), eps = T(c.eps);
            return detail::update_registers<1>(params, grad, s0, s1, previous, begin, end,
                                               [=](V w, V g, V* st) {
                                                 g += decay * w;
                                                 const V s = rho * st[0] + (1 - rho) * g * g;
                                                 st[0] = s;
                                                 return w - lr * g / (vmath::sqrt(s) + eps);
                                               });
          } else {
            // Adam's bias corrections, once per step (std::pow per parameter was 45% of an MNIST
            // epoch).
            // w - lr m^ / (sqrt(v^) + eps) as w - (lr / c1) m / (sqrt(v (1 / c2)) + eps): one
            // division a parameter rather than three (the update's bottleneck).
            const T step_size = T(plan.lr / (1 - std::pow(c.beta1, double(t))));
            const T unbias2 = T(1 / (1 - std::pow(c.beta2, double(t))));
            const T beta1 = T(c.beta1), beta2 = T(c.beta2), eps = T(c.eps);
            constexpr bool decoupled = std::is_same_v<C, adamw>;
            return detail::update_registers<2>(
                params, grad, s0, s1, previous, begin, end, [=](V w, V g, V* s) {
                  if constexpr (!decoupled) g += decay * w;
                  const V base = decoupled ? w - lr * decay * w : w;
                  const V m = beta1 * s[0] + (1 - beta1) * g;
                  const V v = beta2 * s[1] + (1 - beta2) * g * g;
                  s[0] = m;
                  s[1] = v;
                  return base - step_size * m / (vmath::sqrt(v * unbias2) + eps);
                });
          }
        },
        config_);
  }

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
  std::vector<state_range> fixed_;  // sorted, disjoint
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
