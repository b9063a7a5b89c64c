// Everything of the runtime in one include: data, initialization, optimizers, metrics, the
// training loop, and the generic engine.
#pragma once

#include "data.hpp"
#include "generic.hpp"
#include "init.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "optim.hpp"
#include "progress.hpp"
#include "random.hpp"
#include "train.hpp"
