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

void Metrics::record(const RequestSample& s) {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  requests_[{s.route, s.status}] += 1;
  total_[s.route].observe(s.total_s);
  queue_[s.route].observe(s.queue_s);
  if (s.instantiate_s > 0) {
    instantiate_[s.route].observe(s.instantiate_s);
    instances_ += 1;
  }
  if (s.guest_s > 0) {
    guest_[s.route].observe(s.guest_s);
    host_[s.route].observe(s.host_s);
  }
  if (s.fuel > 0) fuel_used_[s.route] += s.fuel;
  if (!s.trap_kind.empty()) trap_kinds_[s.trap_kind] += 1;
  switch (s.failure) {
    case RequestSample::Failure::none: break;
    case RequestSample::Failure::trap: traps_ += 1; break;
    case RequestSample::Failure::fuel: fuel_ += 1; break;
    case RequestSample::Failure::deadline: deadline_ += 1; break;
    case RequestSample::Failure::error: errors_ += 1; break;
  }
}

std::string Metrics::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP hull_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE hull_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "hull_requests_total{route=\"" + escape_label(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  struct Family {
    const char* name;
    const char* help;
    const std::map<std::string, Histogram>* h;
  };
  for (const Family& f :
       {Family{"hull_request_duration_seconds", "Whole request time, read to response.", &total_},
        Family{"hull_request_queue_seconds", "Time between reading a request and starting it.",
               &queue_},
        Family{"hull_instantiation_duration_seconds", "Instantiating the component.",
               &instantiate_},
        Family{"hull_guest_duration_seconds", "Time in the guest's handler (host calls included).",
               &guest_},
        Family{"hull_host_call_duration_seconds",
               "Time the guest's handler spent in host functions (WASI, wasi:http, key-value).",
               &host_}}) {
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
       {Counter{"hull_traps_total", "Requests whose guest trapped.", traps_},
        Counter{"hull_fuel_exhausted_total", "Requests whose guest ran out of fuel.", fuel_},
        Counter{"hull_deadline_exceeded_total", "Requests whose guest passed its deadline.",
                deadline_},
        Counter{"hull_guest_errors_total",
                "Requests the guest failed without trapping (error-code, no response).", errors_},
        Counter{"hull_instances_total", "Component instances created.", instances_}}) {
    out += std::string("# HELP ") + c.name + " " + c.help + "\n";
    out += std::string("# TYPE ") + c.name + " counter\n";
    out += std::string(c.name) + " " + std::to_string(c.value) + "\n";
  }
  out += "# HELP hull_fuel_consumed_total Fuel the guests consumed (with --fuel), by route.\n";
  out += "# TYPE hull_fuel_consumed_total counter\n";
  for (const auto& [route, n] : fuel_used_) {
    out += "hull_fuel_consumed_total{route=\"" + escape_label(route) + "\"} " + std::to_string(n) +
           "\n";
  }
  out +=
      "# HELP hull_guest_traps_total Requests whose guest trapped, by trap kind (fuel and "
      "deadline included).\n";
  out += "# TYPE hull_guest_traps_total counter\n";
  for (const auto& [kind, n] : trap_kinds_) {
    out +=
        "hull_guest_traps_total{kind=\"" + escape_label(kind) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP hull_instances_live Component instances (with their stores) alive now.\n";
  out += "# TYPE hull_instances_live gauge\n";
  out += "hull_instances_live " + std::to_string(live_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP hull_requests_in_flight Requests being answered now.\n";
  out += "# TYPE hull_requests_in_flight gauge\n";
  out += "hull_requests_in_flight " + std::to_string(in_flight_.load(std::memory_order_relaxed)) +
         "\n";
  return out;
}

}  // namespace hull::server
