// The network that resume_test.cpp trains and that fit_worker.cpp, the process it kills, trains
// too: one declaration, so the worker's checkpoints always belong to the test's network.
#pragma once

#include <kiln/dsl.hpp>

namespace kiln_test {
inline constexpr auto resume_net = kiln::network{kiln::input<2>,
                                                 kiln::dense<6>,
                                                 kiln::relu,
                                                 kiln::dropout(0.3),
                                                 kiln::dense<3>,
                                                 kiln::softmax,
                                                 kiln::softmax_cross_entropy};
}  // namespace kiln_test
