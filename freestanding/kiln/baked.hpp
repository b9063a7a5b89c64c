// kiln::baked<spec, T>: a generated network with its weights compiled in as constants (kiln-gen
// --weights): forward for one sample or a batch, no parameter buffer. Freestanding: no heap,
// exceptions, I/O, libm or Hana (the span overloads, which check sizes by throwing, are hosted).
#pragma once

#include <kiln/freestanding.hpp>
#include <kiln/kernels.hpp>
#if !KILN_FREESTANDING
#include <span>
#include <stdexcept>
#include <string>
#endif

namespace kiln {

namespace detail {
template <const auto&>
inline constexpr bool no_baked_weights = false;
}

/// The baked engine of the network `Spec`: kiln-gen specializes it when given --weights.
template <const auto& Spec, class T = float>
struct baked {
  static_assert(
      detail::no_baked_weights<Spec>,
      "kiln::baked: no baked weights for this network: add them with "
      "kiln_add_network(<target> SPEC <header> WEIGHTS <file>) and include <stem>.kiln.hpp");
};

namespace kernels {

/// One sample's activations stay on the stack, even when the caller passes a workspace, as long
/// as they take at most this many values: the compiler then keeps them in registers instead of
/// storing every one to memory the caller can see.
inline constexpr int single_sample_stack_values = 512;

/// Runs the generated network `Net` (kiln-gen's kernels) in precision T with the parameters at
/// `Params`, a constant array in the flat layout: the same kernels as kiln::compiled<spec, T>,
/// with every weight known to the compiler.
template <class Net, class T, const T* Params>
struct baked_engine {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "kiln::baked: T must be float or double");
  using value_type = T;
  static constexpr int input_size = Net::input_size;
  static constexpr int output_size = Net::output_size;
  static constexpr int param_count = Net::param_count;
  /// The parameters, in the flat layout (param_count values).
  static constexpr const T* params = Params;

 private:
  using vec = tile_of<Net, T>;
  static constexpr int lanes = vmath::lane_traits<vec>::lanes;
  static constexpr bool small = Net::value_slots + Net::aux_slots <= single_sample_stack_values;

 public:
  /// The scratch of a batch (one tile's activations), of a size fixed at compile time: calls
  /// without one put it on the stack.
  struct workspace {
    vec act[Net::value_slots];
    vec aux[Net::aux_slots + 1];
  };

  /// One sample: x[input_size] -> y[output_size].
  static void forward(const T* __restrict x, T* __restrict y) {
    if constexpr (small) {
      single_on_stack(x, y);
    } else {
      workspace w;
      forward(x, y, w);
    }
  }
  static void forward(const T* __restrict x, T* __restrict y, workspace& w) {
    if constexpr (small) {
      forward(x, y);
    } else {
      single(x, y, reinterpret_cast<T*>(w.act), reinterpret_cast<T*>(w.aux));
    }
  }
  /// x: [batch][input_size], y: [batch][output_size].
  static void forward(const T* x, T* y, int batch) {
    if (batch == 1) return forward(x, y);
    workspace w;
    forward(x, y, batch, w);
  }
  static void forward(const T* x, T* y, int batch, workspace& w) {
    if (batch == 1) return forward(x, y, w);
    for (int b = 0; b < batch; b += lanes) {
      const int count = batch - b < lanes ? batch - b : lanes;
      detail::load_tile(w.act + Net::input_slot, x, input_size, b, count);
      Net::template forward<T, vec>(Params, w.act, w.aux, false, 0, b);
      detail::store_tile(y, w.act + Net::output_slot, output_size, b, count);
    }
  }

#if !KILN_FREESTANDING
  /// The same, with the sizes checked (std::invalid_argument naming the buffer and both sizes).
  static void forward(std::span<const T> x, std::span<T> y, int batch) {
    check(x, y, batch);
    forward(x.data(), y.data(), batch);
  }
  static void forward(std::span<const T> x, std::span<T> y, int batch, workspace& w) {
    check(x, y, batch);
    forward(x.data(), y.data(), batch, w);
  }
#endif

 private:
  // The activations declared in the flattened function itself, so that they stay in registers:
  // passed in from the caller, GCC called `single` out of line for network B and kept them in
  // memory (58 ns a call where this takes 21, independent calls on Emerald Rapids).
  // (flatten inlines `single` here too).
  [[gnu::flatten]] static void single_on_stack(const T* __restrict x, T* __restrict y) {
    T act[Net::value_slots], aux[Net::aux_slots + 1];
    single(x, y, act, aux);
  }
  // Flattened: the generated forward and its kernels inlined here, so that every weight is a
  // constant in them (dense_single's columns become constant vectors).
  [[gnu::flatten]] static void single(const T* __restrict x, T* __restrict y, T* __restrict act,
                                      T* __restrict aux) {
    for (int i = 0; i < input_size; ++i) act[Net::input_slot + i] = x[i];
    Net::template forward<T, T>(Params, act, aux, false, 0, 0);
    for (int i = 0; i < output_size; ++i) y[i] = act[Net::output_slot + i];
  }
#if !KILN_FREESTANDING
  static void check(std::span<const T> x, std::span<T> y, int batch) {
    const char* where = "kiln::baked::forward";
    if (batch < 0) throw std::invalid_argument(std::string(where) + ": negative batch");
    check_size(where, "x", x.size(), std::size_t(batch) * input_size);
    check_size(where, "y", y.size(), std::size_t(batch) * output_size);
  }
#endif
};

}  // namespace kernels
}  // namespace kiln
