// kiln_latency: batch-1 float inference, one sample per call, of networks A, B, 8-8-8-1, C and D
// on every engine (generated with and without a workspace, baked, generic, Eigen fixed-size),
// then a table with each network's critical-path bound at the measured clock.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "latency.hpp"

namespace {

struct network_info {
  double bound_cycles = 0, max_difference = 0;
};
std::vector<std::string>& order() {
  static std::vector<std::string> o;
  return o;
}
std::map<std::string, network_info>& networks() {
  static std::map<std::string, network_info> n;
  return n;
}

// The clock: a chain of dependent multiplications, 4 cycles each (also without FMA, on the
// baseline x86-64; an FMA there is a library call). Only the load on a shared machine makes it
// read lower than the nominal clock: the bound column scales with it.
void clock_chain(benchmark::State& state) {
  float a = 1.0f;
  const float b = 1.0000001f;
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) a *= b;
    benchmark::DoNotOptimize(a);
    a = 1.0f + a * 0.0f;
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

// Keeps the console output and every run's time per iteration.
struct collector : benchmark::ConsoleReporter {
  std::map<std::string, double> ns;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Iteration || r.aggregate_name == "median")
        ns[r.run_name.function_name] = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

void bench::latency::add_network(const std::string& name, double bound_cycles,
                                 double max_difference) {
  order().push_back(name);
  networks()[name] = {bound_cycles, max_difference};
}

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("latency/clock/mul_chain", clock_chain);
  benchmark::Initialize(&argc, argv);
  collector report;
  benchmark::RunSpecifiedBenchmarks(&report);
  const double ns_per_mul = report.ns["latency/clock/mul_chain"] / 1000;
  const double ghz = ns_per_mul > 0 ? 4 / ns_per_mul : 0;
  std::printf(
      "\nbatch-1 float inference, ns per call (clock %.2f GHz from a dependent multiplication "
      "chain)\n",
      ghz);
  const char* engines[] = {"kiln",    "kiln_workspace", "baked", "baked_workspace",
                           "generic", "eigen_fixed"};
  std::printf(
      "| network | kiln | kiln + workspace | baked | baked + workspace | generic | Eigen "
      "fixed | bound (cycles) | bound (ns) | kiln speed vs Eigen | max diff |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const std::string& name : order()) {
    const network_info& n = networks()[name];
    std::printf("| %s |", name.c_str());
    double t[6];
    for (int e = 0; e < 6; ++e) {
      t[e] = report.ns["latency/" + name + "/" + engines[e]];
      std::printf(" %.1f |", t[e]);
    }
    std::printf(" %.0f | %.1f | %.2fx | %.2g |\n", n.bound_cycles,
                ghz > 0 ? n.bound_cycles / ghz : 0, t[0] > 0 ? t[5] / t[0] : 0, n.max_difference);
  }
  return 0;
}
