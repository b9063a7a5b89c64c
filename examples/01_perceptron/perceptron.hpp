// Example 1: one dense layer with a step output, trained with the perceptron rule.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto perceptron = kiln::network{kiln::input<2>, kiln::dense<1>, kiln::step};
}
