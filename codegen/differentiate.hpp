// Pass differentiate: reverse-mode autodiff at generation time. Appends the loss op and, walking
// the forward ops backwards, each op's backward rule; fused losses skip their sigmoid or softmax.
#pragma once

#include "op_graph.hpp"

namespace kiln::codegen {

/// Inference-only and non-differentiable (step) networks get the loss op only, or nothing.
void differentiate(op_graph& g);

}  // namespace kiln::codegen
