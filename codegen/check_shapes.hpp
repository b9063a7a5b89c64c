// Pass check_shapes: validates one extracted network (sizes, parameter counts, residual links,
// loss placement, hyperparameters) and lowers its nodes to forward ops over value tensors.
#pragma once

#include "op_graph.hpp"

namespace kiln::codegen {

/// Throws spec_error at the offending layer's location for anything inconsistent.
op_graph check_shapes(const spec_network& net);

}  // namespace kiln::codegen
