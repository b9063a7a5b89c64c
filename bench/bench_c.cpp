// The benchmarks of network C (bench_specs.hpp), in a translation unit of its own to build in
// parallel.
#include "bench_specs.hpp"
#include "register.hpp"

void bench::register_c() { register_network<net_c>("C"); }
