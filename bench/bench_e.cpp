// The benchmarks of network E (bench_specs.hpp), in a translation unit of its own to build in
// parallel.
#include "bench_specs.hpp"
#include "register.hpp"

void bench::register_e() { register_network<net_e>("E"); }
