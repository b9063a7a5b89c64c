// Names of the op kinds, for the JSON dump and the comments in generated code.
#include "op_graph.hpp"

namespace kiln::codegen {

std::string_view op_kind_name(op_kind k) {
  switch (k) {
    case op_kind::dense:
      return "dense";
    case op_kind::embedding:
      return "embedding";
    case op_kind::activation:
      return "activation";
    case op_kind::softmax:
      return "softmax";
    case op_kind::layer_norm:
      return "layer_norm";
    case op_kind::batch_norm:
      return "batch_norm";
    case op_kind::dropout:
      return "dropout";
    case op_kind::add:
      return "add";
    case op_kind::loss:
      return "loss";
    case op_kind::dense_backward_input:
      return "dense_backward_input";
    case op_kind::dense_backward_params:
      return "dense_backward_params";
    case op_kind::activation_backward:
      return "activation_backward";
    case op_kind::softmax_backward:
      return "softmax_backward";
    case op_kind::layer_norm_backward:
      return "layer_norm_backward";
    case op_kind::batch_norm_backward:
      return "batch_norm_backward";
    case op_kind::dropout_backward:
      return "dropout_backward";
    case op_kind::embedding_backward:
      return "embedding_backward";
    case op_kind::gradient_copy:
      return "gradient_copy";
  }
  return "?";
}

}  // namespace kiln::codegen
