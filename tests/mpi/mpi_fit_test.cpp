// Run under mpirun: `mpi_fit_test train` trains over the ranks (threads inside each) and checks
// that every rank ends with the same parameter bits, that they agree with one process trained on
// the same global batches, and that rank 0's checkpoint reads back as every rank's parameters.
// `interrupt DIR` trains with checkpoints in DIR until rank 1 dies in epoch 11; `resume DIR` then
// resumes from them and checks that it ends bit-identical to an uninterrupted run.
// `die` and `hang` make rank 1 stop during training (exit, or stop calling MPI), for the test that
// the others end with an error in bounded time. `time` measures the allreduce of D's gradient.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <kiln/checkpoint.hpp>
#include <kiln/mpi.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../runtime/resume_net.hpp"

namespace {
// fit_worker's run (tests/runtime): its network, data, initial parameters and optimizer.
constexpr const auto& net = kiln_test::resume_net;
using T = double;

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

// A reducer that counts its sums; it makes rank 1 exit (die) or stop calling MPI (hang) at its
// sum number `stop_at` (never when 0).
class faulty_reducer : public kiln::mpi_reducer {
 public:
  enum class fault { none, die, hang };
  faulty_reducer(fault f, int stop_at, double timeout)
      : kiln::mpi_reducer(timeout), fault_(f), stop_at_(stop_at) {}
  void sum(std::span<double> v) override {
    if (++count_ == stop_at_ && rank() == 1 && fault_ != fault::none) {
      if (fault_ == fault::hang) std::this_thread::sleep_for(std::chrono::hours(1));
      std::_Exit(9);
    }
    kiln::mpi_reducer::sum(v);
  }
  using kiln::mpi_reducer::sum;
  int count() const { return count_; }

 private:
  fault fault_;
  int stop_at_, count_ = 0;
};

int train(const kiln::mpi_session& mpi, const std::string& dir) {
  const int rank = mpi.rank(), ranks = mpi.size();
  const auto m = kiln::generic<T>(net);
  const auto all = kiln_test::resume_data<T>(ranks);
  const auto shard = kiln::dataset_shard(all, rank, ranks);
  const auto initial = kiln_test::resume_initial_params<T>();
  std::vector<T> params = initial;
  kiln::mpi_reducer reducer(30);
  kiln::fit_options o = kiln_test::resume_options("");
  o.epochs = 4;
  o.batch_size = 20;
  o.patience = 0;
  o.threads = 2;
  o.min_thread_work = 0;
  o.reducer = &reducer;
  auto opt = kiln_test::resume_optimizer<T>();
  const auto h = kiln::fit(m, std::span<T>(params), opt, shard, o);
  if (h.steps != 4 * 6) return fail(rank, "steps " + std::to_string(h.steps));
  if (!kiln::mpi_all_equal(hash_of(params)))
    return fail(rank, "the ranks' parameters differ after training");
  if (!kiln::mpi_all_equal(hash_of(std::vector<T>{h.epochs.back().train_loss})))
    return fail(rank, "the ranks report different losses");

  // One process on the same global batches: rank 0's batch k, rank 1's, ...
  std::vector<T> ref = initial, grad(net.param_count), x, t, xr, tr;
  auto ref_opt = kiln_test::resume_optimizer<T>();
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
  auto loaded_opt = kiln_test::resume_optimizer<T>();
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

// fit_worker's run over the ranks, on 2 threads each, with checkpoints at `checkpoint`.
kiln::fit_history run(const kiln::mpi_session& mpi, const std::string& checkpoint,
                      kiln::gradient_reducer& reducer, std::vector<T>& params) {
  const auto shard =
      kiln::dataset_shard(kiln_test::resume_data<T>(mpi.size()), mpi.rank(), mpi.size());
  params = kiln_test::resume_initial_params<T>();
  auto opt = kiln_test::resume_optimizer<T>();
  kiln::fit_options o = kiln_test::resume_options(checkpoint);
  o.threads = 2;
  o.min_thread_work = 0;
  o.reducer = &reducer;
  return kiln::fit(kiln::generic<T>(net), std::span<T>(params), opt, shard, o);
}

// The sums of an epoch: its 8 steps' gradients (120 samples per rank, batch 16) and the epoch's
// losses; fit's first two sums check the shards and the starting state.
constexpr int sums_per_epoch = 8 + 1, sums_at_start = 2, interrupted_after = 10;

int faulty(const kiln::mpi_session& mpi, faulty_reducer::fault f, int stop_at,
           const std::string& checkpoint) {
  std::vector<T> params;
  faulty_reducer reducer(f, stop_at, 3);
  run(mpi, checkpoint, reducer, params);
  std::fprintf(stderr, "mpi_fit_test: rank %d finished training although rank 1 stopped\n",
               mpi.rank());
  return 0;
}

// Resumes the run `interrupt` left and compares it with an uninterrupted one.
int resume(const kiln::mpi_session& mpi, const std::string& checkpoint) {
  const int rank = mpi.rank();
  std::ifstream in(checkpoint, std::ios::binary);
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  if (!kiln::mpi_all_equal(hash_of(std::vector<T>(bytes.begin(), bytes.end()))))
    return fail(rank, "the ranks read different checkpoints");
  const long long epochs_done = kiln::read_checkpoint<T>(checkpoint, net.nodes).fit.epochs_done;
  if (epochs_done != interrupted_after)
    return fail(rank, "the checkpoint holds " + std::to_string(epochs_done) + " epochs");
  std::vector<T> resumed, full;
  faulty_reducer counted(faulty_reducer::fault::none, 0, 30),
      fresh(faulty_reducer::fault::none, 0, 30);
  const auto h = run(mpi, checkpoint, counted, resumed);
  const auto reference = run(mpi, "", fresh, full);
  if (counted.count() != fresh.count() - interrupted_after * sums_per_epoch)
    return fail(rank, "resumed with " + std::to_string(counted.count()) + " sums, the full run " +
                          "took " + std::to_string(fresh.count()) + ": it did not resume");
  if (resumed != full) return fail(rank, "the resumed parameters differ from an uninterrupted run");
  if (h.steps != reference.steps || h.epochs.size() != reference.epochs.size() ||
      h.epochs.back().train_loss != reference.epochs.back().train_loss)
    return fail(rank, "the resumed history differs from an uninterrupted run");
  if (!kiln::mpi_all_equal(hash_of(resumed))) return fail(rank, "the ranks' parameters differ");
  if (rank == 0)
    std::printf(
        "mpi_fit_test: resumed from epoch %lld of %zu over %d ranks: bit-identical to the "
        "uninterrupted run (hash %016llx)\n",
        epochs_done, h.epochs.size(), mpi.size(),
        static_cast<unsigned long long>(hash_of(resumed)));
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
    status = faulty(mpi, mode == "die" ? faulty_reducer::fault::die : faulty_reducer::fault::hang,
                    4, "");
  else if (mode == "interrupt") {
    const std::string checkpoint = dir + "/mpi_resume.ckpt";
    if (mpi.rank() == 0) std::remove(checkpoint.c_str());
    kiln::mpi_barrier();
    status = faulty(mpi, faulty_reducer::fault::die,
                    sums_at_start + interrupted_after * sums_per_epoch + 3, checkpoint);
  } else if (mode == "resume")
    status = resume(mpi, dir + "/mpi_resume.ckpt");
  else if (mode == "time")
    status = time_allreduce(mpi);
  else
    std::fprintf(stderr,
                 "usage: mpirun -np N mpi_fit_test train|die|hang|interrupt|resume|time [DIR]\n");
  return status;
}
