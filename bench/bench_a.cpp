// The benchmarks of network A (bench_specs.hpp), in a translation unit of its own to build in
// parallel.
#include "bench_specs.hpp"
#include "register.hpp"

void bench::register_a() { register_network<net_a>("A"); }
