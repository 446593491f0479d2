#pragma once
// Observer: how the world learns what a simulation did (Ninja's Status). Trace writers,
// the CLI's summaries, the GUI's trace builder and determinism fingerprints plug in here;
// the engine and the executors never print.

#include <cstdint>
#include <vector>

#include "sim/sim_time.hpp"

namespace llmsim {

// A span of work on one resource (a GPU rank) and one of its streams (0 = compute).
struct TaskRecord {
  std::int32_t resource = 0;
  std::int32_t stream = 0;
  SimTime start;
  SimTime end;
  std::uint32_t category = 0;  // what kind of work, in the executor's own enumeration
  std::int64_t id = 0;         // the executor's index of the task
};

// Data moving from one resource to another.
struct TransferRecord {
  std::int32_t src = 0;
  std::int32_t dst = 0;
  SimTime start;
  SimTime end;
  double bytes = 0.0;
  std::int64_t id = 0;  // the task whose output moves
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_task(const TaskRecord&) {}
  virtual void on_transfer(const TransferRecord&) {}
  virtual void on_run_end(SimTime /*end*/) {}
};

// Sends each notification to every registered observer, in registration order.
class ObserverList {
 public:
  void add(Observer* o) { observers_.push_back(o); }
  bool empty() const { return observers_.empty(); }
  void task(const TaskRecord& r) const {
    for (Observer* o : observers_) o->on_task(r);
  }
  void transfer(const TransferRecord& r) const {
    for (Observer* o : observers_) o->on_transfer(r);
  }
  void run_end(SimTime t) const {
    for (Observer* o : observers_) o->on_run_end(t);
  }

 private:
  std::vector<Observer*> observers_;
};

// Folds every notification into a 64-bit FNV-1a hash: two runs are identical, bit for bit,
// exactly when (with overwhelming probability) their fingerprints are equal.
class FingerprintObserver : public Observer {
 public:
  void on_task(const TaskRecord& r) override;
  void on_transfer(const TransferRecord& r) override;
  void on_run_end(SimTime end) override;
  std::uint64_t value() const { return hash_; }

 private:
  void mix(std::uint64_t v);
  std::uint64_t hash_ = 14695981039346656037ULL;
};

}  // namespace llmsim
