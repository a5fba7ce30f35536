// The app manifest of `hull serve`: Spin's spin.toml v2 layout, as far as it applies to
// wasi:http services. Parsing checks every value and reports an unknown key as a warning and a
// bad value as an error, both with file:line:column; see docs at the top of manifest.cc.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "serve/diagnostics.h"
#include "serve/routes.h"

namespace hull::serve {

// An application variable ([variables]): a default, or required; secret ones are never logged.
struct Variable {
  std::string name;
  std::optional<std::string> default_value;
  bool required = false;
  bool secret = false;
  SourcePos at;
};

// One `files` entry of a component: a glob pattern relative to the manifest's directory,
// mounted at the same relative path; or a directory mounted at an absolute guest path.
struct FileMount {
  bool is_pattern = true;
  std::string source;       // the pattern, or the host directory (relative to the manifest)
  std::string destination;  // the guest directory for a directory mount; empty for a pattern
  SourcePos at;
};

struct Component {
  std::string id;      // kebab-case; "inline-component-N" for the Nth trigger's inline one
  std::string source;  // the .wasm path as written (relative to the manifest's directory)
  std::string description;
  std::vector<FileMount> files;
  std::vector<std::string> exclude_files;  // glob patterns removed from `files`' matches
  std::vector<std::string> allowed_outbound_hosts;
  std::vector<std::string> key_value_stores;
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> variables;  // name -> template ("{{ app_var }}/x")
  SourcePos at;
};

struct HttpTrigger {
  Route route;
  bool is_private = false;  // `route = { private = true }`: reachable by no URL
  std::string component;    // a Component id
  std::string executor = "spin";
  SourcePos at;
};

struct AppManifest {
  std::string path;  // as given to load_manifest / parse_manifest
  std::string dir;   // its directory: component sources and files are relative to it
  std::string name, version, description;
  std::vector<std::string> authors;
  std::vector<Variable> variables;
  std::vector<Component> components;  // in the order they appear
  std::vector<HttpTrigger> http_triggers;
  std::vector<Diagnostic> warnings;

  const Component* component(std::string_view id) const;
  const Variable* variable(std::string_view name) const;
  // The router over the public routes (built and checked for conflicts by parse_manifest).
  Router router() const;
};

// Parses manifest text; `path` names it in messages and gives the base directory.
Result<AppManifest> parse_manifest(std::string_view text, std::string_view path);
// Reads and parses the file at `path`.
Result<AppManifest> load_manifest(const std::string& path);

}  // namespace hull::serve
