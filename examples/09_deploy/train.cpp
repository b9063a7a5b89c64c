// Example 9, part 1: trains the spiral network (example 4's spec) with its generated engine and
// saves the weights as safetensors; the build then bakes that file into part 2 (baked.cpp).
//   09_deploy_train --save FILE    prints its predictions on the probe points, one per line
#include <cstdio>
#include <kiln/runtime.hpp>
#include <kiln/safetensors.hpp>
#include <string>
#include <vector>

#include "04_spirals/spirals.hpp"
#include "probe.hpp"
#include "spirals.kiln.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--save") {
    std::fprintf(stderr, "usage: %s --save FILE.safetensors\n", argv[0]);
    return 2;
  }
  using engine_t = kiln::compiled<examples::spirals, float>;
  const engine_t engine{};
  // The spiral in [-1, 1]^2, like the probe points: trained as it is, no standardizer.
  const kiln::dataset<float> data = kiln::make_spiral<float>(100, 3, 0.2, 1);
  std::vector<float> params = kiln::initial_params(engine, kiln::init_scheme::he_uniform, 1);
  kiln::optimizer<float> adam(kiln::adam{.lr = 0.02}, engine_t::param_count);
  const kiln::fit_history history = kiln::fit(
      engine, std::span<float>(params), adam, data,
      {.epochs = 300, .batch_size = 32, .seed = 1, .progress = kiln::progress_mode::never});
  if (history.diverged) {
    std::fprintf(stderr, "%s\n", history.message.c_str());
    return 1;
  }
  kiln::save_safetensors<float>(argv[2], examples::spirals.nodes, params);
  const double accuracy = kiln::accuracy(engine, std::span<const float>(params), data);
  std::printf("trained: accuracy %.1f%% after %zu epochs, saved %s\n", 100 * accuracy,
              history.epochs.size(), argv[2]);
  examples::deploy::print_predictions("compiled", [&](const float* x, float* y) {
    engine.forward(params, std::span<const float>(x, 2), std::span<float>(y, 3), 1);
  });
  return accuracy >= 0.9 ? 0 : 1;
}
