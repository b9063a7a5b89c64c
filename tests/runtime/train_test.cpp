// The training loop: XOR and the spiral reach their accuracy with the generic engine, results are
// reproducible from the seed, early stopping keeps the best parameters, a NaN stops training
// without touching the parameters, and the gradient-flow report.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <kiln/runtime.hpp>
#include <limits>
#include <vector>

namespace {
constexpr auto xor_net = kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh,
                                       kiln::dense<1>, kiln::sigmoid,  kiln::binary_cross_entropy};
constexpr auto spirals =
    kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu,
                  kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
const kiln::fit_options quiet{.progress = kiln::progress_mode::never};
}  // namespace

TEST_CASE("xor reaches 100% training accuracy", "[train]") {
  auto m = kiln::generic<float>(xor_net);
  auto params = kiln::initial_params(m, kiln::init_scheme::xavier_uniform, 1);
  kiln::optimizer<float> opt(kiln::adam{.lr = 0.05}, xor_net.param_count);
  const auto data = kiln::make_xor();
  kiln::fit_options o = quiet;
  o.epochs = 300;
  o.batch_size = 4;
  const auto h = kiln::fit(m, std::span<float>(params), opt, data, o);
  REQUIRE(h.epochs.size() == 300);
  CHECK(h.metric == kiln::metric_kind::accuracy);
  CHECK(h.epochs.back().train_metric == 1.0);
  CHECK(h.epochs.back().train_loss < 0.1);
  CHECK(kiln::accuracy(m, std::span<const float>(params), data) == 1.0);
  CHECK(h.steps == 300);
}

TEST_CASE("the spiral reaches 95% training accuracy", "[train]") {
  auto m = kiln::generic<float>(spirals);
  auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  kiln::optimizer<float> opt(kiln::adam{.lr = 0.02}, spirals.param_count);
  const auto data = kiln::make_spiral(100, 3, 0.2, 5);
  kiln::fit_options o = quiet;
  o.epochs = 120;
  o.batch_size = 32;
  const auto h = kiln::fit(m, std::span<float>(params), opt, data, o);
  INFO("final training accuracy " << h.epochs.back().train_metric);
  CHECK(h.epochs.back().train_metric >= 0.95);
  CHECK(h.epochs.front().train_metric < 0.8);
  const kiln::confusion_matrix c = kiln::confusion(m, std::span<const float>(params), data);
  CHECK(c.classes == 3);
  CHECK(c.accuracy() == Approx(h.epochs.back().train_metric));
  long long total = 0;
  for (long long n : c.counts) total += n;
  CHECK(total == 300);
}

TEST_CASE("training is reproducible from the seed", "[train]") {
  auto m = kiln::generic<float>(spirals);
  const auto data = kiln::make_spiral(30, 3, 0.2, 5);
  auto run = [&](std::uint64_t seed) {
    auto params = kiln::initial_params(m, kiln::init_scheme::xavier_normal, seed);
    kiln::optimizer<float> opt(kiln::sgd{.lr = 0.1, .momentum = 0.9}, spirals.param_count);
    kiln::fit_options o = quiet;
    o.epochs = 5;
    o.batch_size = 16;
    o.seed = seed;
    const auto h = kiln::fit(m, std::span<float>(params), opt, data, o);
    return std::make_pair(params, h.epochs.back().train_loss);
  };
  const auto a = run(11), b = run(11), c = run(12);
  CHECK(a.first == b.first);  // bit-identical
  CHECK(a.second == b.second);
  CHECK(a.first != c.first);
}

TEST_CASE("dropout gets a distinct seed per step", "[train]") {
  constexpr auto net = kiln::network{kiln::input<2>,     kiln::dense<8>, kiln::relu,
                                     kiln::dropout(0.5), kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  auto two = kiln::dataset<double>(2, 1, {0.5, -0.25}, {1.0});
  auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 2);
  kiln::optimizer<double> opt(kiln::sgd{.lr = 0.0}, net.param_count);
  kiln::fit_options o = quiet;
  o.epochs = 6;
  o.batch_size = 1;
  const auto h = kiln::fit(m, std::span<double>(params), opt, two, o);
  // lr 0: the parameters never move, so the losses differ only through the dropout masks.
  bool differ = false;
  for (const auto& e : h.epochs) differ |= e.train_loss != h.epochs.front().train_loss;
  CHECK(differ);
}

TEST_CASE("early stopping keeps the best parameters", "[train]") {
  constexpr auto net = kiln::network{kiln::input<1>, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  // Train on y = 2x but test on y = -2x: the test metric gets worse from the first epoch.
  const kiln::dataset<double> train(1, 1, {1, 2, 3}, {2, 4, 6}),
      test(1, 1, {1, 2, 3}, {-2, -4, -6});
  std::vector<double> params{0, 0};
  kiln::optimizer<double> opt(kiln::sgd{.lr = 0.01}, 2);
  kiln::fit_options o = quiet;
  o.epochs = 50;
  o.batch_size = 3;
  o.patience = 3;
  const auto h = kiln::fit(m, std::span<double>(params), opt, train, test, o);
  CHECK(h.stopped_early);
  CHECK(h.best_epoch == 0);
  CHECK(h.epochs.size() == 4);  // the best epoch, then three without improvement
  CHECK(h.metric == kiln::metric_kind::mse);
  // The parameters are those after epoch 1 (one step): the gradient of mean (wx + b - y)^2 at 0
  // is dW = -2 * (2 + 8 + 18) / 3 = -56/3, db = -2 * (2 + 4 + 6) / 3 = -8.
  CHECK_THAT(params[0], Catch::Matchers::WithinAbs(0.01 * 56.0 / 3, 1e-12));
  CHECK_THAT(params[1], Catch::Matchers::WithinAbs(0.08, 1e-12));
  CHECK(h.message.find("no improvement for 3 epochs") != std::string::npos);
}

TEST_CASE("a NaN stops training and leaves the last good parameters", "[train]") {
  constexpr auto net =
      kiln::network{kiln::input<1>, kiln::dense<2>, kiln::tanh, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  // Sample 3 (the fourth) has an infinite target: its batch's gradient is not finite.
  const double inf = std::numeric_limits<double>::infinity();
  const kiln::dataset<double> train(1, 1, {0.1, 0.2, 0.3, 0.4}, {0, 0, 0, inf});
  auto params = kiln::initial_params(m, kiln::init_scheme::xavier_uniform, 4);
  kiln::optimizer<double> opt(kiln::sgd{.lr = 0.1}, net.param_count);
  kiln::fit_options o = quiet;
  o.epochs = 3;
  o.batch_size = 1;
  o.seed = 9;
  // Where sample 3 falls in epoch 1's order: that step breaks.
  const std::vector<int> order = kiln::minibatches<double>(train, 1, o.seed, 0).order();
  const int bad_step = int(std::find(order.begin(), order.end(), 3) - order.begin()) + 1;
  // The expected parameters: the same good steps taken by hand.
  std::vector<double> want = params, grad(net.param_count);
  kiln::optimizer<double> ref(kiln::sgd{.lr = 0.1}, net.param_count);
  for (int k = 0; k + 1 < bad_step; ++k) {
    m.loss_and_gradient(want, train.features_of(order[k]), train.targets_of(order[k]), grad, 1);
    ref.step(want, grad);
  }
  const auto h = kiln::fit(m, std::span<double>(params), opt, train, o);
  CHECK(h.diverged);
  CHECK(h.epochs.empty());
  CHECK(params == want);
  INFO(h.message);
  CHECK(h.message.find("at epoch 1, step " + std::to_string(bad_step)) != std::string::npos);
  CHECK(h.message.find("the loss is inf and the gradient is not finite in layer 1 (dense), layer 3 "
                       "(dense) at epoch 1") != std::string::npos);
  CHECK(h.message.find("parameters are those after step " + std::to_string(bad_step - 1)) !=
        std::string::npos);
}

TEST_CASE("a non-finite gradient names the layer", "[train]") {
  constexpr auto net =
      kiln::network{kiln::input<1>, kiln::dense<1>, kiln::relu, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const kiln::dataset<double> train(1, 1, {nan}, {1});
  // relu of NaN is 0 (NaN > 0 is false), so the loss is finite but the gradient of layer 1's
  // weight (d * x with x = NaN) is not.
  std::vector<double> params{1, 0, 1, 0};
  kiln::optimizer<double> opt(kiln::sgd{.lr = 0.1}, 4);
  kiln::fit_options o = quiet;
  o.batch_size = 1;
  const auto h = kiln::fit(m, std::span<double>(params), opt, train, o);
  CHECK(h.diverged);
  INFO(h.message);
  CHECK(h.message ==
        "kiln::fit: the gradient is not finite in layer 1 (dense) at epoch 1, step 1 (batch 1 of "
        "the epoch); training stopped, the parameters are those after step 0");
  CHECK(params == std::vector<double>{1, 0, 1, 0});
}

TEST_CASE("gradient clipping bounds each step", "[train]") {
  constexpr auto net = kiln::network{kiln::input<1>, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  const kiln::dataset<double> train(1, 1, {3}, {4});
  std::vector<double> params{0, 0};
  kiln::optimizer<double> opt(kiln::sgd{.lr = 1.0}, 2);
  kiln::fit_options o = quiet;
  o.epochs = 1;
  o.clip_norm = 1.0;
  const auto h = kiln::fit(m, std::span<double>(params), opt, train, o);
  // Gradient at 0: dW = 2 * (0 - 4) * 3 = -24, db = -8, norm 8 sqrt(10); clipped to norm 1.
  CHECK_THAT(h.epochs[0].gradient_norm, Catch::Matchers::WithinAbs(8 * std::sqrt(10.0), 1e-12));
  CHECK_THAT(params[0], Catch::Matchers::WithinAbs(3 / std::sqrt(10.0), 1e-12));
  CHECK_THAT(params[1], Catch::Matchers::WithinAbs(1 / std::sqrt(10.0), 1e-12));
}

TEST_CASE("gradient flow reports each dense layer", "[train]") {
  constexpr auto net =
      kiln::network{kiln::input<1>, kiln::dense<1>, kiln::sigmoid, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  const kiln::dataset<double> data(1, 1, {1}, {1});
  const std::vector<double> params{0, 0, 2, 0};  // h = sigmoid(0) = 0.5, y = 1
  const auto flow = kiln::gradient_flow(m, std::span<const double>(params), data);
  REQUIRE(flow.size() == 2);
  // y = 2 * 0.5 = 1 = t: zero loss gradient; move the target to see values.
  CHECK(flow[0].layer == 1);
  CHECK(flow[1].layer == 3);
  const kiln::dataset<double> data2(1, 1, {1}, {0});
  const auto flow2 = kiln::gradient_flow(m, std::span<const double>(params), data2);
  // dy = 2 (1 - 0) = 2; dW2 = 2 * 0.5 = 1, db2 = 2; dh = 2 * 2 = 4, dz = 4 * 0.25 = 1,
  // dW1 = 1 * x = 1, db1 = 1.
  CHECK_THAT(flow2[1].weight_norm, Catch::Matchers::WithinAbs(1.0, 1e-12));
  CHECK_THAT(flow2[1].bias_norm, Catch::Matchers::WithinAbs(2.0, 1e-12));
  CHECK_THAT(flow2[0].weight_norm, Catch::Matchers::WithinAbs(1.0, 1e-12));
  CHECK(kiln::format_gradient_flow(flow2).find("layer  1 dense    1 -> 1") != std::string::npos);
}

TEST_CASE("the progress bar shows epochs, loss, metric and speed, or nothing", "[train]") {
  auto m = kiln::generic<float>(xor_net);
  const auto data = kiln::make_xor();
  auto run = [&](kiln::progress_mode mode) {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    auto params = kiln::initial_params(m, kiln::init_scheme::xavier_uniform, 1);
    kiln::optimizer<float> opt(kiln::sgd{.lr = 0.1}, xor_net.param_count);
    kiln::fit_options o;
    o.epochs = 2;
    o.batch_size = 2;
    o.progress = mode;
    o.progress_stream = f;
    kiln::fit(m, std::span<float>(params), opt, data, data, o);
    std::rewind(f);
    std::string text;
    for (int c; (c = std::fgetc(f)) != EOF;) text += char(c);
    std::fclose(f);
    return text;
  };
  const std::string shown = run(kiln::progress_mode::always);
  INFO(shown);
  CHECK(shown.find("epoch 1/2 [") != std::string::npos);
  CHECK(shown.find("samples/s") != std::string::npos);
  CHECK(shown.find("left") != std::string::npos);
  CHECK(shown.find("epoch 2/2: loss ") != std::string::npos);
  CHECK(shown.find(" accuracy ") != std::string::npos);
  CHECK(shown.find("| test loss ") != std::string::npos);
  CHECK(run(kiln::progress_mode::never).empty());
  CHECK(run(kiln::progress_mode::automatic).empty());  // a file is not a terminal
}

TEST_CASE("an update that overflows is undone", "[train]") {
  constexpr auto net = kiln::network{kiln::input<1>, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<float>(net);
  const kiln::dataset<float> train(1, 1, {1}, {1});
  std::vector<float> params{0.5f, 0.25f};
  // The gradient is finite (dW = db = 2 (0.75 - 1) = -0.5) but lr 1e39 takes w past float's max.
  kiln::optimizer<float> opt(kiln::sgd{.lr = 1e39}, 2);
  kiln::fit_options o = quiet;
  const auto h = kiln::fit(m, std::span<float>(params), opt, train, o);
  CHECK(h.diverged);
  CHECK(h.message ==
        "kiln::fit: step 1 at epoch 1 (batch 1 of the epoch) made the parameters of layer 1 "
        "(dense) non-finite; training stopped, the parameters are those after step 0");
  CHECK(params == std::vector<float>{0.5f, 0.25f});
}

namespace {
// A trainable model that is not the generic engine: no nodes(), no train_pass argument.
template <class Inner>
struct bare_model {
  using value_type = typename Inner::value_type;
  static constexpr int input_size = Inner::input_size;
  static constexpr int output_size = Inner::output_size;
  static constexpr int param_count = Inner::param_count;
  Inner inner;
  void forward(std::span<const value_type> p, std::span<const value_type> x,
               std::span<value_type> y, int batch) const {
    inner.forward(p, x, y, batch);
  }
  value_type loss_and_gradient(std::span<const value_type> p, std::span<const value_type> x,
                               std::span<const value_type> t, std::span<value_type> d,
                               int batch) const {
    return inner.loss_and_gradient(p, x, t, d, batch);
  }
  value_type loss(std::span<const value_type> p, std::span<const value_type> x,
                  std::span<const value_type> t, int batch) const {
    return inner.loss(p, x, t, batch);
  }
};
}  // namespace

TEST_CASE("fit takes any trainable model", "[train]") {
  const bare_model<decltype(kiln::generic<float>(spirals))> m{kiln::generic<float>(spirals)};
  static_assert(kiln::trainable_model<decltype(m)> && !kiln::has_nodes<decltype(m)>);
  std::vector<float> params(spirals.param_count);
  kiln::initialize<float>(params, spirals.nodes, kiln::init_scheme::he_normal, 3);
  kiln::optimizer<float> opt(kiln::adam{.lr = 0.02}, spirals.param_count);
  const auto data = kiln::make_spiral(100, 3, 0.2, 5);
  kiln::fit_options o = quiet;
  o.epochs = 120;
  const auto h = kiln::fit(m, params, opt, data, o);
  CHECK(h.metric == kiln::metric_kind::accuracy);  // three outputs: classification
  CHECK(h.epochs.back().train_metric >= 0.95);
  // The same run on the generic engine gives the same numbers (dropout-free network).
  auto g = kiln::generic<float>(spirals);
  std::vector<float> params2(spirals.param_count);
  kiln::initialize<float>(params2, spirals.nodes, kiln::init_scheme::he_normal, 3);
  kiln::optimizer<float> opt2(kiln::adam{.lr = 0.02}, spirals.param_count);
  kiln::fit(g, params2, opt2, data, o);
  CHECK(params == params2);
  const auto flow = kiln::gradient_flow(m, spirals.nodes, params, data.x, data.y, data.size());
  CHECK(flow.size() == 2);
}

TEST_CASE("metrics on outputs worked out by hand", "[metrics]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<2>, kiln::mse};
  auto m = kiln::generic<double>(net);
  const std::vector<double> identity{1, 0, 0, 1, 0, 0};  // y = x
  // Predicted classes (argmax of x): 0, 1, 0, 1; true classes: 0, 1, 1, 0.
  const kiln::dataset<double> d(2, 2, {1, 0, 0, 1, 1, 0, 0.2, 0.9}, {1, 0, 0, 1, 0, 1, 1, 0});
  CHECK(kiln::accuracy(m, identity, d) == 0.5);
  // Squared errors: 0, 0, 1 + 1, 0.64 + 0.81; over 4 samples of 2 outputs.
  CHECK_THAT(kiln::mean_squared_error(m, identity, d), Catch::Matchers::WithinAbs(3.45 / 8, 1e-15));
  CHECK_THAT(kiln::mean_loss(m, identity, d), Catch::Matchers::WithinAbs(3.45 / 8, 1e-15));
  const kiln::confusion_matrix c = kiln::confusion(m, identity, d);
  CHECK(c.counts == std::vector<long long>{1, 1, 1, 1});  // [truth][predicted]
  CHECK(c.to_string() == "truth\\predicted\t0\t1\n0\t1\t1\n1\t1\t1\n");
  CHECK(kiln::resolve_metric(m, kiln::metric_kind::automatic) == kiln::metric_kind::mse);
  // One sigmoid-like output: class 1 when y >= 0.5.
  CHECK(kiln::predicted_class<double>(std::vector<double>{0.5}) == 1);
  CHECK(kiln::predicted_class<double>(std::vector<double>{0.49}) == 0);
}

TEST_CASE("fit trains batch_norm: statistics folded in, optimizer kept off them", "[train]") {
  constexpr auto still =
      kiln::network{kiln::input<2>, kiln::dense<10>, kiln::batch_norm(1e-5, 0.0), kiln::relu,
                    kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
  constexpr auto moving =
      kiln::network{kiln::input<2>, kiln::dense<10>, kiln::batch_norm,           kiln::relu,
                    kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
  const auto data = kiln::make_spiral(100, 3, 0.2, 5);
  kiln::fit_options o = quiet;
  o.epochs = 40;
  o.batch_size = 32;
  constexpr int state = 30 + 20;  // after the first dense layer (30), gain and bias
  {
    // Momentum 0: the running statistics never move, even under AdamW's weight decay, which
    // would shrink every value it reached; the batch count is the number of steps.
    auto m = kiln::generic<float>(still);
    auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
    kiln::optimizer<float> opt(kiln::adamw{.lr = 0.02, .weight_decay = 0.5}, still.param_count);
    const auto h = kiln::fit(m, std::span<float>(params), opt, data, o);
    CHECK(h.steps == 40 * 10);
    REQUIRE(opt.fixed_ranges().size() == 1);  // fit told the optimizer where the state is
    CHECK(opt.fixed_ranges()[0].begin == state);
    for (int i = 0; i < 10; ++i) CHECK(params[state + i] == 0.0f);
    for (int i = 0; i < 10; ++i) CHECK(params[state + 10 + i] == 1.0f);
    CHECK(params[state + 20] == 400.0f);
  }
  // Momentum 0.1: trained, the running statistics approach those of the training set, and fit's
  // evaluation is in inference mode (its loss is the engine's loss with those statistics). The
  // learning rate decays to 0 (cosine), so the last batches' statistics are of nearly the final
  // network; at a constant rate the running means trailed the moving weights by up to 0.22
  // standard deviations, depending on the run's rounding.
  auto m = kiln::generic<float>(moving);
  auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  o.epochs = 60;
  const kiln::schedule decay = kiln::schedule::cosine(600);
  kiln::optimizer<float> opt(kiln::adam{.lr = 0.02}, moving.param_count, decay);
  const auto h = kiln::fit(m, std::span<float>(params), opt, data, data, o);
  INFO("final training accuracy " << h.epochs.back().train_metric);
  CHECK(h.epochs.back().train_metric >= 0.9);
  CHECK(params[state + 20] == 600.0f);
  CHECK(h.epochs.back().test_loss ==
        Approx(m.loss(params, data.x, data.y, data.size())).epsilon(1e-6));
  // The statistics of the first layer's outputs over the whole set, against the running ones.
  std::vector<float> z(std::size_t(data.size()) * 10);
  constexpr auto first = kiln::network{kiln::input<2>, kiln::dense<10>};
  kiln::generic<float>(first).forward(std::span<const float>(params.data(), 30), data.x, z,
                                      data.size());
  for (int f = 0; f < 10; ++f) {
    double mean = 0, var = 0;
    for (int b = 0; b < data.size(); ++b) mean += z[b * 10 + f] / data.size();
    for (int b = 0; b < data.size(); ++b) var += std::pow(z[b * 10 + f] - mean, 2) / data.size();
    INFO("feature " << f << ": mean " << mean << " running " << params[state + f] << ", var " << var
                    << " running " << params[state + 10 + f]);
    CHECK(std::abs(params[state + f] - mean) < 0.15 * std::sqrt(var) + 0.02);
    CHECK(params[state + 10 + f] == Approx(var).epsilon(0.3));
  }
  // Threads run a batch_norm batch whole: the same bits as one thread.
  auto again = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  kiln::optimizer<float> opt2(kiln::adam{.lr = 0.02}, moving.param_count, decay);
  kiln::fit_options two = o;
  two.threads = 2;
  two.min_thread_work = 0;
  kiln::fit(m, std::span<float>(again), opt2, data, data, two);
  CHECK(again == params);
}

TEST_CASE("batch_norm refuses one sample in training and a reducer in fit", "[train]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::batch_norm, kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<double>(net);
  auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  const std::vector<double> x{1, 2}, t{0};
  std::vector<double> grad(net.param_count);
  CHECK_THROWS_WITH(m.loss_and_gradient(params, x, t, grad, 1),
                    "kiln::generic_model::loss_and_gradient: layer 1 (batch_norm) needs a batch "
                    "of 2 or more samples in training, got 1");
  CHECK_THROWS_WITH(m.update_running_stats(params, x, 1),
                    Catch::Contains("needs a batch of 2 or more samples in training"));
  // Inference is per sample: one sample is fine.
  std::vector<double> y(1);
  m.forward(params, x, y, 1);
  CHECK(std::isfinite(y[0]));
  // fit with a batch of one sample left over is refused before it trains.
  const kiln::dataset<double> three(2, 1, {1, 2, 3, 4, 5, 7}, {0, 1, 0});
  kiln::optimizer<double> opt(kiln::sgd{.lr = 0.1}, net.param_count);
  kiln::fit_options o = quiet;
  o.batch_size = 2;
  const auto before = params;
  CHECK_THROWS_WITH(kiln::fit(m, std::span<double>(params), opt, three, o),
                    "kiln::fit: the network has batch_norm, which needs 2 or more samples per "
                    "batch in training, but 3 samples in batches of 2 leave a batch of 1; change "
                    "the batch size");
  CHECK(params == before);
  o.batch_size = 3;
  kiln::fit(m, std::span<double>(params), opt, three, o);
  CHECK(params != before);
  // Over processes, each would normalize with its own statistics: refused.
  struct alone : kiln::gradient_reducer {
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void sum(std::span<float>) override {}
    void sum(std::span<double>) override {}
  } reducer;
  o.reducer = &reducer;
  CHECK_THROWS_WITH(kiln::fit(m, std::span<double>(params), opt, three, o),
                    Catch::Contains("batch_norm, whose batch statistics would be each process's "
                                    "own over a reducer"));
}
