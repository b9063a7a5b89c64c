// Finite-difference gradient checks of the generic engine for every registered layer kind and
// every loss, in double and in float. A kind added to kiln::registered_layers is checked here
// without new test code.
#include <algorithm>
#include <boost/hana/unpack.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <kiln/compare.hpp>
#include <kiln/generic.hpp>
#include <random>
#include <vector>

namespace {

constexpr int batch = 3;

// Random parameters, inputs and targets that suit the loss (one-hot for softmax
// cross-entropy, values in (0, 1) for binary cross-entropy).
template <class Net>
struct problem {
  std::vector<double> params, x, targets;
  explicit problem(const Net& net, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 0.7);
    std::uniform_real_distribution<double> unit(0.05, 0.95);
    params.resize(Net::param_count);
    for (auto& v : params) v = normal(rng);
    // Normalization gains start near 1 so the normalized signal is not tiny.
    kiln::plausible_normalization<double>(params, net.nodes);
    x.resize(batch * Net::input_size);
    const int vocab = kiln::token_vocab(net.nodes[0]);  // token IDs, for an input of tokens
    std::uniform_int_distribution<int> token(0, std::max(vocab - 1, 0));
    for (auto& v : x) v = vocab > 0 ? double(token(rng)) : normal(rng) * 1.5;
    targets.assign(batch * Net::output_size, 0.0);
    for (int b = 0; b < batch; ++b)
      for (int o = 0; o < Net::output_size; ++o) {
        double& t = targets[b * Net::output_size + o];
        if (Net::loss_kind() == kiln::kind::softmax_cross_entropy)
          t = (o == b % Net::output_size) ? 1.0 : 0.0;
        else
          t = unit(rng);
      }
  }
};

// Central differences of the double engine's loss against its analytic gradient (double), and
// against the float engine's analytic gradient (float).
template <class Net>
void check_gradients(const Net& net, unsigned seed) {
  const problem<Net> pr(net, seed);
  const kiln::train_pass pass{seed};
  auto exact = kiln::generic<double>(net);
  std::vector<double> grad(Net::param_count), scratch(Net::param_count);
  exact.loss_and_gradient(pr.params, pr.x, pr.targets, grad, batch, pass);

  auto single = kiln::generic<float>(net);
  std::vector<float> params_f(pr.params.begin(), pr.params.end());
  std::vector<float> x_f(pr.x.begin(), pr.x.end()), t_f(pr.targets.begin(), pr.targets.end());
  std::vector<float> grad_f(Net::param_count);
  single.loss_and_gradient(params_f, x_f, t_f, grad_f, batch, pass);

  std::vector<double> p = pr.params;
  for (int i = 0; i < Net::param_count; ++i) {
    const double h = 1e-5 * std::max(1.0, std::abs(p[i]));
    p[i] = pr.params[i] + h;
    const double up = exact.loss_and_gradient(p, pr.x, pr.targets, scratch, batch, pass);
    p[i] = pr.params[i] - h;
    const double down = exact.loss_and_gradient(p, pr.x, pr.targets, scratch, batch, pass);
    p[i] = pr.params[i];
    const double fd = (up - down) / (2 * h);
    INFO("parameter " << i << ": finite difference " << fd << ", double " << grad[i] << ", float "
                      << grad_f[i]);
    const double scale = std::max(std::abs(fd), std::abs(grad[i]));
    CHECK(std::abs(fd - grad[i]) <= 1e-6 * scale + 1e-9);
    CHECK(std::abs(fd - grad_f[i]) <= 1e-3 * scale + 2e-5);
  }
}

// Every way a layer can meet a loss: right before it, or with more layers between.
template <class Layer>
void check_layer_with_every_loss(Layer layer, unsigned seed) {
  using namespace kiln;
  check_gradients(network{input<4>, dense<4>, layer, mse}, seed);
  check_gradients(network{input<4>, dense<4>, layer, dense<3>, kiln::tanh, mse}, seed + 1);
  check_gradients(network{input<4>, dense<4>, layer, dense<3>, sigmoid, binary_cross_entropy},
                  seed + 2);
  check_gradients(network{input<4>, dense<4>, layer, dense<3>, softmax, softmax_cross_entropy},
                  seed + 3);
}

}  // namespace

TEST_CASE("finite differences agree with the gradient for every registered layer", "[numeric]") {
  unsigned seed = 1;
  int checked = 0;
  kiln::hana::for_each(kiln::registered_layers, [&](auto layer) {
    const auto net = kiln::network{kiln::input<4>, layer};
    if constexpr (decltype(net)::differentiable()) {
      SECTION(std::string(kiln::kind_name(net.nodes[1].k))) {
        check_layer_with_every_loss(layer, seed);
      }
      ++checked;
    }
    seed += 10;
  });
  CHECK(checked == 17);  // every registered layer but step
}

TEST_CASE("finite differences agree with the gradient for every registered front", "[numeric]") {
  unsigned seed = 500;
  int checked = 0;
  kiln::hana::for_each(kiln::registered_fronts, [&](auto front) {
    kiln::hana::unpack(front, [&](auto... layers) {
      using namespace kiln;
      check_gradients(network{layers..., mse}, seed);
      check_gradients(network{layers..., dense<3>, kiln::tanh, mse}, seed + 1);
      check_gradients(network{layers..., dense<3>, sigmoid, binary_cross_entropy}, seed + 2);
      check_gradients(network{layers..., dense<3>, softmax, softmax_cross_entropy}, seed + 3);
    });
    ++checked;
    seed += 10;
  });
  CHECK(checked == 1);
}

TEST_CASE("finite differences agree on deep, residual and normalized networks", "[numeric]") {
  using namespace kiln;
  check_gradients(network{input<3>, dense<5>, gelu, residual{dense<5>, silu, dense<5>}, layer_norm,
                          dropout(0.2), dense<4>, softmax, softmax_cross_entropy},
                  101);
  check_gradients(network{input<2>, residual{dense<2>, relu, residual{dense<2>, elu}},
                          residual{layer_norm, dense<2>}, dense<1>, mse},
                  102);
  check_gradients(network{input<5>, dense_no_bias<6>, softplus, dense<6>, gelu_tanh, dense<2>,
                          sigmoid, binary_cross_entropy},
                  103);
}
