// Networks for the cross-compiling test: unrolled and looped dense layers, a residual block,
// layer_norm, dropout and every loss. With KILN_EXPECT_AARCH64 defined the spec refuses any
// target but aarch64, so the test knows kiln-gen's --target= reached Clang.
#pragma once
#if defined(KILN_EXPECT_AARCH64) && !defined(__aarch64__)
#error "kiln-gen did not parse this spec for aarch64"
#endif
#include <kiln/dsl.hpp>

namespace cross {
inline constexpr auto small =
    kiln::network{kiln::input<3>, kiln::dense<4>, kiln::relu, kiln::dense<2>, kiln::mse};
inline constexpr auto blocks =
    kiln::network{kiln::input<4>,
                  kiln::dense<6>,
                  kiln::residual{kiln::dense<6>, kiln::leaky_relu(0.2), kiln::dropout(0.25)},
                  kiln::layer_norm,
                  kiln::dense<3>,
                  kiln::softmax,
                  kiln::softmax_cross_entropy};
/// 32x24 weights: above the unroll budget, so the loop path.
inline constexpr auto wide = kiln::network{kiln::input<32>, kiln::dense<24>, kiln::gelu,
                                           kiln::dense<1>,  kiln::sigmoid,   kiln::bce};
}  // namespace cross
