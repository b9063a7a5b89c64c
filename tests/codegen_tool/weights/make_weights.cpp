// Writes the weight files of the kiln-gen --weights tests into the directory argv[1]: files that
// fit weights_test::net (safetensors F32, checkpoint F64) and files that do not (another network's
// checkpoint, another shape, a missing tensor, an extra layer, a non-finite weight); and weights
// of the spiral and MNIST example networks for the Cortex-M4F test.
#include <cmath>
#include <kiln/checkpoint.hpp>
#include <kiln/dsl.hpp>
#include <kiln/safetensors.hpp>
#include <string>
#include <vector>

#include "04_spirals/spirals.hpp"
#include "05_mnist/mnist.hpp"
#include "net.hpp"

namespace {

// A network's parameters: i-th value 0.01 i - 0.3, so that every file differs from the next.
template <class Net>
void save(const std::string& path, const Net& net, bool checkpoint, double poison = 0) {
  std::vector<double> p(Net::param_count);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = 0.01 * double(i) - 0.3;
  if (poison != 0) p[p.size() - 1] = poison;
  if (checkpoint)
    kiln::save_checkpoint<double>(path, net.nodes, p, nullptr, 0);
  else
    kiln::save_safetensors<double>(path, net.nodes, p, kiln::safetensors_dtype::f32);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  save(dir + "/good.safetensors", weights_test::net, false);
  save(dir + "/good.ckpt", weights_test::net, true);
  save(dir + "/other_network.ckpt",
       kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh, kiln::dense<1>, kiln::sigmoid,
                     kiln::binary_cross_entropy},
       true);
  save(dir + "/other_shape.safetensors",
       kiln::network{kiln::input<2>, kiln::dense<8>, kiln::relu, kiln::dense<3>, kiln::softmax},
       false);
  save(dir + "/missing_tensor.safetensors",
       kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu, kiln::dense_no_bias<3>,
                     kiln::softmax},
       false);
  save(dir + "/other_layers.safetensors",
       kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu, kiln::dense<3>, kiln::softmax,
                     kiln::dense<3>},
       false);
  save(dir + "/not_finite.safetensors", weights_test::net, false, INFINITY);
  save(dir + "/spirals.safetensors", examples::spirals, false);
  save(dir + "/mnist.safetensors", examples::mnist, false);
  return 0;
}
