// What every example program shares: its command line (--quick, --out DIR, --seed N) and where
// its pictures go.
#pragma once

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#ifndef KILN_PICTURE_DIR
#define KILN_PICTURE_DIR "pictures"
#endif

namespace examples {

struct options {
  bool quick = false;                  // small settings, for the test suite
  std::string out = KILN_PICTURE_DIR;  // where pictures go
  unsigned seed = 1;
  std::string data;  // an input directory, for the examples that read one

  /// The path of picture `name` in the output directory, creating the directory.
  std::string picture(std::string_view name) const {
    std::filesystem::create_directories(out);
    return (std::filesystem::path(out) / name).string();
  }
};

/// Parses --quick, --out DIR, --seed N and --data DIR; anything else prints usage and exits 2.
inline options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--out" && has_value) {
      o.out = argv[++i];
    } else if (a == "--seed" && has_value) {
      o.seed = unsigned(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--data" && has_value) {
      o.data = argv[++i];
    } else {
      fmt::print(stderr, "usage: {} [--quick] [--out DIR] [--seed N] [--data DIR]\n", argv[0]);
      std::exit(2);
    }
  }
  return o;
}

}  // namespace examples
