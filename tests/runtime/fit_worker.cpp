// A training process for the kill test (resume_test.cpp): trains a small network with a
// checkpoint every epoch, resuming from it when it exists, and writes the final parameters.
//   fit_worker <checkpoint> <final parameters> [slow]
// `slow` sleeps 2 ms between writing a checkpoint's temporary file and renaming it, so that
// kills land inside saves too.
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "resume_net.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fit_worker <checkpoint> <final parameters> [slow]\n");
    return 2;
  }
  auto params = kiln_test::resume_initial_params<double>();
  auto opt = kiln_test::resume_optimizer<double>();
  kiln::fit_options o = kiln_test::resume_options(argv[1]);
  if (argc > 3)
    o.checkpoints.hooks.after_temporary_written = [](const std::string&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    };
  kiln::fit(kiln::generic<double>(kiln_test::resume_net), std::span<double>(params), opt,
            kiln_test::resume_data<double>(), o);
  kiln::write_file_atomically(argv[2],
                              std::span<const char>(reinterpret_cast<const char*>(params.data()),
                                                    params.size() * sizeof(double)));
  return 0;
}
