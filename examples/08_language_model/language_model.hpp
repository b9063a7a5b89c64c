// Example 8: a character-level MLP language model. Three previous characters (token IDs of 27
// symbols: '.' for start and end, then a-z), each embedded in 10 values, 30 -> 200 tanh -> 27.
#pragma once
#include <kiln/dsl.hpp>

namespace examples {
inline constexpr auto language_model = kiln::network{
    kiln::tokens<3, 27>, kiln::embedding<27, 10>, kiln::dense<200>,           kiln::tanh,
    kiln::dense<27>,     kiln::softmax,           kiln::softmax_cross_entropy};
}
