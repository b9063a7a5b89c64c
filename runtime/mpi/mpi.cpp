// kiln_mpi's implementation: the session, the reducer's MPI_Iallreduce polled against a deadline,
// and the cross-rank equality check.
#include "kiln/mpi.hpp"

#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace kiln {

namespace {
[[noreturn]] void abort_job(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 3);
  std::abort();
}
void check(int code, int rank, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  abort_job("kiln::mpi_reducer: rank " + std::to_string(rank) + ": " + what +
            " failed: " + std::string(text, length) + "; aborting the job");
}
}  // namespace

mpi_session::mpi_session(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
mpi_session::~mpi_session() { MPI_Finalize(); }
int mpi_session::rank() const {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int mpi_session::size() const {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

mpi_reducer::mpi_reducer(double timeout_seconds) : timeout_(timeout_seconds) {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

void mpi_reducer::sum(std::span<float> v) { sum_raw(v.data(), v.size(), false); }
void mpi_reducer::sum(std::span<double> v) { sum_raw(v.data(), v.size(), true); }

void mpi_reducer::sum_raw(void* data, std::size_t count, bool is_double) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  ++calls_;
  MPI_Request request;
  check(MPI_Iallreduce(MPI_IN_PLACE, data, int(count), is_double ? MPI_DOUBLE : MPI_FLOAT, MPI_SUM,
                       MPI_COMM_WORLD, &request),
        rank_, "MPI_Iallreduce");
  // Poll: spin at first (a step's sum takes microseconds to milliseconds), then sleep between
  // tests so a long wait does not take a core from this rank's other threads.
  for (long long tries = 0;; ++tries) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), rank_, "MPI_Test");
    if (done) break;
    const double waited = std::chrono::duration<double>(clock::now() - start).count();
    if (waited > timeout_)
      abort_job("kiln::mpi_reducer: rank " + std::to_string(rank_) + " waited " +
                std::to_string(int(waited)) + " s for sum " + std::to_string(calls_) + " (" +
                std::to_string(count) + " values) over " + std::to_string(size_) +
                " ranks: a rank has died or hangs; aborting the job");
    if (tries > 20000) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  seconds_ += std::chrono::duration<double>(clock::now() - start).count();
}

bool mpi_all_equal(std::uint64_t value) {
  unsigned long long v[2] = {value, ~value}, m[2] = {0, 0};
  MPI_Allreduce(v, m, 2, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
  return m[0] == value && m[1] == ~value;  // max(v) == v and max(~v) == ~v: min(v) == v too
}

void mpi_barrier() { MPI_Barrier(MPI_COMM_WORLD); }

}  // namespace kiln
