// Runs the generated consumer::net next to the generic engine on fixed parameters and inputs;
// exits 1 when they disagree.
#include <cmath>
#include <cstdio>
#include <kiln/generic.hpp>
#include <vector>

#include "net.kiln.hpp"
#include "unrelated.hpp"

int main() {
  using generated = kiln::compiled<consumer::net, double>;
  static_assert(generated::param_count == consumer::net.param_count && generated::input_size == 3);
  std::vector<double> params(generated::param_count), x{0.5, -1.0, 2.0, 1.5, 0.25, -0.75};
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = 0.05 * double(i % 7) - 0.1;
  std::vector<double> y(2 * generated::output_size), want(y.size());
  generated{}.forward(params, x, y, 2);
  kiln::generic<double>(consumer::net).forward(params, x, want, 2);
  double worst = 0;
  for (std::size_t i = 0; i < y.size(); ++i) worst = std::max(worst, std::abs(y[i] - want[i]));
  std::printf("%s: consumer::net 3 -> 2, %d parameters, y[0] = %.6f, max difference %g\n",
              consumer::greeting, generated::param_count, y[0], worst);
  return worst <= 1e-12 ? 0 : 1;
}
