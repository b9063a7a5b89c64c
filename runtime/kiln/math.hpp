// The one scalar math header: activation values and derivatives, the per-sample softmax and
// layer_norm rules, the fused losses and the dropout mask. Shared by the generic engine and the
// generated code, so the two differ only in how they loop. Standard library only.
#pragma once

#include <kiln/freestanding.hpp>  // cmath, cstdint, type_traits (or a subset)

namespace kiln::math {

// Activations: `x` is the input, `y` the output already computed from it; `p` the hyperparameter.
// Each `*_d` returns dy/dx.

template <class T>
inline T identity(T x) {
  return x;
}
template <class T>
inline T identity_d(T, T) {
  return T(1);
}

/// Heaviside step: 1 where x >= 0, else 0. It has no gradient; step_d exists only for symmetry.
template <class T>
inline T step(T x) {
  return x >= T(0) ? T(1) : T(0);
}
template <class T>
inline T step_d(T, T) {
  return T(0);
}

template <class T>
inline T sigmoid(T x) {
  // Stable on both tails: never evaluates exp of a large positive number.
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}
template <class T>
inline T sigmoid_d(T, T y) {
  return y * (T(1) - y);
}

template <class T>
inline T tanh(T x) {
  return std::tanh(x);
}
template <class T>
inline T tanh_d(T, T y) {
  return T(1) - y * y;
}

template <class T>
inline T relu(T x) {
  return x > T(0) ? x : T(0);
}
template <class T>
inline T relu_d(T x, T) {
  return x > T(0) ? T(1) : T(0);
}

template <class T>
inline T leaky_relu(T x, T slope) {
  return x > T(0) ? x : slope * x;
}
template <class T>
inline T leaky_relu_d(T x, T, T slope) {
  return x > T(0) ? T(1) : slope;
}

template <class T>
inline T elu(T x, T alpha) {
  return x > T(0) ? x : alpha * std::expm1(x);
}
template <class T>
inline T elu_d(T x, T y, T alpha) {
  return x > T(0) ? T(1) : y + alpha;
}

/// GELU, exact form: x * Phi(x) with Phi the standard normal CDF.
template <class T>
inline T gelu(T x) {
  return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
}
template <class T>
inline T gelu_d(T x, T) {
  const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
  const T pdf = T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);
  return cdf + x * pdf;
}

/// GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <class T>
inline T gelu_tanh(T x) {
  const T u = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
  return T(0.5) * x * (T(1) + std::tanh(u));
}
template <class T>
inline T gelu_tanh_d(T x, T) {
  const T u = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
  const T t = std::tanh(u);
  const T du = T(0.79788456080286535588) * (T(1) + T(3) * T(0.044715) * x * x);
  return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du;
}

/// SiLU (swish): x * sigmoid(x).
template <class T>
inline T silu(T x) {
  return x * sigmoid(x);
}
template <class T>
inline T silu_d(T x, T) {
  const T s = sigmoid(x);
  return s * (T(1) + x * (T(1) - s));
}

/// softplus: log(1 + e^x), computed without overflow.
template <class T>
inline T softplus(T x) {
  return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::fabs(x)));
}
template <class T>
inline T softplus_d(T x, T) {
  return sigmoid(x);
}

// Per-sample vector rules. x, y, dy, dx: [n].

/// softmax: y = exp(x - max) / sum.
template <class T>
inline void softmax_forward(T* y, const T* x, int n) {
  T m = x[0];
  for (int i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  T s = T(0);
  for (int i = 0; i < n; ++i) s += (y[i] = std::exp(x[i] - m));
  for (int i = 0; i < n; ++i) y[i] /= s;
}
/// dx_i += y_i * (dy_i - sum_j dy_j y_j)
template <class T>
inline void softmax_backward(T* d_x, const T* d_y, const T* y, int n) {
  T dot = T(0);
  for (int i = 0; i < n; ++i) dot += d_y[i] * y[i];
  for (int i = 0; i < n; ++i) d_x[i] += y[i] * (d_y[i] - dot);
}

/// layer_norm: y = gain * (x - mean) / sqrt(var + eps) + bias, var the biased variance.
/// xhat (the normalized input) and rstd = 1/sqrt(var+eps) are returned for the backward pass.
template <class T>
inline void layer_norm_forward(T* y, T* xhat, T& rstd, const T* x, const T* gain, const T* bias,
                               int n, T eps) {
  T mean = T(0);
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= T(n);
  T var = T(0);
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= T(n);
  rstd = T(1) / std::sqrt(var + eps);
  for (int i = 0; i < n; ++i) {
    xhat[i] = (x[i] - mean) * rstd;
    y[i] = gain[i] * xhat[i] + bias[i];
  }
}
/// d_gain += dy * xhat; d_bias += dy; dx += rstd/n * (n*g - sum(g) - xhat * sum(g*xhat)),
/// where g = dy * gain.
template <class T>
inline void layer_norm_backward(T* d_x, T* d_gain, T* d_bias, const T* d_y, const T* xhat, T rstd,
                                const T* gain, int n) {
  T sum_g = T(0), sum_gx = T(0);
  for (int i = 0; i < n; ++i) {
    const T g = d_y[i] * gain[i];
    sum_g += g;
    sum_gx += g * xhat[i];
    d_gain[i] += d_y[i] * xhat[i];
    d_bias[i] += d_y[i];
  }
  for (int i = 0; i < n; ++i)
    d_x[i] += rstd / T(n) * (T(n) * d_y[i] * gain[i] - sum_g - xhat[i] * sum_gx);
}

/// batch_norm in training, over a whole batch: x, y, xhat [batch][n]. Per feature f: the batch's
/// mean[f] and biased var[f], rstd[f] = 1/sqrt(var[f] + eps), xhat = (x - mean) rstd,
/// y = gain xhat + bias. mean and var are returned for the running statistics.
template <class T>
inline void batch_norm_forward(T* y, T* xhat, T* mean, T* var, T* rstd, const T* x, const T* gain,
                               const T* bias, int batch, int n, T eps) {
  for (int f = 0; f < n; ++f) {
    T m = T(0);
    for (int b = 0; b < batch; ++b) m += x[b * n + f];
    m /= T(batch);
    T v = T(0);
    for (int b = 0; b < batch; ++b) v += (x[b * n + f] - m) * (x[b * n + f] - m);
    v /= T(batch);
    mean[f] = m;
    var[f] = v;
    rstd[f] = T(1) / std::sqrt(v + eps);
    for (int b = 0; b < batch; ++b) {
      xhat[b * n + f] = (x[b * n + f] - m) * rstd[f];
      y[b * n + f] = gain[f] * xhat[b * n + f] + bias[f];
    }
  }
}
/// batch_norm in inference, one value of feature f: gain ((x - mean) / sqrt(var + eps)) + bias
/// with the running statistics; `rstd` = batch_norm_rstd(var, eps).
template <class T>
inline T batch_norm_rstd(T var, T eps) {
  return T(1) / std::sqrt(var + eps);
}
template <class T>
inline T batch_norm_inference(T x, T gain, T bias, T mean, T rstd) {
  return gain * ((x - mean) * rstd) + bias;
}
/// Over the batch, per feature: A = sum(dy), B = sum(dy xhat); d_gain += B, d_bias += A,
/// dx += gain rstd / N (N dy - A - xhat B): every sample's gradient depends on the whole batch.
template <class T>
inline void batch_norm_backward(T* d_x, T* d_gain, T* d_bias, const T* d_y, const T* xhat,
                                const T* rstd, const T* gain, int batch, int n) {
  for (int f = 0; f < n; ++f) {
    T a = T(0), c = T(0);
    for (int b = 0; b < batch; ++b) {
      a += d_y[b * n + f];
      c += d_y[b * n + f] * xhat[b * n + f];
    }
    d_gain[f] += c;
    d_bias[f] += a;
    for (int b = 0; b < batch; ++b)
      d_x[b * n + f] +=
          gain[f] * rstd[f] / T(batch) * (T(batch) * d_y[b * n + f] - a - xhat[b * n + f] * c);
  }
}
/// Folds a batch's statistics into the running ones, as nn.BatchNorm1d: running = (1 - momentum)
/// running + momentum batch, the variance unbiased (var batch / (batch - 1)); counts the batch.
/// state: running_mean[n], running_var[n], num_batches_tracked.
template <class T>
inline void batch_norm_track(T* state, const T* mean, const T* var, int batch, int n,
                             double momentum) {
  const T m = T(momentum), keep = T(1) - m;
  for (int f = 0; f < n; ++f) {
    state[f] = keep * state[f] + m * mean[f];
    state[n + f] = keep * state[n + f] + m * (var[f] * T(batch) / T(batch - 1));
  }
  state[2 * n] += T(1);
}

// Fused losses, per sample, from the pre-activation logits z. Each returns the sample's loss and
// writes dz = (p - t) * scale, the gradient of the loss times `scale` (1/batch or 1/(batch*n)).

/// Softmax cross-entropy: -sum_i t_i log softmax(z)_i = sum_i t_i (logsumexp(z) - z_i).
/// p: the softmax output of z. dz_i = (p_i * sum(t) - t_i) * scale.
template <class T>
inline T softmax_cross_entropy(T* d_z, const T* z, const T* p, const T* t, int n, T scale) {
  T m = z[0];
  for (int i = 1; i < n; ++i) m = z[i] > m ? z[i] : m;
  T s = T(0);
  for (int i = 0; i < n; ++i) s += std::exp(z[i] - m);
  const T lse = m + std::log(s);
  T loss = T(0), sum_t = T(0);
  for (int i = 0; i < n; ++i) {
    loss += t[i] * (lse - z[i]);
    sum_t += t[i];
  }
  for (int i = 0; i < n; ++i) d_z[i] = (p[i] * sum_t - t[i]) * scale;
  return loss;
}

/// Binary cross-entropy on sigmoid outputs: -(t log p + (1-t) log(1-p)) with p = sigmoid(z),
/// summed over the n outputs; computed as max(z,0) - z t + log(1 + e^-|z|). dz = (p - t) * scale.
template <class T>
inline T binary_cross_entropy(T* d_z, const T* z, const T* p, const T* t, int n, T scale) {
  T loss = T(0);
  for (int i = 0; i < n; ++i) {
    loss += (z[i] > T(0) ? z[i] : T(0)) - z[i] * t[i] + std::log1p(std::exp(-std::fabs(z[i])));
    d_z[i] = (p[i] - t[i]) * scale;
  }
  return loss;
}

/// Mean squared error's per-sample part: sum_i (y_i - t_i)^2; dy = 2 (y - t) * scale.
template <class T>
inline T squared_error(T* d_y, const T* y, const T* t, int n, T scale) {
  T loss = T(0);
  for (int i = 0; i < n; ++i) {
    const T e = y[i] - t[i];
    loss += e * e;
    d_y[i] = T(2) * e * scale;
  }
  return loss;
}

// Dropout mask: a counter-based hash, so every engine draws the same mask for the same
// (seed, layer, sample, unit) without sharing generator state.

constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// True when unit `unit` of sample `sample` in layer `layer` is kept under dropout `rate`.
constexpr bool dropout_keep(std::uint64_t seed, int layer, int sample, int unit, double rate) {
  const std::uint64_t h = mix64(seed ^ mix64((std::uint64_t(layer) << 48) ^
                                             (std::uint64_t(sample) << 24) ^ std::uint64_t(unit)));
  const double u = double(h >> 11) * (1.0 / 9007199254740992.0);  // uniform in [0, 1)
  return u >= rate;
}

}  // namespace kiln::math
