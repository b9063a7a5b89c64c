// libFuzzer target: kiln::parse_npy (format 1 to 3, '<f4' and '<f8'), then make_dataset on the
// array read.
#include <kiln/loaders.hpp>
#include <stdexcept>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const kiln::array a = kiln::parse_npy(kiln::fuzz::text(data, size), "fuzz.npy");
    if (a.data.size() != a.count()) __builtin_trap();
    try {
      kiln::make_dataset(a, a);
    } catch (const std::invalid_argument&) {
    }
  } catch (const kiln::load_error&) {
  }
  return 0;
}
