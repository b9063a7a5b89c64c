// kiln_latency: batch-1 float inference, one sample per call, of networks A, B, 8-8-8-1, C and D
// on every engine (generated with and without a workspace, baked, generic, Eigen fixed-size),
// then a table with each network's critical-path bound at the measured clock.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "latency.hpp"

namespace {

std::vector<std::string>& order() {
  static std::vector<std::string> o;
  return o;
}
std::map<std::string, bench::latency::network_info>& networks() {
  static std::map<std::string, bench::latency::network_info> n;
  return n;
}

// The clock: a chain of 1000 dependent integer additions of a register, one cycle each on every
// x86-64 core (floating-point latencies differ: a multiplication takes 3 cycles on Zen 4, 4 on
// Golden Cove). Not additions of an immediate: an Emerald Rapids renamer folds those, 1000 of
// them took 61-68 ps each (a "15 GHz" clock) where a register's took 335 ps (2.99 GHz, as a
// 3-cycle imul chain). Only the load on a shared machine makes it read lower than the core's
// clock: the bound column scales with it.
void clock_chain(benchmark::State& state) {
  std::uint64_t a = 0, one = 1;
  for (auto _ : state) {
#if defined(__x86_64__)
    asm volatile(".rept 1000\n\tadd %1, %0\n\t.endr" : "+r"(a) : "r"(one));
#else
#error "kiln_latency's clock chain is written for x86-64"
#endif
  }
  benchmark::DoNotOptimize(a);
  state.SetItemsProcessed(state.iterations() * 1000);
}

// Keeps the console output and every run's CPU time per iteration (the process's own time: on a
// shared machine the wall clock also counts the time other processes held the core).
struct collector : benchmark::ConsoleReporter {
  std::map<std::string, double> ns;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Iteration || r.aggregate_name == "median")
        ns[r.run_name.function_name] = r.GetAdjustedCPUTime();
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

void bench::latency::add_network(const std::string& name, network_info info) {
  order().push_back(name);
  networks()[name] = std::move(info);
}

bench::latency::network_info* bench::latency::find_network(const std::string& name) {
  const auto n = networks().find(name);
  return n == networks().end() ? nullptr : &n->second;
}

void bench::latency::agree(const std::string& name, const std::string& engine,
                           std::span<const float> y) {
  network_info& n = networks().at(name);
  double worst = 0;
  for (std::size_t o = 0; o < n.want.size(); ++o)
    worst = std::max(worst, double(std::abs(y[o] - n.want[o])));
  if (worst > 1e-5)
    std::fprintf(stderr, "%s: %s differs from the baked engine by %g\n", name.c_str(),
                 engine.c_str(), worst);
  if (worst > 1e-4)
    n.wrong.push_back(engine);
  else
    n.max_difference = std::max(n.max_difference, worst);
}

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("latency/clock/add_chain", clock_chain);
#if KILN_HAVE_RTNEURAL_EIGEN
  bench::latency::register_rtneural_eigen();
#endif
#if KILN_HAVE_RTNEURAL_XSIMD
  bench::latency::register_rtneural_xsimd();
#endif
#if KILN_HAVE_RTNEURAL_STL
  bench::latency::register_rtneural_stl();
#endif
  benchmark::Initialize(&argc, argv);
  collector report;
  benchmark::RunSpecifiedBenchmarks(&report);
  const double ns_per_add = report.ns["latency/clock/add_chain"] / 1000;
  const double ghz = ns_per_add > 0 ? 1 / ns_per_add : 0;
  const char* engines[] = {"kiln",    "kiln_workspace", "prepared", "baked", "baked_workspace",
                           "generic", "eigen_fixed"};
  constexpr int engine_count = int(std::size(engines)), eigen = 6, prepared = 2;
  const char* backends[] = {"eigen", "xsimd", "stl"};
  for (bench::latency::mode m :
       {bench::latency::mode::independent, bench::latency::mode::chained}) {
    const std::string mode = bench::latency::mode_name(m);
    std::printf(
        "\nbatch-1 float inference, %s calls, ns per call (clock %.2f GHz from a dependent "
        "addition chain)\n",
        mode.c_str(), ghz);
    std::printf(
        "| network | kiln | kiln + workspace | prepared | baked | baked + workspace | generic | "
        "Eigen fixed | RTNeural (best backend) | critical path (cycles) | critical path (ns) | "
        "weights read (ns) | kiln speed vs Eigen | kiln speed vs RTNeural | prepared speed vs "
        "RTNeural | max diff |\n");
    std::printf(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const std::string& name : order()) {
      const bench::latency::network_info& n = networks()[name];
      const std::string prefix = "latency/" + mode + "/" + name + "/";
      std::printf("| %s |", name.c_str());
      double t[engine_count];
      for (int e = 0; e < engine_count; ++e) {
        t[e] = report.ns[prefix + engines[e]];
        std::printf(" %.1f |", t[e]);
      }
      double best = 0;
      const char* best_backend = "";
      for (const char* b : backends) {
        const std::string engine = std::string("rtneural_") + b;
        const auto r = report.ns.find(prefix + engine);
        const bool wrong = std::find(n.wrong.begin(), n.wrong.end(), engine) != n.wrong.end();
        if (r != report.ns.end() && !wrong && (best == 0 || r->second < best)) {
          best = r->second;
          best_backend = b;
        }
      }
      if (best > 0)
        std::printf(" %.1f (%s) |", best, best_backend);
      else
        std::printf(" - |");
      std::printf(" %.0f | %.1f | %.1f | %.2fx |", n.bound_cycles,
                  ghz > 0 ? n.bound_cycles / ghz : 0, report.ns["latency/weights/" + name],
                  t[0] > 0 ? t[eigen] / t[0] : 0);
      if (best > 0)
        std::printf(" %.2fx | %.2fx |", best / t[0], best / t[prepared]);
      else
        std::printf(" - | - |");
      std::printf(" %.2g |\n", n.max_difference);
    }
    for (const std::string& name : order())
      for (const std::string& engine : networks()[name].wrong)
        std::printf(
            "%s: %s left out (its output differs from the baked engine's by more than "
            "1e-4)\n",
            name.c_str(), engine.c_str());
  }
  return 0;
}
