// A training process for the kill test (resume_test.cpp): trains a small network with a
// checkpoint every epoch, resuming from it when it exists, and writes the final parameters.
//   fit_worker <checkpoint> <final parameters> [slow]
// `slow` sleeps 2 ms between writing a checkpoint's temporary file and renaming it, so that
// kills land inside saves too.
#include <chrono>
#include <cstdio>
#include <kiln/runtime.hpp>
#include <thread>
#include <vector>

#include "resume_net.hpp"

namespace {
constexpr const auto& net = kiln_test::resume_net;
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fit_worker <checkpoint> <final parameters> [slow]\n");
    return 2;
  }
  auto m = kiln::generic<double>(net);
  auto params = kiln::initial_params(m, kiln::init_scheme::xavier_uniform, 7);
  kiln::optimizer<double> opt(kiln::adam{.lr = 0.01}, net.param_count);
  const auto data = kiln::make_spiral<double>(40, 3, 0.1, 5);
  kiln::fit_options o;
  o.epochs = 40;
  o.batch_size = 16;
  o.seed = 11;
  o.patience = 30;
  o.progress = kiln::progress_mode::never;
  o.checkpoints.path = argv[1];
  if (argc > 3)
    o.checkpoints.hooks.after_temporary_written = [](const std::string&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    };
  kiln::fit(m, std::span<double>(params), opt, data, o);
  kiln::write_file_atomically(argv[2],
                              std::span<const char>(reinterpret_cast<const char*>(params.data()),
                                                    params.size() * sizeof(double)));
  return 0;
}
