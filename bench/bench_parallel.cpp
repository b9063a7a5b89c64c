// kiln_bench_parallel: the generated engines on 1 and 2 threads (docs/parallel.md): D's training
// step (forward, backward, Adam: what fit runs) at batch 32 and 256 and its Adam update alone,
// D's batched inference at 4096, an MNIST-sized epoch of fit at batch 32, fit on A and B with
// the thread rule, and every network's step on 2 threads forced (where threads stop paying).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <kiln/compiled.hpp>
#include <kiln/runtime.hpp>
#include <string>
#include <vector>

#include "bench_specs.hpp"
#include "bench_specs.kiln.hpp"

namespace {

template <class T>
kiln::dataset<T> random_data(int features, int targets, int n) {
  kiln::rng r(7);
  kiln::dataset<T> d(features, targets);
  std::vector<T> x(features), t(targets);
  for (int i = 0; i < n; ++i) {
    for (T& v : x) v = T(r.uniform(0, 1));
    std::fill(t.begin(), t.end(), T(0));
    t[targets == 1 ? 0 : r.below(std::uint64_t(targets))] = targets == 1 ? T(0.5) : T(1);
    d.add(x, t);
  }
  return d;
}

// A benchmark's network, `samples` random samples and its initial parameters; the samples per
// second it reports.
template <const auto& Net>
struct setup {
  using M = kiln::compiled<Net, float>;
  const M m{};
  const kiln::dataset<float> data;
  std::vector<float> params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 1);
  explicit setup(int samples) : data(random_data<float>(M::input_size, M::output_size, samples)) {}
};
void count_samples(benchmark::State& state, int samples) {
  state.counters["samples"] =
      benchmark::Counter(double(samples), benchmark::Counter::kIsIterationInvariantRate);
}

// One training step as fit runs it: the sharded gradient with its norm, then the update on the
// threads (Adam); range(2) = 0 leaves out the gradient (the update alone), 2 the update (the
// gradient alone). For D and E, each step is also timed alone: the counters step_min_us and
// step_median_us are the fastest and the median step of the repetition, which a few steps a
// burst of another tenant's work stretches do not move as they move the mean (the time column).
// Only for networks whose steps are long enough that two clock reads (about 40 ns) are lost in
// them.
template <const auto& Net>
void train_step(benchmark::State& state) {
  const int threads = int(state.range(0)), batch = int(state.range(1));
  const bool gradient = state.range(2) != 0, update = state.range(2) != 2;
  setup<Net> s(batch);
  using M = typename setup<Net>::M;
  kiln::thread_pool pool(threads);
  kiln::sharded_model<M> sm(s.m, pool);
  std::vector<float> grad(M::param_count, 1e-3f), last(M::param_count);
  kiln::optimizer<float> opt(kiln::adam{.lr = 1e-4}, M::param_count);
  constexpr bool per_step = M::param_count >= 10000;
  std::vector<double> steps;
  if constexpr (per_step) steps.reserve(std::size_t(state.max_iterations));
  for (auto _ : state) {
    [[maybe_unused]] const auto start = std::chrono::steady_clock::now();
    double squares = 1;
    if (gradient)
      benchmark::DoNotOptimize(sm.loss_and_gradient(s.params, s.data.x, s.data.y,
                                                    std::span<float>(grad), batch,
                                                    kiln::train_pass{}, &squares));
    if (update)
      kiln::detail::apply_step(sm, std::span<float>(s.params), std::span<float>(grad),
                               std::span<float>(last), opt, 0.0, std::sqrt(squares));
    benchmark::DoNotOptimize(s.params.data());
    benchmark::ClobberMemory();
    if constexpr (per_step)
      steps.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
  }
  if constexpr (per_step) {
    std::sort(steps.begin(), steps.end());
    state.counters["step_min_us"] = steps.front();
    state.counters["step_median_us"] = steps[steps.size() / 2];
  }
  count_samples(state, batch);
}

template <const auto& Net>
void infer(benchmark::State& state) {
  const int threads = int(state.range(0)), batch = int(state.range(1));
  setup<Net> s(batch);
  using M = typename setup<Net>::M;
  kiln::thread_pool pool(threads);
  kiln::sharded_model<M> sm(s.m, pool);
  std::vector<float> y(std::size_t(batch) * M::output_size), y1(y.size());
  s.m.forward(s.params, s.data.x, std::span<float>(y1), batch);
  for (auto _ : state) {
    sm.forward(s.params, s.data.x, std::span<float>(y), batch);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  if (y != y1) state.SkipWithError("sharded forward differs from one call");
  count_samples(state, batch);
}

// One epoch of fit (training steps, no evaluation) over `samples` samples at batch 32, the
// threads as fit_options.threads; range(2) = 1 forces them (min_thread_work 0).
template <const auto& Net>
void fit_epoch(benchmark::State& state) {
  const int threads = int(state.range(0)), samples = int(state.range(1));
  setup<Net> s(samples);
  kiln::fit_options o{.epochs = 1,
                      .batch_size = 32,
                      .evaluate_train = false,
                      .progress = kiln::progress_mode::never};
  o.threads = threads;
  if (state.range(2) != 0) o.min_thread_work = 0;
  for (auto _ : state) {
    kiln::optimizer<float> opt(kiln::adam{.lr = 1e-4}, setup<Net>::M::param_count);
    const auto h = kiln::fit(s.m, std::span<float>(s.params), opt, s.data, o);
    benchmark::DoNotOptimize(h.epochs.back().train_loss);
    benchmark::DoNotOptimize(s.params.data());
  }
  count_samples(state, samples);
}

// The fastest repetition beside the median: on a shared machine a burst of another tenant's work
// on either core stretches a two-thread step, so the two say how much of a ratio is the code.
double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
void timed(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->ComputeStatistics("min", fastest);
}

}  // namespace

// Threads x batch (x gradient: 0 is Adam's update alone).
BENCHMARK(train_step<bench::net_d>)->ArgsProduct({{1, 2}, {32, 256}, {1}})->Apply(timed);
BENCHMARK(train_step<bench::net_d>)->ArgsProduct({{1, 2}, {32}, {0, 2}})->Apply(timed);
BENCHMARK(train_step<bench::net_d>)->ArgsProduct({{1, 2}, {256}, {2}})->Apply(timed);
BENCHMARK(infer<bench::net_d>)->ArgsProduct({{1, 2}, {256, 4096}})->Apply(timed);
// Where threads stop paying: every network's step on 2 threads against 1.
BENCHMARK(train_step<bench::net_a>)->ArgsProduct({{1, 2}, {32, 256}, {1}})->Apply(timed);
BENCHMARK(train_step<bench::net_b>)->ArgsProduct({{1, 2}, {32, 256}, {1}})->Apply(timed);
BENCHMARK(train_step<bench::net_c>)->ArgsProduct({{1, 2}, {32, 256}, {1}})->Apply(timed);
BENCHMARK(train_step<bench::net_e>)->ArgsProduct({{1, 2}, {32, 256}, {1}})->Apply(timed);
// Threads x samples x forced: the MNIST example's epoch (8000 digits, D), and A and B.
BENCHMARK(fit_epoch<bench::net_d>)->ArgsProduct({{1, 2}, {8000}, {0}})->Apply(timed);
BENCHMARK(fit_epoch<bench::net_a>)->ArgsProduct({{1, 2}, {8192}, {0, 1}})->Apply(timed);
BENCHMARK(fit_epoch<bench::net_b>)->ArgsProduct({{1, 2}, {8192}, {0, 1}})->Apply(timed);

BENCHMARK_MAIN();
