// Generated code vs the generic engine for every example network (mnist's 784x128 layer runs the
// loop path).
#include <example_specs.kiln.hpp>
#include <kiln/init.hpp>

#include "compare.hpp"

TEST_CASE("the generated engine gives the runtime its graph", "[codegen]") {
  const kiln::compiled<examples::spirals, float> engine;
  const auto generic = kiln::generic<float>(examples::spirals);
  // Same nodes, so the same seed initializes both engines identically.
  CHECK(kiln::initial_params(engine, kiln::init_scheme::he_normal, 11) ==
        kiln::initial_params(generic, kiln::init_scheme::he_normal, 11));
  CHECK(kiln::nodes_of(engine).size() == examples::spirals.nodes.size());
  CHECK(kiln::nodes_of(engine)[3].param_offset == 30);
}

TEST_CASE("generated code agrees with generic on every example network", "[codegen]") {
  using kiln_test::compare;
  using kiln_test::compare_both;
  compare_both<examples::perceptron>("perceptron", 1);
  compare_both<examples::xor_by_hand>("xor_by_hand", 2);
  compare_both<examples::xor_net>("xor_net", 3);
  compare_both<examples::sine>("sine", 4);
  compare_both<examples::spirals>("spirals", 5);
  compare<examples::mnist, float>("mnist", 6, {1, 17, 64});
  compare<examples::mnist, double>("mnist", 6, {1, 9});
  compare_both<examples::deep_sigmoid>("deep_sigmoid", 7);
  compare_both<examples::deep_relu>("deep_relu", 8);
  compare_both<examples::deep_residual>("deep_residual", 9);
  compare_both<examples::optimizers_net>("optimizers_net", 10);
}
