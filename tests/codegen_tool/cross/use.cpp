// Instantiates every network of the cross-generated header in float and double, so compiling it
// for aarch64 compiles the generated kernels for aarch64.
#include <vector>

#include "spec.kiln.hpp"

template <const auto& Spec, class T>
T run() {
  const kiln::compiled<Spec, T> engine;
  std::vector<T> p(engine.param_count, T(0.1)), x(engine.input_size * 3, T(0.5));
  std::vector<T> t(engine.output_size * 3, T(0)), d(p.size());
  return engine.loss_and_gradient(p, x, t, d, 3, kiln::train_pass{1});
}

int main() {
  const double sum = run<cross::small, float>() + run<cross::small, double>() +
                     run<cross::blocks, float>() + run<cross::blocks, double>() +
                     run<cross::wide, float>() + run<cross::wide, double>();
  return sum > 0 ? 0 : 1;
}
