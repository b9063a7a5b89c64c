// The generator after extraction: check_shapes -> differentiate -> layout_params -> schedule ->
// emit, as a flat list of named passes. Independent of LLVM, so it is testable on networks taken
// straight from the DSL.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir.hpp"

namespace kiln::codegen {

/// Weights to bake into the header for one network (kiln-gen --weights), in its flat layout.
struct baked_weights {
  std::string network;  // qualified name
  std::string source;   // the file they came from, for the header's comment
  std::vector<double> values;
};

struct options {
  /// Layers with at most this many weights are fully unrolled; larger ones become loops with
  /// compile-time-constant bounds.
  int unroll_budget = 32;
  /// Print the IR (JSON) after this pass to `dump` ("" for none).
  std::string dump_after;
  /// Networks whose weights become constants: each also gets kiln::baked<spec, T>.
  std::vector<baked_weights> weights{};
};

/// A problem with the spec, reported as `file:line:col: error: message`.
struct spec_error : std::runtime_error {
  source_location where;
  spec_error(source_location at, const std::string& message)
      : std::runtime_error(message), where(std::move(at)) {}
};

/// The pass names, in order, for --dump-after and --help.
const std::vector<std::string>& pass_names();

/// Runs every pass on every network of one spec and returns the text of `<stem>.kiln.hpp`.
/// `spec_include` is how the generated header includes the spec header.
std::string generate_header(const std::vector<spec_network>& networks,
                            const std::string& spec_include, const options& opts,
                            std::ostream* dump);

}  // namespace kiln::codegen
