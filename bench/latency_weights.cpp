// Writes the weights the batch-1 latency benchmark bakes in: He-normal, seed 14, as a Kiln
// checkpoint (any network, residual blocks included).
//   kiln_latency_weights NETWORK FILE     NETWORK: net_a, net_b, net_8881, net_c, net_d, net_e
#include <cstdio>
#include <kiln/checkpoint.hpp>
#include <kiln/init.hpp>
#include <string>
#include <vector>

#include "bench_specs.hpp"

namespace {

template <const auto& Net>
int save(const char* path) {
  std::vector<float> params(Net.param_count);
  kiln::initialize<float>(params, Net.nodes, kiln::init_scheme::he_normal, 14);
  kiln::save_checkpoint<float>(path, Net.nodes, params, nullptr, 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s NETWORK FILE\n", argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "net_a") return save<bench::net_a>(argv[2]);
  if (name == "net_b") return save<bench::net_b>(argv[2]);
  if (name == "net_8881") return save<bench::net_8881>(argv[2]);
  if (name == "net_c") return save<bench::net_c>(argv[2]);
  if (name == "net_d") return save<bench::net_d>(argv[2]);
  if (name == "net_e") return save<bench::net_e>(argv[2]);
  std::fprintf(stderr, "%s: no network %s\n", argv[0], argv[1]);
  return 2;
}
