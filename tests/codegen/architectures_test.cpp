// Generated code vs the generic engine on deep, wide, residual, normalized and dropout networks,
// every loss, one above the unroll budget (loops) and one at it.
#include <architectures.kiln.hpp>

#include "compare.hpp"

TEST_CASE("generated code agrees with generic on a dozen architectures", "[codegen]") {
  using kiln_test::compare_both;
  compare_both<arch::deep>("deep", 1);
  compare_both<arch::wide>("wide", 2);
  compare_both<arch::at_budget>("at_budget", 3);
  compare_both<arch::residual_net>("residual_net", 4);
  compare_both<arch::normalized>("normalized", 5);
  compare_both<arch::dropout_net>("dropout_net", 6);
  compare_both<arch::activations>("activations", 7);
  compare_both<arch::nested_residual>("nested_residual", 8);
  compare_both<arch::inference_only>("inference_only", 9);
  compare_both<arch::wide_residual>("wide_residual", 10);
  compare_both<arch::odd>("odd", 11);
  compare_both<arch::residual_on_input>("residual_on_input", 12);
}

TEST_CASE("dropout draws the generic engine's mask: a different seed changes the gradient",
          "[codegen]") {
  constexpr int batch = 5;
  std::vector<float> params(arch::dropout_net.param_count), x(batch * 5), t(batch * 2, 0.5f);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = float(int(i * 37 % 19) - 9) * 0.05f;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) * 0.3f - 1.0f;
  const kiln::compiled<arch::dropout_net, float> gen;
  std::vector<float> g1(params.size()), g2(params.size());
  const float l1 = gen.loss_and_gradient(params, x, t, g1, batch, {1});
  const float l2 = gen.loss_and_gradient(params, x, t, g2, batch, {2});
  CHECK(l1 != l2);
  CHECK(g1 != g2);
  // Inference ignores dropout: loss() equals the generic engine's, which has no seed.
  auto ref = kiln::generic<float>(arch::dropout_net);
  CHECK(gen.loss(params, x, t, batch) == Approx(ref.loss(params, x, t, batch)).epsilon(1e-5));
}
