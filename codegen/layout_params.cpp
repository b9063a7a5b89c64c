// Pass layout_params: the one flat layout, computed here from the shapes alone and checked against
// what the DSL says, so generated code and every other engine read the same buffer.
#include "layout_params.hpp"

#include <string>

#include "pipeline.hpp"

namespace kiln::codegen {

void layout_params(op_graph& g) {
  const spec_network& net = g.spec;
  std::vector<int> offset(net.nodes.size(), -1);
  int next = 0;
  for (int i = 0; i < int(net.nodes.size()); ++i) {
    const node& n = net.nodes[i];
    const int count = expected_param_count(n);
    if (count > 0 && n.param_offset != next) {
      const source_location& at =
          i < int(net.layer_locations.size()) ? net.layer_locations[i] : net.where;
      throw spec_error(at, net.qualified_name + ": layer " + std::to_string(i) + " (" +
                               std::string(kind_name(n.k)) + "): parameters at offset " +
                               std::to_string(n.param_offset) + ", the flat layout puts them at " +
                               std::to_string(next));
    }
    offset[i] = next;
    next += count;
  }
  if (next != net.param_count)
    throw spec_error(net.where, net.qualified_name + ": " + std::to_string(net.param_count) +
                                    " parameters declared, the layers have " +
                                    std::to_string(next));
  for (auto* ops : {&g.forward, &g.backward})
    for (op& o : *ops)
      if (o.node >= 0 && net.nodes[o.node].param_count > 0) o.param_offset = offset[o.node];
}

}  // namespace kiln::codegen
