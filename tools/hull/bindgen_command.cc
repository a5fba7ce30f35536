// `hull bindgen cpp WIT --world W -o DIR`: typed C++ host bindings for a WIT world. WIT is a
// .wit file (dependencies inline as `package x { }` blocks) or a directory of .wit files with a
// deps/ folder; the bindings are written to DIR/<world>.hh.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "bindgen_cpp.h"
#include "commands.h"
#include "wit/load.h"

namespace hull::cli {

namespace {

void usage(FILE* out) {
  std::fputs(
      "usage: hull bindgen cpp WIT [--world W] -o DIR [options]\n"
      "\n"
      "Generates C++ host bindings for world W of WIT (a .wit file, or a directory of .wit\n"
      "files with its dependencies in deps/) into DIR/<world>.hh: an abstract class per\n"
      "imported interface with add_to_linker(), and typed calls of the exports.\n"
      "\n"
      "options:\n"
      "  --world W          the world: a name in the root package or ns:pkg/name[@version]\n"
      "                     (default: the root package's only world)\n"
      "  -o, --out DIR      the output directory (created if missing)\n"
      "  --namespace NS     the C++ namespace of the bindings (default: the world's name)\n"
      "  --features F,G     include items gated with @unstable(feature = F)\n"
      "  --all-features     include every @unstable item\n"
      "  --dep PATH         another dependency package (file or directory); repeatable\n",
      out);
}

}  // namespace

int bindgen_command(int argc, char** argv) {
  if (argc < 1 || std::strcmp(argv[0], "--help") == 0 || std::strcmp(argv[0], "-h") == 0) {
    usage(argc < 1 ? stderr : stdout);
    return argc < 1 ? 2 : 0;
  }
  if (std::strcmp(argv[0], "cpp") != 0) {
    std::fprintf(stderr, "error: unknown bindings language '%s' (supported: cpp)\n", argv[0]);
    return 2;
  }
  std::string input, world, out_dir;
  CppBindgenOptions opts;
  wit::ResolveOptions ropts;
  std::vector<std::string> deps;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", flag);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (a == "--world") {
      const char* v = value("--world");
      if (!v) return 2;
      world = v;
    } else if (a == "-o" || a == "--out") {
      const char* v = value("-o");
      if (!v) return 2;
      out_dir = v;
    } else if (a == "--namespace") {
      const char* v = value("--namespace");
      if (!v) return 2;
      opts.ns = v;
    } else if (a == "--features") {
      const char* v = value("--features");
      if (!v) return 2;
      std::string list = v;
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        if (comma > start) ropts.features.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (a == "--all-features") {
      ropts.all_features = true;
    } else if (a == "--dep") {
      const char* v = value("--dep");
      if (!v) return 2;
      deps.push_back(v);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "error: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    } else if (input.empty()) {
      input = argv[i];
    } else {
      std::fprintf(stderr, "error: more than one WIT path ('%s', '%s')\n", input.c_str(), argv[i]);
      return 2;
    }
  }
  if (input.empty() || out_dir.empty()) {
    std::fprintf(stderr, "error: %s\n", input.empty() ? "no WIT path given" : "no -o DIR given");
    usage(stderr);
    return 2;
  }
  auto resolved = wit::load_path(input, ropts, deps);
  if (!resolved) {
    std::fprintf(stderr, "error: %s\n", resolved.error().message.c_str());
    return 1;
  }
  auto wid = wit::select_world(*resolved, world);
  if (!wid) {
    std::fprintf(stderr, "error: %s\n", wid.error().message.c_str());
    return 1;
  }
  auto text = generate_cpp_bindings(resolved->model, *wid, opts);
  if (!text) {
    std::fprintf(stderr, "error: %s\n", text.error().message.c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  std::string path = out_dir + "/" + resolved->model.worlds[*wid].name + ".hh";
  // Written only when it changed, so a build that regenerates bindings does not recompile
  // their users needlessly.
  {
    std::ifstream old(path, std::ios::binary);
    std::string prev((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
    if (old && prev == *text) return 0;
  }
  std::ofstream out(path, std::ios::binary);
  out << *text;
  if (!out) {
    std::fprintf(stderr, "error: %s: cannot write\n", path.c_str());
    return 1;
  }
  return 0;
}

}  // namespace hull::cli
