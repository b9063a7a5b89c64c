// The passes on their own: the IR of examples::spirals after each pass against golden JSON
// (tests/codegen/golden/, rewritten with KILN_UPDATE_GOLDEN=1), check_shapes' spec errors, each
// at the location of the layer that broke the rule, and emit's sharing of alike maps.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <pipeline.hpp>
#include <sstream>

#include "../../examples/04_spirals/spirals.hpp"
#include "architectures.hpp"

namespace {

using kiln::codegen::spec_network;

template <class Net>
spec_network from_dsl(const std::string& name, const Net& net, const std::string& file,
                      unsigned line) {
  spec_network s;
  s.qualified_name = name;
  s.where = {file, line, 23};
  s.nodes.assign(net.nodes.begin(), net.nodes.end());
  for (unsigned i = 0; i < s.nodes.size(); ++i) s.layer_locations.push_back({file, line + 1, i});
  s.input_size = net.input_size;
  s.output_size = net.output_size;
  s.param_count = net.param_count;
  s.has_loss = true;
  return s;
}
spec_network spirals() {
  return from_dsl("examples::spirals", examples::spirals, "spirals.hpp", 6);
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string run(const spec_network& net, const std::string& pass) {
  std::ostringstream dump;
  kiln::codegen::generate_header({net}, "spirals.hpp", {256, pass}, &dump);
  return dump.str();
}

kiln::codegen::spec_error error_of(const spec_network& net) {
  try {
    run(net, "");
  } catch (const kiln::codegen::spec_error& e) {
    return e;
  }
  FAIL("no spec_error");
  return {{}, ""};
}

}  // namespace

TEST_CASE("the IR after each pass matches its golden JSON", "[codegen]") {
  const bool update = std::getenv("KILN_UPDATE_GOLDEN") != nullptr;
  REQUIRE(kiln::codegen::pass_names().size() == 6);
  for (const std::string& pass : kiln::codegen::pass_names()) {
    const std::string path = std::string(KILN_GOLDEN_DIR) + "/spirals." + pass +
                             (pass == "emit" ? ".kiln.hpp" : ".json");
    const std::string got = run(spirals(), pass);
    if (update) std::ofstream(path) << got;
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream want;
    want << in.rdbuf();
    INFO("pass " << pass << ": " << path);
    CHECK(got == want.str());
  }
}

TEST_CASE("the dump names every pass and refuses unknown ones", "[codegen]") {
  const std::string after_schedule = run(spirals(), "schedule");
  CHECK(after_schedule.find("\"unroll_budget\": 256") != std::string::npos);
  CHECK(after_schedule.find("\"dense_backward_params\"") != std::string::npos);
  CHECK(run(spirals(), "").empty());
  CHECK_THROWS_AS(run(spirals(), "lower"), std::invalid_argument);
}

TEST_CASE("check_shapes reports each broken rule at the layer's location", "[codegen]") {
  using kiln::kind;
  {
    spec_network net = spirals();
    net.nodes[3].in = 9;  // dense<3> reading 9 values after a relu of 10
    const auto e = error_of(net);
    CHECK(e.where.line == 7);
    CHECK(e.where.column == 3);
    CHECK(std::string(e.what()) ==
          "examples::spirals: layer 3 (dense): takes 9 values but the layer before it outputs 10");
  }
  {
    spec_network net = spirals();
    net.nodes[3].param_count = 31;
    CHECK(std::string(error_of(net).what()) ==
          "examples::spirals: layer 3 (dense): has 31 parameters, expected 33");
  }
  {
    spec_network net = spirals();
    net.nodes[4].k = kind::relu;  // softmax_cross_entropy after a relu
    const auto e = error_of(net);
    CHECK(e.where.column == 5);
    CHECK(std::string(e.what()).find("softmax_cross_entropy needs a softmax output") !=
          std::string::npos);
  }
  {
    spec_network net = spirals();
    net.nodes[2] = {kind::dropout, 10, 10, 30, 0, false, 1.5, -1};
    CHECK(std::string(error_of(net).what()).find("the rate must be in [0, 1)") !=
          std::string::npos);
  }
  {
    spec_network net = spirals();
    net.nodes[3].param_offset = 29;  // overlaps the first layer's biases
    CHECK(std::string(error_of(net).what()) ==
          "examples::spirals: layer 3 (dense): parameters at offset 29, the flat layout puts "
          "them at 30");
  }
  {
    spec_network net = spirals();
    net.output_size = 4;
    const auto e = error_of(net);
    CHECK(e.where.line == 6);
    CHECK(std::string(e.what()).find("output_size is 4") != std::string::npos);
  }
}

TEST_CASE("element-wise maps that occur alike share one named function, compiled once",
          "[codegen]") {
  const std::string h =
      kiln::codegen::generate_header({from_dsl("arch::alike", arch::alike, "architectures.hpp", 1)},
                                     "architectures.hpp", {}, nullptr);
  INFO(h);
  // elu(0.5) and elu(2.0) each apply twice over 4 units: one name each, forward and derivative.
  CHECK(count(h,
              "static constexpr auto elu_f = [](auto x) { return kiln::vmath::elu(x, "
              "kiln::vmath::element_t<decltype(x)>(0.5)); };") == 1);
  CHECK(count(h, "static constexpr auto elu_f_2 = ") == 1);
  CHECK(count(h, "static constexpr auto elu_d_f = ") == 1);
  CHECK(count(h, "static constexpr auto elu_d_f_2 = ") == 1);
  CHECK(count(h, "kiln::kernels::map_shared<4, false>(act + ") == 4);
  CHECK(count(h, ", elu_f, act + ") == 2);
  CHECK(count(h, "map_shared<4, false>(grad + ") + count(h, "map_shared<4, true>(grad + ") == 4);
  // The tanh layers differ in size: each inlines its own map.
  CHECK(count(h, "tanh_f") == 0);
  CHECK(count(h, "kiln::kernels::map<5, false>(act + ") == 1);
  CHECK(count(h, "kiln::kernels::map<2, false>(act + ") == 1);
  // Two residual blocks of 4 units: their sums and gradient copies are shared too.
  const std::string r = kiln::codegen::generate_header(
      {from_dsl("arch::residual_on_input", arch::residual_on_input, "architectures.hpp", 1)},
      "architectures.hpp", {}, nullptr);
  CHECK(count(r, "static constexpr auto add_f = [](auto a, auto b) { return a + b; };") == 1);
  CHECK(count(r, "static constexpr auto copy_f = [](auto d) { return d; };") == 1);
  CHECK(count(r, "kiln::kernels::map_shared<4, false>(act + ") == 2);
  CHECK(count(r, ", copy_f, grad + ") == 4);
}
