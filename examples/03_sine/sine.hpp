// Example 3: universal approximation, one hidden layer fitting sin(x) on [-pi, pi].
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto sine =
    kiln::network{kiln::input<1>, kiln::dense<16>, kiln::tanh, kiln::dense<1>, kiln::mse};
}
