// The physical limit: one core's FMA throughput, measured with independent accumulator chains
// (enough of them to cover the FMA latency on every FMA port). Built with -march=native.
#include <benchmark/benchmark.h>
#include <immintrin.h>

namespace {

#if defined(__AVX512F__)
using vec = __m512;
constexpr int lanes = 16;
constexpr const char* isa = "avx512f";
inline vec splat(float v) { return _mm512_set1_ps(v); }
inline vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
#elif defined(__FMA__)
using vec = __m256;
constexpr int lanes = 8;
constexpr const char* isa = "avx2+fma";
inline vec splat(float v) { return _mm256_set1_ps(v); }
inline vec fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
#else
#error "peak.cpp needs FMA (built with -march=native on a CPU without it?)"
#endif

constexpr int chains = 12;    // >= FMA latency x FMA ports on current x86 cores
constexpr int rounds = 4096;  // FMAs per chain per iteration

void peak_fma(benchmark::State& state) {
  vec acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = splat(0.001f * float(c));
  const vec a = splat(0.999999f), b = splat(1e-7f);  // converges, never denormal
  for (auto _ : state) {
    for (int r = 0; r < rounds; ++r) {
#pragma GCC unroll 12
      for (int c = 0; c < chains; ++c) acc[c] = fma(acc[c], a, b);
    }
    for (int c = 0; c < chains; ++c) benchmark::DoNotOptimize(acc[c]);
  }
  state.SetLabel(isa);
  state.counters["flops"] = benchmark::Counter(2.0 * lanes * chains * rounds,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(peak_fma)->Name("peak/fma");
