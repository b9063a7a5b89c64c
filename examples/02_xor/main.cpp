// Example 2: XOR by a two-layer step network with weights set by hand (OR and NAND hidden units,
// an AND output), then by a 2-4-1 network trained by gradient descent.
#include <kiln/generic.hpp>
#include <kiln/init.hpp>
#include <kiln/optim.hpp>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "xor.hpp"
#if KILN_GENERATED
#include "xor.kiln.hpp"
#endif

namespace {

const std::vector<float> inputs = {0, 0, 0, 1, 1, 0, 1, 1};  // x: [4][2]
const std::vector<float> targets = {0, 1, 1, 0};

// The hand-wired network: each unit fires (1) when w . x + b >= 0.
// Layout: W1[2][2], b1[2], W2[1][2], b2[1].
// clang-format off
const std::vector<float> by_hand = {
     1,  1,      // hidden 0, OR:   x1 + x2 - 0.5 >= 0
    -1, -1,      // hidden 1, NAND: 1.5 - x1 - x2 >= 0
    -0.5, 1.5,   // their biases
     1,  1,      // output, AND of the two: h0 + h1 - 1.5 >= 0
    -1.5};
// clang-format on

template <kiln::model Hidden, kiln::model Full>
int check_by_hand(const Hidden& hidden, const Full& full) {
  std::vector<float> h(8), y(4);
  // The hidden layer is xor_hidden: the first layers of xor_by_hand, the same first 6 parameters.
  hidden.forward(std::span<const float>(by_hand).first(Hidden::param_count), inputs, h, 4);
  full.forward(by_hand, inputs, y, 4);
  fmt::print("Hand-wired step network: hidden units OR and NAND, output AND of the two\n");
  fmt::print("   x1 x2 | OR NAND | output  xor\n");
  int right = 0;
  for (int i = 0; i < 4; ++i) {
    right += y[i] == targets[i];
    fmt::print("    {:g}  {:g} |  {:g}   {:g}  |   {:g}     {:g}\n", inputs[2 * i],
               inputs[2 * i + 1], h[2 * i], h[2 * i + 1], y[i], targets[i]);
  }
  fmt::print("  {} of 4 right: {}\n\n", right, right == 4 ? "the truth table of XOR" : "WRONG");
  return right;
}

template <kiln::trainable_model M>
int train(const M& engine, const std::vector<float>& initial, int max_epochs) {
  std::vector<float> params = initial, grad(M::param_count), y(4);
  kiln::optimizer<float> opt(kiln::sgd{.lr = 0.5, .momentum = 0.9}, M::param_count);
  fmt::print(
      "2-4-1 network (tanh, sigmoid, binary cross-entropy), full-batch SGD with momentum, "
      "{} engine\n",
      examples::engine_name);
  int epoch = 0;
  float loss = 0;
  for (; epoch < max_epochs; ++epoch) {
    loss = engine.loss_and_gradient(params, inputs, targets, grad, 4);
    if (loss < 0.01f) break;
    if (epoch % 10 == 0) fmt::print("  epoch {:>4}  loss {:.4f}\n", epoch, loss);
    opt.step(params, grad);
  }
  fmt::print("  epoch {:>4}  loss {:.4f}\n", epoch, loss);
  engine.forward(params, inputs, y, 4);
  fmt::print("   x1 x2 | output  xor\n");
  int right = 0;
  for (int i = 0; i < 4; ++i) {
    right += (y[i] >= 0.5f) == (targets[i] == 1);
    fmt::print("    {:g}  {:g} |  {:.3f}    {:g}\n", inputs[2 * i], inputs[2 * i + 1], y[i],
               targets[i]);
  }
  fmt::print("  {} of 4 right (output >= 0.5 means 1)\n\n", right);
  return right;
}

}  // namespace

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  const int hand_right = check_by_hand(examples::engine<examples::xor_hidden>(),
                                       examples::engine<examples::xor_by_hand>());

  const auto engine = examples::engine<examples::xor_net>();
  const std::vector<float> initial =
      examples::initial_params<examples::xor_net>(kiln::init_scheme::xavier_uniform, opt.seed);
  const int trained_right = train(engine, initial, opt.quick ? 1000 : 5000);

  const bool ok = hand_right == 4 && trained_right == 4;
  fmt::print("xor: by hand {}/4, trained {}/4: {}\n", hand_right, trained_right,
             ok ? "solved" : "NOT solved");
  return ok ? 0 : 1;
}
