// The Kiln DSL: declare a network as a constexpr value whose type is the graph.
//   inline constexpr auto xor_net = kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh,
//                                                 kiln::dense<1>, kiln::sigmoid, kiln::mse};
#pragma once

#include "dsl/diagnostics.hpp"
#include "dsl/kinds.hpp"
#include "dsl/layers.hpp"
#include "dsl/network.hpp"
#include "graph.hpp"
