// Generated code vs the generic engine for every example network (mnist's 784x128 layer runs the
// loop path).
#include <cstring>
#include <example_specs.kiln.hpp>
#include <filesystem>
#include <kiln/init.hpp>
#include <kiln/train.hpp>

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

namespace {
// Trains the generated spirals engine for `epochs` (of 12) with a checkpoint every 4, resuming.
template <class T>
std::vector<T> train_spirals(const std::string& path, int epochs) {
  const kiln::compiled<examples::spirals, T> engine;
  auto params = kiln::initial_params(engine, kiln::init_scheme::he_normal, 4);
  kiln::optimizer<T> opt(kiln::adam{.lr = 0.02}, examples::spirals.param_count);
  const auto data = kiln::make_spiral<T>(20, 3, 0.2, 2);
  kiln::fit_options o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.seed = 9;
  o.progress = kiln::progress_mode::never;
  o.checkpoints.path = path;
  o.checkpoints.every = 4;
  kiln::fit(engine, std::span<T>(params), opt, data, o);
  return params;
}
template <class T>
void check_generated_resume() {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("kiln_generated_resume_" + std::to_string(sizeof(T)) + ".ckpt"))
                               .string();
  std::filesystem::remove(path);
  const std::vector<T> reference = train_spirals<T>("", 12);
  train_spirals<T>(path, 5);  // interrupted after epoch 5 (checkpoints at 4 and 5)
  const std::vector<T> resumed = train_spirals<T>(path, 12);
  CHECK(std::memcmp(resumed.data(), reference.data(), reference.size() * sizeof(T)) == 0);
  CHECK(resumed != train_spirals<T>("", 11));  // a different run does differ
}
}  // namespace

TEST_CASE("fit with the generated engine resumes bit-identical", "[codegen][resume]") {
  check_generated_resume<float>();
  check_generated_resume<double>();
}
