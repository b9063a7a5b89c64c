// The batch-1 latency benchmark's shared parts: how each engine is timed (one sample per call,
// each call's input depending on the previous call's output, so that calls do not overlap), and
// the critical-path model of a network.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <kiln/graph.hpp>
#include <span>
#include <string>
#include <vector>

namespace bench::latency {

/// Times `call(x, y)` for one sample: x cycles through 64 fixed inputs, plus y[0] * 0 of the
/// previous call (not folded away without -ffast-math), so a call starts once the previous one's
/// result exists: latency, not throughput. The checksum of every output goes to counters["sum"].
template <class Call>
void run(benchmark::State& state, int in, int out, Call call) {
  std::vector<float> inputs(std::size_t(64) * in), x(in), y(out);
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = std::sin(0.37f * float(i));
  float sum = 0;
  int i = 0;
  for (auto _ : state) {
    const float* base = inputs.data() + std::size_t(i) * in;
    const float carry = y[0] * 0.0f;
    for (int j = 0; j < in; ++j) x[j] = base[j] + carry;
    call(x.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
    sum += y[0];
    i = (i + 1) & 63;
  }
  benchmark::DoNotOptimize(sum);
}

/// Instruction latencies of the cores this runs on (Intel Golden Cove / Sapphire Rapids, also
/// AMD Zen 4 within a cycle): floating-point add, multiply, FMA, min and max 4 cycles, a vector
/// division 11, a blend or an in-lane shuffle 1.
struct core {
  double fma = 4, div = 11, blend = 1, shuffle = 1;
};

/// The critical path of one sample through the network, in cycles: the longest chain of
/// dependent instructions each layer's arithmetic needs at least, layers one after another.
/// dense: a multiply and a tree of additions over the inputs, 1 + ceil(log2 in) FMA latencies;
/// float tanh (vmath's rational form): a clamp, x^2, four Horner steps, a multiply, a division, a
/// clamp; sigmoid: vmath's exp (three steps of range reduction, seven Horner steps, the scaling),
/// 1 + e and a division; relu a max; softmax over n: a max tree, a subtraction, the exp, a sum
/// tree, a division. Loads, stores and calls are not counted: a bound no engine can beat.
inline double critical_path_cycles(std::span<const kiln::node> nodes, core c = {}) {
  const auto log2_ceil = [](int n) { return n <= 1 ? 0.0 : std::ceil(std::log2(double(n))); };
  const double exp = c.blend + 3 * c.fma + 7 * c.fma + c.fma + c.blend;
  double cycles = 0;
  for (const kiln::node& n : nodes) switch (n.k) {
      case kiln::kind::dense:
        cycles += c.fma * (1 + log2_ceil(n.in));
        break;
      case kiln::kind::tanh:
        cycles += 2 * c.fma + c.fma + 4 * c.fma + c.fma + c.div + 2 * c.fma;
        break;
      case kiln::kind::sigmoid:
        cycles += exp + c.fma + c.div + c.blend;
        break;
      case kiln::kind::relu:
        cycles += c.fma;
        break;
      case kiln::kind::softmax:
        cycles += 2 * c.fma * log2_ceil(n.out) + c.fma + exp + c.div;
        break;
      default:
        break;
    }
  return cycles;
}

/// Registers a network's critical path and the largest difference between its engines' outputs
/// on one input (latency_net.cpp, at start-up), for the table latency_main.cpp prints.
void add_network(const std::string& name, double bound_cycles, double max_difference);

}  // namespace bench::latency
