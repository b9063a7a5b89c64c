// A test-only kiln-gen: builds spec_networks straight from the DSL's constexpr values (no
// libTooling) and runs the passes on them. Also the only way to generate code for networks the
// front end cannot name from source, like kiln_test::registered_net<I, L>.
//   gen_from_dsl SET OUT.kiln.hpp [--unroll-budget=N] [--dump-after=PASS] [--bake]
// SET: registered, architectures or examples. --bake also bakes weights into every network (see
// test_weights), so that the tests can run kiln::baked<spec, T> beside kiln::compiled.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <pipeline.hpp>
#include <sstream>
#include <string>

#include "architectures.hpp"
#include "example_specs.hpp"
#include "registered_specs.hpp"

namespace {

using kiln::codegen::spec_network;

template <class Net>
spec_network from_dsl(std::string name, const Net& net, const std::string& file) {
  spec_network s;
  s.qualified_name = std::move(name);
  s.where = {file, 0, 0};
  s.nodes.assign(net.nodes.begin(), net.nodes.end());
  s.layer_locations.assign(s.nodes.size(), s.where);
  s.input_size = Net::input_size;
  s.output_size = Net::output_size;
  s.param_count = Net::param_count;
  s.has_loss = Net::has_loss;
  return s;
}

// Deterministic weights for --bake, from splitmix64: a dense layer's uniform with variance 1/in,
// anything else (layer_norm's gain and bias, any newer kind's parameters) in [0.5, 1.5], positive
// for parameters that must be (a gain, a variance).
std::vector<double> test_weights(const spec_network& s) {
  std::vector<double> w(std::size_t(s.param_count));
  std::uint64_t state = 0x9e3779b97f4a7c15ull * (s.qualified_name.size() + 1);
  const auto uniform = [&] {  // [-1, 1)
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return double((z ^ (z >> 31)) >> 11) * 0x1p-52 - 1.0;
  };
  for (const kiln::node& n : s.nodes)
    for (int i = 0; i < n.param_count; ++i)
      w[std::size_t(n.param_offset + i)] =
          n.k == kiln::kind::dense ? uniform() * std::sqrt(3.0 / n.in) : 1.0 + 0.5 * uniform();
  return w;
}

#define KILN_SPEC(ns, var) from_dsl(#ns "::" #var, ns::var, file)

std::vector<spec_network> networks(const std::string& set, const std::string& file) {
  if (set == "registered") {
    std::vector<spec_network> out;
    kiln::hana::for_each(
        kiln::hana::make_range(kiln::hana::int_c<0>,
                               kiln::hana::int_c<kiln_test::registered_layer_count>),
        [&](auto i) {
          kiln::hana::for_each(
              kiln::hana::make_range(kiln::hana::int_c<0>,
                                     kiln::hana::int_c<kiln_test::registered_loss_count>),
              [&](auto l) {
                constexpr int I = decltype(i)::value, L = decltype(l)::value;
                out.push_back(from_dsl("kiln_test::registered_net<" + std::to_string(I) + ", " +
                                           std::to_string(L) + ">",
                                       kiln_test::registered_net<I, L>, file));
              });
        });
    kiln::hana::for_each(
        kiln::hana::make_range(kiln::hana::int_c<0>,
                               kiln::hana::int_c<kiln_test::registered_front_count>),
        [&](auto f) {
          kiln::hana::for_each(
              kiln::hana::make_range(kiln::hana::int_c<0>,
                                     kiln::hana::int_c<kiln_test::registered_loss_count>),
              [&](auto l) {
                constexpr int F = decltype(f)::value, L = decltype(l)::value;
                out.push_back(from_dsl("kiln_test::registered_front_net<" + std::to_string(F) +
                                           ", " + std::to_string(L) + ">",
                                       kiln_test::registered_front_net<F, L>, file));
              });
        });
    return out;
  }
  if (set == "architectures")
    return {KILN_SPEC(arch, deep),
            KILN_SPEC(arch, wide),
            KILN_SPEC(arch, at_budget),
            KILN_SPEC(arch, residual_net),
            KILN_SPEC(arch, normalized),
            KILN_SPEC(arch, dropout_net),
            KILN_SPEC(arch, activations),
            KILN_SPEC(arch, nested_residual),
            KILN_SPEC(arch, inference_only),
            KILN_SPEC(arch, wide_residual),
            KILN_SPEC(arch, odd),
            KILN_SPEC(arch, residual_on_input),
            KILN_SPEC(arch, alike),
            KILN_SPEC(arch, language),
            KILN_SPEC(arch, batch_normed),
            KILN_SPEC(arch, wide_input)};
  if (set == "examples")
    return {KILN_SPEC(examples, perceptron),    KILN_SPEC(examples, xor_by_hand),
            KILN_SPEC(examples, xor_net),       KILN_SPEC(examples, sine),
            KILN_SPEC(examples, spirals),       KILN_SPEC(examples, mnist),
            KILN_SPEC(examples, deep_sigmoid),  KILN_SPEC(examples, deep_relu),
            KILN_SPEC(examples, deep_residual), KILN_SPEC(examples, optimizers_net)};
  throw std::invalid_argument("gen_from_dsl: unknown set '" + set + "'");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: gen_from_dsl SET OUT [--unroll-budget=N] [--dump-after=PASS]\n";
    return 2;
  }
  const std::string set = argv[1], out_path = argv[2];
  kiln::codegen::options opts;
  bool bake = false;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--unroll-budget=", 0) == 0)
      opts.unroll_budget = std::stoi(arg.substr(16));
    else if (arg.rfind("--dump-after=", 0) == 0)
      opts.dump_after = arg.substr(13);
    else if (arg == "--bake")
      bake = true;
  }
  const std::string include = set == "registered"      ? "registered_specs.hpp"
                              : set == "architectures" ? "architectures.hpp"
                                                       : "example_specs.hpp";
  try {
    const std::vector<spec_network> specs = networks(set, include);
    if (bake)
      for (const spec_network& s : specs)
        opts.weights.push_back({s.qualified_name, "gen_from_dsl --bake", test_weights(s)});
    const std::string header = kiln::codegen::generate_header(specs, include, opts, &std::cout);
    std::ifstream old(out_path);
    std::stringstream current;
    current << old.rdbuf();
    if (current.str() != header) {
      std::ofstream out(out_path);
      out << header;
      if (!out.flush()) {
        std::cerr << "gen_from_dsl: cannot write " << out_path << "\n";
        return 1;
      }
    }
  } catch (const kiln::codegen::spec_error& e) {
    std::cerr << e.where.file << ":" << e.where.line << ":" << e.where.column
              << ": error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
