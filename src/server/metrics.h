// Prometheus metrics of `hull serve`, served on the admin address at /metrics: requests by
// route and status, latency histograms split into queueing, instantiation, guest and host-call
// time, traps by kind, fuel and deadline exhaustion, fuel consumed, instances created and live.
// Cheap on the request path: one short lock per request, of the worker's own shard.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hull::server {

// Histogram bucket upper bounds in seconds (Prometheus `le` labels).
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0};

class Histogram {
 public:
  void observe(double seconds);
  void add(const Histogram& other);
  uint64_t count() const { return count_; }
  void write(std::string* out, const std::string& name, const std::string& labels) const;

 private:
  std::array<uint64_t, kLatencyBuckets.size()> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

// What one request cost.
struct RequestSample {
  std::string route;  // the matched route ("/api/...") or "" when none matched
  uint16_t status = 0;
  // guest_s includes host_s: the time the guest spent in host functions (WASI, wasi:http, KV).
  double queue_s = 0, instantiate_s = 0, guest_s = 0, host_s = 0, total_s = 0;
  uint64_t fuel = 0;   // consumed (0 without --fuel)
  bool reset = false;  // the instance was a used one reset from its snapshot, not instantiated
  enum class Failure : uint8_t { none, trap, fuel, deadline, error } failure = Failure::none;
  std::string trap_kind;  // with Failure::trap/fuel/deadline: e.g. "unreachable"
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  // A request has started (it counts in hull_requests_in_flight until record()).
  void begin();
  // A request has ended: what it cost.
  void record(const RequestSample& s);
  // An instance now answers a request / no longer does (hull_instances_live).
  void instance_up();
  void instance_down();
  // An instance was kept for reuse / taken again or dropped (hull_instances_idle).
  void idle_up();
  void idle_down();
  // The Prometheus text exposition of everything recorded.
  std::string render() const;

 private:
  // What the requests of one route cost.
  struct RouteStats {
    std::map<uint16_t, uint64_t> by_status;
    Histogram total, queue, instantiate, guest, host;
    uint64_t fuel_used = 0;
  };
  // Requests are recorded into the shard of the recording thread (each worker thread has its
  // own, up to kShards threads): no lock or cache line is shared between workers on the
  // request path; render() adds the shards up.
  struct alignas(64) Shard {
    std::mutex mu;
    std::map<std::string, RouteStats> routes;
    std::map<std::string, uint64_t> trap_kinds;
    uint64_t traps = 0, fuel = 0, deadline = 0, errors = 0, instances = 0, resets = 0;
    std::atomic<int64_t> in_flight{0}, live{0}, idle{0};
  };
  static constexpr size_t kShards = 16;
  Shard& shard();

  std::unique_ptr<Shard[]> shards_;
};

}  // namespace hull::server
