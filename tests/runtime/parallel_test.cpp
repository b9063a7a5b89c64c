// Threads: the pool, shards, sharded calls of the generic engine against plain ones (float and
// double, dropout, ragged batches), fit on threads bit-for-bit reproducible and in agreement with
// one thread, the metrics on threads, the optimizer step in parts, and fit over two "processes"
// joined by an in-memory gradient_reducer against one process on the same global batches.
#include <array>
#include <atomic>
#include <barrier>
#include <catch2/catch.hpp>
#include <kiln/runtime.hpp>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sharding.hpp"

namespace {
constexpr auto spirals =
    kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu,
                  kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
constexpr auto mixed = kiln::network{kiln::input<6>,
                                     kiln::dense<12>,
                                     kiln::tanh,
                                     kiln::dropout(0.3),
                                     kiln::residual{kiln::dense<12>, kiln::relu, kiln::dense<12>},
                                     kiln::layer_norm,
                                     kiln::dense<4>,
                                     kiln::softmax,
                                     kiln::softmax_cross_entropy};
constexpr auto regression = kiln::network{kiln::input<3>,     kiln::dense<8>, kiln::elu,
                                          kiln::dropout(0.5), kiln::dense<1>, kiln::mse};
const kiln::fit_options quiet{.progress = kiln::progress_mode::never};
}  // namespace

TEST_CASE("the pool runs every part, every time, and rethrows", "[parallel]") {
  for (int threads : {1, 2, 3, 5}) {
    kiln::thread_pool pool(threads);
    REQUIRE(pool.size() == threads);
    std::vector<long long> hits(threads, 0);
    for (int round = 0; round < 2000; ++round) pool.run([&](int i) { hits[i] += i + 1; });
    for (int i = 0; i < threads; ++i) CHECK(hits[i] == 2000LL * (i + 1));
    // The lowest part's exception comes out; the pool still works afterwards.
    CHECK_THROWS_WITH(pool.run([&](int i) {
      if (i == threads - 1) throw std::runtime_error("part " + std::to_string(i));
    }),
                      "part " + std::to_string(threads - 1));
    std::atomic<int> count{0};
    pool.run([&](int) { ++count; });
    CHECK(count == threads);
  }
  CHECK(kiln::thread_pool(0).size() >= 1);
}

TEST_CASE("shards are contiguous, in order, aligned and cover everything", "[parallel]") {
  for (int n : {0, 1, 15, 16, 17, 32, 33, 100, 4097})
    for (int parts : {1, 2, 3, 7})
      for (int grain : {1, 4, 16}) {
        int next = 0;
        for (int i = 0; i < parts; ++i) {
          const kiln::item_range r = kiln::shard_of(n, parts, i, grain);
          CHECK(r.begin == next);
          CHECK(r.end >= r.begin);
          if (i + 1 < parts) CHECK((r.end % grain == 0 || r.end == n));
          next = r.end;
        }
        CHECK(next == n);
      }
  CHECK(kiln::shard_of(32, 2, 0, 16).size() == 16);
  CHECK(kiln::shard_of(33, 2, 1, 16).size() == 17);
  CHECK(kiln::shard_of(256, 2, 1, 16).size() == 128);
}

TEST_CASE("fit's thread rule: one thread for small steps", "[parallel]") {
  CHECK(kiln::training_threads(2, 32, 17) == 1);       // A
  CHECK(kiln::training_threads(2, 256, 101770) == 2);  // D
  CHECK(kiln::training_threads(8, 32, 101770) == 3);   // 3.3M multiply-adds
  CHECK(kiln::training_threads(2, 32, 17, 0) == 2);    // min_work 0: as asked
  CHECK(kiln::training_threads(0, 1 << 20, 1 << 20) >= 1);
}

TEST_CASE("sharded calls of the generic engine agree with one call", "[parallel]") {
  kiln_test::check_sharding(kiln::generic<float>(spirals), "spirals float", 2e-6, false);
  kiln_test::check_sharding(kiln::generic<double>(spirals), "spirals double", 1e-14, false);
  kiln_test::check_sharding(kiln::generic<float>(mixed), "mixed float", 2e-6, true);
  kiln_test::check_sharding(kiln::generic<double>(mixed), "mixed double", 1e-14, true);
  kiln_test::check_sharding(kiln::generic<double>(regression), "regression double", 1e-14, true);
}

TEST_CASE("the optimizer step in parts computes the step's bits", "[parallel]") {
  for (const kiln::optimizer_config c :
       {kiln::optimizer_config{kiln::adam{}}, kiln::optimizer_config{kiln::sgd{.momentum = 0.9}},
        kiln::optimizer_config{kiln::rmsprop{}}, kiln::optimizer_config{kiln::adamw{}}}) {
    const int n = 1000;
    std::vector<float> a(n), b(n), g(n);
    kiln::rng r(4);
    for (int i = 0; i < n; ++i) {
      a[i] = b[i] = float(r.uniform(-1, 1));
      g[i] = float(r.uniform(-1, 1));
    }
    kiln::optimizer<float> one(c, n), parts(c, n);
    std::vector<float> previous(n);
    for (int step = 0; step < 3; ++step) {
      one.step(a, g);
      const auto plan = parts.begin_step();
      const std::vector<float> before = b;
      // Ends inside a vector register too: the last values go through the same instructions.
      CHECK(parts.update(plan, b.data(), g.data(), 603, 1000, previous.data()));
      CHECK(parts.update(plan, b.data(), g.data(), 5, 603, previous.data()));
      CHECK(parts.update(plan, b.data(), g.data(), 0, 5, previous.data()));
      CHECK(previous == before);
    }
    CHECK(a == b);
    CHECK(parts.steps() == 3);
    CHECK(std::vector<float>(one.state().begin(), one.state().end()) ==
          std::vector<float>(parts.state().begin(), parts.state().end()));
    // update says when a new value is not finite, wherever it is in the range.
    for (int at : {0, 6, 999}) {
      kiln::optimizer<float> o = parts;
      std::vector<float> w = b, bad = g;
      bad[at] = std::numeric_limits<float>::infinity();
      const auto plan = o.begin_step();
      CHECK(o.update(plan, w.data(), g.data(), 0, n));
      CHECK_FALSE(o.update(plan, w.data(), bad.data(), 0, n));
    }
  }
}

TEST_CASE("the metrics on threads give the serial bits", "[parallel]") {
  const auto m = kiln::generic<float>(spirals);
  const auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  const auto data = kiln::make_spiral(700, 3, 0.2, 5);  // 2100 samples: ragged chunks
  const std::span<const float> p(params);
  for (int threads : {1, 2, 3}) {
    kiln::thread_pool pool(threads);
    CHECK(kiln::accuracy(pool, m, p, data) == kiln::accuracy(m, p, data));
    CHECK(kiln::mean_loss(pool, m, p, data) == kiln::mean_loss(m, p, data));
    CHECK(kiln::confusion(pool, m, p, data).counts == kiln::confusion(m, p, data).counts);
    kiln::sharded_model<decltype(m)> sm(m, pool);
    CHECK(kiln::mean_squared_error(sm, p, data) == kiln::mean_squared_error(m, p, data));
  }
}

namespace {
template <class T, class Net>
std::pair<std::vector<T>, kiln::fit_history> train(const Net& net, int threads,
                                                   const kiln::dataset<T>& data,
                                                   const kiln::dataset<T>& test, int batch) {
  const auto m = kiln::generic<T>(net);
  auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 9);
  kiln::optimizer<T> opt(kiln::adam{.lr = 0.01}, Net::param_count);
  kiln::fit_options o = quiet;
  o.epochs = 4;
  o.batch_size = batch;
  o.seed = 21;
  o.clip_norm = 0.5;
  o.threads = threads;
  o.min_thread_work = 0;
  const auto h = kiln::fit(m, std::span<T>(params), opt, data, test, o);
  return {params, h};
}
}  // namespace

TEST_CASE("fit on threads: the same bits every run, one thread's result to rounding",
          "[parallel]") {
  // 250 samples in batches of 24: ragged shards and a ragged last batch.
  const auto data = kiln_test::random_data<double>(6, 4, 250, 8);
  const auto test = kiln_test::random_data<double>(6, 4, 90, 9);
  const auto one = train<double>(mixed, 1, data, test, 24);
  for (int threads : {2, 3}) {
    INFO(threads << " threads");
    const auto a = train<double>(mixed, threads, data, test, 24);
    const auto b = train<double>(mixed, threads, data, test, 24);
    CHECK(a.first == b.first);
    REQUIRE(a.second.epochs.size() == 4);
    CHECK(a.second.epochs.back().train_loss == b.second.epochs.back().train_loss);
    CHECK(a.second.steps == one.second.steps);
    CHECK(kiln_test::max_abs_difference(a.first, one.first) <= 1e-10);
    CHECK(a.first != one.first);  // summed in another order: not the same bits
    CHECK(a.second.epochs.back().test_loss ==
          Approx(one.second.epochs.back().test_loss).epsilon(1e-9));
  }
  const auto fdata = kiln::dataset_cast<float>(data);
  const auto ftest = kiln::dataset_cast<float>(test);
  const auto f1 = train<float>(mixed, 1, fdata, ftest, 24);
  const auto f2 = train<float>(mixed, 2, fdata, ftest, 24);
  CHECK(f2.first == train<float>(mixed, 2, fdata, ftest, 24).first);
  CHECK(kiln_test::max_abs_difference(f1.first, f2.first) <= 1e-4);
}

namespace {
// Two "processes" as two threads of this one: sum() adds both buffers through shared memory.
class shared_reducer : public kiln::gradient_reducer {
 public:
  struct hub {
    std::barrier<> sync{2};
    std::vector<double> slot[2];
  };
  shared_reducer(hub& h, int rank) : hub_(&h), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return 2; }
  void sum(std::span<float> v) override { add(v); }
  void sum(std::span<double> v) override { add(v); }

 private:
  template <class T>
  void add(std::span<T> v) {
    hub_->slot[rank_].assign(v.begin(), v.end());
    hub_->sync.arrive_and_wait();
    // rank 0's values first on both, so both get the same bits
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = T(T(hub_->slot[0][i]) + T(hub_->slot[1][i]));
    hub_->sync.arrive_and_wait();
  }
  hub* hub_;
  int rank_;
};
}  // namespace

TEST_CASE("fit over two processes: the same parameters on both, one process's to rounding",
          "[parallel]") {
  using T = double;
  const auto m = kiln::generic<T>(regression);  // dropout: the masks must follow the ranks
  const auto all = kiln_test::random_data<T>(3, 1, 200, 5);
  const auto initial = kiln::initial_params(m, kiln::init_scheme::he_uniform, 4);
  const int epochs = 3, batch = 16;
  kiln::fit_options o = quiet;
  o.epochs = epochs;
  o.batch_size = batch;
  o.seed = 6;
  o.threads = 2;
  o.min_thread_work = 0;
  shared_reducer::hub hub;
  std::vector<T> rank_params[2] = {initial, initial};
  kiln::fit_history rank_history[2];
  std::thread ranks[2];
  for (int r = 0; r < 2; ++r)
    ranks[r] = std::thread([&, r] {
      shared_reducer reducer(hub, r);
      kiln::fit_options mine = o;
      mine.reducer = &reducer;
      kiln::optimizer<T> opt(kiln::adam{.lr = 0.01}, regression.param_count);
      rank_history[r] =
          kiln::fit(m, std::span<T>(rank_params[r]), opt, kiln::dataset_shard(all, r, 2), mine);
    });
  for (std::thread& t : ranks) t.join();
  CHECK(rank_params[0] == rank_params[1]);
  CHECK(rank_history[0].epochs.back().train_loss == rank_history[1].epochs.back().train_loss);
  CHECK(rank_history[0].steps == epochs * (100 / batch + 1));

  // One process on the same global batches: rank 0's batch k, then rank 1's.
  std::vector<T> params = initial, grad(regression.param_count), x, t, x1, t1;
  kiln::optimizer<T> opt(kiln::adam{.lr = 0.01}, regression.param_count);
  const kiln::dataset<T> shard[2] = {kiln::dataset_shard(all, 0, 2),
                                     kiln::dataset_shard(all, 1, 2)};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const kiln::minibatches<T> b0(shard[0], batch, o.seed, epoch),
        b1(shard[1], batch, o.seed, epoch);
    for (int k = 0; k < b0.count(); ++k) {
      const int n = b0.gather(k, x, t);
      b1.gather(k, x1, t1);
      x.insert(x.end(), x1.begin(), x1.end());
      t.insert(t.end(), t1.begin(), t1.end());
      const kiln::train_pass pass{kiln::mix_seed(o.seed ^ 0xd509, std::uint64_t(opt.steps() + 1))};
      m.loss_and_gradient(params, x, t, std::span<T>(grad), 2 * n, pass);
      opt.step(params, grad);
    }
  }
  CHECK(kiln_test::max_abs_difference(params, rank_params[0]) <= 1e-12);
  CHECK(kiln_test::max_abs(params) > 0.1);
}

namespace {
// What fit throws on each of two threads standing for two processes, when rank r's parameters
// are initialized with seed 4 + seed_step r and it trains on 10 + size_step r samples.
std::array<std::string, 2> fit_errors_on_two_ranks(int seed_step, int size_step) {
  shared_reducer::hub hub;
  const auto m = kiln::generic<double>(regression);
  std::array<std::string, 2> message;
  std::thread ranks[2];
  for (int r = 0; r < 2; ++r)
    ranks[r] = std::thread([&, r] {
      shared_reducer reducer(hub, r);
      auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 4 + seed_step * r);
      kiln::optimizer<double> opt(kiln::sgd{}, regression.param_count);
      kiln::fit_options o = quiet;
      o.reducer = &reducer;
      try {
        kiln::fit(m, std::span<double>(params), opt,
                  kiln_test::random_data<double>(3, 1, 10 + size_step * r, 1), o);
      } catch (const std::invalid_argument& e) {
        message[r] = e.what();
      }
    });
  for (std::thread& t : ranks) t.join();
  return message;
}
}  // namespace

TEST_CASE("fit over processes refuses shards of different sizes", "[parallel]") {
  const auto message = fit_errors_on_two_ranks(0, 1);
  CHECK(message[0] ==
        "kiln::fit: the processes' training shards differ in size (process 0 has 10 samples, 21 "
        "in all over 2); give each the same number (kiln::dataset_shard)");
  CHECK(message[1].find("process 1 has 11 samples") != std::string::npos);
}

TEST_CASE("fit over processes refuses different starting parameters", "[parallel]") {
  // Rank 1 initialized with another seed: the gradients would be summed over two networks.
  const auto message = fit_errors_on_two_ranks(1, 0);
  CHECK(message[0] ==
        "kiln::fit: the processes start from different parameters or optimizer states (process 0 "
        "starts afresh); give every process the same initial parameters, and the same checkpoint "
        "to resume from (on a file system they all see)");
  CHECK(message[1].find("(process 1 starts afresh)") != std::string::npos);
}
