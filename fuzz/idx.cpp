// libFuzzer target: kiln::parse_idx (unsigned byte, float32 and float64 IDX files).
#include <kiln/loaders.hpp>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const kiln::array a = kiln::parse_idx(kiln::fuzz::text(data, size), "fuzz.idx");
    if (a.data.size() != a.count()) __builtin_trap();
  } catch (const kiln::load_error&) {
  }
  return 0;
}
