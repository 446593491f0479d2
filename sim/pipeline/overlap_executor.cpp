#include "sim/pipeline/overlap_executor.hpp"

#include <array>
#include <utility>

#include "sim/engine.hpp"

namespace llmsim {

namespace {

// Payload 0: decide what starts now; payload 1 + c: chain c's running piece finished.
class OverlapRun final : public EventHandler {
 public:
  OverlapRun(Engine& engine, const std::vector<ChainPiece>& first,
             const std::vector<ChainPiece>& second)
      : engine_(engine), chains_{&first, &second} {}

  void start() { request_dispatch(); }

  void on_event(SimTime now, std::uint64_t payload) override {
    if (payload == 0) {
      dispatch_pending_ = false;
      dispatch(now);
      return;
    }
    const int c = static_cast<int>(payload - 1);
    const ChainPiece& done = (*chains_[c])[next_[c] - 1];
    running_[c] = false;
    stream_busy_[done.comm ? 1 : 0] = false;
    // Every finish at this time is already queued (scheduled when its piece started): when none
    // is left at this instant, decide now; otherwise one dispatch event after them sees them all.
    if (!dispatch_pending_ && engine_.next_event_time() > now) {
      dispatch(now);
    } else {
      request_dispatch();
    }
  }

  OverlapResult result;

 private:
  void request_dispatch() {
    if (dispatch_pending_) return;
    dispatch_pending_ = true;
    engine_.schedule_in(SimTime::zero(), this, 0);
  }

  void dispatch(SimTime now) {
    for (int c = 1; c >= 0; --c) {  // the second chain wins a contested stream
      if (running_[c] || next_[c] >= chains_[c]->size()) continue;
      const ChainPiece& p = (*chains_[c])[next_[c]];
      const int stream = p.comm ? 1 : 0;
      if (stream_busy_[stream]) continue;
      stream_busy_[stream] = true;
      running_[c] = true;
      result.placed.push_back({c, next_[c], now, now + p.duration});
      result.makespan = max(result.makespan, now + p.duration);
      if (!p.comm) result.compute_busy += p.duration;
      ++next_[c];
      engine_.schedule_in(p.duration, this, static_cast<std::uint64_t>(c + 1));
    }
  }

  Engine& engine_;
  std::array<const std::vector<ChainPiece>*, 2> chains_;
  std::array<std::size_t, 2> next_{0, 0};
  std::array<bool, 2> running_{false, false};
  std::array<bool, 2> stream_busy_{false, false};  // 0: compute, 1: communication
  bool dispatch_pending_ = false;
};

}  // namespace

OverlapResult run_overlapped(const std::vector<ChainPiece>& first,
                             const std::vector<ChainPiece>& second) {
  Engine engine;
  engine.reserve_events(2 * (first.size() + second.size()) + 2);
  OverlapRun run(engine, first, second);
  run.result.placed.reserve(first.size() + second.size());
  run.start();
  engine.run();
  return std::move(run.result);
}

}  // namespace llmsim
