// `hull compile FILE.wasm -o FILE.hullc`: ahead-of-time compilation with the native tier into a
// precompiled module (engine/precompiled.h) that `hull-native run FILE.hullc` loads without
// compiling.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "commands.h"
#include "component_cli.h"
#include "engine/precompiled.h"
#include "engine/tiers.h"
#include "feature_flags.h"
#include "file_util.h"
#include "tier_flag.h"

namespace hull::cli {

namespace {

constexpr int kExitUsage = 2;

void print_compile_help(FILE* out) {
  std::fputs(
      "usage: hull-native compile [OPTIONS] FILE.wasm|FILE.wat -o FILE.hullc\n"
      "\n"
      "Compiles a module's functions to machine code for this machine, ahead of time: "
      "`hull-native\n"
      "run FILE.hullc` then starts without compiling. A .hullc runs only on the hull-native that\n"
      "made it, on a CPU with the same features, with the same options below (anything else is\n"
      "refused with the reason). It holds machine code: run only .hullc files you made.\n"
      "\n"
      "options:\n"
      "  -o FILE                 where to write the precompiled module\n"
      "  --fuel                  with fuel metering: run it with --fuel N\n"
      "  --epochs                with deadline checks: run it with --timeout DURATION\n"
      "  --bounds-checks MODE    guard (the default where supported) or explicit, as for run\n"
      "  -W NAME=y|n[,...]       Wasm features, as for run (e.g. -W threads=n)\n",
      out);
  std::fputs(kOptLevelHelp, out);
  std::fputs("  -h, --help              show this text\n", out);
}

}  // namespace

int compile_command(int argc, char** argv) {
  std::string in, out;
  CompileOptions opts;
  WasmFeatures features;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i], val;
    bool has_val = false;
    if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      val = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_val = true;
    }
    auto need = [&](std::string* v) {
      if (has_val) {
        *v = val;
        return true;
      }
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        return false;
      }
      *v = argv[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      print_compile_help(stdout);
      return 0;
    } else if (a == "-o") {
      if (!need(&out)) return kExitUsage;
    } else if (a == "--fuel") {
      opts.fuel = true;
    } else if (a == "--epochs") {
      opts.epochs = true;
    } else if (a == "--bounds-checks") {
      std::string v;
      if (!need(&v) || !parse_bounds_checks(v, &opts.guard_pages)) return kExitUsage;
    } else if (a == "--opt-level") {
      std::string v;
      if (!need(&v) || !parse_opt_level(v, &opts.native_opt_level)) return kExitUsage;
    } else if (a == "-W" || (a.rfind("-W", 0) == 0 && a.size() > 2)) {
      std::string v = a.substr(2);
      if (v.empty() && !need(&v)) return kExitUsage;
      if (!parse_feature_flags(v, &features)) return kExitUsage;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "error: unknown option '%s' (hull-native compile --help lists them)\n",
                   argv[i]);
      return kExitUsage;
    } else if (in.empty()) {
      in = a;
    } else {
      std::fprintf(stderr, "error: one module at a time ('%s' and '%s')\n", in.c_str(), argv[i]);
      return kExitUsage;
    }
  }
  if (in.empty() || out.empty()) {
    print_compile_help(stderr);
    return kExitUsage;
  }
  if (!native_tier()) {
    std::fprintf(stderr,
                 "error: this executable has no native tier to compile with: use hull-native "
                 "compile\n");
    return kExitUsage;
  }
  opts.features = features.core;
  if (is_component_file(in)) {
    std::fprintf(stderr,
                 "error: %s is a component: the native tier compiles core modules only "
                 "(components run interpreted for now)\n",
                 in.c_str());
    return 1;
  }
  auto bytes = read_module_bytes(in);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().message.c_str());
    return 1;
  }
  if (is_precompiled(*bytes)) {
    std::fprintf(stderr, "error: %s is already precompiled\n", in.c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto image = precompile(*bytes, opts);
  if (!image) {
    std::fprintf(stderr, "error: %s: %s module: %s\n", in.c_str(),
                 error_kind_name(image.error().kind), image.error().to_string().c_str());
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Written beside, then renamed: a reader never sees half a file.
  const std::string tmp = out + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(image->data()),
            static_cast<std::streamsize>(image->size()));
    if (!f) {
      std::fprintf(stderr, "error: cannot write %s\n", out.c_str());
      std::remove(tmp.c_str());
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    std::fprintf(stderr, "error: cannot write %s\n", out.c_str());
    std::remove(tmp.c_str());
    return 1;
  }
  std::fprintf(stderr, "%s: %zu bytes of wasm -> %s, %zu bytes (%.2f s)\n", in.c_str(),
               bytes->size(), out.c_str(), image->size(), secs);
  return 0;
}

}  // namespace hull::cli
