// Generated code against the generic engine: same parameters, inputs, targets and dropout seed;
// outputs, losses and gradients must agree element by element (kiln::measure_difference: 1e-5
// relative in float, 1e-12 in double, with a floor of that times the largest value of the buffer or
// layer).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <kiln/compare.hpp>
#include <kiln/compiled.hpp>
#include <kiln/generic.hpp>
#include <kiln/model.hpp>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace kiln_test {

/// Every element of `got` agrees with `want` (kiln::measure_difference: |got - want| <=
/// rtol (|want| + max |want| of its group), rtol 1e-5 in float, 1e-12 in double).
template <class T>
void check_close(const std::vector<T>& got, const std::vector<T>& want, const std::string& what,
                 std::span<const std::size_t> groups = {}) {
  REQUIRE(got.size() == want.size());
  const kiln::difference d = kiln::measure_difference<T>(got, want, groups);
  INFO(what << ": worst relative difference " << d.max_rel << " at " << d.worst << " (generated "
            << (got.empty() ? 0 : got[d.worst]) << ", generic "
            << (want.empty() ? 0 : want[d.worst]) << "), allowed " << kiln::agreement_rtol<T>);
  CHECK(kiln::agrees<T>(d));
}

template <const auto& Spec, class T>
void compare(const std::string& name, unsigned seed, std::initializer_list<int> batches) {
  using net_t = std::remove_cvref_t<decltype(Spec)>;
  using generated = kiln::compiled<Spec, T>;
  static_assert(kiln::model<generated>);
  static_assert(generated::input_size == net_t::input_size);
  static_assert(generated::output_size == net_t::output_size);
  static_assert(generated::param_count == net_t::param_count);
  const generated gen{};
  auto ref = kiln::generic<T>(Spec);
  for (int batch : batches) {
    INFO(name << " in " << (std::is_same_v<T, float> ? "float" : "double") << ", batch " << batch);
    std::mt19937 rng(seed + unsigned(batch));
    std::normal_distribution<double> normal(0.0, 0.7);
    std::uniform_real_distribution<double> unit(0.05, 0.95);
    std::vector<T> params(net_t::param_count), x(std::size_t(batch) * net_t::input_size);
    for (auto& v : params) v = T(normal(rng));
    kiln::he_scale_weights<T>(params, Spec.nodes, 0.7);
    for (const kiln::node& n : Spec.nodes)
      if (n.k == kiln::kind::layer_norm)
        for (int i = 0; i < n.out; ++i) params[n.param_offset + i] += T(1);
    const int vocab = kiln::token_vocab(Spec.nodes[0]);
    std::uniform_int_distribution<int> token(0, std::max(vocab - 1, 0));
    for (auto& v : x) v = vocab > 0 ? T(token(rng)) : T(normal(rng) * 1.5);

    std::vector<T> y(std::size_t(batch) * net_t::output_size, T(-7)), y_ref(y.size());
    gen.forward(params, x, y, batch);
    ref.forward(params, x, y_ref, batch);
    check_close(y, y_ref, "forward");

    if constexpr (net_t::has_loss) {
      std::vector<T> targets(y.size());
      for (int b = 0; b < batch; ++b)
        for (int o = 0; o < net_t::output_size; ++o)
          targets[std::size_t(b) * net_t::output_size + o] =
              net_t::loss_kind() == kiln::kind::softmax_cross_entropy
                  ? T(o == b % net_t::output_size)
                  : T(unit(rng));
      check_close(std::vector<T>{gen.loss(params, x, targets, batch)},
                  std::vector<T>{ref.loss(params, x, targets, batch)}, "loss");
      if constexpr (net_t::differentiable()) {
        static_assert(kiln::trainable_model<generated>);
        const kiln::train_pass pass{seed * 7919u + 3};
        std::vector<T> grad(net_t::param_count, T(5)), grad_ref(net_t::param_count);
        const T loss = gen.loss_and_gradient(params, x, targets, grad, batch, pass);
        const T loss_ref = ref.loss_and_gradient(params, x, targets, grad_ref, batch, pass);
        check_close(std::vector<T>{loss}, std::vector<T>{loss_ref}, "training loss");
        check_close(grad, grad_ref, "gradient", kiln::param_groups(Spec.nodes));
      }
    }
  }
}

/// Both precisions, the batch sizes that matter: one sample, ragged tiles, whole tiles.
template <const auto& Spec>
void compare_both(const std::string& name, unsigned seed) {
  compare<Spec, float>(name, seed, {1, 2, 15, 16, 17, 100, 256});
  compare<Spec, double>(name, seed, {1, 7, 8, 9, 17, 50, 256});
}

}  // namespace kiln_test
