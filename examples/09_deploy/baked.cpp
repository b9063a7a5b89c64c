// Example 9, part 2: the spiral network with the weights part 1 trained and saved compiled in
// (kiln_add_network(... WEIGHTS spirals.safetensors)): no parameter buffer, no file read at run
// time. Prints the same predictions as part 1.
#include "probe.hpp"
#include "spirals.kiln.hpp"

int main() {
  using baked = kiln::baked<examples::spirals, float>;
  examples::deploy::print_predictions("baked",
                                      [](const float* x, float* y) { baked::forward(x, y); });
  return 0;
}
