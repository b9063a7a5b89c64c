// Registers one network's benchmarks: every workload on every engine built into this program.
#pragma once

#include "eigen_engine.hpp"
#include "harness.hpp"

#if KILN_BENCH_HAVE_COMPILED
#include <kiln/compiled.hpp>

#include "bench_specs.kiln.hpp"
#endif

namespace bench {

template <const auto& Net>
void register_network(std::string_view name) {
  using net_type = std::remove_cvref_t<decltype(Net)>;
  for (const workload& w : workloads) {
#if KILN_BENCH_HAVE_COMPILED
    register_benchmark<Net>(name, "kiln", w, [] {
      return std::make_unique<span_engine<kiln::compiled<Net, float>>>();
    });
#endif
    register_benchmark<Net>(name, "generic", w, [] {
      return std::make_unique<span_engine<kiln::generic_model<float, net_type>>>(Net);
    });
    if (w.batch == 1)
      register_benchmark<Net>(name, "eigen_fixed", w, [] {
        return std::make_unique<span_engine<eigen_engine<Net, true, 1>>>();
      });
    else
      register_benchmark<Net>(name, "eigen_fixed", w, [] {
        return std::make_unique<span_engine<eigen_engine<Net, true>>>();
      });
    register_benchmark<Net>(name, "eigen_dynamic", w, [] {
      return std::make_unique<span_engine<eigen_engine<Net, false>>>();
    });
  }
}

void register_a();
void register_b();
void register_c();
void register_d();
void register_e();

}  // namespace bench
