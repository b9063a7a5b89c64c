// kiln_bench_torch: the libtorch baseline on one thread, written as a libtorch user would: tensors
// with autograd, torch::linear, the fused losses, torch::optim::SGD, NoGradGuard for inference.
#include <torch/torch.h>

#include <cstring>

#include "bench_specs.hpp"
#include "harness.hpp"

namespace bench {
namespace {

/// The network as libtorch ops, parameters as tensors loaded from the flat layout
/// (torch::linear's weight is W[out][in] row-major too).
template <class Net>
class torch_engine {
 public:
  static constexpr int param_count = Net::param_count;

  explicit torch_engine(const Net& net) : nodes_(net.nodes.begin(), net.nodes.end()) {}

  void forward(std::span<const float> params, std::span<const float> x, std::span<float> y,
               int batch) {
    load(params);
    infer_into(x, y, batch);
  }

  float loss_and_gradient(std::span<const float> params, std::span<const float> x,
                          std::span<const float> targets, std::span<float> d_params, int batch) {
    load(params);
    optimizer_->zero_grad();
    torch::Tensor loss = loss_of(x, targets, batch);
    loss.backward();
    std::fill(d_params.begin(), d_params.end(), 0.0f);
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      torch::Tensor g = tensors_[i].grad().contiguous();
      std::memcpy(d_params.data() + offsets_[i], g.data_ptr<float>(), g.numel() * sizeof(float));
    }
    return loss.item<float>();
  }

  template <class Problem>
  void infer(Problem& p, std::span<float> y) {
    infer_into(p.x, y, p.batch);
  }

  template <class Problem>
  float train_step(Problem& p) {
    optimizer_->zero_grad();
    torch::Tensor loss = loss_of(p.x, p.targets, p.batch);
    loss.backward();
    optimizer_->step();
    return loss.item<float>();
  }

 private:
  std::vector<kiln::node> nodes_;
  std::vector<torch::Tensor> tensors_;  // W and b of each dense layer, in layout order
  std::vector<int> offsets_;
  std::unique_ptr<torch::optim::SGD> optimizer_;

  static torch::Tensor wrap(const float* data, std::vector<int64_t> shape) {
    return torch::from_blob(const_cast<float*>(data), shape, torch::kFloat32);
  }

  void load(std::span<const float> params) {
    tensors_.clear();
    offsets_.clear();
    for (const kiln::node& n : nodes_) {
      if (n.k != kiln::kind::dense) continue;
      tensors_.push_back(wrap(params.data() + n.param_offset, {n.out, n.in}).clone());
      offsets_.push_back(n.param_offset);
      if (n.bias) {
        tensors_.push_back(wrap(params.data() + n.param_offset + n.out * n.in, {n.out}).clone());
        offsets_.push_back(n.param_offset + n.out * n.in);
      }
    }
    for (torch::Tensor& t : tensors_) t.requires_grad_(true);
    optimizer_ = std::make_unique<torch::optim::SGD>(
        tensors_, torch::optim::SGDOptions(double(learning_rate)));
  }

  // Runs nodes [1, end): x [batch][in] -> the value entering node `end`.
  torch::Tensor run(torch::Tensor h, int end) {
    std::vector<torch::Tensor> skips;
    std::size_t t = 0;
    for (int i = 1; i < end; ++i) {
      const kiln::node& n = nodes_[i];
      switch (n.k) {
        case kiln::kind::dense: {
          const torch::Tensor& w = tensors_[t++];
          h = n.bias ? torch::linear(h, w, tensors_[t++]) : torch::linear(h, w);
          break;
        }
        case kiln::kind::tanh:
          h = torch::tanh(h);
          break;
        case kiln::kind::sigmoid:
          h = torch::sigmoid(h);
          break;
        case kiln::kind::relu:
          h = torch::relu(h);
          break;
        case kiln::kind::softmax:
          h = torch::softmax(h, 1);
          break;
        case kiln::kind::residual_begin:
          skips.push_back(h);
          break;
        case kiln::kind::residual_end:
          h = h + skips.back();
          skips.pop_back();
          break;
        case kiln::kind::identity:
          break;
        default:
          throw std::logic_error("kiln_bench_torch: layer kind not supported");
      }
    }
    return h;
  }

  void infer_into(std::span<const float> x, std::span<float> y, int batch) {
    torch::NoGradGuard no_grad;
    const int end = Net::has_loss ? int(nodes_.size()) - 1 : int(nodes_.size());
    torch::Tensor out = run(wrap(x.data(), {batch, Net::input_size}), end).contiguous();
    std::memcpy(y.data(), out.data_ptr<float>(), y.size() * sizeof(float));
  }

  // The mean loss, the fused losses taken from the logits as libtorch users do.
  torch::Tensor loss_of(std::span<const float> x, std::span<const float> targets, int batch) {
    const int loss = int(nodes_.size()) - 1;
    const torch::Tensor in = wrap(x.data(), {batch, Net::input_size});
    const torch::Tensor t = wrap(targets.data(), {batch, Net::output_size});
    switch (nodes_[loss].k) {
      case kiln::kind::mse:
        return torch::mse_loss(run(in, loss), t);
      case kiln::kind::softmax_cross_entropy:  // class-probability targets
        return torch::nn::functional::cross_entropy(run(in, loss - 1), t);
      case kiln::kind::binary_cross_entropy:
        return torch::binary_cross_entropy_with_logits(run(in, loss - 1), t);
      default:
        throw std::logic_error("kiln_bench_torch: no loss");
    }
  }
};

template <const auto& Net>
void register_torch(std::string_view name) {
  using net_type = std::remove_cvref_t<decltype(Net)>;
  for (const workload& w : workloads)
    register_benchmark<Net>(name, "libtorch", w,
                            [] { return std::make_unique<torch_engine<net_type>>(Net); });
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  torch::set_num_threads(1);
  torch::set_num_interop_threads(1);
  bench::register_torch<bench::net_a>("A");
  bench::register_torch<bench::net_b>("B");
  bench::register_torch<bench::net_c>("C");
  bench::register_torch<bench::net_d>("D");
  bench::register_torch<bench::net_e>("E");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
