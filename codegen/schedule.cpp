// Pass schedule: slots are assigned in creation order with no reuse (the backward pass reads
// every activation, and a tile's scratch stays small next to its inputs); unrolling follows the
// weight count of each dense layer.
#include "schedule.hpp"

namespace kiln::codegen {

void schedule(op_graph& g, const options& opts) {
  g.unroll_budget = opts.unroll_budget;
  // One 64-byte vector per tile (vmath::tile<T>); the emitted code static_asserts the match.
  g.float_lanes = 16;
  g.double_lanes = 8;
  g.value_slots = g.gradient_slots = g.aux_slots = 0;
  for (tensor& t : g.tensors) {
    int& next = t.where == storage::value      ? g.value_slots
                : t.where == storage::gradient ? g.gradient_slots
                                               : g.aux_slots;
    t.slot = next;
    next += t.size;
  }
  for (auto* ops : {&g.forward, &g.backward})
    for (op& o : *ops)
      o.unrolled = (o.what == op_kind::dense || o.what == op_kind::dense_backward_input) &&
                   o.out * o.in <= opts.unroll_budget;
}

}  // namespace kiln::codegen
