// Example 5: handwritten digits, 784 -> 128 -> 10.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto mnist =
    kiln::network{kiln::input<784>, kiln::dense<128>, kiln::relu,
                  kiln::dense<10>,  kiln::softmax,    kiln::softmax_cross_entropy};
}
