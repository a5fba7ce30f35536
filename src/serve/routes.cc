// Spin-style route parsing and matching (see routes.h).
#include "serve/routes.h"

#include <algorithm>

namespace hull::serve {

namespace {

constexpr std::string_view kWildcard = "/...";

// "/a//b/" -> "/a/b": Spin treats the trailing slash as insignificant.
std::string trim_trailing_slashes(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

// Most specific first: exact routes, then prefixes longest first, then the catch-all.
bool more_specific(const Route& a, const Route& b) {
  auto rank = [](Route::Kind k) {
    return k == Route::Kind::exact ? 0 : k == Route::Kind::prefix ? 1 : 2;
  };
  if (rank(a.kind) != rank(b.kind)) return rank(a.kind) < rank(b.kind);
  if (a.path.size() != b.path.size()) return a.path.size() > b.path.size();
  return a.path < b.path;
}

}  // namespace

Result<Route> parse_route(std::string_view text) {
  auto bad = [&](std::string why) {
    return Error::make(ErrorKind::Invalid,
                       "route '" + std::string(text) + "': " + why +
                           " (write an exact path \"/hello\", a prefix \"/api/...\" or the "
                           "catch-all \"/...\")");
  };
  if (text.empty() || text.front() != '/') return bad("it must start with '/'");
  if (text.find_first_of("?#") != std::string_view::npos) {
    return bad("it must not contain a query or fragment");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("it must not contain spaces or control characters");
    }
  }
  Route r;
  r.text = std::string(text);
  if (text == kWildcard) {
    r.kind = Route::Kind::catch_all;
    r.path = "/";
    return r;
  }
  std::string_view body = text;
  if (body.size() > kWildcard.size() && body.ends_with(kWildcard)) {
    r.kind = Route::Kind::prefix;
    body.remove_suffix(kWildcard.size());
  }
  if (body.find("...") != std::string_view::npos) {
    return bad("'...' may only end the route, after a '/'");
  }
  r.path = trim_trailing_slashes(body);
  // "/" as a prefix is the catch-all by another name.
  if (r.kind == Route::Kind::prefix && r.path == "/") r.kind = Route::Kind::catch_all;
  return r;
}

bool Router::add(Route route, std::string component) {
  for (const Entry& e : routes_) {
    if (e.route.kind == route.kind && e.route.path == route.path) return false;
  }
  auto at =
      std::upper_bound(routes_.begin(), routes_.end(), route,
                       [](const Route& r, const Entry& e) { return more_specific(r, e.route); });
  routes_.insert(at, Entry{std::move(route), std::move(component)});
  return true;
}

std::optional<RouteMatch> Router::match(std::string_view path) const {
  std::string normalized = trim_trailing_slashes(path.empty() ? "/" : path);
  for (const Entry& e : routes_) {
    const Route& r = e.route;
    switch (r.kind) {
      case Route::Kind::exact:
        if (normalized == r.path) return RouteMatch{e.component, r.text, r.path, ""};
        break;
      case Route::Kind::prefix:
        // "/api/..." takes "/api" and "/api/x", not "/apix".
        if (normalized == r.path ||
            (normalized.size() > r.path.size() && normalized.starts_with(r.path) &&
             normalized[r.path.size()] == '/')) {
          return RouteMatch{e.component, r.text, r.path,
                            std::string(path.substr(std::min(r.path.size(), path.size())))};
        }
        break;
      case Route::Kind::catch_all: return RouteMatch{e.component, r.text, "/", std::string(path)};
    }
  }
  return std::nullopt;
}

}  // namespace hull::serve
