// The network the weight files of the --weights tests are checked against (2 -> 10 -> 3), and a
// second one, so that --weights without --network is ambiguous.
#pragma once
#include <kiln/dsl.hpp>

namespace weights_test {
inline constexpr auto net =
    kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu,
                  kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
inline constexpr auto other = kiln::network{kiln::input<1>, kiln::dense<1>, kiln::mse};
}  // namespace weights_test
