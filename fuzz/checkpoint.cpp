// libFuzzer target: the checkpoint reader, for the network of fuzz_target.hpp. Each input is read
// as it is and again with its last 4 bytes replaced by the right CRC-32, so that the fuzzer gets
// past the checksum to the fields behind it.
#include <cstring>
#include <kiln/checkpoint.hpp>
#include <vector>

#include "fuzz_target.hpp"

namespace {
std::uint32_t crc32(const char* data, std::size_t n) {
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= std::uint8_t(data[i]);
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffu;
}
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
// What reads without an error must write back (as float64) and read again to the same values.
void read(const std::vector<char>& bytes) {
  kiln::checkpoint<double> c;
  try {
    c = kiln::detail::decode_checkpoint(bytes, "fuzz.ckpt", kiln::fuzz::nodes());
  } catch (const kiln::checkpoint_error&) {
    return;
  }
  const kiln::checkpoint<double> back =
      kiln::detail::decode_checkpoint(kiln::detail::encode_checkpoint(kiln::fuzz::nodes(), 8, c),
                                      "again.ckpt", kiln::fuzz::nodes());
  if (back.epoch != c.epoch || back.optimizer != c.optimizer ||
      back.optimizer_steps != c.optimizer_steps || !same_bits(back.params, c.params) ||
      !same_bits(back.optimizer_state, c.optimizer_state) ||
      back.buffers.size() != c.buffers.size() || back.has_fit != c.has_fit ||
      back.fit.epochs_done != c.fit.epochs_done || back.fit.message != c.fit.message ||
      !same_bits(back.fit.best_params, c.fit.best_params) ||
      !same_bits(back.fit.history, c.fit.history))
    __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<char> bytes(data, data + size);
  read(bytes);
  if (bytes.size() >= 4) {
    const std::uint32_t crc = crc32(bytes.data(), bytes.size() - 4);
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = char(crc >> (8 * i));
    read(bytes);
  }
  return 0;
}
