// The benchmarks of network B (bench_specs.hpp), in a translation unit of its own to build in
// parallel.
#include "bench_specs.hpp"
#include "register.hpp"

void bench::register_b() { register_network<net_b>("B"); }
