// kiln::mpi from the installed package: one fit of consumer::net over the MPI processes (run
// alone, MPI's singleton: one process), printing what rank 0 ended with.
#include <cstdio>
#include <kiln/mpi.hpp>
#include <kiln/runtime.hpp>

#include "net.hpp"

int main(int argc, char** argv) {
  kiln::mpi_session mpi(argc, argv);
  const auto m = kiln::generic<double>(consumer::net);
  kiln::dataset<double> all(3, 2);
  for (int i = 0; i < 16; ++i) {
    const double x[3] = {0.1 * i, 1.0 - 0.1 * i, 0.5}, t[2] = {0.5, -0.5};
    all.add(x, t);
  }
  auto params = kiln::initial_params(m, kiln::init_scheme::he_uniform, 1);
  kiln::optimizer<double> opt(kiln::sgd{.lr = 0.01}, consumer::net.param_count);
  kiln::mpi_reducer reducer;
  kiln::fit_options o{.epochs = 2, .batch_size = 4, .progress = kiln::progress_mode::never};
  o.reducer = &reducer;
  const auto h = kiln::fit(m, std::span<double>(params), opt,
                           kiln::dataset_shard(all, mpi.rank(), mpi.size()), o);
  if (mpi.rank() == 0)
    std::printf("kiln consumer mpi: %d processes, %lld steps, loss %.4f\n", mpi.size(), h.steps,
                h.epochs.back().train_loss);
  return 0;
}
