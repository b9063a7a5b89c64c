// The building blocks kiln-gen's generated code calls with constant sizes, and the batch driver
// that cuts a batch into tiles of samples (one lane per sample) or runs a single sample alone.
// Depends on math.hpp, vmath.hpp, graph.hpp (and, hosted, embedding.hpp, model.hpp): no heap.
#pragma once

#include <kiln/freestanding.hpp>  // the C++ library's algorithm, cstring, utility (or a subset)
#include <kiln/graph.hpp>

#include "math.hpp"
#include "vmath.hpp"
#if !KILN_FREESTANDING  // kernels::engine, below
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "embedding.hpp"  // its tile kernels and the token check throw: hosted only
#include "model.hpp"
#endif

namespace kiln::kernels {

using vmath::element_t;
using vmath::lane;
using vmath::splat;
template <class V>
inline constexpr int lanes_of = vmath::lane_traits<V>::lanes;
using vmath::registers_of;

// Dense layers. x: [In], y: [Out], w: [Out][In] row-major then b[Out]; each element a lane vector
// (one feature of the tile's samples) or, in the single-sample kernel, a plain T. A tile keeps
// several accumulators in registers at once (FMA latency times throughput is about 8 in flight) and
// loads each weight once per block; the single sample runs on vectors of T along the rows of W.
// Sums may run in another order than the generic engine's; the two agree to rounding.

namespace detail {
/// The target's vector of T, for the single-sample kernels.
template <class T>
using vec = typename vmath::tile<T>::vec;
template <class T>
inline constexpr int width = vmath::tile<T>::lanes;

/// The widest vector of a single sample's few units and weights: 32 bytes, also on AVX-512. On
/// Intel's AVX-512 cores a 512-bit instruction shuts off port 1's vector unit while it is in
/// flight, and a single sample's chain then waits for ports: on Emerald Rapids one 512-bit load
/// a call made the chain of a single-register tanh 16 cycles longer (47 to 63), and network A's
/// call took 205 cycles with its two 512-bit weight shuffles, 148 without. Zen 4 splits a
/// 512-bit instruction into two 256-bit halves anyway.
inline constexpr int single_bytes = vmath::register_bytes < 32 ? vmath::register_bytes : 32;

/// The narrowest vector of T that holds N values: 16 bytes at least, single_bytes at most. A
/// single sample's few units run in it (network A's four tanh units: 16 bytes, not AVX-512's 64).
constexpr int vector_bytes_for(int bytes) {
  int b = 16;
  while (b < bytes && b < single_bytes) b *= 2;
  return b;
}
template <class T, int N>
using vec_for = typename vmath::vector_of<T, vector_bytes_for(N* int(sizeof(T)))>::type;

template <class T>
KILN_VINLINE vec<T> load(const T* p) {
  return vmath::load<vec<T>>(p);
}
template <class T>
KILN_VINLINE void store(T* p, vec<T> v) {
  vmath::store(p, v);
}
/// The first N values at p in a vector of type Vec, the other lanes zero: loaded in power-of-two
/// halves joined by shuffles. Zeroing a vector and copying the values in went through the stack,
/// and its wide reload after narrower stores missed store forwarding (network A's single sample,
/// 4 units of 8 lanes, waited on it).
template <int N, class Vec, class T>
KILN_VINLINE Vec load_first(const T* p) {
  constexpr int L = sizeof(Vec) / sizeof(T);
  if constexpr (N == 0) {
    return Vec{};
  } else if constexpr (N == L) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
  } else if constexpr (N == 1) {  // one value: a scalar load into lane 0, not a 1-lane vector
    Vec v{};
    v[0] = *p;
    return v;
  } else {
    using Half [[gnu::vector_size(sizeof(Vec) / 2)]] = T;
    const Half lo = load_first<std::min(N, L / 2), Half>(p);
    const Half hi = load_first<std::max(0, N - L / 2), Half>(p + L / 2);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return __builtin_shufflevector(lo, hi, int(I)...);
    }
    (std::make_index_sequence<L>{});
  }
}
/// v with lane i taken from lane i ^ S (S a power of two below the width).
template <int S, class V, std::size_t... I>
KILN_VINLINE V swap_lanes(V v, std::index_sequence<I...>) {
  return __builtin_shufflevector(v, v, (int(I) ^ S)...);
}
/// Lane 0 of the result sums v's lanes: log2(L) shuffles and adds, from S = L/2 down.
template <int S, class V>
KILN_VINLINE V fold_lanes(V v) {
  if constexpr (S == 0)
    return v;
  else
    return fold_lanes<S / 2>(v + swap_lanes<S>(v, std::make_index_sequence<lanes_of<V>>{}));
}
/// The sum of v's lanes (v itself for a scalar).
template <class V>
KILN_VINLINE element_t<V> sum_lanes(V v) {
  if constexpr (vmath::scalar<V>)
    return v;
  else
    return lane(fold_lanes<lanes_of<V> / 2>(v), 0);
}

/// A tile's features as registers: feature f's register h is r[f * H + h]. The tile kernels work
/// on G of a feature's H registers at a time (registers h0 .. h0+G): blocks of R rows (or columns)
/// times G registers fit AVX2's 16 registers with the G inputs and a broadcast beside them; a
/// wider G spills the inputs to memory operands and ran 64x64 at 70 instead of 90 GFLOP/s.
template <class V>
using reg_t = std::remove_cvref_t<decltype(V{}.r[0])>;
template <class V>
inline constexpr int group = registers_of<V> % 2 == 0 ? 2 : 1;

/// Rows o .. o+R, registers h0 .. h0+G, of y = W x + b for a tile, over inputs j0 .. j1 (the
/// first span starts from the bias, later ones add to y): R * G accumulators, each input loaded
/// once for all of them.
template <int R, int G, int H, int Out, int In, bool Bias, class T, class Reg>
KILN_VINLINE void dense_rows(Reg* __restrict y, const Reg* __restrict x, const T* __restrict w,
                             int o, int h0, int j0, int j1) {
  Reg s[R][G];
  for (int r = 0; r < R; ++r)
    for (int g = 0; g < G; ++g)
      s[r][g] = j0 > 0 ? y[(o + r) * H + h0 + g] : splat<Reg>(Bias ? w[Out * In + o + r] : T(0));
  for (int j = j0; j < j1; ++j) {
    Reg xj[G];
    for (int g = 0; g < G; ++g) xj[g] = x[j * H + h0 + g];
    for (int r = 0; r < R; ++r) {
      const T wj = w[(o + r) * In + j];
      for (int g = 0; g < G; ++g) s[r][g] += wj * xj[g];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int g = 0; g < G; ++g) y[(o + r) * H + h0 + g] = s[r][g];
}

/// The sums of neighbouring units (Unit lanes each) of u and v: in every span of Span lanes of
/// the result, the first half comes from u's span, the second from v's. Applied as a tree to L
/// vectors, it leaves one vector whose lane r sums vector r. (__builtin_shufflevector: GCC 12 and
/// Clang both have it.)
template <class T, int Unit, int Span, std::size_t... I>
KILN_VINLINE vec<T> pair_sums(vec<T> u, vec<T> v, std::index_sequence<I...>) {
  constexpr int L = width<T>, half = Span / 2;
  // Lanes of u then v, numbered 0 .. 2L: the first (odd = 0) or second unit of each pair.
  constexpr auto pick = [](int i, int odd) {
    const int k = i % Span, from = k % half;
    const int at = i - k + (2 * (from / Unit) + odd) * Unit + from % Unit;
    return k < half ? at : L + at;
  };
  return __builtin_shufflevector(u, v, pick(int(I), 0)...) +
         __builtin_shufflevector(u, v, pick(int(I), 1)...);
}
/// Lane r of the result: the sum of a[r]'s lanes, for L = width<T> vectors. First within blocks
/// of 16 bytes (in-lane shuffles, one uop each on x86), then across blocks: a tree over the whole
/// width at once took two lane-crossing permutes and a blend per shuffle.
template <int N, class T>
KILN_VINLINE vec<T> row_sums(const vec<T> (&a)[N]) {
  constexpr int L = width<T>, B = std::min(L, int(16 / sizeof(T)));
  static_assert(N == L, "row_sums: one vector per lane");
  vec<T> t[N];
  for (int r = 0; r < N; ++r) t[r] = a[r];
  int n = N;
  for (; n > N / B; n /= 2)
    for (int r = 0; r < n / 2; ++r)
      t[r] = pair_sums<T, 1, B>(t[2 * r], t[2 * r + 1], std::make_index_sequence<L>{});
  if constexpr (B < L)
    for (; n > 1; n /= 2)
      for (int r = 0; r < n / 2; ++r)
        t[r] = pair_sums<T, B, L>(t[2 * r], t[2 * r + 1], std::make_index_sequence<L>{});
  return t[0];
}

/// One stage of a W x W transpose in registers, for the rows i and i + S (i & S == 0): in every
/// block of 2S lanes, row i takes the first S lanes of both rows, row i + S the last S. Stages S =
/// W/2, W/4, .. 1 transpose the whole (each swaps the off-diagonal blocks at its size).
constexpr int stage_lane(int k, int s, int w, bool high) {
  const int block = k / (2 * s) * 2 * s, off = k % (2 * s);
  return off < s ? block + off + (high ? s : 0) : w + block + off - s + (high ? s : 0);
}
template <int S, class T, std::size_t... I>
KILN_VINLINE void transpose_stage(vec<T> (&r)[width<T>], std::index_sequence<I...>) {
  constexpr int W = width<T>;
  for (int i = 0; i < W; ++i)
    if ((i & S) == 0) {
      const vec<T> a = r[i], b = r[i + S];
      r[i] = __builtin_shufflevector(a, b, stage_lane(int(I), S, W, false)...);
      r[i + S] = __builtin_shufflevector(a, b, stage_lane(int(I), S, W, true)...);
    }
}
template <class T, int S = width<T> / 2>
KILN_VINLINE void transpose(vec<T> (&r)[width<T>]) {
  if constexpr (S >= 1) {
    transpose_stage<S, T>(r, std::make_index_sequence<width<T>>{});
    transpose<T, S / 2>(r);
  }
}

/// Writes the tile's inputs x[0 .. N) sample-major into x_t (row l: sample l's N inputs, rows In
/// apart): W x W blocks transposed in registers, so a store writes W values (one lane at a time
/// took a quarter of a 64x64 layer's d_W).
template <int N, int In, class T, class V>
KILN_VINLINE void transpose_tile(T* __restrict x_t, const V* __restrict x) {
  constexpr int W = width<T>, H = registers_of<V>;
  static_assert(N % W == 0, "whole blocks only");
  for (int j = 0; j < N; j += W)
    for (int h = 0; h < H; ++h) {
      vec<T> r[W];
      for (int c = 0; c < W; ++c) r[c] = x[j + c].r[h];
      transpose<T>(r);
      for (int l = 0; l < W; ++l) store(x_t + (h * W + l) * In + j, r[l]);
    }
}

/// Rows o .. o+R of y = W x + b for one sample: dot products over vectors of T, one accumulator
/// per row. A block of R = L rows is summed across lanes all at once (row_sums); fewer rows, one
/// by one.
template <int R, int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_rows_1(T* __restrict y, const T* __restrict x, const T* __restrict w,
                               int o) {
  constexpr int L = width<T>, full = In / L * L;
  vec<T> a[R];
  for (int r = 0; r < R; ++r) a[r] = vec<T>{};
  for (int j = 0; j < full; j += L) {
    const vec<T> xj = load(x + j);
    for (int r = 0; r < R; ++r) a[r] += load(w + (o + r) * In + j) * xj;
  }
  T s[R];
  if constexpr (R == L) {
    store(s, row_sums<R, T>(a));
  } else {
    for (int r = 0; r < R; ++r) s[r] = sum_lanes(a[r]);
  }
  for (int r = 0; r < R; ++r) {
    T t = s[r] + (Bias ? w[Out * In + o + r] : T(0));
    for (int j = full; j < In; ++j) t += w[(o + r) * In + j] * x[j];
    y[o + r] = t;
  }
}

/// Whether a single sample's rows of W are summed one row at a time (dense_row_streamed) rather
/// than R at once (dense_rows_1): for a layer whose weights (more than 32 KB) stream from L2,
/// where R rows at once are R streams the prefetcher does not keep up with. One row with four
/// accumulators read D's 784-input layer in 2.6 us, sixteen rows at once in 3.8-4.4 us (Zen 5);
/// a 64x64 layer (16 KB, in L1) the other way round, 50 ns against 100.
template <int Out, int In, class T>
inline constexpr bool streamed_rows = (std::size_t(Out) * In * sizeof(T) > 32768) &&
                                      (In >= 4 * width<T>);

/// Row o of y = W x + b for one sample, four vector accumulators along the row.
template <int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_row_streamed(T* __restrict y, const T* __restrict x, const T* __restrict w,
                                     int o) {
  constexpr int L = width<T>, step = 4 * L, quad = In / step * step, full = In / L * L;
  const T* row = w + std::size_t(o) * In;
  vec<T> a[4] = {};
  for (int j = 0; j < quad; j += step)
    for (int k = 0; k < 4; ++k) a[k] += load(row + j + k * L) * load(x + j + k * L);
  for (int j = quad; j < full; j += L) a[0] += load(row + j) * load(x + j);
  T t = sum_lanes((a[0] + a[1]) + (a[2] + a[3])) + (Bias ? w[Out * In + o] : T(0));
  for (int j = full; j < In; ++j) t += row[j] * x[j];
  y[o] = t;
}

/// v's first N lanes to p, in the power-of-two pieces load_first reads them back in (a wide load
/// after narrower stores of other sizes misses store forwarding).
template <class Vec, std::size_t... I>
KILN_VINLINE auto half_of(Vec v, int from, std::index_sequence<I...>) {
  constexpr int L = sizeof...(I);
  return from == 0 ? __builtin_shufflevector(v, v, int(I)...)
                   : __builtin_shufflevector(v, v, int(I + L)...);
}
template <int N, class Vec, class T>
KILN_VINLINE void store_first(T* p, Vec v) {
  constexpr int L = sizeof(Vec) / sizeof(T);
  if constexpr (N == L) {
    std::memcpy(p, &v, sizeof v);
  } else if constexpr (N == 1) {
    *p = v[0];
  } else if constexpr (N > 0) {
    using Half [[gnu::vector_size(sizeof(Vec) / 2)]] = T;
    store_first<std::min(N, L / 2), Half>(p, half_of(v, 0, std::make_index_sequence<L / 2>{}));
    store_first<std::max(0, N - L / 2), Half>(p + L / 2,
                                              half_of(v, 1, std::make_index_sequence<L / 2>{}));
  }
}

/// Column j of rows o .. o+n of W (row-major, In per row) in a vector, the other lanes zero. With
/// baked weights every element is a constant and the column one constant vector.
template <int In, int N, class Vec, class T>
KILN_VINLINE Vec column(const T* __restrict w, int o, int j) {
  Vec c{};
#pragma GCC unroll 16
  for (int l = 0; l < N; ++l) c[l] = w[(o + l) * In + j];
  return c;
}

}  // namespace detail

/// Whether a single sample's dense layer runs in column form (dense_single): with vectors, and
/// rows of W narrower than a register, where dot products along the rows would leave lanes idle
/// and the compiler's own vectorizing of the unrolled sums shuffled values through the stack
/// (network B at 48 ns a sample on Zen 4 with GCC 12's -march=native, 21 ns in column form).
template <class V, int Out, int In>
inline constexpr bool single_columns = [] {
  if constexpr (vmath::scalar<V>)
    return detail::width<V> > 1 && In < detail::width<V>;
  else
    return false;
}();

namespace detail {
/// The lanes of dense_single's vectors when each holds its own rows of W in two registers: the
/// largest power of two of rows (up to Out) whose In values each fit in two registers, and that
/// a vector of at least 16 bytes holds exactly; 0 when there is none.
constexpr int pair_rows(int out, int in, int width) {
  int p = 1;
  while (p * 2 <= out && p * 2 * in <= 2 * width) p *= 2;
  return p;
}
template <class T, int Out, int In, int P = pair_rows(Out, In, width<T>), int K = (Out + P - 1) / P>
inline constexpr int pair_lanes = (P >= 2 && vmath::lane_traits<vec_for<T, P>>::lanes == P &&
                                   (K == 2 || K == 4) &&
                                   (K * P * int(sizeof(T)) <= vmath::register_bytes))
                                      ? P
                                      : 0;
/// dense_single's rows per vector: the narrowest vector that holds Out, L lanes; vector k holds
/// rows k L .. k L + rows(k).
template <int Out, class Vec>
constexpr int single_rows(int k) {
  return std::min(vmath::lane_traits<Vec>::lanes, Out - k * vmath::lane_traits<Vec>::lanes);
}
/// Column j of vector k's rows, from W in memory (element by element: with baked weights, one
/// constant vector) or from W held in two registers (one two-register shuffle).
template <int Out, int In, class Vec, int k, int j, class R, std::size_t... l>
KILN_VINLINE Vec shuffle_column(const R (&v)[2], std::index_sequence<l...>) {
  constexpr int L = sizeof...(l), rows = single_rows<Out, Vec>(k);
  return __builtin_shufflevector(v[0], v[1], (int(l) < rows ? (k * L + int(l)) * In + j : 0)...);
}
/// W held as K pairs of registers, pair k the rows of vector k (each L In values or fewer).
template <class T, int K>
struct register_pairs {
  vec<T> v[K][2];
};
template <class T>
inline constexpr bool is_register_pairs = false;
template <class T, int K>
inline constexpr bool is_register_pairs<register_pairs<T, K>> = true;
template <class Vec, std::size_t... l>
KILN_VINLINE auto join_two(Vec a, Vec b, std::index_sequence<l...>) {
  return __builtin_shufflevector(a, b, int(l)...);
}
/// Two or four vectors side by side in one vector of twice or four times their lanes.
template <class Vec, int K>
KILN_VINLINE auto join(const Vec (&a)[K]) {
  constexpr std::size_t L = vmath::lane_traits<Vec>::lanes;
  static_assert(K == 2 || K == 4, "join: two or four vectors");
  if constexpr (K == 2) {
    return join_two(a[0], a[1], std::make_index_sequence<2 * L>{});
  } else {
    const auto lo = join_two(a[0], a[1], std::make_index_sequence<2 * L>{});
    const auto hi = join_two(a[2], a[3], std::make_index_sequence<2 * L>{});
    return join_two(lo, hi, std::make_index_sequence<4 * L>{});
  }
}
/// Vector k's rows of W (P's lanes of rows, In values each) into its two registers.
template <int Out, int In, class P, int k, class T>
KILN_VINLINE void load_pair(vec<T> (&v)[2], const T* __restrict w) {
  constexpr int R = width<T>, n = single_rows<Out, P>(k) * In;
  const T* rows = w + k * vmath::lane_traits<P>::lanes * In;
  v[0] = load_first<std::min(n, R), vec<T>>(rows);
  v[1] = load_first<std::max(0, n - R), vec<T>>(rows + std::min(n, R));
}
template <int Out, int In, class Vec, int k, int j, class R, std::size_t... l>
KILN_VINLINE Vec shuffle_pair_column(const R (&v)[2], std::index_sequence<l...>) {
  constexpr int rows = single_rows<Out, Vec>(k);
  return __builtin_shufflevector(v[0], v[1], (int(l) < rows ? int(l) * In + j : 0)...);
}
template <int Out, int In, class Vec, int k, int j, class W>
KILN_VINLINE Vec column_at(const W& w) {
  constexpr int L = vmath::lane_traits<Vec>::lanes;
  if constexpr (is_register_pairs<W>)
    return shuffle_pair_column<Out, In, Vec, k, j>(w.v[k], std::make_index_sequence<L>{});
  else if constexpr (requires { w[0][0]; })  // W in two registers (a pointer's w[0][0] is no value)
    return shuffle_column<Out, In, Vec, k, j>(w, std::make_index_sequence<L>{});
  else
    return column<In, single_rows<Out, Vec>(k), Vec>(w, k * L, j);
}
/// Step j of dense_single: column j of each vector's rows times x[j], added to chain c's sum
/// (the first step of a chain starts it; chain 0 starts from the bias).
template <int Out, int In, bool Bias, int C, int j, class Vec, class T, class W, std::size_t... k>
KILN_VINLINE void single_step(Vec (&a)[C][sizeof...(k)], const T* __restrict x,
                              const T* __restrict b, const W& w, std::index_sequence<k...>) {
  constexpr int L = vmath::lane_traits<Vec>::lanes, c = j % C;
  const Vec xj = vmath::splat<Vec>(x[j]);
  if constexpr (j == 0)
    ((a[0][k] = (Bias ? load_first<single_rows<Out, Vec>(k), Vec>(b + k * L) : Vec{}) +
                column_at<Out, In, Vec, int(k), j>(w) * xj),
     ...);
  else if constexpr (j < C)
    ((a[c][k] = column_at<Out, In, Vec, int(k), j>(w) * xj), ...);
  else
    ((a[c][k] += column_at<Out, In, Vec, int(k), j>(w) * xj), ...);
}
/// The sums of dense_single in C chains (1, 2 or 4), the columns dealt round them, then added.
template <int C, int Out, int In, bool Bias, class Vec, class T, class W, std::size_t... k,
          std::size_t... j>
KILN_VINLINE void single_steps(T* __restrict y, const T* __restrict x, const T* __restrict b,
                               const W& w, std::index_sequence<k...> ks,
                               std::index_sequence<j...>) {
  static_assert(C == 1 || C == 2 || C == 4);
  constexpr int L = vmath::lane_traits<Vec>::lanes;
  Vec chains[C][sizeof...(k)];
  (single_step<Out, In, Bias, C, int(j)>(chains, x, b, w, ks), ...);
  for (int h = C / 2; h >= 1; h /= 2)
    for (int c = 0; c < h; ++c) ((chains[c][k] += chains[c + h][k]), ...);
  Vec(&a)[sizeof...(k)] = chains[0];
  if constexpr (is_register_pairs<W>) {
    // The vectors joined into one (two or four of them) and stored at once: the next layer
    // reads y in one load, which stores of the parts would not forward to (stored in parts,
    // 8-8-8-1's compiled engine took 66 ns a sample).
    store_first<Out>(y, join(a));
  } else {
    (store_first<single_rows<Out, Vec>(k), Vec>(y + k * L, a[k]), ...);
  }
}

/// dense_single's chains of sums in inference: the In steps dealt round up to four chains.
constexpr int single_chains(int in) { return in >= 8 ? 4 : in >= 3 ? 2 : 1; }

template <int C, int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_single_chains(T* __restrict y, const T* __restrict x,
                                      const T* __restrict w) {
  using Vec = vec_for<T, Out>;
  constexpr int L = vmath::lane_traits<Vec>::lanes, K = (Out + L - 1) / L, R = width<T>;
  // W in two registers of the narrowest vector that holds half of it (A's 2x4: two of 16 bytes).
  using Half = vec_for<T, (Out * In + 1) / 2>;
  constexpr int H = vmath::lane_traits<Half>::lanes;
  if (__builtin_constant_p(w[0]) && __builtin_constant_p(w[Out * In - 1])) {
    // Baked weights: constant columns, no shuffle left to run (GCC 12 folds shuffles of
    // constants in 256 bits, not in AVX-512's two-register permutes).
    single_steps<C, Out, In, Bias, Vec>(y, x, w + Out * In, w, std::make_index_sequence<K>{},
                                        std::make_index_sequence<In>{});
  } else if constexpr (Out * In <= 2 * H) {
    const Half v[2] = {load_first<std::min(Out * In, H), Half>(w),
                       load_first<std::max(0, Out * In - H), Half>(w + std::min(Out * In, H))};
    single_steps<C, Out, In, Bias, Vec>(y, x, w + Out * In, v, std::make_index_sequence<K>{},
                                        std::make_index_sequence<In>{});
  } else if constexpr (Out * In <= 32) {
    // Up to 32 weights: the columns built element by element from memory, off the sample's
    // chain (W does not wait on x). Network B's 2x10 and 10x3 layers in 512-bit registers took
    // 73 ns a sample on Emerald Rapids, this 49, as with baked weights.
    single_steps<C, Out, In, Bias, Vec>(y, x, w + Out * In, w, std::make_index_sequence<K>{},
                                        std::make_index_sequence<In>{});
  } else if constexpr (sizeof(T) == 4 && Out <= 8 && In <= 8 && single_bytes == 32) {
    // Rows of up to 8 floats, each in a 32-byte register, transposed into columns by three rounds
    // of two-source shuffles (24, none of them on the sample's chain). 8-8-8-1's 8x8 layers in
    // 512-bit register pairs took 99 ns a sample (chained, Emerald Rapids), this 78.
    using R8 = vec_for<T, 8>;
    R8 r[8], t[8], u[8], c[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) r[i] = i < Out ? load_first<In, R8>(w + i * In) : R8{};
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      t[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
      t[2 * i + 1] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 8; i += 4)
      for (int h = 0; h < 2; ++h) {
        u[i + 2 * h] = __builtin_shufflevector(t[i + h], t[i + 2 + h], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 2 * h + 1] =
            __builtin_shufflevector(t[i + h], t[i + 2 + h], 2, 3, 10, 11, 6, 7, 14, 15);
      }
    for (int q = 0; q < 4; ++q) {  // c[j]: column j, rows 0 .. 7
      c[q] = __builtin_shufflevector(u[q], u[4 + q], 0, 1, 2, 3, 8, 9, 10, 11);
      c[q + 4] = __builtin_shufflevector(u[q], u[4 + q], 4, 5, 6, 7, 12, 13, 14, 15);
    }
    R8 a[C];
    a[0] = (Bias ? load_first<Out, R8>(w + Out * In) : R8{}) + c[0] * x[0];
#pragma GCC unroll 8
    for (int j = 1; j < In; ++j) {
      if (j < C)
        a[j] = c[j] * x[j];
      else
        a[j % C] += c[j] * x[j];
    }
    for (int h = C / 2; h >= 1; h /= 2)
      for (int k = 0; k < h; ++k) a[k] += a[k + h];
    store_first<Out>(y, a[0]);
  } else if constexpr (pair_lanes<T, Out, In> > 0) {
    // Narrower vectors, each with its rows in two registers of its own (network 8-8-8-1's 8x8
    // layers: two vectors of 4 rows). Dot products along rows of 8 took 38-47 ns a sample on
    // Zen 5, this 29-36, the baked engine's constant columns 26.
    using P = vec_for<T, pair_lanes<T, Out, In>>;
    constexpr int PL = vmath::lane_traits<P>::lanes, PK = (Out + PL - 1) / PL;
    register_pairs<T, PK> pairs;
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      (load_pair<Out, In, P, int(k)>(pairs.v[k], w), ...);
    }
    (std::make_index_sequence<PK>{});
    single_steps<C, Out, In, Bias, P>(y, x, w + Out * In, pairs, std::make_index_sequence<PK>{},
                                      std::make_index_sequence<In>{});
  } else {
    constexpr int full = Out / R * R;
    for (int o = 0; o < full; o += R) dense_rows_1<R, Out, In, Bias>(y, x, w, o);
    if constexpr (Out > full) dense_rows_1<Out - full, Out, In, Bias>(y, x, w, full);
  }
}
}  // namespace detail

/// y = W x + b for one sample in column form: y = b + sum_j x[j] W[:, j], on the narrowest
/// vectors that hold Out. Every step unrolled (a loop over j kept the sums in memory). The
/// columns: with constant (baked) weights, constant vectors; else shuffled out of W in two
/// registers of at most single_bytes where it fits; else, up to 32 weights, built element by
/// element; else in register pairs (pair_lanes) or, for a larger W, dot products along the rows,
/// as dense_forward.
///
/// Training (and what the generic engine is compared with there): one sum per vector in the
/// generic engine's order, bias then inputs 0, 1, ... (partial sums, under the cancellation of
/// an MSE gradient's y - t, left a gradient 4e-5 off the generic engine's in a registered-kinds
/// test). Inference: the columns dealt round two or four chains (single_chains), so that the
/// sample waits on In / C multiply-adds and log2 C additions instead of In multiply-adds
/// (network B's 10-input layer: 40 cycles of chain at 4 cycles a multiply-add, 16 in four).
template <int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_single(T* __restrict y, const T* __restrict x, const T* __restrict w,
                               bool training = true) {
  constexpr int C = detail::single_chains(In);
  if (C == 1 || training)
    detail::dense_single_chains<1, Out, In, Bias>(y, x, w);
  else
    detail::dense_single_chains<C, Out, In, Bias>(y, x, w);
}

namespace detail {

/// Columns j .. j+C, registers h0 .. h0+G, of d_x (+)= W^T d_y for a tile: C * G accumulators,
/// d_y[o] loaded once for all of them.
template <int C, int G, int H, int Out, int In, bool Accumulate, class T, class Reg>
KILN_VINLINE void dense_columns(Reg* __restrict d_x, const Reg* __restrict d_y,
                                const T* __restrict w, int j, int h0) {
  Reg s[C][G];
  for (int c = 0; c < C; ++c)
    for (int g = 0; g < G; ++g) s[c][g] = Accumulate ? d_x[(j + c) * H + h0 + g] : Reg{};
  for (int o = 0; o < Out; ++o) {
    Reg d[G];
    for (int g = 0; g < G; ++g) d[g] = d_y[o * H + h0 + g];
    for (int c = 0; c < C; ++c) {
      const T wc = w[o * In + j + c];
      for (int g = 0; g < G; ++g) s[c][g] += wc * d[g];
    }
  }
  for (int c = 0; c < C; ++c)
    for (int g = 0; g < G; ++g) d_x[(j + c) * H + h0 + g] = s[c][g];
}

/// Columns j .. j+C*L of d_x (+)= W^T d_y for one sample: C vectors of d_x in registers while the
/// rows of W stream past.
template <int C, int Out, int In, bool Accumulate, class T>
KILN_VINLINE void dense_columns_1(T* __restrict d_x, const T* __restrict d_y, const T* __restrict w,
                                  int j) {
  constexpr int L = width<T>;
  vec<T> s[C];
  for (int c = 0; c < C; ++c) s[c] = Accumulate ? load(d_x + j + c * L) : vec<T>{};
  for (int o = 0; o < Out; ++o) {
    const T d = d_y[o];
    for (int c = 0; c < C; ++c) s[c] += load(w + o * In + j + c * L) * d;
  }
  for (int c = 0; c < C; ++c) store(d_x + j + c * L, s[c]);
}

/// d_w[o..o+R][j..j+C*W] (+)= sum over samples l < n of d_y[o][l] x_t[l][j..], W the register
/// width: R*C accumulators in registers while the samples stream past. d_y: rows S values apart;
/// x_t: one row of In inputs per sample.
template <int R, int C, int In, class T>
KILN_VINLINE void dense_params_block(T* __restrict d_w, const T* __restrict d_y, int S,
                                     const T* __restrict x_t, int o, int j, int n, bool overwrite) {
  constexpr int W = width<T>;
  // The accumulators start from d_w itself (or zero): no add at the end.
  vec<T> s[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      s[r][c] = overwrite ? vec<T>{} : load(d_w + (o + r) * In + j + c * W);
  const T* dy = d_y + o * S;
#pragma GCC unroll 4
  for (int l = 0; l < n; ++l) {
    vec<T> xs[C];
    for (int c = 0; c < C; ++c) xs[c] = load(x_t + l * In + j + c * W);
    for (int r = 0; r < R; ++r) {
      const T d = dy[r * S + l];
      for (int c = 0; c < C; ++c) s[r][c] += d * xs[c];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) store(d_w + (o + r) * In + j + c * W, s[r][c]);
}
/// Entry K of add_lane_dots_flat's order, its registers added (lanes not yet summed); zero past
/// the end.
template <int Out, int In, bool Bias, int K, class T, class V>
KILN_VINLINE vec<T> lane_dot_at(const V* __restrict d_y, const V* __restrict x) {
  constexpr int H = registers_of<V>, weights = Out * In;
  vec<T> a{};
  if constexpr (K < weights)
    for (int h = 0; h < H; ++h) a += d_y[K / In].r[h] * x[K % In].r[h];
  else if constexpr (K < weights + (Bias ? Out : 0))
    for (int h = 0; h < H; ++h) a += d_y[K - weights].r[h];
  return a;
}
/// Groups G of W consecutive entries.
template <int Out, int In, bool Bias, class T, class V, int... G>
KILN_VINLINE void add_lane_dots_flat(T* __restrict d_w, const V* __restrict d_y,
                                     const V* __restrict x, std::integer_sequence<int, G...>) {
  constexpr int W = width<T>, N = Out * In + (Bias ? Out : 0);
  const auto add_group = [&]<int K, int... R>(std::integer_sequence<int, R...>) {
    vec<T> a[W] = {lane_dot_at<Out, In, Bias, K + R, T>(d_y, x)...};
    const vec<T> s = row_sums<W, T>(a);
    if constexpr (K + W <= N) {
      store(d_w + K, load(d_w + K) + s);
    } else {
      for (int r = 0; r < N - K; ++r) d_w[K + r] += s[r];
    }
  };
  (add_group.template operator()<G * W>(std::make_integer_sequence<int, W>{}), ...);
}
/// The whole gradient of a layer too narrow to transpose (fewer inputs than a d_W block), in
/// memory order: d_w[k] for k = o In + j sums d_y[o] x[j] over the lanes, then (Bias) d_b[o] at
/// k = Out In + o sums d_y[o]. W consecutive k at a time go through one tree of row sums and one
/// vector add; column by column (a stride of In, Out < W rows left to lane-by-lane sums), bench
/// B's 2-10-3 layers spent most of their d_W in scalar adds.
template <int Out, int In, bool Bias, class T, class V>
KILN_VINLINE void add_lane_dots_flat(T* __restrict d_w, const V* __restrict d_y,
                                     const V* __restrict x) {
  constexpr int W = width<T>, N = Out * In + (Bias ? Out : 0);
  add_lane_dots_flat<Out, In, Bias>(d_w, d_y, x,
                                    std::make_integer_sequence<int, (N + W - 1) / W>{});
}
}  // namespace detail

// The three dense kernels are never inlined (dense_forward's loops: dense_forward_loops): layers
// of one shape share one copy, and the functions calling them stay small. Inlined, GCC took 6.6 s
// instead of 3.6 s at -O3 for the ten-layer examples::deep_relu, and ran no faster (a call is a few
// ns against a layer's tile).

namespace detail {
/// The chains a single sample's layer of `out` units sums its columns in (column form: y = b +
/// sum_j x[j] W[:, j] on whole registers of outputs, dense_columns_baked and dense_prepared): the
/// inputs dealt round 4 chains of out / L accumulators where they leave registers for the column
/// and x[j] (32 registers with AVX-512, else 16), else 2, else none (0: the rows instead). Network
/// C's 64x64 layers on Emerald Rapids: the baked call 185 ns at its fastest, 200 median, in two
/// chains, 178 and 192 in four (alternated, independent calls). At baseline x86-64 C's layers in
/// columns of 4 floats would need 32 accumulators in two chains: they spilled, and the baked call
/// took 1444 ns against the rows' 941.
template <class T>
constexpr int column_chains(int out) {
  constexpr int L = width<T>, registers = vmath::register_bytes == 64 ? 32 : 16;
  if (L == 1 || out % L != 0) return 0;
  const int k = out / L;
  return 4 * k + 2 <= registers ? 4 : 2 * k + 2 <= registers ? 2 : 0;
}

/// Whether a single sample's layer with baked (constant) weights runs in column form
/// (dense_columns_baked) rather than as dot products along the rows: in chains that fit the
/// registers, and with at most 16 KB of W, since its columns become as many bytes of constant
/// vectors. Network C's 64x64 layers: 149-174 ns a layer along the rows, 63-70 in columns of
/// 512-bit registers, 126-147 in columns of 256-bit ones (Emerald Rapids).
template <class T>
constexpr bool baked_column_form(int out, int in) {
  return column_chains<T>(out) > 0 && std::size_t(out) * std::size_t(in) * sizeof(T) <= 16384;
}
template <int Out, int In, class T>
inline constexpr bool baked_columns = baked_column_form<T>(Out, In);

/// Column j of W, lanes K*L .. K*L+L: a constant vector when w is.
template <int In, int K, int J, class T, std::size_t... I>
KILN_VINLINE vec<T> baked_column(const T* __restrict w, std::index_sequence<I...>) {
  return vec<T>{w[(K * width<T> + int(I)) * In + J]...};
}

/// The end of a column-form sum: the C chains joined pairwise, (a0 + a2) + (a1 + a3) or a0 + a1.
template <int C, class T>
KILN_VINLINE vec<T> join_chains(const vec<T> (&a)[C]) {
  if constexpr (C == 4)
    return (a[0] + a[2]) + (a[1] + a[3]);
  else
    return a[0] + a[1];
}

/// y = b + sum_j x[j] W[:, j] for one sample, W constant: every column a constant vector, input
/// j added to chain j % C (column_chains).
template <int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_columns_baked(T* __restrict y, const T* __restrict x,
                                      const T* __restrict w) {
  constexpr int L = width<T>, K = Out / L, C = column_chains<T>(Out);
  using lanes = std::make_index_sequence<width<T>>;
  vec<T> a[K][C];
  [&]<std::size_t... k>(std::index_sequence<k...>) {
    ((a[k][0] = Bias ? load(w + Out * In + int(k) * L) : vec<T>{}), ...);
    for (int c = 1; c < C; ++c) ((a[k][c] = vec<T>{}), ...);
    const auto column = [&]<std::size_t j>(std::integral_constant<std::size_t, j>) {
      const T xj = x[j];
      ((a[k][j % C] += baked_column<In, int(k), int(j)>(w, lanes{}) * xj), ...);
    };
    [&]<std::size_t... j>(std::index_sequence<j...>) {
      (column(std::integral_constant<std::size_t, j>{}), ...);
    }
    (std::make_index_sequence<In>{});
    ((store(y + int(k) * L, join_chains<C, T>(a[k]))), ...);
  }
  (std::make_index_sequence<K>{});
}
}  // namespace detail

/// Whether kiln::compiled's prepared parameters (engine::prepared) hold the W of a dense layer
/// of `out` units on `in` inputs transposed, for the single sample's column form
/// (dense_prepared): rows of at least a register (narrower ones run dense_single from W as it
/// is) and chains that fit the registers.
template <class T>
constexpr bool prepared_columns(int out, int in) {
  return in >= detail::width<T> && detail::column_chains<T>(out) > 0;
}

/// y = b + sum_j x[j] W[:, j] for one sample from prepared parameters: W stored transposed (In
/// rows of Out values, then b), each column Out / L loads. The sums of dense_columns_baked, step
/// for step: the same bits for the same weights.
template <int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_prepared(T* __restrict y, const T* __restrict x, const T* __restrict wt) {
  constexpr int L = detail::width<T>, K = Out / L, C = detail::column_chains<T>(Out);
  static_assert(C > 0, "dense_prepared: no column form for this layer (prepared_columns)");
  using detail::load;
  detail::vec<T> a[K][C];
  for (int k = 0; k < K; ++k) {
    a[k][0] = Bias ? load(wt + Out * In + k * L) : detail::vec<T>{};
    for (int c = 1; c < C; ++c) a[k][c] = detail::vec<T>{};
  }
  constexpr int full = In / C * C;
  for (int j = 0; j < full; j += C)
    for (int c = 0; c < C; ++c) {
      const T xj = x[j + c];
      for (int k = 0; k < K; ++k) a[k][c] += load(wt + (j + c) * Out + k * L) * xj;
    }
  for (int j = full; j < In; ++j) {
    const T xj = x[j];
    for (int k = 0; k < K; ++k) a[k][j - full] += load(wt + j * Out + k * L) * xj;
  }
  for (int k = 0; k < K; ++k) detail::store(y + k * L, detail::join_chains<C, T>(a[k]));
}

namespace detail {
/// Rows [r0, r1) of y = W x + b for a tile (V a pack): blocks of R rows from r0 (the last rows
/// as a block of their count) times G registers, over spans of the inputs. Each row's sum takes
/// the same steps whichever rows share its block.
template <int Out, int In, bool Bias, class T, class V>
KILN_VINLINE void dense_tile_rows(V* __restrict y, const V* __restrict x, const T* __restrict w,
                                  int r0, int r1) {
  using Reg = reg_t<V>;
  constexpr int H = registers_of<V>, G = group<V>, R = 12 / G;
  // Inputs in spans that stay in L1 (16 KB of them) while every block of rows passes: 784
  // inputs at once ran at 63, in spans of 256 at 84 GFLOP/s.
  constexpr int span = std::max(16, 16384 / int(G * sizeof(Reg)));
  Reg* yr = reinterpret_cast<Reg*>(y);
  const Reg* xr = reinterpret_cast<const Reg*>(x);
  const int full = r0 + (r1 - r0) / R * R;
  const auto last = [&]<int... r>(std::integer_sequence<int, r...>, int h0, int j0, int j1) {
    ((r1 - full == r + 1 ? dense_rows<r + 1, G, H, Out, In, Bias>(yr, xr, w, full, h0, j0, j1)
                         : void()),
     ...);
  };
  for (int h0 = 0; h0 < H; h0 += G)
    for (int j0 = 0; j0 < In; j0 += span) {
      const int j1 = std::min(In, j0 + span);
      for (int o = r0; o < full; o += R)
        dense_rows<R, G, H, Out, In, Bias>(yr, xr, w, o, h0, j0, j1);
      last(std::make_integer_sequence<int, std::min(R - 1, Out)>{}, h0, j0, j1);
    }
}
}  // namespace detail

/// y = W x + b, by register-blocked loops (dense_forward below is the entry).
template <int Out, int In, bool Bias, class T, class V>
[[gnu::noinline]] inline void dense_forward_loops(V* __restrict y, const V* __restrict x,
                                                  const T* __restrict w) {
  if constexpr (vmath::scalar<V> && detail::streamed_rows<Out, In, T>) {
    for (int o = 0; o < Out; ++o) detail::dense_row_streamed<Out, In, Bias>(y, x, w, o);
  } else if constexpr (vmath::scalar<V>) {
    constexpr int R = detail::width<T>, full = Out / R * R;
    for (int o = 0; o < full; o += R) detail::dense_rows_1<R, Out, In, Bias>(y, x, w, o);
    if constexpr (Out > full) detail::dense_rows_1<Out - full, Out, In, Bias>(y, x, w, full);
  } else {
    detail::dense_tile_rows<Out, In, Bias>(y, x, w, 0, Out);
  }
}

/// Rows [r0, r1) of y = W x + b for a tile (V a pack), by the steps of the whole layer
/// (detail::dense_tile_rows): the rows of a layer cut between threads (engine::units_head) are
/// the bits of one call.
template <int Out, int In, bool Bias, class T, class V>
[[gnu::noinline]] inline void dense_forward_rows(V* __restrict y, const V* __restrict x,
                                                 const T* __restrict w, int r0, int r1) {
  detail::dense_tile_rows<Out, In, Bias>(y, x, w, r0, r1);
}

/// y = W x + b: a baked engine's single sample in column form where that pays
/// (detail::baked_columns), else dense_forward_loops, out of line.
template <int Out, int In, bool Bias, class T, class V>
KILN_VINLINE void dense_forward(V* __restrict y, const V* __restrict x, const T* __restrict w) {
  if constexpr (vmath::scalar<V> && detail::baked_columns<Out, In, T>) {
    if (__builtin_constant_p(w[0]) && __builtin_constant_p(w[Out * In - 1])) {
      detail::dense_columns_baked<Out, In, Bias>(y, x, w);
      return;
    }
  }
  dense_forward_loops<Out, In, Bias>(y, x, w);
}

/// d_x (+)= W^T d_y.
template <int Out, int In, bool Accumulate, class T, class V>
[[gnu::noinline]] inline void dense_backward_input(V* __restrict d_x, const V* __restrict d_y,
                                                   const T* __restrict w) {
  if constexpr (vmath::scalar<V>) {
    constexpr int L = detail::width<T>, C = 8, block = C * L;
    constexpr int full = In / block * block, vectors = (In - full) / L, tail = full + vectors * L;
    for (int j = 0; j < full; j += block)
      detail::dense_columns_1<C, Out, In, Accumulate>(d_x, d_y, w, j);
    if constexpr (vectors > 0)
      detail::dense_columns_1<vectors, Out, In, Accumulate>(d_x, d_y, w, full);
    for (int j = tail; j < In; ++j) {
      T s = Accumulate ? d_x[j] : T(0);
      for (int o = 0; o < Out; ++o) s += w[o * In + j] * d_y[o];
      d_x[j] = s;
    }
  } else {
    using Reg = detail::reg_t<V>;
    constexpr int H = registers_of<V>, G = detail::group<V>, C = 12 / G, full = In / C * C;
    Reg* dxr = reinterpret_cast<Reg*>(d_x);
    const Reg* dyr = reinterpret_cast<const Reg*>(d_y);
    for (int h0 = 0; h0 < H; h0 += G) {
      for (int j = 0; j < full; j += C)
        detail::dense_columns<C, G, H, Out, In, Accumulate>(dxr, dyr, w, j, h0);
      if constexpr (In > full)
        detail::dense_columns<In - full, G, H, Out, In, Accumulate>(dxr, dyr, w, full, h0);
    }
  }
}

/// What a chunk of tiles keeps for the weight gradients of its dense layers: each layer's d_y (Out
/// rows of `samples` values) and, unless the layer reads the network's input, its x (one row of In
/// values per sample), at offsets kiln-gen assigns in values per sample. Summed once per chunk
/// rather than once per tile, d_W passes over memory (and its 6 x 16 blocks load and store their
/// accumulators) as little as a quarter as often, and the input layer reads the caller's rows in
/// place.
/// A dense layer whose weight gradient backward_params sums from the stash (when wide enough
/// for T, detail::stashed): its parameters' offset, sizes and bias; offset -1 ends a list.
struct params_layer {
  int offset, out, in;
  bool bias;
};
/// A network's first layer when it is dense on the input and nothing else reads the input
/// (kiln-gen emits it as Net::head then): the slot of its outputs, its parameters' offset, sizes
/// and bias. Net::forward<T, V, false, false> runs the network from that slot on
/// (engine::units_tail).
struct head_layer {
  int slot, offset, out, in;
  bool bias;
};

template <class T>
struct stash {
  T* values;    // [stash_values * samples]
  int samples;  // the chunk's capacity: tiles times lanes
  int tile;     // the tile now running: its lanes are samples tile * lanes ..
};

namespace detail {
/// A layer whose weight gradient, in a tile, goes through the stash: one at least as wide as a d_W
/// block's 2 vectors of columns.
template <int In, class T>
inline constexpr bool stashed = In >= 2 * width<T>;
}  // namespace detail

/// Backward, per tile, of y = W x + b's parameters: copies d_y and x (transposed to one row per
/// sample) into the stash for dense_params_chunk. A single sample adds its gradient at once; a
/// layer too narrow for d_W blocks sums its tile's whole gradient in memory order.
template <int Out, int In, bool Bias, class T, class V>
[[gnu::noinline]] inline void dense_params_tile(T* __restrict d_w, const V* __restrict d_y,
                                                const V* __restrict x, const stash<T>& s,
                                                [[maybe_unused]] int dy_at,
                                                [[maybe_unused]] int x_at) {
  constexpr int W = detail::width<T>;
  if constexpr (vmath::scalar<V>) {
    constexpr int full = In / W * W;
    for (int o = 0; o < Out; ++o) {
      const T d = d_y[o];
      T* row = d_w + o * In;
      for (int j = 0; j < full; j += W)
        detail::store(row + j, detail::load(row + j) + detail::load(x + j) * d);
      for (int j = full; j < In; ++j) row[j] += d * x[j];
    }
    if constexpr (Bias)
      for (int o = 0; o < Out; ++o) d_w[Out * In + o] += d_y[o];
  } else if constexpr (!detail::stashed<In, T>) {
    detail::add_lane_dots_flat<Out, In, Bias>(d_w, d_y, x);
  } else {
    constexpr int L = lanes_of<V>, whole = In / W * W;
    T* dy = s.values + dy_at * s.samples + s.tile * L;
    for (int o = 0; o < Out; ++o) std::memcpy(dy + o * s.samples, &d_y[o], sizeof(V));
    if (x_at >= 0) {
      T* x_t = s.values + x_at * s.samples + s.tile * L * In;
      detail::transpose_tile<whole, In>(x_t, x);
      for (int j = whole; j < In; ++j)
        for (int l = 0; l < L; ++l) x_t[l * In + j] = lane(x[j], l);
    }
  }
}

namespace detail {
/// The rows part of parts of a stashed layer's weight gradient (dense_params_chunk): whole blocks
/// of 6 rows (its register block) where there are enough.
struct row_range {
  int begin, end;
};
constexpr row_range row_part(int out, int part, int parts) {
  const int per = ((out + parts - 1) / parts + 5) / 6 * 6;
  const int begin = std::min(out, part * per);
  return {begin, std::min(out, begin + per)};
}
}  // namespace detail

/// d_w[o][j] (+)= sum over the chunk's n samples of d_y[o] x[j], d_b[o] (+)= sum of d_y[o], from
/// what dense_params_tile stashed; x: the network's input rows, for the layer that reads them.
/// The first chunk of a batch overwrites: nothing zeroes a stashed layer's gradient beforehand.
/// Rows part of parts only (detail::row_part): a data-parallel step's threads each write their
/// own rows, from every shard's stash.
template <int Out, int In, bool Bias, class T>
[[gnu::noinline]] inline void dense_params_chunk(T* __restrict d_w, const stash<T>& s, int dy_at,
                                                 int x_at, const T* __restrict x, int n,
                                                 bool overwrite, int part = 0, int parts = 1) {
  if constexpr (detail::stashed<In, T>) {
    constexpr int W = detail::width<T>, step = 2 * W, R = 6, C = 2, cols = In / step * step;
    constexpr int vectors = (In - cols) / W, tail = cols + vectors * W;
    const detail::row_range own = detail::row_part(Out, part, parts);
    const int rows = own.begin + (own.end - own.begin) / R * R;
    const int S = s.samples;
    const T* dy = s.values + dy_at * S;
    const T* x_t = x_at >= 0 ? s.values + x_at * S : x;
    // Columns in chunks whose rows of x_t (16 KB of them) stay in L1 while every block of rows of
    // d_w passes over them.
    const int chunk = std::max(step, int(16384 / sizeof(T)) / std::max(n, 1) / step * step);
    const auto blocks = [&]<int Rows>(int o, int j0, int j1) {
      for (int j = j0; j < j1; j += step)
        detail::dense_params_block<Rows, C, In>(d_w, dy, S, x_t, o, j, n, overwrite);
      if constexpr (vectors > 0)
        if (j1 == cols)
          detail::dense_params_block<Rows, vectors, In>(d_w, dy, S, x_t, o, cols, n, overwrite);
    };
    // The last rows (fewer than R), as a block of their count.
    const auto last = [&]<int... r>(std::integer_sequence<int, r...>, int j0, int j1) {
      ((own.end - rows == r + 1 ? blocks.template operator()<r + 1>(rows, j0, j1) : void()), ...);
    };
    for (int j0 = 0; j0 < cols; j0 += chunk) {
      const int j1 = std::min(j0 + chunk, cols);
      for (int o = own.begin; o < rows; o += R) blocks.template operator()<R>(o, j0, j1);
      last(std::make_integer_sequence<int, std::min(R - 1, Out)>{}, j0, j1);
    }
    // The last columns (fewer than W), then the bias.
    for (int j = tail; j < In; ++j)
      for (int o = own.begin; o < own.end; ++o) {
        T sum = 0;
        for (int l = 0; l < n; ++l) sum += dy[o * S + l] * x_t[l * In + j];
        d_w[o * In + j] = (overwrite ? T(0) : d_w[o * In + j]) + sum;
      }
    // The bias: W rows at a time summed across lanes by one tree, in blocks at multiples of W
    // whatever the part (a block the part's rows cut is summed whole, its own rows kept), the
    // last rows past the blocks one by one: each row's sum the same bits for any parts. Each
    // tile stashed all its lanes, zero past the batch, so whole vectors cover the n samples.
    if constexpr (Bias) {
      const int m = (n + W - 1) / W * W;
      const auto row = [&](int o) {
        detail::vec<T> a{};
        for (int l = 0; l < m; l += W) a += detail::load(dy + o * S + l);
        return a;
      };
      T* d_b = d_w + Out * In;
      for (int o0 = own.begin / W * W; o0 < own.end; o0 += W) {
        const int from = std::max(o0, own.begin), to = std::min(o0 + W, own.end);
        if (o0 + W <= Out) {
          detail::vec<T> a[W];
          for (int r = 0; r < W; ++r) a[r] = row(o0 + r);
          T sums[W];
          detail::store(sums, detail::row_sums<W, T>(a));
          for (int o = from; o < to; ++o) d_b[o] = (overwrite ? T(0) : d_b[o]) + sums[o - o0];
        } else {
          for (int o = from; o < to; ++o)
            d_b[o] = (overwrite ? T(0) : d_b[o]) + detail::sum_lanes(row(o));
        }
      }
    }
  }
}

/// Zeroes N values.
template <int N, class T>
KILN_VINLINE void clear(T* __restrict p) {
  std::fill_n(p, N, T(0));
}
/// Zeroes a dense layer's gradient unless dense_params_chunk writes it.
template <int Out, int In, bool Bias, class T>
KILN_VINLINE void dense_params_clear(T* __restrict d_w) {
  if constexpr (!detail::stashed<In, T>) clear<Out * In + (Bias ? Out : 0)>(d_w);
}

namespace detail {
/// map's last units of one sample, From .. N, in zero-padded vectors of at most single_bytes
/// (no scalar libm calls).
template <int From, int N, bool Accumulate, class V, class F, class... X>
KILN_VINLINE void map_rest(V* __restrict y, F f, const X* __restrict... x) {
  if constexpr (From < N) {
    constexpr int piece = single_bytes / int(sizeof(V)), n = N - From < piece ? N - From : piece;
    const auto r = f(load_first<n, vec_for<V, n>>(x + From)...);
    for (int u = 0; u < n; ++u) y[From + u] = Accumulate ? y[From + u] + r[u] : r[u];
    map_rest<From + n, N, Accumulate>(y, f, x...);
  }
}
}  // namespace detail

template <int N, bool Accumulate, class V, class F, class... X>
KILN_VINLINE void map(V* __restrict y, F f, const X* __restrict... x) {
  if constexpr (vmath::scalar<V>) {
    constexpr int L = detail::width<V>, full = N / L * L;
    for (int u = 0; u < full; u += L) {
      const auto r = f(detail::load(x + u)...);
      detail::store(y + u, Accumulate ? detail::load(y + u) + r : r);
    }
    detail::map_rest<full, N, Accumulate>(y, f, x...);
  } else {
    // f on packs of four registers (two units of a two-register tile): vmath's exp, tanh and
    // sigmoid then take every step on four independent registers before the next.
    using Reg = detail::reg_t<V>;
    constexpr int H = registers_of<V>, U = H >= 4 ? 1 : 4 / H;
    using G = vmath::pack<Reg, U * H>;
    const auto gather = [](const V* p) {
      G g;
      for (int k = 0; k < U; ++k)
        for (int h = 0; h < H; ++h) g.r[k * H + h] = p[k].r[h];
      return g;
    };
    int u = 0;
    for (; u + U <= N; u += U) {
      const G r = f(gather(x + u)...);
      for (int k = 0; k < U; ++k)
        for (int h = 0; h < H; ++h) {
          Reg& to = y[u + k].r[h];
          to = Accumulate ? to + r.r[k * H + h] : r.r[k * H + h];
        }
    }
    for (; u < N; ++u) {
      const V r = f(x[u]...);
      y[u] = Accumulate ? y[u] + r : r;
    }
  }
}

/// map for what several layers of a network apply alike (kiln-gen names the function once), out
/// of line: its code (exp's for a sigmoid, a residual's sum) is compiled once for all of them
/// rather than inlined into each.
template <int N, bool Accumulate, class V, class F, class... X>
[[gnu::noinline]] void map_shared(V* __restrict y, F f, const X* __restrict... x) {
  map<N, Accumulate>(y, f, x...);
}

// Per-sample rules over a row of N units, lane-wise (math.hpp's rules in the same order).

template <int N, class V>
inline void softmax_forward(V* __restrict y, const V* __restrict x) {
  V m = x[0];
  for (int i = 1; i < N; ++i) m = vmath::max(x[i], m);
  if constexpr (vmath::scalar<V>) {
    // One sample: the units' exps on vectors, all K side by side (Kiln's exp, not the C
    // library's); the lanes past N hold exp(0) and are not read.
    using vec = std::conditional_t<(N < detail::width<V>), detail::vec_for<V, N>, detail::vec<V>>;
    constexpr int L = vmath::lane_traits<vec>::lanes, K = (N + L - 1) / L;
    vec e[K];
    for (int k = 0; k < K; ++k) {
      e[k] = ((k + 1) * L <= N ? detail::load_first<L, vec>(x + k * L)
                               : detail::load_first<N % L, vec>(x + k * L)) -
             m;
      e[k] = vmath::select(vmath::gt(e[k], vec{}), vec{}, e[k]);
    }
    vmath::exp_nonpositive<K>(e);
    V s{};
    for (int i = 0; i < N; ++i) s += (y[i] = e[i / L][i % L]);
    for (int i = 0; i < N; ++i) y[i] /= s;
    return;
  }
  V s{};
  for (int i = 0; i < N; ++i) s += (y[i] = vmath::exp_nonpositive(x[i] - m));
  for (int i = 0; i < N; ++i) y[i] /= s;
}
template <int N, bool Accumulate, class V>
inline void softmax_backward(V* __restrict d_x, const V* __restrict d_y, const V* __restrict y) {
  V dot{};
  for (int i = 0; i < N; ++i) dot += d_y[i] * y[i];
  for (int i = 0; i < N; ++i) {
    const V d = y[i] * (d_y[i] - dot);
    d_x[i] = Accumulate ? d_x[i] + d : d;
  }
}

/// aux: xhat [N] then rstd [1].
template <int N, class T, class V>
inline void layer_norm_forward(V* __restrict y, V* __restrict aux, const V* __restrict x,
                               const T* __restrict gain, const T* __restrict bias, T eps) {
  V mean{};
  for (int i = 0; i < N; ++i) mean += x[i];
  mean /= T(N);
  V var{};
  for (int i = 0; i < N; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= T(N);
  const V rstd = T(1) / vmath::sqrt(var + eps);
  aux[N] = rstd;
  for (int i = 0; i < N; ++i) {
    aux[i] = (x[i] - mean) * rstd;
    y[i] = gain[i] * aux[i] + bias[i];
  }
}
template <int N, bool Accumulate, class T, class V>
inline void layer_norm_backward(V* __restrict d_x, T* __restrict d_gain, T* __restrict d_bias,
                                const V* __restrict d_y, const V* __restrict aux,
                                const T* __restrict gain, int count) {
  const V* xhat = aux;
  const V rstd = aux[N];
  V sum_g{}, sum_gx{};
  for (int i = 0; i < N; ++i) {
    const V g = d_y[i] * gain[i];
    sum_g += g;
    sum_gx += g * xhat[i];
  }
  for (int i = 0; i < N; ++i)
    for (int l = 0; l < count; ++l) {
      d_gain[i] += lane(d_y[i], l) * lane(xhat[i], l);
      d_bias[i] += lane(d_y[i], l);
    }
  for (int i = 0; i < N; ++i) {
    const V d = rstd / T(N) * (T(N) * d_y[i] * gain[i] - sum_g - xhat[i] * sum_gx);
    d_x[i] = Accumulate ? d_x[i] + d : d;
  }
}

/// Where kiln-gen put a batch_norm layer: node, features n, its input in the value slots, its
/// aux tensor, its parameters (gain, bias, then the running statistics), epsilon and momentum.
struct batch_norm_site {
  int node = 0, features = 0, input_slot = 0, aux_slot = 0, param_offset = 0;
  double eps = 0, momentum = 0;
};

/// batch_norm on a tile. aux: xhat [N], then the batch's constants the engine sets as splats (see
/// engine::batch_constants): mean [N], rstd [N], sum(d_y) [N], sum(d_y xhat) [N], the batch
/// size. Training normalizes with them; inference with the running statistics in p (gain[N],
/// bias[N], running_mean[N], running_var[N]), one sample at a time. math.hpp's rules, per lane.
template <int N, class T, class V>
inline void batch_norm_forward(V* __restrict y, V* __restrict aux, const V* __restrict x,
                               const T* __restrict p, T eps, bool training) {
  if (!training) {
    for (int i = 0; i < N; ++i) {
      const T rstd = math::batch_norm_rstd(p[3 * N + i], eps);
      y[i] = p[i] * ((x[i] - p[2 * N + i]) * rstd) + p[N + i];
    }
    return;
  }
  const V* mean = aux + N;
  const V* rstd = aux + 2 * N;
  for (int i = 0; i < N; ++i) {
    aux[i] = (x[i] - mean[i]) * rstd[i];
    y[i] = p[i] * aux[i] + p[N + i];
  }
}
/// d_gain += sum over the tile's lanes of d_y xhat, d_bias += of d_y (the engine reads these sums
/// of a whole batch back as the constants); d_x (+)= gain rstd / batch (batch d_y - sum(d_y) -
/// xhat sum(d_y xhat)), zero on lanes past `count`.
template <int N, bool Accumulate, class T, class V>
inline void batch_norm_backward(V* __restrict d_x, T* __restrict d_gain, T* __restrict d_bias,
                                const V* __restrict d_y, const V* __restrict aux,
                                const T* __restrict gain, int count) {
  const V* xhat = aux;
  const V* rstd = aux + 2 * N;
  const V* sum_dy = aux + 3 * N;
  const V* sum_dyx = aux + 4 * N;
  const V batch = aux[5 * N];
  for (int i = 0; i < N; ++i)
    for (int l = 0; l < count; ++l) {
      d_gain[i] += lane(d_y[i], l) * lane(xhat[i], l);
      d_bias[i] += lane(d_y[i], l);
    }
  for (int i = 0; i < N; ++i) {
    V d = gain[i] * rstd[i] / batch * (batch * d_y[i] - sum_dy[i] - xhat[i] * sum_dyx[i]);
    for (int l = count; l < lanes_of<V>; ++l) lane(d, l) = T(0);
    d_x[i] = Accumulate ? d_x[i] + d : d;
  }
}

/// Training: unit u of the sample in lane l is kept when math::dropout_keep(seed, node,
/// first_sample + l, u, rate), and scaled by 1 / (1 - rate); inference: the identity.
template <int N, class T, class V>
inline void dropout_forward(V* __restrict y, const V* __restrict x, double rate, bool training,
                            std::uint64_t seed, int node, int first_sample) {
  for (int u = 0; u < N; ++u) {
    if (!training) {
      y[u] = x[u];
      continue;
    }
    V v = x[u];
    for (int l = 0; l < lanes_of<V>; ++l)
      lane(v, l) = math::dropout_keep(seed, node, first_sample + l, u, rate)
                       ? lane(v, l) / (T(1) - T(rate))
                       : T(0);
    y[u] = v;
  }
}
template <int N, bool Accumulate, class T, class V>
inline void dropout_backward(V* __restrict d_x, const V* __restrict d_y, double rate,
                             std::uint64_t seed, int node, int first_sample) {
  for (int u = 0; u < N; ++u) {
    V d = d_y[u];
    for (int l = 0; l < lanes_of<V>; ++l)
      lane(d, l) = math::dropout_keep(seed, node, first_sample + l, u, rate)
                       ? lane(d, l) / (T(1) - T(rate))
                       : T(0);
    d_x[u] = Accumulate ? d_x[u] + d : d;
  }
}

// Losses, per sample (lane). Each returns the lanes' losses and writes the seed gradient, scaled
// by `scale` and zeroed on lanes past the batch (`valid` is 1 or 0 per lane).

template <int N, class T, class V>
KILN_VINLINE V mse_seed(V* __restrict d_y, const V* __restrict y, const V* __restrict t, T scale,
                        V valid) {
  V loss{};
  for (int i = 0; i < N; ++i) {
    const V e = y[i] - t[i];
    loss += e * e;
    d_y[i] = T(2) * e * scale * valid;
  }
  return loss * valid;
}
/// z: the logits (the sigmoid's input), p = sigmoid(z).
template <int N, class T, class V>
KILN_VINLINE V binary_cross_entropy_seed(V* __restrict d_z, const V* __restrict z,
                                         const V* __restrict p, const V* __restrict t, T scale,
                                         V valid) {
  V loss{};
  for (int i = 0; i < N; ++i) {
    const V a = vmath::map(z[i], [](auto v) { return std::fabs(v); });
    loss += vmath::max(z[i], V{}) - z[i] * t[i] + vmath::log1p(vmath::exp_nonpositive(-a));
    d_z[i] = (p[i] - t[i]) * scale * valid;
  }
  return loss * valid;
}
/// z: the logits (the softmax's input), p = softmax(z).
template <int N, class T, class V>
KILN_VINLINE V softmax_cross_entropy_seed(V* __restrict d_z, const V* __restrict z,
                                          const V* __restrict p, const V* __restrict t, T scale,
                                          V valid) {
  V m = z[0];
  for (int i = 1; i < N; ++i) m = vmath::max(z[i], m);
  V s{};
  for (int i = 0; i < N; ++i) s += vmath::exp_nonpositive(z[i] - m);
  const V lse = m + vmath::log(s);
  V loss{}, sum_t{};
  for (int i = 0; i < N; ++i) {
    loss += t[i] * (lse - z[i]);
    sum_t += t[i];
  }
  for (int i = 0; i < N; ++i) d_z[i] = (p[i] * sum_t - t[i]) * scale * valid;
  return loss * valid;
}

/// True when two flattened graphs are the same, hyperparameters included.
template <class Nodes, std::size_t N>
constexpr bool same_nodes(const Nodes& a, const node (&b)[N]) {
  if (a.size() != N) return false;
  for (std::size_t i = 0; i < N; ++i)
    if (a[i].k != b[i].k || a[i].in != b[i].in || a[i].out != b[i].out ||
        a[i].param_offset != b[i].param_offset || a[i].param_count != b[i].param_count ||
        a[i].bias != b[i].bias || a[i].hp != b[i].hp || a[i].link != b[i].link ||
        a[i].hp2 != b[i].hp2)
      return false;
  return true;
}

namespace detail {
/// Copies `count` samples from [batch][n] rows into lane vectors [n], zero-padding the rest: W
/// samples by W inputs at a time transposed in registers, the inputs past a multiple of W (and a
/// single sample) element by element through T (GCC lets T alias its vectors).
template <class V, class T>
void load_tile(V* dst, const T* src, int n, int first, int count) {
  constexpr int L = lanes_of<V>;
  T* d = reinterpret_cast<T*>(dst);
  int whole = 0;
  if constexpr (vmath::is_pack<V>) {
    constexpr int W = detail::width<T>, H = registers_of<V>;
    whole = n / W * W;
    for (int h = 0; h < H; ++h)
      for (int j = 0; j < whole; j += W) {
        detail::vec<T> r[W];
        for (int c = 0; c < W; ++c)
          r[c] = h * W + c < count ? detail::load(src + std::size_t(first + h * W + c) * n + j)
                                   : detail::vec<T>{};
        detail::transpose<T>(r);
        for (int c = 0; c < W; ++c) dst[j + c].r[h] = r[c];
      }
  }
  for (int l = 0; l < count; ++l) {
    const T* row = src + std::size_t(first + l) * n;
    for (int i = whole; i < n; ++i) d[i * L + l] = row[i];
  }
  for (int l = count; l < L; ++l)
    for (int i = whole; i < n; ++i) d[i * L + l] = T(0);
}
/// The first `count` lanes of n lane vectors back into [batch][n] rows.
template <class V, class T>
void store_tile(T* dst, const V* src, int n, int first, int count) {
  constexpr int L = lanes_of<V>;
  const T* s = reinterpret_cast<const T*>(src);
  for (int l = 0; l < count; ++l) {
    T* row = dst + std::size_t(first + l) * n;
    for (int i = 0; i < n; ++i) row[i] = s[i * L + l];
  }
}

}  // namespace detail

/// The batch_norm layers of a generated network (kiln-gen emits batch_norm_sites when it has any).
template <class Net>
constexpr int batch_norms_of() {
  if constexpr (requires { Net::batch_norms; })
    return Net::batch_norms;
  else
    return 0;
}
/// The batch's constants of each batch_norm site: mean, rstd, sum(d_y), sum(d_y xhat) and the
/// biased variance, n values each.
template <class Net>
constexpr int batch_constant_values() {
  int n = 0;
  if constexpr (batch_norms_of<Net>() > 0)
    for (const batch_norm_site& s : Net::batch_norm_sites) n += 5 * s.features;
  return n;
}

/// The tile a batch of Net runs in: `registers` vector registers per feature, one sample per lane.
/// Two for most networks: every weight broadcast feeds two multiply-adds and the inputs of a dense
/// layer fit in L1. Four for the tiniest (16 activations or fewer per sample), whose time goes to
/// what every tile pays once (calls, loading and storing samples) and to activation functions
/// that gain from more independent registers: network A (2-4-1) ran 1.2-1.4x faster batched,
/// while B (2-10-3, 28 activations) ran up to 9% slower and D's input no longer fit in L1.
template <class Net, class T>
using tile_of = vmath::pack<typename vmath::tile<T>::vec, Net::value_slots <= 16 ? 4 : 2>;

#if !KILN_FREESTANDING

/// Net's params_layers (none for a network without a backward pass).
template <class Net>
constexpr std::span<const params_layer> params_layers_of() {
  if constexpr (requires { Net::params_layers; })
    return Net::params_layers;
  else
    return {};
}

[[noreturn, gnu::cold, gnu::noinline]] inline void size_error(const char* where, const char* what,
                                                              std::size_t got, std::size_t want) {
  throw std::invalid_argument(std::string(where) + ": " + what + " has " + std::to_string(got) +
                              " values, expected " + std::to_string(want));
}
/// The comparison inline, the message out of line: a batch-1 call that was not inlined spent a
/// third of network A's 24 ns in three calls of a check that builds strings.
[[gnu::always_inline]] inline void check_size(const char* where, const char* what, std::size_t got,
                                              std::size_t want) {
  if (got != want) [[unlikely]]
    size_error(where, what, got, want);
}

/// Runs a generated network `Net` in precision T over a batch: whole tiles of
/// vmath::tile<T>::lanes samples, a ragged last tile padded with zeros, and a single sample
/// through its own scalar kernel. Net (emitted by kiln-gen) provides the sizes, the scratch sizes
/// and `forward`, `seed_loss`, `backward` as templates over the lane type.
template <class Net, class T>
class engine {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "kiln::compiled: T must be float or double");
  using vec = tile_of<Net, T>;  // see tile_of
  static constexpr int lanes = lanes_of<vec>;
  // A ragged tile of at most half the lanes runs on half the registers (a data-parallel shard of
  // a 32-sample batch on AVX-512 is such a tile, where the whole pack cost as much as a full one).
  using half = vmath::pack<typename vmath::tile<T>::vec, registers_of<vec> / 2>;
  static constexpr int half_lanes = lanes_of<half>;
  // Tiles per chunk, whose weight gradients are summed at once from the stash: up to 4 (bench D's
  // training step ran 1.07-1.12x faster than with d_W summed tile by tile; 8 gained nothing more),
  // as long as the stash stays within 128 KB.
  static constexpr int chunk_tiles =
      std::clamp(int(131072 / (std::max(1, Net::stash_values) * lanes * sizeof(T))), 1, 4);
  static constexpr int chunk_samples = chunk_tiles * lanes;
  static constexpr int batch_norms = batch_norms_of<Net>();

 public:
  using value_type = T;
  static constexpr int input_size = Net::input_size;
  static constexpr int output_size = Net::output_size;
  static constexpr int param_count = Net::param_count;
  /// True when a layer (batch_norm) couples the samples of a batch in training.
  static constexpr bool couples_samples = batch_norms > 0;

  /// Whether one sample's activations (few) live on the stack, in registers, whatever the call.
  static constexpr bool single_on_stack = Net::value_slots + Net::aux_slots <= 512;

  /// All the scratch memory a call needs, of a size fixed at compile time. Calls without one put
  /// it on the stack; pass one (static, a member, from your allocator) to keep the stack small.
  struct workspace {
    vec act[Net::value_slots];
    vec aux[Net::aux_slots + 1];
    vec grad[Net::gradient_slots + 1];
    vec targets[output_size];
    T stash[Net::stash_values * chunk_samples + 1];  // see kernels::stash
    T batch[batch_constant_values<Net>() + 1];       // batch_norm's constants, see batch_constants
  };

  /// x: [batch][input_size], y: [batch][output_size]. Dropout is the identity here.
  void forward(std::span<const T> params, std::span<const T> x, std::span<T> y, int batch) const {
    if constexpr (single_on_stack) {
      // One sample needs no workspace: none reserved (bench A's batch-1 inference took 25.6 ns
      // with one on the stack, 21.7 ns with the caller's, on Zen 5).
      if (batch == 1) {
        const char* where = "kiln::compiled::forward";
        check_io(where, params, x, batch);
        check_size(where, "y", y.size(), std::size_t(output_size));
        return single(params.data(), x.data(), y.data());
      }
    }
    workspace w;
    forward(params, x, y, batch, w);
  }
  void forward(std::span<const T> params, std::span<const T> x, std::span<T> y, int batch,
               workspace& w) const {
    const char* where = "kiln::compiled::forward";
    check_io(where, params, x, batch);
    check_size(where, "y", y.size(), std::size_t(batch) * output_size);
    if (batch == 1) {
      // One sample's activations on the stack even when the caller passes a workspace, when
      // they are few: kept in registers, not stored to memory the caller can see (bench A's
      // batch-1 inference took 2.8x as long through a caller's workspace).
      if constexpr (single_on_stack) {
        return single(params.data(), x.data(), y.data());
      } else {
        return forward_tile<T>(params.data(), x.data(), y.data(), 0, 1, w);
      }
    }
    for (int b = 0; b < batch; b += lanes) {
      const int count = std::min(lanes, batch - b);
      if (count <= half_lanes)
        forward_tile<half>(params.data(), x.data(), y.data(), b, count, w);
      else
        forward_tile<vec>(params.data(), x.data(), y.data(), b, count, w);
    }
  }

  /// One sample with its activations on the stack. Flattened: the generated forward and its
  /// kernels inlined here (one call, and no activation stored and reloaded across calls).
  /// Prepared: p in prepared's layout.
  template <bool Prepared = false>
  [[gnu::flatten]] static void single(const T* __restrict p, const T* __restrict x,
                                      T* __restrict y) {
    T act[Net::value_slots], aux[Net::aux_slots + 1];
    for (int i = 0; i < input_size; ++i) act[Net::input_slot + i] = x[i];
    Net::template forward<T, T, Prepared>(p, act, aux, false, 0, 0);
    for (int i = 0; i < output_size; ++i) y[i] = act[Net::output_slot + i];
  }

  /// One sample at a time from parameters copied once into the layout its column form reads
  /// (a real-time caller that loads its weights at run time: a plug-in opening a model file).
  /// The W of every dense layer (Net::prepared_layers: those not unrolled into scalar sums) with
  /// rows of a register or more whose outputs fill whole registers (kernels::prepared_columns:
  /// network C's 64x64 layers) is held transposed, so that one sample runs it as y = b + sum_j
  /// x[j] W[:, j] on whole registers (dense_prepared), with no sums across lanes, as the baked
  /// engine does with constants; the other parameters as they are. Holds param_count values (and at
  /// most a cache line more) and no pointer: no allocation, copyable, a member or a static where
  /// the stack is small. Given the same weights, forward sums each column-form layer as kiln::baked
  /// does (its bits where the build has no FMA).
  class prepared {
   public:
    /// Where the values start in the object's 64-byte aligned storage: so that the largest
    /// column-form layer's W starts on a cache line, as every register load of it then does
    /// (every such layer's size is whole registers, so the other column-form layers are aligned
    /// too unless a layer of another size lies between). 2-20-64-64-1 on AVX-512, whose 64x20 layer
    /// sits at offset 60: 161-192 ns a call so, 213-264 with the values at the array's start.
    static constexpr int shift = [] {
      constexpr int line = 64 / int(sizeof(T));
      int offset = 0, largest = 0;
      for (const params_layer& l : Net::prepared_layers)
        if (l.offset >= 0 && prepared_columns<T>(l.out, l.in) && l.out * l.in > largest) {
          largest = l.out * l.in;
          offset = l.offset;
        }
      return (line - offset % line) % line;
    }();
    prepared() = default;
    explicit prepared(std::span<const T> params) { load(params); }
    /// Copies params (param_count values, the flat layout) in, transposing what
    /// prepared_columns names; params as they were when they do not fit (std::invalid_argument).
    void load(std::span<const T> params) {
      check_size("kiln::compiled::prepared::load", "params", params.size(),
                 std::size_t(param_count));
      T* p = values_ + shift;
      std::copy(params.begin(), params.end(), p);
      for (const params_layer& l : Net::prepared_layers) {
        if (l.offset < 0 || !prepared_columns<T>(l.out, l.in)) continue;
        const T* w = params.data() + l.offset;
        T* wt = p + l.offset;
        for (int o = 0; o < l.out; ++o)
          for (int j = 0; j < l.in; ++j)
            wt[std::size_t(j) * l.out + o] = w[std::size_t(o) * l.in + j];
      }
    }
    /// One sample: x[input_size] -> y[output_size].
    void forward(const T* __restrict x, T* __restrict y) const { single<true>(data(), x, y); }
    /// x: [batch][input_size], y: [batch][output_size], sample by sample; the sizes checked
    /// (std::invalid_argument naming the buffer and both sizes).
    void forward(std::span<const T> x, std::span<T> y, int batch = 1) const {
      const char* where = "kiln::compiled::prepared::forward";
      if (batch < 0) throw std::invalid_argument(std::string(where) + ": negative batch");
      check_size(where, "x", x.size(), std::size_t(batch) * input_size);
      check_size(where, "y", y.size(), std::size_t(batch) * output_size);
      for (int b = 0; b < batch; ++b)
        single<true>(data(), x.data() + std::size_t(b) * input_size,
                     y.data() + std::size_t(b) * output_size);
    }
    /// The prepared values: param_count of them, the flat layout with the column-form layers' W
    /// transposed.
    const T* data() const { return values_ + shift; }

   private:
    alignas(64) T values_[param_count + shift] = {};
  };

  /// Mean loss over the batch, in inference mode.
  T loss(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
         int batch) const requires(Net::loss_kind != kind::input) {
    workspace w;
    return loss(params, x, targets, batch, w);
  }
  T loss(std::span<const T> params, std::span<const T> x, std::span<const T> targets, int batch,
         workspace& w) const requires(Net::loss_kind != kind::input) {
    return run_loss("kiln::compiled::loss", params, x, targets, nullptr, batch, {}, w);
  }

  /// Mean loss in training mode; overwrites d_params with its gradient.
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, train_pass pass = {}) const
      requires(Net::loss_kind != kind::input && Net::differentiable) {
    workspace w;
    return loss_and_gradient(params, x, targets, d_params, batch, pass, w);
  }
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, workspace& w) const
      requires(Net::loss_kind != kind::input && Net::differentiable) {
    return loss_and_gradient(params, x, targets, d_params, batch, train_pass{}, w);
  }
  T loss_and_gradient(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
                      std::span<T> d_params, int batch, train_pass pass, workspace& w) const
      requires(Net::loss_kind != kind::input && Net::differentiable) {
    const char* where = "kiln::compiled::loss_and_gradient";
    check_size(where, "d_params", d_params.size(), std::size_t(param_count));
    check_batch_statistics(where, batch);
    return run_loss(where, params, x, targets, d_params.data(), batch, pass, w);
  }

  // A data-parallel training step in two phases (kiln::sharded_model): each thread runs
  // shard_tiles on its shard of the batch, then shard_rows on its part of the stashed layers'
  // rows, reading every shard's stash. Each thread so writes half of D's 407 KB weight gradient,
  // not all of it, and no thread adds another's copy of it.

  /// Whether a step may be split so: without batch_norm (whose statistics couple the shards),
  /// for shards of at most shard_samples_max samples (one stash).
  static constexpr bool splits_rows =
      Net::differentiable && batch_norms == 0 && Net::loss_kind != kind::input;
  static constexpr int shard_samples_max = chunk_samples;
  /// Whether a dense layer of `in` inputs has its weight gradient stashed (detail::stashed).
  static constexpr bool stashed_width(int in) { return in >= 2 * detail::width<T>; }

  /// Phase 1 on a shard of n samples (rows x and targets) of a batch of `batch`: each sample's
  /// loss gradient seeded for the mean over the whole batch; the gradients backward adds go to
  /// d_p (those ranges zeroed first: tile_ranges), the stashed layers' to w's stash. Returns the
  /// sum of the shard's losses (mean_loss turns the shards' sum into the batch's mean).
  T shard_tiles(std::span<const T> params, std::span<const T> x, std::span<const T> targets, T* d_p,
                int n, int batch, train_pass pass, workspace& w) const requires(splits_rows) {
    const char* where = "kiln::compiled::shard_tiles";
    check_io(where, params, x, n);
    check_size(where, "targets", targets.size(), std::size_t(n) * output_size);
    if (n > shard_samples_max)
      throw std::invalid_argument(std::string(where) + ": a shard of " + std::to_string(n) +
                                  " samples, at most " + std::to_string(shard_samples_max));
    Net::clear_gradient(d_p);
    const T scale = loss_scale(batch);
    T total = 0;
    for (int t = 0; t * lanes < n; ++t) {
      const int count = std::min(lanes, n - t * lanes);
      if (count <= half_lanes)
        total += loss_tile<half>(params.data(), x.data(), targets.data(), d_p, t * lanes, count,
                                 scale, pass, w, 2 * t);
      else
        total += loss_tile<vec>(params.data(), x.data(), targets.data(), d_p, t * lanes, count,
                                scale, pass, w, t);
    }
    return total;
  }

  /// Phase 2: rows `part` of `parts` (detail::row_part) of every stashed layer's weight gradient,
  /// written to d_p, summed over the shards in order: shard s's workspace after shard_tiles, its
  /// input rows and its size (0: none).
  static void shard_rows(T* d_p, int part, int parts, std::span<workspace* const> shards,
                         std::span<const T* const> xs,
                         std::span<const int> ns) requires(splits_rows) {
    bool first = true;
    for (std::size_t s = 0; s < shards.size(); ++s) {
      if (ns[s] == 0) continue;
      Net::template backward_params<T>(d_p, stash<T>{shards[s]->stash, chunk_samples, 0}, xs[s],
                                       ns[s], first, part, parts);
      first = false;
    }
  }
  /// f(begin, end) for each range of parameters shard_rows(part, parts) writes.
  template <class F>
  static void rows_ranges(int part, int parts, F f) {
    for (const params_layer& l : params_layers_of<Net>()) {
      if (l.offset < 0 || !stashed_width(l.in)) continue;
      const detail::row_range r = detail::row_part(l.out, part, parts);
      f(l.offset + r.begin * l.in, l.offset + r.end * l.in);
      if (l.bias) f(l.offset + l.out * l.in + r.begin, l.offset + l.out * l.in + r.end);
    }
  }

  /// The parameter ranges [begin, end) whose gradient shard_tiles writes: all but the stashed
  /// layers' (a data-parallel step sums these over the threads' buffers), in order.
  struct param_ranges {
    int count = 0;
    static constexpr std::size_t most = params_layers_of<Net>().size() + 1;
    int begin[most] = {}, end[most] = {};
  };
  static constexpr param_ranges tile_ranges = [] {
    param_ranges r;
    int from = 0;
    while (true) {
      int next = param_count, size = 0;  // the next stashed layer at or after `from`
      for (const params_layer& l : params_layers_of<Net>())
        if (l.offset >= from && l.offset < next && stashed_width(l.in)) {
          next = l.offset;
          size = l.out * l.in + (l.bias ? l.out : 0);
        }
      if (next > from) {
        r.begin[r.count] = from;
        r.end[r.count++] = next;
      }
      if (next == param_count) break;
      from = next + size;
    }
    return r;
  }();

  // A data-parallel step split by units (kiln::sharded_model), for a network whose first layer
  // is dense on the input and holds most of the parameters (Net::head, D's 784x128): each thread
  // computes its rows (detail::row_part) of that layer's outputs for the whole batch
  // (units_head); then, once every thread's are in, runs the rest of the network on the whole
  // batch and writes its rows of every stashed layer's weight gradient (units_tail). Each core
  // so reads, differentiates and updates only its own rows of the large W, the threads hand each
  // other only the first layer's outputs, and the gradient is the bits of one call.

  /// Net's first layer when kiln-gen emitted one (Net::head), else sizes 0.
  static constexpr head_layer head = [] {
    if constexpr (requires { Net::head; })
      return Net::head;
    else
      return head_layer{-1, -1, 0, 0, false};
  }();
  /// Whether a step may be split so: as splits_rows, with a head whose gradient is stashed.
  static constexpr bool splits_units = splits_rows && head.out > 0 && stashed_width(head.in);
  /// The parameters [begin, end) part `part` of `parts` updates after a step split so: those
  /// before the head and its rows for part 0, its rows for the others, and all after the head's
  /// rows for the last part. Each core so updates the rows it differentiated, and reads them
  /// next step from its own cache.
  static constexpr detail::row_range units_update_part(int part, int parts) requires(splits_units) {
    const auto cut = [&](int q) {
      if (q <= 0) return 0;
      if (q >= parts) return param_count;
      return Net::head.offset + detail::row_part(Net::head.out, q, parts).begin * Net::head.in;
    };
    return {cut(part), cut(part + 1)};
  }
  /// The first layer's outputs of a batch, tile by tile (units_head_values of them).
  using head_values = std::vector<vec>;
  static std::size_t units_head_values(int batch) requires(splits_units) {
    return std::size_t((batch + lanes - 1) / lanes) * Net::head.out;
  }
  /// Rows `part` of `parts` of the head's outputs for the batch's tiles, into z.
  void units_head(std::span<const T> params, std::span<const T> x, int batch, int part, int parts,
                  head_values& z, workspace& w) const requires(splits_units) {
    const char* where = "kiln::compiled::units_head";
    check_io(where, params, x, batch);
    check_size(where, "z", z.size(), units_head_values(batch));
    const detail::row_range r = detail::row_part(Net::head.out, part, parts);
    if (r.begin == r.end) return;
    for (int b = 0; b < batch; b += lanes) {
      const int count = std::min(lanes, batch - b);
      vec* zt = z.data() + std::size_t(b / lanes) * Net::head.out;
      if (count <= half_lanes)
        head_tile<half>(params.data(), x.data(), b, count, reinterpret_cast<half*>(zt), r, w);
      else
        head_tile<vec>(params.data(), x.data(), b, count, zt, r, w);
    }
  }
  /// After every part's units_head: the rest of the network on the whole batch, from z. Its
  /// gradients that backward adds to go to d_tiles (zeroed first: one thread's copy is the
  /// step's, tile_ranges), rows `part` of `parts` of the stashed layers' weight gradients to
  /// d_rows (shared by the threads, each writing its own rows). Returns the mean loss.
  T units_tail(std::span<const T> params, std::span<const T> x, std::span<const T> targets,
               T* d_tiles, T* d_rows, int batch, int part, int parts, train_pass pass,
               const head_values& z, workspace& w) const requires(splits_units) {
    const char* where = "kiln::compiled::units_tail";
    check_io(where, params, x, batch);
    check_size(where, "targets", targets.size(), std::size_t(batch) * output_size);
    check_size(where, "z", z.size(), units_head_values(batch));
    if (batch < 2) throw std::invalid_argument(std::string(where) + ": a batch of 2 or more");
    Net::clear_gradient(d_tiles);
    const T scale = loss_scale(batch);
    T total = 0;
    for (int b = 0; b < batch; b += chunk_samples) {
      const int n = std::min(chunk_samples, batch - b);
      for (int t = 0; t * lanes < n; ++t) {
        const int first = b + t * lanes, count = std::min(lanes, n - t * lanes);
        const vec* zt = z.data() + std::size_t(first / lanes) * Net::head.out;
        if (count <= half_lanes)
          total +=
              loss_tile<half>(params.data(), x.data(), targets.data(), d_tiles, first, count, scale,
                              pass, w, 2 * t, nullptr, 0, reinterpret_cast<const half*>(zt));
        else
          total += loss_tile<vec>(params.data(), x.data(), targets.data(), d_tiles, first, count,
                                  scale, pass, w, t, nullptr, 0, zt);
      }
      Net::template backward_params<T>(d_rows, stash<T>{w.stash, chunk_samples, 0},
                                       x.data() + std::size_t(b) * input_size, n, b == 0, part,
                                       parts);
    }
    return mean_loss(total, batch);
  }

  /// The mean loss of a batch from the sum of its samples' losses (shard_tiles).
  static T mean_loss(T total, int batch) {
    if (batch == 0) return T(0);
    return Net::loss_kind == kind::softmax_cross_entropy ? total / T(batch)
                                                         : total / (T(batch) * T(output_size));
  }

  /// Folds the batch statistics of x (training mode, the masks of `pass`) into the running
  /// statistics each batch_norm keeps in params, as the generic engine does; nothing to do
  /// without batch_norm.
  void update_running_stats(std::span<T> params, std::span<const T> x, int batch,
                            train_pass pass = {}) const {
    workspace w;
    update_running_stats(params, x, batch, pass, w);
  }
  void update_running_stats(std::span<T> params, std::span<const T> x, int batch, train_pass pass,
                            workspace& w) const {
    const char* where = "kiln::compiled::update_running_stats";
    check_io(where, params, x, batch);
    if constexpr (batch_norms > 0) {
      check_batch_statistics(where, batch);
      if (batch == 0) return;
      batch_statistics(params.data(), x.data(), batch, pass, w);
      const T* c = w.batch;
      for (const batch_norm_site& s : Net::batch_norm_sites) {
        const int n = s.features;
        math::batch_norm_track(params.data() + s.param_offset + 2 * n, c, c + 4 * n, batch, n,
                               s.momentum);
        c += 5 * n;
      }
    }
  }

 private:
  static T loss_scale(int batch) {
    return Net::loss_kind == kind::softmax_cross_entropy ? T(1) / T(batch)
                                                         : T(1) / (T(batch) * T(output_size));
  }
  void check_io(const char* where, std::span<const T> params, std::span<const T> x,
                int batch) const {
    if (batch < 0) throw std::invalid_argument(std::string(where) + ": negative batch");
    check_size(where, "params", params.size(), std::size_t(param_count));
    check_size(where, "x", x.size(), std::size_t(batch) * input_size);
    if constexpr (Net::token_vocab > 0)
      kiln::detail::check_tokens(where, x.data(), batch, input_size, Net::token_vocab);
  }

  void check_batch_statistics(const char* where, int batch) const {
    if constexpr (batch_norms > 0)
      if (batch == 1)
        throw std::invalid_argument(std::string(where) + ": layer " +
                                    std::to_string(Net::batch_norm_sites[0].node) +
                                    " (batch_norm) needs a batch of 2 or more samples in "
                                    "training, got 1");
  }

  // batch_norm in training: every tile needs the whole batch's statistics. Site k's mean and
  // biased variance come from two passes that run the tiles forward (sites before k already
  // known), in sample order as the generic engine sums them. w.batch, site by site: mean, rstd,
  // sum(d_y), sum(d_y xhat), variance [n] each; the sums come from the gradient passes.
  void batch_statistics(const T* p, const T* x, int batch, train_pass pass, workspace& w) const {
    std::fill_n(w.batch, batch_constant_values<Net>() + 1, T(0));
    T* c = w.batch;
    for (const batch_norm_site& s : Net::batch_norm_sites) {
      const int n = s.features;
      for (int moment = 0; moment < 2; ++moment) {
        T* sum = moment == 0 ? c : c + 4 * n;  // the mean, then the variance
        for (int b = 0; b < batch; b += lanes) {
          const int count = std::min(lanes, batch - b);
          vec* act = w.act;
          detail::load_tile(act + Net::input_slot, x, input_size, b, count);
          batch_constants<vec>(w.aux, w.batch, batch);
          Net::template forward<T, vec>(p, act, w.aux, true, pass.seed, pass.first_sample + b);
          for (int f = 0; f < n; ++f)
            for (int l = 0; l < count; ++l) {
              const T v = lane(act[s.input_slot + f], l);
              sum[f] += moment == 0 ? v : (v - c[f]) * (v - c[f]);
            }
        }
        for (int f = 0; f < n; ++f) sum[f] /= T(batch);
      }
      for (int f = 0; f < n; ++f) c[n + f] = math::batch_norm_rstd(c[4 * n + f], T(s.eps));
      c += 5 * n;
    }
  }

  // Then, from the last site down, sum(d_y) and sum(d_y xhat) at site k: passes forward and
  // backward over the batch (the sites after k known) into a scratch gradient, whose d_bias and
  // d_gain at k are those sums.
  void batch_gradient_sums(const T* p, const T* x, const T* targets, int batch, T scale,
                           train_pass pass, workspace& w) const {
    std::vector<T> scratch(param_count);
    for (int k = batch_norms - 1; k >= 0; --k) {
      const batch_norm_site& s = Net::batch_norm_sites[k];
      const int n = s.features;
      std::fill_n(scratch.data() + s.param_offset, 2 * n, T(0));
      for (int b = 0; b < batch; b += lanes)
        loss_tile<vec>(p, x, targets, scratch.data(), b, std::min(lanes, batch - b), scale, pass, w,
                       0, w.batch, batch);
      T* c = w.batch;
      for (int j = 0; j < k; ++j) c += 5 * Net::batch_norm_sites[j].features;
      std::copy_n(scratch.data() + s.param_offset + n, n, c + 2 * n);
      std::copy_n(scratch.data() + s.param_offset, n, c + 3 * n);
    }
  }

  // Splats the batch's constants into each site's aux tensor, laid out for lane type V.
  template <class V>
  static void batch_constants(vec* aux_array, const T* c, int batch) {
    if constexpr (batch_norms > 0) {
      V* aux = reinterpret_cast<V*>(aux_array);
      for (const batch_norm_site& s : Net::batch_norm_sites) {
        const int n = s.features;
        V* a = aux + s.aux_slot + n;
        for (int i = 0; i < 4 * n; ++i) a[i] = splat<V>(c[i]);
        a[4 * n] = splat<V>(T(batch));
        c += 5 * n;
      }
    }
  }

  // The workspace's arrays as V: lane vectors for a tile, single values for one sample.
  template <class V, std::size_t N>
  static V* as(vec (&a)[N]) {
    return reinterpret_cast<V*>(a);
  }

  template <class V>
  static void forward_tile(const T* p, const T* x, T* y, int first, int count, workspace& w) {
    V* act = as<V>(w.act);
    detail::load_tile(act + Net::input_slot, x, input_size, first, count);
    Net::template forward<T, V>(p, act, as<V>(w.aux), false, 0, first);
    detail::store_tile(y, act + Net::output_slot, output_size, first, count);
  }

  // Rows r of the head's outputs for one tile (units_head).
  template <class V>
  static void head_tile(const T* p, const T* x, int first, int count, V* z, detail::row_range r,
                        workspace& w) requires(splits_units) {
    V* act = as<V>(w.act);
    detail::load_tile(act + Net::input_slot, x, input_size, first, count);
    dense_forward_rows<Net::head.out, Net::head.in, Net::head.bias>(
        z, act + Net::input_slot, p + Net::head.offset, r.begin, r.end);
  }

  // One tile of training or evaluation: returns the sum of its samples' losses (in sample order)
  // and, when d_p is set, adds their gradient to it. With head_z (units_tail), the tile starts
  // from the head's outputs there instead of its inputs.
  template <class V>
  static T loss_tile(const T* p, const T* x, const T* targets, T* d_p, int first, int count,
                     T scale, train_pass pass, workspace& w, int tile,
                     const T* batch_norm = nullptr, int batch = 0,
                     [[maybe_unused]] const V* head_z = nullptr) {
    const std::uint64_t seed = pass.seed;
    const int sample = pass.first_sample + first;  // the dropout masks' sample number
    V* act = as<V>(w.act);
    V* aux = as<V>(w.aux);
    V* grad = as<V>(w.grad);
    V* t = as<V>(w.targets);
    if (head_z)
      std::copy_n(head_z, head.out, act + head.slot);
    else
      detail::load_tile(act + Net::input_slot, x, input_size, first, count);
    detail::load_tile(t, targets, output_size, first, count);
    V valid{};
    for (int l = 0; l < count; ++l) lane(valid, l) = T(1);
    if (batch_norm) batch_constants<V>(w.aux, batch_norm, batch);
    if constexpr (splits_units) {
      if (head_z)
        Net::template forward<T, V, false, false>(p, act, aux, d_p != nullptr, seed, sample);
      else
        Net::template forward<T, V>(p, act, aux, d_p != nullptr, seed, sample);
    } else {
      Net::template forward<T, V>(p, act, aux, d_p != nullptr, seed, sample);
    }
    const V losses = Net::template seed_loss<T, V>(act, grad, t, scale, valid);
    if constexpr (Net::differentiable)
      if (d_p)
        Net::template backward<T, V>(p, d_p, act, aux, grad, stash<T>{w.stash, chunk_samples, tile},
                                     seed, sample, count);
    T total = 0;
    for (int l = 0; l < count; ++l) total += lane(losses, l);
    return total;
  }

  T run_loss(const char* where, std::span<const T> params, std::span<const T> x,
             std::span<const T> targets, T* d_params, int batch, train_pass pass,
             workspace& w) const {
    check_io(where, params, x, batch);
    check_size(where, "targets", targets.size(), std::size_t(batch) * output_size);
    if constexpr (Net::differentiable) {
      // Only once every size is checked: a call that throws leaves d_params as it was. The first
      // chunk writes the stashed layers' weight gradients and clear_gradient zeroes the rest; a
      // single sample (or none) adds every gradient to zero. Zeroing all of bench D's 400 KB took
      // 4% of its training step at batch 32.
      if (d_params && batch > 1)
        Net::clear_gradient(d_params);
      else if (d_params)
        std::fill_n(d_params, param_count, T(0));
    }
    const T scale = loss_scale(batch);
    // batch_norm in training: the batch's constants first (see batch_statistics).
    const T* constants = nullptr;
    if constexpr (batch_norms > 0)
      if (d_params && batch > 1) {
        batch_statistics(params.data(), x.data(), batch, pass, w);
        if constexpr (Net::differentiable)
          batch_gradient_sums(params.data(), x.data(), targets.data(), batch, scale, pass, w);
        constants = w.batch;
      }
    T total = 0;
    if (batch == 1) {
      total =
          loss_tile<T>(params.data(), x.data(), targets.data(), d_params, 0, 1, scale, pass, w, 0);
    } else {
      // Chunks of up to chunk_tiles tiles: each tile adds its gradient except its dense layers'
      // weights, which it stashes; the chunk then sums those over its n samples at once.
      for (int b = 0; b < batch; b += chunk_samples) {
        const int n = std::min(chunk_samples, batch - b);
        for (int t = 0; t * lanes < n; ++t) {
          const int count = std::min(lanes, n - t * lanes);
          if (count <= half_lanes)  // half a tile's registers: stash tile 2t is the same lanes
            total += loss_tile<half>(params.data(), x.data(), targets.data(), d_params,
                                     b + t * lanes, count, scale, pass, w, 2 * t, constants, batch);
          else
            total += loss_tile<vec>(params.data(), x.data(), targets.data(), d_params,
                                    b + t * lanes, count, scale, pass, w, t, constants, batch);
        }
        if constexpr (Net::differentiable)
          if (d_params)
            Net::template backward_params<T>(d_params, stash<T>{w.stash, chunk_samples, 0},
                                             x.data() + std::size_t(b) * input_size, n, b == 0);
      }
    }
    return mean_loss(total, batch);
  }
};
#endif  // !KILN_FREESTANDING

}  // namespace kiln::kernels
