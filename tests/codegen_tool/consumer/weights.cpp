// Writes consumer::net's parameters (the consumer program's fixed ones, times SCALE) as
// safetensors, for consumer_baked to bake in: `consumer_weights FILE [SCALE]`.
#include <cstdlib>
#include <kiln/safetensors.hpp>
#include <vector>

#include "net.hpp"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const double scale = argc >= 3 ? std::atof(argv[2]) : 1.0;
  std::vector<double> params(consumer::net.param_count);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = (0.05 * double(i % 7) - 0.1) * scale;
  kiln::save_safetensors<double>(argv[1], consumer::net.nodes, params,
                                 kiln::safetensors_dtype::f64);
  return 0;
}
