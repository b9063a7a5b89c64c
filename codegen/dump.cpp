// JSON of the IR, written by hand: two-space indents, one op or tensor per line.
#include "dump.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace kiln::codegen {

namespace {

std::string quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + '"';
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string location(const source_location& l) {
  return "{\"file\": " + quote(l.file) + ", \"line\": " + std::to_string(l.line) +
         ", \"column\": " + std::to_string(l.column) + "}";
}

std::string int_list(const std::vector<int>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

const char* storage_name(storage s) {
  return s == storage::value ? "value" : s == storage::gradient ? "gradient" : "aux";
}

void write_ops(std::ostream& out, const char* name, const std::vector<op>& ops, bool last) {
  out << "  " << quote(name) << ": [";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const op& o = ops[i];
    out << (i ? ",\n    " : "\n    ") << "{\"op\": " << quote(op_kind_name(o.what))
        << ", \"kind\": " << quote(kind_name(o.k)) << ", \"node\": " << o.node
        << ", \"args\": " << int_list(o.args) << ", \"result\": " << o.result;
    if (o.aux_tensor >= 0) out << ", \"aux\": " << o.aux_tensor;
    if (o.result >= 0 && !is_forward(o.what))
      out << ", \"accumulate\": " << (o.accumulate ? "true" : "false");
    out << ", \"in\": " << o.in << ", \"out\": " << o.out;
    if (o.k == kind::dense) out << ", \"bias\": " << (o.bias ? "true" : "false");
    if (o.hp != 0.0) out << ", \"hp\": " << number(o.hp);
    if (o.hp2 != 0.0) out << ", \"hp2\": " << number(o.hp2);
    if (o.param_offset >= 0) out << ", \"param_offset\": " << o.param_offset;
    if (o.what == op_kind::dense || o.what == op_kind::dense_backward_input)
      out << ", \"unrolled\": " << (o.unrolled ? "true" : "false");
    if (o.stash_dy >= 0) out << ", \"stash\": [" << o.stash_dy << ", " << o.stash_x << "]";
    out << "}";
  }
  out << (ops.empty() ? "]" : "\n  ]") << (last ? "\n" : ",\n");
}

}  // namespace

void dump_json(std::ostream& out, const spec_network& net) {
  out << "{\n  \"network\": " << quote(net.qualified_name)
      << ",\n  \"where\": " << location(net.where) << ",\n  \"input_size\": " << net.input_size
      << ",\n  \"output_size\": " << net.output_size << ",\n  \"param_count\": " << net.param_count
      << ",\n  \"has_loss\": " << (net.has_loss ? "true" : "false") << ",\n  \"nodes\": [";
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    const node& n = net.nodes[i];
    out << (i ? ",\n    " : "\n    ") << "{\"kind\": " << quote(kind_name(n.k))
        << ", \"in\": " << n.in << ", \"out\": " << n.out
        << ", \"param_offset\": " << n.param_offset << ", \"param_count\": " << n.param_count
        << ", \"bias\": " << (n.bias ? "true" : "false") << ", \"hp\": " << number(n.hp)
        << ", \"link\": " << n.link;
    if (n.hp2 != 0.0) out << ", \"hp2\": " << number(n.hp2);
    if (i < net.layer_locations.size()) out << ", \"at\": " << location(net.layer_locations[i]);
    out << "}";
  }
  out << "\n  ]\n}\n";
}

void dump_json(std::ostream& out, const op_graph& g) {
  out << "{\n  \"network\": " << quote(g.spec.qualified_name) << ",\n  \"id\": " << quote(g.id)
      << ",\n  \"input\": " << g.input << ",\n  \"output\": " << g.output
      << ",\n  \"loss\": " << quote(g.loss == kind::input ? "none" : kind_name(g.loss))
      << ",\n  \"differentiable\": " << (g.differentiable ? "true" : "false");
  if (g.unroll_budget > 0)
    out << ",\n  \"unroll_budget\": " << g.unroll_budget
        << ",\n  \"slots\": {\"value\": " << g.value_slots << ", \"gradient\": " << g.gradient_slots
        << ", \"aux\": " << g.aux_slots << ", \"stash\": " << g.stash_values << "}";
  out << ",\n  \"tensors\": [";
  for (std::size_t i = 0; i < g.tensors.size(); ++i) {
    const tensor& t = g.tensors[i];
    out << (i ? ",\n    " : "\n    ") << "{\"id\": " << i << ", \"name\": " << quote(t.name)
        << ", \"storage\": " << quote(storage_name(t.where)) << ", \"size\": " << t.size;
    if (t.slot >= 0) out << ", \"slot\": " << t.slot;
    out << "}";
  }
  out << "\n  ],\n";
  write_ops(out, "forward", g.forward, !g.differentiated);
  if (g.differentiated) write_ops(out, "backward", g.backward, true);
  out << "}\n";
}

}  // namespace kiln::codegen
