// `hull serve COMPONENT`: serve a wasi:http component (a fresh instance per request) over
// HTTP/1.1, with Prometheus metrics on a separate admin address. SIGTERM or SIGINT stops it
// gracefully: listeners close, in-flight requests finish, then the process exits 0.
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "server/app.h"
#include "server/http_server.h"
#include "server/manifest_app.h"
#include "tier_flag.h"

namespace hull::cli {

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

void print_serve_help(FILE* out) {
  std::fputs(
      "usage: hull serve [OPTIONS] COMPONENT.wasm|COMPONENT.wat|APP.toml\n"
      "\n"
      "Serves a wasi:http component (one exporting wasi:http/incoming-handler): every request\n"
      "gets a fresh instance from the component pre-linked once against WASI 0.2 and wasi:http.\n"
      "A guest that traps, runs out of fuel or passes its deadline costs a 500 for that request\n"
      "and nothing else. SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit 0.\n"
      "APP.toml is an app manifest in Spin's spin.toml v2 layout: components with their\n"
      "routes ([[trigger.http]]), environment, files, allowed_outbound_hosts,\n"
      "key_value_stores (wasi:keyvalue, fermyon:spin/key-value) and variables.\n"
      "\n"
      "options:\n"
      "  --addr HOST:PORT        where to listen (default 127.0.0.1:3000; port 0 picks one)\n"
      "  --admin-addr HOST:PORT  Prometheus /metrics and /healthz here (default: off)\n"
      "  --workers N             worker threads, each with its own listener (default: one per\n"
      "                          core)\n"
      "  --fuel N                fuel per request\n"
      "  --timeout DURATION      deadline per request, e.g. 500ms or 2s\n"
      "  --max-memory SIZE       cap each linear memory (K, M, G suffixes)\n"
      "  --max-body SIZE         largest request body accepted (default: no limit, as with\n"
      "                          wasmtime serve; 0: no limit). A declared Content-Length over\n"
      "                          it is a 413; a chunked body that grows past it fails the\n"
      "                          guest's read. Bodies up to 64K (by Content-Length) are read\n"
      "                          whole first; longer or chunked ones stream to the guest as\n"
      "                          it reads, bounded in time by --timeout and the read timeout\n"
      "                          (--read-timeout), never held whole in memory.\n"
      "                          Responses stream too (chunked unless the guest sets\n"
      "                          content-length); a guest that fails after its response\n"
      "                          began cuts the connection (the client sees it incomplete).\n"
      "  --max-header SIZE       largest request header accepted (default 16K; more: 431)\n"
      "  --read-timeout DURATION how long a connection may make no progress: an idle\n"
      "                          keep-alive connection, a slow request header or body, a\n"
      "                          client not reading the response (default 30s); then it is\n"
      "                          closed\n"
      "  --access-log FILE|-     one line per request (- for stderr): peer, request, status,\n"
      "                          bytes, time, route, component, instantiation/guest/host-call\n"
      "                          time, host calls, fuel, failure and trap kind\n"
      "  --log-format text|json  access-log lines as text (default) or one JSON object each\n"
      "  --pooling on|off        reuse memory reservations across instances (default on)\n"
      "  --instance-reuse on|off reset a used instance to the snapshot taken right after its\n"
      "                          instantiation instead of instantiating for each request: the\n"
      "                          same fresh state, cheaper (default on; components with start\n"
      "                          functions or async built-ins are instantiated regardless)\n"
      "  --memory-images on|off  map big data segments copy-on-write from one image per\n"
      "                          module instead of copying them per instance (default on)\n"
      "  --bounds-checks guard|explicit\n"
      "                          guard pages (default where supported) or a check per access\n"
      "  --tier interp|baseline|native  run the components' core code interpreted or as machine\n"
      "                          code, compiled before serving starts: baseline (the default on\n"
      "                          x86-64 Linux, else interp) copies it from the interpreter's\n"
      "                          handlers (milliseconds, code about 2x the interpreter's\n"
      "                          speed); native has LLVM optimize it (hull-native only; minutes\n"
      "                          for a big component, cached on disk for the next start)\n"
      "  --opt-level 0|1|2       with --tier native: how hard LLVM optimizes (2, the default;\n"
      "                          0 compiles big components in a tenth of the time, slower code)\n"
      "  --env NAME=VALUE        environment variable for the component; repeatable\n"
      "  --dir HOST[::GUEST]     preopen a host directory (read-only: HOST::GUEST:ro)\n"
      "  -S allow-outbound=URL   let the component send HTTP requests there (Spin's syntax,\n"
      "                          e.g. http://127.0.0.1:8080 or *://*.example.com:*); repeatable\n"
      "  --port-file FILE        write the bound port there once listening (for scripts)\n"
      "  --runtime-config FILE   APP.toml only: Spin's runtime-config.toml, choosing each\n"
      "                          key-value store's backend (spin = SQLite, redis = url)\n"
      "  --state-dir DIR         APP.toml only: where SQLite stores and staged files live\n"
      "                          (default: .hull/ beside the manifest)\n"
      "  -h, --help              this text\n",
      out);
}

std::optional<uint64_t> parse_size(const std::string& v) {
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  if (i == 0 || i > 15) return std::nullopt;
  uint64_t n = std::strtoull(v.substr(0, i).c_str(), nullptr, 10);
  std::string unit = v.substr(i);
  uint64_t mul = unit.empty() || unit == "B"                   ? 1
                 : unit == "K" || unit == "KiB" || unit == "k" ? 1ull << 10
                 : unit == "M" || unit == "MiB"                ? 1ull << 20
                 : unit == "G" || unit == "GiB"                ? 1ull << 30
                                                               : 0;
  if (mul == 0) return std::nullopt;
  return n * mul;
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& v) {
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  if (i == 0 || i > 12) return std::nullopt;
  uint64_t n = std::strtoull(v.substr(0, i).c_str(), nullptr, 10);
  std::string unit = v.substr(i);
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::milliseconds(n * 1000);
  return std::nullopt;
}

// "HOST:PORT" (IPv6 as [ADDR]:PORT).
bool split_addr(const std::string& v, std::string* host, uint16_t* port) {
  size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon + 1 >= v.size()) return false;
  std::string h = v.substr(0, colon), p = v.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5) {
    return false;
  }
  unsigned long n = std::strtoul(p.c_str(), nullptr, 10);
  if (n > 65535) return false;
  *host = h;
  *port = static_cast<uint16_t>(n);
  return true;
}

}  // namespace

int serve_command(int argc, char** argv) {
  server::ServerConfig sc;
  std::optional<server::ServerConfig> admin;
  server::AppLimits limits;
  bool tier_given = false;
  server::AppComponent comp;
  std::string file, access_log, port_file, runtime_config, state_dir;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    std::string name = a, val;
    bool has_val = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      name = a.substr(0, a.find('='));
      val = a.substr(a.find('=') + 1);
      has_val = true;
    }
    auto need = [&](std::string* out) {
      if (has_val) {
        *out = val;
        return true;
      }
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value (see hull serve --help)\n", name.c_str());
        return false;
      }
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (name == "-h" || name == "--help") {
      print_serve_help(stdout);
      return 0;
    } else if (name == "--addr" || name == "--admin-addr") {
      if (!need(&v)) return kExitUsage;
      server::ServerConfig* target = &sc;
      if (name == "--admin-addr") {
        admin.emplace();
        admin->workers = 1;
        target = &*admin;
      }
      if (!split_addr(v, &target->address, &target->port)) {
        std::fprintf(stderr, "error: %s %s: expected HOST:PORT, e.g. 127.0.0.1:3000\n",
                     name.c_str(), v.c_str());
        return kExitUsage;
      }
    } else if (name == "--workers") {
      if (!need(&v)) return kExitUsage;
      auto n = parse_size(v);
      if (!n || *n == 0 || *n > 1024 || v.find_first_not_of("0123456789") != std::string::npos) {
        std::fprintf(stderr, "error: --workers %s: expected a number from 1 to 1024\n", v.c_str());
        return kExitUsage;
      }
      sc.workers = static_cast<unsigned>(*n);
    } else if (name == "--fuel") {
      if (!need(&v)) return kExitUsage;
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
        std::fprintf(stderr, "error: --fuel %s: not a number\n", v.c_str());
        return kExitUsage;
      }
      limits.fuel = std::strtoull(v.c_str(), nullptr, 10);
    } else if (name == "--timeout") {
      if (!need(&v)) return kExitUsage;
      limits.timeout = parse_duration(v);
      if (!limits.timeout) {
        std::fprintf(stderr, "error: --timeout %s: expected a duration like 500ms or 2s\n",
                     v.c_str());
        return kExitUsage;
      }
    } else if (name == "--read-timeout") {
      if (!need(&v)) return kExitUsage;
      auto d = parse_duration(v);
      if (!d || d->count() == 0) {
        std::fprintf(stderr,
                     "error: --read-timeout %s: expected a duration above zero like 500ms or "
                     "30s\n",
                     v.c_str());
        return kExitUsage;
      }
      sc.read_timeout = *d;
    } else if (name == "--max-memory" || name == "--max-body" || name == "--max-header") {
      if (!need(&v)) return kExitUsage;
      auto n = parse_size(v);
      if (!n) {
        std::fprintf(stderr, "error: %s %s: expected a size like 64M\n", name.c_str(), v.c_str());
        return kExitUsage;
      }
      if (name == "--max-memory") limits.max_memory_bytes = *n;
      if (name == "--max-body") sc.max_body_bytes = *n;
      if (name == "--max-header") sc.max_header_bytes = *n;
    } else if (name == "--access-log") {
      if (!need(&access_log)) return kExitUsage;
    } else if (name == "--log-format" || name == "--pooling" || name == "--memory-images" ||
               name == "--bounds-checks" || name == "--instance-reuse") {
      if (!need(&v)) return kExitUsage;
      const bool log_format = name == "--log-format", checks = name == "--bounds-checks";
      const char* one = log_format ? "text" : checks ? "guard" : "on";
      const char* other = log_format ? "json" : checks ? "explicit" : "off";
      if (v != one && v != other) {
        std::fprintf(stderr, "error: %s %s: expected %s or %s\n", name.c_str(), v.c_str(), one,
                     other);
        return kExitUsage;
      }
      const bool first = v == one;
      if (log_format) sc.access_log_json = !first;
      if (name == "--pooling") api::set_memory_reservation_pool_cap(first ? 64 : 0);
      if (name == "--memory-images") limits.memory_images = first;
      if (name == "--instance-reuse") limits.reuse_instances = first;
      if (checks) {
        limits.bounds_checks = first ? api::BoundsChecks::Guard : api::BoundsChecks::Explicit;
      }
    } else if (name == "--tier") {
      if (!need(&v)) return kExitUsage;
      // No `auto`: a server compiles before it answers, not beside its requests.
      bool native = false, baseline = false;
      if (!parse_tier(v, &native, nullptr, &baseline)) return kExitUsage;
      limits.tier = baseline ? api::Tier::Baseline
                    : native ? api::Tier::Native
                             : api::Tier::Interpreter;
      tier_given = true;
    } else if (name == "--opt-level") {
      if (!need(&v) || !parse_opt_level(v, &limits.native_opt_level)) return kExitUsage;
    } else if (name == "--runtime-config") {
      if (!need(&runtime_config)) return kExitUsage;
    } else if (name == "--state-dir") {
      if (!need(&state_dir)) return kExitUsage;
    } else if (name == "--port-file") {
      if (!need(&port_file)) return kExitUsage;
    } else if (name == "--env") {
      if (!need(&v)) return kExitUsage;
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "error: --env %s: expected NAME=VALUE\n", v.c_str());
        return kExitUsage;
      }
      comp.wasi.env.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (name == "--dir") {
      if (!need(&v)) return kExitUsage;
      api::wasi::Preopen p;
      bool ro = v.size() > 3 && v.substr(v.size() - 3) == ":ro";
      std::string spec = ro ? v.substr(0, v.size() - 3) : v;
      size_t sep = spec.find("::");
      p.host_path = spec.substr(0, sep);
      p.guest_path = sep == std::string::npos ? spec : spec.substr(sep + 2);
      p.readonly = ro;
      comp.wasi.preopens.push_back(p);
    } else if (name == "-S") {
      if (!need(&v)) return kExitUsage;
      constexpr std::string_view kOut = "allow-outbound=";
      if (v.rfind(kOut, 0) != 0 || v.size() == kOut.size()) {
        std::fprintf(stderr, "error: -S %s: hull serve knows allow-outbound=URL\n", v.c_str());
        return kExitUsage;
      }
      comp.wasi.allowed_outbound_hosts.push_back(v.substr(kOut.size()));
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "error: unknown option '%s' (see hull serve --help)\n", a.c_str());
      return kExitUsage;
    } else if (file.empty()) {
      file = a;
    } else {
      std::fprintf(stderr, "error: unexpected argument '%s' (one COMPONENT only)\n", a.c_str());
      return kExitUsage;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "error: no component given (see hull serve --help)\n");
    return kExitUsage;
  }
  FILE* log = nullptr;
  if (access_log == "-") {
    log = stderr;
  } else if (!access_log.empty()) {
    log = std::fopen(access_log.c_str(), "a");
    if (!log) {
      std::fprintf(stderr, "error: --access-log %s: %s\n", access_log.c_str(),
                   std::strerror(errno));
      return kExitError;
    }
  }
  sc.access_log = log;

  // A manifest (app.toml) names components, routes, stores and variables; a component alone
  // answers every path.
  server::ManifestApp from_manifest;
  std::unique_ptr<server::App> single;
  server::App* the_app = nullptr;
  // Compiling to machine code can take minutes for a big module (an 11 MB componentize-js
  // component: ~7 at LLVM's O2): say so before, and how long it took after.
  const auto load_started = std::chrono::steady_clock::now();
  // The baseline tier by default where it exists: a server compiles once and runs for long, and
  // big guests run 1.5x as many requests a second (docs/PERFORMANCE.md, "hull serve with the
  // baseline tier"); --tier interp for the interpreter. Asked only then: finding out builds
  // the tier's tables.
  if (!tier_given && baseline_available()) limits.tier = api::Tier::Baseline;
  if (limits.tier == api::Tier::Native) {
    std::fprintf(stderr,
                 "hull serve: compiling the core code to machine code before listening (a large "
                 "module takes minutes the first time; later starts load it from the cache)\n");
  }
  if (file.size() > 5 && file.substr(file.size() - 5) == ".toml") {
    server::ManifestOptions mo;
    mo.runtime_config = runtime_config;
    mo.state_dir = state_dir;
    mo.limits = limits;
    mo.allowed_outbound_hosts = comp.wasi.allowed_outbound_hosts;
    auto loaded = server::load_manifest_app(file, mo);
    if (!loaded) {
      std::fprintf(stderr, "error: %s\n", loaded.error().message.c_str());
      return kExitError;
    }
    from_manifest = std::move(*loaded);
    for (const auto& w : from_manifest.warnings) {
      std::fprintf(stderr, "warning: %s\n", w.to_string().c_str());
    }
    the_app = from_manifest.app.get();
  } else {
    if (!runtime_config.empty() || !state_dir.empty()) {
      std::fprintf(stderr,
                   "error: --runtime-config and --state-dir configure a manifest's key-value "
                   "stores; serve an app.toml to use them\n");
      return kExitUsage;
    }
    comp.name = file;
    comp.source = file;
    auto app = server::App::create({comp}, {{"/...", 0}}, limits);
    if (!app) {
      std::fprintf(stderr, "error: %s\n", app.error().message.c_str());
      return kExitError;
    }
    single = std::move(*app);
    the_app = single.get();
  }
  if (limits.tier == api::Tier::Native) {
    std::fprintf(
        stderr, "hull serve: ready in %.1f s\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_started).count());
  }

  // Signals are taken by one thread with sigwait, so no handler runs inside a worker.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  server::Server main_server(
      sc, [the_app](const server::HttpRequest& r) { return the_app->handle(r); });
  if (auto st = main_server.listen(); !st) {
    std::fprintf(stderr, "error: %s\n", st.error().message.c_str());
    return kExitError;
  }
  std::unique_ptr<server::Server> admin_server;
  if (admin) {
    admin_server =
        std::make_unique<server::Server>(*admin, [the_app](const server::HttpRequest& r) {
          server::HttpResponse res;
          std::string path = r.target.substr(0, r.target.find('?'));
          if (path == "/metrics") {
            res.headers.emplace_back("content-type", "text/plain; version=0.0.4");
            res.body = the_app->metrics().render();
          } else if (path == "/healthz") {
            res.body = "ok\n";
          } else {
            res.status = 404;
            res.body = "the admin address serves /metrics and /healthz\n";
          }
          return res;
        });
    if (auto st = admin_server->listen(); !st) {
      std::fprintf(stderr, "error: admin: %s\n", st.error().message.c_str());
      return kExitError;
    }
  }
  std::fprintf(stderr, "hull serve: %s on http://%s:%u/%s\n", file.c_str(), sc.address.c_str(),
               main_server.port(),
               admin_server ? (" (metrics on http://" + admin->address + ":" +
                               std::to_string(admin_server->port()) + "/metrics)")
                                  .c_str()
                            : "");
  if (!port_file.empty()) {
    // Written whole, then renamed into place: a script polling for the file never reads half.
    std::string tmp = port_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    bool ok = f && std::fprintf(f, "%u\n", main_server.port()) > 0;
    if (f && std::fclose(f) != 0) ok = false;
    if (!ok || std::rename(tmp.c_str(), port_file.c_str()) != 0) {
      std::fprintf(stderr, "error: --port-file %s: %s\n", port_file.c_str(), std::strerror(errno));
      return kExitError;
    }
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    main_server.stop();
    if (admin_server) admin_server->stop();
    // Printed once new connections are refused (scripts wait for this line).
    std::fprintf(stderr, "hull serve: %s: stopped listening, finishing in-flight requests\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
  });
  std::thread admin_thread;
  if (admin_server) admin_thread = std::thread([&] { admin_server->run(); });
  main_server.run();
  // The main server can also end by itself only through stop(): the waiter has run.
  waiter.join();
  if (admin_thread.joinable()) admin_thread.join();
  if (log && log != stderr) std::fclose(log);
  return 0;
}

}  // namespace hull::cli
