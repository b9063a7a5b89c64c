// The thread pool's fork and join: a generation counter the workers wait on and a count of parts
// still running the caller waits on, each waited for by a short spin and then std::atomic::wait
// (a futex on Linux), so a step's phases cost microseconds and idle workers cost nothing.
#include "kiln/thread_pool.hpp"

#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kiln {

namespace {
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
// About 50 microseconds of pause instructions: longer than the gap between the phases of a step,
// short enough not to steal a shared core for long.
constexpr int spin_limit = 2000;

template <class A, class V>
void wait_while_equal(const A& a, V old) {
  for (int k = 0; k < spin_limit; ++k) {
    if (a.load(std::memory_order_acquire) != old) return;
    cpu_relax();
  }
  while (a.load(std::memory_order_acquire) == old) a.wait(old, std::memory_order_acquire);
}
}  // namespace

struct thread_pool::state {
  std::vector<std::thread> workers;
  std::atomic<std::uint32_t> generation{0};
  std::atomic<int> pending{0};
  void (*call)(void*, int) = nullptr;
  void* fn = nullptr;
  bool stop = false;
  std::vector<std::exception_ptr> errors;

  void work(int i) {
    std::uint32_t seen = 0;
    for (;;) {
      wait_while_equal(generation, seen);
      seen = generation.load(std::memory_order_acquire);
      if (stop) return;
      try {
        call(fn, i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) pending.notify_one();
    }
  }
};

thread_pool::thread_pool(int threads) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  size_ = threads;
  if (size_ == 1) return;
  s_ = std::make_unique<state>();
  s_->errors.resize(size_);
  s_->workers.reserve(size_ - 1);
  for (int i = 1; i < size_; ++i) s_->workers.emplace_back([this, i] { s_->work(i); });
}

thread_pool::~thread_pool() {
  if (!s_) return;
  s_->stop = true;
  s_->generation.fetch_add(1, std::memory_order_release);
  s_->generation.notify_all();
  for (std::thread& t : s_->workers) t.join();
}

void thread_pool::run_erased(void (*call)(void*, int), void* fn) {
  state& s = *s_;
  s.call = call;
  s.fn = fn;
  std::fill(s.errors.begin(), s.errors.end(), nullptr);
  s.pending.store(size_ - 1, std::memory_order_relaxed);
  s.generation.fetch_add(1, std::memory_order_release);
  s.generation.notify_all();
  try {
    call(fn, 0);
  } catch (...) {
    s.errors[0] = std::current_exception();
  }
  for (int p; (p = s.pending.load(std::memory_order_acquire)) != 0;) wait_while_equal(s.pending, p);
  for (const std::exception_ptr& e : s.errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace kiln
