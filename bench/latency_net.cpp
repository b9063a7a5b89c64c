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
std::span<const float> in_span(const float* x) { return {x, std::size_t(in)}; }
std::span<float> out_span(float* y) { return {y, std::size_t(out)}; }

const int registered = [] {
  namespace lat = bench::latency;
  const std::string name = KILN_LATENCY_NAME;
  static compiled::workspace compiled_w;
  static baked::workspace baked_w;
  static auto generic = kiln::generic<float>(net);
  static auto eigen = std::make_unique<bench::eigen_engine<net, true, 1>>();
  lat::add(name, "kiln", in, out, [](const float* x, float* y) {
    compiled{}.forward(params(), in_span(x), out_span(y), 1);
  });
  lat::add(name, "kiln_workspace", in, out, [](const float* x, float* y) {
    compiled{}.forward(params(), in_span(x), out_span(y), 1, compiled_w);
  });
  static const auto prepared = std::make_unique<compiled::prepared>(params());
  lat::add(name, "prepared", in, out, [](const float* x, float* y) { prepared->forward(x, y); });
  lat::add(name, "baked", in, out, [](const float* x, float* y) { baked::forward(x, y); });
  lat::add(name, "baked_workspace", in, out,
           [](const float* x, float* y) { baked::forward(x, y, baked_w); });
  lat::add(name, "generic", in, out,
           [](const float* x, float* y) { generic.forward(params(), in_span(x), out_span(y), 1); });
  lat::add(name, "eigen_fixed", in, out,
           [](const float* x, float* y) { eigen->forward(params(), in_span(x), out_span(y), 1); });
  benchmark::RegisterBenchmark(("latency/weights/" + name).c_str(), lat::read_weights, params());
  // The engines agree on one input, each against the baked one.
  float x[in], y[out];
  lat::network_info info;
  info.bound_cycles =
      lat::critical_path_cycles(std::span(net.nodes), kiln::vmath::tile<float>::lanes);
  info.params = params();
  info.want.resize(out);
  for (int j = 0; j < in; ++j) x[j] = std::sin(0.37f * float(j));
  baked::forward(x, info.want.data());
  lat::add_network(name, std::move(info));
  compiled{}.forward(params(), in_span(x), out_span(y), 1);
  lat::agree(name, "kiln", y);
  prepared->forward(x, y);
  lat::agree(name, "prepared", y);
  generic.forward(params(), in_span(x), out_span(y), 1);
  lat::agree(name, "generic", y);
  eigen->forward(params(), in_span(x), out_span(y), 1);
  lat::agree(name, "eigen_fixed", y);
  return 0;
}();

}  // namespace
