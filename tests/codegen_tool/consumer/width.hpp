// Included by the spec: part of what kiln-gen reads.
#pragma once

namespace consumer {
inline constexpr int hidden_width = 5;
}
