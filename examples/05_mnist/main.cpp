// Example 5: 784 -> 128 -> 10 on 10,000 real MNIST digits (fetched by tools/fetch_mnist.sh), 20%
// held out for testing; reaches >= 95% test accuracy and times an epoch of each engine.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <kiln/checkpoint.hpp>
#include <kiln/loaders.hpp>
#include <kiln/runtime.hpp>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "mnist.hpp"
#if KILN_GENERATED
#include "mnist.kiln.hpp"
#endif
#if KILN_HAVE_MPI
#include <kiln/mpi.hpp>
#include <memory>
#endif

namespace {

constexpr int skipped = 77;  // ctest's SKIP_RETURN_CODE

std::string default_data_dir() {
  if (const char* dir = std::getenv("KILN_CACHE_DIR")) return std::string(dir) + "/mnist";
  if (const char* dir = std::getenv("XDG_CACHE_HOME")) return std::string(dir) + "/kiln/mnist";
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.cache/kiln/mnist";
  return "mnist";
}

// Seconds per epoch of training steps alone (forward, backward, Adam; no evaluation), timed over
// the first `samples` samples of an epoch in batches of 32 and scaled to the whole training set.
template <kiln::trainable_model M>
double seconds_per_epoch(const M& engine, std::vector<float> params,
                         const kiln::dataset<float>& train_set, int samples, unsigned seed) {
  kiln::optimizer<float> adam(kiln::adam{.lr = 0.001}, M::param_count);
  const kiln::minibatches<float> batches(train_set, 32, seed, 0);
  std::vector<float> x, t, grad(M::param_count);
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < batches.count() && done < samples; ++k) {
    const int n = batches.gather(k, x, t);
    engine.loss_and_gradient(params, x, t, grad, n);
    adam.step(params, grad);
    done += n;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return seconds * train_set.size() / done;
}

}  // namespace

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  // --mpi: every rank trains on its own shard of the training digits, the gradient summed over
  // the ranks each step; rank 0 prints and saves.
  int rank = 0, ranks = 1;
  kiln::gradient_reducer* reducer = nullptr;
#if KILN_HAVE_MPI
  std::unique_ptr<kiln::mpi_session> mpi;
  std::unique_ptr<kiln::mpi_reducer> mpi_reducer;
  if (opt.mpi) {
    mpi = std::make_unique<kiln::mpi_session>(argc, argv);
    mpi_reducer = std::make_unique<kiln::mpi_reducer>();
    reducer = mpi_reducer.get();
    rank = mpi->rank();
    ranks = mpi->size();
    if (rank != 0 && !std::freopen("/dev/null", "w", stdout)) return 1;
  }
#else
  if (opt.mpi) {
    fmt::print(stderr, "mnist: --mpi: this build has no kiln_mpi (MPI was not found)\n");
    return 2;
  }
#endif
  const std::string dir = opt.data.empty() ? default_data_dir() : opt.data;
  const std::string images = dir + "/mnist-10k-images-idx3-ubyte";
  const std::string labels = dir + "/mnist-10k-labels-idx1-ubyte";
  if (!std::filesystem::exists(images) || !std::filesystem::exists(labels)) {
    fmt::print("mnist: SKIPPED: no digits in {}; fetch them with tools/fetch_mnist.sh {}\n", dir,
               dir);
    return skipped;
  }

  const kiln::dataset<float> all = kiln::load_idx_dataset(images, labels, 10);
  const auto [all_train, test_set] = kiln::train_test_split(all, 0.2, opt.seed);
  const kiln::dataset<float> train_set =
      ranks > 1 ? kiln::dataset_shard(all_train, rank, ranks) : all_train;
  const auto engine = examples::engine<examples::mnist>();
  using engine_type = decltype(engine);
  fmt::print(
      "mnist: 784 -> 128 -> 10 (relu, softmax), {} parameters; {} digits: {} to train, {} "
      "held out\n",
      engine_type::param_count, all.size(), train_set.size(), test_set.size());

  const std::vector<float> initial =
      examples::initial_params<examples::mnist>(kiln::init_scheme::he_uniform, opt.seed);
  std::vector<float> params = initial;
  // The global batch stays 32: 32 / ranks digits per rank and step.
  const int epochs = opt.quick ? 6 : 12, batch = std::max(1, 32 / ranks);
  const int steps = epochs * ((train_set.size() + batch - 1) / batch);
  kiln::optimizer<float> adam(kiln::adam{.lr = 0.002}, engine_type::param_count,
                              kiln::schedule::cosine(steps));
  kiln::fit_options fo{
      .epochs = epochs, .batch_size = batch, .seed = opt.seed, .evaluate_train = false};
  fo.threads = opt.threads;
  fo.reducer = reducer;
  const kiln::fit_history h =
      kiln::fit(engine, std::span<float>(params), adam, train_set, test_set, fo);
  if (h.diverged) {
    fmt::print("{}\n", h.message);
    return 1;
  }
  fmt::print("  Adam, lr 0.002 with cosine decay, batch {}, {} engine, {} thread{}{}\n", batch,
             examples::engine_name, opt.threads, opt.threads == 1 ? "" : "s",
             ranks > 1
                 ? fmt::format(" on each of {} MPI ranks ({} digits each)", ranks, train_set.size())
                 : "");
  const std::span<const kiln::node> nodes = examples::nodes<examples::mnist>();
  if (!opt.save.empty()) kiln::save_checkpoint<float>(opt.save, nodes, params, &adam, epochs);
  if (!opt.compare.empty()) {
    const kiln::checkpoint<float> other = kiln::read_checkpoint<float>(opt.compare, nodes);
    double most = 0, largest = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
      most = std::max(most, double(std::fabs(params[i] - other.params[i])));
      largest = std::max(largest, double(std::fabs(params[i])));
    }
    fmt::print("  largest parameter difference from {}: {:.3g} (largest parameter {:.3g})\n",
               opt.compare, most, largest);
  }
  for (const kiln::epoch_stats& s : h.epochs)
    fmt::print("  epoch {:>2}  training loss {:.4f}  test accuracy {:5.2f}%\n", s.epoch + 1,
               s.train_loss, 100 * s.test_metric);

  // Time per epoch of each engine, from the same initial weights and batches.
  const int timed = opt.quick ? 1024 : train_set.size();
  const double generic_seconds =
      seconds_per_epoch(kiln::generic<float>(examples::mnist), initial, train_set, timed, opt.seed);
  fmt::print("  time per epoch of training steps ({} samples{}):\n", train_set.size(),
             timed < train_set.size() ? fmt::format(", timed on the first {}", timed) : "");
  if constexpr (examples::generated) {
    const double generated_seconds = seconds_per_epoch(engine, initial, train_set, timed, opt.seed);
    fmt::print("    generated engine {:7.3f} s\n", generated_seconds);
    fmt::print("    generic engine   {:7.3f} s  ({:.1f}x slower)\n", generic_seconds,
               generic_seconds / generated_seconds);
  } else {
    fmt::print("    generic engine   {:7.3f} s  (kiln-gen not built: no generated engine)\n",
               generic_seconds);
  }

  const double accuracy = kiln::accuracy(engine, std::span<const float>(params), test_set);
  const kiln::confusion_matrix cm =
      kiln::confusion(engine, std::span<const float>(params), test_set);
  fmt::print("  confusion on the held-out digits (rows: true digit, columns: predicted)\n      ");
  for (int j = 0; j < 10; ++j) fmt::print("{:>5}", j);
  for (int i = 0; i < 10; ++i) {
    fmt::print("\n  {:>2}  ", i);
    for (int j = 0; j < 10; ++j) fmt::print("{:>5}", cm.at(i, j));
  }
  fmt::print("\n");
  fmt::print("mnist: test accuracy {:.2f}% ({})\n", 100 * accuracy,
             accuracy >= 0.95 ? ">= 95%" : "below 95%");
  return accuracy >= 0.95 ? 0 : 1;
}
