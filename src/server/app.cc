// App: one Engine and Linker for the whole app; per request a Store, WASI state and an instance.
#include "server/app.h"

#include <algorithm>

#include "hull/wasi_http.hh"

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

// A route's prefix when it ends in "/...": "/api/..." -> "/api"; "/..." -> "".
std::optional<std::string_view> prefix_of(std::string_view route) {
  constexpr std::string_view kWild = "/...";
  if (route.size() >= kWild.size() && route.substr(route.size() - kWild.size()) == kWild) {
    return route.substr(0, route.size() - kWild.size());
  }
  return std::nullopt;
}

}  // namespace

std::optional<size_t> match_route(const std::vector<AppRoute>& routes, std::string_view path,
                                  std::string* path_info) {
  for (size_t i = 0; i < routes.size(); ++i) {
    if (!prefix_of(routes[i].route) && routes[i].route == path) {
      path_info->clear();
      return i;
    }
  }
  std::optional<size_t> best;
  size_t best_len = 0;
  for (size_t i = 0; i < routes.size(); ++i) {
    auto prefix = prefix_of(routes[i].route);
    if (!prefix) continue;
    // `/api/...` matches /api and /api/x, not /apix.
    bool matches = path.substr(0, prefix->size()) == *prefix &&
                   (path.size() == prefix->size() || path[prefix->size()] == '/');
    if (matches && (!best || prefix->size() > best_len)) {
      best = i;
      best_len = prefix->size();
    }
  }
  if (best) *path_info = std::string(path.substr(best_len));
  return best;
}

struct App::Impl {
  api::Engine engine;
  std::vector<AppComponent> components;
  std::vector<std::optional<ac::InstancePre>> pres;
  std::vector<AppRoute> routes;
  AppLimits limits;
  Metrics metrics;
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
  auto engine = api::Engine::create(config);
  if (!engine) return Error::make(ErrorKind::Usage, engine.error().message);
  auto impl = std::make_unique<Impl>();
  impl->engine = *engine;
  ac::Linker linker(impl->engine);
  if (auto r = api::wasi::add_to_linker(linker); !r) {
    return Error::make(ErrorKind::Usage, r.error().message);
  }
  for (const AppComponent& c : components) {
    auto comp = ac::Component::from_file(impl->engine, c.source);
    if (!comp) {
      return Error::make(ErrorKind::Invalid,
                         "component `" + c.name + "` (" + c.source + "): " + comp.error().message);
    }
    auto pre = linker.instantiate_pre(*comp);
    if (!pre) {
      return Error::make(ErrorKind::Unlinkable,
                         "component `" + c.name + "` (" + c.source + "): " + pre.error().message +
                             " (hull serve provides WASI 0.2 and wasi:http)");
    }
    impl->pres.emplace_back(*pre);
  }
  impl->components = std::move(components);
  impl->routes = std::move(routes);
  impl->limits = limits;
  return std::unique_ptr<App>(new App(std::move(impl)));
}

HttpResponse App::handle(const HttpRequest& request) {
  Impl& a = *impl_;
  auto started = Clock::now();
  RequestSample sample;
  auto finish = [&](HttpResponse r) {
    sample.status = r.status;
    sample.total_s = seconds(Clock::now() - started);
    a.metrics.record(sample);
    return r;
  };
  std::string path = request.target.substr(0, request.target.find('?'));
  std::string path_info;
  auto route = match_route(a.routes, path, &path_info);
  if (!route) return finish(failure(404, "no route for " + path));
  const AppRoute& r = a.routes[*route];
  sample.route = r.route;
  const AppComponent& comp = a.components[r.component];

  api::Store store(a.engine);
  if (a.limits.fuel) (void)store.set_fuel(*a.limits.fuel);
  if (a.limits.timeout) (void)store.set_deadline(*a.limits.timeout);
  if (auto w = api::wasi::attach(store, comp.wasi); !w) {
    sample.failure = RequestSample::Failure::error;
    return finish(failure(500, "component `" + comp.name + "`: " + w.error().message));
  }
  auto t0 = Clock::now();
  auto inst = a.pres[r.component]->instantiate(store);
  sample.instantiate_s = seconds(Clock::now() - t0);
  if (!inst) {
    sample.failure = RequestSample::Failure::trap;
    return finish(failure(
        500, "component `" + comp.name + "` failed to instantiate: " + inst.error().message));
  }

  api::wasi::http::Request req;
  req.method = request.method;
  req.authority = request.host;
  req.path_with_query = request.target;
  req.headers = request.headers;
  // What Spin tells a component about the route it was reached through.
  std::string base = prefix_of(r.route) ? std::string(*prefix_of(r.route)) : r.route;
  req.headers.emplace_back("spin-full-url", "http://" + request.host + request.target);
  req.headers.emplace_back("spin-path-info", path_info);
  req.headers.emplace_back("spin-matched-route", r.route);
  req.headers.emplace_back("spin-component-route", base);
  req.headers.emplace_back("spin-client-addr", request.peer);
  req.body = request.body;
  auto t1 = Clock::now();
  auto res = api::wasi::http::handle(store, *inst, std::move(req));
  sample.guest_s = seconds(Clock::now() - t1);
  if (!res) {
    const api::Error& e = res.error();
    std::string what = e.trap ? e.trap->message : e.message;
    if (e.trap && e.trap->code == api::TrapCode::OutOfFuel) {
      sample.failure = RequestSample::Failure::fuel;
    } else if (e.trap && e.trap->code == api::TrapCode::Interrupted) {
      sample.failure = RequestSample::Failure::deadline;
    } else if (e.trap) {
      sample.failure = RequestSample::Failure::trap;
    } else {
      sample.failure = RequestSample::Failure::error;
    }
    return finish(failure(500, "component `" + comp.name + "`: " + what));
  }
  HttpResponse out;
  out.status = res->status;
  out.headers = std::move(res->headers);
  out.body = std::move(res->body);
  return finish(std::move(out));
}

}  // namespace hull::server
