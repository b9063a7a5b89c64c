// Every example network, so the tests check each one's generated code against the generic engine.
#pragma once

#include "../../examples/01_perceptron/perceptron.hpp"
#include "../../examples/02_xor/xor.hpp"
#include "../../examples/03_sine/sine.hpp"
#include "../../examples/04_spirals/spirals.hpp"
#include "../../examples/05_mnist/mnist.hpp"
#include "../../examples/06_gradient_flow/gradient_flow.hpp"
#include "../../examples/07_optimizers/optimizers.hpp"
