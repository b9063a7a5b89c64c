// kiln_mpi: data-parallel training over MPI ranks. mpi_reducer is the gradient_reducer that fit
// calls once per step (one MPI_Iallreduce of the flat gradient), with a deadline so that a rank
// that died or hangs ends the job with a message instead of hanging it. Includes no MPI header.
#pragma once

#include <cstdint>
#include <kiln/parallel.hpp>
#include <span>
#include <stdexcept>

namespace kiln {

/// MPI for this process: MPI_Init_thread (funneled: only the thread that made the session calls
/// MPI) on construction, MPI_Finalize on destruction.
class mpi_session {
 public:
  mpi_session(int& argc, char**& argv);
  ~mpi_session();
  mpi_session(const mpi_session&) = delete;
  mpi_session& operator=(const mpi_session&) = delete;
  int rank() const;
  int size() const;
};

/// Sums over MPI_COMM_WORLD with MPI_Iallreduce (MPI_SUM), waiting at most `timeout_seconds` per
/// call. Past the deadline, or on an MPI error, it prints "kiln::mpi_reducer: rank R ..." with
/// what it waited for and aborts the job (MPI_Abort, exit code 3).
class mpi_reducer : public gradient_reducer {
 public:
  explicit mpi_reducer(double timeout_seconds = 60);
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(std::span<float> v) override;
  void sum(std::span<double> v) override;
  /// Calls of sum so far and the seconds they took.
  long long calls() const { return calls_; }
  double seconds() const { return seconds_; }

 private:
  void sum_raw(void* data, std::size_t count, bool is_double);
  int rank_ = 0, size_ = 1;
  double timeout_;
  long long calls_ = 0;
  double seconds_ = 0;
};

/// True on every rank when all ranks passed the same value (e.g. a hash of their parameters).
bool mpi_all_equal(std::uint64_t value);
/// MPI_Barrier on MPI_COMM_WORLD.
void mpi_barrier();

}  // namespace kiln
