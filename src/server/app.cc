// App: one Engine and Linker for the whole app; per request a Store, WASI state and an instance.
#include "server/app.h"

#include <algorithm>

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

}  // namespace

struct App::Impl {
  api::Engine engine;
  std::vector<AppComponent> components;
  std::vector<std::optional<ac::InstancePre>> pres;
  std::vector<AppRoute> routes;
  hull::serve::Router router;  // routes -> the component's index, as text
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
  auto finish = [&](HttpResponse r) {
    sample.status = r.status;
    sample.total_s = seconds(Clock::now() - started);
    a.metrics.record(sample);
    return r;
  };
  std::string path = request.target.substr(0, request.target.find('?'));
  auto match = a.router.match(path);
  if (!match) return finish(failure(404, "no route for " + path));
  sample.route = match->matched_route;
  const AppComponent& comp = a.components[std::stoul(match->component)];
  const size_t comp_index = std::stoul(match->component);

  api::Store store(a.engine);
  if (a.limits.fuel) (void)store.set_fuel(*a.limits.fuel);
  if (a.limits.timeout) (void)store.set_deadline(*a.limits.timeout);
  if (auto w = api::wasi::attach(store, comp.wasi); !w) {
    sample.failure = RequestSample::Failure::error;
    return finish(failure(500, "component `" + comp.name + "`: " + w.error().message));
  }
  if (auto w = hull::serve::attach_serve(store, comp.serve.value_or(hull::serve::ServeConfig{}));
      !w) {
    sample.failure = RequestSample::Failure::error;
    return finish(failure(500, "component `" + comp.name + "`: " + w.error().message));
  }
  auto t0 = Clock::now();
  auto inst = a.pres[comp_index]->instantiate(store);
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
  req.headers.emplace_back("spin-full-url", "http://" + request.host + request.target);
  req.headers.emplace_back("spin-path-info", match->path_info);
  req.headers.emplace_back("spin-matched-route", match->matched_route);
  req.headers.emplace_back("spin-base-path", "/");
  req.headers.emplace_back("spin-component-route", match->base);
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
