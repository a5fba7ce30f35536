// HTTP routes as Spin defines them: exact (`/hello`), prefix (`/api/...`: `/api` and everything
// below it) and catch-all (`/...`). A request goes to the most specific match: an exact route
// over a prefix, a longer prefix over a shorter one, any prefix over the catch-all.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hull::serve {

struct Route {
  enum class Kind : uint8_t { exact, prefix, catch_all };
  Kind kind = Kind::exact;
  // Normalized: starts with '/', no trailing '/' (except the root "/"), no "/..." suffix.
  // For a prefix route this is the prefix ("/api"); for the catch-all it is "/".
  std::string path;
  // The route as written in the manifest ("/api/...").
  std::string text;
};

// Parses a route as written in a manifest; the error says what a route looks like.
Result<Route> parse_route(std::string_view text);

// What a matched request sees (Spin's spin-full-url / spin-path-info / spin-matched-route /
// spin-base-path headers are built from this).
struct RouteMatch {
  std::string component;      // the component the route names
  std::string matched_route;  // the route as written: "/api/..."
  std::string base;           // the part of the path the route consumed: "/api" ("/" for "/...")
  std::string path_info;      // the rest: "/users/1" for "/api/users/1"; "" for an exact match
};

class Router {
 public:
  // Adds a route to `component`; false when an identical route is there already.
  bool add(Route route, std::string component);
  // The most specific route for a request path (without the query string).
  std::optional<RouteMatch> match(std::string_view path) const;
  size_t size() const { return routes_.size(); }

 private:
  struct Entry {
    Route route;
    std::string component;
  };
  std::vector<Entry> routes_;  // kept sorted most specific first, so match takes the first hit
};

}  // namespace hull::serve
