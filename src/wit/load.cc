// Loading WIT from files and directories (see load.h).
#include "wit/load.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace hull::wit {

namespace fs = std::filesystem;

namespace {

Result<SourceFile> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error::make(ErrorKind::Io, p.string() + ": cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  return SourceFile{p.string(), ss.str()};
}

}  // namespace

Result<SourceGroup> read_group(const std::string& path) {
  std::error_code ec;
  fs::path p(path);
  SourceGroup g;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(p, ec)) {
      if (e.is_regular_file(ec) && e.path().extension() == ".wit") files.push_back(e.path());
    }
    if (ec) return Error::make(ErrorKind::Io, path + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      auto src = read_file(f);
      if (!src) return std::move(src).error();
      g.files.push_back(std::move(*src));
    }
    if (g.files.empty()) return Error::make(ErrorKind::Io, path + ": no .wit files in directory");
    return g;
  }
  if (!fs::exists(p, ec)) return Error::make(ErrorKind::Io, path + ": no such file or directory");
  auto src = read_file(p);
  if (!src) return std::move(src).error();
  g.files.push_back(std::move(*src));
  return g;
}

Result<Resolved> load_path(const std::string& path, const ResolveOptions& options,
                           const std::vector<std::string>& extra_deps) {
  auto root = read_group(path);
  if (!root) return std::move(root).error();
  std::vector<SourceGroup> deps;
  std::error_code ec;
  fs::path deps_dir = fs::path(path) / "deps";
  if (fs::is_directory(path, ec) && fs::is_directory(deps_dir, ec)) {
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(deps_dir, ec)) {
      if (e.is_directory(ec) || e.path().extension() == ".wit") entries.push_back(e.path());
    }
    std::sort(entries.begin(), entries.end());
    for (const fs::path& e : entries) {
      auto g = read_group(e.string());
      if (!g) return std::move(g).error();
      deps.push_back(std::move(*g));
    }
  }
  for (const std::string& d : extra_deps) {
    auto g = read_group(d);
    if (!g) return std::move(g).error();
    deps.push_back(std::move(*g));
  }
  return resolve(*root, deps, options);
}

}  // namespace hull::wit
