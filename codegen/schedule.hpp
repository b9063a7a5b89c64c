// Pass schedule: decides how each op runs. Tensors get constant slots in their tile's scratch
// arrays, each dense layer's weight gradient gets its place in the chunk's stash, dense layers
// within the unroll budget are unrolled and larger ones become constant-bound loops. (The tile
// width, samples per lane vector, follows the target the generated header is compiled for.)
#pragma once

#include "op_graph.hpp"
#include "pipeline.hpp"

namespace kiln::codegen {

void schedule(op_graph& g, const options& opts);

}  // namespace kiln::codegen
