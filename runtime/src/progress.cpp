// The training progress bar (kiln/progress.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <kiln/progress.hpp>

namespace kiln {

bool progress_enabled(progress_mode mode, std::FILE* stream) {
  if (mode == progress_mode::always) return true;
  if (mode == progress_mode::never) return false;
  return isatty(fileno(stream)) != 0;
}

progress_bar::progress_bar(bool enabled, int epochs, long long samples_per_epoch,
                           std::string metric, std::FILE* stream)
    : enabled_(enabled),
      epochs_(epochs),
      per_epoch_(samples_per_epoch),
      metric_(std::move(metric)),
      stream_(stream),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void progress_bar::clear() {
  if (drawn_) fmt::print(stream_, "\r\033[K");
  drawn_ = false;
}

void progress_bar::update(int epoch, long long done, double loss, double metric) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < per_epoch_) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const long long total_done = epoch * per_epoch_ + done;
  const double rate = elapsed > 0 ? total_done / elapsed : 0.0;
  const double left = rate > 0 ? (double(epochs_) * per_epoch_ - total_done) / rate : 0.0;
  constexpr int width = 24;
  const int filled = per_epoch_ ? int(width * done / per_epoch_) : width;
  const std::string shown_metric =
      std::isnan(metric) ? std::string() : fmt::format("  {} {:.4f}", metric_, metric);
  fmt::print(stream_, "\r\033[Kepoch {}/{} [{}{}] loss {:.4f}{}  {:.0f} samples/s  {}:{:02d} left",
             epoch + 1, epochs_, std::string(filled, '#'), std::string(width - filled, ' '), loss,
             shown_metric, rate, int(left) / 60, int(left) % 60);
  std::fflush(stream_);
  drawn_ = true;
}

void progress_bar::end_epoch(int epoch, double train_loss, double train_metric, bool has_test,
                             double test_loss, double test_metric) {
  if (!enabled_) return;
  clear();
  std::string line = fmt::format("epoch {}/{}: loss {:.4f} {} {:.4f}", epoch + 1, epochs_,
                                 train_loss, metric_, train_metric);
  if (has_test)
    line += fmt::format(" | test loss {:.4f} {} {:.4f}", test_loss, metric_, test_metric);
  fmt::print(stream_, "{}\n", line);
  std::fflush(stream_);
}

void progress_bar::message(const std::string& text) {
  if (!enabled_) return;
  clear();
  fmt::print(stream_, "{}\n", text);
  std::fflush(stream_);
}

}  // namespace kiln
