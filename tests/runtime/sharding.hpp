// Checks of a model's sharded calls against its plain ones, for any engine (the generic engine in
// parallel_test, generated engines in parallel_compiled_test): ragged batches, 1-4 threads,
// dropout masks, the same bits on every repeat and agreement to rounding with one call.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <kiln/runtime.hpp>
#include <string>
#include <vector>

namespace kiln_test {

template <class T>
double max_abs(const std::vector<T>& v) {
  double m = 0;
  for (T x : v) m = std::max(m, std::fabs(double(x)));
  return m;
}
template <class T>
double max_abs_difference(const std::vector<T>& a, const std::vector<T>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}

/// Random inputs in [-1, 1) and one-hot targets (or values in (0, 1) for one output).
template <class T>
kiln::dataset<T> random_data(int features, int targets, int n, std::uint64_t seed) {
  kiln::rng r(seed);
  kiln::dataset<T> d(features, targets);
  std::vector<T> x(features), t(targets);
  for (int i = 0; i < n; ++i) {
    for (T& v : x) v = T(r.uniform(-1, 1));
    if (targets == 1) {
      t[0] = T(r.uniform(0.05, 0.95));
    } else {
      std::fill(t.begin(), t.end(), T(0));
      t[r.below(std::uint64_t(targets))] = T(1);
    }
    d.add(x, t);
  }
  return d;
}

/// Sharded forward, loss and loss_and_gradient of engine m against one call, for ragged batches
/// and 1 to 4 threads; the gradient must agree to `tolerance` times its largest value.
template <kiln::trainable_model M>
void check_sharding(const M& m, const std::string& name, double tolerance, bool dropout) {
  using T = typename M::value_type;
  std::vector<T> params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 7);
  const int most = 100;
  const auto data = random_data<T>(M::input_size, M::output_size, most, 3);
  const kiln::train_pass pass{12345, 0};
  for (int threads = 1; threads <= 4; ++threads) {
    kiln::thread_pool pool(threads);
    kiln::sharded_model<M> sm(m, pool);
    for (int batch : {1, 3, 16, 17, 33, 64, 100}) {
      INFO(name << ": " << threads << " threads, batch " << batch);
      const std::span<const T> x(data.x.data(), std::size_t(batch) * M::input_size);
      const std::span<const T> t(data.y.data(), std::size_t(batch) * M::output_size);
      std::vector<T> g1(M::param_count), g2(M::param_count), g3(M::param_count);
      const T l1 = m.loss_and_gradient(params, x, t, std::span<T>(g1), batch, pass);
      const T l2 = sm.loss_and_gradient(params, x, t, std::span<T>(g2), batch, pass);
      const T l3 = sm.loss_and_gradient(params, x, t, std::span<T>(g3), batch, pass);
      CHECK(g2 == g3);  // the same bits on every repeat
      CHECK(l2 == l3);
      if (threads == 1) {
        CHECK(g1 == g2);  // one thread is the plain call
        CHECK(l1 == l2);
      }
      const double scale = std::max(max_abs(g1), 1e-30);
      CHECK(max_abs_difference(g1, g2) <= tolerance * scale);
      CHECK(double(l2) == Approx(double(l1)).epsilon(tolerance));

      std::vector<T> y1(std::size_t(batch) * M::output_size), y2(y1.size());
      m.forward(params, x, std::span<T>(y1), batch);
      sm.forward(params, x, std::span<T>(y2), batch);
      CHECK(max_abs_difference(y1, y2) <= tolerance * std::max(max_abs(y1), 1e-30));
      CHECK(double(sm.loss(params, x, t, batch)) ==
            Approx(double(m.loss(params, x, t, batch))).epsilon(tolerance));
    }
  }
  if (dropout) {
    // The masks follow first_sample: a shard numbered from 0 draws other masks than the same
    // samples numbered from 17, so sharding without the offset would change the gradient.
    const std::span<const T> x(data.x.data() + 17 * M::input_size, 16 * M::input_size);
    const std::span<const T> t(data.y.data() + 17 * M::output_size, 16 * M::output_size);
    std::vector<T> a(M::param_count), b(M::param_count);
    m.loss_and_gradient(params, x, t, std::span<T>(a), 16, kiln::train_pass{12345, 0});
    m.loss_and_gradient(params, x, t, std::span<T>(b), 16, kiln::train_pass{12345, 17});
    CHECK(max_abs_difference(a, b) > 100 * tolerance * max_abs(a));
  }
}

}  // namespace kiln_test
