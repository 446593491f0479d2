// FlowNetwork on the engine: completion times worked by hand, rate changes when flows start
// and end, full duplex, bytes conserved, determinism.

#include <vector>

#include <catch2/catch.hpp>

#include "sim/engine.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/observer.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {
namespace {

// An 8-GPU node with 160 GB/s NVLink (160 bytes/ns) and no latency unless asked.
Topology node(double latency_us = 0.0) {
  HgxNodeParams p;
  p.nvlink_gbps = 160.0;
  p.nvlink_latency = SimTime::from_us(latency_us);
  return build_hgx_node(p);
}

struct Recorder : EventHandler {
  std::vector<std::pair<std::int64_t, std::uint64_t>> done;  // (ns, payload)
  void on_event(SimTime now, std::uint64_t payload) override {
    done.emplace_back(now.ns(), payload);
  }
};

TEST_CASE("FlowNetwork: one flow takes latency plus bytes over bandwidth", "[network]") {
  const Topology t = node(1.0);
  Engine e;
  FlowNetwork net(e, t);
  Recorder rec;
  // 1.6e9 bytes at 160 bytes/ns = 1e7 ns, after 1 us (two NVLink cables of 0.5 us).
  net.start(0, 3, 1.6e9, {&rec, 7});
  e.run();
  REQUIRE(rec.done.size() == 1);
  CHECK(rec.done[0].first == 10'001'000);
  CHECK(rec.done[0].second == 7);
}

TEST_CASE("FlowNetwork: rates are recomputed when a flow ends", "[network]") {
  const Topology t = node();
  Engine e;
  FlowNetwork net(e, t);
  Recorder rec;
  // gpu0 -> gpu1 (160 MB) and gpu0 -> gpu2 (320 MB) share gpu0's egress: 80 bytes/ns each.
  // The first ends at 160e6 / 80 = 2e6 ns; the second then has 160 MB left at 160 bytes/ns:
  // 1e6 ns more, ending at 3e6 ns.
  net.start(0, 1, 160e6, {&rec, 1});
  net.start(0, 2, 320e6, {&rec, 2});
  e.run();
  REQUIRE(rec.done.size() == 2);
  CHECK(rec.done[0] == std::make_pair(std::int64_t{2'000'000}, std::uint64_t{1}));
  CHECK(rec.done[1] == std::make_pair(std::int64_t{3'000'000}, std::uint64_t{2}));
  CHECK(net.active_flows() == 0);
}

struct Starter : EventHandler {
  FlowNetwork* net = nullptr;
  EventHandler* done = nullptr;
  void on_event(SimTime, std::uint64_t) override { net->start(0, 2, 160e6, {done, 2}); }
};

TEST_CASE("FlowNetwork: rates are recomputed when a flow starts", "[network]") {
  const Topology t = node();
  Engine e;
  FlowNetwork net(e, t);
  Recorder rec;
  Starter s;
  s.net = &net;
  s.done = &rec;
  // gpu0 -> gpu1, 320 MB, alone at 160 bytes/ns for 1e6 ns: 160 MB moved, 160 MB left.
  // At 1e6 ns gpu0 -> gpu2 (160 MB) starts; both run at 80: both end 2e6 ns later, at 3e6 ns.
  net.start(0, 1, 320e6, {&rec, 1});
  e.schedule_at(SimTime::from_ns(1'000'000), &s);
  e.run();
  REQUIRE(rec.done.size() == 2);
  CHECK(rec.done[0].first == 3'000'000);
  CHECK(rec.done[1].first == 3'000'000);
}

TEST_CASE("FlowNetwork: links are full duplex", "[network]") {
  const Topology t = node();
  Engine e;
  FlowNetwork net(e, t);
  Recorder rec;
  // gpu0 -> gpu1 and gpu1 -> gpu0 use opposite directions of each cable: 160 each, 1e6 ns.
  net.start(0, 1, 160e6, {&rec, 1});
  net.start(1, 0, 160e6, {&rec, 2});
  e.run();
  REQUIRE(rec.done.size() == 2);
  CHECK(rec.done[0].first == 1'000'000);
  CHECK(rec.done[1].first == 1'000'000);
}

TEST_CASE("FlowNetwork: every link carries exactly the bytes of the flows crossing it",
          "[network]") {
  FabricParams f;
  f.nodes = 4;
  f.nic_gbps = 50.0;
  const Topology t = build_rail_optimized({f});
  Engine e;
  FlowNetwork net(e, t);
  std::vector<double> expected(static_cast<std::size_t>(t.links()), 0.0);
  double size = 1e6;
  for (int s = 0; s < t.gpus(); s += 3) {
    for (int d = 0; d < t.gpus(); d += 5) {
      if (s == d) continue;
      size = size * 1.37 + 12345.0;  // all different, so ends are spread out
      if (size > 5e8) size = 1e6;
      net.start(s, d, size);
      for (std::int32_t l : t.route(s, d).links) expected[static_cast<std::size_t>(l)] += size;
    }
  }
  e.run();
  CHECK(net.flows_finished() == net.flows_started());
  CHECK(net.rate_solves() > 1);
  for (std::size_t l = 0; l < expected.size(); ++l) {
    REQUIRE(net.link_bytes()[l] == Approx(expected[l]).epsilon(1e-9));
  }
}

struct Chain : EventHandler {
  FlowNetwork* net = nullptr;
  int left = 0;
  std::int64_t last_ns = 0;
  void on_event(SimTime now, std::uint64_t) override {
    last_ns = now.ns();
    if (left-- > 0) net->start(0, 2, 80e6, {this, 0});
  }
};

TEST_CASE("FlowNetwork: finished flows' slots are reused and old events stay stale", "[network]") {
  const Topology t = node();
  Engine e;
  FlowNetwork net(e, t);
  Recorder rec;
  // A long flow gpu0 -> gpu1 (16 GB) shares gpu0's egress with a chain of 100 flows
  // gpu0 -> gpu2 of 80 MB, each started when the previous ends: 80 bytes/ns each, so every
  // chain flow takes 1e6 ns and the chain ends at 1e8 ns, when the long flow has moved 8 GB;
  // alone at 160 its last 8 GB take 5e7 ns more: it ends at 1.5e8 ns.
  net.start(0, 1, 16e9, {&rec, 1});
  Chain chain;
  chain.net = &net;
  chain.left = 99;
  net.start(0, 2, 80e6, {&chain, 0});
  e.run();
  REQUIRE(rec.done.size() == 1);
  CHECK(rec.done[0].first == 150'000'000);
  CHECK(chain.last_ns == 100'000'000);
  CHECK(net.flows_started() == 101);
  CHECK(net.flow_slots() <= 3);
  CHECK(net.stale_events() > 0);  // the long flow's rate changed 200 times
}

struct StartOther : EventHandler {
  FlowNetwork* net = nullptr;
  void on_event(SimTime, std::uint64_t) override { net->start(8, 9, 160e6); }
};

TEST_CASE("FlowNetwork: only the component a change touches is re-solved", "[network]") {
  FabricParams f;
  f.nodes = 2;
  f.node.nvlink_latency = SimTime::zero();
  const Topology t = build_rail_optimized({f});
  Engine e;
  FlowNetwork net(e, t);
  // gpu0 -> gpu1 (node 0) and, 0.5 ms later, gpu8 -> gpu9 (node 1) share no link: each start
  // solves one flow of two links; the ends leave nothing to solve. 4 incidences in all.
  net.start(0, 1, 160e6);
  StartOther other;
  other.net = &net;
  e.schedule_at(SimTime::from_us(500), &other);
  e.run();
  CHECK(net.rate_solves() == 2);
  CHECK(net.solved_incidences() == 4);
  CHECK(net.flows_finished() == 2);
}

TEST_CASE("FlowNetwork: reports every transfer and runs deterministically", "[network]") {
  FabricParams f;
  f.nodes = 2;
  const Topology t = build_multi_plane({f});
  auto run = [&t] {
    Engine e;
    FingerprintObserver fp;
    e.observers().add(&fp);
    FlowNetwork net(e, t);
    for (int s = 0; s < t.gpus(); ++s) {
      for (int d = 0; d < t.gpus(); ++d) {
        if (s != d) net.start(s, d, 1e6 * (1 + (s * 7 + d) % 5), {}, s * 100 + d);
      }
    }
    e.run();
    e.observers().run_end(e.now());
    return fp.value();
  };
  const auto a = run();
  CHECK(a == run());
}

}  // namespace
}  // namespace llmsim
