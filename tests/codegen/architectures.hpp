// Test networks for generated-vs-generic: deep, wide (above the unroll budget, so the loop path
// runs), residual, layer_norm, batch_norm, dropout, every loss, an inference-only one, shared
// activations.
#pragma once

#include <kiln/dsl.hpp>

namespace arch {
using namespace kiln;

// clang-format off
inline constexpr auto deep = network{input<3>, dense<8>, kiln::tanh, dense<8>, kiln::tanh,
    dense<8>, kiln::tanh, dense<8>, kiln::tanh, dense<8>, kiln::tanh, dense<8>, kiln::tanh,
    dense<2>, mse};
// clang-format on
/// 64x64 = 4096 weights: far above the default budget of 256, so dense layers become loops.
inline constexpr auto wide =
    network{input<64>, dense<64>, relu, dense<10>, softmax, softmax_cross_entropy};
/// 8x4 = 32 weights: exactly the default budget, still unrolled; 4x9 = 36 is over.
inline constexpr auto at_budget =
    network{input<8>, dense<4>, sigmoid, dense<9>, silu, dense<1>, mse};
inline constexpr auto residual_net = network{
    input<8>, dense<8>, residual{dense<8>, relu, dense<8>}, residual{layer_norm, dense<8>, gelu},
    dense<4>, mse};
inline constexpr auto normalized =
    network{input<6>, dense<12>,     layer_norm,           silu, dense<12>, layer_norm(1e-3),
            dense<3>, kiln::softmax, softmax_cross_entropy};
inline constexpr auto dropout_net =
    network{input<5>, dense<16>, relu,     dropout(0.25), dense<16>,
            elu,      dropout,   dense<2>, sigmoid,       binary_cross_entropy};
inline constexpr auto activations = network{input<4>,
                                            dense<5>,
                                            gelu,
                                            dense<5>,
                                            gelu_tanh,
                                            dense<5>,
                                            softplus,
                                            dense<5>,
                                            leaky_relu(0.1),
                                            dense<5>,
                                            identity,
                                            dense_no_bias<3>,
                                            sigmoid,
                                            binary_cross_entropy};
inline constexpr auto nested_residual =
    network{input<2>, residual{dense<2>, relu, residual{dense<2>, elu}},
            residual{layer_norm, dense<2>}, dense<1>, mse};
/// No loss: forward only.
inline constexpr auto inference_only = network{input<3>, dense<5>, relu, dense<2>};
/// Loops everywhere: 32x48, 48x48 twice, with a residual, gelu, dropout and layer_norm.
inline constexpr auto wide_residual = network{input<32>,
                                              dense<48>,
                                              residual{dense<48>, gelu, dropout(0.1), dense<48>},
                                              layer_norm,
                                              dense<7>,
                                              softmax,
                                              softmax_cross_entropy};
/// Odd sizes, no bias. The 33- and 24-input layers sum their weight gradients per chunk: a last
/// column past the blocks (33), a block of one vector (24 floats), and no bias (33).
inline constexpr auto odd =
    network{input<7>, dense_no_bias<33>, softplus, dense_no_bias<24>, dense<5>, sigmoid, mse};
/// Residual blocks straight on the input and around a lone activation.
inline constexpr auto residual_on_input =
    network{input<4>, residual{dense<4>, kiln::tanh}, residual{relu}, dense<3>,
            softmax,  softmax_cross_entropy};
/// Activations that several layers apply alike share one function (kernels::map_shared): two
/// alphas of elu, two layers each, and their derivatives; two tanh layers of different sizes
/// do not.
inline constexpr auto alike =
    network{input<3>, dense<4>, elu(0.5), dense<4>,   elu(0.5), dense<4>,   elu(2.0),
            dense<4>, elu(2.0), dense<5>, kiln::tanh, dense<2>, kiln::tanh, mse};

/// Example 08's language model: three token IDs, each embedded in 10 values, then 30x200 and
/// 200x27 dense layers (loops, above the unroll budget).
inline constexpr auto language =
    network{tokens<3, 27>, embedding<27, 10>, dense<200>,           kiln::tanh,
            dense<27>,     softmax,           softmax_cross_entropy};

/// A first layer on the input holding most of the parameters (kiln-gen's Net::head): threads
/// split its units in a training step (engine::units_head), dropout after it, 30 rows that four
/// threads cut into 12, 12, 6 and none.
inline constexpr auto wide_input =
    network{input<80>, dense<30>, gelu, dropout(0.2), dense<4>, softmax, softmax_cross_entropy};

/// Three batch_norm layers (one in a residual body, one after dropout, whose masks its statistics
/// must see), 40 and 20 wide: the engine's passes over the batch, site by site. Epsilons of 0.02
/// or more: at batch 2 the gradient below a batch_norm is 0 up to epsilon's share (two samples
/// normalize to -1 and 1), and with a tiny one two engines would compare rounding noise.
inline constexpr auto batch_normed = network{input<6>,
                                             dense<40>,
                                             batch_norm(0.05, 0.1),
                                             relu,
                                             dropout(0.2),
                                             dense<20>,
                                             batch_norm(0.02, 0.3),
                                             kiln::tanh,
                                             residual{dense<20>, batch_norm(0.1, 1.0), silu},
                                             dense<3>,
                                             softmax,
                                             softmax_cross_entropy};

}  // namespace arch
