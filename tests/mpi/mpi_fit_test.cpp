// Run under mpirun: `mpi_fit_test train` trains over the ranks (threads inside each) and checks
// that every rank ends with the same parameter bits, that they agree with one process trained on
// the same global batches, and that rank 0's checkpoint reads back as every rank's parameters.
// `die` and `hang` make rank 1 stop during training (exit, or stop calling MPI), for the test that
// the others end with an error in bounded time. `time` measures the allreduce of D's gradient.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <kiln/checkpoint.hpp>
#include <kiln/mpi.hpp>
#include <kiln/runtime.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {
constexpr auto net = kiln::network{kiln::input<5>,
                                   kiln::dense<16>,
                                   kiln::tanh,
                                   kiln::dropout(0.2),
                                   kiln::dense<3>,
                                   kiln::softmax,
                                   kiln::softmax_cross_entropy};
using T = double;

kiln::dataset<T> make_data(int n) {
  kiln::rng r(11);
  kiln::dataset<T> d(5, 3);
  for (int i = 0; i < n; ++i) {
    T x[5], t[3] = {0, 0, 0};
    for (T& v : x) v = T(r.uniform(-1, 1));
    t[(x[0] + x[1] > 0) + (x[2] > 0.5)] = 1;
    d.add(x, t);
  }
  return d;
}

std::uint64_t hash_of(const std::vector<T>& p) {
  std::uint64_t h = 1469598103934665603ull;
  const auto* b = reinterpret_cast<const unsigned char*>(p.data());
  for (std::size_t i = 0; i < p.size() * sizeof(T); ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

int fail(int rank, const std::string& what) {
  std::fprintf(stderr, "mpi_fit_test: rank %d: FAILED: %s\n", rank, what.c_str());
  return 1;
}

// A reducer that makes rank 1 exit (die) or stop calling MPI (hang) at its 4th sum.
class faulty_reducer : public kiln::mpi_reducer {
 public:
  faulty_reducer(bool hang, double timeout) : kiln::mpi_reducer(timeout), hang_(hang) {}
  void sum(std::span<double> v) override {
    if (rank() == 1 && ++count_ == 4) {
      if (hang_) std::this_thread::sleep_for(std::chrono::hours(1));
      std::_Exit(9);
    }
    kiln::mpi_reducer::sum(v);
  }
  using kiln::mpi_reducer::sum;

 private:
  bool hang_;
  int count_ = 0;
};

int train(const kiln::mpi_session& mpi, const std::string& dir) {
  const int rank = mpi.rank(), ranks = mpi.size();
  const auto m = kiln::generic<T>(net);
  const auto all = make_data(ranks * 120);
  const auto shard = kiln::dataset_shard(all, rank, ranks);
  const auto initial = kiln::initial_params(m, kiln::init_scheme::he_uniform, 3);
  std::vector<T> params = initial;
  kiln::mpi_reducer reducer(30);
  kiln::fit_options o{
      .epochs = 4, .batch_size = 20, .seed = 5, .progress = kiln::progress_mode::never};
  o.threads = 2;
  o.min_thread_work = 0;
  o.reducer = &reducer;
  kiln::optimizer<T> opt(kiln::adam{.lr = 0.01}, net.param_count);
  const auto h = kiln::fit(m, std::span<T>(params), opt, shard, o);
  if (h.steps != 4 * 6) return fail(rank, "steps " + std::to_string(h.steps));
  if (!kiln::mpi_all_equal(hash_of(params)))
    return fail(rank, "the ranks' parameters differ after training");
  if (!kiln::mpi_all_equal(hash_of(std::vector<T>{h.epochs.back().train_loss})))
    return fail(rank, "the ranks report different losses");

  // One process on the same global batches: rank 0's batch k, rank 1's, ...
  std::vector<T> ref = initial, grad(net.param_count), x, t, xr, tr;
  kiln::optimizer<T> ref_opt(kiln::adam{.lr = 0.01}, net.param_count);
  std::vector<kiln::dataset<T>> shards;
  for (int r = 0; r < ranks; ++r) shards.push_back(kiln::dataset_shard(all, r, ranks));
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    std::vector<kiln::minibatches<T>> b;
    for (int r = 0; r < ranks; ++r) b.emplace_back(shards[r], o.batch_size, o.seed, epoch);
    for (int k = 0; k < b[0].count(); ++k) {
      x.clear();
      t.clear();
      int n = 0;
      for (int r = 0; r < ranks; ++r) {
        n += b[r].gather(k, xr, tr);
        x.insert(x.end(), xr.begin(), xr.end());
        t.insert(t.end(), tr.begin(), tr.end());
      }
      const kiln::train_pass pass{
          kiln::mix_seed(o.seed ^ 0xd509, std::uint64_t(ref_opt.steps() + 1))};
      m.loss_and_gradient(ref, x, t, std::span<T>(grad), n, pass);
      ref_opt.step(ref, grad);
    }
  }
  double most = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) most = std::max(most, std::fabs(ref[i] - params[i]));
  if (!(most <= 1e-12)) return fail(rank, "differs from one process by " + std::to_string(most));

  // Rank 0 writes the checkpoint (atomically: temporary file, fsync, rename); all read it.
  const std::string path = dir + "/mpi_fit_test.ckpt";
  if (rank == 0) kiln::save_checkpoint<T>(path, net.nodes, params, &opt, h.epochs.size());
  kiln::mpi_barrier();
  std::vector<T> loaded(net.param_count);
  kiln::optimizer<T> loaded_opt(kiln::adam{.lr = 0.01}, net.param_count);
  kiln::load_checkpoint<T>(path, net.nodes, std::span<T>(loaded), &loaded_opt);
  if (loaded != params) return fail(rank, "the checkpoint differs from this rank's parameters");
  if (loaded_opt.steps() != opt.steps()) return fail(rank, "the checkpoint's step count differs");
  if (rank == 0)
    std::printf(
        "mpi_fit_test: %d ranks x 2 threads: same parameters on every rank (hash %016llx), "
        "%.3g from one process on the same global batches, checkpoint read back\n",
        ranks, static_cast<unsigned long long>(hash_of(params)), most);
  return 0;
}

int faulty(const kiln::mpi_session& mpi, bool hang) {
  const auto m = kiln::generic<T>(net);
  const auto shard = kiln::dataset_shard(make_data(mpi.size() * 120), mpi.rank(), mpi.size());
  auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 3);
  faulty_reducer reducer(hang, 3);
  kiln::fit_options o{.epochs = 4, .batch_size = 20, .progress = kiln::progress_mode::never};
  o.reducer = &reducer;
  kiln::optimizer<T> opt(kiln::adam{}, net.param_count);
  kiln::fit(m, std::span<T>(params), opt, shard, o);
  std::fprintf(stderr, "mpi_fit_test: rank %d finished training although rank 1 stopped\n",
               mpi.rank());
  return 0;
}

// The allreduce of D's 101,770-value float gradient: median and mean over 300 calls.
int time_allreduce(const kiln::mpi_session& mpi) {
  std::vector<float> g(101770, 1.0f);
  kiln::mpi_reducer r;
  std::vector<double> times;
  for (int i = 0; i < 330; ++i) {
    kiln::mpi_barrier();
    const auto start = std::chrono::steady_clock::now();
    r.sum(std::span<float>(g));
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= 30) times.push_back(s);
  }
  std::sort(times.begin(), times.end());
  double mean = 0;
  for (double s : times) mean += s / times.size();
  if (mpi.rank() == 0)
    std::printf(
        "allreduce of 101770 floats over %d ranks: median %.1f us, mean %.1f us, "
        "min %.1f us\n",
        mpi.size(), 1e6 * times[times.size() / 2], 1e6 * mean, 1e6 * times.front());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  kiln::mpi_session mpi(argc, argv);
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::string dir = argc > 2 ? argv[2] : ".";
  int status = 2;
  if (mode == "train")
    status = train(mpi, dir);
  else if (mode == "die" || mode == "hang")
    status = faulty(mpi, mode == "hang");
  else if (mode == "time")
    status = time_allreduce(mpi);
  else
    std::fprintf(stderr, "usage: mpirun -np N mpi_fit_test train|die|hang|time [DIR]\n");
  return status;
}
