// The training progress bar: epoch, loss, metric, samples per second and time left, redrawn in
// place on a terminal; silent when stderr is not a terminal or when asked to be quiet.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace kiln {

/// When the progress bar shows: on a terminal only (automatic), always, or never.
enum class progress_mode { automatic, always, never };

/// True when `mode` asks for output on `stream`: always, or automatic and a terminal.
bool progress_enabled(progress_mode mode, std::FILE* stream = stderr);

/// A one-line progress bar over `epochs` epochs of `samples_per_epoch` samples.
class progress_bar {
 public:
  progress_bar(bool enabled, int epochs, long long samples_per_epoch, std::string metric,
               std::FILE* stream = stderr);
  /// After each step: `done` samples of epoch `epoch` (0-based), the running loss, and the
  /// training metric of the previous epoch (NaN before the first one ends: not shown).
  void update(int epoch, long long done, double loss, double metric);
  /// At the end of an epoch: a permanent line with its numbers.
  void end_epoch(int epoch, double train_loss, double train_metric, bool has_test, double test_loss,
                 double test_metric);
  /// A message on its own line (the bar is cleared first).
  void message(const std::string& text);

 private:
  bool enabled_;
  int epochs_;
  long long per_epoch_;
  std::string metric_;
  std::FILE* stream_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
  void clear();
};

}  // namespace kiln
