// Included by main.cpp only: changing it recompiles main.cpp but must not rerun kiln-gen.
#pragma once

namespace consumer {
inline constexpr const char* greeting = "kiln consumer";
}
