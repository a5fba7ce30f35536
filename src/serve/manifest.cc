// Parsing spin.toml v2 manifests (see manifest.h). What is read, and how far it follows Spin:
//   spin_manifest_version = 2           (required; 1 is refused with a hint)
//   [application]                       name (required), version, description, authors
//   [variables]  NAME = { default | required, secret }
//   [[trigger.http]]                    route, component (an id or an inline table), executor
//   [component.ID]                      source (a path; a url source is refused), description,
//                                       files, exclude_files, allowed_outbound_hosts,
//                                       key_value_stores, environment, variables
// Known Spin keys that serve does not use (build, sqlite_databases, other trigger types ...) are
// warnings that say they are ignored; unknown keys are warnings too; a value of the wrong type
// or shape is an error. All errors are collected, so one run shows every problem.
#include "serve/manifest.h"

#include <fstream>
#include <set>
#include <sstream>

#include "serve/toml_reader.h"
#include "serve/variables.h"

namespace hull::serve {

const Component* AppManifest::component(std::string_view id) const {
  for (const Component& c : components) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const Variable* AppManifest::variable(std::string_view name) const {
  for (const Variable& v : variables) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

Router AppManifest::router() const {
  Router r;
  for (const HttpTrigger& t : http_triggers) {
    if (!t.is_private) r.add(t.route, t.component);
  }
  return r;
}

namespace {

// Spin's component ids: kebab case starting with a letter ("hello", "api-v2").
bool valid_component_id(std::string_view id) {
  if (id.empty() || id.front() < 'a' || id.front() > 'z' || id.back() == '-') return false;
  char prev = 0;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

// "https://example.com", "redis://db:6379", "*://*.example.com:*"; templates are checked when
// resolved.
bool valid_outbound_host(std::string_view h) {
  if (h.find("{{") != std::string_view::npos) return true;
  size_t sep = h.find("://");
  return sep != std::string_view::npos && sep > 0 && sep + 3 < h.size();
}

struct ComponentRef {
  std::string id;
  SourcePos at;
  size_t trigger;  // index into http_triggers
};

class ManifestReader {
 public:
  ManifestReader(TomlReader& toml, AppManifest& m) : toml_(toml), m_(m) {}

  void read(const toml::Table& root) {
    bool saw_version = false;
    for (auto&& [k, v] : root) {
      std::string_view key = k.name;
      if (key == "spin_manifest_version") {
        saw_version = true;
        read_version(v);
      } else if (key == "application") {
        if (auto* t = toml_.table(v, "[application]")) read_application(*t);
      } else if (key == "variables") {
        if (auto* t = toml_.table(v, "[variables]")) read_variables(*t);
      } else if (key == "trigger") {
        if (auto* t = toml_.table(v, "[trigger]")) read_triggers(*t);
      } else if (key == "component") {
        if (auto* t = toml_.table(v, "[component]")) read_components(*t);
      } else {
        toml_.unknown_key(k, "the manifest's top level",
                          "spin_manifest_version, application, variables, trigger, component");
      }
    }
    SourcePos top{toml_.file(), 1, 1};
    if (!saw_version) {
      diags().error(top,
                    "spin_manifest_version is missing (add `spin_manifest_version = 2` "
                    "as the first line)");
    }
    if (!saw_application_) {
      diags().error(top, "[application] is missing (add it with at least name = \"...\")");
    }
    resolve_component_refs();
    build_routes();
  }

 private:
  Diagnostics& diags() { return toml_.diags(); }

  void read_version(const toml::Value& v) {
    auto n = v.as_integer();
    if (!v.is_integer()) {
      diags().error(toml_.pos(v), std::string("spin_manifest_version: expected the integer 2, "
                                              "found ") +
                                      TomlReader::type_name(v));
    } else if (*n == 1) {
      diags().error(toml_.pos(v),
                    "spin_manifest_version 1 is not supported (rewrite the "
                    "manifest in the version 2 layout; `spin doctor` converts "
                    "it)");
    } else if (*n != 2) {
      diags().error(toml_.pos(v), "spin_manifest_version " + std::to_string(*n) +
                                      " is not supported (hull serve reads version 2)");
    }
  }

  void read_application(const toml::Table& t) {
    saw_application_ = true;
    bool named = false;
    for (auto&& [k, v] : t) {
      std::string_view key = k.name;
      if (key == "name") {
        named = true;  // a name of the wrong type is reported as such, not as missing
        if (auto s = toml_.string(v, "application.name")) {
          if (s->empty()) diags().error(toml_.pos(v), "application.name must not be empty");
          m_.name = *s;
        }
      } else if (key == "version") {
        if (auto s = toml_.string(v, "application.version")) m_.version = *s;
      } else if (key == "description") {
        if (auto s = toml_.string(v, "application.description")) m_.description = *s;
      } else if (key == "authors") {
        if (auto s = toml_.strings(v, "application.authors")) m_.authors = *s;
      } else if (key == "trigger") {
        diags().warn(toml_.pos(k),
                     "[application.trigger] (app-wide trigger settings) is "
                     "ignored by hull serve (set routes on each [[trigger.http]])");
      } else if (key == "tool") {
        // Settings for other tools, by design not ours.
      } else {
        toml_.unknown_key(k, "[application]", "name, version, description, authors");
      }
    }
    if (!named) {
      diags().error(toml_.pos(t), "[application] has no name (add name = \"my-app\")");
    }
  }

  void read_variables(const toml::Table& t) {
    for (auto&& [k, v] : t) {
      Variable var;
      var.name = k.name;
      var.at = toml_.pos(k);
      std::string what = "variable '" + var.name + "'";
      if (!valid_variable_name(var.name)) {
        diags().error(var.at, what +
                                  ": not a valid variable name (lower snake case starting "
                                  "with a letter, e.g. api_host)");
        continue;
      }
      const toml::Table* vt = toml_.table(v, what +
                                                 " (write { default = \"...\" } or "
                                                 "{ required = true })");
      if (!vt) continue;
      for (auto&& [vk, vv] : *vt) {
        std::string_view key = vk.name;
        if (key == "default") {
          var.default_value = toml_.string(vv, what + " default");
        } else if (key == "required") {
          var.required = toml_.boolean(vv, what + " required").value_or(false);
        } else if (key == "secret") {
          var.secret = toml_.boolean(vv, what + " secret").value_or(false);
        } else {
          toml_.unknown_key(vk, "[variables] " + var.name, "default, required, secret");
        }
      }
      if (var.required && var.default_value) {
        diags().error(var.at, what +
                                  ": a required variable cannot have a default (remove "
                                  "one of them)");
      } else if (!var.required && !var.default_value) {
        diags().error(var.at, what + ": give it a default or mark it required = true");
      }
      m_.variables.push_back(std::move(var));
    }
  }

  void read_triggers(const toml::Table& t) {
    for (auto&& [k, v] : t) {
      std::string_view type = k.name;
      const toml::Array* list = v.as_array();
      if (!list) {
        diags().error(toml_.pos(v), "trigger." + std::string(type) +
                                        ": expected an array of "
                                        "tables (write [[trigger." +
                                        std::string(type) + "]]), found " +
                                        TomlReader::type_name(v));
        continue;
      }
      if (type != "http") {
        diags().warn(toml_.pos(k), "trigger type '" + std::string(type) +
                                       "' is not supported "
                                       "by hull serve (only http); its triggers are ignored");
        continue;
      }
      for (const toml::Value& n : *list) {
        if (const toml::Table* tt = toml_.table(n, "[[trigger.http]]")) read_http_trigger(*tt);
      }
    }
  }

  void read_http_trigger(const toml::Table& t) {
    HttpTrigger trig;
    trig.at = toml_.pos(t);
    size_t index = m_.http_triggers.size();
    bool has_route = false, has_component = false;
    for (auto&& [k, v] : t) {
      std::string_view key = k.name;
      if (key == "route") {
        has_route = read_route(v, trig);
      } else if (key == "component") {
        has_component = true;
        if (v.is_string()) {
          refs_.push_back({*v.as_string(), toml_.pos(v), index});
        } else if (const toml::Table* inline_table = v.as_table()) {
          Component c;
          c.id = "inline-component-" + std::to_string(index + 1);
          c.at = toml_.pos(v);
          read_component(*inline_table, c);
          refs_.push_back({c.id, c.at, index});
          add_component(std::move(c));
        } else {
          diags().error(toml_.pos(v), std::string("trigger component: expected a component id "
                                                  "(a string) or an inline table, found ") +
                                          TomlReader::type_name(v));
        }
      } else if (key == "executor") {
        read_executor(v, trig);
      } else if (key == "id") {
        (void)toml_.string(v, "trigger id");
      } else if (key == "components") {
        diags().warn(toml_.pos(k),
                     "trigger 'components' (middleware and dependencies) is not "
                     "supported by hull serve; ignored");
      } else {
        toml_.unknown_key(k, "[[trigger.http]]", "route, component, executor, id");
      }
    }
    if (!has_route) {
      diags().error(trig.at,
                    "[[trigger.http]] has no route (add route = \"/...\" or an exact "
                    "path)");
    }
    if (!has_component) {
      diags().error(trig.at, "[[trigger.http]] has no component (add component = \"name\")");
    }
    m_.http_triggers.push_back(std::move(trig));
  }

  bool read_route(const toml::Value& v, HttpTrigger& trig) {
    if (const toml::Table* rt = v.as_table()) {
      // `route = { private = true }`: callable only from other components, never by URL.
      for (auto&& [k, pv] : *rt) {
        if (k.name == "private") {
          trig.is_private = toml_.boolean(pv, "route private").value_or(false);
        } else {
          toml_.unknown_key(k, "route", "private");
        }
      }
      if (!trig.is_private) {
        diags().error(toml_.pos(v),
                      "route: a table route must be { private = true } (or give "
                      "the route as a string)");
      }
      return true;
    }
    auto text = toml_.string(v, "route");
    if (!text) return true;
    auto route = parse_route(*text);
    if (!route) {
      diags().error(toml_.pos(v), route.error().message);
      return true;
    }
    trig.route = std::move(*route);
    route_pos_.push_back(toml_.pos(v));
    return true;
  }

  void read_executor(const toml::Value& v, HttpTrigger& trig) {
    const toml::Table* t = toml_.table(v, "executor (write { type = \"spin\" })");
    if (!t) return;
    for (auto&& [k, ev] : *t) {
      if (k.name != "type") {
        toml_.unknown_key(k, "executor", "type");
        continue;
      }
      auto type = toml_.string(ev, "executor type");
      if (!type) continue;
      if (*type == "spin" || *type == "http") {
        trig.executor = "spin";
      } else if (*type == "wagi") {
        diags().error(toml_.pos(ev),
                      "executor type 'wagi' is not supported by hull serve "
                      "(rebuild the component for wasi:http and remove the "
                      "executor)");
      } else {
        diags().error(toml_.pos(ev), "executor type '" + *type + "' is unknown (use \"spin\")");
      }
    }
  }

  void read_components(const toml::Table& t) {
    for (auto&& [k, v] : t) {
      Component c;
      c.id = k.name;
      c.at = toml_.pos(k);
      if (!valid_component_id(c.id)) {
        diags().error(c.at, "component id '" + c.id +
                                "' is not valid (kebab case starting with "
                                "a letter, e.g. hello-world)");
        continue;
      }
      const toml::Table* ct = toml_.table(v, "[component." + c.id + "]");
      if (!ct) continue;
      read_component(*ct, c);
      add_component(std::move(c));
    }
  }

  void add_component(Component c) {
    if (m_.component(c.id)) {
      diags().error(c.at, "component '" + c.id + "' is defined twice (rename one)");
      return;
    }
    m_.components.push_back(std::move(c));
  }

  void read_component(const toml::Table& t, Component& c) {
    std::string where = "[component." + c.id + "]";
    bool has_source = false;
    for (auto&& [k, v] : t) {
      std::string_view key = k.name;
      std::string what = where + " " + std::string(key);
      if (key == "source") {
        has_source = true;
        read_source(v, c, what);
      } else if (key == "description") {
        if (auto s = toml_.string(v, what)) c.description = *s;
      } else if (key == "files") {
        read_files(v, c, what);
      } else if (key == "exclude_files") {
        if (auto s = toml_.strings(v, what)) c.exclude_files = *s;
      } else if (key == "allowed_outbound_hosts") {
        read_outbound_hosts(v, c, what);
      } else if (key == "key_value_stores") {
        read_stores(v, c, what);
      } else if (key == "environment") {
        read_environment(v, c, what);
      } else if (key == "variables") {
        read_component_variables(v, c, what);
      } else if (key == "build") {
        diags().warn(toml_.pos(k), where +
                                       " build is ignored: hull serve runs the built "
                                       ".wasm (build it first, e.g. with `spin build`)");
      } else if (key == "allowed_http_hosts") {
        diags().warn(toml_.pos(k), where +
                                       " allowed_http_hosts is deprecated and ignored (use "
                                       "allowed_outbound_hosts = [\"https://host\"])");
      } else if (key == "sqlite_databases" || key == "ai_models" || key == "dependencies" ||
                 key == "dependencies_inherit_configuration") {
        diags().warn(toml_.pos(k),
                     where + " " + std::string(key) + " is not supported by hull serve; ignored");
      } else if (key == "tool") {
        // Settings for other tools, by design not ours.
      } else {
        toml_.unknown_key(k, where,
                          "source, description, files, exclude_files, allowed_outbound_hosts, "
                          "key_value_stores, environment, variables, build");
      }
    }
    if (!has_source) {
      diags().error(c.at, where + " has no source (add source = \"path/to/component.wasm\")");
    }
  }

  void read_source(const toml::Value& v, Component& c, const std::string& what) {
    if (const toml::Table* st = v.as_table()) {
      if (st->contains("url")) {
        diags().error(toml_.pos(v), what +
                                        ": a url source is not supported by hull serve "
                                        "(download the .wasm, check its digest, and give its "
                                        "path: source = \"file.wasm\")");
      } else {
        diags().error(toml_.pos(v), what +
                                        ": expected a path string (source = "
                                        "\"file.wasm\")");
      }
      return;
    }
    auto s = toml_.string(v, what + " (a path to the component's .wasm)");
    if (!s) return;
    if (s->empty()) {
      diags().error(toml_.pos(v), what + " must not be empty (give the .wasm path)");
      return;
    }
    c.source = *s;
  }

  void read_files(const toml::Value& v, Component& c, const std::string& what) {
    const toml::Array* a = v.as_array();
    if (!a) {
      diags().error(toml_.pos(v), what +
                                      ": expected an array of patterns and { source, "
                                      "destination } tables, found " +
                                      TomlReader::type_name(v));
      return;
    }
    for (const toml::Value& e : *a) {
      FileMount f;
      f.at = toml_.pos(e);
      if (e.is_string()) {
        f.is_pattern = true;
        f.source = *e.as_string();
        if (f.source.empty() || f.source.front() == '/') {
          diags().error(f.at, what + ": pattern '" + f.source +
                                  "' must be a relative path "
                                  "(patterns are relative to the manifest's directory)");
          continue;
        }
        c.files.push_back(std::move(f));
        continue;
      }
      const toml::Table* ft = e.as_table();
      if (!ft) {
        diags().error(f.at, what +
                                ": expected a pattern string or a { source, destination } "
                                "table, found " +
                                TomlReader::type_name(e));
        continue;
      }
      f.is_pattern = false;
      bool has_source = false, has_destination = false;
      for (auto&& [k, fv] : *ft) {
        if (k.name == "source") {
          if (auto s = toml_.string(fv, what + " source")) {
            f.source = *s;
            has_source = true;
          }
        } else if (k.name == "destination") {
          if (auto s = toml_.string(fv, what + " destination")) {
            f.destination = *s;
            has_destination = true;
            if (f.destination.empty() || f.destination.front() != '/') {
              diags().error(toml_.pos(fv), what + ": destination '" + f.destination +
                                               "' must be an absolute guest path (e.g. "
                                               "\"/static\")");
            }
          }
        } else {
          toml_.unknown_key(k, what + " entry", "source, destination");
        }
      }
      if (!has_source || !has_destination) {
        diags().error(f.at, what + ": a table entry needs both source and destination");
        continue;
      }
      c.files.push_back(std::move(f));
    }
  }

  void read_outbound_hosts(const toml::Value& v, Component& c, const std::string& what) {
    const toml::Array* a = v.as_array();
    auto hosts = toml_.strings(v, what);
    if (!hosts || !a) return;
    for (size_t i = 0; i < hosts->size(); ++i) {
      if (!valid_outbound_host((*hosts)[i])) {
        diags().error(toml_.pos(*a->get(i)), what + ": '" + (*hosts)[i] +
                                                 "' is not scheme://host[:port] (e.g. "
                                                 "\"https://api.example.com\" or "
                                                 "\"https://*.example.com:443\")");
      }
    }
    c.allowed_outbound_hosts = std::move(*hosts);
  }

  void read_stores(const toml::Value& v, Component& c, const std::string& what) {
    const toml::Array* a = v.as_array();
    auto stores = toml_.strings(v, what);
    if (!stores || !a) return;
    std::set<std::string> seen;
    for (size_t i = 0; i < stores->size(); ++i) {
      const std::string& label = (*stores)[i];
      if (label.empty()) {
        diags().error(toml_.pos(*a->get(i)), what + ": a store label must not be empty");
      } else if (!seen.insert(label).second) {
        diags().warn(toml_.pos(*a->get(i)), what + ": store '" + label + "' is listed twice");
      }
    }
    c.key_value_stores = std::move(*stores);
  }

  void read_environment(const toml::Value& v, Component& c, const std::string& what) {
    const toml::Table* t = toml_.table(v, what + " (write { NAME = \"value\" })");
    if (!t) return;
    for (auto&& [k, ev] : *t) {
      std::string name(k.name);
      if (name.empty() || name.find('=') != std::string::npos) {
        diags().error(toml_.pos(k), what + ": '" + name +
                                        "' is not a valid environment "
                                        "variable name");
        continue;
      }
      if (auto s = toml_.string(ev, what + " " + name)) c.environment[name] = *s;
    }
  }

  void read_component_variables(const toml::Value& v, Component& c, const std::string& what) {
    const toml::Table* t = toml_.table(v, what + " (write { name = \"{{ app_var }}\" })");
    if (!t) return;
    for (auto&& [k, tv] : *t) {
      std::string name(k.name);
      if (!valid_variable_name(name)) {
        diags().error(toml_.pos(k), what + ": '" + name +
                                        "' is not a valid variable name "
                                        "(lower snake case, e.g. api_host)");
        continue;
      }
      auto text = toml_.string(tv, what + " " + name);
      if (!text) continue;
      auto parts = parse_template(*text);
      if (!parts) {
        diags().error(toml_.pos(tv), what + " " + name + ": " + parts.error().message);
        continue;
      }
      for (const TemplatePart& p : *parts) {
        if (p.is_variable) template_refs_.push_back({p.text, toml_.pos(tv), what + " " + name});
      }
      c.variables[name] = *text;
    }
  }

  // Checks what could only be checked with the whole file read: component references and
  // template references to application variables.
  void resolve_component_refs() {
    for (const ComponentRef& r : refs_) {
      if (!m_.component(r.id)) {
        diags().error(r.at, "the trigger names component '" + r.id +
                                "', but there is no "
                                "[component." +
                                r.id + "] (define it or fix the name)");
      }
      m_.http_triggers[r.trigger].component = r.id;
    }
    for (const TemplateRef& r : template_refs_) {
      if (!m_.variable(r.variable)) {
        diags().error(r.at, r.what + ": the template uses '" + r.variable +
                                "', which is not "
                                "declared under [variables] (declare it or fix the name)");
      }
    }
  }

  void build_routes() {
    // Two triggers with the same route: which one answers would be arbitrary.
    size_t route_index = 0;
    std::vector<std::pair<std::string, SourcePos>> first_seen;
    for (const HttpTrigger& t : m_.http_triggers) {
      if (t.is_private || t.route.text.empty()) continue;
      SourcePos at = route_index < route_pos_.size() ? route_pos_[route_index] : t.at;
      ++route_index;
      std::string key = std::to_string(static_cast<int>(t.route.kind)) + t.route.path;
      bool dup = false;
      for (const auto& [seen, seen_at] : first_seen) {
        if (seen == key) {
          diags().error(at, "route '" + t.route.text + "' is already taken by the trigger at " +
                                seen_at.to_string() + " (remove one, or change one route)");
          dup = true;
          break;
        }
      }
      if (!dup) first_seen.emplace_back(key, at);
    }
  }

  struct TemplateRef {
    std::string variable;
    SourcePos at;
    std::string what;
  };

  TomlReader& toml_;
  AppManifest& m_;
  bool saw_application_ = false;
  std::vector<ComponentRef> refs_;
  std::vector<TemplateRef> template_refs_;
  std::vector<SourcePos> route_pos_;  // of each string route, in trigger order
};

std::string parent_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace

Result<AppManifest> parse_manifest(std::string_view text, std::string_view path) {
  Diagnostics diags;
  TomlReader toml(std::string(path), diags);
  AppManifest m;
  m.path = std::string(path);
  m.dir = parent_dir(path);
  std::optional<toml::Table> root = toml.parse(text);
  if (root) ManifestReader(toml, m).read(*root);
  if (diags.failed()) return diags.to_error();
  m.warnings = diags.take_warnings();
  return m;
}

Result<AppManifest> load_manifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::make(ErrorKind::Io, path +
                                          ": cannot read the manifest (check the path; "
                                          "`hull serve` takes the path of a spin.toml)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str(), path);
}

}  // namespace hull::serve
