// Example 6: ten-layer sigmoid, relu and residual networks, to watch gradients vanish or flow.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
// clang-format off
inline constexpr auto deep_sigmoid = kiln::network{kiln::input<2>,
    kiln::dense<16>, kiln::sigmoid, kiln::dense<16>, kiln::sigmoid, kiln::dense<16>, kiln::sigmoid,
    kiln::dense<16>, kiln::sigmoid, kiln::dense<16>, kiln::sigmoid, kiln::dense<16>, kiln::sigmoid,
    kiln::dense<16>, kiln::sigmoid, kiln::dense<16>, kiln::sigmoid, kiln::dense<16>, kiln::sigmoid,
    kiln::dense<3>, kiln::softmax, kiln::softmax_cross_entropy};
inline constexpr auto deep_relu = kiln::network{kiln::input<2>,
    kiln::dense<16>, kiln::relu, kiln::dense<16>, kiln::relu, kiln::dense<16>, kiln::relu,
    kiln::dense<16>, kiln::relu, kiln::dense<16>, kiln::relu, kiln::dense<16>, kiln::relu,
    kiln::dense<16>, kiln::relu, kiln::dense<16>, kiln::relu, kiln::dense<16>, kiln::relu,
    kiln::dense<3>, kiln::softmax, kiln::softmax_cross_entropy};
inline constexpr auto deep_residual = kiln::network{kiln::input<2>, kiln::dense<16>,
    kiln::residual{kiln::sigmoid, kiln::dense<16>}, kiln::residual{kiln::sigmoid, kiln::dense<16>},
    kiln::residual{kiln::sigmoid, kiln::dense<16>}, kiln::residual{kiln::sigmoid, kiln::dense<16>},
    kiln::residual{kiln::sigmoid, kiln::dense<16>}, kiln::residual{kiln::sigmoid, kiln::dense<16>},
    kiln::residual{kiln::sigmoid, kiln::dense<16>}, kiln::residual{kiln::sigmoid, kiln::dense<16>},
    kiln::dense<3>, kiln::softmax, kiln::softmax_cross_entropy};
// clang-format on
}  // namespace examples
