// The spin.toml v2 reader: a complete good manifest, then every error and warning with the
// line it names; variables and their templates; the runtime config.
#include "serve/manifest.h"

#include <gtest/gtest.h>

#include <map>

#include "serve/runtime_config.h"
#include "serve/variables.h"

namespace {

using namespace hull::serve;

constexpr const char* kGood = R"(spin_manifest_version = 2

[application]
name = "shop"
version = "1.2.0"
description = "A test app"
authors = ["A <a@example.com>"]

[variables]
api_host = { default = "api.example.com" }
token = { required = true, secret = true }

[[trigger.http]]
route = "/..."
component = "web"

[[trigger.http]]
route = "/api/..."
component = "api"

[[trigger.http]]
route = "/health"
component = { source = "health.wasm" }

[[trigger.http]]
route = { private = true }
component = "api"

[component.web]
source = "web.wasm"
files = ["static/**/*.css", { source = "assets", destination = "/assets" }]
exclude_files = ["static/secret.css"]

[component.api]
source = "target/api.wasm"
allowed_outbound_hosts = ["https://{{ api_host }}", "redis://db:6379"]
key_value_stores = ["default", "carts"]
environment = { RUST_LOG = "info" }
variables = { base = "https://{{ api_host }}/v1", auth = "{{token}}" }
[component.api.build]
command = "cargo build"
)";

std::string errors_of(std::string_view text) {
  auto m = parse_manifest(text, "app/spin.toml");
  EXPECT_FALSE(m.ok()) << "expected errors";
  return m.ok() ? "" : m.error().message;
}

std::vector<std::string> warnings_of(std::string_view text) {
  auto m = parse_manifest(text, "app/spin.toml");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  std::vector<std::string> out;
  if (m.ok()) {
    for (const auto& w : m->warnings) out.push_back(w.to_string());
  }
  return out;
}

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Manifest, GoodFile) {
  auto m = parse_manifest(kGood, "app/spin.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->name, "shop");
  EXPECT_EQ(m->version, "1.2.0");
  EXPECT_EQ(m->dir, "app");
  ASSERT_EQ(m->authors.size(), 1u);
  ASSERT_EQ(m->variables.size(), 2u);
  EXPECT_EQ(m->variable("api_host")->default_value, "api.example.com");
  EXPECT_TRUE(m->variable("token")->required);
  EXPECT_TRUE(m->variable("token")->secret);
  ASSERT_EQ(m->http_triggers.size(), 4u);
  EXPECT_EQ(m->http_triggers[0].component, "web");
  EXPECT_EQ(m->http_triggers[2].component, "inline-component-3");
  EXPECT_TRUE(m->http_triggers[3].is_private);
  ASSERT_EQ(m->components.size(), 3u);
  const Component* api = m->component("api");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->source, "target/api.wasm");
  EXPECT_EQ(api->key_value_stores, (std::vector<std::string>{"default", "carts"}));
  EXPECT_EQ(api->environment.at("RUST_LOG"), "info");
  EXPECT_EQ(api->variables.at("base"), "https://{{ api_host }}/v1");
  EXPECT_EQ(api->allowed_outbound_hosts.size(), 2u);
  const Component* web = m->component("web");
  ASSERT_EQ(web->files.size(), 2u);
  EXPECT_TRUE(web->files[0].is_pattern);
  EXPECT_FALSE(web->files[1].is_pattern);
  EXPECT_EQ(web->files[1].destination, "/assets");
  EXPECT_EQ(m->component("inline-component-3")->source, "health.wasm");
  // The build table is the only warning, at its line.
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_TRUE(has(m->warnings[0].to_string(), "app/spin.toml:40:16:"))
      << m->warnings[0].to_string();
  EXPECT_TRUE(has(m->warnings[0].message, "build is ignored"));
  // Routing goes through the public routes only.
  Router r = m->router();
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.match("/api/cart")->component, "api");
  EXPECT_EQ(r.match("/health")->component, "inline-component-3");
  EXPECT_EQ(r.match("/index.html")->component, "web");
}

TEST(Manifest, SyntaxErrorNamesTheLine) {
  std::string e = errors_of("spin_manifest_version = 2\n[application\nname = \"x\"\n");
  EXPECT_TRUE(has(e, "app/spin.toml:2:")) << e;
  EXPECT_TRUE(has(e, "TOML syntax error")) << e;
}

// Hull's own TOML parser: malformed input of every kind is one precise error, never a crash.
TEST(Manifest, TomlErrorsArePrecise) {
  std::string utf8 = errors_of("spin_manifest_version = 2\n[application]\nname = \"x\xFF\"\n");
  EXPECT_TRUE(has(utf8, "app/spin.toml:3:10: TOML syntax error: invalid UTF-8 (byte 0xFF)"))
      << utf8;
  std::string twice = errors_of(
      "spin_manifest_version = 2\n[application]\nname = \"x\"\n"
      "[application]\n");
  EXPECT_TRUE(has(twice,
                  "app/spin.toml:4:1: TOML syntax error: table [application] is defined "
                  "twice (first at line 2, column 1)"))
      << twice;
  std::string bomb = errors_of("spin_manifest_version = 2\nx = " + std::string(50000, '[') +
                               std::string(50000, ']') + "\n");
  EXPECT_TRUE(has(bomb, "app/spin.toml:2:")) << bomb;
  EXPECT_TRUE(has(bomb, "too deeply nested")) << bomb;
  std::string overflow = errors_of("spin_manifest_version = 99999999999999999999\n");
  EXPECT_TRUE(has(overflow, "app/spin.toml:1:25: TOML syntax error: integer out of range"))
      << overflow;
}

TEST(Manifest, VersionErrors) {
  EXPECT_TRUE(has(errors_of("[application]\nname = \"x\"\n"),
                  "app/spin.toml:1:1: spin_manifest_version is missing"));
  std::string v1 = errors_of("spin_manifest_version = 1\n[application]\nname = \"x\"\n");
  EXPECT_TRUE(has(v1, "app/spin.toml:1:25: spin_manifest_version 1 is not supported")) << v1;
  std::string s = errors_of("spin_manifest_version = \"2\"\n[application]\nname = \"x\"\n");
  EXPECT_TRUE(has(s, "expected the integer 2, found a string")) << s;
  EXPECT_TRUE(has(errors_of("spin_manifest_version = 2\n"), "[application] is missing"));
}

TEST(Manifest, ValueErrorsEachWithItsLine) {
  constexpr const char* kBad = R"(spin_manifest_version = 2
[application]
name = 5
[variables]
Bad-Name = { default = "x" }
both = { default = "x", required = true }
neither = { secret = true }
[[trigger.http]]
route = "no-slash"
component = "missing"
[[trigger.http]]
route = "/a"
component = "web"
[[trigger.http]]
route = "/a/"
component = "web"
[[trigger.http]]
component = "web"
[component.web]
source = { url = "https://example.com/web.wasm", digest = "sha256:00" }
files = ["/etc/passwd", { source = "a", destination = "relative" }, 7]
allowed_outbound_hosts = ["example.com"]
key_value_stores = [""]
environment = { A = 1 }
variables = { x = "{{ nope }}", y = "{{ unterminated" }
[component.Web2]
source = "x.wasm"
[component.nosource]
description = "no source"
)";
  std::string e = errors_of(kBad);
  const char* expected[] = {
      "app/spin.toml:3:8: application.name: expected a string, found an integer",
      "app/spin.toml:5:1: variable 'Bad-Name': not a valid variable name",
      "app/spin.toml:6:1: variable 'both': a required variable cannot have a default",
      "app/spin.toml:7:1: variable 'neither': give it a default or mark it required",
      "app/spin.toml:9:9: route 'no-slash': it must start with '/'",
      "app/spin.toml:10:13: the trigger names component 'missing', but there is no "
      "[component.missing]",
      "app/spin.toml:15:9: route '/a/' is already taken by the trigger at app/spin.toml:12:9",
      "app/spin.toml:17:1: [[trigger.http]] has no route",
      "app/spin.toml:20:10: [component.web] source: a url source is not supported",
      "app/spin.toml:21:10: [component.web] files: pattern '/etc/passwd' must be a relative",
      "destination 'relative' must be an absolute guest path",
      "app/spin.toml:21:69: [component.web] files: expected a pattern string or a { source, "
      "destination } table, found an integer",
      "app/spin.toml:22:27: [component.web] allowed_outbound_hosts: 'example.com' is not "
      "scheme://host[:port]",
      "app/spin.toml:23:21: [component.web] key_value_stores: a store label must not be empty",
      "[component.web] environment A: expected a string, found an integer",
      "app/spin.toml:25:19: [component.web] variables x: the template uses 'nope', which is not "
      "declared under [variables]",
      "unterminated '{{'",
      "app/spin.toml:26:12: component id 'Web2' is not valid",
      "app/spin.toml:28:12: [component.nosource] has no source",
  };
  for (const char* x : expected) EXPECT_TRUE(has(e, x)) << "missing: " << x << "\nin:\n" << e;
}

TEST(Manifest, WarningsEachWithItsLine) {
  constexpr const char* kOdd = R"(spin_manifest_version = 2
colour = "blue"
[application]
name = "x"
nmae = "typo"
[application.trigger.http]
base = "/"
[[trigger.http]]
route = "/..."
component = "web"
rout = "/typo"
[[trigger.redis]]
channel = "c"
component = "web"
[component.web]
source = "web.wasm"
sqlite_databases = ["default"]
allowed_http_hosts = ["example.com"]
key_value_stores = ["a", "a"]
files = [{ source = "a", destination = "/a", mode = "ro" }]
[component.web.build]
command = "make"
)";
  auto w = warnings_of(kOdd);
  std::string all;
  for (const auto& s : w) all += s + "\n";
  const char* expected[] = {
      "app/spin.toml:2:1: unknown key 'colour' in the manifest's top level is ignored",
      ("app/spin.toml:5:1: unknown key 'nmae' in [application] is ignored (check its spelling; "
       "known keys: name"),
      "app/spin.toml:6:",
      "[application.trigger] (app-wide trigger settings) is ignored",
      "app/spin.toml:11:1: unknown key 'rout' in [[trigger.http]]",
      "app/spin.toml:12:",
      "trigger type 'redis' is not supported by hull serve",
      "app/spin.toml:17:1: [component.web] sqlite_databases is not supported",
      "app/spin.toml:18:1: [component.web] allowed_http_hosts is deprecated",
      "app/spin.toml:19:26: [component.web] key_value_stores: store 'a' is listed twice",
      "app/spin.toml:20:",
      "unknown key 'mode'",
      "app/spin.toml:21:",
      "build is ignored",
  };
  for (const char* x : expected) EXPECT_TRUE(has(all, x)) << "missing: " << x << "\nin:\n" << all;
}

TEST(Manifest, LoadMissingFile) {
  auto m = load_manifest("/nonexistent/spin.toml");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(has(m.error().message, "/nonexistent/spin.toml: cannot read the manifest"));
}

TEST(Variables, TemplatesAndResolution) {
  auto m = parse_manifest(kGood, "app/spin.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  std::map<std::string, std::string> env;
  VariableResolver vars(*m, [&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
  const Component& api = *m->component("api");
  // A required variable that is not set: named, with the environment variable to set.
  auto missing = vars.check_required();
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(has(missing.error().message, "app/spin.toml:11:1: variable 'token' is required"))
      << missing.error().message;
  EXPECT_TRUE(has(missing.error().message, "HULL_VARIABLE_TOKEN"));
  auto auth = vars.component_variable(api, "auth");
  EXPECT_EQ(auth.status, VariableValue::Status::provider_error);

  env["SPIN_VARIABLE_TOKEN"] = "t0";
  EXPECT_TRUE(vars.check_required().ok());
  EXPECT_EQ(vars.component_variable(api, "auth").text, "t0");
  env["HULL_VARIABLE_TOKEN"] = "t1";  // HULL_ wins over SPIN_
  EXPECT_EQ(vars.component_variable(api, "auth").text, "t1");
  EXPECT_EQ(vars.component_variable(api, "base").text, "https://api.example.com/v1");
  env["HULL_VARIABLE_API_HOST"] = "localhost:1";
  EXPECT_EQ(vars.component_variable(api, "base").text, "https://localhost:1/v1");
  EXPECT_EQ(vars.component_variable(api, "nope").status, VariableValue::Status::undefined);
  EXPECT_EQ(vars.component_variable(api, "Bad!").status, VariableValue::Status::invalid_name);
}

TEST(RuntimeConfig, StoresAndDefaults) {
  constexpr const char* kConfig = R"([key_value_store.carts]
type = "redis"
url = "redis://127.0.0.1:6379"

[key_value_store.local]
type = "spin"
path = "data/local.db"
)";
  auto c = parse_runtime_config(kConfig, "/srv/app/runtime-config.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->key_value_stores.at("carts").backend, KvStoreConfig::Backend::redis);
  EXPECT_EQ(c->key_value_stores.at("local").path, "/srv/app/data/local.db");
  KvRegistry registry(*c, "/srv/app/.hull");
  EXPECT_TRUE(registry.defines("default"));
  EXPECT_TRUE(registry.defines("carts"));
  EXPECT_FALSE(registry.defines("other"));
  EXPECT_EQ(registry.config_of("default").path, "/srv/app/.hull/default.db");
  EXPECT_EQ(default_state_dir("/srv/app/spin.toml"), "/srv/app/.hull");

  auto bad = parse_runtime_config(
      "[key_value_store.a]\ntype = \"azure\"\n[key_value_store.b]\ntype = \"redis\"\n"
      "[key_value_store.c]\npath = \"x.db\"\n",
      "rc.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has(bad.error().message,
                  "rc.toml:2:8: [key_value_store.a]: type 'azure' is not "
                  "supported"))
      << bad.error().message;
  EXPECT_TRUE(
      has(bad.error().message, "rc.toml:3:1: [key_value_store.b]: a redis store needs url"));
  EXPECT_TRUE(has(bad.error().message, "rc.toml:5:1: [key_value_store.c] has no type"));
}

}  // namespace
