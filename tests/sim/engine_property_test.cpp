// Engine and EventQueue properties on generated event programs (RapidCheck): events fire in
// time order, same-time events in the order they were scheduled (handlers included), cancelled
// events never, and the same program gives the same run.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <rapidcheck/catch.h>

#include "sim/engine.hpp"

namespace llmsim {
namespace {

// What a handler does when it fires: schedule a new event `delay_ns` later (0: the same
// instant), or cancel the `pick`-th event scheduled so far (modulo their number).
struct Action {
  bool cancel = false;
  std::uint32_t delay_ns = 0;
  std::uint32_t pick = 0;
};

// A program: events scheduled before the run, and what the k-th event to fire does
// (on_fire[k % size]). Event ids count every schedule call in order, initial ones first.
struct Program {
  std::vector<std::uint32_t> initial_ns;
  std::vector<std::vector<Action>> on_fire;
};

constexpr std::size_t kMaxEvents = 400;  // bounds the run: no schedule beyond this many

using Fired = std::vector<std::pair<std::int64_t, std::uint64_t>>;  // (time ns, event id)

// Plays the program on an Engine.
struct Player : EventHandler {
  Engine* engine = nullptr;
  const Program* program = nullptr;
  std::vector<EventId> ids;
  Fired fired;
  void apply(const Action& a) {
    if (a.cancel) {
      engine->cancel(ids[a.pick % ids.size()]);
    } else if (ids.size() < kMaxEvents) {
      ids.push_back(engine->schedule_in(SimTime::from_ns(a.delay_ns), this, ids.size()));
    }
  }
  void on_event(SimTime now, std::uint64_t id) override {
    const auto& actions = program->on_fire[fired.size() % program->on_fire.size()];
    fired.emplace_back(now.ns(), id);
    for (const Action& a : actions) apply(a);
  }
};

Fired run_engine(const Program& p, std::uint64_t* processed = nullptr) {
  Engine engine;
  Player player;
  player.engine = &engine;
  player.program = &p;
  for (std::uint32_t t : p.initial_ns) {
    player.ids.push_back(engine.schedule_at(SimTime::from_ns(t), &player, player.ids.size()));
  }
  const std::uint64_t n = engine.run();
  if (processed) *processed = n;
  return player.fired;
}

// The specification, written plainly: among pending events that are neither cancelled nor
// run, the next is the one with the earliest time, then the smallest id.
Fired run_model(const Program& p) {
  struct Pending {
    std::int64_t time = 0;
    bool cancelled = false;
    bool done = false;
  };
  std::vector<Pending> ev;
  for (std::uint32_t t : p.initial_ns) ev.push_back({static_cast<std::int64_t>(t)});
  Fired fired;
  while (true) {
    std::size_t next = ev.size();
    for (std::size_t i = 0; i < ev.size(); ++i) {
      if (ev[i].cancelled || ev[i].done) continue;
      if (next == ev.size() || ev[i].time < ev[next].time) next = i;
    }
    if (next == ev.size()) return fired;
    ev[next].done = true;
    const std::int64_t now = ev[next].time;
    const auto& actions = p.on_fire[fired.size() % p.on_fire.size()];
    fired.emplace_back(now, next);
    for (const Action& a : actions) {
      if (a.cancel) {
        Pending& c = ev[a.pick % ev.size()];
        if (!c.done) c.cancelled = true;
      } else if (ev.size() < kMaxEvents) {
        ev.push_back({now + a.delay_ns});
      }
    }
  }
}

rc::Gen<Program> programs() {
  // Times and delays from a small range, so that many events share an instant.
  const auto action = rc::gen::build<Action>(
      rc::gen::set(&Action::cancel, rc::gen::weightedElement<bool>({{3, false}, {1, true}})),
      rc::gen::set(&Action::delay_ns, rc::gen::inRange<std::uint32_t>(0, 8)),
      rc::gen::set(&Action::pick, rc::gen::arbitrary<std::uint32_t>()));
  return rc::gen::build<Program>(
      rc::gen::set(&Program::initial_ns,
                   rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint32_t>>(
                       rc::gen::inRange<std::uint32_t>(0, 20)))),
      rc::gen::set(&Program::on_fire,
                   rc::gen::nonEmpty(rc::gen::container<std::vector<std::vector<Action>>>(
                       rc::gen::resize(4, rc::gen::container<std::vector<Action>>(action))))));
}

TEST_CASE("Engine: generated event programs run as the specification says", "[sim][property]") {
  rc::prop("time order, ties in schedule order, cancelled never, same run twice", [] {
    const Program p = *programs();
    std::uint64_t processed = 0;
    const Fired fired = run_engine(p, &processed);
    RC_ASSERT(std::is_sorted(fired.begin(), fired.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));
    RC_ASSERT(processed == fired.size());
    RC_ASSERT(fired == run_model(p));
    RC_ASSERT(fired == run_engine(p));
  });
}

}  // namespace
}  // namespace llmsim
