// What every example program shares: its command line (--quick, --out DIR, --seed N, --data DIR,
// --threads N, --save FILE, --compare FILE, --mpi) and where its pictures go.
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
  std::string data;     // an input directory, for the examples that read one
  int threads = 1;      // fit_options::threads, for the examples that train with fit
  std::string save;     // write the trained parameters to this checkpoint
  std::string compare;  // report how far the trained parameters are from this checkpoint's
  bool mpi = false;     // train over the MPI ranks (examples built with kiln_mpi)

  /// The path of picture `name` in the output directory, creating the directory.
  std::string picture(std::string_view name) const {
    std::filesystem::create_directories(out);
    return (std::filesystem::path(out) / name).string();
  }
};

/// Parses the options above; anything else prints usage and exits 2.
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
    } else if (a == "--threads" && has_value) {
      o.threads = int(std::strtol(argv[++i], nullptr, 10));
    } else if (a == "--save" && has_value) {
      o.save = argv[++i];
    } else if (a == "--compare" && has_value) {
      o.compare = argv[++i];
    } else if (a == "--mpi") {
      o.mpi = true;
    } else {
      fmt::print(stderr,
                 "usage: {} [--quick] [--out DIR] [--seed N] [--data DIR] [--threads N] "
                 "[--save FILE] [--compare FILE] [--mpi]\n",
                 argv[0]);
      std::exit(2);
    }
  }
  return o;
}

}  // namespace examples
