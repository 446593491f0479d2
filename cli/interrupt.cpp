#include "cli/interrupt.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include <fmt/format.h>

namespace llmsim::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = 0;
  std::signal(SIGINT, on_sigint);
}

InterruptGuard::~InterruptGuard() { std::signal(SIGINT, SIG_DFL); }

bool InterruptGuard::interrupted() const { return g_interrupted != 0; }

Progress::Progress(std::string what, std::size_t total)
    : what_(std::move(what)), total_(total), tty_(isatty(STDERR_FILENO) != 0), start_s_(now_s()) {}

Progress::~Progress() {
  if (tty_) std::fputs("\r\033[K", stderr);
}

void Progress::done(std::size_t finished) {
  if (!tty_ || total_ < 2) return;
  const double elapsed = now_s() - start_s_;
  const double left = finished > 0 ? elapsed / static_cast<double>(finished) *
                                         static_cast<double>(total_ - finished)
                                   : 0.0;
  const double rate = elapsed > 0 ? static_cast<double>(finished) / elapsed : 0.0;
  std::fputs(fmt::format("\r\033[K{}: {} of {} done ({:.3g} per second), {:.1f} s, about {:.0f} s "
                         "left (Ctrl-C stops and keeps what is done)",
                         what_, finished, total_, rate, elapsed, left)
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace llmsim::cli
