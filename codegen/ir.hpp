// What the frontend (libTooling) hands the passes: each network found in a spec header, as the
// DSL itself flattened it, with source locations for diagnostics.
#pragma once

#include <kiln/graph.hpp>
#include <string>
#include <vector>

namespace kiln::codegen {

struct source_location {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
};

/// One network variable of a spec header.
struct spec_network {
  std::string qualified_name;     // e.g. "examples::spirals", no leading "::"
  source_location where;          // the variable's declaration
  std::vector<kiln::node> nodes;  // the DSL's flattened graph (net.nodes), hyperparameters included
  std::vector<source_location> layer_locations;  // per node: the layer's expression, else `where`
  int input_size = 0;                            // as the DSL computed them (net.input_size, ...)
  int output_size = 0;
  int param_count = 0;
  bool has_loss = false;
};

}  // namespace kiln::codegen
