// The training loop: `fit` runs epochs of shuffled minibatches through any trainable model and
// an optimizer, with clipping, early stopping, a guard against NaN/infinity and a progress bar;
// and the gradient-flow report (per dense layer weight-gradient norms).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "checkpoint.hpp"
#include "data.hpp"
#include "init.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "optim.hpp"
#include "parallel.hpp"
#include "progress.hpp"

namespace kiln {

/// Training that survives a kill: with a path, `fit` saves a checkpoint (kiln/checkpoint.hpp,
/// atomically) every `every` epochs and at the end: parameters, optimizer state and steps, the
/// epoch, early stopping's best so far and the history. With `resume`, a fit whose file exists
/// continues from it and ends bit-identical to an uninterrupted run with the same seed, data and
/// options; a run that stopped early stays stopped.
struct fit_checkpoints {
  std::string path;  ///< "": no checkpoints
  int every = 1;     ///< epochs between checkpoints
  bool resume = true;
  save_hooks hooks;  ///< test hooks of the atomic writer
};

/// Options of `fit`.
struct fit_options {
  int epochs = 10;
  int batch_size = 32;
  /// Drives the shuffling (epoch e uses mix_seed(seed, e)) and the dropout masks (step s passes
  /// train_pass{mix_seed(seed ^ 0xd509, s)}).
  std::uint64_t seed = 0;
  metric_kind metric = metric_kind::automatic;
  /// Clip the gradient to this global L2 norm before each step (0: no clipping).
  double clip_norm = 0;
  /// Early stopping: stop after `patience` epochs in which the monitored metric (the test
  /// metric, or the training metric without test data; the loss when metric is none) did not
  /// improve on the best by more than min_delta, and restore the best parameters. 0: off.
  int patience = 0;
  double min_delta = 0;
  /// Compute the training metric on the whole training set after each epoch (inference mode).
  /// When false, train_metric is NaN and only the running training loss is reported.
  bool evaluate_train = true;
  progress_mode progress = progress_mode::automatic;
  /// Where the progress bar and messages go.
  std::FILE* progress_stream = stderr;
  /// Threads for the steps and the evaluation (0: every core); fit takes fewer when a step is
  /// too small to pay for them (training_threads, parallel.hpp). The same seed and thread count
  /// give the same bits; another thread count agrees to rounding (docs/parallel.md).
  int threads = 1;
  /// The multiply-adds (batch x parameters) a step needs per thread for fit to use another
  /// thread; 0: use all `threads` whatever the size.
  long long min_thread_work = default_min_thread_work;
  /// Sums each step's gradient over the processes of a data-parallel run (kiln_mpi): each trains
  /// on its own shard of the same size, all apply the same steps. nullptr: this process alone.
  gradient_reducer* reducer = nullptr;
  /// Checkpoints (see fit_checkpoints).
  fit_checkpoints checkpoints{};
};

/// One epoch's numbers. train_loss is the mean of the epoch's batch losses (training mode);
/// metrics and test_loss are computed after the epoch in inference mode (NaN when absent).
struct epoch_stats {
  int epoch = 0;
  double train_loss = 0;
  double train_metric = 0;
  double test_loss = 0;
  double test_metric = 0;
  double learning_rate = 0;  ///< at the epoch's last step
  double gradient_norm = 0;  ///< global norm of the last step's gradient, before clipping
};

/// What `fit` did.
struct fit_history {
  std::vector<epoch_stats> epochs;
  metric_kind metric = metric_kind::none;
  long long steps = 0;
  int best_epoch = -1;  ///< the epoch of the best monitored value (early stopping)
  bool stopped_early = false;
  bool diverged = false;  ///< stopped on a NaN or infinity; `message` says where
  std::string message;
};

namespace detail {

template <trainable_model M>
typename M::value_type loss_and_gradient(const M& m, std::span<const typename M::value_type> p,
                                         std::span<const typename M::value_type> x,
                                         std::span<const typename M::value_type> t,
                                         std::span<typename M::value_type> d, int batch,
                                         std::uint64_t seed) {
  if constexpr (requires { m.loss_and_gradient(p, x, t, d, batch, train_pass{seed}); })
    return m.loss_and_gradient(p, x, t, d, batch, train_pass{seed});
  else
    return m.loss_and_gradient(p, x, t, d, batch);
}

/// "layer 3 (dense)" for the node owning parameter i, or "parameter i" without nodes.
template <class M>
std::string layer_of_param(const M& m, std::size_t i) {
  if constexpr (has_nodes<M>) {
    const auto nodes = nodes_of(m);
    for (std::size_t l = 0; l < nodes.size(); ++l)
      if (nodes[l].param_count > 0 && i >= std::size_t(nodes[l].param_offset) &&
          i < std::size_t(nodes[l].param_offset + nodes[l].param_count))
        return "layer " + std::to_string(l) + " (" + std::string(kind_name(nodes[l].k)) + ")";
  }
  (void)m;
  return "parameter " + std::to_string(i);
}

/// The layers (or parameters, without nodes) holding a NaN or infinity in v, in order:
/// "layer 1 (dense), layer 3 (dense)"; empty when all are finite.
template <class M, class T>
std::string non_finite_layers(const M& m, std::span<const T> v) {
  std::string out, last;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::isfinite(v[i])) continue;
    std::string where = layer_of_param(m, i);
    if (where == last) continue;
    if (!out.empty()) out += ", ";
    out += where;
    last = std::move(where);
  }
  return out;
}

/// Whether every process passed the same `values` (whole numbers below 2^20): the sums of the
/// values and of their squares over n processes satisfy sum^2 = n sum of squares exactly then.
inline bool same_on_every_process(gradient_reducer& r, std::initializer_list<double> values) {
  std::vector<double> v;
  for (double x : values) v.insert(v.end(), {x, x * x});
  r.sum(std::span<double>(v));
  for (std::size_t i = 0; i < v.size(); i += 2)
    if (v[i] * v[i] != r.size() * v[i + 1]) return false;
  return true;
}

/// Throws unless every process trains on as many samples as this one (`size`).
inline void check_shards(gradient_reducer& r, int size) {
  double v[2] = {double(size), double(size) * size};
  r.sum(std::span<double>(v));
  if (v[0] * v[0] != r.size() * v[1])  // equal exactly when all sizes are
    throw std::invalid_argument(fmt::format(
        "kiln::fit: the processes' training shards differ in size (process {} has {} samples, "
        "{:.0f} in all over {}); give each the same number (kiln::dataset_shard)",
        r.rank(), size, v[0], r.size()));
}

/// 16 bits of a hash of the parameters and the optimizer's state and step count.
template <class T>
std::uint32_t state_hash(std::span<const T> params, const optimizer<T>& opt) {
  std::uint64_t h = 1469598103934665603ull;
  const auto add = [&](const void* p, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i)
      h = (h ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ull;
  };
  add(params.data(), params.size_bytes());
  add(opt.state().data(), opt.state().size_bytes());
  const long long steps = opt.steps();
  add(&steps, sizeof steps);
  return std::uint32_t((h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48)) & 0xffff);
}

/// Throws unless every process starts training from the same parameters, optimizer state and
/// epoch (after resuming, `done_before` epochs from o.checkpoints.path).
template <class T>
void check_same_start(gradient_reducer& r, const fit_options& o, std::span<const T> params,
                      const optimizer<T>& opt, long long done_before) {
  if (same_on_every_process(r, {double(state_hash(params, opt)), double(done_before)})) return;
  throw std::invalid_argument(fmt::format(
      "kiln::fit: the processes start from different parameters or optimizer states (process {} "
      "{}); give every process the same initial parameters, and the same checkpoint to resume "
      "from (on a file system they all see)",
      r.rank(),
      done_before ? fmt::format("resumed {} epochs from {}", done_before, o.checkpoints.path)
                  : std::string("starts afresh")));
}

/// Sums the gradient and the loss (grad_and_loss: [param_count + 1]) over the processes and
/// divides them by their number (the local batches are the same size); returns the loss and
/// recomputes `squares`, the squared norm of the gradient.
template <class T>
T sum_over_processes(gradient_reducer& r, std::span<T> grad_and_loss, T loss, double& squares) {
  grad_and_loss.back() = loss;
  r.sum(grad_and_loss);
  const T inverse = T(1) / T(r.size());
  const std::span<T> grad = grad_and_loss.first(grad_and_loss.size() - 1);
  for (T& g : grad) g *= inverse;
  squares = sum_of_squares(grad.data(), grad.size());
  return grad_and_loss.back() * inverse;
}

/// Replaces an epoch's losses and metrics with their means over the processes' samples.
inline void average_over_processes(gradient_reducer& r, epoch_stats& s, int train_size,
                                   int test_size) {
  double v[5] = {s.train_loss * train_size, s.train_metric * train_size, s.test_loss * test_size,
                 s.test_metric * test_size, double(test_size)};
  r.sum(std::span<double>(v));
  const double train_all = double(train_size) * r.size();
  s.train_loss = v[0] / train_all;
  s.train_metric = v[1] / train_all;
  s.test_loss = v[2] / v[4];
  s.test_metric = v[3] / v[4];
}

/// Early stopping's best so far.
template <class T>
struct best_so_far {
  std::vector<T> params;
  double value = 0;
  int since = 0;
};

template <class M>
std::span<const node> checkpoint_nodes(const M& m) {
  if constexpr (has_nodes<M>) return nodes_of(m);
  (void)m;
  return {};
}

/// Saves fit's state after `epochs_done` epochs to o.checkpoints.path.
template <class M, class T>
void save_fit_checkpoint(const M& m, const fit_options& o, std::span<const T> params,
                         const optimizer<T>& opt, const fit_history& h, const best_so_far<T>& best,
                         long long epochs_done) {
  checkpoint<T> c;
  c.epoch = epochs_done;
  c.params.assign(params.begin(), params.end());
  c.optimizer = opt.name();
  c.optimizer_steps = opt.steps();
  c.optimizer_state.assign(opt.state().begin(), opt.state().end());
  c.has_fit = true;
  c.fit = {o.seed,       o.batch_size, epochs_done, h.stopped_early, h.message,
           h.best_epoch, best.since,   best.value,  best.params,     {}};
  for (const epoch_stats& e : h.epochs)
    c.fit.history.insert(c.fit.history.end(),
                         {double(e.epoch), e.train_loss, e.train_metric, e.test_loss, e.test_metric,
                          e.learning_rate, e.gradient_norm});
  save_checkpoint(o.checkpoints.path, checkpoint_nodes(m), c, o.checkpoints.hooks);
}

/// Restores fit's state from o.checkpoints.path when resuming and the file exists; returns the
/// number of epochs already done (0 for a fresh start).
template <class M, class T>
long long resume_fit(const M& m, const fit_options& o, std::span<T> params, optimizer<T>& opt,
                     fit_history& h, best_so_far<T>& best) {
  const std::string& path = o.checkpoints.path;
  if (path.empty() || !o.checkpoints.resume || !std::ifstream(path)) return 0;
  const checkpoint<T> c = read_checkpoint<T>(path, checkpoint_nodes(m));
  auto refuse = [&](const std::string& why) {
    return checkpoint_error("kiln::fit: cannot resume from " + path + ": " + why);
  };
  if (!c.has_fit) throw refuse("it was not saved by fit");
  if (c.fit.seed != o.seed || c.fit.batch_size != o.batch_size)
    throw refuse(fmt::format("it was saved with seed {} and batch size {}, this fit has {} and {}",
                             c.fit.seed, c.fit.batch_size, o.seed, o.batch_size));
  if (c.fit.best_params.size() != params.size()) throw refuse("its best parameters do not fit");
  load_checkpoint<T>(path, checkpoint_nodes(m), params, &opt);
  h.stopped_early = c.fit.stopped_early;
  h.message = c.fit.message;
  h.best_epoch = c.fit.best_epoch;
  h.steps = opt.steps();
  best = {c.fit.best_params, c.fit.best_value, c.fit.since_best};
  const std::vector<double>& v = c.fit.history;
  for (std::size_t i = 0; i + 7 <= v.size(); i += 7)
    h.epochs.push_back({int(v[i]), v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6]});
  return c.fit.epochs_done;
}

template <trainable_model M>
fit_history fit(const M& m, std::span<typename M::value_type> params,
                optimizer<typename M::value_type>& opt,
                const dataset<typename M::value_type>& train,
                const dataset<typename M::value_type>* test, const fit_options& o) {
  using T = typename M::value_type;
  check_dataset<M>(train, "training");
  if (test) check_dataset<M>(*test, "test");
  if (int(params.size()) != M::param_count || opt.param_count() != M::param_count)
    throw std::invalid_argument("kiln::fit: params has " + std::to_string(params.size()) +
                                " values and the optimizer " + std::to_string(opt.param_count()) +
                                ", the model has " + std::to_string(M::param_count));
  fit_history h;
  h.metric = resolve_metric(m, o.metric);
  const bool higher_is_better = h.metric == metric_kind::accuracy;
  if (o.reducer) check_shards(*o.reducer, train.size());
  if constexpr (couples_samples<M>()) {
    // A batch of one sample has no variance: refused before training, not at the epoch's end.
    const int size = train.size(), last = o.batch_size > 0 ? size % o.batch_size : 0;
    if (o.batch_size == 1 || size == 1 || (size > o.batch_size && last == 1))
      throw std::invalid_argument(fmt::format(
          "kiln::fit: the network has batch_norm, which needs 2 or more samples per batch in "
          "training, but {} samples in batches of {} leave a batch of 1; change the batch size",
          size, o.batch_size));
    if (o.reducer)
      throw std::invalid_argument(
          "kiln::fit: the network has batch_norm, whose batch statistics would be each process's "
          "own over a reducer: train it in one process (threads run its batch whole)");
  }
  // An optimizer built from a count learns where the network keeps state: it never steps it.
  if constexpr (has_nodes<M>) opt.leave_state_of(nodes_of(m));
  const bool show =
      progress_enabled(o.progress, o.progress_stream) && (!o.reducer || o.reducer->rank() == 0);
  progress_bar bar(show, o.epochs, train.size(), metric_name(h.metric), o.progress_stream);
  thread_pool pool(training_threads(o.threads, o.batch_size, M::param_count, o.min_thread_work));
  sharded_model<M> sm(m, pool);

  // grad holds one more value: the loss, summed with the gradient over the processes.
  std::vector<T> x, t, grad_and_loss(M::param_count + 1), last_good(params.begin(), params.end());
  const std::span<T> grad(grad_and_loss.data(), std::size_t(M::param_count));
  best_so_far<T> best{std::vector<T>(params.begin(), params.end())};
  const long long done_before = resume_fit(m, o, params, opt, h, best);
  if (o.reducer) check_same_start(*o.reducer, o, std::span<const T>(params), opt, done_before);
  // One process writes the checkpoints of a data-parallel run: every one holds the same state.
  const bool writes_checkpoints =
      !o.checkpoints.path.empty() && (!o.reducer || o.reducer->rank() == 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int epoch = int(done_before); epoch < o.epochs && !h.stopped_early; ++epoch) {
    const minibatches<T> batches(train, o.batch_size, o.seed, epoch);
    epoch_stats s;
    s.epoch = epoch;
    double loss_sum = 0;
    long long done = 0;
    for (int k = 0; k < batches.count(); ++k) {
      const int n = batches.size(k);
      x.resize(std::size_t(n) * M::input_size);
      t.resize(std::size_t(n) * M::output_size);
      const long long step = opt.steps() + 1;
      const train_pass pass{mix_seed(o.seed ^ 0xd509, std::uint64_t(step)),
                            o.reducer ? o.reducer->rank() * n : 0};
      double squares = 0;
      // Each thread gathers its own shard of the batch.
      T loss = sm.loss_and_gradient(
          std::span<const T>(params), std::span<const T>(x), std::span<const T>(t), grad, n, pass,
          &squares,
          [&](item_range r) { batches.gather_rows(k, r.begin, r.size(), x.data(), t.data()); });
      if (o.reducer)
        loss = sum_over_processes(*o.reducer, std::span<T>(grad_and_loss), loss, squares);
      const std::string bad =
          std::isfinite(squares) ? std::string() : non_finite_layers(m, std::span<const T>(grad));
      if (!std::isfinite(loss) || !bad.empty()) {
        h.diverged = true;
        const std::string what =
            !std::isfinite(loss)
                ? fmt::format("the loss is {}{}", double(loss),
                              bad.empty() ? "" : " and the gradient is not finite in " + bad)
                : "the gradient is not finite in " + bad;
        h.message = fmt::format(
            "kiln::fit: {} at epoch {}, step {} (batch {} of the epoch); training stopped, the "
            "parameters are those after step {}",
            what, epoch + 1, step, k + 1, step - 1);
        break;
      }
      s.gradient_norm = std::sqrt(squares);
      s.learning_rate = opt.learning_rate();
      // batch_norm's running statistics: folded in from this batch, as its forward in training
      // does in PyTorch (the optimizer leaves them alone).
      if constexpr (couples_samples<M>())
        sm.update_running_stats(params, std::span<const T>(x), n, pass);
      const bool finite =
          apply_step(sm, params, grad, std::span<T>(last_good), opt, o.clip_norm, s.gradient_norm);
      const std::string bad_params =
          finite ? std::string() : non_finite_layers(m, std::span<const T>(params));
      if (!bad_params.empty()) {
        std::copy(last_good.begin(), last_good.end(), params.begin());
        h.diverged = true;
        h.message = fmt::format(
            "kiln::fit: step {} at epoch {} (batch {} of the epoch) made the parameters of {} "
            "non-finite; training stopped, the parameters are those after step {}",
            step, epoch + 1, k + 1, bad_params, step - 1);
        break;
      }
      loss_sum += double(loss) * n;
      done += n;
      bar.update(epoch, done, loss_sum / done,
                 h.epochs.empty() ? nan : h.epochs.back().train_metric);
    }
    h.steps = opt.steps();
    if (h.diverged) {
      bar.message(h.message);
      break;
    }
    const std::span<const T> p(params);
    s.train_loss = done ? loss_sum / done : 0.0;
    s.train_metric = o.evaluate_train ? evaluate_metric(sm, p, train, h.metric) : nan;
    s.test_loss = test ? mean_loss(sm, p, *test) : nan;
    s.test_metric = test ? evaluate_metric(sm, p, *test, h.metric) : nan;
    if (o.reducer) average_over_processes(*o.reducer, s, train.size(), test ? test->size() : 0);
    h.epochs.push_back(s);
    bar.end_epoch(epoch, s.train_loss, s.train_metric, test != nullptr, s.test_loss, s.test_metric);

    if (o.patience > 0) {
      double value = h.metric == metric_kind::none ? (test ? s.test_loss : s.train_loss)
                     : test                        ? s.test_metric
                                                   : s.train_metric;
      if (!higher_is_better) value = -value;  // compare as "higher is better"
      if (h.best_epoch < 0 || value > best.value + o.min_delta) {
        best.value = value;
        h.best_epoch = epoch;
        best.since = 0;
        std::copy(params.begin(), params.end(), best.params.begin());
      } else if (++best.since >= o.patience) {
        h.stopped_early = true;
        h.message = fmt::format(
            "kiln::fit: no improvement for {} epochs; stopped after epoch {}, "
            "keeping the parameters of epoch {}",
            o.patience, epoch + 1, h.best_epoch + 1);
        bar.message(h.message);
        break;
      }
    }
    if (writes_checkpoints && (epoch + 1) % std::max(1, o.checkpoints.every) == 0 &&
        epoch + 1 < o.epochs)
      save_fit_checkpoint(m, o, std::span<const T>(params), opt, h, best, epoch + 1);
  }
  if (writes_checkpoints && !h.diverged)
    save_fit_checkpoint(m, o, std::span<const T>(params), opt, h, best, h.epochs.size());
  if (o.patience > 0 && h.best_epoch >= 0)
    std::copy(best.params.begin(), best.params.end(), params.begin());
  return h;
}

}  // namespace detail

/// Trains `params` of model `m` on `train` with `opt` for o.epochs epochs of shuffled minibatches;
/// returns the per-epoch history. Stops early on a plateau (o.patience), or on a NaN or infinity
/// in the loss, the gradient or the updated parameters, leaving the parameters of the last good
/// step and saying where in history.message.
template <trainable_model M>
fit_history fit(const M& m, std::span<typename M::value_type> params,
                optimizer<typename M::value_type>& opt,
                const dataset<typename M::value_type>& train, const fit_options& o = {}) {
  return detail::fit(m, params, opt, train, nullptr, o);
}

/// As above, also computing loss and metric on `test` after each epoch (early stopping watches
/// the test metric).
template <trainable_model M>
fit_history fit(const M& m, std::span<typename M::value_type> params,
                optimizer<typename M::value_type>& opt,
                const dataset<typename M::value_type>& train,
                const dataset<typename M::value_type>& test, const fit_options& o = {}) {
  return detail::fit(m, params, opt, train, &test, o);
}

/// One dense layer's gradient: L2 norms of d(loss)/dW and d(loss)/db.
struct layer_gradient {
  int layer = 0;  ///< index in the flattened graph
  int in = 0, out = 0;
  double weight_norm = 0;
  double bias_norm = 0;
};

/// The gradient-flow report: the weight-gradient norm of each dense layer for one batch
/// (training mode, train_pass seed 0), first layer first. Vanishing gradients show as norms
/// shrinking towards the input.
template <trainable_model M>
std::vector<layer_gradient> gradient_flow(const M& m, std::span<const node> nodes,
                                          std::span<const typename M::value_type> params,
                                          std::span<const typename M::value_type> x,
                                          std::span<const typename M::value_type> t, int batch) {
  using T = typename M::value_type;
  std::vector<T> grad(M::param_count);
  detail::loss_and_gradient(m, params, x, t, std::span<T>(grad), batch, 0);
  std::vector<layer_gradient> out;
  for (std::size_t l = 0; l < nodes.size(); ++l) {
    const node& n = nodes[l];
    if (n.k != kind::dense) continue;
    layer_gradient g{int(l), n.in, n.out, 0, 0};
    const T* d = grad.data() + n.param_offset;
    for (int i = 0; i < n.in * n.out; ++i) g.weight_norm += double(d[i]) * d[i];
    if (n.bias)
      for (int i = 0; i < n.out; ++i)
        g.bias_norm += double(d[n.in * n.out + i]) * d[n.in * n.out + i];
    g.weight_norm = std::sqrt(g.weight_norm);
    g.bias_norm = std::sqrt(g.bias_norm);
    out.push_back(g);
  }
  return out;
}

/// gradient_flow on a whole dataset (one batch of all its samples), nodes from the model.
template <trainable_model M>
requires has_nodes<M> std::vector<layer_gradient> gradient_flow(
    const M& m, std::span<const typename M::value_type> params,
    const dataset<typename M::value_type>& data) {
  check_dataset<M>(data);
  return gradient_flow(m, nodes_of(m), params, data.x, data.y, data.size());
}

/// One line per dense layer: "layer 1 dense 2 -> 16  |dW| 1.234e-03  |db| 5.6e-04".
inline std::string format_gradient_flow(const std::vector<layer_gradient>& layers) {
  std::string s;
  for (const layer_gradient& g : layers)
    s += fmt::format("layer {:>2} dense {:>4} -> {:<4} |dW| {:.3e}  |db| {:.3e}\n", g.layer, g.in,
                     g.out, g.weight_norm, g.bias_norm);
  return s;
}

}  // namespace kiln
