// Lane vectors for generated kernels (one lane per sample of a tile: 8 floats or 4 doubles with
// AVX2) and the activations on them. Every function also takes a plain float or double, where it
// is exactly math.hpp's scalar rule, so one kernel body serves the tile and the single sample.
#pragma once

#include <kiln/freestanding.hpp>  // cmath, cstdint, type_traits (or a subset)

#include "math.hpp"

#if defined(__SSE2__) && __has_include(<immintrin.h>)
#include <immintrin.h>
#define KILN_VMATH_X86 1
#endif

#define KILN_VINLINE [[gnu::always_inline]] inline

namespace kiln::vmath {

/// The width of the target's vector registers in bytes, from the compiler's target macros: a lane
/// vector is exactly one register, so GCC never splits it into halves (which it does through the
/// stack, element by element: 64-byte vectors on AVX2 ran the dense kernels about 9x slower).
#if defined(__AVX512F__)
inline constexpr int register_bytes = 64;
#elif defined(__AVX__)
inline constexpr int register_bytes = 32;
#else
inline constexpr int register_bytes = 16;  // SSE2 (every x86-64), NEON and the like
#endif

/// The tile of T: how many samples run side by side, one per lane of a register.
template <class T>
struct tile {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "float or double");
  static constexpr int lanes = register_bytes / int(sizeof(T));
  typedef T vec __attribute__((vector_size(register_bytes)));
  using mask_element = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  typedef mask_element mask __attribute__((vector_size(register_bytes)));
};

/// A vector of T of `Bytes` bytes: the tile's register (tile<T>::vec), or a narrower one that the
/// single-sample kernels use for a few units (on AVX-512, four units in 16 bytes rather than 64:
/// no shuffles to pad them, and a division of 11 cycles rather than 18).
template <class T, int Bytes>
struct vector_of {
  typedef T type __attribute__((vector_size(Bytes)));
};
template <class V>
concept lane_vector = sizeof(V) >= 16 && sizeof(V) <= register_bytes &&
                      (sizeof(V) & (sizeof(V) - 1)) == 0 &&
                      (std::same_as<V, typename vector_of<float, sizeof(V)>::type> ||
                       std::same_as<V, typename vector_of<double, sizeof(V)>::type>);
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
  static constexpr int lanes = int(sizeof(V) / sizeof(type));
};
template <class V>
using element_t = typename lane_traits<V>::type;

/// H registers side by side, one feature of a tile of H * lanes samples: with two, every weight
/// broadcast into a register feeds two multiply-adds, which is what lets a dense layer run near
/// the FMA peak (74 against 49 GFLOP/s for 784x128 on AVX2). Arithmetic and the functions below
/// apply register by register.
template <class V, int H>
struct pack {
  V r[H];
};
template <class V, int H>
struct lane_traits<pack<V, H>> {
  using type = typename lane_traits<V>::type;
  static constexpr int lanes = H * lane_traits<V>::lanes;
};
/// How many registers V spans: H for a pack, 1 for a register or a scalar.
template <class V>
inline constexpr int registers_of = 1;
template <class V, int H>
inline constexpr int registers_of<pack<V, H>> = H;
template <class V>
inline constexpr bool is_pack = false;
template <class V, int H>
inline constexpr bool is_pack<pack<V, H>> = true;

/// Register h of a pack; anything else as it is.
template <class A>
KILN_VINLINE decltype(auto) part(const A& a, [[maybe_unused]] int h) {
  if constexpr (is_pack<A>)
    return a.r[h];
  else
    return a;
}
/// f applied to each register of the packs (and to scalars as they are).
template <class V, int H, class F, class... A>
KILN_VINLINE pack<V, H> each(F f, const A&... a) {
  pack<V, H> y;
  for (int h = 0; h < H; ++h) y.r[h] = f(part(a, h)...);
  return y;
}

#define KILN_PACK_OPERATOR(op)                                                    \
  template <class V, int H>                                                       \
  KILN_VINLINE pack<V, H> operator op(const pack<V, H>& a, const pack<V, H>& b) { \
    return each<V, H>([](V x, V y) { return x op y; }, a, b);                     \
  }                                                                               \
  template <class V, int H>                                                       \
  KILN_VINLINE pack<V, H> operator op(const pack<V, H>& a, element_t<V> b) {      \
    return each<V, H>([b](V x) { return x op b; }, a);                            \
  }                                                                               \
  template <class V, int H>                                                       \
  KILN_VINLINE pack<V, H> operator op(element_t<V> a, const pack<V, H>& b) {      \
    return each<V, H>([a](V y) { return a op y; }, b);                            \
  }                                                                               \
  template <class V, int H, class B>                                              \
  KILN_VINLINE pack<V, H>& operator op##=(pack<V, H>& a, const B& b) {            \
    return a = a op b;                                                            \
  }
KILN_PACK_OPERATOR(+)
KILN_PACK_OPERATOR(-)
KILN_PACK_OPERATOR(*)
KILN_PACK_OPERATOR(/)
#undef KILN_PACK_OPERATOR
template <class V, int H>
KILN_VINLINE pack<V, H> operator-(const pack<V, H>& a) {
  return each<V, H>([](V x) { return -x; }, a);
}

/// Every lane set to s: s - 0 is s exactly, so GCC only broadcasts (V{} + s added 0 first, as -0
/// + 0 is +0).
template <class V>
KILN_VINLINE V splat(element_t<V> s) {
  if constexpr (scalar<V>)
    return s;
  else
    return s - V{};
}
/// Lane l of v (v itself for a scalar).
template <class V>
KILN_VINLINE element_t<V>& lane(V& v, int l) {
  if constexpr (scalar<V>) {
    (void)l;
    return v;
  } else {
    return reinterpret_cast<element_t<V>*>(&v)[l];
  }
}
template <class V>
KILN_VINLINE element_t<V> lane(const V& v, int l) {
  if constexpr (scalar<V>) {
    (void)l;
    return v;
  } else {
    return reinterpret_cast<const element_t<V>*>(&v)[l];
  }
}

/// f applied lane by lane (for what has no vector form: sqrt keeps its exact rounding this way).
template <class V, class F>
KILN_VINLINE V map(V x, F f) {
  if constexpr (scalar<V>) {
    return f(x);
  } else {
    V y;
    for (int l = 0; l < lane_traits<V>::lanes; ++l) y[l] = f(x[l]);
    return y;
  }
}

/// A V of the values at p (sizeof(V) bytes, unaligned), and back.
template <class V, class E>
KILN_VINLINE V load(const E* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V, class E>
KILN_VINLINE void store(E* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

/// Lane-wise comparisons as masks (all bits set where true).
template <class V>
KILN_VINLINE auto gt(V a, V b) {
  return a > b;
}
template <class V>
KILN_VINLINE auto ge(V a, V b) {
  return a >= b;
}

/// Lane-wise `cond ? a : b` for a comparison's mask. A register's worth as `?:`, which GCC turns
/// into one blend, or into min and max where `cond` compares a with b (a clamp, relu); wider
/// vectors in bitwise operations, since GCC scalarizes `?:` on those.
template <class V, class M>
KILN_VINLINE V select(M cond, V a, V b) {
  if constexpr (sizeof(V) <= register_bytes)
    return cond ? a : b;
  else
    return (V)((cond & (M)a) | (~cond & (M)b));
}

template <class V>
KILN_VINLINE V max(V a, V b) {
  if constexpr (scalar<V>)
    return a > b ? a : b;
  else
    return select(gt(a, b), a, b);
}
/// Lane-wise square root: one vector instruction on x86 (correctly rounded, as std::sqrt is, so
/// the same bits), else lane by lane (std::sqrt on a register is scalar code: errno).
template <class V>
KILN_VINLINE V sqrt(V x) {
#if KILN_VMATH_X86
  if constexpr (lane_vector<V>) {
    constexpr bool f = std::is_same_v<element_t<V>, float>;
    if constexpr (sizeof(V) == 16) {
      if constexpr (f)
        return (V)_mm_sqrt_ps((__m128)x);
      else
        return (V)_mm_sqrt_pd((__m128d)x);
    }
#if defined(__AVX__)
    if constexpr (sizeof(V) == 32) {
      if constexpr (f)
        return (V)_mm256_sqrt_ps((__m256)x);
      else
        return (V)_mm256_sqrt_pd((__m256d)x);
    }
#endif
#if defined(__AVX512F__)
    if constexpr (sizeof(V) == 64) {  // the masked form: GCC 12 warns of _mm512_sqrt_pd's
      if constexpr (f)                // undefined source (its bug 105593)
        return (V)_mm512_mask_sqrt_ps((__m512)x, __mmask16(-1), (__m512)x);
      else
        return (V)_mm512_mask_sqrt_pd((__m512d)x, __mmask8(-1), (__m512d)x);
    }
#endif
  }
#endif
  return map(x, [](auto v) { return std::sqrt(v); });
}

// exp, expm1, log, log1p, erf: see the vector versions further down.
template <scalar T>
KILN_VINLINE T exp(T x) {
  return std::exp(x);
}
template <scalar T>
KILN_VINLINE T exp_nonpositive(T x) {
  return std::exp(x);
}
template <scalar T>
KILN_VINLINE T expm1(T x) {
  return std::expm1(x);
}
template <scalar T>
KILN_VINLINE T log(T x) {
  return std::log(x);
}
template <scalar T>
KILN_VINLINE T log1p(T x) {
  return std::log1p(x);
}
template <scalar T>
KILN_VINLINE T erf(T x) {
  return std::erf(x);
}
template <scalar T>
KILN_VINLINE T tanh(T x) {
  return std::tanh(x);
}

// The vector forms: range reduction and polynomials, branch-free (both sides of every select are
// computed), so GCC and Clang keep whole vectors. Accurate to a few ulp over the ranges the
// activations and losses use; checked against the C library in tests/codegen/vmath_test.cpp.

namespace detail {
template <class V>
using mask_t = typename vector_of<typename tile<element_t<V>>::mask_element, sizeof(V)>::type;

/// 2^k for integer-valued lanes k in [-2 max_exponent, 2 max_exponent], as two normal factors.
template <lane_vector V>
KILN_VINLINE V pow2(mask_t<V> k) {
  using T = element_t<V>;
  constexpr int mantissa = std::is_same_v<T, float> ? 23 : 52;
  constexpr int bias = std::is_same_v<T, float> ? 127 : 1023;
  const mask_t<V> k1 = k >> 1, k2 = k - k1;
  return (V)((k1 + bias) << mantissa) * (V)((k2 + bias) << mantissa);
}

// The polynomials and the exp and tanh below work on K registers at once, every step applied
// to all K before the next: K independent chains side by side in the instruction stream. A
// tile's activations pass four registers (kernels::map), and the exp-based tanh on four ran
// at 1.35x the throughput of one register after another (out-of-order execution alone does not
// reach the next register's chain). One register is K = 1.

/// sum_k c[k] x^k for N coefficients, in Estrin's form: neighbouring terms paired with x, the
/// pairs with x^2, and so on, so the longest chain is log2(N) multiply-adds instead of Horner's N
/// (the activations of a single sample wait on that chain: tanh took 85 cycles, most of it Horner).
/// Its loops are unrolled at -O2 too (CMake's RelWithDebInfo): left loops, t stays in memory and
/// the single-register exp took 65 cycles, unrolled 48 (Emerald Rapids).
template <int N, int K, lane_vector V>
KILN_VINLINE void estrin(const V (&x)[K], const element_t<V> (&c)[N], V (&out)[K]) {
  V t[N][K], power[K];
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < K; ++k) t[i][k] = splat<V>(c[i]);
  for (int k = 0; k < K; ++k) power[k] = x[k];
#pragma GCC unroll 8
  for (int n = N; n > 1; n = (n + 1) / 2) {
#pragma GCC unroll 16
    for (int i = 0; i < n / 2; ++i)
      for (int k = 0; k < K; ++k) t[i][k] = t[2 * i][k] + t[2 * i + 1][k] * power[k];
    if (n % 2 == 1)
      for (int k = 0; k < K; ++k) t[n / 2][k] = t[n - 1][k];
    if (n > 2)
      for (int k = 0; k < K; ++k) power[k] *= power[k];
  }
  for (int k = 0; k < K; ++k) out[k] = t[0][k];
}

/// Taylor polynomial sum_{k=first}^{last} x^k / k!. Horner's form by default: fewest operations,
/// for throughput (softmax's exp ran 25% slower in Estrin's). Short = true: a shorter chain for
/// latency, the terms from x^2 on (relative to x^first) in Estrin's form and the last two steps
/// Horner's, c0 + x (c1 + x q), so that the large terms are still rounded once (all-Estrin cost
/// exp 1 ulp more).
template <int First, int Last, bool Short, int K, lane_vector V>
KILN_VINLINE void taylor_exp(const V (&x)[K], V (&p)[K]) {
  using T = element_t<V>;
  constexpr int N = Last - First + 1;
  static_assert(N > 2);
  // c[k]: 1 / (first + k)!, computed at compile time (left to the optimizer, a Cortex-M4F build
  // called the double-precision division of libgcc for them on every exp).
  struct coefficients {
    T c[N];
  };
  static constexpr coefficients table = [] {
    coefficients t{};
    double f = 1;
    for (int k = 2; k <= First; ++k) f *= k;
    for (int k = 0; k < N; ++k) {
      t.c[k] = T(1 / f);
      f *= First + k + 1;
    }
    return t;
  }();
  const T(&c)[N] = table.c;
  if constexpr (Short) {
    T high[N - 2];
    for (int k = 0; k < N - 2; ++k) high[k] = c[k + 2];
    estrin<N - 2>(x, high, p);
    for (int k = 0; k < K; ++k) p[k] = c[0] + x[k] * (c[1] + x[k] * p[k]);
  } else {
    for (int k = 0; k < K; ++k) p[k] = splat<V>(c[N - 1]);
    for (int i = N - 2; i >= 0; --i)
      for (int k = 0; k < K; ++k) p[k] = p[k] * x[k] + c[i];
  }
  for (int i = 0; i < First; ++i)
    for (int k = 0; k < K; ++k) p[k] *= x[k];
}
template <int First, int Last, bool Short = false, lane_vector V>
KILN_VINLINE V taylor_exp(V x) {
  V in[1] = {x}, out[1];
  taylor_exp<First, Last, Short>(in, out);
  return out[0];
}

/// 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), `Terms` terms.
template <int Terms, lane_vector V>
KILN_VINLINE V two_atanh(V s) {
  using T = element_t<V>;
  const V s2 = s * s;
  V p = splat<V>(T(1.0 / (2 * Terms - 1)));
  for (int k = Terms - 2; k >= 0; --k) p = p * s2 + T(1.0 / (2 * k + 1));
  return T(2) * s * p;
}

/// x - n ln2 for integer-valued n, ln2 split in two (Cody-Waite) so that n ln2_hi is exact.
template <lane_vector V>
KILN_VINLINE V minus_n_ln2(V x, V n) {
  using T = element_t<V>;
  constexpr bool single = std::is_same_v<T, float>;
  const T ln2_hi = single ? T(0.693359375) : T(6.93147180369123816490e-01);
  const T ln2_lo = single ? T(-2.12194440e-4) : T(1.90821492927058770002e-10);
  return (x - n * ln2_hi) - n * ln2_lo;
}
}  // namespace detail

namespace detail {
/// e^x in place on K registers: x = n ln2 + r with |r| <= ln2/2 (n rounded by adding 1.5
/// 2^mantissa: three operations where a select, an add and two conversions took six), e^r by its
/// Taylor polynomial (degree 7 in float, 13 in double), then scaled by 2^n. Underflows to 0 (and
/// flushes results below the smallest normal to 0). Overflow = true: overflows to inf, with 2^n
/// in two factors (n reaches 128); false: x <= 0 only, one factor and no overflow side.
///
/// x is not clamped first: a lane outside [lo, hi] computes a meaningless n and r (integer bits
/// only, no trap), and the selects at the end, on the input, give it 0 or inf. So a single
/// sample waits on no select before the polynomial (two of them took 8 cycles on Emerald Rapids).
/// One register: the polynomial in Estrin's form (taylor_exp's Short), 20 cycles of chain
/// against Horner's 28; several registers keep Horner's fewer operations.
template <bool Overflow, int K, lane_vector V>
KILN_VINLINE void exp_in_place(V (&v)[K]) {
  using T = element_t<V>;
  constexpr bool single = std::is_same_v<T, float>;
  constexpr int mantissa = single ? 23 : 52, bias = single ? 127 : 1023;
  const T hi = single ? T(88.7228) : T(709.782);
  const T lo = single ? T(-87.3365) : T(-708.396);
  const T magic = single ? T(12582912.0) : T(6755399441055744.0);
  mask_t<V> n[K];
  V r[K], p[K];
  for (int k = 0; k < K; ++k) {
    // 1.5 2^mantissa + x log2(e): the sum's last bits hold x log2(e) rounded to an integer.
    const V t = v[k] * T(1.44269504088896340736) + magic;
    n[k] = (mask_t<V>)t - (mask_t<V>)splat<V>(magic);
    r[k] = minus_n_ln2(v[k], t - magic);
  }
  if constexpr (single)
    taylor_exp<0, 7, K == 1>(r, p);
  else
    taylor_exp<0, 13, K == 1>(r, p);
  for (int k = 0; k < K; ++k) {
    if constexpr (Overflow) {
      const V y = p[k] * pow2<V>(n[k]);
      V inf = splat<V>(T(INFINITY));
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
      // In a register: against the constant GCC 12 merges a masked broadcast load into y, a
      // load on the sample's chain (a sigmoid's last steps: 8 cycles where a blend takes 1).
      asm("" : "+v"(inf));
#endif
      v[k] = select(gt(v[k], splat<V>(hi)), inf, select(gt(splat<V>(lo), v[k]), V{}, y));
    } else {
      const V y = p[k] * (V)((n[k] + bias) << mantissa);  // n in [1 - bias, 0]: one factor
      v[k] = select(gt(splat<V>(lo), v[k]), V{}, y);
    }
  }
}
}  // namespace detail

/// e^x like the C library, in place on K registers.
template <int K, lane_vector V>
KILN_VINLINE void exp(V (&v)[K]) {
  detail::exp_in_place<true>(v);
}
/// e^x for x <= 0 (softmax's exp(x - max), the cross-entropies' exp(-|z|)): no overflow side.
template <int K, lane_vector V>
KILN_VINLINE void exp_nonpositive(V (&v)[K]) {
  detail::exp_in_place<false>(v);
}
template <lane_vector V>
inline V exp(V x) {
  V v[1] = {x};
  vmath::exp<1>(v);
  return v[0];
}
template <lane_vector V>
inline V exp_nonpositive(V x) {
  V v[1] = {x};
  vmath::exp_nonpositive<1>(v);
  return v[0];
}

/// e^x - 1, accurate near 0: the Taylor series for |x| < 1/2, exp(x) - 1 elsewhere.
template <lane_vector V>
inline V expm1(V x) {
  using T = element_t<V>;
  V small;
  if constexpr (std::is_same_v<T, float>)
    small = detail::taylor_exp<1, 9>(x);
  else
    small = detail::taylor_exp<1, 17>(x);
  const V a = select(gt(V{}, x), -x, x);
  return select(gt(splat<V>(T(0.5)), a), small, vmath::exp(x) - T(1));
}

/// log(x) for positive normal x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh((m -
/// 1)/(m + 1)).
template <lane_vector V>
inline V log(V x) {
  using T = element_t<V>;
  using M = detail::mask_t<V>;
  constexpr bool single = std::is_same_v<T, float>;
  constexpr int mantissa = single ? 23 : 52;
  constexpr int bias = single ? 127 : 1023;
  const M bits = (M)x;
  const M exponent_bits = M{} + (single ? 0xff : 0x7ff);
  M e = ((bits >> mantissa) & exponent_bits) - bias;
  V m = (V)((bits & (((M{} + 1) << mantissa) - 1)) | ((M{} + bias) << mantissa));  // [1, 2)
  const auto big = gt(m, splat<V>(T(1.41421356237309504880)));
  m = select(big, m * T(0.5), m);
  e = e + (big & 1);
  const V s = (m - T(1)) / (m + T(1));
  V l;
  if constexpr (single)
    l = detail::two_atanh<6>(s);
  else
    l = detail::two_atanh<12>(s);
  const V ef = __builtin_convertvector(e, V);
  return ef * T(6.93147180369123816490e-01) + (l + ef * T(1.90821492927058770002e-10));
}

/// log(1 + x) for x in [0, 1] (softplus and the cross-entropy take it of e^-|z|): 2 atanh(x /
/// (2 + x)), with no cancellation for small x.
template <lane_vector V>
inline V log1p(V x) {
  using T = element_t<V>;
  const V s = x / (T(2) + x);
  if constexpr (std::is_same_v<T, float>)
    return detail::two_atanh<8>(s);
  else
    return detail::two_atanh<18>(s);
}

namespace detail {
/// min(v, limit) lane by lane; NaN stays NaN.
template <lane_vector V>
KILN_VINLINE V clamp_above(V v, element_t<V> limit) {
  V hi = splat<V>(limit);
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  // GCC 12 compiles `v > c ? c : v` against a constant c into a compare and a masked move on
  // AVX-512 (two dependent instructions), against a register into one min: the bound made
  // opaque. Same values, NaN included (min returns its second operand, v).
  asm("" : "+v"(hi));
#endif
  return select(gt(v, hi), hi, v);
}
/// v's sign bits, and |v|.
template <lane_vector V>
KILN_VINLINE mask_t<V> sign_bits(V v) {
  return (mask_t<V>)v & (mask_t<V>)splat<V>(element_t<V>(-0.0));
}
template <lane_vector V>
KILN_VINLINE V magnitude(V v) {
  return (V)((mask_t<V>)v & ~(mask_t<V>)splat<V>(element_t<V>(-0.0)));
}

/// Float tanh(x) = x P(x^2) / Q(x^2), x clamped to +-9.1 (where tanh rounds to 1), P and Q of
/// degree 4 with positive coefficients: a relative-error fit on [0, 9.1] (weighted least squares
/// iterated towards minimax, 2.3e-8 before rounding to float). Measured over every float in
/// [0, 10.5]: at most 5 ulp, 99.3% of them within 1 (the rounding of the two Horner sums adds up
/// to ~3 of the 5). Eight multiply-adds, a division and two clamps: 1.76x the throughput of the
/// exp-based float tanh it replaced (still the double one, below) and half its latency. Worked
/// on |x|, the sign put back at the end: each clamp one min, not a min and a max (a single
/// sample waits on them: 4 cycles each on Emerald Rapids, an and and an or 1). Odd (x P / Q
/// rounds alike on x and -x), NaN stays NaN.
template <int K, lane_vector V>
KILN_VINLINE void tanh_rational(V (&v)[K]) {
  constexpr float p[] = {1.0f, 0.133744195f, 0.0034877446f, 2.04800726e-05f, 1.31759803e-08f};
  constexpr float q[] = {1.0f, 0.467077345f, 0.025847137f, 0.000327281043f, 7.7034133e-07f};
  constexpr float cap = 9.1f;
  V a[K], s[K], n[K], d[K];
  for (int k = 0; k < K; ++k) {
    a[k] = clamp_above(magnitude(v[k]), cap);
    s[k] = a[k] * a[k];
    n[k] = splat<V>(p[4]);
    d[k] = splat<V>(q[4]);
  }
  for (int i = 3; i >= 0; --i)
    for (int k = 0; k < K; ++k) {
      n[k] = n[k] * s[k] + p[i];
      d[k] = d[k] * s[k] + q[i];
    }
  // Rounded in float, x P / Q comes out 1 ulp above 1 from x = 8.2 on (1.00000012; 8.0 without
  // FMA): clamped to 1, where tanh lies, so that tanh(inf) is 1 and tanh's derivative 1 - y^2
  // not negative.
  for (int k = 0; k < K; ++k)
    v[k] = (V)((mask_t<V>)clamp_above(a[k] * n[k] / d[k], 1.0f) | sign_bits(v[k]));
}
}  // namespace detail

/// tanh in place on K registers. Float: the rational form above. Double: tanh(|x|) = e / (e + 2)
/// with e = expm1(2 |x|), |x| capped where tanh rounds to 1; expm1 by one range reduction, 2|x| =
/// n ln2 + r with 0 <= r < ln2: e = 2^n (expm1(r) + 1) - 1, all terms positive (no
/// cancellation), exact for n = 0; one polynomial, not two. At most 3 ulp.
template <int K, lane_vector V>
KILN_VINLINE void tanh(V (&v)[K]) {
  using T = element_t<V>;
  using M = detail::mask_t<V>;
  if constexpr (std::is_same_v<T, float>) {
    detail::tanh_rational(v);
  } else {
    constexpr int mantissa = 52, bias = 1023;
    const T cap = 20;
    M n[K];
    V r[K], em[K];
    for (int k = 0; k < K; ++k) {
      V a = select(gt(V{}, v[k]), -v[k], v[k]);
      a = select(gt(a, splat<V>(cap)), splat<V>(cap), a);
      const V z = T(2) * a;
      n[k] = __builtin_convertvector(z * T(1.44269504088896340736), M);  // floor: z >= 0
      r[k] = detail::minus_n_ln2(z, __builtin_convertvector(n[k], V));
    }
    // One register waits on the polynomial's chain: Estrin's form. Several keep each other busy,
    // and Estrin's extra registers spilled (four: 0.8x the throughput of Horner's).
    detail::taylor_exp<1, 17, K == 1>(r, em);
    for (int k = 0; k < K; ++k) {
      const V p = (V)((n[k] + bias) << mantissa);  // 2^n, n <= 58
      const V e = p * em[k] + (p - T(1));          // p - 1 is exact
      const V t = e / (e + T(2));
      v[k] = select(gt(V{}, v[k]), -t, t);
    }
  }
}
template <lane_vector V>
inline V tanh(V x) {
  V v[1] = {x};
  vmath::tanh<1>(v);
  return v[0];
}

namespace detail {
/// The erf series on doubles, |x| capped at `cap`.
template <int Terms, class D>
inline D erf_series(D x, double cap) {
  D a = select(gt(D{}, x), -x, x);
  a = select(gt(a, D{} + cap), D{} + cap, a);
  const D a2 = a * a;
  D t = a, sum = a;
  for (int n = 1; n < Terms; ++n) {
    t *= a2 * (2.0 / (2 * n + 1));
    sum += t;
  }
  // e^-a^2 with a^2 split exactly: a = a_hi + a_lo, a_hi with 26 significant bits, so a_hi^2
  // has no rounding error (a rounded a^2 costs up to a^2/2 ulp).
  typedef std::int64_t bits __attribute__((vector_size(sizeof(D))));
  const D a_hi = (D)((bits)a & ~(((bits{} + 1) << 27) - 1));
  const D a_lo = a - a_hi;
  const D gauss = vmath::exp(-(a_hi * a_hi)) * vmath::exp(-(a_lo * (a_hi + a_hi + a_lo)));
  const D y = 1.1283791670955125739 * gauss * sum;
  return select(gt(D{}, x), -y, y);
}
}  // namespace detail

/// erf by the everywhere-positive series 2/sqrt(pi) e^-x^2 sum_n 2^n x^(2n+1) / (2n+1)!!, with a
/// fixed number of terms for |x| below the point where erf rounds to 1. Float runs in double.
template <lane_vector V>
inline V erf(V x) {
  using T = element_t<V>;
  if constexpr (std::is_same_v<T, float>) {
    using half = typename vector_of<double, sizeof(V)>::type;  // half of the float lanes
    constexpr int H = lane_traits<V>::lanes / 2;
    half lo{}, hi{};
    for (int l = 0; l < H; ++l) lo[l] = x[l], hi[l] = x[l + H];
    lo = detail::erf_series<50>(lo, 4.0);
    hi = detail::erf_series<50>(hi, 4.0);
    V y{};
    for (int l = 0; l < H; ++l) y[l] = float(lo[l]), y[l + H] = float(hi[l]);
    return y;
  } else {
    return detail::erf_series<100>(x, 6.0);
  }
}

// Activations, the same rules as math.hpp written so they vectorize. `x` is the input, `y` the
// output already computed from it, `p` the hyperparameter; each `*_d` returns dy/dx.

template <class V>
KILN_VINLINE V identity(V x) {
  return x;
}
template <class V>
KILN_VINLINE V identity_d(V, V) {
  return splat<V>(1);
}
template <class V>
KILN_VINLINE V step(V x) {
  if constexpr (scalar<V>)
    return math::step(x);
  else
    return select(ge(x, V{}), splat<V>(1), V{});
}
template <class V>
KILN_VINLINE V step_d(V, V) {
  return V{};
}

/// In place on K registers (their exps side by side): 1 / (1 + e^-x). Accurate to a few ulp
/// on both tails: on the negative one e^-x is large and 1 / (1 + e) keeps its relative error;
/// below x = -88.7 it is inf and the result 0. No select before or after the exp (math::sigmoid's
/// exp(-|x|) took two, on a single sample's chain).
template <int K, lane_vector V>
KILN_VINLINE void sigmoid(V (&v)[K]) {
  for (int k = 0; k < K; ++k) v[k] = -v[k];
  vmath::exp<K>(v);
  for (int k = 0; k < K; ++k) v[k] = 1 / (1 + v[k]);
}
template <class V>
KILN_VINLINE V sigmoid(V x) {
  if constexpr (scalar<V>) {
    return math::sigmoid(x);
  } else {
    V v[1] = {x};
    vmath::sigmoid<1>(v);
    return v[0];
  }
}
template <class V>
KILN_VINLINE V sigmoid_d(V, V y) {
  return y * (1 - y);
}

template <class V>
KILN_VINLINE V tanh_d(V, V y) {
  return 1 - y * y;
}

template <class V>
KILN_VINLINE V relu(V x) {
  if constexpr (scalar<V>)
    return math::relu(x);
  else
    return select(gt(x, V{}), x, V{});
}
template <class V>
KILN_VINLINE V relu_d(V x, V) {
  if constexpr (scalar<V>)
    return math::relu_d(x, x);
  else
    return select(gt(x, V{}), splat<V>(1), V{});
}

template <class V>
KILN_VINLINE V leaky_relu(V x, element_t<V> slope) {
  if constexpr (scalar<V>)
    return math::leaky_relu(x, slope);
  else
    return select(gt(x, V{}), x, slope * x);
}
template <class V>
KILN_VINLINE V leaky_relu_d(V x, V, element_t<V> slope) {
  if constexpr (scalar<V>)
    return math::leaky_relu_d(x, x, slope);
  else
    return select(gt(x, V{}), splat<V>(1), splat<V>(slope));
}

template <class V>
KILN_VINLINE V elu(V x, element_t<V> alpha) {
  if constexpr (scalar<V>)
    return math::elu(x, alpha);
  else
    return select(gt(x, V{}), x, alpha * vmath::expm1(x));
}
template <class V>
KILN_VINLINE V elu_d(V x, V y, element_t<V> alpha) {
  if constexpr (scalar<V>)
    return math::elu_d(x, y, alpha);
  else
    return select(gt(x, V{}), splat<V>(1), y + alpha);
}

template <class V>
KILN_VINLINE V gelu(V x) {
  using T = element_t<V>;
  if constexpr (scalar<V>)
    return math::gelu(x);
  else
    return T(0.5) * x * (T(1) + vmath::erf(x * T(0.70710678118654752440)));
}
template <class V>
KILN_VINLINE V gelu_d(V x, V y) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::gelu_d(x, y);
  } else {
    const V cdf = T(0.5) * (T(1) + vmath::erf(x * T(0.70710678118654752440)));
    const V pdf = T(0.39894228040143267794) * vmath::exp_nonpositive(T(-0.5) * x * x);
    return cdf + x * pdf;
  }
}

template <class V>
KILN_VINLINE V gelu_tanh(V x) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::gelu_tanh(x);
  } else {
    const V u = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
    return T(0.5) * x * (T(1) + vmath::tanh(u));
  }
}
template <class V>
KILN_VINLINE V gelu_tanh_d(V x, V y) {
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
KILN_VINLINE V silu(V x) {
  if constexpr (scalar<V>)
    return math::silu(x);
  else
    return x * vmath::sigmoid(x);
}
template <class V>
KILN_VINLINE V silu_d(V x, V y) {
  using T = element_t<V>;
  if constexpr (scalar<V>) {
    return math::silu_d(x, y);
  } else {
    const V s = vmath::sigmoid(x);
    return s * (T(1) + x * (T(1) - s));
  }
}

template <class V>
KILN_VINLINE V softplus(V x) {
  if constexpr (scalar<V>) {
    return math::softplus(x);
  } else {
    const V a = select(gt(V{}, x), -x, x);
    return select(gt(x, V{}), x, V{}) + vmath::log1p(vmath::exp_nonpositive(-a));
  }
}
template <class V>
KILN_VINLINE V softplus_d(V x, V) {
  return vmath::sigmoid(x);
}

// On packs: what the per-sample kernels (softmax, layer_norm, the losses) and a tile's
// activations (kernels::map) use. exp, tanh and sigmoid run all registers of the pack side by
// side; the rest register by register.
template <class V, int H>
KILN_VINLINE pack<V, H> max(const pack<V, H>& a, const pack<V, H>& b) {
  return each<V, H>([](V x, V y) { return vmath::max(x, y); }, a, b);
}
template <class V, int H, class F>
KILN_VINLINE pack<V, H> map(const pack<V, H>& a, F f) {
  return each<V, H>([&](V x) { return vmath::map(x, f); }, a);
}
// The functions that work on K registers at once take the whole pack in one call.
#define KILN_PACK_IN_PLACE(name)                      \
  template <class V, int H>                           \
  KILN_VINLINE pack<V, H> name(const pack<V, H>& a) { \
    pack<V, H> y = a;                                 \
    vmath::name<H>(y.r);                              \
    return y;                                         \
  }
KILN_PACK_IN_PLACE(exp)
KILN_PACK_IN_PLACE(exp_nonpositive)
KILN_PACK_IN_PLACE(tanh)
KILN_PACK_IN_PLACE(sigmoid)
#define KILN_PACK_FUNCTION(name)                              \
  template <class V, int H>                                   \
  KILN_VINLINE pack<V, H> name(const pack<V, H>& a) {         \
    return each<V, H>([](V x) { return vmath::name(x); }, a); \
  }
#define KILN_PACK_FUNCTION_P(name)                                    \
  template <class V, int H>                                           \
  KILN_VINLINE pack<V, H> name(const pack<V, H>& a, element_t<V> p) { \
    return each<V, H>([p](V x) { return vmath::name(x, p); }, a);     \
  }
#define KILN_PACK_DERIVATIVE(name)                                         \
  template <class V, int H>                                                \
  KILN_VINLINE pack<V, H> name(const pack<V, H>& a, const pack<V, H>& b) { \
    return each<V, H>([](V x, V y) { return vmath::name(x, y); }, a, b);   \
  }
#define KILN_PACK_DERIVATIVE_P(name)                                                       \
  template <class V, int H>                                                                \
  KILN_VINLINE pack<V, H> name(const pack<V, H>& a, const pack<V, H>& b, element_t<V> p) { \
    return each<V, H>([p](V x, V y) { return vmath::name(x, y, p); }, a, b);               \
  }
KILN_PACK_FUNCTION(sqrt)
KILN_PACK_FUNCTION(expm1)
KILN_PACK_FUNCTION(log)
KILN_PACK_FUNCTION(log1p)
KILN_PACK_FUNCTION(step)
KILN_PACK_FUNCTION(relu)
KILN_PACK_FUNCTION(gelu)
KILN_PACK_FUNCTION(gelu_tanh)
KILN_PACK_FUNCTION(silu)
KILN_PACK_FUNCTION(softplus)
KILN_PACK_FUNCTION_P(leaky_relu)
KILN_PACK_FUNCTION_P(elu)
KILN_PACK_DERIVATIVE(relu_d)
KILN_PACK_DERIVATIVE(gelu_d)
KILN_PACK_DERIVATIVE(gelu_tanh_d)
KILN_PACK_DERIVATIVE(silu_d)
KILN_PACK_DERIVATIVE(softplus_d)
KILN_PACK_DERIVATIVE_P(leaky_relu_d)
KILN_PACK_DERIVATIVE_P(elu_d)
#undef KILN_PACK_IN_PLACE
#undef KILN_PACK_FUNCTION
#undef KILN_PACK_FUNCTION_P
#undef KILN_PACK_DERIVATIVE
#undef KILN_PACK_DERIVATIVE_P

}  // namespace kiln::vmath
