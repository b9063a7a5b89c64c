// libFuzzer target: kiln::parse_csv with a class-label column, as integers in [0, 3) or as names.
#include <kiln/loaders.hpp>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = kiln::fuzz::text(data, size);
  kiln::csv_options numbered;
  numbered.classes = 3;
  kiln::csv_options named;
  named.labels = {"setosa", "versicolor", "virginica"};
  named.target_columns = {0};
  for (const kiln::csv_options& o : {numbered, named}) {
    try {
      const kiln::dataset<float> d = kiln::parse_csv(text, "fuzz.csv", o);
      // Each target row is one-hot.
      for (int i = 0; i < d.size(); ++i) {
        float sum = 0;
        for (int c = 0; c < d.targets; ++c) sum += d.y[std::size_t(i) * d.targets + c];
        if (sum != 1.0f) __builtin_trap();
      }
    } catch (const kiln::load_error&) {
    }
  }
  return 0;
}
