// Data-parallel training and inference on one machine's cores: batched calls cut into contiguous
// shards, one per thread of a kiln::thread_pool with its own engine copy and workspace, gradients
// summed in a fixed order (bit-reproducible per thread count); the metrics and fit's step on them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "data.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "optim.hpp"
#include "thread_pool.hpp"
#include "vmath.hpp"

namespace kiln {

/// Sums buffers over the processes of a data-parallel run (kiln_mpi's mpi_reducer over MPI
/// ranks). Every process calls sum with buffers of the same sizes, in the same order.
class gradient_reducer {
 public:
  virtual ~gradient_reducer() = default;
  /// This process's number in [0, size()) and the number of processes.
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Replaces v with its element-wise sum over all processes (the same bits on every one).
  virtual void sum(std::span<float> v) = 0;
  virtual void sum(std::span<double> v) = 0;
};

/// Shards of a batch are aligned to this many samples (one register of lanes), so a generated
/// engine's tiles are never split between threads more than a batch needs.
template <class T>
inline constexpr int shard_grain = vmath::tile<T>::lanes;

/// How many of `threads` training threads pay for a model of `param_count` parameters at `batch`
/// samples per step: one per `min_work` multiply-adds of the step (batch x param_count), at least
/// one, at most `threads` (0: std::thread::hardware_concurrency()); min_work 0: all of them.
/// bench/bench_parallel.cpp measures where the line falls (docs/parallel.md).
inline constexpr long long default_min_thread_work = 1 << 20;
inline int training_threads(int threads, int batch, int param_count,
                            long long min_work = default_min_thread_work) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  if (min_work <= 0) return threads;
  const long long useful = std::max(1LL, (long long)batch * param_count / min_work);
  return int(std::min<long long>(threads, useful));
}

namespace detail {
template <class M>
concept has_workspace = requires {
  typename M::workspace;
};

// One thread's engine: a copy of the model and, for a generated engine, its own workspace.
template <model M>
struct thread_engine {
  struct none {};
  using workspace_type = typename decltype([] {
    if constexpr (has_workspace<M>)
      return std::type_identity<typename M::workspace>{};
    else
      return std::type_identity<none>{};
  }())::type;
  M m;
  std::unique_ptr<workspace_type> w = std::make_unique<workspace_type>();

  using T = typename M::value_type;
  void forward(std::span<const T> p, std::span<const T> x, std::span<T> y, int n) {
    if constexpr (has_workspace<M>)
      m.forward(p, x, y, n, *w);
    else
      m.forward(p, x, y, n);
  }
  T loss(std::span<const T> p, std::span<const T> x, std::span<const T> t, int n) {
    if constexpr (has_workspace<M>)
      return m.loss(p, x, t, n, *w);
    else
      return m.loss(p, x, t, n);
  }
  void update_running_stats(std::span<T> p, std::span<const T> x, int n, train_pass pass) {
    if constexpr (has_workspace<M>)
      m.update_running_stats(p, x, n, pass, *w);
    else
      m.update_running_stats(p, x, n, pass);
  }
  T loss_and_gradient(std::span<const T> p, std::span<const T> x, std::span<const T> t,
                      std::span<T> d, int n, train_pass pass) {
    if constexpr (has_workspace<M> && requires { m.loss_and_gradient(p, x, t, d, n, pass, *w); })
      return m.loss_and_gradient(p, x, t, d, n, pass, *w);
    else if constexpr (requires { m.loss_and_gradient(p, x, t, d, n, pass); })
      return m.loss_and_gradient(p, x, t, d, n, pass);
    else
      return m.loss_and_gradient(p, x, t, d, n);
  }
};

template <class T>
std::span<const T> rows(std::span<const T> v, int width, item_range r) {
  return v.subspan(std::size_t(r.begin) * width, std::size_t(r.size()) * width);
}
template <class T>
std::span<T> rows(std::span<T> v, int width, item_range r) {
  return v.subspan(std::size_t(r.begin) * width, std::size_t(r.size()) * width);
}
inline void check_values(const char* where, const char* what, std::size_t got, std::size_t want) {
  if (got != want)
    throw std::invalid_argument(std::string(where) + ": " + what + " has " + std::to_string(got) +
                                " values, expected " + std::to_string(want));
}
}  // namespace detail

/// Model m's batched calls on every thread of `pool`: the batch is cut into contiguous shards
/// (shard_of, aligned to shard_grain<T>), shard i runs on thread i with its own copy of m (copy
/// constructed: calls on different copies must not share state) and workspace. forward gives the
/// bits of one call on the whole batch when every shard is a whole number of the engine's tiles;
/// loss_and_gradient sums the shards' gradients weighted by their sizes in shard order, so the
/// result is the same bits for the same batch and thread count, and agrees with one call to
/// rounding. Dropout draws the masks of the whole batch (train_pass::first_sample).
template <model M>
class sharded_model {
 public:
  using value_type = typename M::value_type;
  using T = value_type;
  static constexpr int input_size = M::input_size;
  static constexpr int output_size = M::output_size;
  static constexpr int param_count = M::param_count;

  sharded_model(const M& m, thread_pool& pool) : pool_(&pool) {
    static_assert(std::is_copy_constructible_v<M>,
                  "kiln::sharded_model: the model is copied once per thread");
    for (int i = 0; i < pool.size(); ++i) engines_.push_back({m});
  }

  thread_pool& pool() const { return *pool_; }
  const M& model() const { return engines_[0].m; }
  int threads() const { return pool_->size(); }
  /// Thread i's engine (for code that runs its own tasks on pool()).
  detail::thread_engine<M>& engine(int i) { return engines_[i]; }

  /// x: [batch][input_size], y: [batch][output_size], in shards.
  void forward(std::span<const T> params, std::span<const T> x, std::span<T> y, int batch) {
    check(params, x, batch, "kiln::sharded_model::forward");
    detail::check_values("kiln::sharded_model::forward", "y", y.size(),
                         std::size_t(batch) * output_size);
    pool_->run([&](int i) {
      const item_range r = shard_of(batch, threads(), i, shard_grain<T>);
      if (r.size() > 0)
        engines_[i].forward(params, detail::rows(x, input_size, r), detail::rows(y, output_size, r),
                            r.size());
    });
  }

  /// Mean loss over the batch in inference mode: the shards' mean losses weighted by size.
  T loss(std::span<const T> params, std::span<const T> x, std::span<const T> targets, int batch) {
    check(params, x, batch, "kiln::sharded_model::loss");
    detail::check_values("kiln::sharded_model::loss", "targets", targets.size(),
                         std::size_t(batch) * output_size);
    losses_.assign(threads(), 0.0);
    pool_->run([&](int i) {
      const item_range r = shard_of(batch, threads(), i, shard_grain<T>);
      if (r.size() > 0)
        losses_[i] = double(engines_[i].loss(params, detail::rows(x, input_size, r),
                                             detail::rows(targets, output_size, r), r.size()));
    });
    return combined_loss(batch);
  }

  /// The running statistics of batch_norm layers, updated from the whole batch on one thread (see
  /// generic_model::update_running_stats).
  void update_running_stats(std::span<T> params, std::span<const T> x, int batch,
                            train_pass pass = {}) requires(couples_samples<M>()) {
    engines_[0].update_running_stats(params, x, batch, pass);
  }

  /// Mean loss in training mode; overwrites d_params with its gradient, the sum over shards of
  /// (shard size / batch) x the shard's gradient, in shard order. A network with batch_norm
  /// (couples_samples) is not cut: its whole batch runs on one thread, as one call would.
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, train_pass pass = {}) {
    return loss_and_gradient(params, x, targets, d_params, batch, pass, nullptr);
  }

  /// As above; also writes the sum of the squared gradient (in double, each thread over its range
  /// of parameters, the ranges added in order) to *sum_of_squares when given.
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, train_pass pass, double* sum_of_squares) {
    return loss_and_gradient(params, x, targets, d_params, batch, pass, sum_of_squares,
                             [](item_range) {});
  }

  /// As above, the batch written by the threads: before its shard, thread i calls fill(r), which
  /// writes samples [r.begin, r.end) into their rows of x and targets (sized for the whole batch).
  /// Each thread gathers its own shard, so the gather is not serial and its rows arrive in the
  /// cache of the core that reads them (an MNIST step at batch 32 spent 15 of 115 us gathering).
  template <class Fill>
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, train_pass pass, double* sum_of_squares,
                      Fill&& fill) {
    const char* where = "kiln::sharded_model::loss_and_gradient";
    check(params, x, batch, where);
    detail::check_values(where, "targets", targets.size(), std::size_t(batch) * output_size);
    detail::check_values(where, "d_params", d_params.size(), std::size_t(param_count));
    if constexpr (couples_samples<M>()) {
      // batch_norm: a shard's statistics would not be the batch's, so one engine takes it whole.
      fill(item_range{0, batch});
      const T loss = engines_[0].loss_and_gradient(params, x, targets, d_params, batch, pass);
      if (sum_of_squares)
        *sum_of_squares = detail::sum_of_squares(d_params.data(), d_params.size());
      return loss;
    }
    const int k = threads();
    if constexpr (requires { M::splits_units; })
      if constexpr (M::splits_units)
        if (k > 1 && batch > 1)
          return units_step(params, x, targets, d_params, batch, pass, sum_of_squares, fill);
    if constexpr (requires { M::splits_rows; })
      if constexpr (M::splits_rows) {
        int largest = 0;
        for (int i = 0; i < k; ++i)
          largest = std::max(largest, shard_of(batch, k, i, shard_grain<T>).size());
        if (k > 1 && largest < batch && largest <= M::shard_samples_max)
          return rows_step(params, x, targets, d_params, batch, pass, sum_of_squares, fill);
      }
    losses_.assign(k, 0.0);
    grads_.resize(std::size_t(k > 1 ? k - 1 : 0) * param_count);
    // Shard 0 writes d_params itself, shard i > 0 its own buffer; an empty shard writes nothing.
    const auto grad_of = [&](int i) {
      return i == 0 ? d_params
                    : std::span<T>(grads_.data() + std::size_t(i - 1) * param_count,
                                   std::size_t(param_count));
    };
    pool_->run([&](int i) {
      const item_range r = shard_of(batch, k, i, shard_grain<T>);
      if (r.size() == 0 && i > 0) return;
      fill(r);
      train_pass shard_pass = pass;
      shard_pass.first_sample += r.begin;
      losses_[i] = double(engines_[i].loss_and_gradient(params, detail::rows(x, input_size, r),
                                                        detail::rows(targets, output_size, r),
                                                        grad_of(i), r.size(), shard_pass));
    });
    // d_params[j] = w_0 g_0[j] + w_1 g_1[j] + ... over the nonempty shards, each thread summing
    // its own range of parameters.
    weights_.assign(k, T(0));
    for (int i = 0; i < k; ++i)
      weights_[i] = batch > 0 ? T(shard_of(batch, k, i, shard_grain<T>).size()) / T(batch) : T(0);
    squares_.assign(k, 0.0);
    // One shard holding the whole batch wrote d_params and its loss is the loss.
    const bool many = k > 1 && shard_of(batch, k, 0, shard_grain<T>).size() != batch;
    // In blocks that stay in L1 between the sum and its squares: one pass over the gradients.
    const auto reduce = [&](int part, int parts) {
      const item_range r = shard_of(param_count, parts, part, 16);
      constexpr int block = 2048;
      double squares = 0;
      for (int b = r.begin; b < r.end; b += block) {
        T* d = d_params.data() + b;
        const std::size_t n = std::size_t(std::min(block, r.end - b));
        if (many) {
          for (std::size_t j = 0; j < n; ++j) d[j] *= weights_[0];
          for (int i = 1; i < k; ++i) {
            const T* g = grads_.data() + std::size_t(i - 1) * param_count + b;
            if (weights_[i] != T(0))
              for (std::size_t j = 0; j < n; ++j) d[j] += weights_[i] * g[j];
          }
        }
        if (sum_of_squares) squares += detail::sum_of_squares(d, n);
      }
      squares_[part] = squares;
    };
    if (many || sum_of_squares) {
      if (param_count >= parallel_update_min)
        pool_->run([&](int i) { reduce(i, k); });
      else
        reduce(0, 1);
    }
    add_squares(sum_of_squares);
    return many ? combined_loss(batch) : T(losses_[0]);
  }

  /// Parameter buffers at least this long are reduced and updated by all threads; smaller ones
  /// by the calling thread alone (a pass over them is shorter than a wake-up).
  static constexpr int parallel_update_min = 8192;

  /// The parameters thread i of k updates (detail::apply_step): contiguous parts of near-equal
  /// size, or, for an engine whose steps split the first layer's units (units_step), that
  /// layer's rows as the step cuts them (the rest to the last thread), so each core updates the
  /// rows it differentiated and reads them next step from its own cache.
  static item_range update_part(int i, int k) {
    if constexpr (requires { M::splits_units; })
      if constexpr (M::splits_units)
        if (k > 1) {
          const auto r = M::units_update_part(i, k);
          return {r.begin, r.end};
        }
    return shard_of(param_count, k, i, 16);
  }

 private:
  // A generated engine's step split by the first layer's units (kernels::engine::units_head,
  // units_tail): each thread gathers its shard of the batch, then computes its rows of the first
  // layer's outputs for the whole batch, then runs the rest of the network on the whole batch and
  // writes its rows of the stashed layers' weight gradients; thread 0's copy of the other
  // gradients and of the loss is the step's. The bits of one call, for any thread count.
  template <class Fill>
  T units_step(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
               std::span<T> d_params, int batch, train_pass pass, double* sum_of_squares,
               Fill& fill) {
    const int k = threads();
    losses_.assign(k, 0.0);
    grads_.resize(std::size_t(k - 1) * param_count);
    head_.resize(M::units_head_values(batch));
    pool_->run([&](int i) {
      if (const item_range r = shard_of(batch, k, i, shard_grain<T>); r.size() > 0) fill(r);
    });
    pool_->run(
        [&](int i) { engines_[i].m.units_head(params, x, batch, i, k, head_, *engines_[i].w); });
    squares_.assign(k, 0.0);
    constexpr auto ranges = M::tile_ranges;
    pool_->run([&](int i) {
      T* tiles = i == 0 ? d_params.data() : grads_.data() + std::size_t(i - 1) * param_count;
      losses_[i] = double(engines_[i].m.units_tail(params, x, targets, tiles, d_params.data(),
                                                   batch, i, k, pass, head_, *engines_[i].w));
      if (!sum_of_squares) return;
      double squares = 0;
      M::rows_ranges(i, k, [&](int b, int e) {
        squares += detail::sum_of_squares(d_params.data() + b, std::size_t(e - b));
      });
      if (i == 0)
        for (int t = 0; t < ranges.count; ++t)
          squares += detail::sum_of_squares(d_params.data() + ranges.begin[t],
                                            std::size_t(ranges.end[t] - ranges.begin[t]));
      squares_[i] = squares;
    });
    add_squares(sum_of_squares);
    return T(losses_[0]);
  }

  // A generated engine's step in two phases (kernels::engine::shard_tiles, shard_rows), for shards
  // of one stash: thread i runs its shard's tiles, then writes its part of the rows of every
  // stashed layer's weight gradient from all the shards' stashes, and sums its part of the other
  // gradients (the engine's tile_ranges) over the threads' buffers in shard order. Same bits for
  // the same batch and thread count; against one thread, other roundings of the same sums.
  template <class Fill>
  T rows_step(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
              std::span<T> d_params, int batch, train_pass pass, double* sum_of_squares,
              Fill& fill) {
    const int k = threads();
    losses_.assign(k, 0.0);
    grads_.resize(std::size_t(k - 1) * param_count);
    shards_.assign(k, nullptr);
    inputs_.assign(k, nullptr);
    sizes_.assign(k, 0);
    for (int i = 0; i < k; ++i) {
      const item_range r = shard_of(batch, k, i, shard_grain<T>);
      shards_[i] = engines_[i].w.get();
      inputs_[i] = x.data() + std::size_t(r.begin) * input_size;
      sizes_[i] = r.size();
    }
    const auto grad_of = [&](int i) {
      return i == 0 ? d_params.data() : grads_.data() + std::size_t(i - 1) * param_count;
    };
    constexpr auto ranges = M::tile_ranges;
    pool_->run([&](int i) {
      const item_range r = shard_of(batch, k, i, shard_grain<T>);
      if (r.size() == 0) {
        // d_params is shard 0's buffer, which the sum below starts from, even when empty (a
        // small batch on many threads: 17 samples on 3 are shards of 0, 16 and 1).
        if (i == 0)
          for (int t = 0; t < ranges.count; ++t)
            std::fill(d_params.begin() + ranges.begin[t], d_params.begin() + ranges.end[t], T(0));
        return;
      }
      fill(r);
      train_pass shard_pass = pass;
      shard_pass.first_sample += r.begin;
      losses_[i] = double(engines_[i].m.shard_tiles(
          params, detail::rows(x, input_size, r), detail::rows(targets, output_size, r), grad_of(i),
          r.size(), batch, shard_pass, *engines_[i].w));
    });
    squares_.assign(k, 0.0);
    pool_->run([&](int i) {
      M::shard_rows(d_params.data(), i, k, shards_, inputs_, sizes_);
      double squares = 0;
      if (sum_of_squares)
        M::rows_ranges(i, k, [&](int b, int e) {
          squares += detail::sum_of_squares(d_params.data() + b, std::size_t(e - b));
        });
      for (int t = 0; t < ranges.count; ++t) {
        const item_range r = shard_of(ranges.end[t] - ranges.begin[t], k, i, 16);
        T* d = d_params.data() + ranges.begin[t] + r.begin;
        const std::size_t n = std::size_t(r.size());
        for (int s = 1; s < k; ++s) {
          const T* g = grad_of(s) + ranges.begin[t] + r.begin;
          if (sizes_[s] > 0)
            for (std::size_t j = 0; j < n; ++j) d[j] += g[j];
        }
        if (sum_of_squares) squares += detail::sum_of_squares(d, n);
      }
      squares_[i] = squares;
    });
    add_squares(sum_of_squares);
    double total = 0;
    for (double l : losses_) total += l;
    return M::mean_loss(T(total), batch);
  }

  // *sum_of_squares, when asked for: the threads' parts (squares_) added in order.
  void add_squares(double* sum_of_squares) const {
    if (!sum_of_squares) return;
    double total = 0;
    for (double s : squares_) total += s;
    *sum_of_squares = total;
  }
  void check(std::span<const T> params, std::span<const T> x, int batch, const char* where) const {
    if (batch < 0) throw std::invalid_argument(std::string(where) + ": negative batch");
    detail::check_values(where, "params", params.size(), std::size_t(param_count));
    detail::check_values(where, "x", x.size(), std::size_t(batch) * input_size);
  }
  T combined_loss(int batch) const {
    if (batch == 0) return T(0);
    double s = 0;
    for (int i = 0; i < threads(); ++i)
      s += losses_[i] * shard_of(batch, threads(), i, shard_grain<T>).size();
    return T(s / batch);
  }

  thread_pool* pool_;
  std::vector<detail::thread_engine<M>> engines_;
  std::vector<double> losses_, squares_;
  std::vector<T> grads_, weights_;
  // units_step's first-layer outputs (the engine's head_values; empty for other models).
  typename decltype([] {
    if constexpr (requires { typename M::head_values; })
      return std::type_identity<typename M::head_values>{};
    else
      return std::type_identity<std::vector<T>>{};
  }())::type head_;
  // rows_step's shards: workspaces, input rows, sizes.
  std::vector<typename detail::thread_engine<M>::workspace_type*> shards_;
  std::vector<const T*> inputs_;
  std::vector<int> sizes_;
};

/// forward of m on `pool`'s threads (see sharded_model); copies m once per thread per call: keep
/// a sharded_model to call it often.
template <model M>
void parallel_forward(thread_pool& pool, const M& m, std::span<const typename M::value_type> params,
                      std::span<const typename M::value_type> x,
                      std::span<typename M::value_type> y, int batch) {
  sharded_model<M>(m, pool).forward(params, x, y, batch);
}

/// loss_and_gradient of m on `pool`'s threads (see sharded_model).
template <trainable_model M>
typename M::value_type parallel_loss_and_gradient(thread_pool& pool, const M& m,
                                                  std::span<const typename M::value_type> params,
                                                  std::span<const typename M::value_type> x,
                                                  std::span<const typename M::value_type> targets,
                                                  std::span<typename M::value_type> d_params,
                                                  int batch, train_pass pass = {}) {
  return sharded_model<M>(m, pool).loss_and_gradient(params, x, targets, d_params, batch, pass);
}

// The metrics on threads: accuracy, mean_squared_error, confusion and evaluate_metric
// (metrics.hpp) through for_each_output below, and mean_loss. Each takes the serial version's
// chunks (256 samples) and sums them in the same order, so it gives the same bits as the serial
// one for any number of threads.

/// Calls fn(i, outputs of sample i) for every sample of `data`, in order, on the calling thread;
/// the outputs are computed on the threads, 256-sample chunks at a time.
template <model M, class F>
void for_each_output(sharded_model<M>& sm, std::span<const typename M::value_type> params,
                     const dataset<typename M::value_type>& data, F&& fn, int chunk = 256) {
  using T = typename M::value_type;
  check_dataset<M>(data);
  const int k = sm.threads(), block = chunk * 4 * k;
  std::vector<T> y;
  for (int start = 0; start < data.size(); start += block) {
    const int n = std::min(block, data.size() - start), chunks = (n + chunk - 1) / chunk;
    y.resize(std::size_t(n) * M::output_size);
    sm.pool().run([&](int i) {
      const item_range mine = shard_of(chunks, k, i);
      for (int c = mine.begin; c < mine.end; ++c) {
        const item_range r{start + c * chunk, start + std::min(n, (c + 1) * chunk)};
        sm.engine(i).forward(params, detail::rows(std::span<const T>(data.x), M::input_size, r),
                             std::span<T>(y).subspan(std::size_t(c) * chunk * M::output_size,
                                                     std::size_t(r.size()) * M::output_size),
                             r.size());
      }
    });
    for (int i = 0; i < n; ++i)
      fn(start + i, std::span<const T>(y.data() + std::size_t(i) * M::output_size,
                                       std::size_t(M::output_size)));
  }
}

/// mean_loss (metrics.hpp) on the threads: each chunk's loss on some thread, summed in order.
template <trainable_model M>
double mean_loss(sharded_model<M>& sm, std::span<const typename M::value_type> params,
                 const dataset<typename M::value_type>& data, int chunk = 256) {
  using T = typename M::value_type;
  check_dataset<M>(data);
  const int chunks = (data.size() + chunk - 1) / chunk, k = sm.threads();
  std::vector<double> sums(chunks);
  sm.pool().run([&](int i) {
    const item_range mine = shard_of(chunks, k, i);
    for (int c = mine.begin; c < mine.end; ++c) {
      const item_range r{c * chunk, std::min(data.size(), (c + 1) * chunk)};
      sums[c] = double(sm.engine(i).loss(
                    params, detail::rows(std::span<const T>(data.x), M::input_size, r),
                    detail::rows(std::span<const T>(data.y), M::output_size, r), r.size())) *
                r.size();
    }
  });
  double sum = 0;
  for (double s : sums) sum += s;
  return data.empty() ? 0.0 : sum / data.size();
}

/// The metric `automatic` stands for in sm's model (metrics.hpp).
template <model M>
metric_kind resolve_metric(const sharded_model<M>& sm, metric_kind k) {
  return resolve_metric(sm.model(), k);
}

/// accuracy, confusion and mean_loss of m on `pool`'s threads (one copy of m per thread).
template <model M>
double accuracy(thread_pool& pool, const M& m, std::span<const typename M::value_type> params,
                const dataset<typename M::value_type>& data) {
  sharded_model<M> sm(m, pool);
  return accuracy(sm, params, data);
}
template <model M>
confusion_matrix confusion(thread_pool& pool, const M& m,
                           std::span<const typename M::value_type> params,
                           const dataset<typename M::value_type>& data) {
  sharded_model<M> sm(m, pool);
  return confusion(sm, params, data);
}
template <trainable_model M>
double mean_loss(thread_pool& pool, const M& m, std::span<const typename M::value_type> params,
                 const dataset<typename M::value_type>& data) {
  sharded_model<M> sm(m, pool);
  return mean_loss(sm, params, data);
}

namespace detail {
/// The parallel part of a step of `fit` after the gradient: clipping by global norm (the norm
/// given), saving the parameters to last_good, and the optimizer's update, each thread over its
/// range of parameters. Returns false when an updated parameter is not finite.
template <model M>
bool apply_step(sharded_model<M>& sm, std::span<typename M::value_type> params,
                std::span<typename M::value_type> grad, std::span<typename M::value_type> last_good,
                optimizer<typename M::value_type>& opt, double clip_norm, double norm) {
  using T = typename M::value_type;
  const typename optimizer<T>::step_plan plan = opt.begin_step();
  const bool clip = clip_norm > 0 && norm > clip_norm;
  const double scale = clip ? clip_norm / norm : 1.0;
  std::vector<char> finite(sm.threads(), 1);
  const auto part = [&](int i, int parts) {
    const item_range r =
        parts == 1 ? item_range{0, M::param_count} : sharded_model<M>::update_part(i, parts);
    T* g = grad.data();
    if (clip)
      for (int j = r.begin; j < r.end; ++j) g[j] = T(g[j] * scale);
    finite[i] = opt.update(plan, params.data(), g, std::size_t(r.begin), std::size_t(r.end),
                           last_good.data());
  };
  if (sm.threads() > 1 && M::param_count >= sharded_model<M>::parallel_update_min)
    sm.pool().run([&](int i) { part(i, sm.threads()); });
  else
    part(0, 1);
  for (char f : finite)
    if (!f) return false;
  return true;
}
}  // namespace detail

/// The contiguous part `part` of `parts` of a dataset, all parts of the same size
/// floor(size / parts) (the last size % parts samples belong to none): an MPI rank's shard.
template <class T>
dataset<T> dataset_shard(const dataset<T>& d, int part, int parts) {
  if (parts <= 0 || part < 0 || part >= parts)
    throw std::invalid_argument("kiln::dataset_shard: part " + std::to_string(part) + " of " +
                                std::to_string(parts));
  const std::size_t each = std::size_t(d.size() / parts), first = each * part;
  return dataset<T>(
      d.features, d.targets,
      std::vector<T>(d.x.begin() + first * d.features, d.x.begin() + (first + each) * d.features),
      std::vector<T>(d.y.begin() + first * d.targets, d.y.begin() + (first + each) * d.targets));
}

}  // namespace kiln
