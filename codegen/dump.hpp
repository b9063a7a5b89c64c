// --dump-after=PASS: the IR as JSON, the extracted network after `extract` and the op graph after
// every later pass. Deterministic (golden files compare it byte for byte).
#pragma once

#include <iosfwd>

#include "op_graph.hpp"

namespace kiln::codegen {

void dump_json(std::ostream& out, const spec_network& net);
void dump_json(std::ostream& out, const op_graph& g);

}  // namespace kiln::codegen
