// Parameter initialization from the network's nodes: Xavier/Glorot and He/Kaiming for dense
// weights, zero biases, layer_norm gain 1 and bias 0, embedding tables N(0, 1); the same seed
// gives bit-identical parameters everywhere (Kiln's own generator and distributions).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <kiln/graph.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"
#include "random.hpp"

namespace kiln {

/// The flattened graph of a model's network, for engines that expose it: `m.nodes()` (the
/// generic engine), a static `M::spec_type::layout`, or a static `M::spec.nodes`.
template <class M>
concept has_nodes = requires(const M& m) {
  m.nodes();
}
|| requires { M::spec_type::layout; }
|| requires { M::spec.nodes; };

template <has_nodes M>
std::span<const node> nodes_of(const M& m) {
  if constexpr (requires { m.nodes(); })
    return {m.nodes().data(), m.nodes().size()};
  else if constexpr (requires { M::spec_type::layout; })
    return {M::spec_type::layout.data(), M::spec_type::layout.size()};
  else
    return {M::spec.nodes.data(), M::spec.nodes.size()};
}

/// How dense weights are drawn (fan_in = in, fan_out = out of the layer):
/// xavier_uniform U(-a, a), a = sqrt(6 / (fan_in + fan_out)); xavier_normal N(0, 2 / (fan_in +
/// fan_out)); he_uniform U(-a, a), a = sqrt(6 / fan_in); he_normal N(0, 2 / fan_in).
enum class init_scheme { xavier_uniform, xavier_normal, he_uniform, he_normal };

/// Fills `params` (the flat layout of `nodes`): dense weights by `scheme`, each layer from its
/// own stream mix_seed(seed, layer index); dense biases 0; layer_norm and batch_norm gain 1, bias
/// 0 (batch_norm's running mean 0, running variance 1, batches tracked 0); embedding
/// tables N(0, 1) (whatever the scheme, as nn.Embedding), from the layer's stream too.
template <class T>
void initialize(std::span<T> params, std::span<const node> nodes, init_scheme scheme,
                std::uint64_t seed) {
  int total = 0;
  for (const node& n : nodes) total = std::max(total, n.param_offset + n.param_count);
  if (int(params.size()) != total)
    throw std::invalid_argument("kiln::initialize: params has " + std::to_string(params.size()) +
                                " values, the network has " + std::to_string(total));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    T* p = params.data() + n.param_offset;
    if (n.k == kind::dense) {
      rng r(mix_seed(seed, i));
      const double fan_in = n.in, fan_out = n.out;
      const int weights = n.in * n.out;
      for (int w = 0; w < weights; ++w) {
        double v = 0;
        switch (scheme) {
          case init_scheme::xavier_uniform: {
            const double a = std::sqrt(6.0 / (fan_in + fan_out));
            v = r.uniform(-a, a);
            break;
          }
          case init_scheme::xavier_normal:
            v = r.normal(0.0, std::sqrt(2.0 / (fan_in + fan_out)));
            break;
          case init_scheme::he_uniform: {
            const double a = std::sqrt(6.0 / fan_in);
            v = r.uniform(-a, a);
            break;
          }
          case init_scheme::he_normal:
            v = r.normal(0.0, std::sqrt(2.0 / fan_in));
            break;
        }
        p[w] = T(v);
      }
      if (n.bias)
        for (int o = 0; o < n.out; ++o) p[weights + o] = T(0);
    } else if (n.k == kind::embedding) {
      rng r(mix_seed(seed, i));
      for (int w = 0; w < n.param_count; ++w) p[w] = T(r.normal(0.0, 1.0));
    } else if (n.k == kind::layer_norm || n.k == kind::batch_norm) {
      for (int u = 0; u < n.out; ++u) p[u] = T(1);
      for (int u = 0; u < n.out; ++u) p[n.out + u] = T(0);
      if (n.k == kind::batch_norm) {  // running_mean 0, running_var 1, num_batches_tracked 0
        T* state = params.data() + state_of(n).begin;
        for (int u = 0; u < n.out; ++u) state[u] = T(0);
        for (int u = 0; u < n.out; ++u) state[n.out + u] = T(1);
        state[2 * n.out] = T(0);
      }
    }
  }
}

/// A new parameter buffer for model `m`, initialized by `scheme` from `seed`.
template <class M>
requires model<M> && has_nodes<M> std::vector<typename M::value_type> initial_params(
    const M& m, init_scheme scheme, std::uint64_t seed) {
  std::vector<typename M::value_type> p(M::param_count);
  initialize<typename M::value_type>(p, nodes_of(m), scheme, seed);
  return p;
}

}  // namespace kiln
