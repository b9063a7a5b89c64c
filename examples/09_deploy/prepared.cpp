// Example 9, part 3: the same network with its weights read at run time, as a plug-in loads the
// model file its user chose: load_safetensors into a parameter buffer, then prepared once
// (kiln::compiled<spec, T>::prepared) for the one-sample calls. Prints the same predictions.
//   09_deploy_prepared FILE.safetensors
#include <cstdio>
#include <exception>
#include <kiln/safetensors.hpp>
#include <vector>

#include "04_spirals/spirals.hpp"
#include "probe.hpp"
#include "spirals.kiln.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.safetensors\n", argv[0]);
    return 2;
  }
  using engine = kiln::compiled<examples::spirals, float>;
  std::vector<float> params(engine::param_count);
  try {
    kiln::load_safetensors<float>(argv[1], examples::spirals.nodes, params);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  // Once, outside the real-time path: the weights copied into the layout one sample reads.
  const engine::prepared net(params);
  examples::deploy::print_predictions("prepared",
                                      [&](const float* x, float* y) { net.forward(x, y); });
  return 0;
}
