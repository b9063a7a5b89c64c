// Pass check_shapes: every rule the DSL enforces, checked again on the extracted value (the front
// end may read a header the DSL never compiled), then the nodes lowered to forward ops.
#include "check_shapes.hpp"

#include <cstdio>
#include <string>

#include "pipeline.hpp"

namespace kiln::codegen {

namespace {

std::string layer_name(const spec_network& net, int i) {
  return "layer " + std::to_string(i) + " (" + std::string(kind_name(net.nodes[i].k)) + ")";
}

[[noreturn]] void fail(const spec_network& net, int i, const std::string& message) {
  const source_location& at =
      i >= 0 && i < int(net.layer_locations.size()) ? net.layer_locations[i] : net.where;
  throw spec_error(at, net.qualified_name + ": " +
                           (i >= 0 ? layer_name(net, i) + ": " : std::string()) + message);
}

std::string literal(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string make_id(const std::string& name) {
  std::string id;
  for (char c : name) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word)
      id += c;
    else if (id.empty() || id.back() != '_')
      id += '_';
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id.empty() ? "network" : id;
}

void check_node(const spec_network& net, int i, int& size) {
  const node& n = net.nodes[i];
  const int count = int(net.nodes.size());
  if (n.in <= 0 || n.out <= 0)
    fail(net, i,
         "sizes must be positive, got " + std::to_string(n.in) + " -> " + std::to_string(n.out));
  if (i > 0 && n.in != size)
    fail(net, i,
         "takes " + std::to_string(n.in) + " values but the layer before it outputs " +
             std::to_string(size));
  if (n.param_offset < 0 || n.param_count < 0) fail(net, i, "negative parameter offset or count");
  const int want_params = expected_param_count(n);
  if (n.param_count != want_params)
    fail(net, i,
         "has " + std::to_string(n.param_count) + " parameters, expected " +
             std::to_string(want_params));
  if (n.k == kind::input && n.hp != 0.0 &&
      !(n.hp >= 1.0 && n.hp <= double(1 << 24) && n.hp == double(int(n.hp))))
    fail(net, i, "an input of token IDs needs a vocabulary of 1 to 2^24, got " + literal(n.hp));
  const int vocab = token_vocab(net.nodes[0]);
  if (i == 1 && vocab > 0 && n.k != kind::embedding)
    fail(net, i, "tokens must be followed by embedding");
  if (n.k == kind::embedding) {
    if (i != 1 || vocab == 0) fail(net, i, "embedding must come right after an input of tokens");
    if (n.hp != double(vocab))
      fail(net, i,
           "the embedding's vocabulary is " + literal(n.hp) + " but the tokens' is " +
               std::to_string(vocab));
    if (n.out % n.in != 0)
      fail(net, i,
           "outputs " + std::to_string(n.out) + " values, not a multiple of its " +
               std::to_string(n.in) + " tokens");
  }
  if (n.k != kind::dense && n.k != kind::embedding && n.in != n.out)
    fail(net, i,
         "must keep its size, got " + std::to_string(n.in) + " -> " + std::to_string(n.out));
  if (n.k == kind::input && i != 0) fail(net, i, "input must be the first layer only");
  if (i == 0 && n.k != kind::input) fail(net, i, "the first layer must be input");
  if (is_loss(n.k) && i != count - 1) fail(net, i, "a loss must be the last layer");
  if (n.k == kind::softmax_cross_entropy && (i == 0 || net.nodes[i - 1].k != kind::softmax))
    fail(net, i, "softmax_cross_entropy needs a softmax output");
  if (n.k == kind::binary_cross_entropy && (i == 0 || net.nodes[i - 1].k != kind::sigmoid))
    fail(net, i, "binary_cross_entropy needs a sigmoid output");
  if (n.k == kind::dropout && !(n.hp >= 0.0 && n.hp < 1.0))
    fail(net, i, "the rate must be in [0, 1), got " + std::to_string(n.hp));
  if ((n.k == kind::layer_norm || n.k == kind::batch_norm) && !(n.hp > 0.0))
    fail(net, i, "epsilon must be positive, got " + std::to_string(n.hp));
  if (n.k == kind::batch_norm && !(n.hp2 >= 0.0 && n.hp2 <= 1.0))
    fail(net, i, "the momentum must be in [0, 1], got " + literal(n.hp2));
  if (n.k == kind::residual_begin) {
    if (n.link <= i || n.link >= count || net.nodes[n.link].k != kind::residual_end ||
        net.nodes[n.link].link != i)
      fail(net, i, "residual block without its matching end");
  } else if (n.k == kind::residual_end) {
    if (n.link < 0 || n.link >= i || net.nodes[n.link].k != kind::residual_begin ||
        net.nodes[n.link].link != i)
      fail(net, i, "residual end without its matching begin");
    if (net.nodes[n.link].in != n.out)
      fail(net, n.link,
           "a residual body must output as many values as the block takes in (x + f(x) needs "
           "f(x) the size of x): body outputs " +
               std::to_string(n.in) + ", block takes " + std::to_string(net.nodes[n.link].in));
  }
  size = n.out;
}

}  // namespace

op_graph check_shapes(const spec_network& net) {
  if (net.nodes.empty()) fail(net, -1, "the network has no layers");
  if (net.layer_locations.size() != net.nodes.size() && !net.layer_locations.empty())
    fail(net, -1, "one source location per layer expected");
  int size = 0;
  for (int i = 0; i < int(net.nodes.size()); ++i) check_node(net, i, size);
  const bool has_loss = is_loss(net.nodes.back().k);
  const int output_size = has_loss ? net.nodes.back().in : net.nodes.back().out;
  if (net.has_loss != has_loss) fail(net, -1, "has_loss disagrees with the layers");
  if (net.input_size != net.nodes[0].out)
    fail(net, -1,
         "input_size is " + std::to_string(net.input_size) + " but the input layer has " +
             std::to_string(net.nodes[0].out));
  if (net.output_size != output_size)
    fail(net, -1,
         "output_size is " + std::to_string(net.output_size) + " but the layers output " +
             std::to_string(output_size));

  op_graph g;
  g.spec = net;
  g.id = make_id(net.qualified_name);
  // value[i]: the tensor holding the output of node i. Copies (input, residual begin, the loss
  // node) share their input's tensor.
  std::vector<int> value(net.nodes.size(), -1);
  for (int i = 0; i < int(net.nodes.size()); ++i) {
    const node& n = net.nodes[i];
    const int x = i > 0 ? value[i - 1] : -1;
    if (n.k == kind::step) g.differentiable = false;
    if (i == 0) g.token_vocab = token_vocab(n);
    if (n.k == kind::input || n.k == kind::residual_begin || is_loss(n.k)) {
      value[i] = i == 0 ? g.add_tensor("x", storage::value, n.out) : x;
      if (i == 0) g.input = value[i];
      if (is_loss(n.k)) g.loss = n.k;
      continue;
    }
    op o;
    o.k = n.k;
    o.node = i;
    o.in = n.in;
    o.out = n.out;
    o.bias = n.bias;
    o.hp = n.hp;
    o.hp2 = n.hp2;
    o.args = {x};
    if (n.k == kind::dense)
      o.what = op_kind::dense;
    else if (is_activation(n.k))
      o.what = op_kind::activation;
    else if (n.k == kind::softmax)
      o.what = op_kind::softmax;
    else if (n.k == kind::embedding)
      o.what = op_kind::embedding;
    else if (n.k == kind::dropout)
      o.what = op_kind::dropout;
    else if (n.k == kind::layer_norm) {
      o.what = op_kind::layer_norm;
      o.aux_tensor = g.add_tensor("xhat_rstd" + std::to_string(i), storage::aux, n.out + 1);
    } else if (n.k == kind::batch_norm) {
      o.what = op_kind::batch_norm;
      o.aux_tensor = g.add_tensor("xhat_batch" + std::to_string(i), storage::aux, 5 * n.out + 1);
    } else if (n.k == kind::residual_end) {
      o.what = op_kind::add;
      o.args = {x, value[n.link]};  // the body's output, the block's input
    } else {
      fail(net, i, "kiln-gen does not know this kind");
    }
    o.result = g.add_tensor("y" + std::to_string(i), storage::value, n.out);
    value[i] = o.result;
    g.forward.push_back(o);
  }
  g.output = value[has_loss ? net.nodes.size() - 2 : net.nodes.size() - 1];
  return g;
}

}  // namespace kiln::codegen
