// RTNeural's compile-time models (ModelT) of the latency networks, for the batch-1 table: built
// once per backend (KILN_RTNEURAL_BACKEND eigen, xsimd or stl, each in its own RTNEURAL_NAMESPACE),
// only when KILN_RTNEURAL_DIR names an RTNeural checkout. The weights are the baked ones.
#include <RTNeural/RTNeural.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "latency.hpp"

namespace {

namespace rt = RTNEURAL_NAMESPACE;

// Copies Kiln's dense layers (W[out][in] row-major, then b[out], in order) into the model's.
template <class Model>
void load(Model& model, std::span<const float> params) {
  std::size_t offset = 0;
  const auto dense = [&](auto& layer) {
    using layer_type = std::remove_cvref_t<decltype(layer)>;
    if constexpr (requires { layer.setBias(params.data()); }) {
      const int in = layer_type::in_size, out = layer_type::out_size;
      std::vector<std::vector<float>> w(static_cast<std::size_t>(out),
                                        std::vector<float>(static_cast<std::size_t>(in)));
      for (int o = 0; o < out; ++o)
        for (int i = 0; i < in; ++i) w[std::size_t(o)][std::size_t(i)] = params[offset++];
      layer.setWeights(w);
      layer.setBias(params.data() + offset);
      offset += std::size_t(out);
    }
  };
  std::apply([&](auto&... layer) { (dense(layer), ...); }, model.getLayers());
  model.reset();
}

template <class Model>
void add_model(const char* name) {
  namespace lat = bench::latency;
  lat::network_info* n = lat::find_network(name);
  if (n == nullptr) return;
  static auto model = std::make_unique<Model>();
  load(*model, n->params);
  constexpr int in = Model::input_size, out = Model::output_size;
  const auto call = [](const float* x, float* y) {
    model->forward(x);
    std::copy(model->getOutputs(), model->getOutputs() + out, y);
  };
  alignas(64) float x[in + 16] = {}, y[out];
  for (int j = 0; j < in; ++j) x[j] = std::sin(0.37f * float(j));
  call(x, y);
  lat::agree(name, std::string("rtneural_") + KILN_RTNEURAL_BACKEND_NAME,
             std::span<const float>(y, out));
  lat::add(name, std::string("rtneural_") + KILN_RTNEURAL_BACKEND_NAME, in, out, call);
}

}  // namespace

void bench::latency::KILN_RTNEURAL_REGISTER() {
  add_model<rt::ModelT<float, 2, 1, rt::DenseT<float, 2, 4>, rt::TanhActivationT<float, 4>,
                       rt::DenseT<float, 4, 1>, rt::SigmoidActivationT<float, 1>>>("A");
  add_model<rt::ModelT<float, 2, 3, rt::DenseT<float, 2, 10>, rt::ReLuActivationT<float, 10>,
                       rt::DenseT<float, 10, 3>, rt::SoftmaxActivationT<float, 3>>>("B");
  add_model<
      rt::ModelT<float, 8, 1, rt::DenseT<float, 8, 8>, rt::TanhActivationT<float, 8>,
                 rt::DenseT<float, 8, 8>, rt::TanhActivationT<float, 8>, rt::DenseT<float, 8, 1>>>(
      "8-8-8-1");
  add_model<rt::ModelT<float, 64, 1, rt::DenseT<float, 64, 64>, rt::TanhActivationT<float, 64>,
                       rt::DenseT<float, 64, 64>, rt::TanhActivationT<float, 64>,
                       rt::DenseT<float, 64, 1>>>("C");
  add_model<rt::ModelT<float, 784, 10, rt::DenseT<float, 784, 128>, rt::ReLuActivationT<float, 128>,
                       rt::DenseT<float, 128, 10>, rt::SoftmaxActivationT<float, 10>>>("D");
}
