// Prometheus metrics of `hull serve`, served on the admin address at /metrics: requests by
// route and status, latency histograms split into queueing, instantiation, guest and host-call
// time, traps by kind, fuel and deadline exhaustion, fuel consumed, instances created and live.
// Cheap on the request path: one short lock per request to record its sample.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
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
  uint64_t fuel = 0;  // consumed (0 without --fuel)
  enum class Failure : uint8_t { none, trap, fuel, deadline, error } failure = Failure::none;
  std::string trap_kind;  // with Failure::trap/fuel/deadline: e.g. "unreachable"
};

class Metrics {
 public:
  // A request has started (it counts in hull_requests_in_flight until record()).
  void begin() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  // A request has ended: what it cost.
  void record(const RequestSample& s);
  // An instance (with its store) now exists / is gone (hull_instances_live).
  void instance_up() { live_.fetch_add(1, std::memory_order_relaxed); }
  void instance_down() { live_.fetch_sub(1, std::memory_order_relaxed); }
  // The Prometheus text exposition of everything recorded.
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, uint16_t>, uint64_t> requests_;
  std::map<std::string, Histogram> total_, queue_, instantiate_, guest_, host_;
  std::map<std::string, uint64_t> fuel_used_;   // by route
  std::map<std::string, uint64_t> trap_kinds_;  // by kind
  uint64_t traps_ = 0, fuel_ = 0, deadline_ = 0, errors_ = 0, instances_ = 0;
  std::atomic<int64_t> in_flight_{0}, live_{0};
};

}  // namespace hull::server
