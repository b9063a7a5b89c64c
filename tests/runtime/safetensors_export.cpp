// Writes the 2-4-1 XOR network's parameters ((i + 1) / 16) as safetensors, for
// fixtures/check_kiln_safetensors.py to read with an independent reader.
#include <kiln/dsl.hpp>
#include <kiln/safetensors.hpp>
#include <vector>

int main(int argc, char** argv) {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh,
                                     kiln::dense<1>, kiln::sigmoid,  kiln::binary_cross_entropy};
  std::vector<float> params(net.param_count);
  for (int i = 0; i < net.param_count; ++i) params[i] = float(i + 1) / 16;
  kiln::save_safetensors<float>(argc > 1 ? argv[1] : "kiln_2_4_1.safetensors", net.nodes, params);
}
