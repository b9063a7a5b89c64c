// The IR the passes share after extraction: one network as a DAG of primitive ops over tensors.
// check_shapes builds the forward ops, differentiate appends the loss and the backward ops,
// layout_params fills parameter offsets, schedule assigns scratch slots and unrolling, emit prints.
#pragma once

#include <kiln/graph.hpp>
#include <string>
#include <vector>

#include "ir.hpp"

namespace kiln::codegen {

/// Which scratch array of a tile holds a tensor.
enum class storage { value, gradient, aux };

/// `size` values per sample (per lane), at [slot, slot + size) of its scratch array.
struct tensor {
  std::string name;
  storage where = storage::value;
  int size = 0;
  int slot = -1;  // set by schedule
};

enum class op_kind {
  // forward
  dense,       // result = W args[0] + b
  embedding,   // result = the table rows of the token IDs args[0] (the network's input)
  activation,  // result = f(args[0]), f = k with hyperparameter hp
  softmax,
  layer_norm,  // result = gain * xhat + bias; aux_tensor: xhat [n] then rstd
  batch_norm,  // result = gain * xhat + bias over the batch; aux_tensor: xhat [n], constants [4n+1]
  dropout,
  add,  // result = args[0] + args[1] (residual: body output + skip)
  // the loss: returns per-sample losses and seeds the gradient `result` (of y, or of the logits
  // for the fused losses); args: y, then the logits for the fused losses
  loss,
  // backward; `accumulate` says whether `result` is added to or written
  dense_backward_input,   // d_x (+)= W^T d_y; args: d_y
  dense_backward_params,  // d_W += d_y x^T, d_b += d_y; args: d_y, x
  activation_backward,    // d_x (+)= d_y f'(x, y); args: d_y, x, y
  softmax_backward,       // args: d_y, y
  layer_norm_backward,    // args: d_y; aux_tensor; also d_gain, d_bias
  batch_norm_backward,    // args: d_y; aux_tensor; also d_gain, d_bias (the batch's sums)
  dropout_backward,       // args: d_y
  embedding_backward,     // d_table += scatter of d_y into the rows used; args: d_y, ids
  gradient_copy,          // result (+)= args[0]
};

std::string_view op_kind_name(op_kind k);
/// The forward ops (those before `loss` above): they write their result, never add to it.
constexpr bool is_forward(op_kind k) { return k < op_kind::loss; }

struct op {
  op_kind what = op_kind::dense;
  kind k = kind::identity;  // the layer (or loss) kind it comes from
  int node = -1;            // index of that layer in spec_network::nodes
  std::vector<int> args;    // tensors read
  int result = -1;          // tensor written (-1: parameters only)
  int aux_tensor = -1;
  bool accumulate = false;
  int in = 0, out = 0;
  bool bias = false;
  double hp = 0.0;
  double hp2 = 0.0;       // a second hyperparameter (batch_norm's momentum)
  int param_offset = -1;  // set by layout_params: W (or gain); b (or bias) follows it
  bool unrolled = false;  // set by schedule
  // dense_backward_params, set by schedule: where its d_y and its x sit in the chunk's stash, in
  // values per sample (stash_x -1: x is the network's input, read in place from the caller's rows)
  int stash_dy = -1, stash_x = -1;
};

struct op_graph {
  spec_network spec;
  std::string id;  // a C++ identifier made from the qualified name
  std::vector<tensor> tensors;
  std::vector<op> forward;      // in execution order
  std::vector<op> backward;     // the loss first, then the backward ops in execution order
  int input = -1, output = -1;  // value tensors
  kind loss = kind::input;      // kind::input when the network has no loss
  int token_vocab = 0;          // of an input of token IDs (kiln::tokens), else 0
  bool differentiable = true;
  bool differentiated = false;  // set by differentiate
  // set by schedule
  int unroll_budget = 0;
  int value_slots = 0, gradient_slots = 0, aux_slots = 0;
  // Values per sample of the chunk's stash: every dense layer's d_y, and its x (one row per sample)
  // unless x is the network's input. The weight gradients are summed from it once per chunk of
  // several tiles. (The runtime picks the chunk's sample count: it depends on the target.)
  int stash_values = 0;

  int add_tensor(std::string name, storage where, int size) {
    tensors.push_back({std::move(name), where, size, -1});
    return int(tensors.size()) - 1;
  }
};

}  // namespace kiln::codegen
