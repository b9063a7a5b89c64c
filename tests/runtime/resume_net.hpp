// The training run that fit_worker.cpp makes (the process resume_test.cpp kills) and that
// tests/mpi/mpi_fit_test.cpp makes over MPI ranks: one declaration of its network, data and
// options, so that every checkpoint of the run belongs to the network that resumes it.
#pragma once

#include <kiln/runtime.hpp>

namespace kiln_test {
inline constexpr auto resume_net = kiln::network{kiln::input<2>,
                                                 kiln::dense<6>,
                                                 kiln::relu,
                                                 kiln::dropout(0.3),
                                                 kiln::dense<3>,
                                                 kiln::softmax,
                                                 kiln::softmax_cross_entropy};

/// Spirals, 40 points of each of 3 classes (times `copies`, for that many MPI ranks).
template <class T>
kiln::dataset<T> resume_data(int copies = 1) {
  return kiln::make_spiral<T>(40 * copies, 3, 0.1, 5);
}
/// The run's initial parameters and its optimizer.
template <class T>
std::vector<T> resume_initial_params() {
  return kiln::initial_params(kiln::generic<T>(resume_net), kiln::init_scheme::xavier_uniform, 7);
}
template <class T>
kiln::optimizer<T> resume_optimizer() {
  return kiln::optimizer<T>(kiln::adam{.lr = 0.01}, resume_net.param_count);
}
/// 40 epochs of batch 16 with early stopping (patience 30), checkpoints at `checkpoint`.
inline kiln::fit_options resume_options(const std::string& checkpoint) {
  kiln::fit_options o{.epochs = 40, .batch_size = 16, .seed = 11};
  o.patience = 30;
  o.progress = kiln::progress_mode::never;
  o.checkpoints.path = checkpoint;
  return o;
}
}  // namespace kiln_test
