// <- error: a spec without any kiln::network is a mistake, not an empty header.
// expect: error: kiln-gen: no kiln::network variable in this spec
#pragma once
#include <kiln/dsl.hpp>

inline constexpr int width = 4;
