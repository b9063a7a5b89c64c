// kiln::compare is a judge that can fail: an engine that is the generic one shifted by a known
// offset passes or fails exactly where the tolerances (1e-5 float, 1e-12 double) say, and
// measure_difference catches one wrong element.
#include <catch2/catch.hpp>
#include <kiln/compare.hpp>

namespace compare_test {
inline constexpr auto net =
    kiln::network{kiln::input<2>, kiln::dense<3>, kiln::tanh, kiln::dense<2>, kiln::mse};
/// Added to every output and to the first gradient entry of the fake engine below.
inline double offset = 0;
}  // namespace compare_test

/// A stand-in for generated code: the generic engine, off by compare_test::offset.
template <class T>
struct kiln::compiled<compare_test::net, T> {
  using net_type = std::remove_cvref_t<decltype(compare_test::net)>;
  static constexpr int input_size = net_type::input_size, output_size = net_type::output_size,
                       param_count = net_type::param_count;
  kiln::generic_model<T, net_type> engine{compare_test::net};

  void forward(std::span<const T> params, std::span<const T> x, std::span<T> y, int batch) const {
    engine.forward(params, x, y, batch);
    for (T& v : y) v += T(compare_test::offset);
  }
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> t,
                      std::span<T> d_params, int batch, kiln::train_pass pass = {}) const {
    const T loss = engine.loss_and_gradient(params, x, t, d_params, batch, pass);
    d_params[0] += T(compare_test::offset);
    return loss;
  }
};

namespace {
const kiln::compare_options quick{1, 1e-4};
template <class T>
bool agrees() {
  return kiln::detail::compare::compare_in<compare_test::net, T>(quick);
}
}  // namespace

TEST_CASE("kiln::compare accepts an engine equal to the generic one") {
  compare_test::offset = 0;
  CHECK(agrees<float>());
  CHECK(agrees<double>());
  CHECK(kiln::compare<compare_test::net>("compare_test::net", quick));
}

TEST_CASE("kiln::compare refuses differences beyond its tolerances") {
  compare_test::offset = 1e-3;  // beyond both
  CHECK_FALSE(agrees<float>());
  CHECK_FALSE(agrees<double>());
  compare_test::offset = 1e-9;  // below float's tolerance, far above double's
  CHECK(agrees<float>());
  CHECK_FALSE(agrees<double>());
  CHECK_FALSE(kiln::compare<compare_test::net>("compare_test::net", quick));
  compare_test::offset = 0;
}

TEST_CASE("compare_main: exit status 0 when all agree, 1 when one differs, 2 on a bad option") {
  char name[] = "compare", quick_flag[] = "--quick", bad[] = "--fast";
  char* good_args[] = {name, quick_flag};
  char* bad_args[] = {name, bad};
  compare_test::offset = 0;
  CHECK(kiln::compare_main(2, good_args, {kiln::compare_network<compare_test::net>("net")}) == 0);
  compare_test::offset = 1e-3;
  CHECK(kiln::compare_main(2, good_args, {kiln::compare_network<compare_test::net>("net")}) == 1);
  compare_test::offset = 0;
  CHECK(kiln::compare_main(2, bad_args, {kiln::compare_network<compare_test::net>("net")}) == 2);
}

TEST_CASE("measure_difference judges each element against its value and its group's largest") {
  // Two groups, as the gradients of a layer with large values and one with small values.
  const std::vector<double> want{1000, -2000, 0.001, -0.002, 0};
  const std::vector<std::size_t> groups{2, 5};
  auto off = [&](std::size_t i, double by) {
    std::vector<double> got = want;
    got[i] += by;
    return kiln::measure_difference<double>(got, want, groups);
  };
  CHECK(kiln::agrees<double>(off(0, 0)));
  CHECK(off(0, 0).max_rel == 0);
  // Rounding-sized differences pass: 1e-13 of the element's own value, or of its group's largest.
  CHECK(kiln::agrees<double>(off(0, 1000 * 1e-13)));
  CHECK(kiln::agrees<double>(off(4, 0.002 * 1e-13)));
  // A wrong element is caught even when it is tiny next to another layer's values: 1e-9 off 0.001
  // (1e-6 relative) was within the old bound, 1e-12 x the buffer's largest value (2e-9).
  const kiln::difference wrong = off(2, 1e-9);
  CHECK_FALSE(kiln::agrees<double>(wrong));
  CHECK(wrong.worst == 2);
  CHECK(wrong.max_abs == Approx(1e-9));
  CHECK(wrong.max_rel == Approx(1e-9 / (0.001 + 0.002)));
  // The floor is the group's largest value: 1e-12 x (1000 + 2000) is the limit for element 0.
  CHECK(kiln::agrees<double>(off(0, 2.9e-9)));
  CHECK_FALSE(kiln::agrees<double>(off(0, 3.1e-9)));
  // A zero group must be matched exactly; a non-finite value never agrees.
  CHECK_FALSE(kiln::agrees<double>(
      kiln::measure_difference<double>(std::vector<double>{1e-30}, std::vector<double>{0})));
  CHECK_FALSE(kiln::agrees<double>(off(1, INFINITY)));
  CHECK_FALSE(kiln::agrees<double>(off(1, NAN)));
  // In float the relative tolerance is 1e-5.
  const std::vector<float> want_f{1.0f, 0.5f};
  CHECK(kiln::agrees<float>(
      kiln::measure_difference<float>(std::vector<float>{1.0f + 1.5e-5f, 0.5f}, want_f)));
  CHECK_FALSE(kiln::agrees<float>(
      kiln::measure_difference<float>(std::vector<float>{1.0f + 2.5e-5f, 0.5f}, want_f)));
}
