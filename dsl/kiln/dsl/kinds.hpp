// The registry of every layer kind and loss, one sample value each. Tests loop over it, so a kind
// added here is checked (shapes, finite differences, generic vs generated) without new test code.
#pragma once

#include <boost/hana/tuple.hpp>

#include "layers.hpp"

namespace kiln {

/// One instance of every layer that can stand between input and loss (sizes chosen for tests).
/// batch_norm's epsilon is large because two samples normalize to -1 and 1 whatever they are:
/// with a tiny epsilon the gradient below it at batch 2 is 0 up to rounding, and two engines
/// would compare rounding noise.
inline constexpr auto registered_layers = hana::make_tuple(
    dense<3>, dense_no_bias<3>, identity, step, sigmoid, tanh, relu, leaky_relu(0.2), elu(0.7),
    gelu, gelu_tanh, silu, softplus, softmax, layer_norm(1e-3), dropout(0.3),
    residual{dense<4>, tanh, dense<4>}, batch_norm(0.05, 0.2));

/// Every way a network can begin other than input<N>, as the layers that make it: token IDs and
/// their embedding. Tests follow each with a dense layer and every loss.
inline constexpr auto registered_fronts =
    hana::make_tuple(hana::make_tuple(tokens<3, 5>, embedding<5, 2>));

/// Every loss.
inline constexpr auto registered_losses =
    hana::make_tuple(mse, binary_cross_entropy, softmax_cross_entropy);

}  // namespace kiln
