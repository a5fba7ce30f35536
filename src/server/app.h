// A served application: components pre-linked once against the WASI 0.2 host (wasi:http
// included), a route table, and the per-request path — a fresh instance per request, with the
// store's limits, fuel and deadline, the request handed to wasi:http/incoming-handler, and a 500
// for that request alone when the guest traps, runs out of fuel, passes its deadline or answers
// nothing. A fresh instance is either instantiated from the InstancePre (no name resolution) or
// a used one reset to the snapshot taken right after its instantiation
// (hull/component_snapshot.hh): the same state, for the cost of resetting its memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hull/component.hh"
#include "hull/wasi.hh"
#include "serve/wit.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace hull::server {

// One component of the app and what its instances are granted.
struct AppComponent {
  std::string name;
  std::string source;            // the .wasm/.wat path
  hull::api::wasi::Config wasi;  // environment, preopened files, outbound hosts
  // Key-value stores and variables (wasi:keyvalue, fermyon:spin); none when unset.
  std::optional<hull::serve::ServeConfig> serve;
};

// A route: `/x` exact, `/x/...` a prefix, `/...` everything.
struct AppRoute {
  std::string route;
  size_t component = 0;  // index in the app's components
};

struct AppLimits {
  std::optional<uint64_t> fuel;                      // per request
  std::optional<std::chrono::milliseconds> timeout;  // per request (epoch deadline)
  std::optional<uint64_t> max_memory_bytes;          // per instance
  // Engine modes, switchable (hull serve --memory-images, --bounds-checks, --tier).
  bool memory_images = true;  // Config::memory_images
  hull::api::BoundsChecks bounds_checks = hull::api::BoundsChecks::Default;
  // Which tier runs the core code (hull serve --tier): compiled once per component at
  // start-up, instantiated per request.
  hull::api::Tier tier = hull::api::Tier::Interpreter;
  uint8_t native_opt_level = 2;  // Config::native_opt_level (hull serve --opt-level)
  // Reset used instances to their snapshot instead of instantiating for each request
  // (hull serve --instance-reuse). Components whose instances cannot be snapshotted (start
  // functions, async built-ins, ...) are instantiated per request regardless; an instance whose
  // request failed (trap, fuel, deadline, error) is never reused.
  bool reuse_instances = true;
};

class App {
 public:
  // Compiles and pre-links every component (errors name the component and its source).
  static Result<std::unique_ptr<App>> create(std::vector<AppComponent> components,
                                             std::vector<AppRoute> routes, AppLimits limits);
  ~App();

  // Answers one HTTP request (the Handler of the server).
  HttpResponse handle(const HttpRequest& request);
  Metrics& metrics();

 private:
  struct Impl;
  explicit App(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hull::server
