// Pass emit. Kernels are templates over T (float, double) and V (T itself for the single-sample
// kernel, vmath::tile<T>::vec for a tile), so one body serves both; sizes and slots are literals.
// In the single-sample kernel, a dense layer whose rows are narrower than a vector register runs
// kernels::dense_single (column form, inline); other dense layers within the unroll budget become
// one statement per output (forward) or input (backward) with every weight a constant offset;
// everything else, and every tile kernel, calls the register-blocked constant-bound loops of
// kernels.hpp (in a tile each weight load feeds all lanes, and unrolled lane vectors took 5x
// longer to compile).
// Element-wise layers go through kernels::map, which runs the single sample on vectors of units
// (map_shared, out of line, where several layers apply the same function alike).
#include "emit.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::codegen {

namespace {

std::string hex(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}
std::string literal(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

struct writer {
  const op_graph& g;
  std::ostringstream& out;
  const baked_weights* weights = nullptr;  // set when the network's weights are baked
  // How often each map occurs alike (size, accumulation, function), and the named functions of
  // those that occur more than once (see map): lambda -> name, and the definitions.
  std::map<std::string, int> uses{};
  std::map<std::string, std::string> shared_names{};
  std::vector<std::string> shared{};

  const tensor& t(int id) const { return g.tensors[id]; }
  // The array holding a tensor, and its element u.
  std::string array(int id) const {
    const storage s = t(id).where;
    return s == storage::value ? "act" : s == storage::gradient ? "grad" : "aux";
  }
  std::string at(int id, int u) const {
    return array(id) + "[" + std::to_string(t(id).slot + u) + "]";
  }
  std::string ptr(int id) const { return array(id) + " + " + std::to_string(t(id).slot); }
  std::string assign(const op& o) const { return o.accumulate ? " += " : " = "; }
  std::string acc(const op& o) const { return o.accumulate ? "true" : "false"; }

  void comment(const op& o) {
    out << "    // " << op_kind_name(o.what) << ": node " << o.node << " (" << kind_name(o.k)
        << "), " << o.in << " -> " << o.out << "\n";
  }

  // `result[u] (+)= f(args[u]...)` for u < n, through kernels::map: lane-wise in a tile, and over
  // vectors of units (then a scalar tail) in the single-sample kernel. A map that occurs more than
  // once alike (size, accumulation, function) names its lambda once, a static member of net, and
  // goes through kernels::map_shared, out of line, so its code is compiled once rather than
  // inlined into every such layer.
  void map(const op& o, int result, const std::vector<int>& args) {
    const std::string f = map_function(o);
    if (uses[key(o, f)] > 1)
      out << "    kiln::kernels::map_shared<" << o.out << ", " << acc(o) << ">(" << ptr(result)
          << ", " << shared_name(o, f);
    else
      out << "    kiln::kernels::map<" << o.out << ", " << acc(o) << ">(" << ptr(result) << ", "
          << f;
    for (int a : args) out << ", " << ptr(a);
    out << ");\n";
  }
  // The lambda a map op applies, one parameter per argument tensor ("" for other ops).
  std::string map_function(const op& o) const {
    const std::string name(kind_name(o.k));
    switch (o.what) {
      case op_kind::activation:
        return "[](auto x) { return kiln::vmath::" + name + "(x" + hp_arg(o) + "); }";
      case op_kind::activation_backward:
        return "[](auto d, auto x, auto y) { return d * kiln::vmath::" + name + "_d(x, y" +
               hp_arg(o) + "); }";
      case op_kind::add:
        return "[](auto a, auto b) { return a + b; }";
      case op_kind::gradient_copy:
        return "[](auto d) { return d; }";
      default:
        return "";
    }
  }
  std::string key(const op& o, const std::string& f) const {
    return std::to_string(o.out) + " " + acc(o) + " " + f;
  }
  void count_maps() {
    for (const auto* ops : {&g.forward, &g.backward})
      for (const op& o : *ops)
        if (const std::string f = map_function(o); !f.empty()) ++uses[key(o, f)];
  }
  // "sigmoid_f", "sigmoid_d_f" (its derivative), "elu_f_2" (a second alpha), "add_f", "copy_f".
  std::string shared_name(const op& o, const std::string& f) {
    auto [at, added] = shared_names.try_emplace(f);
    if (added) {
      const std::string name = o.what == op_kind::add             ? "add_f"
                               : o.what == op_kind::gradient_copy ? "copy_f"
                               : o.what == op_kind::activation_backward
                                   ? std::string(kind_name(o.k)) + "_d_f"
                                   : std::string(kind_name(o.k)) + "_f";
      int same = 0;
      for (const auto& [other, taken] : shared_names)
        same += taken == name || taken.starts_with(name + "_");
      at->second = same == 0 ? name : name + "_" + std::to_string(same + 1);
      shared.push_back("  static constexpr auto " + at->second + " = " + f + ";\n");
    }
    return at->second;
  }

  // An unrolled sum in up to four independent chains, joined pairwise at the end. The single
  // sample waits on it: one left-to-right chain of n multiply-adds takes n FMA latencies (bench
  // B's 10-input layer: 40 cycles, against 12 + 6 in four chains).
  static std::string sum(const std::vector<std::string>& terms) {
    const int n = static_cast<int>(terms.size()), c = n >= 8 ? 4 : n >= 4 ? 2 : 1;
    std::vector<std::string> chains(c);
    for (int i = 0; i < n; ++i) chains[i % c] += (i < c ? "" : " + ") + terms[i];
    if (c == 1) return chains[0];
    const auto pair = [](const std::string& a, const std::string& b) {
      return "(" + a + ") + (" + b + ")";
    };
    if (c == 2) return pair(chains[0], chains[1]);
    return "(" + pair(chains[0], chains[1]) + ") + (" + pair(chains[2], chains[3]) + ")";
  }

  static bool has_hp(kind k) { return k == kind::leaky_relu || k == kind::elu; }
  std::string hp_arg(const op& o) const {
    return has_hp(o.k) ? ", kiln::vmath::element_t<decltype(x)>(" + literal(o.hp) + ")"
                       : std::string();
  }

  void forward(const op& o) {
    comment(o);
    const int x = o.args[0];
    switch (o.what) {
      case op_kind::dense: {
        const int w = o.param_offset, b = o.param_offset + o.out * o.in;
        const auto call = [&] {
          out << "kiln::kernels::dense_forward<" << o.out << ", " << o.in << ", "
              << (o.bias ? "true" : "false") << ">(" << ptr(o.result) << ", " << ptr(x) << ", p + "
              << w << ");\n";
        };
        // One sample with vectors and short rows: the column-form kernel, inline; with prepared
        // parameters, wider rows in column form from W transposed.
        out << "    if constexpr (kiln::kernels::single_columns<V, " << o.out << ", " << o.in
            << ">) {\n      kiln::kernels::dense_single<" << o.out << ", " << o.in << ", "
            << (o.bias ? "true" : "false") << ">(" << ptr(o.result) << ", " << ptr(x) << ", p + "
            << w << ", training);\n    } else ";
        if (!o.unrolled) {
          out << "if constexpr (Prepared && kiln::kernels::prepared_columns<T>(" << o.out << ", "
              << o.in << ")) {\n      kiln::kernels::dense_prepared<" << o.out << ", " << o.in
              << ", " << (o.bias ? "true" : "false") << ">(" << ptr(o.result) << ", " << ptr(x)
              << ", p + " << w << ");\n    } else {\n      ";
          call();
          out << "    }\n";
          break;
        }
        out << "if constexpr (kiln::vmath::scalar<V>) {\n";
        for (int r = 0; r < o.out; ++r) {
          std::vector<std::string> terms;
          if (o.bias) terms.push_back("p[" + std::to_string(b + r) + "]");
          for (int j = 0; j < o.in; ++j)
            terms.push_back("p[" + std::to_string(w + r * o.in + j) + "] * " + at(x, j));
          out << "      " << at(o.result, r) << " = " << sum(terms) << ";\n";
        }
        out << "    } else {\n      ";
        call();
        out << "    }\n";
        break;
      }
      case op_kind::embedding:
        out << "    kiln::kernels::embedding_forward<" << o.in << ", " << o.out / o.in << ", T>("
            << ptr(o.result) << ", " << ptr(x) << ", p + " << o.param_offset << ");\n";
        break;
      case op_kind::activation:
        map(o, o.result, {x});
        break;
      case op_kind::softmax:
        out << "    kiln::kernels::softmax_forward<" << o.out << ">(" << ptr(o.result) << ", "
            << ptr(x) << ");\n";
        break;
      case op_kind::layer_norm:
        out << "    kiln::kernels::layer_norm_forward<" << o.out << ">(" << ptr(o.result) << ", "
            << ptr(o.aux_tensor) << ", " << ptr(x) << ", p + " << o.param_offset << ", p + "
            << o.param_offset + o.out << ", T(" << literal(o.hp) << "));\n";
        break;
      case op_kind::batch_norm:
        out << "    kiln::kernels::batch_norm_forward<" << o.out << ">(" << ptr(o.result) << ", "
            << ptr(o.aux_tensor) << ", " << ptr(x) << ", p + " << o.param_offset << ", T("
            << literal(o.hp) << "), training);\n";
        break;
      case op_kind::dropout:
        out << "    kiln::kernels::dropout_forward<" << o.out << ", T>(" << ptr(o.result) << ", "
            << ptr(x) << ", " << literal(o.hp) << ", training, seed, " << o.node << ", first);\n";
        break;
      case op_kind::add:
        map(o, o.result, {x, o.args[1]});
        break;
      default:
        break;
    }
  }

  void loss(const op& o) {
    comment(o);
    const char* name = o.k == kind::mse                    ? "mse_seed"
                       : o.k == kind::binary_cross_entropy ? "binary_cross_entropy_seed"
                                                           : "softmax_cross_entropy_seed";
    out << "    return kiln::kernels::" << name << "<" << o.out << ">(" << ptr(o.result);
    if (o.k != kind::mse) out << ", " << ptr(o.args[1]);
    out << ", " << ptr(o.args[0]) << ", t, scale, valid);\n";
  }

  void backward(const op& o) {
    comment(o);
    switch (o.what) {
      case op_kind::dense_backward_params:
        out << "    kiln::kernels::dense_params_tile<" << o.out << ", " << o.in << ", "
            << (o.bias ? "true" : "false") << ">(dp + " << o.param_offset << ", " << ptr(o.args[0])
            << ", " << ptr(o.args[1]) << ", stash, " << o.stash_dy << ", " << o.stash_x << ");\n";
        break;
      case op_kind::dense_backward_input: {
        const int d_y = o.args[0], w = o.param_offset;
        const auto call = [&] {
          out << "kiln::kernels::dense_backward_input<" << o.out << ", " << o.in << ", " << acc(o)
              << ">(" << ptr(o.result) << ", " << ptr(d_y) << ", p + " << w << ");\n";
        };
        if (!o.unrolled) {
          out << "    ";
          call();
          break;
        }
        out << "    if constexpr (kiln::vmath::scalar<V>) {\n";
        for (int j = 0; j < o.in; ++j) {
          std::vector<std::string> terms;
          for (int r = 0; r < o.out; ++r)
            terms.push_back("p[" + std::to_string(w + r * o.in + j) + "] * " + at(d_y, r));
          out << "      " << at(o.result, j) << assign(o) << sum(terms) << ";\n";
        }
        out << "    } else {\n      ";
        call();
        out << "    }\n";
        break;
      }
      case op_kind::activation_backward:
        map(o, o.result, {o.args[0], o.args[1], o.args[2]});
        break;
      case op_kind::softmax_backward:
        out << "    kiln::kernels::softmax_backward<" << o.out << ", " << acc(o) << ">("
            << ptr(o.result) << ", " << ptr(o.args[0]) << ", " << ptr(o.args[1]) << ");\n";
        break;
      case op_kind::layer_norm_backward:
        out << "    kiln::kernels::layer_norm_backward<" << o.out << ", " << acc(o) << ">("
            << ptr(o.result) << ", dp + " << o.param_offset << ", dp + " << o.param_offset + o.out
            << ", " << ptr(o.args[0]) << ", " << ptr(o.aux_tensor) << ", p + " << o.param_offset
            << ", count);\n";
        break;
      case op_kind::batch_norm_backward:
        out << "    kiln::kernels::batch_norm_backward<" << o.out << ", " << acc(o) << ">("
            << ptr(o.result) << ", dp + " << o.param_offset << ", dp + " << o.param_offset + o.out
            << ", " << ptr(o.args[0]) << ", " << ptr(o.aux_tensor) << ", p + " << o.param_offset
            << ", count);\n";
        break;
      case op_kind::dropout_backward:
        out << "    kiln::kernels::dropout_backward<" << o.out << ", " << acc(o) << ", T>("
            << ptr(o.result) << ", " << ptr(o.args[0]) << ", " << literal(o.hp) << ", seed, "
            << o.node << ", first);\n";
        break;
      case op_kind::embedding_backward:
        out << "    kiln::kernels::embedding_backward<" << o.in << ", " << o.out / o.in
            << ", T>(dp + " << o.param_offset << ", " << ptr(o.args[0]) << ", " << ptr(o.args[1])
            << ", count);\n";
        break;
      case op_kind::gradient_copy:
        map(o, o.result, {o.args[0]});
        break;
      default:
        break;
    }
  }

  // The batch_norm layers, for the engine that computes their batch statistics in training.
  void batch_norm_sites() {
    std::vector<const op*> sites;
    for (const op& o : g.forward)
      if (o.what == op_kind::batch_norm) sites.push_back(&o);
    if (sites.empty()) return;
    out << "  // batch_norm: node, features, input slot, aux slot, parameters, epsilon, "
           "momentum.\n";
    out << "  static constexpr int batch_norms = " << sites.size() << ";\n";
    out << "  static constexpr kiln::kernels::batch_norm_site batch_norm_sites[] = {\n";
    for (const op* o : sites)
      out << "      {" << o->node << ", " << o->out << ", " << t(o->args[0]).slot << ", "
          << t(o->aux_tensor).slot << ", " << o->param_offset << ", " << hex(o->hp) << ", "
          << hex(o->hp2) << "},\n";
    out << "  };\n\n";
  }

  // Whether the network's first op is a dense layer on the input that holds at least 3/4 of the
  // parameters and is the input's only reader (its weight gradient reads the caller's rows): a
  // data-parallel step may then split that layer's units between threads (engine::units_head).
  bool has_head() const {
    if (g.forward.empty() || !g.differentiable || g.loss == kind::input) return false;
    const op& h = g.forward[0];
    if (h.what != op_kind::dense || h.args.empty() || h.args[0] != g.input ||
        t(h.result).where != storage::value || 4LL * h.out * h.in < 3LL * g.spec.param_count)
      return false;
    const auto reads_input = [&](const op& o) {
      return std::find(o.args.begin(), o.args.end(), g.input) != o.args.end() ||
             o.aux_tensor == g.input;
    };
    for (std::size_t i = 1; i < g.forward.size(); ++i)
      if (reads_input(g.forward[i])) return false;
    for (const op& o : g.backward) {
      if (o.what == op_kind::dense_backward_params && o.node == h.node) {
        if (o.stash_x != -1) return false;
      } else if (reads_input(o)) {
        return false;
      }
    }
    return true;
  }

  void kernels() {
    const spec_network& s = g.spec;
    out << "namespace kiln::generated::" << g.id << " {\n\n";
    out << "/// The graph this code was generated from, checked against the spec variable.\n";
    out << "inline constexpr kiln::node nodes[] = {\n";
    for (const node& n : s.nodes)
      out << "    {kiln::kind::" << kind_name_enum(n.k) << ", " << n.in << ", " << n.out << ", "
          << n.param_offset << ", " << n.param_count << ", " << (n.bias ? "true" : "false") << ", "
          << hex(n.hp) << ", " << n.link << (n.hp2 != 0.0 ? ", " + hex(n.hp2) : "") << "},\n";
    out << "};\n\n";
    count_maps();
    out << "struct net {\n";
    out << "  static constexpr int input_size = " << s.input_size
        << ", output_size = " << s.output_size << ", param_count = " << s.param_count << ";\n";
    out << "  static constexpr kiln::kind loss_kind = kiln::kind::"
        << (g.loss == kind::input ? "input" : kind_name_enum(g.loss)) << ";\n";
    out << "  // Token IDs in [0, token_vocab) (kiln::tokens), or 0 for an input of values.\n";
    out << "  static constexpr int token_vocab = " << g.token_vocab << ";\n";
    out << "  static constexpr bool differentiable = " << (g.differentiable ? "true" : "false")
        << ";\n";
    out << "  // Scratch per tile, in lane vectors: activations, gradients, layer_norm state.\n";
    out << "  static constexpr int value_slots = " << g.value_slots
        << ", gradient_slots = " << g.gradient_slots << ", aux_slots = " << g.aux_slots << ";\n";
    out << "  // Values per sample of the stash the weight gradients are summed from.\n";
    out << "  static constexpr int stash_values = " << g.stash_values << ";\n";
    out << "  static constexpr int input_slot = " << t(g.input).slot
        << ", output_slot = " << t(g.output).slot << ";\n\n";
    batch_norm_sites();
    const bool head = has_head();
    if (head) {
      const op& h = g.forward[0];
      out << "  /// The first layer, dense on the input (see kernels::head_layer): forward<T, V, "
             "false> runs the\n  /// rest of the network from its outputs.\n";
      out << "  static constexpr kiln::kernels::head_layer head = {" << t(h.result).slot << ", "
          << h.param_offset << ", " << h.out << ", " << h.in << ", " << (h.bias ? "true" : "false")
          << "};\n\n";
    }

    // The dense layers whose W kiln::compiled's prepared parameters (engine::prepared) hold
    // transposed where kernels::prepared_columns says so: all but those unrolled into sums of
    // scalars (few weights), which keep their own order of terms in every engine.
    std::vector<std::string> dense;
    for (const op& o : g.forward)
      if (o.what == op_kind::dense && !o.unrolled)
        dense.push_back("{" + std::to_string(o.param_offset) + ", " + std::to_string(o.out) + ", " +
                        std::to_string(o.in) + ", " + (o.bias ? "true" : "false") + "}");
    dense.push_back("{-1, 0, 0, false}");
    out << "  /// The dense layers that may run from prepared weights (forward<T, V, true>), "
           "and an end mark.\n";
    out << "  static constexpr kiln::kernels::params_layer prepared_layers[] = {";
    for (std::size_t i = 0; i < dense.size(); ++i) out << (i ? ", " : "") << dense[i];
    out << "};\n\n";

    out << "  /// act[input_slot..] holds the tile's inputs; fills every activation. Prepared: p "
           "is\n  /// engine::prepared's layout (one sample only).\n";
    out << (head ? "  template <class T, class V, bool Prepared = false, bool Head = true>\n"
                 : "  template <class T, class V, bool Prepared = false>\n");
    out << "  static void forward([[maybe_unused]] const T* __restrict p, V* __restrict act,\n"
           "                      [[maybe_unused]] V* __restrict aux, [[maybe_unused]] bool "
           "training,\n"
           "                      [[maybe_unused]] std::uint64_t seed, [[maybe_unused]] int "
           "first) {\n";
    for (std::size_t i = 0; i < g.forward.size(); ++i) {
      if (head && i == 0) out << "    if constexpr (Head) {\n";
      forward(g.forward[i]);
      if (head && i == 0) out << "    }\n";
    }
    out << "  }\n";

    if (g.loss != kind::input) {
      out << "\n  /// The per-lane losses; seeds grad with d(mean loss) (`scale` is 1/batch or\n"
             "  /// 1/(batch n)), zero on lanes where valid is 0.\n";
      out << "  template <class T, class V>\n";
      out << "  KILN_VINLINE static V seed_loss(const V* __restrict act, V* __restrict grad, const "
             "V* "
             "__restrict t,\n"
             "                    T scale, V valid) {\n";
      loss(g.backward.front());
      out << "  }\n";
    }
    if (g.loss != kind::input && g.differentiable) {
      out << "\n  /// Adds the tile's gradient (`count` samples from `first`) to dp, except the "
             "weight\n"
             "  /// gradients of dense layers that it stashes for backward_params.\n";
      out << "  template <class T, class V>\n";
      out << "  static void backward([[maybe_unused]] const T* __restrict p, T* __restrict dp,\n"
             "                       [[maybe_unused]] const V* __restrict act,\n"
             "                       [[maybe_unused]] const V* __restrict aux, V* __restrict "
             "grad,\n"
             "                       [[maybe_unused]] const kiln::kernels::stash<T>& stash,\n"
             "                       [[maybe_unused]] std::uint64_t seed, [[maybe_unused]] int "
             "first,\n"
             "                       [[maybe_unused]] int count) {\n";
      for (std::size_t i = 1; i < g.backward.size(); ++i) backward(g.backward[i]);
      out << "  }\n";
      out << "\n  /// Adds the weight gradients of the chunk's `n` samples, stashed by backward, "
             "to dp\n"
             "  /// (writes them, for the first chunk). x: the samples' inputs, one row each. "
             "Each layer's\n"
             "  /// rows `part` of `parts` only (kernels::detail::row_part).\n";
      out << "  template <class T>\n";
      out << "  static void backward_params([[maybe_unused]] T* __restrict dp,\n"
             "                              [[maybe_unused]] const kiln::kernels::stash<T>& "
             "stash,\n"
             "                              [[maybe_unused]] const T* __restrict x, "
             "[[maybe_unused]] int n,\n"
             "                              [[maybe_unused]] bool first, "
             "[[maybe_unused]] int part = 0,\n"
             "                              [[maybe_unused]] int parts = 1) {\n";
      std::vector<std::string> layers;
      for (const op& o : g.backward) {
        if (o.what != op_kind::dense_backward_params) continue;
        comment(o);
        out << "    kiln::kernels::dense_params_chunk<" << o.out << ", " << o.in << ", "
            << (o.bias ? "true" : "false") << ">(dp + " << o.param_offset << ", stash, "
            << o.stash_dy << ", " << o.stash_x << ", x, n, first, part, parts);\n";
        layers.push_back("{" + std::to_string(o.param_offset) + ", " + std::to_string(o.out) +
                         ", " + std::to_string(o.in) + ", " + (o.bias ? "true" : "false") + "}");
      }
      out << "  }\n";
      // The layers backward_params sums (those of them wide enough to be stashed, per T): a
      // data-parallel step reduces the rest of the gradient across threads, not these.
      layers.push_back("{-1, 0, 0, false}");
      out << "\n  /// The dense layers whose weight gradients backward_params may sum, and an end "
             "mark.\n";
      out << "  static constexpr kiln::kernels::params_layer params_layers[] = {";
      for (std::size_t i = 0; i < layers.size(); ++i) out << (i ? ", " : "") << layers[i];
      out << "};\n";
      // Every parameter's gradient is either written by backward_params' first chunk or added to
      // tile by tile: the latter start from zero.
      out << "\n  /// Zeroes the gradients that backward adds to (all but those backward_params "
             "writes).\n";
      out << "  template <class T>\n";
      out << "  static void clear_gradient([[maybe_unused]] T* __restrict dp) {\n";
      for (std::size_t i = 0; i < g.spec.nodes.size(); ++i) {
        const node& n = g.spec.nodes[i];
        if (n.param_count == 0) continue;
        const auto params = std::find_if(g.backward.begin(), g.backward.end(), [&](const op& o) {
          return o.what == op_kind::dense_backward_params && o.node == int(i);
        });
        if (params != g.backward.end())
          out << "    kiln::kernels::dense_params_clear<" << params->out << ", " << params->in
              << ", " << (params->bias ? "true" : "false") << ">(dp + " << n.param_offset << ");\n";
        else
          out << "    kiln::kernels::clear<" << n.param_count << ">(dp + " << n.param_offset
              << ");\n";
      }
      out << "  }\n";
    }
    if (!shared.empty()) {
      out << "\n  // What several layers apply alike, each compiled once (kernels::map_shared).\n";
      for (const std::string& d : shared) out << d;
    }
    out << "};\n";
    if (weights) baked();
    out << "\n}  // namespace kiln::generated::" << g.id << "\n\n";
  }

  // The weights as a constant array in the flat layout (exact: hexadecimal literals, rounded
  // once to T as load_safetensors does), and the engine that runs net on them.
  void baked() {
    const int n = g.spec.param_count;
    out << "\n/// The weights baked from " << weights->source << ", in the flat layout.\n";
    // Aligned to a cache line: each vector load of a row then reads one line, not two (the
    // compiler's own 32 bytes made C's 64x64 layers at batch 1 take 92 ns instead of 50 on Zen 5).
    out << "template <class T>\n";
    out << "alignas(64) inline constexpr T weights[" << std::max(n, 1) << "] = {";
    for (int i = 0; i < n; ++i)
      out << (i % 4 == 0 ? "\n    " : " ") << "T(" << hex(weights->values[i]) << "),";
    if (n == 0) out << "T(0)";  // a network without parameters: one unused value
    out << "\n};\n";
    out << "/// The baked engine: net with the weights above as constants.\n";
    out << "template <class T>\n";
    out << "using baked = kiln::kernels::baked_engine<net, T, weights<T>>;\n";
  }

  void binding() {
    const spec_network& s = g.spec;
    const std::string var = "::" + s.qualified_name;
    const std::string net = "kiln::generated::" + g.id + "::net";
    out << "namespace kiln {\n";
    out << "/// " << s.qualified_name << ": " << s.input_size << " -> " << s.output_size << ", "
        << s.param_count << " parameters.\n";
    out << "template <class T>\n";
    out << "struct compiled<" << var << ", T> : kernels::engine<" << net << ", T> {\n";
    out << "  /// The spec's type: its static `layout` gives the runtime the graph (init, "
           "metrics).\n";
    out << "  using spec_type = std::remove_cvref_t<decltype(" << var << ")>;\n";
    out << "  static_assert(" << var << ".input_size == " << s.input_size << " && " << var
        << ".output_size == " << s.output_size << " &&\n                " << var
        << ".param_count == " << s.param_count << " && kernels::same_nodes(" << var
        << ".nodes, generated::" << g.id << "::nodes),\n"
        << "                \"kiln-gen: " << s.qualified_name
        << " changed since this header was generated; rebuild\");\n";
    out << "};\n";
    if (weights) {
      out << "/// " << s.qualified_name << " with the weights of " << weights->source
          << " compiled in.\n";
      out << "template <class T>\n";
      out << "struct baked<" << var << ", T> : generated::" << g.id << "::baked<T> {\n";
      out << "  static_assert(" << var << ".param_count == " << s.param_count
          << " && kernels::same_nodes(" << var << ".nodes, generated::" << g.id << "::nodes),\n"
          << "                \"kiln-gen: " << s.qualified_name
          << " changed since its weights were baked; rebuild\");\n";
      out << "};\n";
    }
    out << "}  // namespace kiln\n\n";
  }

  static std::string kind_name_enum(kind k) {
    // kind_name gives the DSL spelling; the enumerator differs only for residual blocks.
    if (k == kind::residual_begin) return "residual_begin";
    return std::string(kind_name(k));
  }
};

}  // namespace

std::string emit(const std::vector<op_graph>& graphs, const std::string& spec_include,
                 const std::vector<baked_weights>& weights) {
  std::ostringstream out;
  const std::string include =
      !spec_include.empty() && (spec_include[0] == '<' || spec_include[0] == '"')
          ? spec_include
          : "\"" + spec_include + "\"";
  const auto weights_of = [&](const op_graph& g) -> const baked_weights* {
    for (const baked_weights& w : weights)
      if (w.network == g.spec.qualified_name) return &w;
    return nullptr;
  };
  bool any_baked = false;
  for (const op_graph& g : graphs) any_baked = any_baked || weights_of(g);
  out << "// Generated by kiln-gen from " << include << ": do not edit.\n";
  out << "// Networks:";
  for (const op_graph& g : graphs) out << " " << g.spec.qualified_name;
  out << ". Reach them as kiln::compiled<spec, float or double>";
  if (any_baked) out << ", with weights as kiln::baked<spec, T>";
  out << ".\n";
  out << "#pragma once\n\n#include <kiln/compiled.hpp>\n#include <kiln/kernels.hpp>\n";
  if (any_baked) out << "#include <kiln/baked.hpp>\n";
  out << "\n// The kernels: plain code over constant sizes, no Hana; freestanding.\n";
  for (const op_graph& g : graphs) {
    std::ostringstream body;
    writer w{g, body, weights_of(g)};
    w.kernels();
    out << body.str();
  }
  out << "// The binding: kiln::compiled<spec, T> for each network of the spec. It includes the "
         "spec\n"
         "// (and so the DSL): hosted builds only (see KILN_FREESTANDING).\n";
  out << "#if !KILN_FREESTANDING\n#include <kiln/model.hpp>  // kiln::train_pass\n#include <span>\n"
         "#include "
      << include << "\n\n";
  for (const op_graph& g : graphs) {
    std::ostringstream body;
    writer w{g, body, weights_of(g)};
    w.binding();
    out << body.str();
  }
  out << "#endif  // !KILN_FREESTANDING\n";
  return out.str();
}

}  // namespace kiln::codegen
