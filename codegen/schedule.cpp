// Pass schedule: slots are assigned in creation order with no reuse (the backward pass reads
// every activation, and a tile's scratch stays small next to its inputs); each dense layer's d_y
// and (unless it reads the network's input) x get their place in the chunk's stash; unrolling
// follows the weight count of each dense layer.
#include "schedule.hpp"

namespace kiln::codegen {

void schedule(op_graph& g, const options& opts) {
  g.unroll_budget = opts.unroll_budget;
  g.value_slots = g.gradient_slots = g.aux_slots = 0;
  for (tensor& t : g.tensors) {
    int& next = t.where == storage::value      ? g.value_slots
                : t.where == storage::gradient ? g.gradient_slots
                                               : g.aux_slots;
    t.slot = next;
    next += t.size;
  }
  g.stash_values = 0;
  for (op& o : g.backward)
    if (o.what == op_kind::dense_backward_params) {
      o.stash_dy = g.stash_values;
      g.stash_values += o.out;
      o.stash_x = o.args[1] == g.input ? -1 : g.stash_values;
      if (o.stash_x >= 0) g.stash_values += o.in;
    }
  for (auto* ops : {&g.forward, &g.backward})
    for (op& o : *ops)
      o.unrolled = (o.what == op_kind::dense || o.what == op_kind::dense_backward_input) &&
                   o.out * o.in <= opts.unroll_budget;
}

}  // namespace kiln::codegen
