// kernels::dense_single, the single sample's dense layer, on every path it takes (W in two
// registers, built column by column, an 8x8 transpose, register pairs, dot products along rows),
// with weights passed at run time, in float and double, in training order and in chains: against
// the sum in long double, to rounding.
#include <catch2/catch.hpp>
#include <cmath>
#include <kiln/kernels.hpp>
#include <random>
#include <vector>

namespace {

template <class T, int Out, int In>
void check_dense_single() {
  std::mt19937 gen(Out * 100 + In);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<T> w(Out * In + Out), x(In), y(Out);
  for (T& v : w) v = T(u(gen));
  for (T& v : x) v = T(u(gen));
  for (bool training : {true, false}) {
    std::fill(y.begin(), y.end(), T(-7));
    kiln::kernels::dense_single<Out, In, true>(y.data(), x.data(), w.data(), training);
    for (int o = 0; o < Out; ++o) {
      long double want = w[Out * In + o], scale = std::abs(want);
      for (int j = 0; j < In; ++j) {
        want += (long double)w[o * In + j] * x[j];
        scale += std::abs((long double)w[o * In + j] * x[j]);
      }
      INFO(Out << "x" << In << (training ? " training" : " inference") << ", row " << o);
      CHECK(std::abs(y[o] - want) <= 4 * In * std::numeric_limits<T>::epsilon() * scale);
    }
  }
}

template <class T>
void check_shapes() {
  check_dense_single<T, 1, 2>();
  check_dense_single<T, 4, 2>();
  check_dense_single<T, 1, 4>();
  check_dense_single<T, 10, 2>();
  check_dense_single<T, 3, 10>();
  check_dense_single<T, 8, 8>();
  check_dense_single<T, 5, 8>();
  check_dense_single<T, 8, 5>();
  check_dense_single<T, 7, 7>();
  check_dense_single<T, 6, 6>();
  check_dense_single<T, 16, 3>();
  check_dense_single<T, 2, 15>();
  check_dense_single<T, 12, 12>();
}

}  // namespace

TEST_CASE("dense_single agrees with the exact sum on every path", "[kernels]") {
  check_shapes<float>();
  check_shapes<double>();
}
