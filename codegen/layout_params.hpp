// Pass layout_params: places every op's parameters in the flat buffer (layer by layer, a dense
// layer as W[out][in] row-major then b[out], layer_norm as gain[n] then bias[n]).
#pragma once

#include "op_graph.hpp"

namespace kiln::codegen {

/// Fills op::param_offset of forward and backward ops; throws spec_error where the layout disagrees
/// with the offsets and count the DSL computed.
void layout_params(op_graph& g);

}  // namespace kiln::codegen
