// What the generated kernels need from the C++ library: its own headers where there is one, else
// (a bare-metal toolchain with only the compiler's C headers, like Debian's gcc-arm-none-eabi) the
// few names Kiln uses, defined here. Also sets KILN_FREESTANDING: no heap, exceptions or I/O.
#pragma once

/// 1 when the code may not use the hosted library (heap, exceptions, iostream, the C library's
/// math): a freestanding compile (-ffreestanding), no exceptions (-fno-exceptions), or no C++
/// library at all. The kernels then leave out kernels::engine (which checks sizes by throwing) and
/// a generated header leaves out the spec binding (kiln::compiled<spec, T>, which includes the
/// spec and so the DSL); the baked engine stays. Define it to 1 to force that on a hosted build.
#ifndef KILN_FREESTANDING
#if !__STDC_HOSTED__ || !defined(__cpp_exceptions) || !__has_include(<type_traits>)
#define KILN_FREESTANDING 1
#else
#define KILN_FREESTANDING 0
#endif
#endif

#if __has_include(<type_traits>)

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#else  // no C++ library: the subset the kernels use, from the compiler's builtins

#include <stddef.h>
#include <stdint.h>

#ifndef INFINITY
#define INFINITY (__builtin_inff())
#endif

namespace std {

using ::int32_t;
using ::int64_t;
using ::size_t;
using ::uint32_t;
using ::uint64_t;
using ::uint8_t;

template <class T, T V>
struct integral_constant {
  static constexpr T value = V;
};
template <class A, class B>
inline constexpr bool is_same_v = false;
template <class A>
inline constexpr bool is_same_v<A, A> = true;
template <bool C, class A, class B>
struct conditional {
  using type = A;
};
template <class A, class B>
struct conditional<false, A, B> {
  using type = B;
};
template <bool C, class A, class B>
using conditional_t = typename conditional<C, A, B>::type;
template <class T>
struct remove_cvref {
  using type = T;
};
template <class T>
struct remove_cvref<const T> : remove_cvref<T> {};
template <class T>
struct remove_cvref<volatile T> : remove_cvref<T> {};
template <class T>
struct remove_cvref<const volatile T> : remove_cvref<T> {};
template <class T>
struct remove_cvref<T&> : remove_cvref<T> {};
template <class T>
struct remove_cvref<T&&> : remove_cvref<T> {};
template <class T>
using remove_cvref_t = typename remove_cvref<T>::type;
template <class A, class B>
concept same_as = is_same_v<A, B> && is_same_v<B, A>;

template <class T, T... I>
struct integer_sequence {
  using value_type = T;
  static constexpr size_t size() noexcept { return sizeof...(I); }
};
template <size_t... I>
using index_sequence = integer_sequence<size_t, I...>;
#if defined(__clang__)
template <class T, T N>
using make_integer_sequence = __make_integer_seq<integer_sequence, T, N>;
#else
template <class T, T N>
using make_integer_sequence = integer_sequence<T, __integer_pack(N)...>;
#endif
template <size_t N>
using make_index_sequence = make_integer_sequence<size_t, N>;

template <class T>
constexpr const T& min(const T& a, const T& b) {
  return b < a ? b : a;
}
template <class T>
constexpr const T& max(const T& a, const T& b) {
  return a < b ? b : a;
}
template <class T>
constexpr const T& clamp(const T& v, const T& lo, const T& hi) {
  return v < lo ? lo : hi < v ? hi : v;
}
template <class P, class N, class T>
constexpr P fill_n(P p, N n, const T& v) {
  for (N i = 0; i < n; ++i) *p++ = v;
  return p;
}
inline void* memcpy(void* to, const void* from, size_t n) { return __builtin_memcpy(to, from, n); }

/// Only what graph.hpp's kind_name returns: a view of a string literal.
class string_view {
 public:
  constexpr string_view(const char* s) : data_(s), size_(0) {
    while (s[size_]) ++size_;
  }
  constexpr const char* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  friend constexpr bool operator==(string_view a, string_view b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i)
      if (a.data_[i] != b.data_[i]) return false;
    return true;
  }

 private:
  const char* data_;
  size_t size_;
};

// The C library's math, declared for the scalar rules of math.hpp. The generated kernels do not
// call them (Kiln's own vector math serves): a call would leave an undefined symbol (expf, ...),
// which the Cortex-M test looks for.
#define KILN_LIBM(name)                                         \
  inline float name(float x) { return __builtin_##name##f(x); } \
  inline double name(double x) { return __builtin_##name(x); }
KILN_LIBM(exp)
KILN_LIBM(expm1)
KILN_LIBM(log)
KILN_LIBM(log1p)
KILN_LIBM(erf)
KILN_LIBM(tanh)
KILN_LIBM(sqrt)
KILN_LIBM(fabs)
#undef KILN_LIBM

}  // namespace std

#endif
