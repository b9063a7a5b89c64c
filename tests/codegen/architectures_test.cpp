// Generated code vs the generic engine on deep, wide, residual, normalized and dropout networks,
// every loss, one above the unroll budget (loops) and one at it.
#include <algorithm>
#include <architectures.kiln.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "compare.hpp"

TEST_CASE("generated code agrees with generic on sixteen architectures", "[codegen]") {
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
  compare_both<arch::alike>("alike", 13);
  compare_both<arch::language>("language", 14);
  compare_both<arch::batch_normed>("batch_normed", 15);
  compare_both<arch::wide_input>("wide_input", 16);
}

TEST_CASE("the generated engine refuses token IDs outside the vocabulary", "[codegen]") {
  const kiln::compiled<arch::language, float> gen;
  std::vector<float> params(arch::language.param_count, 0.01f), y(2 * 27), t(2 * 27, 0.0f);
  std::vector<float> d(params.size());
  for (int batch : {1, 2}) {
    std::vector<float> x{0, 26, 5, 1, 2, 3};
    x[std::size_t(batch) * 3 - 1] = 27;  // the last position of the last sample
    const std::string tail = ": x: sample " + std::to_string(batch - 1) +
                             ", position 2: token ID 27 is not an integer in [0, 27)";
    const auto n = std::size_t(batch);
    const std::span<const float> xs(x.data(), 3 * n), ts(t.data(), 27 * n);
    CHECK_THROWS_WITH(gen.forward(params, xs, std::span(y.data(), 27 * n), batch),
                      "kiln::compiled::forward" + tail);
    CHECK_THROWS_WITH(gen.loss(params, xs, ts, batch), "kiln::compiled::loss" + tail);
    CHECK_THROWS_WITH(gen.loss_and_gradient(params, xs, ts, d, batch),
                      "kiln::compiled::loss_and_gradient" + tail);
  }
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

namespace {
/// The same call with the stack's scratch and with a caller's workspace full of NaN bit patterns
/// gives the same bits: the kernels read nothing of the workspace they did not write first.
template <const auto& Spec>
void same_with_workspace(int batch) {
  using engine = kiln::compiled<Spec, float>;
  INFO("batch " << batch);
  std::vector<float> params(engine::param_count), x(std::size_t(batch) * engine::input_size);
  std::vector<float> t(std::size_t(batch) * engine::output_size);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = float(int(i * 37 % 19) - 9) * 0.05f;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) * 0.3f - 1.0f;
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = float(i % engine::output_size == 0);
  const engine gen;
  auto ws = std::make_unique<typename engine::workspace>();
  std::memset(static_cast<void*>(ws.get()), 0xff, sizeof *ws);

  std::vector<float> y1(t.size()), y2(t.size());
  gen.forward(params, x, y1, batch);
  gen.forward(params, x, y2, batch, *ws);
  CHECK(y1 == y2);
  CHECK(std::none_of(y2.begin(), y2.end(), [](float v) { return std::isnan(v); }));

  std::vector<float> g1(params.size()), g2(params.size());
  const float l1 = gen.loss_and_gradient(params, x, t, g1, batch, {7});
  const float l2 = gen.loss_and_gradient(params, x, t, g2, batch, {7}, *ws);
  CHECK(l1 == l2);
  CHECK(g1 == g2);
  CHECK(gen.loss(params, x, t, batch) == gen.loss(params, x, t, batch, *ws));
}
}  // namespace

TEST_CASE("a caller's workspace gives the results of the stack's", "[codegen]") {
  for (int batch : {1, 5, 17}) {
    same_with_workspace<arch::normalized>(batch);
    same_with_workspace<arch::dropout_net>(batch);
    same_with_workspace<arch::residual_net>(batch);
  }
  // Making one costs nothing: no constructor runs over the scratch.
  static_assert(std::is_trivially_default_constructible_v<
                kiln::compiled<arch::normalized, float>::workspace>);
}

TEST_CASE("a training call with a wrong size throws, names it and leaves the gradient as it was",
          "[codegen]") {
  using engine = kiln::compiled<arch::wide_residual, float>;
  constexpr int batch = 20;  // two tiles and a ragged chunk: the gradient is written, not added
  std::vector<float> params(engine::param_count), x(batch * engine::input_size);
  std::vector<float> t(batch * engine::output_size);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = float(int(i * 37 % 19) - 9) * 0.02f;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) * 0.3f - 1.0f;
  for (int b = 0; b < batch; ++b) t[std::size_t(b) * engine::output_size + b % 7] = 1.0f;
  const engine gen;
  std::vector<float> g(params.size(), 3.0f);
  const auto untouched = [&] {
    return std::all_of(g.begin(), g.end(), [](float v) { return v == 3.0f; });
  };

  std::vector<float> short_x(x.size() - 1);
  CHECK_THROWS_WITH(gen.loss_and_gradient(params, short_x, t, g, batch),
                    "kiln::compiled::loss_and_gradient: x has 639 values, expected 640");
  CHECK(untouched());
  std::vector<float> short_t(t.size() - 1);
  CHECK_THROWS_WITH(gen.loss_and_gradient(params, x, short_t, g, batch),
                    "kiln::compiled::loss_and_gradient: targets has 139 values, expected 140");
  CHECK(untouched());

  // A good call overwrites every entry: twice into the same buffer gives the same bits.
  gen.loss_and_gradient(params, x, t, g, batch);
  const std::vector<float> once = g;
  gen.loss_and_gradient(params, x, t, g, batch);
  CHECK(g == once);
  CHECK(std::find(g.begin(), g.end(), 3.0f) == g.end());
}

TEST_CASE("prepared parameters: a wrong size is refused, a new load replaces the old",
          "[codegen]") {
  using engine = kiln::compiled<arch::wide_residual, float>;
  // dropout_net's 16 -> 16 layer runs in column form from the prepared weights at every
  // register width (4, 8 or 16 floats; and the 8- and 12-unit layers of deep, residual_net and
  // normalized at 4), so compare_prepared above tested that path.
  STATIC_REQUIRE(kiln::kernels::prepared_columns<float>(16, 16));
  std::vector<float> a(engine::param_count), b(engine::param_count), x(engine::input_size);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = float(int(i * 37 % 19) - 9) * 0.02f;
    b[i] = float(int(i * 23 % 17) - 8) * 0.03f;
  }
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) * 0.3f - 1.0f;
  const std::vector<float> short_params(a.size() - 1);
  CHECK_THROWS_WITH(engine::prepared(short_params), "kiln::compiled::prepared::load: params has " +
                                                        std::to_string(engine::param_count - 1) +
                                                        " values, expected " +
                                                        std::to_string(engine::param_count));
  auto p = std::make_unique<engine::prepared>(a);
  std::vector<float> y(engine::output_size), want(y.size());
  engine{}.forward(b, x, want, 1);
  p->load(b);
  p->forward(x, y);
  kiln_test::check_close(y, want, "after a second load");
  // A failed load leaves the weights as they were.
  CHECK_THROWS(p->load(short_params));
  std::vector<float> again(y.size());
  p->forward(x, again);
  CHECK(again == y);
  std::vector<float> short_y(y.size() - 1);
  CHECK_THROWS_WITH(p->forward(x, short_y), "kiln::compiled::prepared::forward: y has " +
                                                std::to_string(y.size() - 1) +
                                                " values, expected " + std::to_string(y.size()));
}

TEST_CASE("prepared parameters start the largest column-form W on a cache line", "[codegen]") {
  // batch_normed's parameters put its 20x40 layer at offset 441: in column form where 20 outputs
  // fill whole registers and 40 inputs a row (SSE2's 4 floats), the largest such layer there.
  using engine = kiln::compiled<arch::batch_normed, float>;
  std::vector<float> params(engine::param_count);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = float(i % 13) * 0.1f - 0.6f;
  const auto p = std::make_unique<engine::prepared>(params);
  const auto address = [](const float* v) { return reinterpret_cast<std::uintptr_t>(v); };
  if constexpr (kiln::kernels::prepared_columns<float>(20, 40)) {
    CHECK(engine::prepared::shift == 7);
    CHECK(address(p->data() + 441) % 64 == 0);
    // W transposed: row j of 20 values holds column j of W; the bias after it as it was.
    CHECK(p->data()[441 + 3 * 20 + 5] == params[441 + 5 * 40 + 3]);
    CHECK(p->data()[441 + 800 + 7] == params[441 + 800 + 7]);
  }
  CHECK(address(p->data()) % 64 == engine::prepared::shift * sizeof(float));
  CHECK(p->data()[0] == params[0]);  // the first layer (as it is, or transposed: 0 stays 0)
  CHECK(p->data()[engine::param_count - 1] == params[engine::param_count - 1]);
}
