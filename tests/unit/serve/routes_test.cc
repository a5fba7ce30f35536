// Route parsing and Spin's matching precedence: exact over a longer prefix over a shorter
// prefix over the catch-all, whatever the order the routes were added in.
#include "serve/routes.h"

#include <gtest/gtest.h>

namespace {

using hull::serve::parse_route;
using hull::serve::Route;
using hull::serve::Router;

Router router_of(std::initializer_list<std::pair<const char*, const char*>> routes) {
  Router r;
  for (auto [text, component] : routes) {
    auto route = parse_route(text);
    EXPECT_TRUE(route.ok()) << text;
    EXPECT_TRUE(r.add(*route, component)) << text;
  }
  return r;
}

TEST(Routes, Parse) {
  auto exact = parse_route("/hello/");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->kind, Route::Kind::exact);
  EXPECT_EQ(exact->path, "/hello");
  auto prefix = parse_route("/api/...");
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->kind, Route::Kind::prefix);
  EXPECT_EQ(prefix->path, "/api");
  auto all = parse_route("/...");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->kind, Route::Kind::catch_all);
  for (const char* bad : {"", "api", "/a/.../b", "/a b", "/x?y=1"}) {
    auto r = parse_route(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_NE(r.error().message.find("catch-all"), std::string::npos);
  }
}

TEST(Routes, Precedence) {
  // Added least specific first: the order must not matter.
  Router r = router_of({{"/...", "all"},
                        {"/api/...", "api"},
                        {"/api/users/...", "users"},
                        {"/api/users/me", "me"},
                        {"/", "root"}});
  auto m = r.match("/api/users/me");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->component, "me");
  EXPECT_EQ(m->path_info, "");
  m = r.match("/api/users/42/posts");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->component, "users");
  EXPECT_EQ(m->base, "/api/users");
  EXPECT_EQ(m->path_info, "/42/posts");
  EXPECT_EQ(m->matched_route, "/api/users/...");
  m = r.match("/api/other");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->component, "api");
  EXPECT_EQ(m->path_info, "/other");
  m = r.match("/api");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->component, "api");
  EXPECT_EQ(m->path_info, "");
  m = r.match("/apix");  // a prefix matches whole segments only
  ASSERT_TRUE(m);
  EXPECT_EQ(m->component, "all");
  EXPECT_EQ(m->path_info, "/apix");
  m = r.match("/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->component, "root");
}

TEST(Routes, NoCatchAllMeansNoMatch) {
  Router r = router_of({{"/hello", "hello"}, {"/static/...", "files"}});
  EXPECT_FALSE(r.match("/nothing"));
  EXPECT_FALSE(r.match("/hello/more"));  // an exact route takes nothing below it
  ASSERT_TRUE(r.match("/hello/"));       // a trailing slash is insignificant
  EXPECT_EQ(r.match("/static/css/a.css")->path_info, "/css/a.css");
}

TEST(Routes, DuplicateRefused) {
  Router r = router_of({{"/a/...", "x"}});
  EXPECT_FALSE(r.add(*parse_route("/a/..."), "y"));
  EXPECT_TRUE(r.add(*parse_route("/a"), "y"));  // exact /a differs from prefix /a/...
}

}  // namespace
