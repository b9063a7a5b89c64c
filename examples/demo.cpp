// The main job, for now: every example network's shapes and parameter count, and the generic
// engine run on one input.
#include <fmt/format.h>

#include <kiln/generic.hpp>
#include <random>
#include <string_view>
#include <vector>

#include "01_perceptron/perceptron.hpp"
#include "02_xor/xor.hpp"
#include "03_sine/sine.hpp"
#include "04_spirals/spirals.hpp"
#include "05_mnist/mnist.hpp"
#include "06_gradient_flow/gradient_flow.hpp"
#include "07_optimizers/optimizers.hpp"

namespace {

template <class Net>
void show(std::string_view name, const Net& net) {
  fmt::print("{}: {} -> {}, {} parameters\n", name, Net::input_size, Net::output_size,
             Net::param_count);
  for (const kiln::node& n : net.nodes)
    fmt::print("  {:<22} {:>4} -> {:<4} params [{}, {})\n", kiln::kind_name(n.k), n.in, n.out,
               n.param_offset, n.param_offset + n.param_count);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.5f);
  std::vector<float> params(Net::param_count), x(Net::input_size), y(Net::output_size);
  for (float& v : params) v = normal(rng);
  for (float& v : x) v = normal(rng);
  kiln::generic<float>(net).forward(params, x, y, 1);
  fmt::print("  generic engine, random weights: y = [{:.4f}]\n\n", fmt::join(y, ", "));
}

}  // namespace

int main() {
  show("perceptron", examples::perceptron);
  show("xor_by_hand", examples::xor_by_hand);
  show("xor_net", examples::xor_net);
  show("sine", examples::sine);
  show("spirals", examples::spirals);
  show("mnist", examples::mnist);
  show("deep_sigmoid", examples::deep_sigmoid);
  show("deep_relu", examples::deep_relu);
  show("deep_residual", examples::deep_residual);
  show("optimizers_net", examples::optimizers_net);
}
