// The benchmarks of network D (bench_specs.hpp), in a translation unit of its own to build in
// parallel.
#include "bench_specs.hpp"
#include "register.hpp"

void bench::register_d() { register_network<net_d>("D"); }
