// Pass differentiate: each forward op has one backward rule; a tensor read by several ops (a
// residual block's input) gets the sum of their contributions, the first one written, the rest
// added.
#include "differentiate.hpp"

#include <string>

namespace kiln::codegen {

namespace {

struct gradients {
  op_graph& g;
  std::vector<int> of;  // value tensor -> its gradient tensor, -1 until something contributes

  // The gradient tensor of value `v` for an op about to contribute to it; sets o.accumulate.
  void target(op& o, int v) {
    if (of[v] < 0) {
      of[v] = g.add_tensor("d_" + g.tensors[v].name, storage::gradient, g.tensors[v].size);
      of.push_back(-1);
      o.accumulate = false;
    } else {
      o.accumulate = true;
    }
    o.result = of[v];
  }
};

op backward_op(const op& f, op_kind what) {
  op b;
  b.what = what;
  b.k = f.k;
  b.node = f.node;
  b.in = f.in;
  b.out = f.out;
  b.bias = f.bias;
  b.hp = f.hp;
  b.hp2 = f.hp2;
  b.aux_tensor = f.aux_tensor;
  return b;
}

}  // namespace

void differentiate(op_graph& g) {
  g.differentiated = true;
  if (g.loss == kind::input) return;  // inference only
  gradients grad{g, std::vector<int>(g.tensors.size(), -1)};

  // The loss: mse seeds d_y; the fused losses seed the logits, the input of the last op.
  op loss;
  loss.what = op_kind::loss;
  loss.k = g.loss;
  loss.node = int(g.spec.nodes.size()) - 1;
  loss.in = loss.out = g.tensors[g.output].size;
  loss.args = {g.output};
  const bool fused = g.loss != kind::mse;
  int last = int(g.forward.size()) - 1;
  if (fused) {
    loss.args.push_back(g.forward[last].args[0]);
    grad.target(loss, g.forward[last].args[0]);
    --last;  // the sigmoid or softmax: its gradient is part of the fused one
  } else {
    grad.target(loss, g.output);
  }
  g.backward.push_back(loss);
  if (!g.differentiable) return;

  for (int i = last; i >= 0; --i) {
    const op& f = g.forward[i];
    const int x = f.args[0];
    if (grad.of[f.result] < 0) continue;  // nothing downstream depends on it
    const int d_y = grad.of[f.result];
    switch (f.what) {
      case op_kind::dense: {
        op params = backward_op(f, op_kind::dense_backward_params);
        params.args = {d_y, x};
        g.backward.push_back(params);
        if (x != g.input) {  // nobody needs the gradient of the network's input
          op input = backward_op(f, op_kind::dense_backward_input);
          input.args = {d_y};
          grad.target(input, x);
          g.backward.push_back(input);
        }
        break;
      }
      case op_kind::embedding: {  // the table only: token IDs have no gradient
        op b = backward_op(f, op_kind::embedding_backward);
        b.args = {d_y, x};
        g.backward.push_back(b);
        break;
      }
      case op_kind::activation: {
        op b = backward_op(f, op_kind::activation_backward);
        b.args = {d_y, x, f.result};
        grad.target(b, x);
        g.backward.push_back(b);
        break;
      }
      case op_kind::softmax: {
        op b = backward_op(f, op_kind::softmax_backward);
        b.args = {d_y, f.result};
        grad.target(b, x);
        g.backward.push_back(b);
        break;
      }
      case op_kind::layer_norm: {
        op b = backward_op(f, op_kind::layer_norm_backward);
        b.args = {d_y};
        grad.target(b, x);
        g.backward.push_back(b);
        break;
      }
      case op_kind::batch_norm: {
        op b = backward_op(f, op_kind::batch_norm_backward);
        b.args = {d_y};
        grad.target(b, x);
        g.backward.push_back(b);
        break;
      }
      case op_kind::dropout: {
        op b = backward_op(f, op_kind::dropout_backward);
        b.args = {d_y};
        grad.target(b, x);
        g.backward.push_back(b);
        break;
      }
      case op_kind::add: {  // y = body + skip: both get d_y
        for (int a : {f.args[1], f.args[0]}) {
          op b = backward_op(f, op_kind::gradient_copy);
          b.args = {d_y};
          grad.target(b, a);
          g.backward.push_back(b);
        }
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace kiln::codegen
