// Optimizers, schedules, clipping and the perceptron rule: three steps of each checked against
// values worked out by hand (one parameter w0 = 1, gradients 0.5, -0.25, 1 in turn).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <kiln/generic.hpp>
#include <kiln/optim.hpp>
#include <vector>

using Catch::Matchers::WithinAbs;

namespace {
// Runs three steps of `config` on w = 1 with the fixed gradients 0.5, -0.25, 1; returns w after
// each step.
std::vector<double> three_steps(kiln::optimizer_config config, kiln::schedule s = {}) {
  kiln::optimizer<double> opt(config, 1, s);
  std::vector<double> w{1.0}, out;
  for (double g : {0.5, -0.25, 1.0}) {
    const std::vector<double> grad{g};
    opt.step(w, grad);
    out.push_back(w[0]);
  }
  return out;
}
void check(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK_THAT(got[i], WithinAbs(want[i], tol));
}
}  // namespace

TEST_CASE("sgd", "[optim]") {
  // w <- w - 0.1 g: 1 - 0.05, 0.95 + 0.025, 0.975 - 0.1
  check(three_steps(kiln::sgd{.lr = 0.1}), {0.95, 0.975, 0.875});
  // L2 0.5: g' = g + 0.5 w: 1 - 0.1 (0.5 + 0.5) = 0.9; 0.9 - 0.1 (-0.25 + 0.45) = 0.88;
  // 0.88 - 0.1 (1 + 0.44) = 0.736
  check(three_steps(kiln::sgd{.lr = 0.1, .weight_decay = 0.5}), {0.9, 0.88, 0.736});
}

TEST_CASE("sgd with momentum and nesterov", "[optim]") {
  // v = 0.5, 0.45 - 0.25 = 0.2, 0.18 + 1 = 1.18; w -= 0.1 v
  check(three_steps(kiln::sgd{.lr = 0.1, .momentum = 0.9}), {0.95, 0.93, 0.812});
  // w -= 0.1 (g + 0.9 v): 1 - 0.1 * 0.95, 0.905 - 0.1 (-0.25 + 0.18), 0.912 - 0.1 (1 + 1.062)
  check(three_steps(kiln::sgd{.lr = 0.1, .momentum = 0.9, .nesterov = true}),
        {0.905, 0.912, 0.7058});
  kiln::optimizer<float> opt(kiln::sgd{.lr = 0.1, .momentum = 0.9}, 3);
  CHECK(opt.state().size() == 3);
  CHECK(opt.name() == "momentum");
}

TEST_CASE("rmsprop", "[optim]") {
  // s = 0.1 * 0.25 = 0.025, w = 1 - 0.01 * 0.5 / sqrt(0.025);
  // s = 0.0225 + 0.00625 = 0.02875, w += 0.01 * 0.25 / sqrt(0.02875);
  // s = 0.025875 + 0.1 = 0.125875, w -= 0.01 / sqrt(0.125875)
  check(three_steps(kiln::rmsprop{.lr = 0.01, .rho = 0.9}),
        {0.968377225398316, 0.983121420144241, 0.954935627930367}, 1e-9);
}

TEST_CASE("adam and adamw", "[optim]") {
  // step 1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25: w = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
  // step 2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
  //   m^ = 0.02 / 0.19, v^ = 0.00031225 / 0.001999: w = 0.9 - 0.1 * 0.105263 / 0.395225
  check(three_steps(kiln::adam{.lr = 0.1}), {0.900000002, 0.873366298707846, 0.80755513967709},
        1e-9);
  // L2 0.1 adds 0.1 w to each gradient: step 1 g = 0.6, still w = 1 - 0.1 * 1 (bias-corrected).
  check(three_steps(kiln::adam{.lr = 0.1, .weight_decay = 0.1}),
        {0.900000001666667, 0.854441367461762, 0.781504399863166}, 1e-9);
  // Decoupled: w <- w - 0.1 * 0.1 w first, so step 1 = 0.99 - 0.1 = 0.89.
  check(three_steps(kiln::adamw{.lr = 0.1, .weight_decay = 0.1}),
        {0.890000002, 0.854466298687846, 0.780110476670211}, 1e-9);
  kiln::optimizer<double> opt(kiln::adamw{}, 4);
  CHECK(opt.state().size() == 8);  // m, then v
}

TEST_CASE("float parameters: every rule in float agrees with the rule in double", "[optim]") {
  // 37 parameters: two and a bit registers of 16 floats (the padded tail too), ten steps of
  // varied gradients. A constant or a register rounded wrongly in the float path shows here.
  const kiln::optimizer_config rules[] = {
      kiln::sgd{.lr = 0.1, .weight_decay = 0.01},
      kiln::sgd{.lr = 0.05, .momentum = 0.9},
      kiln::sgd{.lr = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01},
      kiln::rmsprop{.lr = 0.01, .weight_decay = 0.01},
      kiln::adam{.lr = 0.01, .weight_decay = 0.01},
      kiln::adamw{.lr = 0.01, .weight_decay = 0.1}};
  constexpr int n = 37;
  for (const kiln::optimizer_config& rule : rules) {
    kiln::optimizer<float> f(rule, n);
    kiln::optimizer<double> d(rule, n);
    INFO(f.name());
    std::vector<float> wf(n), gf(n);
    std::vector<double> wd(n), gd(n);
    for (int i = 0; i < n; ++i) wd[i] = wf[i] = 0.05f * float(i % 11) - 0.3f;
    const std::vector<double> start = wd;
    double moved = 0;
    for (int step = 0; step < 10; ++step) {
      for (int i = 0; i < n; ++i) gd[i] = gf[i] = 0.01f * float((i * 7 + step * 3) % 13) - 0.06f;
      f.step(wf, gf);
      d.step(wd, gd);
    }
    for (int i = 0; i < n; ++i) {
      INFO("parameter " << i);
      // Float rounds each step at about 1e-8; the rules move the parameters by more than 0.01.
      CHECK_THAT(double(wf[i]), WithinAbs(wd[i], 2e-6));
      moved = std::max(moved, std::abs(wd[i] - start[i]));
    }
    CHECK(moved > 0.01);
  }
}

TEST_CASE("an optimizer built from the model leaves batch_norm's running statistics alone",
          "[optim]") {
  // dense 3x2 (9 values), batch_norm over 3 (gain 3, bias 3, then the state: mean 3, var 3,
  // count 1), dense 1x3 (4 values).
  constexpr auto net =
      kiln::network{kiln::input<2>, kiln::dense<3>, kiln::batch_norm, kiln::dense<1>, kiln::mse};
  const auto m = kiln::generic<double>(net);
  constexpr int state = 9 + 6, count = 7;
  static_assert(net.param_count == state + count + 4);
  const kiln::optimizer_config rules[] = {
      kiln::sgd{.lr = 0.1, .weight_decay = 0.5},
      kiln::sgd{.lr = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.5},
      kiln::rmsprop{.lr = 0.1, .weight_decay = 0.5}, kiln::adam{.lr = 0.1, .weight_decay = 0.5},
      kiln::adamw{.lr = 0.1, .weight_decay = 0.5}};
  for (const kiln::optimizer_config& rule : rules) {
    kiln::optimizer<double> opt(rule, m), bare(rule, net.param_count);
    REQUIRE(opt.fixed_ranges().size() == 1);
    CHECK(opt.fixed_ranges()[0].begin == state);
    CHECK(opt.fixed_ranges()[0].count == count);
    // The state's gradient is 0, as every engine writes it; the parameters' is not.
    std::vector<double> w(net.param_count), grad(net.param_count), previous(net.param_count);
    for (int i = 0; i < net.param_count; ++i) {
      w[i] = 1 + 0.25 * i;
      grad[i] = i >= state && i < state + count ? 0 : 0.1 * (i % 5) - 0.2;
    }
    const std::vector<double> start = w;
    std::vector<double> w_bare = w;
    for (int step = 0; step < 3; ++step) {
      opt.step(w, grad);
      bare.step(w_bare, grad);
    }
    INFO(opt.name());
    for (int i = 0; i < net.param_count; ++i) {
      INFO("value " << i);
      if (i >= state && i < state + count) {
        CHECK(w[i] == start[i]);      // not touched
        CHECK(w_bare[i] < start[i]);  // weight decay shrinks what a bare optimizer reaches
      } else {
        CHECK(w[i] == w_bare[i]);  // the parameters: the same bits as without the exclusion
      }
    }
    // The optimizer's own state for those values stays 0.
    for (std::size_t b = 0; b < opt.state().size() / net.param_count; ++b)
      for (int i = state; i < state + count; ++i) CHECK(opt.state()[b * net.param_count + i] == 0);
    // A step in parts (threads) around the range: the same bits, and `previous` gets every value.
    kiln::optimizer<double> parted(rule, m);
    std::vector<double> w2 = start;
    for (int step = 0; step < 3; ++step) {
      const auto plan = parted.begin_step();
      const std::vector<double> before = w2;
      CHECK(parted.update(plan, w2.data(), grad.data(), 0, state + 3, previous.data()));
      CHECK(
          parted.update(plan, w2.data(), grad.data(), state + 3, net.param_count, previous.data()));
      CHECK(previous == before);
    }
    CHECK(w2 == w);
  }
  // Nodes of another, larger network are refused.
  constexpr auto small = kiln::network{kiln::input<2>, kiln::batch_norm, kiln::dense<1>, kiln::mse};
  static_assert(small.param_count == 12);
  kiln::optimizer<double> other(kiln::sgd{}, small.param_count);
  CHECK_THROWS_WITH(other.leave_state_of(m.nodes()),
                    Catch::Contains("past the optimizer's 12 parameters: the nodes are another "
                                    "network's"));
}

TEST_CASE("schedules", "[optim]") {
  CHECK(kiln::schedule::constant().factor(0) == 1.0);
  CHECK(kiln::schedule::constant().factor(1000) == 1.0);
  const auto decay = kiln::schedule::step_decay(2, 0.5);
  CHECK(decay.factor(0) == 1.0);
  CHECK(decay.factor(1) == 1.0);
  CHECK(decay.factor(2) == 0.5);
  CHECK(decay.factor(5) == 0.25);
  const auto cosine = kiln::schedule::cosine(4, 0.1);
  CHECK_THAT(cosine.factor(0), WithinAbs(1.0, 1e-15));
  // 0.1 + 0.9 * (1 + cos(pi / 4)) / 2 = 0.1 + 0.45 * 1.70710678
  CHECK_THAT(cosine.factor(1), WithinAbs(0.868198051533946, 1e-12));
  CHECK_THAT(cosine.factor(2), WithinAbs(0.55, 1e-12));
  CHECK_THAT(cosine.factor(4), WithinAbs(0.1, 1e-12));
  CHECK_THAT(cosine.factor(9), WithinAbs(0.1, 1e-12));
  const auto warm = kiln::schedule::step_decay(1, 0.5).with_warmup(4);
  CHECK(warm.factor(0) == 0.25);
  CHECK(warm.factor(1) == 0.5);
  CHECK(warm.factor(3) == 1.0);
  CHECK(warm.factor(4) == 1.0);
  CHECK(warm.factor(5) == 0.5);

  // Three sgd steps at lr 0.1 with warm-up over 2 steps: lr 0.05, 0.1, 0.1.
  // 1 - 0.05 * 0.5 = 0.975; 0.975 + 0.1 * 0.25 = 1.0; 1.0 - 0.1 = 0.9
  check(three_steps(kiln::sgd{.lr = 0.1}, kiln::schedule::constant().with_warmup(2)),
        {0.975, 1.0, 0.9});
  // Step decay by half every step: lr 0.1, 0.05, 0.025: 0.95, 0.9625, 0.9375
  check(three_steps(kiln::sgd{.lr = 0.1}, kiln::schedule::step_decay(1, 0.5)),
        {0.95, 0.9625, 0.9375});
  // Cosine over 2 steps: factor 1, 0.5, 0: 0.95, 0.9625, 0.9625
  check(three_steps(kiln::sgd{.lr = 0.1}, kiln::schedule::cosine(2)), {0.95, 0.9625, 0.9625});
}

TEST_CASE("clipping by global norm", "[optim]") {
  std::vector<double> g{3, 4};  // norm 5
  CHECK(kiln::clip_by_global_norm<double>(g, 10) == 5.0);
  CHECK(g == std::vector<double>{3, 4});
  CHECK(kiln::clip_by_global_norm<double>(g, 1) == 5.0);
  CHECK_THAT(g[0], WithinAbs(0.6, 1e-15));
  CHECK_THAT(g[1], WithinAbs(0.8, 1e-15));
  CHECK(kiln::clip_by_global_norm<double>(g, 0) == Approx(1.0));
}

TEST_CASE("the perceptron rule learns AND", "[optim]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<1>, kiln::step};
  auto m = kiln::generic<float>(net);
  std::vector<float> params{0, 0, 0};  // w0, w1, b
  const std::vector<float> x{0, 0, 0, 1, 1, 0, 1, 1}, t{0, 0, 0, 1};
  // Epoch 1 by hand (lr 1): (0,0): y = step(0) = 1, t = 0: w = (0, 0), b = -1.
  // (0,1): y = step(-1) = 0, right. (1,0): right. (1,1): y = 0, t = 1: w = (1, 1), b = 0.
  CHECK(kiln::perceptron_epoch(m, std::span<float>(params), x, t, {}) == 2);
  CHECK(params == std::vector<float>{1, 1, 0});
  const std::vector<int> mistakes = kiln::train_perceptron(m, std::span<float>(params), x, t);
  CHECK(mistakes.back() == 0);
  std::vector<float> y(4);
  m.forward(params, x, y, 4);
  CHECK(y == t);
}
