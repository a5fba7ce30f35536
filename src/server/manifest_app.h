// An App from a Spin-style manifest (`hull serve app.toml`): each component with its source,
// environment, files, outbound hosts, key-value stores and variables; the public HTTP routes;
// the runtime config choosing each key-value store's backend.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "serve/diagnostics.h"
#include "serve/manifest.h"
#include "serve/variables.h"
#include "server/app.h"

namespace hull::server {

struct ManifestOptions {
  std::string runtime_config;  // a runtime-config.toml; empty: every store is SQLite
  std::string state_dir;       // empty: `.hull/` beside the manifest
  AppLimits limits;
  // Extra grants from the command line, given to every component.
  std::vector<std::string> allowed_outbound_hosts;
};

// The app and what its host functions refer to (kept alive as long as the app).
struct ManifestApp {
  std::shared_ptr<const hull::serve::AppManifest> manifest;
  std::shared_ptr<const hull::serve::VariableResolver> variables;
  std::unique_ptr<App> app;
  std::vector<hull::serve::Diagnostic> warnings;  // the manifest's and the runtime config's
};

// Reads the manifest and builds the app: errors name file:line:col (or the component) and
// say what to do.
Result<ManifestApp> load_manifest_app(const std::string& path, const ManifestOptions& options);

}  // namespace hull::server
