#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

namespace llmsim::cli {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string eta_text(double seconds) {
  if (seconds < 90.0) return fmt::format("{:.0f} s", seconds);
  if (seconds < 5400.0) return fmt::format("{:.0f} min", seconds / 60.0);
  return fmt::format("{:.1f} h", seconds / 3600.0);
}

std::string progress_text(std::string_view what, std::size_t done, std::size_t total,
                          double elapsed_s, std::string_view detail) {
  done = std::min(done, total);
  const double share = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  std::string out = fmt::format("{}: {} of {} ({:.0f}%)", what, done, total, 100.0 * share);
  if (done > 0 && elapsed_s > 0.0) {
    const double rate = static_cast<double>(done) / elapsed_s;
    const std::string per_s = rate < 100.0 ? fmt::format("{:.3g}", rate) : fmt::format("{:.0f}", rate);
    out += fmt::format(", {}/s, {:.1f} s, about {} left", per_s, elapsed_s,
                       eta_text(static_cast<double>(total - done) / rate));
  }
  if (!detail.empty()) out += fmt::format("; {}", detail);
  return out;
}

Progress::Progress(std::string what, std::string note)
    : what_(std::move(what)),
      note_(std::move(note)),
      tty_(isatty(STDERR_FILENO) != 0),
      start_s_(now_s()) {}

Progress::~Progress() {
  if (tty_ && drawn_s_ >= 0.0) std::fputs("\r\033[K", stderr);
}

void Progress::update(std::size_t done, std::size_t total, std::string_view detail) {
  if (!tty_) return;
  const double now = now_s();
  if (drawn_s_ >= 0.0 && done < last_done_) start_s_ = now;  // a new stage
  last_done_ = done;
  if (drawn_s_ >= 0.0 && now - drawn_s_ < 0.1 && done < total) return;
  drawn_s_ = now;
  std::string line = progress_text(what_, done, total, now - start_s_, detail);
  if (!note_.empty()) line += " (" + note_ + ")";
  std::fputs(("\r\033[K" + line).c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace llmsim::cli
