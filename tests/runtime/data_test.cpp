// Datasets: checks against a model, split, shuffling, standardization and the generators.
#include <catch2/catch.hpp>
#include <kiln/runtime.hpp>
