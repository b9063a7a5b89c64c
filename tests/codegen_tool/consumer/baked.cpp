// consumer::net with the weights `consumer --save` wrote baked in (kiln_add_network ... WEIGHTS):
// prints its output for the consumer's first sample and the sum of its weights.
#include <cstdio>

#include "net.kiln.hpp"

int main() {
  using baked = kiln::baked<consumer::net, double>;
  const double x[3] = {0.5, -1.0, 2.0};
  double y[baked::output_size];
  baked::forward(x, y);
  double sum = 0;
  for (int i = 0; i < baked::param_count; ++i) sum += baked::params[i];
  std::printf("baked: consumer::net %d parameters, y[0] = %.6f, weight sum %.4f\n",
              baked::param_count, y[0], sum);
  return 0;
}
