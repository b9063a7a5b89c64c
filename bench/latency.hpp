// The batch-1 latency benchmark's shared parts: how each engine is timed (one sample per call,
// chained on the previous call's output or independent of it), the networks' records, and the
// critical-path model of a network.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <kiln/graph.hpp>
#include <kiln/kernels.hpp>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace bench::latency {

/// How one call's input relates to the previous call's output.
///   chained: x gets y[0] * 0 of the previous call added (not folded away without -ffast-math),
///     so a call starts once the previous one's result exists: a control loop's latency.
///   independent: x only cycles through the fixed inputs, so calls may overlap in the core: the
///     cost per sample of an audio block through a stateless network, the way RTNeural's own
///     benchmarks time it.
enum class mode { chained, independent };
inline const char* mode_name(mode m) { return m == mode::chained ? "chained" : "independent"; }

/// Times `call(x, y)` for one sample: x cycles through 64 fixed inputs (x and y 64-byte aligned,
/// as RTNeural's aligned loads need). The checksum of every output is kept from the optimizer.
template <class Call>
void run(benchmark::State& state, mode m, int in, int out, Call call) {
  const auto aligned = [](int n) {
    return std::unique_ptr<float[], void (*)(float*)>(
        new (std::align_val_t(64)) float[std::size_t(n + 16)](),
        [](float* p) { ::operator delete[](p, std::align_val_t(64)); });
  };
  auto inputs = aligned(64 * in), x = aligned(in), y = aligned(out);
  for (int i = 0; i < 64 * in; ++i) inputs[std::size_t(i)] = std::sin(0.37f * float(i));
  float sum = 0;
  int i = 0;
  for (auto _ : state) {
    const float* base = inputs.get() + std::size_t(i) * in;
    const float carry = m == mode::chained ? y[0] * 0.0f : 0.0f;
    for (int j = 0; j < in; ++j) x[std::size_t(j)] = base[j] + carry;
    call(x.get(), y.get());
    benchmark::DoNotOptimize(y.get());
    benchmark::ClobberMemory();
    sum += y[0];
    i = (i + 1) & 63;
  }
  benchmark::DoNotOptimize(sum);
}

/// The time to read a network's weights once, from wherever the previous pass left them (L1
/// for A, B and 8-8-8-1; L2 for C's 33 KB, which is more than Zen 4's 32 KB L1; L2 for D): a
/// sum over vector registers in eight independent chains. Every engine that reads each weight
/// once per call is bounded by it.
inline void read_weights(benchmark::State& state, std::span<const float> params) {
#if defined(__AVX512F__)
  constexpr int bytes = 64;
#elif defined(__AVX__)
  constexpr int bytes = 32;
#else
  constexpr int bytes = 16;
#endif
  typedef float block __attribute__((vector_size(bytes)));
  constexpr int lanes = bytes / 4, chains = 8;
  const std::size_t n = params.size(), full = n / (chains * lanes) * (chains * lanes);
  for (auto _ : state) {
    block s[chains] = {};
    for (std::size_t i = 0; i < full; i += chains * lanes)
      for (int c = 0; c < chains; ++c) {
        block b;
        std::memcpy(&b, params.data() + i + std::size_t(c) * lanes, sizeof b);
        s[c] += b;
      }
    float total = 0;  // the last values, fewer than chains * lanes (all of A's 17), then the sums
    for (std::size_t i = full; i < n; ++i) total += params[i];
    for (int c = 1; c < chains; ++c) s[0] += s[c];
    for (int l = 0; l < lanes; ++l) total += s[0][l];
    // Only the total escapes: an escaping s[] was stored to the stack on every step, a store per
    // load, which read C's weights at 0.6 loads a cycle.
    benchmark::DoNotOptimize(total);
  }
}

/// Registers `engine` of network `name` in both modes: latency/<mode>/<name>/<engine>.
template <class Call>
void add(const std::string& name, const std::string& engine, int in, int out, Call call) {
  for (mode m : {mode::chained, mode::independent})
    benchmark::RegisterBenchmark(
        ("latency/" + std::string(mode_name(m)) + "/" + name + "/" + engine).c_str(),
        [=](benchmark::State& state) { run(state, m, in, out, call); });
}

/// Instruction latencies of the cores this runs on (Intel Golden Cove / Sapphire Rapids, also
/// AMD Zen 4 within a cycle): floating-point add, multiply, FMA, min and max 4 cycles, a vector
/// division 11, a blend or an in-lane shuffle 1.
struct core {
  double fma = 4, div = 11, blend = 1, shuffle = 1;
};

/// The critical path of one sample through the network, in cycles: the longest chain of
/// dependent instructions each layer's arithmetic needs at least, layers one after another.
/// dense: with rows narrower than a register (`width` floats; kernels::dense_single, column
/// form) the inputs dealt round C = 1, 2 or 4 chains of multiply-adds (in / C steps, then log2 C
/// additions), else a multiply and a tree of additions over the inputs, 1 + ceil(log2 in) FMA
/// latencies; float tanh (vmath's rational form on |x|): the and, a clamp, x^2, four Horner
/// steps, a multiply, a division, a clamp, the or; sigmoid: a negation, vmath's exp on one
/// register (two steps of rounding, two of range reduction, three Estrin levels and two Horner
/// steps, the scaling, the select), 1 + e and a division; relu a max; softmax over n: a max tree,
/// a subtraction, the exp, a sum tree, a division. Loads, stores and calls are not counted: a
/// bound no engine can beat.
inline double critical_path_cycles(std::span<const kiln::node> nodes, int width, core c = {}) {
  const auto log2_ceil = [](int n) { return n <= 1 ? 0.0 : std::ceil(std::log2(double(n))); };
  const double exp = 2 * c.fma + 2 * c.fma + 3 * c.fma + 2 * c.fma + c.fma + c.blend;
  double cycles = 0;
  for (const kiln::node& n : nodes) switch (n.k) {
      case kiln::kind::dense: {
        const int chains = kiln::kernels::detail::single_chains(n.in);
        cycles += n.in < width ? c.fma * (std::ceil(double(n.in) / chains) + log2_ceil(chains))
                               : c.fma * (1 + log2_ceil(n.in));
        break;
      }
      case kiln::kind::tanh:
        cycles += c.blend + c.fma + c.fma + 4 * c.fma + c.fma + c.div + c.fma + c.blend;
        break;
      case kiln::kind::sigmoid:
        cycles += c.blend + exp + c.fma + c.div;
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

/// What the table needs of one network: its critical path, its weights (the baked ones, which
/// the RTNeural rows load) and the baked engine's output for the fixed input x_j = sin(0.37 j),
/// against which every engine's output is compared (max_difference).
struct network_info {
  double bound_cycles = 0, max_difference = 0;
  std::span<const float> params;
  std::vector<float> want;
  std::vector<std::string> wrong;  // engines whose output differs by more than 1e-4
};
/// Registers a network (latency_net.cpp, at start-up) for the table latency_main.cpp prints.
void add_network(const std::string& name, network_info info);
/// The network registered as `name`, or nullptr; `agree` folds an engine's output on the fixed
/// input into its max_difference (and names the engine on stderr past 1e-5).
network_info* find_network(const std::string& name);
void agree(const std::string& name, const std::string& engine, std::span<const float> y);

#if KILN_HAVE_RTNEURAL
/// RTNeural's compile-time models (ModelT) of the same networks, one backend per translation
/// unit (latency_rtneural.cpp): each registers latency/<mode>/<net>/rtneural_<backend>.
void register_rtneural_eigen();
void register_rtneural_xsimd();
void register_rtneural_stl();
#endif

}  // namespace bench::latency
