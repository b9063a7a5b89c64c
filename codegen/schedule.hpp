// Pass schedule: decides how each op runs. Tensors get constant slots in their tile's scratch
// arrays, dense layers within the unroll budget are unrolled, larger ones become constant-bound
// loops, and the tile width (samples per lane vector) is fixed per precision.
#pragma once

#include "op_graph.hpp"
#include "pipeline.hpp"

namespace kiln::codegen {

void schedule(op_graph& g, const options& opts);

}  // namespace kiln::codegen
