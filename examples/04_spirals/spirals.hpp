// Example 4: the three-arm spiral, 2 -> 10 -> 3 with relu and softmax cross-entropy.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto spirals =
    kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu,
                  kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};
}
