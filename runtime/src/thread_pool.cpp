// The thread pool's fork and join: a generation counter the workers wait on and a count of parts
// still running the caller waits on, each waited for by a short spin and then std::atomic::wait
// (a futex on Linux), so a step's phases cost microseconds and idle workers cost nothing. A part
// whose thread has not woken yet is run by a thread that has.
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
  // claimed[i]: the generation that part i was last taken in. A part is taken by one thread
  // only, with a compare-exchange from the previous generation: thread i takes its own part when
  // it wakes, and whoever is done first takes the parts still waiting, so a thread the scheduler
  // has parked delays nothing: the others run its part (a part's work depends on its number
  // alone, not on the thread, so the results do not change).
  std::unique_ptr<std::atomic<std::uint32_t>[]> claimed;
  void (*call)(void*, int) = nullptr;
  void* fn = nullptr;
  bool stop = false;
  std::vector<std::exception_ptr> errors;

  bool take(int i, std::uint32_t gen) {
    std::uint32_t expected = gen - 1;
    return claimed[i].compare_exchange_strong(expected, gen, std::memory_order_acq_rel);
  }
  void run_part(int i) {
    try {
      call(fn, i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) pending.notify_one();
  }
  // Runs part `first` if no one has taken it, then every other part still waiting.
  void run_parts(int first, std::uint32_t gen) {
    const int n = int(workers.size()) + 1;
    for (int k = 0; k < n; ++k) {
      const int i = (first + k) % n;
      if (take(i, gen)) run_part(i);
    }
  }

  void work(int i) {
    std::uint32_t seen = 0;
    for (;;) {
      wait_while_equal(generation, seen);
      seen = generation.load(std::memory_order_acquire);
      if (stop) return;
      run_parts(i, seen);
    }
  }
};

thread_pool::thread_pool(int threads) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  size_ = threads;
  if (size_ == 1) return;
  s_ = std::make_unique<state>();
  s_->errors.resize(size_);
  s_->claimed = std::make_unique<std::atomic<std::uint32_t>[]>(std::size_t(size_));
  for (int i = 0; i < size_; ++i) s_->claimed[i].store(0, std::memory_order_relaxed);
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
  s.pending.store(size_, std::memory_order_relaxed);
  const std::uint32_t gen = s.generation.fetch_add(1, std::memory_order_release) + 1;
  s.generation.notify_all();
  s.run_parts(0, gen);
  for (int p; (p = s.pending.load(std::memory_order_acquire)) != 0;) wait_while_equal(s.pending, p);
  for (const std::exception_ptr& e : s.errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace kiln
