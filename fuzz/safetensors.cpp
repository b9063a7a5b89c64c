// libFuzzer target: the safetensors reader, for the network of fuzz_target.hpp.
#include <cstring>
#include <kiln/safetensors.hpp>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<double> p;
  try {
    p = kiln::detail::decode_safetensors(
        std::span<const char>(reinterpret_cast<const char*>(data), size), "fuzz.safetensors",
        kiln::fuzz::nodes());
  } catch (const kiln::checkpoint_error&) {
    return 0;
  }
  // What reads without an error is every parameter, and writes back (as F64) to the same values.
  if (int(p.size()) != kiln::fuzz::net.param_count) __builtin_trap();
  const std::vector<double> back = kiln::detail::decode_safetensors(
      kiln::detail::encode_safetensors(kiln::fuzz::nodes(), p, kiln::safetensors_dtype::f64),
      "again.safetensors", kiln::fuzz::nodes());
  if (back.size() != p.size() || std::memcmp(back.data(), p.data(), p.size() * sizeof(double)) != 0)
    __builtin_trap();
  return 0;
}
