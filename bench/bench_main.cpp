// kiln_bench: every network x workload x engine, and the core's peak FMA throughput.
#include <benchmark/benchmark.h>

#include "register.hpp"

int main(int argc, char** argv) {
  bench::register_a();
  bench::register_b();
  bench::register_c();
  bench::register_d();
  bench::register_e();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
