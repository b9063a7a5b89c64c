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
