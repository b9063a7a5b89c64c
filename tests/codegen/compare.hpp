// Generated code against the generic engine: same parameters, inputs, targets and dropout seed;
// outputs, losses and gradients must agree element by element (kiln::measure_difference: 1e-5
// relative in float, 1e-12 in double, with a floor of that times the largest value of the buffer or
// layer).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <kiln/baked.hpp>
#include <kiln/compare.hpp>
#include <kiln/compiled.hpp>
#include <kiln/generic.hpp>
#include <kiln/model.hpp>
#include <memory>
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

/// A batch of random inputs for Spec: token IDs in [0, vocab) after kiln::tokens, else N(0, sd).
template <const auto& Spec, class T>
std::vector<T> random_inputs(std::mt19937& rng, int batch, double sd) {
  using net_t = std::remove_cvref_t<decltype(Spec)>;
  std::vector<T> x(std::size_t(batch) * net_t::input_size);
  const int vocab = kiln::token_vocab(Spec.nodes[0]);
  std::uniform_int_distribution<int> token(0, std::max(vocab - 1, 0));
  std::normal_distribution<double> normal(0.0, sd);
  for (auto& v : x) v = vocab > 0 ? T(token(rng)) : T(normal(rng));
  return x;
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
    kiln::plausible_normalization<T>(params, Spec.nodes);
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
        if constexpr (kiln::couples_samples<generated>()) {
          // Batch statistics: both fold the same ones into the running statistics, and both
          // refuse one sample in training, leaving everything as it was.
          std::vector<T> state(params), state_ref(params);
          if (batch == 1) {
            CHECK_THROWS_WITH(gen.loss_and_gradient(params, x, targets, grad, batch, pass),
                              Catch::Contains("needs a batch of 2 or more samples in training"));
            CHECK_THROWS_WITH(ref.loss_and_gradient(params, x, targets, grad_ref, batch, pass),
                              Catch::Contains("needs a batch of 2 or more samples in training"));
            CHECK_THROWS(gen.update_running_stats(std::span<T>(state), x, batch, pass));
            CHECK(grad == std::vector<T>(net_t::param_count, T(5)));
            CHECK(state == params);
            continue;
          }
          gen.update_running_stats(std::span<T>(state), x, batch, pass);
          ref.update_running_stats(std::span<T>(state_ref), x, batch, pass);
          CHECK(state != params);
          check_close(state, state_ref, "running statistics", kiln::param_groups(Spec.nodes));
        }
        const T loss = gen.loss_and_gradient(params, x, targets, grad, batch, pass);
        const T loss_ref = ref.loss_and_gradient(params, x, targets, grad_ref, batch, pass);
        check_close(std::vector<T>{loss}, std::vector<T>{loss_ref}, "training loss");
        check_close(grad, grad_ref, "gradient", kiln::param_groups(Spec.nodes));
      }
    }
  }
}

/// The largest difference of kiln::baked from kiln::compiled over the program's comparisons,
/// printed at exit: the measured figure docs/deploy.md states.
template <class T>
struct baked_difference {
  double max_abs = 0, max_rel = 0;
  int networks = 0;
  ~baked_difference() {
    std::printf("baked vs compiled (%s): %d networks, max abs difference %.3g, max rel %.3g\n",
                std::is_same_v<T, float> ? "float" : "double", networks, max_abs, max_rel);
  }
};
template <class T>
inline baked_difference<T> baked_worst;

/// kiln::baked (the weights gen_from_dsl --bake compiled in) against kiln::compiled given the
/// same weights, at run time: outputs agree to rounding, for one sample and for batches.
template <const auto& Spec, class T>
void compare_baked(const std::string& name, unsigned seed, std::initializer_list<int> batches) {
  using net_t = std::remove_cvref_t<decltype(Spec)>;
  using baked = kiln::baked<Spec, T>;
  static_assert(baked::param_count == net_t::param_count);
  const std::vector<T> params(baked::params, baked::params + baked::param_count);
  for (int batch : batches) {
    INFO(name << " baked in " << (std::is_same_v<T, float> ? "float" : "double") << ", batch "
              << batch);
    std::mt19937 rng(seed + unsigned(batch));
    const std::vector<T> x = random_inputs<Spec, T>(rng, batch, 1.5);
    std::vector<T> y(std::size_t(batch) * net_t::output_size, T(-7)), want(y.size());
    kiln::compiled<Spec, T>{}.forward(params, x, want, batch);
    if (batch == 1)
      baked::forward(x.data(), y.data());
    else
      baked::forward(std::span<const T>(x), std::span<T>(y), batch);
    check_close(y, want, "baked forward");
    const kiln::difference d = kiln::measure_difference<T>(y, want, {});
    baked_worst<T>.max_rel = std::max(baked_worst<T>.max_rel, d.max_rel);
    for (std::size_t i = 0; i < y.size(); ++i)
      baked_worst<T>.max_abs = std::max(baked_worst<T>.max_abs, double(std::abs(y[i] - want[i])));
    // With a caller's workspace, the same.
    typename baked::workspace w;
    std::vector<T> again(y.size());
    baked::forward(x.data(), again.data(), batch, w);
    CHECK(again == y);
  }
  ++baked_worst<T>.networks;
}

/// kiln::compiled's prepared parameters (engine::prepared) against kiln::compiled with the flat
/// ones: outputs agree to rounding, for one sample and sample by sample; and against kiln::baked
/// given the same weights, the same bits where the build has no FMA, as both sum each
/// column-form layer in the same order, unless a layer runs in column form from the prepared
/// weights and in rows from the baked ones (kernels::detail::baked_column_form: more than 16 KB of
/// W). With FMA, GCC contracts some multiply-adds of other layers differently when their
/// weights are constants (as kiln::baked against kiln::compiled): to rounding there.
template <const auto& Spec, class T>
void compare_prepared(const std::string& name, unsigned seed, std::initializer_list<int> batches) {
  using net_t = std::remove_cvref_t<decltype(Spec)>;
  using generated = kiln::compiled<Spec, T>;
  using baked = kiln::baked<Spec, T>;
  const std::vector<T> params(baked::params, baked::params + baked::param_count);
  const auto prepared = std::make_unique<typename generated::prepared>(params);
#if defined(__FMA__)
  bool baked_bits = false;
#else
  bool baked_bits = true;
#endif
  for (const kiln::node& n : Spec.nodes)
    if (n.k == kiln::kind::dense && kiln::kernels::prepared_columns<T>(n.out, n.in) &&
        !kiln::kernels::detail::baked_column_form<T>(n.out, n.in))
      baked_bits = false;
  for (int batch : batches) {
    INFO(name << " prepared in " << (std::is_same_v<T, float> ? "float" : "double") << ", batch "
              << batch);
    std::mt19937 rng(seed + 11 * unsigned(batch));
    const std::vector<T> x = random_inputs<Spec, T>(rng, batch, 1.5);
    std::vector<T> y(std::size_t(batch) * net_t::output_size, T(-7)), want(y.size()),
        from_baked(y.size());
    kiln::compiled<Spec, T>{}.forward(params, x, want, batch);
    if (batch == 1)
      prepared->forward(x.data(), y.data());
    else
      prepared->forward(std::span<const T>(x), std::span<T>(y), batch);
    check_close(y, want, "prepared forward");
    for (int b = 0; b < batch; ++b)
      baked::forward(x.data() + std::size_t(b) * net_t::input_size,
                     from_baked.data() + std::size_t(b) * net_t::output_size);
    if (baked_bits)
      CHECK(y == from_baked);
    else
      check_close(y, from_baked, "prepared against baked");
  }
}

/// Both precisions, the batch sizes that matter: one sample, ragged tiles, whole tiles; and the
/// baked engine against the generated one.
template <const auto& Spec>
void compare_both(const std::string& name, unsigned seed) {
  compare<Spec, float>(name, seed, {1, 2, 15, 16, 17, 100, 256});
  compare<Spec, double>(name, seed, {1, 2, 7, 8, 9, 15, 16, 17, 50, 256});
  compare_baked<Spec, float>(name, seed, {1, 15, 16, 17, 256});
  compare_baked<Spec, double>(name, seed, {1, 15, 16, 17, 256});
  compare_prepared<Spec, float>(name, seed, {1, 17});
  compare_prepared<Spec, double>(name, seed, {1, 17});
}

}  // namespace kiln_test
