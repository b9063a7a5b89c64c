// kiln::thread_pool: a few threads started once that run one task at a time on all of them, with
// a fork and a join cheap enough for every phase of a training step (atomics, a short spin, then
// a futex wait); and the contiguous shards a batch or a buffer is cut into.
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>

namespace kiln {

/// Threads that run one task at a time, each on all of them. size() counts the calling thread,
/// which takes part 0 itself; the others wait between tasks, spinning briefly, then asleep. A
/// part whose thread is late (descheduled on a busy machine) is run by a thread that is done.
class thread_pool {
 public:
  /// `threads` in all, the caller included; 0 or less: std::thread::hardware_concurrency().
  explicit thread_pool(int threads = 0);
  ~thread_pool();
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;

  int size() const { return size_; }

  /// Calls fn(i) once for every i in [0, size()), i on thread i (0: the caller) unless that
  /// thread is late (another runs it then), and returns when all have returned. If some throw,
  /// rethrows the exception of the lowest i. Not reentrant: fn must not call run on the same pool.
  template <class F>
  void run(F&& fn) {
    if (size_ == 1) return fn(0);
    run_erased([](void* f, int i) { (*static_cast<std::remove_reference_t<F>*>(f))(i); },
               static_cast<void*>(&fn));
  }

 private:
  struct state;
  void run_erased(void (*call)(void*, int), void* fn);
  int size_ = 1;
  std::unique_ptr<state> s_;
};

/// A contiguous range [begin, end) of items.
struct item_range {
  int begin = 0;
  int end = 0;
  int size() const { return end - begin; }
};

/// Part i of n items cut into `parts` contiguous ranges in order, of near-equal sizes, every
/// boundary a multiple of `grain` (so a part may be empty when n is small). The same n, parts and
/// grain always give the same ranges.
inline item_range shard_of(int n, int parts, int i, int grain = 1) {
  const auto at = [&](int k) {
    if (k >= parts) return n;
    const long long b = (static_cast<long long>(n) * k / parts + grain / 2) / grain * grain;
    return static_cast<int>(std::min<long long>(b, n));
  };
  return {at(i), at(i + 1)};
}

}  // namespace kiln
