// kiln::network: a constexpr value whose type is the graph. Shapes, parameter counts and offsets
// are inferred at compile time; the value carries the flattened graph (kiln::node) with every
// hyperparameter, which the generic engine and kiln-gen read.
#pragma once

#include <array>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <type_traits>

#include "../graph.hpp"
#include "diagnostics.hpp"
#include "layers.hpp"

namespace kiln {

namespace detail {

/// Walks the layers in declaration order, inferring shapes, laying out parameters, checking the
/// rules and (when `out` is set) writing one node per layer.
struct walker {
  node* out = nullptr;
  int count = 0;   // nodes written so far: the flat index of the next layer
  int size = 0;    // values per sample leaving the last layer
  int params = 0;  // parameters laid out so far
  int inputs = 0;
  int vocab = 0;  // of an input of token IDs, else 0
  int loss_layer = -1;
  kind loss = kind::input;
  kind last = kind::input;
  spec_fault first_fault{};

  constexpr void fail(fault code, int layer, kind k, int got = 0, int expected = 0,
                      long long count = 0) {
    if (first_fault.code == fault::none) first_fault = {code, layer, k, got, expected, count};
  }
  // Rules every layer after the input obeys.
  constexpr void before(kind k) {
    if (count == 0) fail(fault::first_layer_not_input, 0, k);
    if (loss_layer >= 0) fail(fault::loss_not_last, loss_layer, loss);
    if (count == 1 && vocab > 0 && k != kind::embedding) fail(fault::tokens_need_embedding, 1, k);
  }
  // `count` parameters for the next layer, or 0 (and a fault) when the total would not fit an int.
  constexpr int checked_params(long long count, kind k) {
    if (count <= 2147483647ll - params) return int(count);
    fail(fault::too_many_parameters, this->count, k, 0, 0, params + count);
    return 0;
  }
  // Lays out the node's parameters: their count is the one rule of graph.hpp.
  constexpr int add(node n) {
    n.param_count = checked_params(wide_param_count(n), n.k);
    n.param_offset = params;
    params += n.param_count;
    if (out) out[count] = n;
    last = n.k;
    size = n.out;
    return count++;
  }
  // Keeps shapes walkable after a fault: a bad size continues as 1.
  constexpr int checked_size(int n, kind k) {
    if (n > 0) return n;
    fail(fault::size_not_positive, count, k, n);
    return 1;
  }
};

template <int N>
constexpr void visit(walker& w, const input_t<N>&) {
  if (w.count != 0) w.fail(fault::input_not_first, w.count, kind::input);
  const int n = w.checked_size(N, kind::input);
  w.inputs = n;
  w.add({kind::input, n, n, 0, 0, false, 0.0, -1});
}

// Token IDs: an input node whose hyperparameter is the vocabulary.
template <int C, int V>
constexpr void visit(walker& w, const tokens_t<C, V>&) {
  if (w.count != 0) w.fail(fault::input_not_first, w.count, kind::input);
  const int n = w.checked_size(C, kind::input);
  const int v = w.checked_size(V, kind::input);
  if (v > max_vocab) w.fail(fault::vocabulary_too_large, w.count, kind::input, v, max_vocab);
  w.inputs = n;
  w.vocab = v;
  w.add({kind::input, n, n, 0, 0, false, double(v), -1});
}

template <int V, int D>
constexpr void visit(walker& w, const embedding_t<V, D>&) {
  w.before(kind::embedding);
  if (w.count != 1 || w.vocab == 0)
    w.fail(fault::embedding_needs_tokens, w.count, kind::embedding);
  else if (V != w.vocab)
    w.fail(fault::vocabulary_mismatch, w.count, kind::embedding, V, w.vocab);
  const int v = w.checked_size(V, kind::embedding), d = w.checked_size(D, kind::embedding);
  const int in = w.size > 0 ? w.size : 1;
  w.add({kind::embedding, in, in * d, 0, 0, false, double(v), -1});
}

template <int N, bool Bias>
constexpr void visit(walker& w, const dense_t<N, Bias>&) {
  w.before(kind::dense);
  const int in = w.size > 0 ? w.size : 1;
  const int out = w.checked_size(N, kind::dense);
  w.add({kind::dense, in, out, 0, 0, Bias, 0.0, -1});
}

template <kind K>
constexpr void visit(walker& w, const unit_layer<K>& layer) {
  w.before(K);
  const int n = w.size > 0 ? w.size : 1;
  w.add({K, n, n, 0, 0, false, layer.hp, -1});
}

constexpr void visit(walker& w, const batch_norm_t& layer) {
  w.before(kind::batch_norm);
  const int n = w.size > 0 ? w.size : 1;
  w.add({kind::batch_norm, n, n, 0, 0, false, layer.eps, -1, layer.momentum});
}

template <class T>
constexpr void visit_element(walker& w, const T& element);

template <class... L>
constexpr void visit(walker& w, const residual<L...>& block) {
  w.before(kind::residual_begin);
  const int n = w.size > 0 ? w.size : 1;
  const int begin = w.add({kind::residual_begin, n, n, 0, 0, false, 0.0, -1});
  if constexpr (sizeof...(L) == 0) w.fail(fault::residual_empty, begin, kind::residual_begin);
  hana::for_each(block.body, [&](const auto& layer) { visit_element(w, layer); });
  if (w.size != n) w.fail(fault::residual_changes_size, begin, kind::residual_begin, w.size, n);
  w.before(kind::residual_end);
  const int end = w.add({kind::residual_end, n, n, 0, 0, false, 0.0, begin});
  if (w.out) w.out[begin].link = end;
}

template <kind K>
constexpr void visit(walker& w, const loss_t<K>&) {
  w.before(K);
  const int n = w.size > 0 ? w.size : 1;
  if (K == kind::softmax_cross_entropy && w.last != kind::softmax)
    w.fail(fault::softmax_cross_entropy_without_softmax, w.count, w.last);
  if (K == kind::binary_cross_entropy && w.last != kind::sigmoid)
    w.fail(fault::binary_cross_entropy_without_sigmoid, w.count, w.last);
  w.loss_layer = w.add({K, n, n, 0, 0, false, 0.0, -1});
  w.loss = K;
}

/// A Kiln layer: something `visit` knows (every overload above).
template <class T>
concept layer_element = requires(walker& w, const T& element) {
  visit(w, element);
};

/// Visits a layer; anything else (`42`, another network) is a fault at its position, and the walk
/// goes on with a placeholder node, so that the one error names it.
template <class T>
constexpr void visit_element(walker& w, const T& element) {
  if constexpr (layer_element<T>) {
    visit(w, element);
  } else {
    w.fail(fault::not_a_layer, w.count, kind::identity);
    w.add({kind::identity, w.size, w.size, 0, 0, false, 0.0, -1});
  }
}
template <class T>
constexpr void visit_type(walker& w) {
  if constexpr (layer_element<T>)
    visit(w, T{});
  else
    visit_element(w, 0);
}

/// The shape walk over default-constructed layers: sizes do not depend on hyperparameters.
template <class... L>
constexpr walker analyze() {
  walker w{};
  (visit_type<L>(w), ...);
  if constexpr (sizeof...(L) == 0) w.fail(fault::first_layer_not_input, 0, kind::input);
  if (w.count == 1 && w.vocab > 0) w.fail(fault::tokens_need_embedding, 1, kind::input);
  return w;
}

template <int Count, class... L>
constexpr std::array<node, Count> flatten(const L&... layers) {
  std::array<node, Count> nodes{};
  walker w{nodes.data()};
  (visit_element(w, layers), ...);
  return nodes;
}

}  // namespace detail

/// A network: `kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh, kiln::dense<1>,
/// kiln::sigmoid, kiln::mse}`. Everything below is a constant expression.
template <class... L>
struct network {
 private:
  static constexpr detail::walker shape = detail::analyze<L...>();
  static_assert(detail::report<shape.first_fault>());

 public:
  /// Layers in the flattened graph (a residual adds a begin and an end node around its body).
  static constexpr int node_count = shape.count;
  static constexpr int input_size = shape.inputs;
  static constexpr int param_count = shape.params;
  /// Without a loss, the network is inference-only.
  static constexpr bool has_loss = shape.loss_layer >= 0;
  /// Values per sample the network outputs (the input of its loss, if any).
  static constexpr int output_size = shape.size;

  /// The flattened graph: one node per layer with sizes, parameter offsets, hyperparameters.
  std::array<node, node_count> nodes;

  constexpr network(L... layers) : nodes(detail::flatten<node_count>(layers...)) {}

  /// The flattened graph with default hyperparameters: everything the type alone determines.
  static constexpr std::array<node, node_count> layout = detail::flatten<node_count>(L{}...);

  static constexpr kind loss_kind() { return has_loss ? layout[node_count - 1].k : kind::input; }
  /// False when a layer has no gradient (step): such a network can only be trained by rules that
  /// need none, like the perceptron rule.
  static constexpr bool differentiable() {
    for (const node& n : layout)
      if (n.k == kind::step) return false;
    return true;
  }
  /// Parameter offset of layer `i` (flat index) in the flat buffer.
  static constexpr int layer_offset(int i) { return layout[i].param_offset; }
  static constexpr int layer_param_count(int i) { return layout[i].param_count; }
  static constexpr int layer_output_size(int i) { return layout[i].out; }
  static constexpr kind layer_kind(int i) { return layout[i].k; }
};

template <class T>
struct is_network : std::false_type {};
template <class... L>
struct is_network<network<L...>> : std::true_type {};
template <class T>
concept network_spec = is_network<std::remove_cvref_t<T>>::value;

}  // namespace kiln
