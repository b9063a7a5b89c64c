// What every benchmark shares: the workloads, the data of one problem, FLOP counts taken from the
// network's nodes, the agreement check against the generic engine, and the timed loops.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <kiln/generic.hpp>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// Inference (forward only) or one training step (forward, backward, plain SGD update).
struct workload {
  std::string_view name;
  bool training;
  int batch;
};
inline constexpr std::array<workload, 4> workloads{{{"infer_1", false, 1},
                                                    {"infer_256", false, 256},
                                                    {"train_32", true, 32},
                                                    {"train_256", true, 256}}};

inline constexpr float learning_rate = 1e-3f;

/// FLOPs of one sample's forward pass: 2 * in * out per dense layer (the multiply-adds needed).
template <class Net>
constexpr double forward_flops(const Net& net) {
  double flops = 0;
  for (const kiln::node& n : net.nodes)
    if (n.k == kiln::kind::dense) flops += 2.0 * n.in * n.out;
  return flops;
}

/// FLOPs of one sample of a workload, counting the multiply-adds actually needed: a training step
/// does each dense layer's forward, d_W = d_y x^T and d_x = W^T d_y, 3 x 2 in out, except that the
/// layer reading the network's input needs no d_x (nothing upstream to train): 2 x 2 in out.
template <class Net>
constexpr double flops_per_sample(const Net& net, const workload& w) {
  if (!w.training) return forward_flops(net);
  double flops = 0;
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    const kiln::node& n = net.nodes[i];
    if (n.k != kiln::kind::dense) continue;
    const bool reads_input = i == 1;  // node 0 is the input
    flops += (reads_input ? 4.0 : 6.0) * n.in * n.out;
  }
  return flops;
}

/// Parameters, inputs and targets of one run, the same for every engine (fixed seeds).
/// x: [batch][input_size], targets: [batch][output_size] (one-hot for the cross-entropies).
template <class Net>
struct problem {
  int batch;
  std::vector<float> params, x, targets;

  problem(const Net& net, int batch_size)
      : batch(batch_size),
        params(Net::param_count),
        x(std::size_t(batch_size) * Net::input_size),
        targets(std::size_t(batch_size) * Net::output_size) {
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (const kiln::node& n : net.nodes) {
      if (n.k != kiln::kind::dense) continue;
      const float scale = 1.0f / std::sqrt(float(n.in));  // keeps activations O(1)
      for (int i = 0; i < n.param_count; ++i)
        params[n.param_offset + i] = normal(rng) * (i < n.out * n.in ? scale : 0.1f);
    }
    for (float& v : x) v = normal(rng);
    const bool one_hot = Net::loss_kind() == kiln::kind::softmax_cross_entropy;
    for (int b = 0; b < batch; ++b)
      for (int o = 0; o < Net::output_size; ++o)
        targets[std::size_t(b) * Net::output_size + o] =
            one_hot ? float(o == b % Net::output_size) : uniform(rng);
  }
};

inline void sgd(std::span<float> params, std::span<const float> grad) {
  for (std::size_t i = 0; i < params.size(); ++i) params[i] -= learning_rate * grad[i];
}

/// Empty when `got` matches `want` to ~1e-4 relative (elementwise, with an absolute floor of
/// 1e-4 of the largest |want| for values that cancel), else what differs and where.
inline std::string mismatch(std::string_view what, std::span<const float> got,
                            std::span<const float> want) {
  if (got.size() != want.size()) return std::string(what) + ": sizes differ";
  float largest = 0;
  for (float v : want) largest = std::max(largest, std::abs(v));
  for (std::size_t i = 0; i < got.size(); ++i) {
    const float error = std::abs(got[i] - want[i]);
    if (!(error <= 1e-4f * std::abs(want[i]) + 1e-4f * largest))
      return std::string(what) + "[" + std::to_string(i) + "] = " + std::to_string(got[i]) +
             ", the generic engine says " + std::to_string(want[i]);
  }
  return {};
}

/// Adapts an engine with the generic engine's span interface (generic, Eigen, generated).
template <class Engine>
struct span_engine {
  Engine engine;
  std::vector<float> grad = std::vector<float>(Engine::param_count);

  template <class... Args>
  explicit span_engine(Args&&... args) : engine(std::forward<Args>(args)...) {}

  void forward(std::span<const float> params, std::span<const float> x, std::span<float> y,
               int batch) {
    engine.forward(params, x, y, batch);
  }
  float loss_and_gradient(std::span<const float> params, std::span<const float> x,
                          std::span<const float> targets, std::span<float> d_params, int batch) {
    return engine.loss_and_gradient(params, x, targets, d_params, batch);
  }
  template <class Problem>
  void infer(Problem& p, std::span<float> y) {
    engine.forward(p.params, p.x, y, p.batch);
  }
  template <class Problem>
  float train_step(Problem& p) {
    const float loss = engine.loss_and_gradient(p.params, p.x, p.targets, grad, p.batch);
    sgd(p.params, grad);
    return loss;
  }
};

/// Runs the engine and the generic engine on the same problem; empty when they agree.
template <class Net, class Engine>
std::string check_agreement(const Net& net, Engine& engine, const problem<Net>& p,
                            const workload& w) {
  auto reference = kiln::generic<float>(net);
  if (!w.training) {
    std::vector<float> want(std::size_t(p.batch) * Net::output_size), got(want.size());
    reference.forward(p.params, p.x, want, p.batch);
    engine.forward(p.params, p.x, got, p.batch);
    return mismatch("y", got, want);
  }
  std::vector<float> want(Net::param_count), got(Net::param_count);
  const float want_loss = reference.loss_and_gradient(p.params, p.x, p.targets, want, p.batch);
  const float got_loss = engine.loss_and_gradient(p.params, p.x, p.targets, got, p.batch);
  if (std::string m = mismatch("loss", std::span(&got_loss, 1), std::span(&want_loss, 1));
      !m.empty())
    return m;
  return mismatch("d_params", got, want);
}

/// Registers "<net>/<workload>/<engine>": checks agreement first (an error result if not), then
/// times inference or training steps. Counters: flops (FLOP/s), and items = samples per second.
template <const auto& Net, class Make>
void register_benchmark(std::string_view net_name, std::string_view engine_name, const workload& w,
                        Make make) {
  const std::string name =
      std::string(net_name) + "/" + std::string(w.name) + "/" + std::string(engine_name);
  benchmark::RegisterBenchmark(name.c_str(), [w, make](benchmark::State& state) {
    using net_type = std::remove_cvref_t<decltype(Net)>;
    auto engine = make();
    problem<net_type> p(Net, w.batch);
    if (const std::string error = check_agreement(Net, *engine, p, w); !error.empty()) {
      state.SkipWithError(("disagrees with the generic engine: " + error).c_str());
      return;
    }
    std::vector<float> y(std::size_t(w.batch) * net_type::output_size);
    if (w.training) {
      for (auto _ : state) {
        benchmark::DoNotOptimize(engine->train_step(p));
        benchmark::DoNotOptimize(p.params.data());
        benchmark::ClobberMemory();
      }
    } else {
      for (auto _ : state) {
        engine->infer(p, y);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
      }
    }
    state.SetItemsProcessed(state.iterations() * w.batch);
    state.counters["batch"] = w.batch;
    state.counters["flops"] = benchmark::Counter(flops_per_sample(Net, w) * w.batch,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  })->MeasureProcessCPUTime();  // CPU time of every thread, should a library start any
}

}  // namespace bench
