// step has no gradient: asking for one is a compile error where it is asked for.
// expect: contains kiln::step, which has no gradient
#include <kiln/generic.hpp>
#include <vector>

inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<1>, kiln::step, kiln::mse};

int main() {
  auto engine = kiln::generic<float>(net);
  std::vector<float> params(net.param_count), x(2), t(1), grad(net.param_count);
#ifdef KILN_MUST_FAIL
  return int(engine.loss_and_gradient(params, x, t, grad, 1));  // <- error
#else
  engine.forward(params, x, t, 1);
  return int(t[0]);
#endif
}
