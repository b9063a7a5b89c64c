// Example 7: one network and problem (the spiral) for comparing optimizers.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto optimizers_net =
    kiln::network{kiln::input<2>, kiln::dense<32>, kiln::relu,    kiln::dense<32>,
                  kiln::relu,     kiln::dense<3>,  kiln::softmax, kiln::softmax_cross_entropy};
}
