// Example 2: XOR, first by a hand-wired step network, then by a 2-4-1 network trained by
// gradient descent.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto xor_by_hand =
    kiln::network{kiln::input<2>, kiln::dense<2>, kiln::step, kiln::dense<1>, kiln::step};
// The hidden layer of xor_by_hand alone (the same first parameters), to show what it computes.
inline constexpr auto xor_hidden = kiln::network{kiln::input<2>, kiln::dense<2>, kiln::step};
inline constexpr auto xor_net =
    kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh,
                  kiln::dense<1>, kiln::sigmoid,  kiln::binary_cross_entropy};
}  // namespace examples
