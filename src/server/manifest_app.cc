// load_manifest_app: the manifest's components become AppComponents; `files` patterns are
// staged (hard links, else copies) into a per-component directory under the state directory,
// which the component sees read-only at "/", as Spin mounts them.
#include "server/manifest_app.h"

#include <glob.h>
#include <sys/stat.h>

#include <filesystem>

#include "serve/runtime_config.h"
#include "serve/wit.h"

namespace hull::server {

namespace fs = std::filesystem;
using hull::serve::AppManifest;

namespace {

std::string join(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (fs::path(dir) / path).lexically_normal().string();
}

// Stages the files a component's `files` patterns match under `stage` (relative paths kept);
// directory mounts become their own preopens.
Status stage_files(const AppManifest& m, const hull::serve::Component& c, const std::string& stage,
                   hull::api::wasi::Config* wasi) {
  bool staged_any = false;
  std::error_code ec;
  for (const hull::serve::FileMount& f : c.files) {
    if (!f.is_pattern) {
      wasi->preopens.push_back({join(m.dir, f.source), f.destination, /*readonly=*/true});
      continue;
    }
    glob_t g{};
    std::string pattern = join(m.dir, f.source);
    int rc = glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      globfree(&g);
      return Error::make(ErrorKind::Io, f.at.to_string() + ": files pattern `" + f.source +
                                            "` could not be expanded");
    }
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      fs::path src(g.gl_pathv[i]);
      if (!fs::is_regular_file(src, ec)) continue;
      fs::path rel = fs::relative(src, m.dir, ec);
      if (ec || rel.empty() || *rel.begin() == "..") continue;  // never outside the app
      fs::path dst = fs::path(stage) / rel;
      fs::create_directories(dst.parent_path(), ec);
      fs::remove(dst, ec);
      fs::create_hard_link(src, dst, ec);
      if (ec) fs::copy_file(src, dst, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        globfree(&g);
        return Error::make(ErrorKind::Io, "cannot stage " + src.string() + " for component `" +
                                              c.id + "`: " + ec.message());
      }
      staged_any = true;
    }
    globfree(&g);
  }
  if (staged_any) wasi->preopens.push_back({stage, "/", /*readonly=*/true});
  return {};
}

}  // namespace

Result<ManifestApp> load_manifest_app(const std::string& path, const ManifestOptions& options) {
  auto manifest = hull::serve::load_manifest(path);
  if (!manifest) return std::move(manifest).error();
  ManifestApp out;
  auto m = std::make_shared<AppManifest>(std::move(*manifest));
  out.manifest = m;
  out.warnings = m->warnings;
  hull::serve::RuntimeConfig rc;
  if (!options.runtime_config.empty()) {
    auto loaded = hull::serve::load_runtime_config(options.runtime_config);
    if (!loaded) return std::move(loaded).error();
    rc = std::move(*loaded);
    out.warnings.insert(out.warnings.end(), rc.warnings.begin(), rc.warnings.end());
  }
  std::string state = options.state_dir.empty() ? hull::serve::default_state_dir(path)
                                                : options.state_dir;
  auto kv = std::make_shared<hull::serve::KvRegistry>(std::move(rc), state);
  auto variables = std::make_shared<hull::serve::VariableResolver>(*m);
  if (auto r = variables->check_required(); !r) return std::move(r).error();
  out.variables = variables;

  std::vector<AppComponent> comps;
  for (const hull::serve::Component& c : m->components) {
    AppComponent a;
    a.name = c.id;
    a.source = join(m->dir, c.source);
    for (const auto& [k, v] : c.environment) a.wasi.env.emplace_back(k, v);
    a.wasi.args = {c.id};
    a.wasi.allowed_outbound_hosts = c.allowed_outbound_hosts;
    for (const auto& h : options.allowed_outbound_hosts) a.wasi.allowed_outbound_hosts.push_back(h);
    if (auto st = stage_files(*m, c, state + "/files/" + c.id, &a.wasi); !st) {
      return std::move(st).error();
    }
    a.serve = hull::serve::serve_config_for(c, kv, variables);
    comps.push_back(std::move(a));
  }
  std::vector<AppRoute> routes;
  for (const hull::serve::HttpTrigger& t : m->http_triggers) {
    if (t.is_private) continue;
    size_t index = 0;
    while (index < m->components.size() && m->components[index].id != t.component) ++index;
    if (index == m->components.size()) {
      return Error::make(ErrorKind::Invalid, t.at.to_string() + ": trigger names component `" +
                                                 t.component + "`, which the manifest lacks");
    }
    routes.push_back({t.route.text, index});
  }
  if (routes.empty()) {
    return Error::make(ErrorKind::Invalid,
                       path + ": no [[trigger.http]] with a public route: nothing to serve");
  }
  auto app = App::create(std::move(comps), std::move(routes), options.limits);
  if (!app) return std::move(app).error();
  out.app = std::move(*app);
  return out;
}

}  // namespace hull::server
