// Example 7: SGD, momentum, RMSProp, Adam and AdamW train the same 2-32-32-3 network on the same
// spiral from the same initial weights and batch order; their loss curves share one plot.
#include <kiln/runtime.hpp>
#include <string>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "common/plot.hpp"
#include "optimizers.hpp"
#if KILN_GENERATED
#include "optimizers.kiln.hpp"
#endif

namespace {

struct run {
  std::string label;
  kiln::optimizer_config config;
  kiln::fit_history history = {};
  double accuracy = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  const auto engine = examples::engine<examples::optimizers_net>();
  using engine_type = decltype(engine);

  const kiln::dataset<float> data = kiln::make_spiral<float>(100, 3, 0.2, opt.seed);
  const std::vector<float> initial =
      examples::initial_params<examples::optimizers_net>(kiln::init_scheme::he_uniform, opt.seed);
  const int epochs = opt.quick ? 40 : 150;

  std::vector<run> runs = {
      {"SGD, lr 0.1", kiln::sgd{.lr = 0.1}},
      {"momentum 0.9, lr 0.01", kiln::sgd{.lr = 0.01, .momentum = 0.9}},
      {"RMSProp, lr 0.002", kiln::rmsprop{.lr = 0.002}},
      {"Adam, lr 0.005", kiln::adam{.lr = 0.005}},
      {"AdamW, lr 0.005, decay 0.05", kiln::adamw{.lr = 0.005, .weight_decay = 0.05}},
  };
  fmt::print(
      "optimizers: 2 -> 32 -> 32 -> 3 (relu), {} parameters, {} spiral points, {} epochs "
      "of batch 16, seed {}, {} engine\n\n",
      engine_type::param_count, data.size(), epochs, opt.seed, examples::engine_name);
  fmt::print("  {:<28} {:>12} {:>12} {:>10}\n", "optimizer", "first epoch", "last epoch",
             "accuracy");
  for (run& r : runs) {
    std::vector<float> params = initial;
    kiln::optimizer<float> o(r.config, engine_type::param_count);
    r.history = kiln::fit(engine, std::span<float>(params), o, data,
                          {.epochs = epochs, .batch_size = 16, .seed = opt.seed});
    r.accuracy = kiln::accuracy(engine, std::span<const float>(params), data);
    fmt::print("  {:<28} {:>12.4f} {:>12.4f} {:>9.1f}%{}\n", r.label,
               r.history.epochs.front().train_loss, r.history.epochs.back().train_loss,
               100 * r.accuracy, r.history.diverged ? "  (diverged)" : "");
  }

  kiln::plot::figure fig("Optimizers on the spiral (same weights, same batches)", "epoch",
                         "training loss");
  for (const run& r : runs) {
    std::vector<double> x, y;
    for (const kiln::epoch_stats& s : r.history.epochs) {
      x.push_back(s.epoch + 1);
      y.push_back(s.train_loss);
    }
    fig.add(r.label, x, y);
  }
  const std::string path = opt.picture("07_optimizers.png");
  fig.log_y().legend_at("top right").save(path);
  fmt::print("\npicture: {}\n", path);

  // Every optimizer lowers the loss; the adaptive ones (RMSProp, Adam, AdamW) end below SGD.
  const double sgd_last = runs[0].history.epochs.back().train_loss;
  bool ok = true;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const run& r = runs[i];
    ok = ok && !r.history.diverged &&
         r.history.epochs.back().train_loss < 0.5 * r.history.epochs.front().train_loss;
    if (i >= 2) ok = ok && r.history.epochs.back().train_loss < sgd_last;
  }
  fmt::print("optimizers: {}\n",
             ok ? "every loss fell; adaptive ones below SGD" : "NOT as expected");
  return ok ? 0 : 1;
}
