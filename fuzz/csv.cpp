// libFuzzer target: kiln::parse_csv with numeric targets (the last column, then the first and
// the last, then a ';' delimiter with a header line).
#include <kiln/loaders.hpp>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = kiln::fuzz::text(data, size);
  kiln::csv_options two_targets;
  two_targets.target_columns = {0, -1};
  kiln::csv_options semicolon;
  semicolon.delimiter = ';';
  semicolon.header = kiln::csv_options::header_mode::present;
  for (const kiln::csv_options& o : {kiln::csv_options{}, two_targets, semicolon}) {
    try {
      const kiln::dataset<float> d = kiln::parse_csv(text, "fuzz.csv", o);
      if (d.x.size() != std::size_t(d.size()) * d.features) __builtin_trap();
    } catch (const kiln::load_error&) {
    }
  }
  return 0;
}
