#pragma once
// Progress: one line on stderr, redrawn in place, for every command that can take more than a
// second (calibrate, compare, serve's stages, validate): items done of the total, their rate,
// the time spent and an estimate of the time left. Silent unless stderr is a terminal, so
// logs, pipes and tests see nothing.

#include <cstddef>
#include <string>
#include <string_view>

namespace llmsim::cli {

// "calibrate: 12 of 48 (25%), 3.0/s, 4.0 s, about 12 s left; gemm_bf16 512x512x512": the line
// Progress draws, without the terminal codes. Rate and time left are left out until an item
// is done; `detail` (the current item or stage), when given, ends the line. Deterministic:
// a function of its arguments only.
std::string progress_text(std::string_view what, std::size_t done, std::size_t total,
                          double elapsed_s, std::string_view detail = {});

// A duration as the line says it: "45 s", "12 min", "2.5 h".
std::string eta_text(double seconds);

class Progress {
 public:
  // `what` starts the line ("compare"); `note` ends it, e.g. what Ctrl-C does.
  explicit Progress(std::string what, std::string note = "");
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` of `total` items (the total may grow, as calibrate's re-measurements do); a count
  // that starts again (a smaller `done`) is a new stage, timed from then. Redrawn at most ten
  // times a second, and at the end.
  void update(std::size_t done, std::size_t total, std::string_view detail = {});

 private:
  std::string what_;
  std::string note_;
  bool tty_ = false;
  double start_s_ = 0.0;      // of the current stage
  double drawn_s_ = -1.0;     // when the line was last drawn
  std::size_t last_done_ = 0;
};

}  // namespace llmsim::cli
