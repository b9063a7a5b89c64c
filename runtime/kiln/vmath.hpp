// Lane vectors for generated kernels (one lane per sample of a tile: 16 floats or 8 doubles) and
// the activations on them. Every function also takes a plain float or double, where it is exactly
// the scalar rule of math.hpp, so one kernel body serves both the tile and the single sample.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>

#include "math.hpp"

// 64-byte vectors passed by value change the ABI without AVX-512; these functions are inline and
// never cross a library boundary, so GCC's note about it is noise. GCC reports it at the end of the
// translation unit, where template instantiations are compiled, so it stays off from here on.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace kiln::vmath {

/// The tile of T: how many samples run side by side, one per lane.
template <class T>
struct tile;
template <>
struct tile<float> {
  static constexpr int lanes = 16;
  typedef float vec __attribute__((vector_size(64)));
  typedef std::int32_t mask __attribute__((vector_size(64)));
};
template <>
struct tile<double> {
  static constexpr int lanes = 8;
  typedef double vec __attribute__((vector_size(64)));
  typedef std::int64_t mask __attribute__((vector_size(64)));
};

template <class V>
concept lane_vector = std::same_as<V, tile<float>::vec> || std::same_as<V, tile<double>::vec>;
template <class V>
concept scalar = std::same_as<V, float> || std::same_as<V, double>;

/// The element type of V (V itself for a scalar) and its lane count.
template <class V>
struct lane_traits {
  using type = V;
  static constexpr int lanes = 1;
};
template <lane_vector V>
struct lane_traits<V> {
  using type = std::remove_cvref_t<decltype(V{}[0])>;
  static constexpr int lanes = tile<type>::lanes;
};
template <class V>
using element_t = typename lane_traits<V>::type;

/// Every lane set to s.
template <class V>
inline V splat(element_t<V> s) {
  if constexpr (scalar<V>)
    return s;
  else
    return V{} + s;
}
/// Lane l of v (v itself for a scalar).
template <class V>
inline element_t<V>& lane(V& v, int l) {
  if constexpr (scalar<V>) {
    (void)l;
    return v;
  } else {
    return reinterpret_cast<element_t<V>*>(&v)[l];
  }
}
template <class V>
inline element_t<V> lane(const V& v, int l) {
  if constexpr (scalar<V>) {
    (void)l;
    return v;
  } else {
    return v[l];
  }
}

/// f applied lane by lane (for what has no vector form: sqrt keeps its exact rounding this way).
template <class V, class F>
inline V map(V x, F f) {
  if constexpr (scalar<V>) {
    return f(x);
  } else {
    V y;
    for (int l = 0; l < lane_traits<V>::lanes; ++l) y[l] = f(x[l]);
    return y;
  }
}

template <class V>
inline V max(V a, V b) {
  return a > b ? a : b;
}
template <class V>
inline V sqrt(V x) {
  return map(x, [](auto v) { return std::sqrt(v); });
}

// exp, expm1, log, log1p, erf: see the vector versions further down.
template <scalar T>
inline T exp(T x) {
  return std::exp(x);
}
template <scalar T>
inline T expm1(T x) {
  return std::expm1(x);
}
template <scalar T>
inline T log(T x) {
  return std::log(x);
}
template <scalar T>
inline T log1p(T x) {
  return std::log1p(x);
}
template <scalar T>
inline T erf(T x) {
  return std::erf(x);
}
template <scalar T>
inline T tanh(T x) {
  return std::tanh(x);
}

template <lane_vector V>
inline V exp(V x) {
  return map(x, [](auto v) { return std::exp(v); });
}
template <lane_vector V>
inline V expm1(V x) {
  return map(x, [](auto v) { return std::expm1(v); });
}
template <lane_vector V>
inline V log(V x) {
  return map(x, [](auto v) { return std::log(v); });
}
template <lane_vector V>
inline V log1p(V x) {
  return map(x, [](auto v) { return std::log1p(v); });
}
template <lane_vector V>
inline V erf(V x) {
  return map(x, [](auto v) { return std::erf(v); });
}
template <lane_vector V>
inline V tanh(V x) {
  return map(x, [](auto v) { return std::tanh(v); });
}

// Activations, the same rules as math.hpp written so they vectorize. `x` is the input, `y` the
// output already computed from it, `p` the hyperparameter; each `*_d` returns dy/dx.

template <class V>
inline V identity(V x) {
  return x;
}
template <class V>
inline V identity_d(V, V) {
  return splat<V>(1);
}
template <class V>
inline V step(V x) {
  if constexpr (scalar<V>)
    return math::step(x);
  else
    return x >= 0 ? splat<V>(1) : V{};
}
template <class V>
inline V step_d(V, V) {
  return V{};
}

template <class V>
inline V sigmoid(V x) {
  if constexpr (scalar<V>) {
    return math::sigmoid(x);
  } else {
    // Stable on both tails, as math::sigmoid: e = exp(-|x|) never overflows.
    const V e = vmath::exp(x >= 0 ? -x : x);
    const V r = 1 / (1 + e);
    return x >= 0 ? r : e * r;
  }
}
template <class V>
inline V sigmoid_d(V, V y) {
  return y * (1 - y);
}

template <class V>
inline V tanh_d(V, V y) {
  return 1 - y * y;
}

template <class V>
inline V relu(V x) {
  if constexpr (scalar<V>)
    return math::relu(x);
  else
    return x > 0 ? x : V{};
}
template <class V>
inline V relu_d(V x, V) {
  if constexpr (scalar<V>)
    return math::relu_d(x, x);
  else
    return x > 0 ? splat<V>(1) : V{};
}

template <class V>
inline V leaky_relu(V x, element_t<V> slope) {
  if constexpr (scalar<V>)
    return math::leaky_relu(x, slope);
  else
    return x > 0 ? x : slope * x;
}
template <class V>
inline V leaky_relu_d(V x, V, element_t<V> slope) {
  if constexpr (scalar<V>)
    return math::leaky_relu_d(x, x, slope);
  else
    return x > 0 ? splat<V>(1) : splat<V>(slope);
}

template <class V>
inline V elu(V x, element_t<V> alpha) {
  if constexpr (scalar<V>)
    return math::elu(x, alpha);
  else
    return x > 0 ? x : alpha * vmath::expm1(x);
}
template <class V>
inline V elu_d(V x, V y, element_t<V> alpha) {
  if constexpr (scalar<V>)
    return math::elu_d(x, y, alpha);
  else
    return x > 0 ? splat<V>(1) : y + alpha;
}

template <class V>
inline V gelu(V x) {
  using T = element_t<V>;
  if constexpr (scalar<V>)
    return math::gelu(x);
  else
    return T(0.5) * x * (T(1) + vmath::erf(x * T(0.70710678118654752440)));
}
template <class V>
inline V gelu_d(V x, V y) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::gelu_d(x, y);
  } else {
    const V cdf = T(0.5) * (T(1) + vmath::erf(x * T(0.70710678118654752440)));
    const V pdf = T(0.39894228040143267794) * vmath::exp(T(-0.5) * x * x);
    return cdf + x * pdf;
  }
}

template <class V>
inline V gelu_tanh(V x) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::gelu_tanh(x);
  } else {
    const V u = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
    return T(0.5) * x * (T(1) + vmath::tanh(u));
  }
}
template <class V>
inline V gelu_tanh_d(V x, V y) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::gelu_tanh_d(x, y);
  } else {
    const V u = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
    const V t = vmath::tanh(u);
    const V du = T(0.79788456080286535588) * (T(1) + T(3) * T(0.044715) * x * x);
    return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du;
  }
}

template <class V>
inline V silu(V x) {
  if constexpr (scalar<V>)
    return math::silu(x);
  else
    return x * vmath::sigmoid(x);
}
template <class V>
inline V silu_d(V x, V y) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::silu_d(x, y);
  } else {
    const V s = vmath::sigmoid(x);
    return s * (T(1) + x * (T(1) - s));
  }
}

template <class V>
inline V softplus(V x) {
  if constexpr (scalar<V>) {
    return math::softplus(x);
  } else {
    const V a = x < 0 ? -x : x;
    return (x > 0 ? x : V{}) + vmath::log1p(vmath::exp(-a));
  }
}
template <class V>
inline V softplus_d(V x, V) {
  return vmath::sigmoid(x);
}

}  // namespace kiln::vmath
