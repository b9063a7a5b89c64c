// Scalars to and from their IEEE-754 bit patterns (4 bytes: float, 8: double), for the readers
// and writers of every binary format the runtime knows (IDX, NPY, checkpoints, safetensors).
#pragma once

#include <bit>
#include <cstdint>

namespace kiln::detail {

/// The value whose float (bytes == 4) or double (bytes == 8) bit pattern is `bits`.
inline double from_bits(std::uint64_t bits, int bytes) {
  return bytes == 4 ? double(std::bit_cast<float>(std::uint32_t(bits)))
                    : std::bit_cast<double>(bits);
}

/// The bit pattern of `value` stored as float (bytes == 4) or double (bytes == 8).
inline std::uint64_t to_bits(double value, int bytes) {
  return bytes == 4 ? std::uint64_t(std::bit_cast<std::uint32_t>(float(value)))
                    : std::bit_cast<std::uint64_t>(value);
}

}  // namespace kiln::detail
