// Metrics: the text format of Prometheus' exposition (version 0.0.4).
#include "server/metrics.h"

#include <cstdio>

namespace hull::server {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Histogram::observe(double seconds) {
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) buckets_[i] += 1;
  }
  count_ += 1;
  sum_ += seconds;
}

void Histogram::add(const Histogram& other) {
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::write(std::string* out, const std::string& name, const std::string& labels) const {
  std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    *out += name + "_bucket{" + labels + sep + "le=\"" + number(kLatencyBuckets[i]) + "\"} " +
            std::to_string(buckets_[i]) + "\n";
  }
  *out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(count_) + "\n";
  *out += name + "_sum{" + labels + "} " + number(sum_) + "\n";
  *out += name + "_count{" + labels + "} " + std::to_string(count_) + "\n";
}

Metrics::Metrics() : shards_(new Shard[kShards]) {}
Metrics::~Metrics() = default;

Metrics::Shard& Metrics::shard() {
  // A thread's slot: the order in which threads first recorded anything, in any Metrics.
  // Workers start together, so they get slots of their own; later threads (streamed requests)
  // share slots with others, which the shard's lock makes safe.
  static std::atomic<size_t> next_slot{0};
  thread_local const size_t slot = next_slot.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shards_[slot];
}

void Metrics::begin() { shard().in_flight.fetch_add(1, std::memory_order_relaxed); }
void Metrics::instance_up() { shard().live.fetch_add(1, std::memory_order_relaxed); }
void Metrics::instance_down() { shard().live.fetch_sub(1, std::memory_order_relaxed); }
void Metrics::idle_up() { shard().idle.fetch_add(1, std::memory_order_relaxed); }
void Metrics::idle_down() { shard().idle.fetch_sub(1, std::memory_order_relaxed); }

void Metrics::record(const RequestSample& s) {
  Shard& sh = shard();
  sh.in_flight.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(sh.mu);
  RouteStats& r = sh.routes[s.route];
  r.by_status[s.status] += 1;
  r.total.observe(s.total_s);
  r.queue.observe(s.queue_s);
  if (s.instantiate_s > 0) {
    r.instantiate.observe(s.instantiate_s);
    sh.instances += 1;
    sh.resets += s.reset;
  }
  if (s.guest_s > 0) {
    r.guest.observe(s.guest_s);
    r.host.observe(s.host_s);
  }
  r.fuel_used += s.fuel;
  if (!s.trap_kind.empty()) sh.trap_kinds[s.trap_kind] += 1;
  switch (s.failure) {
    case RequestSample::Failure::none: break;
    case RequestSample::Failure::trap: sh.traps += 1; break;
    case RequestSample::Failure::fuel: sh.fuel += 1; break;
    case RequestSample::Failure::deadline: sh.deadline += 1; break;
    case RequestSample::Failure::error: sh.errors += 1; break;
  }
}

std::string Metrics::render() const {
  // The shards added up, printed as before sharding.
  std::map<std::pair<std::string, uint16_t>, uint64_t> requests;
  std::map<std::string, Histogram> total, queue, instantiate, guest, host;
  std::map<std::string, uint64_t> fuel_used, trap_kinds;
  uint64_t traps = 0, fuel = 0, deadline = 0, errors = 0, instances = 0, resets = 0;
  int64_t in_flight = 0, live = 0, idle = 0;
  for (size_t i = 0; i < kShards; ++i) {
    Shard& sh = shards_[i];
    std::lock_guard<std::mutex> lock(sh.mu);
    for (const auto& [route, r] : sh.routes) {
      for (const auto& [status, n] : r.by_status) requests[{route, status}] += n;
      total[route].add(r.total);
      queue[route].add(r.queue);
      if (r.instantiate.count()) instantiate[route].add(r.instantiate);
      if (r.guest.count()) {
        guest[route].add(r.guest);
        host[route].add(r.host);
      }
      if (r.fuel_used) fuel_used[route] += r.fuel_used;
    }
    for (const auto& [kind, n] : sh.trap_kinds) trap_kinds[kind] += n;
    traps += sh.traps;
    fuel += sh.fuel;
    deadline += sh.deadline;
    errors += sh.errors;
    instances += sh.instances;
    resets += sh.resets;
    in_flight += sh.in_flight.load(std::memory_order_relaxed);
    live += sh.live.load(std::memory_order_relaxed);
    idle += sh.idle.load(std::memory_order_relaxed);
  }
  std::string out;
  out += "# HELP hull_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE hull_requests_total counter\n";
  for (const auto& [key, n] : requests) {
    out += "hull_requests_total{route=\"" + escape_label(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  struct Family {
    const char* name;
    const char* help;
    const std::map<std::string, Histogram>* h;
  };
  for (const Family& f :
       {Family{"hull_request_duration_seconds", "Whole request time, read to response.", &total},
        Family{"hull_request_queue_seconds", "Time between reading a request and starting it.",
               &queue},
        Family{"hull_instantiation_duration_seconds",
               "Readying the instance: instantiating the component, or resetting a used instance.",
               &instantiate},
        Family{"hull_guest_duration_seconds", "Time in the guest's handler (host calls included).",
               &guest},
        Family{"hull_host_call_duration_seconds",
               "Time the guest's handler spent in host functions (WASI, wasi:http, key-value).",
               &host}}) {
    out += std::string("# HELP ") + f.name + " " + f.help + "\n";
    out += std::string("# TYPE ") + f.name + " histogram\n";
    for (const auto& [route, h] : *f.h) {
      h.write(&out, f.name, "route=\"" + escape_label(route) + "\"");
    }
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t value;
  };
  for (const Counter& c :
       {Counter{"hull_traps_total", "Requests whose guest trapped.", traps},
        Counter{"hull_fuel_exhausted_total", "Requests whose guest ran out of fuel.", fuel},
        Counter{"hull_deadline_exceeded_total", "Requests whose guest passed its deadline.",
                deadline},
        Counter{"hull_guest_errors_total",
                "Requests the guest failed without trapping (error-code, no response).", errors},
        Counter{"hull_instances_total",
                "Component instances readied for a request (instantiated, or reset).", instances},
        Counter{"hull_instances_reset_total",
                "Of those, used instances reset from their snapshot instead of instantiated.",
                resets}}) {
    out += std::string("# HELP ") + c.name + " " + c.help + "\n";
    out += std::string("# TYPE ") + c.name + " counter\n";
    out += std::string(c.name) + " " + std::to_string(c.value) + "\n";
  }
  out += "# HELP hull_fuel_consumed_total Fuel the guests consumed (with --fuel), by route.\n";
  out += "# TYPE hull_fuel_consumed_total counter\n";
  for (const auto& [route, n] : fuel_used) {
    out += "hull_fuel_consumed_total{route=\"" + escape_label(route) + "\"} " + std::to_string(n) +
           "\n";
  }
  out +=
      "# HELP hull_guest_traps_total Requests whose guest trapped, by trap kind (fuel and "
      "deadline included).\n";
  out += "# TYPE hull_guest_traps_total counter\n";
  for (const auto& [kind, n] : trap_kinds) {
    out +=
        "hull_guest_traps_total{kind=\"" + escape_label(kind) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP hull_instances_live Component instances answering a request now.\n";
  out += "# TYPE hull_instances_live gauge\n";
  out += "hull_instances_live " + std::to_string(live) + "\n";
  out += "# HELP hull_instances_idle Used component instances kept for reuse (reset when taken).\n";
  out += "# TYPE hull_instances_idle gauge\n";
  out += "hull_instances_idle " + std::to_string(idle) + "\n";
  out += "# HELP hull_requests_in_flight Requests being answered now.\n";
  out += "# TYPE hull_requests_in_flight gauge\n";
  out += "hull_requests_in_flight " + std::to_string(in_flight) + "\n";
  return out;
}

}  // namespace hull::server
