// Example 3: universal approximation. One hidden layer of 16 tanh units fits sin(x) on [-pi, pi];
// reports the maximum error on a fine grid and plots the target against the fit.
#include <cmath>
#include <kiln/runtime.hpp>
#include <numbers>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "common/plot.hpp"
#include "sine.hpp"
#if KILN_GENERATED
#include "sine.kiln.hpp"
#endif

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  const auto engine = examples::engine<examples::sine>();
  constexpr double pi = std::numbers::pi;

  const auto sine = [](double x) { return std::sin(x); };
  const kiln::dataset<float> data =
      kiln::make_noisy_function<float>(sine, 512, -pi, pi, 0.0, opt.seed);
  std::vector<float> params =
      examples::initial_params<examples::sine>(kiln::init_scheme::xavier_uniform, opt.seed);
  // Adam with a cosine learning-rate decay: large steps first, fine ones at the end.
  const int epochs = opt.quick ? 300 : 1000, batch = 32;
  const int steps = epochs * ((data.size() + batch - 1) / batch);
  kiln::optimizer<float> adam(kiln::adam{.lr = 0.02}, decltype(engine)::param_count,
                              kiln::schedule::cosine(steps, 0.01));
  const kiln::fit_history history =
      kiln::fit(engine, std::span<float>(params), adam, data,
                {.epochs = epochs, .batch_size = batch, .seed = opt.seed});
  if (history.diverged) {
    fmt::print("{}\n", history.message);
    return 1;
  }

  // The fit on 2001 evenly spaced points, four times as dense as the training points.
  constexpr int grid = 2001;
  std::vector<float> xs(grid), ys(grid);
  for (int i = 0; i < grid; ++i) xs[i] = float(-pi + 2 * pi * i / (grid - 1));
  engine.forward(params, xs, ys, grid);
  double max_error = 0, where = 0;
  std::vector<double> gx(grid), target(grid), fit(grid);
  for (int i = 0; i < grid; ++i) {
    gx[i] = xs[i];
    target[i] = std::sin(double(xs[i]));
    fit[i] = ys[i];
    if (std::abs(fit[i] - target[i]) > max_error) {
      max_error = std::abs(fit[i] - target[i]);
      where = gx[i];
    }
  }
  fmt::print(
      "sine: 1 -> 16 -> 1 (tanh), {} parameters, {} training points, {} epochs of Adam (cosine "
      "decay), {} engine\n",
      decltype(engine)::param_count, data.size(), history.epochs.size(), examples::engine_name);
  fmt::print("  final training mse {:.2e}\n", history.epochs.back().train_loss);
  fmt::print("  maximum |network(x) - sin(x)| on {} points of [-pi, pi]: {:.4f} at x = {:.3f}\n",
             grid, max_error, where);

  std::vector<double> error50(grid);  // the error, magnified to be seen
  for (int i = 0; i < grid; ++i) error50[i] = 50 * (fit[i] - target[i]);
  const std::string path = opt.picture("03_sine.png");
  kiln::plot::figure(fmt::format("sin(x) and a 1-16-1 tanh network (max error {:.3f})", max_error),
                     "x", "y")
      .add("sin(x)", gx, target, {.width = 4, .color_index = 0})
      .add("network", gx, fit, {.width = 2, .dashed = true, .color_index = 1})
      .add("error x 50", gx, error50, {.width = 1.5, .color_index = 3})
      .legend_at("top left")
      .save(path);
  fmt::print("picture: {}\n", path);

  const double bound = opt.quick ? 0.05 : 0.01;
  fmt::print("sine: max error {:.4f} ({} {})\n", max_error, max_error < bound ? "<" : ">=", bound);
  return max_error < bound ? 0 : 1;
}
