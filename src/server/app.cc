// App: one Engine and Linker for the whole app; per request a Store, WASI state and an instance.
#include "server/app.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "hull/component_snapshot.hh"
#include "hull/wasi_http.hh"
#include "serve/routes.h"

namespace hull::server {

namespace api = hull::api;
namespace ac = hull::api::component;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

HttpResponse failure(uint16_t status, const std::string& text) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  r.body = text + "\n";
  return r;
}

// The server's streamed request body as the guest's incoming body.
class ServerBodySource final : public api::wasi::http::BodySource {
 public:
  explicit ServerBodySource(RequestBodyStream* body) : body_(body) {}
  api::Result<bool> read(size_t max, std::string* out) override {
    auto r = body_->read(max, out);
    if (!r) return api::Error(api::ErrorKind::Io, r.error().message);
    return *r;
  }
  std::optional<api::wasi::http::FieldList> trailers() override {
    FieldList t = body_->trailers();
    if (t.empty()) return std::nullopt;
    return t;
  }

 private:
  RequestBodyStream* body_;
};

// The guest's response, streamed to the server as the guest writes it.
class ServerBodySink final : public api::wasi::http::BodySink {
 public:
  explicit ServerBodySink(ResponseStream* out) : out_(out) {}
  api::Result<void> start(uint16_t status, const api::wasi::http::FieldList& headers) override {
    status_ = status;
    return converted(out_->start(status, headers));
  }
  api::Result<void> write(std::string_view bytes) override { return converted(out_->write(bytes)); }
  api::Result<void> finish(const std::optional<api::wasi::http::FieldList>& trailers) override {
    auto s = converted(out_->finish(trailers ? *trailers : FieldList{}));
    finished_ = s.ok();
    return s;
  }
  uint16_t status() const { return status_; }
  bool finished() const { return finished_; }

 private:
  static api::Result<void> converted(const Status& s) {
    if (!s) return api::Error(api::ErrorKind::Io, s.error().message);
    return {};
  }
  ResponseStream* out_;
  uint16_t status_ = 0;
  bool finished_ = false;
};

// Label values for hull_guest_traps_total and the access log.
const char* trap_kind_name(api::TrapCode code) {
  switch (code) {
    case api::TrapCode::Unreachable: return "unreachable";
    case api::TrapCode::MemoryOutOfBounds: return "memory_out_of_bounds";
    case api::TrapCode::TableOutOfBounds: return "table_out_of_bounds";
    case api::TrapCode::UndefinedElement: return "undefined_element";
    case api::TrapCode::UninitializedElement: return "uninitialized_element";
    case api::TrapCode::IndirectCallTypeMismatch: return "indirect_call_type_mismatch";
    case api::TrapCode::NullReference: return "null_reference";
    case api::TrapCode::IntegerDivideByZero: return "integer_divide_by_zero";
    case api::TrapCode::IntegerOverflow: return "integer_overflow";
    case api::TrapCode::InvalidConversion: return "invalid_conversion";
    case api::TrapCode::StackExhausted: return "stack_exhausted";
    case api::TrapCode::OutOfFuel: return "out_of_fuel";
    case api::TrapCode::Interrupted: return "deadline";
    case api::TrapCode::Host: return "host";
    case api::TrapCode::Component: return "component";
    case api::TrapCode::UnalignedAtomic: return "unaligned_atomic";
    case api::TrapCode::ExpectedSharedMemory: return "expected_shared_memory";
    case api::TrapCode::ArrayOutOfBounds: return "array_out_of_bounds";
    case api::TrapCode::CastFailure: return "cast_failure";
    case api::TrapCode::HeapExhausted: return "heap_exhausted";
    case api::TrapCode::Exception: return "uncaught_exception";
  }
  return "other";
}

const char* failure_name(RequestSample::Failure f) {
  switch (f) {
    case RequestSample::Failure::none: return "none";
    case RequestSample::Failure::trap: return "trap";
    case RequestSample::Failure::fuel: return "fuel";
    case RequestSample::Failure::deadline: return "deadline";
    case RequestSample::Failure::error: return "error";
  }
  return "error";
}

}  // namespace

// An instance with the store it lives in (never moved: the instance points at it) and, when it
// can be reused, the snapshot it is reset to.
struct Reusable {
  std::unique_ptr<api::Store> store;
  ac::Instance instance;
  std::optional<ac::InstanceSnapshot> snapshot;
  std::optional<api::wasi::http::Handler> handler;  // the instance's, found once
};

// A component's used instances waiting to be reset and taken again (AppLimits::reuse_instances).
struct IdleInstances {
  // At most this many wait: one per concurrent request is all that is ever taken again, and the
  // server runs one request per worker thread at a time.
  static constexpr size_t kMax = 64;
  std::mutex mu;
  std::vector<std::unique_ptr<Reusable>> idle;  // guarded by mu
  std::once_flag refused;                       // a snapshot was refused: said once on stderr
  std::atomic<bool> reusable{true};
};

struct App::Impl {
  api::Engine engine;
  std::vector<AppComponent> components;
  std::vector<std::optional<ac::InstancePre>> pres;
  std::vector<AppRoute> routes;
  hull::serve::Router router;  // routes -> the component's index, as text
  AppLimits limits;
  Metrics metrics;
  // Parallel to components. Declared last so that the instances go before what they use.
  std::unique_ptr<IdleInstances[]> idle;

  std::unique_ptr<Reusable> take_idle(size_t component) {
    IdleInstances& pool = idle[component];
    std::unique_ptr<Reusable> r;
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      if (pool.idle.empty()) return nullptr;
      r = std::move(pool.idle.back());
      pool.idle.pop_back();
    }
    metrics.idle_down();
    return r;
  }
  void give_back(size_t component, std::unique_ptr<Reusable> r) {
    IdleInstances& pool = idle[component];
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      if (pool.idle.size() >= IdleInstances::kMax) return;  // `r` goes with its store
      pool.idle.push_back(std::move(r));
    }
    metrics.idle_up();
  }
};

App::App(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
App::~App() = default;
Metrics& App::metrics() { return impl_->metrics; }

Result<std::unique_ptr<App>> App::create(std::vector<AppComponent> components,
                                         std::vector<AppRoute> routes, AppLimits limits) {
  api::Config config;
  config.consume_fuel = limits.fuel.has_value();
  config.epoch_interruption = limits.timeout.has_value();
  if (limits.max_memory_bytes) config.limits.max_memory_bytes = *limits.max_memory_bytes;
  config.memory_images = limits.memory_images;
  config.bounds_checks = limits.bounds_checks;
  config.tier = limits.tier;
  config.native_opt_level = limits.native_opt_level;
  auto engine = api::Engine::create(config);
  if (!engine) return Error::make(ErrorKind::Usage, engine.error().message);
  auto impl = std::make_unique<Impl>();
  impl->engine = *engine;
  ac::Linker linker(impl->engine);
  if (auto r = api::wasi::add_to_linker(linker); !r) {
    return Error::make(ErrorKind::Usage, r.error().message);
  }
  if (auto r = hull::serve::add_serve_to_linker(linker); !r) {
    return Error::make(ErrorKind::Usage, r.error().message);
  }
  for (const AppRoute& r : routes) {
    auto route = hull::serve::parse_route(r.route);
    if (!route) return std::move(route).error();
    if (r.component >= components.size() ||
        !impl->router.add(*route, std::to_string(r.component))) {
      return Error::make(ErrorKind::Usage, "route " + r.route + " is given twice");
    }
  }
  for (const AppComponent& c : components) {
    auto comp = ac::Component::from_file(impl->engine, c.source);
    if (!comp) {
      return Error::make(ErrorKind::Invalid,
                         "component `" + c.name + "` (" + c.source + "): " + comp.error().message);
    }
    // Refuse at start-up, not with a 500 per request, what could never answer a request.
    bool handler = false;
    for (const auto& [name, info] : comp->exports()) {
      if (name.rfind("wasi:http/incoming-handler@0.2.", 0) == 0 &&
          info.kind == ac::ExternInfo::Kind::Instance &&
          std::find(info.export_names.begin(), info.export_names.end(), "handle") !=
              info.export_names.end()) {
        handler = true;
      }
    }
    if (!handler) {
      return Error::make(ErrorKind::Usage,
                         "component `" + c.name + "` (" + c.source +
                             ") exports no wasi:http/incoming-handler@0.2.x (with `handle`): "
                             "hull serve needs a wasi:http proxy component");
    }
    auto pre = linker.instantiate_pre(*comp);
    if (!pre) {
      return Error::make(ErrorKind::Unlinkable,
                         "component `" + c.name + "` (" + c.source + "): " + pre.error().message +
                             " (hull serve provides WASI 0.2 and wasi:http)");
    }
    impl->pres.emplace_back(*pre);
  }
  impl->idle = std::make_unique<IdleInstances[]>(components.size());
  impl->components = std::move(components);
  impl->routes = std::move(routes);
  impl->limits = limits;
  return std::unique_ptr<App>(new App(std::move(impl)));
}

HttpResponse App::handle(const HttpRequest& request) {
  Impl& a = *impl_;
  auto started = Clock::now();
  a.metrics.begin();
  RequestSample sample;
  std::string component_name;
  api::Store* live = nullptr;   // the request's store, once made: its costs go into the sample
  api::Store::Stats live_base;  // a reused store's costs before this request
  auto finish = [&](HttpResponse r) {
    sample.status = r.status;
    sample.total_s = seconds(Clock::now() - started);
    uint64_t host_calls = 0;
    if (live) {
      api::Store::Stats st = live->stats();
      sample.host_s =
          std::chrono::duration<double>(st.host_call_time - live_base.host_call_time).count();
      sample.fuel = st.fuel_consumed - live_base.fuel_consumed;
      host_calls = st.host_calls - live_base.host_calls;
    }
    a.metrics.record(sample);
    if (!request.log_fields_wanted) return r;
    // The same breakdown in the access log (hull serve --access-log, --log-format json).
    auto us = [](double s) { return std::to_string(static_cast<uint64_t>(s * 1e6)); };
    FieldList& f = r.log_fields;
    f.emplace_back("route", sample.route);
    if (!component_name.empty()) f.emplace_back("component", component_name);
    if (live) {
      f.emplace_back("instantiate_us", us(sample.instantiate_s));
      f.emplace_back("guest_us", us(sample.guest_s));
      f.emplace_back("host_us", us(sample.host_s));
      f.emplace_back("host_calls", std::to_string(host_calls));
      if (a.limits.fuel) f.emplace_back("fuel", std::to_string(sample.fuel));
    }
    if (sample.failure != RequestSample::Failure::none) {
      f.emplace_back("failure", failure_name(sample.failure));
      if (!sample.trap_kind.empty()) f.emplace_back("trap", sample.trap_kind);
    }
    return r;
  };
  std::string path = request.target.substr(0, request.target.find('?'));
  auto match = a.router.match(path);
  if (!match) return finish(failure(404, "no route for " + path));
  sample.route = match->matched_route;
  const size_t comp_index = std::stoul(match->component);
  const AppComponent& comp = a.components[comp_index];
  component_name = comp.name;

  // Counts the instance as live while it answers this request: declared first, so destroyed
  // last.
  struct LiveInstance {
    Metrics& m;
    explicit LiveInstance(Metrics& metrics) : m(metrics) { m.instance_up(); }
    ~LiveInstance() { m.instance_down(); }
  } live_instance(a.metrics);
  // A used instance reset to its snapshot, or else a new store to instantiate in.
  IdleInstances& pool = a.idle[comp_index];
  bool reuse = a.limits.reuse_instances && pool.reusable.load(std::memory_order_relaxed);
  // Why this component's instances are not reused (said once on stderr).
  auto refuse = [&](const std::string& why) {
    reuse = false;
    pool.reusable.store(false, std::memory_order_relaxed);
    std::call_once(pool.refused, [&] {
      std::fprintf(stderr, "hull serve: component `%s` is instantiated for every request: %s\n",
                   comp.name.c_str(), why.c_str());
    });
  };
  auto t0 = Clock::now();
  std::unique_ptr<Reusable> used = reuse ? a.take_idle(comp_index) : nullptr;
  if (used) {
    if (auto r = used->snapshot->restore(*used->store); !r) {
      // E.g. GC objects alive after the request: then after every request.
      used.reset();
      refuse("a used instance could not be reset: " + r.error().message);
    }
  }
  sample.reset = used != nullptr;
  if (!used) {
    used = std::make_unique<Reusable>();
    used->store = std::make_unique<api::Store>(a.engine);
    used->store->time_host_calls(true);
  }
  api::Store& store = *used->store;
  live = &store;
  if (sample.reset) {
    sample.instantiate_s = seconds(Clock::now() - t0);
    live_base = store.stats();  // what earlier requests cost this store
  }
  if (a.limits.fuel) (void)store.set_fuel(*a.limits.fuel);
  if (a.limits.timeout) {
    (void)store.set_deadline(*a.limits.timeout);
    // Waits on the connection (a streamed body, a client slow to read) end there too.
    if (request.response_stream) request.response_stream->set_deadline(started + *a.limits.timeout);
  }
  // Fresh WASI and Spin state for every request (replacing a reused store's).
  if (auto w = api::wasi::attach(store, comp.wasi); !w) {
    sample.failure = RequestSample::Failure::error;
    return finish(failure(500, "component `" + comp.name + "`: " + w.error().message));
  }
  if (auto w = hull::serve::attach_serve(store, comp.serve.value_or(hull::serve::ServeConfig{}));
      !w) {
    sample.failure = RequestSample::Failure::error;
    return finish(failure(500, "component `" + comp.name + "`: " + w.error().message));
  }
  if (!sample.reset) {
    auto t1 = Clock::now();
    auto inst = a.pres[comp_index]->instantiate(store);
    if (!inst) {
      sample.instantiate_s = seconds(Clock::now() - t1);
      sample.failure = RequestSample::Failure::trap;
      if (inst.error().trap) sample.trap_kind = trap_kind_name(inst.error().trap->code);
      return finish(failure(
          500, "component `" + comp.name + "` failed to instantiate: " + inst.error().message));
    }
    used->instance = *inst;
    auto handler = api::wasi::http::Handler::of(used->instance);
    if (!handler) {
      sample.instantiate_s = seconds(Clock::now() - t1);
      sample.failure = RequestSample::Failure::error;
      return finish(failure(500, "component `" + comp.name + "`: " + handler.error().message));
    }
    used->handler.emplace(std::move(*handler));
    if (reuse) {
      // Right after instantiation, before the guest runs: the state every request starts from.
      auto snap = ac::InstanceSnapshot::take(store, used->instance);
      if (snap) {
        used->snapshot.emplace(std::move(*snap));
      } else {
        refuse(snap.error().message);
      }
    }
    sample.instantiate_s = seconds(Clock::now() - t1);
  }
  // A request that succeeded leaves its instance for the next one (reset when taken).
  auto keep_for_reuse = [&](HttpResponse r) {
    HttpResponse out = finish(std::move(r));
    if (used->snapshot) {
      // Waiting, it has no deadline (the epoch timer has nothing to mark); the next request
      // sets its own.
      if (a.limits.timeout) used->store->clear_deadline();
      a.give_back(comp_index, std::move(used));
    }
    return out;
  };

  api::wasi::http::Request req;
  req.method = request.method;
  req.authority = request.host;
  req.path_with_query = request.target;
  // The request's fields and the six Spin adds, in one allocation.
  req.headers.reserve(request.headers.size() + 6);
  req.headers.insert(req.headers.end(), request.headers.begin(), request.headers.end());
  // What Spin tells a component about the route it was reached through.
  req.headers.emplace_back("spin-full-url", "http://" + request.host + request.target);
  req.headers.emplace_back("spin-path-info", match->path_info);
  req.headers.emplace_back("spin-matched-route", match->matched_route);
  req.headers.emplace_back("spin-base-path", "/");
  req.headers.emplace_back("spin-component-route", match->base);
  req.headers.emplace_back("spin-client-addr", request.peer);
  if (request.body_stream) {
    req.body_source = std::make_shared<ServerBodySource>(request.body_stream);
  } else {
    req.body = request.body;
  }
  std::shared_ptr<ServerBodySink> sink;
  if (request.response_stream) sink = std::make_shared<ServerBodySink>(request.response_stream);
  auto t2 = Clock::now();
  auto res = api::wasi::http::handle(store, *used->handler, std::move(req), sink);
  sample.guest_s = seconds(Clock::now() - t2);
  if (!res) {
    const api::Error& e = res.error();
    std::string what = e.trap ? e.trap->message : e.message;
    if (e.trap) sample.trap_kind = trap_kind_name(e.trap->code);
    if (e.trap && e.trap->code == api::TrapCode::OutOfFuel) {
      sample.failure = RequestSample::Failure::fuel;
    } else if (e.trap && e.trap->code == api::TrapCode::Interrupted) {
      sample.failure = RequestSample::Failure::deadline;
    } else if (e.trap) {
      sample.failure = RequestSample::Failure::trap;
    } else if (a.limits.timeout && Clock::now() >= started + *a.limits.timeout) {
      // The connection refused the guest's reads and writes at the deadline (the server's
      // streams): the request ran out of time as surely as an interrupted guest.
      sample.failure = RequestSample::Failure::deadline;
    } else {
      sample.failure = RequestSample::Failure::error;
    }
    if (request.response_stream && request.response_stream->committed()) {
      // Part of the answer is out: it cannot become a 500. The server cuts the connection
      // (unless the guest had finished the body before it failed: then the answer is whole).
      HttpResponse cut;
      cut.status = sink->status();
      cut.streamed = true;
      return finish(std::move(cut));
    }
    return finish(failure(500, "component `" + comp.name + "`: " + what));
  }
  if (sink) {
    HttpResponse streamed;  // the answer went to the server as the guest wrote it
    streamed.status = res->status;
    streamed.streamed = true;
    return keep_for_reuse(std::move(streamed));
  }
  HttpResponse out;
  out.status = res->status;
  out.headers = std::move(res->headers);
  out.body = std::move(res->body);
  return keep_for_reuse(std::move(out));
}

}  // namespace hull::server
