// The batch-1 latency benchmarks of one network, KILN_LATENCY_NET (compiled once per network:
// each needs its own generated header, with that network's weights baked in). Every engine runs
// the same weights, those baked in.
#include <kiln/generic.hpp>
#include <memory>

#include "bench_specs.kiln.hpp"
#include "eigen_engine.hpp"
#include "latency.hpp"

namespace {

constexpr const auto& net = bench::KILN_LATENCY_NET;
using net_type = std::remove_cvref_t<decltype(net)>;
using baked = kiln::baked<bench::KILN_LATENCY_NET, float>;
using compiled = kiln::compiled<bench::KILN_LATENCY_NET, float>;
constexpr int in = net_type::input_size, out = net_type::output_size;

std::span<const float> params() { return {baked::params, std::size_t(baked::param_count)}; }

void kiln_stack(benchmark::State& state) {
  bench::latency::run(state, in, out, [](const float* x, float* y) {
    compiled{}.forward(params(), std::span<const float>(x, in), std::span<float>(y, out), 1);
  });
}
void kiln_workspace(benchmark::State& state) {
  static compiled::workspace w;
  bench::latency::run(state, in, out, [](const float* x, float* y) {
    compiled{}.forward(params(), std::span<const float>(x, in), std::span<float>(y, out), 1, w);
  });
}
void kiln_baked(benchmark::State& state) {
  bench::latency::run(state, in, out, [](const float* x, float* y) { baked::forward(x, y); });
}
void kiln_baked_workspace(benchmark::State& state) {
  static baked::workspace w;
  bench::latency::run(state, in, out, [](const float* x, float* y) { baked::forward(x, y, w); });
}
void generic(benchmark::State& state) {
  auto engine = kiln::generic<float>(net);
  bench::latency::run(state, in, out, [&](const float* x, float* y) {
    engine.forward(params(), std::span<const float>(x, in), std::span<float>(y, out), 1);
  });
}
void eigen_fixed(benchmark::State& state) {
  auto engine = std::make_unique<bench::eigen_engine<net, true, 1>>();
  bench::latency::run(state, in, out, [&](const float* x, float* y) {
    engine->forward(params(), std::span<const float>(x, in), std::span<float>(y, out), 1);
  });
}

const int registered = [] {
  const std::string name = std::string("latency/") + KILN_LATENCY_NAME + "/";
  benchmark::RegisterBenchmark((name + "kiln").c_str(), kiln_stack);
  benchmark::RegisterBenchmark((name + "kiln_workspace").c_str(), kiln_workspace);
  benchmark::RegisterBenchmark((name + "baked").c_str(), kiln_baked);
  benchmark::RegisterBenchmark((name + "baked_workspace").c_str(), kiln_baked_workspace);
  benchmark::RegisterBenchmark((name + "generic").c_str(), generic);
  benchmark::RegisterBenchmark((name + "eigen_fixed").c_str(), eigen_fixed);
  // The engines agree on one input (the baked one against each other).
  float x[in], want[out], y[out];
  for (int j = 0; j < in; ++j) x[j] = std::sin(0.37f * float(j));
  baked::forward(x, want);
  double worst = 0;
  const auto compare = [&] {
    for (int o = 0; o < out; ++o) worst = std::max(worst, double(std::abs(y[o] - want[o])));
  };
  compiled{}.forward(params(), std::span<const float>(x, in), std::span<float>(y, out), 1);
  compare();
  kiln::generic<float>(net).forward(params(), std::span<const float>(x, in),
                                    std::span<float>(y, out), 1);
  compare();
  bench::eigen_engine<net, true, 1>{}.forward(params(), std::span<const float>(x, in),
                                              std::span<float>(y, out), 1);
  compare();
  bench::latency::add_network(KILN_LATENCY_NAME,
                              bench::latency::critical_path_cycles(std::span(net.nodes)), worst);
  return 0;
}();

}  // namespace
