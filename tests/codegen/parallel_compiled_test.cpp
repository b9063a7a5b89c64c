// Sharded calls of generated engines against plain ones (float and double, dropout, layer_norm,
// loops, ragged batches and shards), and fit on threads with a generated engine: the same bits
// every run, one thread's parameters to rounding.
#include <architectures.kiln.hpp>

#include "../runtime/sharding.hpp"

TEST_CASE("sharded calls of generated engines agree with one call", "[parallel]") {
  using kiln_test::check_sharding;
  check_sharding(kiln::compiled<arch::dropout_net, float>{}, "dropout_net float", 2e-5, true);
  check_sharding(kiln::compiled<arch::dropout_net, double>{}, "dropout_net double", 1e-12, true);
  check_sharding(kiln::compiled<arch::wide_residual, float>{}, "wide_residual float", 2e-5, true);
  check_sharding(kiln::compiled<arch::wide_residual, double>{}, "wide_residual double", 1e-12,
                 true);
  check_sharding(kiln::compiled<arch::odd, float>{}, "odd float", 2e-5, false);
  check_sharding(kiln::compiled<arch::normalized, double>{}, "normalized double", 1e-12, false);
  check_sharding(kiln::compiled<arch::wide_input, float>{}, "wide_input float", 2e-5, true);
}

TEST_CASE("a step split by the first layer's units gives the bits of one call", "[parallel]") {
  // engine::units_head and units_tail: each thread its rows of the 80x30 (or 64x64) first layer
  // for the whole batch, the rest of the network on the whole batch, its rows of the weight
  // gradients; the update cut at the same rows.
  const auto check = [](const auto& m, const char* name) {
    using M = std::remove_cvref_t<decltype(m)>;
    using T = typename M::value_type;
    static_assert(M::splits_units);
    std::vector<T> params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 7);
    const auto data = kiln_test::random_data<T>(M::input_size, M::output_size, 100, 3);
    for (int threads = 2; threads <= 4; ++threads) {
      kiln::thread_pool pool(threads);
      kiln::sharded_model<M> sm(m, pool);
      for (int batch : {2, 3, 16, 17, 32, 33, 64, 100}) {
        INFO(name << ": " << threads << " threads, batch " << batch);
        const kiln::train_pass pass{99, std::uint64_t(batch)};
        const std::span<const T> x(data.x.data(), std::size_t(batch) * M::input_size);
        const std::span<const T> t(data.y.data(), std::size_t(batch) * M::output_size);
        std::vector<T> g1(M::param_count), g2(M::param_count, T(7));
        const T l1 = m.loss_and_gradient(params, x, t, std::span<T>(g1), batch, pass);
        double squares = -1;
        const T l2 = sm.loss_and_gradient(params, x, t, std::span<T>(g2), batch, pass, &squares);
        CHECK(l1 == l2);
        CHECK(g1 == g2);
        double want = 0;
        for (T g : g1) want += double(g) * g;
        CHECK(squares == Approx(want).epsilon(1e-12));
      }
      // The update's parts: contiguous, covering every parameter once, cut at the head's rows.
      int at = 0;
      for (int i = 0; i < threads; ++i) {
        const kiln::item_range r = kiln::sharded_model<M>::update_part(i, threads);
        CHECK(r.begin == at);
        if (i > 0 && r.begin < M::head.offset + M::head.out * M::head.in)
          CHECK((r.begin - M::head.offset) % M::head.in == 0);
        at = r.end;
      }
      CHECK(at == M::param_count);
    }
  };
  check(kiln::compiled<arch::wide_input, float>{}, "wide_input float");
  check(kiln::compiled<arch::wide_input, double>{}, "wide_input double");
  check(kiln::compiled<arch::wide, float>{}, "wide float");
  check(kiln::compiled<arch::wide, double>{}, "wide double");
}

TEST_CASE("a batch_norm network's training batch runs whole on any number of threads",
          "[parallel]") {
  using T = float;
  using M = kiln::compiled<arch::batch_normed, T>;
  static_assert(kiln::couples_samples<M>());
  const M m;
  std::vector<T> params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 7);
  const auto data = kiln_test::random_data<T>(6, 3, 100, 3);
  const kiln::train_pass pass{12345, 0};
  for (int threads = 1; threads <= 3; ++threads) {
    kiln::thread_pool pool(threads);
    kiln::sharded_model<M> sm(m, pool);
    for (int batch : {2, 17, 64, 100}) {
      INFO(threads << " threads, batch " << batch);
      const std::span<const T> x(data.x.data(), std::size_t(batch) * 6);
      const std::span<const T> t(data.y.data(), std::size_t(batch) * 3);
      std::vector<T> g1(M::param_count), g2(M::param_count);
      double squares = 0;
      CHECK(m.loss_and_gradient(params, x, t, std::span<T>(g1), batch, pass) ==
            sm.loss_and_gradient(params, x, t, std::span<T>(g2), batch, pass, &squares));
      CHECK(g1 == g2);
      double want = 0;  // in another order than the lanes' partial sums: equal to rounding
      for (T g : g1) want += double(g) * g;
      CHECK(squares == Approx(want).epsilon(1e-12));
      std::vector<T> s1(params), s2(params);
      m.update_running_stats(std::span<T>(s1), x, batch, pass);
      sm.update_running_stats(std::span<T>(s2), x, batch, pass);
      CHECK(s1 == s2);
      CHECK(s1 != params);
      // Inference (running statistics) is per sample: shards agree with one call.
      std::vector<T> y1(std::size_t(batch) * 3), y2(y1.size());
      m.forward(params, x, std::span<T>(y1), batch);
      sm.forward(params, x, std::span<T>(y2), batch);
      CHECK(kiln_test::max_abs_difference(y1, y2) <= 2e-5 * kiln_test::max_abs(y1));
    }
  }
}

TEST_CASE("fit on threads with a generated engine", "[parallel]") {
  const kiln::compiled<arch::wide_residual, float> m;
  const auto data = kiln_test::random_data<float>(32, 7, 300, 2);
  const auto run = [&](int threads) {
    auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 5);
    kiln::optimizer<float> opt(kiln::adam{.lr = 0.003}, arch::wide_residual.param_count);
    kiln::fit_options o{
        .epochs = 3, .batch_size = 40, .seed = 3, .progress = kiln::progress_mode::never};
    o.threads = threads;
    o.min_thread_work = 0;
    const auto h = kiln::fit(m, std::span<float>(params), opt, data, o);
    return std::make_pair(params, h.epochs.back().train_loss);
  };
  const auto one = run(1), two = run(2), again = run(2), three = run(3);
  CHECK(two.first == again.first);
  CHECK(two.second == again.second);
  CHECK(two.first != one.first);
  CHECK(kiln_test::max_abs_difference(one.first, two.first) <= 1e-4);
  CHECK(kiln_test::max_abs_difference(one.first, three.first) <= 1e-4);
  CHECK(two.second == Approx(one.second).epsilon(1e-4));
}

TEST_CASE("a sharded step that gathers its own shards gives the gradient and its sum of squares",
          "[parallel]") {
  // The generated engine's two-phase step (shard_tiles, shard_rows) with fit's per-thread fill.
  using M = kiln::compiled<arch::wide_residual, float>;
  const M m;
  const auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 5);
  const auto data = kiln_test::random_data<float>(32, 7, 100, 2);
  for (int threads = 2; threads <= 4; ++threads) {
    kiln::thread_pool pool(threads);
    kiln::sharded_model<M> sm(m, pool);
    for (int batch : {17, 20, 33, 40, 64}) {
      INFO(threads << " threads, batch " << batch);
      const std::span<const float> x(data.x.data(), std::size_t(batch) * M::input_size);
      const std::span<const float> t(data.y.data(), std::size_t(batch) * M::output_size);
      std::vector<float> g1(M::param_count), g2(M::param_count, 7.0f);
      std::vector<float> xs(x.size()), ts(t.size());
      const float l1 = m.loss_and_gradient(params, x, t, std::span<float>(g1), batch);
      double squares = -1;
      const float l2 = sm.loss_and_gradient(
          params, xs, ts, std::span<float>(g2), batch, {}, &squares, [&](kiln::item_range r) {
            std::copy(x.begin() + r.begin * M::input_size, x.begin() + r.end * M::input_size,
                      xs.begin() + r.begin * M::input_size);
            std::copy(t.begin() + r.begin * M::output_size, t.begin() + r.end * M::output_size,
                      ts.begin() + r.begin * M::output_size);
          });
      CHECK(l2 == Approx(l1).epsilon(2e-5));
      CHECK(kiln_test::max_abs_difference(g1, g2) <= 2e-5 * kiln_test::max_abs(g1));
      double want = 0;
      for (float g : g2) want += double(g) * g;
      CHECK(squares == Approx(want).epsilon(1e-12));
    }
  }
}
