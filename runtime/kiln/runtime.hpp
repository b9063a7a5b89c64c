// Everything of the runtime in one include: data, initialization, optimizers, metrics, the
// training loop, threads, and the generic engine.
#pragma once

#include "data.hpp"
#include "generic.hpp"
#include "init.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "optim.hpp"
#include "parallel.hpp"
#include "progress.hpp"
#include "random.hpp"
#include "thread_pool.hpp"
#include "train.hpp"
