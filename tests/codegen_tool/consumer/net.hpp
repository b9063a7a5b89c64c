// The consumer's spec. Its hidden width comes from width.hpp: touching that header must
// regenerate net.kiln.hpp, touching unrelated.hpp must not.
#pragma once
#include <kiln/dsl.hpp>

#include "width.hpp"

namespace consumer {
inline constexpr auto net =
    kiln::network{kiln::input<3>, kiln::dense<hidden_width>, kiln::tanh, kiln::dense<2>, kiln::mse};
// Not generated: kiln_add_network names only consumer::net.
inline constexpr auto other = kiln::network{kiln::input<1>, kiln::dense<1>, kiln::mse};
}  // namespace consumer
