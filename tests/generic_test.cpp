// The generic engine on tiny networks whose values were computed by hand, and its input checks.
#include <catch2/catch.hpp>
#include <kiln/generic.hpp>
#include <kiln/model.hpp>
#include <limits>
#include <string>
#include <utility>
#include <vector>

using Catch::Matchers::WithinAbs;

TEST_CASE("one dense layer with mse", "[generic]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<2>, kiln::mse};
  auto m = kiln::generic<double>(net);
  static_assert(kiln::trainable_model<decltype(m)>);
  // W = [[1, 2], [3, 4]] row-major, then b = [0.5, -1]
  const std::vector<double> p{1, 2, 3, 4, 0.5, -1};
  const std::vector<double> x{1, -1}, t{0, 0};
  std::vector<double> y(2), d(6);
  m.forward(p, x, y, 1);
  CHECK_THAT(y[0], WithinAbs(-0.5, 1e-12));
  CHECK_THAT(y[1], WithinAbs(-2.0, 1e-12));
  // loss = ((-0.5)^2 + (-2)^2) / 2; dy = 2 (y - t) / 2 = y; dW = dy x^T; db = dy.
  CHECK_THAT(m.loss_and_gradient(p, x, t, d, 1), WithinAbs(2.125, 1e-12));
  const std::vector<double> want{-0.5, 0.5, -2, 2, -0.5, -2};
  for (int i = 0; i < 6; ++i) CHECK_THAT(d[i], WithinAbs(want[i], 1e-12));
}

TEST_CASE("a sigmoid chain", "[generic]") {
  constexpr auto net = kiln::network{kiln::input<1>, kiln::dense<1>, kiln::sigmoid,
                                     kiln::dense<1>, kiln::sigmoid,  kiln::mse};
  auto m = kiln::generic<double>(net);
  const std::vector<double> p{2, 0, -1, 0.5}, x{1}, t{0.25};
  std::vector<double> y(1), d(4);
  m.forward(p, x, y, 1);
  // h = sigmoid(2), y = sigmoid(0.5 - h)
  CHECK_THAT(y[0], WithinAbs(0.4059346659433397, 1e-6));
  CHECK_THAT(m.loss_and_gradient(p, x, t, d, 1), WithinAbs(0.02431562004286095, 1e-6));
  CHECK_THAT(d[0], WithinAbs(-0.007896339049574269, 1e-6));
  CHECK_THAT(d[1], WithinAbs(-0.007896339049574269, 1e-6));
  CHECK_THAT(d[2], WithinAbs(0.0662428312630552, 1e-6));
  CHECK_THAT(d[3], WithinAbs(0.07520782359443594, 1e-6));
}

TEST_CASE("softmax cross-entropy", "[generic]") {
  constexpr auto net =
      kiln::network{kiln::input<2>, kiln::dense<3>, kiln::softmax, kiln::softmax_cross_entropy};
  auto m = kiln::generic<float>(net);
  const std::vector<float> p{1, 0, 0, 1, 1, 1, 0, 0.5f, -0.5f}, x{0.2f, -0.4f}, t{0, 0, 1};
  std::vector<float> y(3), d(9);
  m.forward(p, x, y, 1);
  CHECK_THAT(y[0], WithinAbs(0.43263690312912895, 1e-6));
  CHECK_THAT(y[1], WithinAbs(0.3914660583744346, 1e-6));
  CHECK_THAT(y[2], WithinAbs(0.17589703849643654, 1e-6));
  CHECK_THAT(m.loss_and_gradient(p, x, t, d, 1), WithinAbs(1.7378564636712233, 1e-6));
  const double want[9] = {0.0865273806258258,   -0.1730547612516516, 0.07829321167488693,
                          -0.15658642334977385, -0.1648205923007127, 0.3296411846014254,
                          0.43263690312912895,  0.3914660583744346,  -0.8241029615035634};
  for (int i = 0; i < 9; ++i) CHECK_THAT(d[i], WithinAbs(want[i], 1e-6));
}

TEST_CASE("the loss is the mean over the batch", "[generic]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<2>, kiln::mse};
  auto m = kiln::generic<double>(net);
  const std::vector<double> p{1, 2, 3, 4, 0.5, -1};
  const std::vector<double> x{1, -1, 1, -1}, t{0, 0, -0.5, -2};
  std::vector<double> d(6);
  // The second sample is fitted exactly: the mean halves the first sample's loss and gradient.
  CHECK_THAT(m.loss_and_gradient(p, x, t, d, 2), WithinAbs(2.125 / 2, 1e-12));
  CHECK_THAT(d[0], WithinAbs(-0.25, 1e-12));
  CHECK_THAT(d[5], WithinAbs(-1.0, 1e-12));
}

TEST_CASE("residual adds its input to its body's output", "[generic]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::residual{kiln::dense<2>}};
  auto m = kiln::generic<double>(net);
  const std::vector<double> p{1, 2, 3, 4, 0.5, -1}, x{1, -1};
  std::vector<double> y(2);
  m.forward(p, x, y, 1);
  CHECK_THAT(y[0], WithinAbs(1 - 0.5, 1e-12));
  CHECK_THAT(y[1], WithinAbs(-1 - 2.0, 1e-12));
}

TEST_CASE("dropout: identity at inference, seeded inverted mask in training", "[generic]") {
  constexpr auto net = kiln::network{kiln::input<64>, kiln::dropout(0.5), kiln::mse};
  auto m = kiln::generic<double>(net);
  std::vector<double> x(64, 1.0), t(64, 0.0), y(64), d;
  m.forward({}, x, y, 1);
  CHECK(y == x);
  // In training the loss is sum(y^2)/64 with y in {0, 2}: 4 * kept / 64.
  const double loss = m.loss_and_gradient({}, x, t, d, 1, {42});
  int kept = 0;
  for (int u = 0; u < 64; ++u) kept += kiln::math::dropout_keep(42, 1, 0, u, 0.5);
  CHECK(kept > 16);
  CHECK(kept < 48);
  CHECK_THAT(loss, WithinAbs(4.0 * kept / 64, 1e-12));
  CHECK(m.loss_and_gradient({}, x, t, d, 1, {42}) == loss);
  CHECK(m.loss_and_gradient({}, x, t, d, 1, {43}) != loss);
}

TEST_CASE("wrong buffer sizes are refused with the sizes named", "[generic]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<3>, kiln::mse};
  auto m = kiln::generic<float>(net);
  std::vector<float> p(9), x(4), y(6), d(9), short_d(3);
  CHECK_THROWS_WITH(m.forward(p, x, y, 3),
                    "kiln::generic_model::forward: x has 4 values, expected 6");
  CHECK_THROWS_WITH(m.forward(std::vector<float>(8), x, y, 2),
                    "kiln::generic_model::forward: params has 8 values, expected 9");
  CHECK_THROWS_WITH(m.loss_and_gradient(p, x, y, short_d, 2),
                    "kiln::generic_model::loss_and_gradient: d_params has 3 values, expected 9");
}

TEST_CASE("an embedding looks up rows and scatters their gradient back", "[generic]") {
  constexpr auto net = kiln::network{kiln::tokens<3, 4>, kiln::embedding<4, 2>, kiln::mse};
  auto m = kiln::generic<double>(net);
  const std::vector<double> p{0, 1, 10, 11, 20, 21, 30, 31};  // table[4][2]: row r = 10 r, 10 r + 1
  const std::vector<double> x{2, 2, 0}, t(6, 0.0);
  std::vector<double> y(6), d(8, 99.0);
  m.forward(p, x, y, 1);
  CHECK(y == std::vector<double>{20, 21, 20, 21, 0, 1});
  // mse over 6 outputs: d_y = 2 y / 6; row 2, used twice, gets both; rows 1 and 3 nothing.
  CHECK_THAT(m.loss_and_gradient(p, x, t, d, 1), WithinAbs((2 * (400 + 441) + 1) / 6.0, 1e-12));
  const std::vector<double> want{0, 1 / 3.0, 0, 0, 40 / 3.0, 42 / 3.0, 0, 0};
  for (int i = 0; i < 8; ++i) CHECK_THAT(d[i], WithinAbs(want[i], 1e-12));
}

TEST_CASE("token IDs outside the vocabulary are refused, naming sample and position", "[generic]") {
  constexpr auto net = kiln::network{kiln::tokens<3, 4>, kiln::embedding<4, 2>, kiln::mse};
  auto m = kiln::generic<float>(net);
  const std::vector<float> p(8, 0.5f), t(12, 0.0f);
  std::vector<float> y(12), d(8);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::pair<float, std::string> bad[] = {
      {4.0f, "4"}, {-1.0f, "-1"}, {1.5f, "1.5"}, {nan, "nan"}, {1e30f, "1.00000002e+30"}};
  for (const auto& [value, shown] : bad) {
    const std::vector<float> x{0, 1, 2, 3, value, 1};
    const std::string tail =
        ": x: sample 1, position 1: token ID " + shown + " is not an integer in [0, 4)";
    CHECK_THROWS_WITH(m.forward(p, x, y, 2), "kiln::generic_model::forward" + tail);
    CHECK_THROWS_WITH(m.loss(p, x, t, 2), "kiln::generic_model::loss" + tail);
    CHECK_THROWS_WITH(m.loss_and_gradient(p, x, t, d, 2),
                      "kiln::generic_model::loss_and_gradient" + tail);
  }
  const std::vector<float> x{0, 1, 2, 3, 3, 1};
  CHECK_NOTHROW(m.forward(p, x, y, 2));
}

TEST_CASE("batch_norm normalizes over the batch in training, with running statistics after",
          "[generic]") {
  // One feature, x = (1, 3): batch mean 2, biased variance 1 (unbiased 2).
  constexpr auto net = kiln::network{kiln::input<1>, kiln::batch_norm, kiln::mse};
  auto m = kiln::generic<double>(net);
  std::vector<double> p{1, 0, 0, 1, 0};  // gain, bias, running mean, running var, count
  const std::vector<double> x{1, 3}, t{0, 0};
  std::vector<double> d(5, 9.0);
  const double eps = 1e-5;
  // Training: y = (x - 2) / sqrt(1 + eps) = -+r, mse = r^2.
  CHECK(m.loss_and_gradient(p, x, t, d, 2) == Approx(1 / (1 + eps)).epsilon(1e-14));
  // d/dgain of mean(gain^2 xhat^2) = 2 mean(xhat^2); d/dbias = 2 mean(y) = 0; no state gradient.
  CHECK(d[0] == Approx(2 / (1 + eps)).epsilon(1e-14));
  CHECK(d[1] == Approx(0).margin(1e-15));
  CHECK(d[2] == 0);
  CHECK(d[3] == 0);
  CHECK(d[4] == 0);
  // Inference: the running statistics (0, 1), y = x / sqrt(1 + eps).
  CHECK(m.loss(p, x, t, 2) == Approx((1 + 9) / 2.0 / (1 + eps)).epsilon(1e-14));
  // momentum 0.1: mean 0.9 * 0 + 0.1 * 2, variance 0.9 * 1 + 0.1 * 2 (unbiased), count 1.
  m.update_running_stats(p, x, 2);
  CHECK(p[0] == 1);
  CHECK(p[1] == 0);
  CHECK(p[2] == Approx(0.2).epsilon(1e-15));
  CHECK(p[3] == Approx(1.1).epsilon(1e-15));
  CHECK(p[4] == 1);
  // The batch's statistics remove the scale and the shift of what comes in: the gradient of the
  // dense layer in front is 0 but for epsilon's share (weight) and rounding (bias), though its
  // output feeds the loss.
  constexpr auto deep =
      kiln::network{kiln::input<1>, kiln::dense<1>, kiln::batch_norm, kiln::dense<1>, kiln::mse};
  auto k = kiln::generic<double>(deep);
  std::vector<double> q{1, 0, 1, 0, 0, 1, 0, 1, 0};
  std::vector<double> dq(9);
  const std::vector<double> x3{1, 2, 6}, t3{1, 0, 0};
  k.loss_and_gradient(q, x3, t3, dq, 3);
  CHECK(std::abs(dq[0]) < 1e-5);
  CHECK(std::abs(dq[1]) < 1e-15);
  CHECK(std::abs(dq[2]) > 0.1);  // batch_norm's gain does matter
}
