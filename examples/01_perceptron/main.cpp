// Example 1: a single dense layer with a step output learns AND with the perceptron rule, and the
// same model fails on XOR, which is not linearly separable.
#include <algorithm>
#include <cmath>
#include <kiln/generic.hpp>
#include <kiln/optim.hpp>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "perceptron.hpp"
#if KILN_GENERATED
#include "perceptron.kiln.hpp"
#endif

namespace {

const std::vector<float> inputs = {0, 0, 0, 1, 1, 0, 1, 1};  // x: [4][2]

// Trains a fresh perceptron on `targets` and prints what it learned; returns how many of the
// four points it gets right.
template <kiln::model M>
int learn(const M& engine, const char* name, const std::vector<float>& targets, int max_epochs) {
  std::vector<float> params(M::param_count, 0.0f);  // w1, w2, b
  const std::vector<int> mistakes = kiln::train_perceptron(
      engine, std::span<float>(params), std::span<const float>(inputs),
      std::span<const float>(targets), {.lr = 1.0, .max_epochs = max_epochs});
  std::vector<float> y(4);
  engine.forward(params, inputs, y, 4);
  int right = 0;
  for (int i = 0; i < 4; ++i) right += y[i] == targets[i];

  fmt::print("{}: {} after {} epochs of the perceptron rule\n", name,
             mistakes.back() == 0 ? "converged" : "did NOT converge", mistakes.size());
  fmt::print(
      "  mistakes per epoch: {}{}\n",
      fmt::join(mistakes.begin(), mistakes.begin() + std::min<int>(12, mistakes.size()), " "),
      mistakes.size() > 12 ? " ..." : "");
  fmt::print("  fewest mistakes in an epoch: {}\n",
             *std::min_element(mistakes.begin(), mistakes.end()));
  auto term = [](float v) { return fmt::format("{} {:g}", v < 0 ? '-' : '+', std::abs(v)); };
  fmt::print("  w = ({:g}, {:g}), b = {:g}: output 1 where {:g} x1 {} x2 {} >= 0\n", params[0],
             params[1], params[2], params[0], term(params[1]), term(params[2]));
  fmt::print("   x1 x2 | target output\n");
  for (int i = 0; i < 4; ++i)
    fmt::print("    {:g}  {:g} |   {:g}      {:g}{}\n", inputs[2 * i], inputs[2 * i + 1],
               targets[i], y[i], y[i] == targets[i] ? "" : "   <- wrong");
  fmt::print("  {} of 4 right\n\n", right);
  return right;
}

}  // namespace

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  const auto engine = examples::engine<examples::perceptron>();

  const int and_right = learn(engine, "AND", {0, 0, 0, 1}, 100);
  const int xor_right = learn(engine, "XOR", {0, 1, 1, 0}, opt.quick ? 100 : 1000);

  fmt::print(
      "XOR is not linearly separable: no line has (0,1) and (1,0) on one side and (0,0) and\n"
      "(1,1) on the other, so one dense layer with a step output cannot represent it and the\n"
      "perceptron rule cycles forever. At most 3 of the 4 points can be right.\n");
  const bool ok = and_right == 4 && xor_right < 4;
  fmt::print("perceptron: AND {}/4, XOR {}/4: {}\n", and_right, xor_right,
             ok ? "as expected" : "NOT as expected");
  return ok ? 0 : 1;
}
