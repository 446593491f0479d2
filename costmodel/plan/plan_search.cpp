#include "costmodel/plan/plan_search.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>
#include <utility>

namespace llmsim::plan {

double objective_value(const Outcome& o, Objective objective) {
  return objective == Objective::kTime ? o.eval.days() : o.eval.cost_usd;
}

bool is_feasible(const Outcome& o, const Limits& limits) {
  if (!o.evaluated()) return false;
  if (limits.deadline_days > 0 && o.eval.days() > limits.deadline_days) return false;
  if (limits.budget_usd > 0 && o.eval.cost_usd > limits.budget_usd) return false;
  return true;
}

namespace {

// The N best objective values so far; the N-th is the bound's threshold.
class TopValues {
 public:
  explicit TopValues(std::size_t n) : n_(n) {}
  void add(double v) {
    values_.insert(v);
    if (values_.size() > n_) values_.erase(std::prev(values_.end()));
  }
  double threshold() const { return values_.size() < n_ ? 0.0 : *values_.rbegin(); }

 private:
  std::size_t n_;
  std::multiset<double> values_;
};

// The candidate's scenario and its lower bound, made once per candidate.
struct Prepared {
  Scenario scenario;
  LowerBound bound;
};

class Searcher {
 public:
  Searcher(const std::vector<Hardware>& hw, const std::vector<calibration::Profile>& profiles,
           const std::vector<Candidate>& candidates, const SearchOptions& options)
      : hw_(hw), profiles_(profiles), candidates_(candidates), options_(options) {
    for (std::size_t i = 0; i < hw.size() && options.share_collectives; ++i) {
      caches_.push_back(std::make_unique<CollectiveCache>());
    }
  }

  // The order candidates are taken in: lowest bound on the objective first, then key order.
  std::vector<std::size_t> order() const {
    std::vector<double> key(candidates_.size());
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      const LowerBound b = bound_of(candidates_[i]);
      key[i] = options_.objective == Objective::kTime ? b.days() : b.cost_usd;
    }
    std::vector<std::size_t> idx(candidates_.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return key[a] < key[b]; });
    return idx;
  }

  Outcome process(std::size_t i, double threshold) const {
    const Candidate& c = candidates_[i];
    const Scenario s = apply_candidate(hw_[c.hardware].scenario, c);
    Outcome o;
    CollectiveCache* cache = caches_.empty() ? nullptr : caches_[c.hardware].get();
    Verdict v = check_bound(compute_bound(s), options_.limits, options_.objective, threshold);
    if (!v.pruned()) v = check_candidate(s);
    const Limits& l = options_.limits;
    const bool can_prune = l.deadline_days > 0 || l.budget_usd > 0 ||
                           (threshold > 0 && options_.objective != Objective::kPareto);
    if (!v.pruned() && can_prune) {
      const double memory = v.peak_memory_bytes;
      v = check_bound(timed_compute_bound(s, profiles_[c.hardware], cache), options_.limits,
                      options_.objective, threshold, "the timed computation alone");
      v.peak_memory_bytes = memory;
    }
    o.reason = v.reason;
    o.detail = v.detail;
    o.peak_memory_bytes = v.peak_memory_bytes;
    if (o.evaluated()) {
      o.eval = evaluate_candidate(s, profiles_[c.hardware], cache);
      o.peak_memory_bytes = o.eval.peak_memory_bytes;
    }
    return o;
  }

 private:
  LowerBound bound_of(const Candidate& c) const {
    const auto memo_key = std::make_pair(c.hardware, static_cast<int>(c.precision));
    auto it = bounds_.find(memo_key);
    if (it != bounds_.end()) return it->second;
    const LowerBound b = compute_bound(apply_candidate(hw_[c.hardware].scenario, c));
    bounds_.emplace(memo_key, b);
    return b;
  }

  const std::vector<Hardware>& hw_;
  const std::vector<calibration::Profile>& profiles_;
  const std::vector<Candidate>& candidates_;
  const SearchOptions& options_;
  mutable std::map<std::pair<std::size_t, int>, LowerBound> bounds_;
  std::vector<std::unique_ptr<CollectiveCache>> caches_;  // by hardware choice
};

// Runs the positions of `todo` (candidate indices) that fall to `ranks` (all of them in one
// process) on the option's threads; outcomes by position in `todo`. A position left empty was
// another rank's, or not reached (stop requested).
std::vector<std::optional<Outcome>> run_batch(const Searcher& searcher,
                                              const std::vector<std::size_t>& todo,
                                              double threshold, int threads,
                                              const std::function<bool()>& stop,
                                              const Ranks* ranks) {
  std::vector<std::size_t> mine;
  for (std::size_t k = 0; k < todo.size(); ++k) {
    if (!ranks || static_cast<int>(k % static_cast<std::size_t>(ranks->size)) == ranks->rank) {
      mine.push_back(k);
    }
  }
  std::vector<std::optional<Outcome>> out(todo.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (std::size_t j = next++; j < mine.size(); j = next++) {
      if (stop && stop()) return;
      try {
        out[mine[j]] = searcher.process(todo[mine[j]], threshold);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = mine.size();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return out;
}

// The batch complete on every rank; true when some rank (this one included) stopped early.
bool share_batch(std::vector<std::optional<Outcome>>& batch, const Ranks* ranks) {
  bool stopped = false;
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const bool mine =
        !ranks || static_cast<int>(k % static_cast<std::size_t>(ranks->size)) == ranks->rank;
    if (mine && !batch[k]) stopped = true;
  }
  if (!ranks || ranks->size == 1) return stopped;
  return ranks->share(batch, stopped);
}

}  // namespace

SearchResult run_search(const std::vector<Hardware>& hardware,
                        const std::vector<calibration::Profile>& profiles,
                        const std::vector<Candidate>& candidates, const SearchOptions& options,
                        ResultStore* store, const SearchHooks& hooks) {
  const Searcher searcher(hardware, profiles, candidates, options);
  const std::vector<std::size_t> order = searcher.order();
  std::map<std::string, Outcome> stored = store ? store->load() : std::map<std::string, Outcome>{};
  if (hooks.ranks && hooks.ranks->size > 1) hooks.ranks->broadcast(stored);
  SearchResult r;
  r.outcomes.resize(candidates.size());
  TopValues top(static_cast<std::size_t>(std::max(1, options.top)));
  std::size_t done = 0;
  std::atomic<std::size_t> fresh{0};
  auto stop = [&] {
    return (hooks.stop && hooks.stop()) ||
           (options.stop_after > 0 && fresh.fetch_add(1) >= options.stop_after);
  };
  for (std::size_t start = 0; start < order.size(); start += options.batch) {
    const std::size_t end = std::min(order.size(), start + options.batch);
    std::vector<std::size_t> todo;
    for (std::size_t k = start; k < end; ++k) {
      const std::size_t i = order[k];
      auto it = stored.find(candidates[i].key);
      if (it == stored.end()) {
        todo.push_back(i);
      } else {
        r.outcomes[i] = it->second;
        ++r.from_store;
      }
    }
    auto batch = run_batch(searcher, todo, top.threshold(), options.threads, stop, hooks.ranks);
    const bool stopped = share_batch(batch, hooks.ranks);
    std::vector<const Candidate*> rows;
    std::vector<Outcome> row_outcomes;
    for (std::size_t k = 0; k < todo.size(); ++k) {
      if (!batch[k]) continue;
      r.outcomes[todo[k]] = batch[k];
      rows.push_back(&candidates[todo[k]]);
      row_outcomes.push_back(*batch[k]);
    }
    if (store && !rows.empty()) store->add(rows, row_outcomes);
    r.new_outcomes += rows.size();
    for (std::size_t k = start; k < end; ++k) {
      const auto& o = r.outcomes[order[k]];
      if (o && is_feasible(*o, options.limits)) top.add(objective_value(*o, options.objective));
      done += o ? 1 : 0;
    }
    if (hooks.progress) hooks.progress(done, candidates.size());
    if (stopped) return r;
  }
  r.complete = true;
  return r;
}

}  // namespace llmsim::plan
