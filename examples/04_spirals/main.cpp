// Example 4: the three-arm spiral, 2 -> 10 -> 3 with relu and softmax cross-entropy, trained to
// >= 95% accuracy; draws the decision boundary and the loss curve.
#include <kiln/runtime.hpp>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "common/plot.hpp"
#include "spirals.hpp"
#if KILN_GENERATED
#include "spirals.kiln.hpp"
#endif

namespace {

// Background of the decision picture: the predicted class at the center of each of n x n cells
// covering [-1, 1]^2, row 0 at the bottom.
template <kiln::model M>
std::vector<int> predicted_grid(const M& engine, std::span<const float> params, int n) {
  std::vector<float> x;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      x.push_back(-1.0f + 2.0f * (c + 0.5f) / n);
      x.push_back(-1.0f + 2.0f * (r + 0.5f) / n);
    }
  std::vector<float> y(std::size_t(n) * n * M::output_size);
  engine.forward(params, x, y, n * n);
  std::vector<int> classes(std::size_t(n) * n);
  for (std::size_t i = 0; i < classes.size(); ++i)
    classes[i] = kiln::predicted_class(
        std::span<const float>(y).subspan(i * M::output_size, M::output_size));
  return classes;
}

}  // namespace

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  const auto engine = examples::engine<examples::spirals>();

  // Training points, and fresh points from the same spiral (another noise draw) to test on.
  const kiln::dataset<float> data = kiln::make_spiral<float>(100, 3, 0.2, opt.seed);
  const kiln::dataset<float> test = kiln::make_spiral<float>(100, 3, 0.2, opt.seed + 1000);
  std::vector<float> params =
      examples::initial_params<examples::spirals>(kiln::init_scheme::he_uniform, opt.seed);
  kiln::optimizer<float> adam(kiln::adam{.lr = 0.02}, decltype(engine)::param_count);
  const kiln::fit_history history =
      kiln::fit(engine, std::span<float>(params), adam, data, test,
                {.epochs = opt.quick ? 400 : 1000, .batch_size = 32, .seed = opt.seed});
  if (history.diverged) {
    fmt::print("{}\n", history.message);
    return 1;
  }
  const double accuracy = kiln::accuracy(engine, std::span<const float>(params), data);
  const double test_accuracy = kiln::accuracy(engine, std::span<const float>(params), test);
  fmt::print(
      "spirals: 2 -> 10 -> 3 (relu, softmax), {} parameters, {} points, {} epochs of Adam, "
      "{} engine\n",
      decltype(engine)::param_count, data.size(), history.epochs.size(), examples::engine_name);
  const std::size_t count = history.epochs.size();
  for (std::size_t e : {std::size_t(0), count / 4, count / 2, 3 * count / 4, count - 1}) {
    const kiln::epoch_stats& s = history.epochs[e];
    fmt::print("  epoch {:>5}  loss {:.4f}  accuracy {:5.1f}%  test accuracy {:5.1f}%\n", e + 1,
               s.train_loss, 100 * s.train_metric, 100 * s.test_metric);
  }

  // Pictures: decision regions with the points on top, and the loss per epoch.
  kiln::plot::figure boundary("Spiral: decision regions of the 2-10-3 network", "x1", "x2");
  boundary.size(640, 640).x_range(-1, 1).y_range(-1, 1).background(
      160, 160, predicted_grid(engine, params, 160));
  for (int k = 0; k < 3; ++k) {
    std::vector<double> xs, ys;
    for (int i = 0; i < data.size(); ++i)
      if (kiln::predicted_class(data.targets_of(i)) == k) {
        xs.push_back(data.features_of(i)[0]);
        ys.push_back(data.features_of(i)[1]);
      }
    boundary.add_points(fmt::format("arm {}", k + 1), xs, ys, k, 3.5);
  }
  const std::string boundary_path = opt.picture("04_spirals_boundary.png");
  boundary.save(boundary_path);

  std::vector<double> epochs, losses, test_losses;
  for (const kiln::epoch_stats& s : history.epochs) {
    epochs.push_back(s.epoch + 1);
    losses.push_back(s.train_loss);
    test_losses.push_back(s.test_loss);
  }
  const std::string loss_path = opt.picture("04_spirals_loss.png");
  kiln::plot::figure("Spiral: training loss (Adam, batch 32)", "epoch", "cross-entropy loss")
      .add("training (mean over the epoch)", epochs, losses)
      .add("test (after the epoch)", epochs, test_losses)
      .log_y()
      .save(loss_path);
  fmt::print("pictures: {}\n          {}\n", boundary_path, loss_path);

  fmt::print("spirals: accuracy {:.1f}% ({}), on fresh test points {:.1f}%\n", 100 * accuracy,
             accuracy >= 0.95 ? ">= 95%" : "below 95%", 100 * test_accuracy);
  return accuracy >= 0.95 ? 0 : 1;
}
