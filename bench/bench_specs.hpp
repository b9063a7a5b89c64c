// The networks the benchmarks measure (issue 6): A-E, float, from 17 to ~100k parameters, and
// 8-8-8-1 for the batch-1 latency table (issue 14).
// kiln-gen reads this header for the generated engines; the baselines read the same values.
#pragma once
#include <kiln/dsl.hpp>

namespace bench {
/// A: 2-4-1, tanh, sigmoid, mean squared error.
inline constexpr auto net_a = kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh,
                                            kiln::dense<1>, kiln::sigmoid,  kiln::mse};
/// B: 2-10-3, relu, softmax cross-entropy (the spiral classifier).
inline constexpr auto net_b =
    kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu,
                  kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
/// 8-8-8-1, tanh, tanh, identity output: the latency comparison's mid-size network.
inline constexpr auto net_8881 =
    kiln::network{kiln::input<8>, kiln::dense<8>, kiln::tanh, kiln::dense<8>,
                  kiln::tanh,     kiln::dense<1>, kiln::mse};
/// C: 64-64-64-1, tanh, identity output, mean squared error.
inline constexpr auto net_c =
    kiln::network{kiln::input<64>, kiln::dense<64>, kiln::tanh,     kiln::dense<64>,
                  kiln::tanh,      kiln::dense<1>,  kiln::identity, kiln::mse};
/// D: 784-128-10, relu, softmax cross-entropy (MNIST-sized).
inline constexpr auto net_d =
    kiln::network{kiln::input<784>, kiln::dense<128>, kiln::relu,
                  kiln::dense<10>,  kiln::softmax,    kiln::softmax_cross_entropy};
/// E: a residual MLP, 32 -> 64, two blocks x + W2 relu(W1 x + b1) + b2, -> 10, softmax CE.
inline constexpr auto net_e =
    kiln::network{kiln::input<32>,
                  kiln::dense<64>,
                  kiln::relu,
                  kiln::residual{kiln::dense<64>, kiln::relu, kiln::dense<64>},
                  kiln::residual{kiln::dense<64>, kiln::relu, kiln::dense<64>},
                  kiln::dense<10>,
                  kiln::softmax,
                  kiln::softmax_cross_entropy};
}  // namespace bench
