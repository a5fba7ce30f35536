// The per-request path of `hull serve` without the network: App::handle on one component, N
// times, as a worker would run it (a fresh instance per request), timed per phase. What the
// server adds (Beast, the socket, the kernel) is the difference to bench/serve/run.sh.
//
//   hull_serve_handle_bench COMPONENT [URL_PATH] [REQUESTS] [ROUNDS] [interp|baseline|native]
//                           [reuse|noreuse]
//
// `baseline`: the core code as the baseline tier's machine code (hull serve --tier baseline).
// `native` (when the build has the native tier): the core code as machine code, compiled once
// before the first request (kept in $HULL_CACHE_DIR when set, as hull-native serve does).
// `noreuse`: every request instantiates (hull serve --instance-reuse off); by default a used
// instance is reset to its snapshot, so "instantiate" below is then the reset.
//
// Prints, per round, the mean wall time per request and the App's own split of it, read from
// its Prometheus metrics (the sums of the instantiation, guest and host-call histograms; the
// rest is store set-up and teardown and the App's own work), then the best round.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/app.h"

#ifdef HULL_BENCH_NATIVE
#include "hull/native.hh"
#endif

namespace {

using Clock = std::chrono::steady_clock;

// The value of `<family>_sum{...}` in a Prometheus text exposition (one route here), or 0.
double metric_sum(const std::string& text, const std::string& family) {
  size_t at = text.find("\n" + family + "_sum{");
  if (at == std::string::npos) return 0;
  at = text.find("} ", at);
  return at == std::string::npos ? 0 : std::strtod(text.c_str() + at + 2, nullptr);
}

struct Split {
  double total = 0, instantiate = 0, guest = 0, host = 0;
};

Split split_of(hull::server::App& app) {
  const std::string m = app.metrics().render();
  return {metric_sum(m, "hull_request_duration_seconds"),
          metric_sum(m, "hull_instantiation_duration_seconds"),
          metric_sum(m, "hull_guest_duration_seconds"),
          metric_sum(m, "hull_host_call_duration_seconds")};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s COMPONENT [URL_PATH] [REQUESTS] [ROUNDS] [interp|baseline|native] "
                 "[reuse|noreuse]\n",
                 argv[0]);
    return 2;
  }
  const std::string path = argc > 2 ? argv[2] : "/hello";
  const long requests = argc > 3 ? std::atol(argv[3]) : 20000;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 5;
  hull::server::AppComponent comp;
  comp.name = "bench";
  comp.source = argv[1];
  hull::server::AppLimits limits;
  const std::string tier = argc > 5 ? argv[5] : "interp";
  if (tier == "native") {
#ifdef HULL_BENCH_NATIVE
    hull::native::register_tier();
    if (const char* dir = std::getenv("HULL_CACHE_DIR")) hull::native::set_cache(dir);
    limits.tier = hull::api::Tier::Native;
#else
    std::fprintf(stderr, "error: this build has no native tier (LLVM 19 not found)\n");
    return 2;
#endif
  } else if (tier == "baseline") {
    limits.tier = hull::api::Tier::Baseline;
  } else if (tier != "interp") {
    std::fprintf(stderr, "error: tier `%s`: expected interp, baseline or native\n", tier.c_str());
    return 2;
  }
  const std::string reuse = argc > 6 ? argv[6] : "reuse";
  if (reuse != "reuse" && reuse != "noreuse") {
    std::fprintf(stderr, "error: `%s`: expected reuse or noreuse\n", reuse.c_str());
    return 2;
  }
  limits.reuse_instances = reuse == "reuse";
  auto app = hull::server::App::create({comp}, {{"/...", 0}}, limits);
  if (!app) {
    std::fprintf(stderr, "error: %s\n", app.error().message.c_str());
    return 1;
  }
  hull::server::HttpRequest req;
  req.method = "GET";
  req.target = path;
  req.host = "127.0.0.1:8080";
  req.peer = "127.0.0.1:50000";
  req.headers = {{"host", "127.0.0.1:8080"}, {"user-agent", "bench"}, {"accept", "*/*"}};
  req.log_fields_wanted = false;
  // Warm-up: the InstancePre's first instantiation fills its cache.
  for (int i = 0; i < 100; ++i) {
    auto r = (*app)->handle(req);
    if (r.status != 200) {
      std::fprintf(stderr, "error: %s answered %d: %s\n", path.c_str(), r.status, r.body.c_str());
      return 1;
    }
  }
  double best = 1e9;
  for (int round = 0; round < rounds; ++round) {
    const Split before = split_of(**app);
    auto t0 = Clock::now();
    for (long i = 0; i < requests; ++i) (void)(*app)->handle(req);
    double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() /
                static_cast<double>(requests);
    const Split after = split_of(**app);
    auto per = [&](double a, double b) { return (a - b) * 1e6 / static_cast<double>(requests); };
    best = std::min(best, us);
    std::printf(
        "round %d: %.2f us/request (handle %.2f: instantiate %.2f, guest %.2f of which host "
        "calls %.2f)\n",
        round + 1, us, per(after.total, before.total), per(after.instantiate, before.instantiate),
        per(after.guest, before.guest), per(after.host, before.host));
  }
  std::printf("best: %.2f us/request (%ld requests x %d rounds)\n", best, requests, rounds);
  return 0;
}
