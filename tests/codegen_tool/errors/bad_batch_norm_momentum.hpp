// batch_norm's momentum outside [0, 1] fails at the layer, like every hyperparameter.
// expect: error: kiln::batch_norm: the momentum must be in .0, 1.
#pragma once
#include <kiln/dsl.hpp>

inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::dense<4>, kiln::batch_norm(1e-5, 1.5),  // <- error
                  kiln::dense<1>};
