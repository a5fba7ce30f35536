// `hull wast FILE.wast...`: run spec test scripts and report `N passed, M failed, K skipped` per
// file and in total. Exit status 0 only if nothing failed (skipped commands do not fail).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "commands.h"
#include "component_wast_runner.h"
#include "feature_flags.h"
#include "file_util.h"
#include "text/script.h"
#include "tier_flag.h"
#include "wast_messages.h"
#include "wast_runner.h"

namespace hull::cli {

namespace {

bool is_inline_module(const text::Script& script) {
  static constexpr std::string_view kFields[] = {"func", "memory", "table",  "global",
                                                 "type", "rec",    "import", "export",
                                                 "data", "elem",   "start",  "tag"};
  if (script.commands.empty()) return false;
  for (const text::Command& c : script.commands) {
    auto* s = std::get_if<text::SkippedCommand>(&c.body);
    if (!s) return false;
    bool field = false;
    for (std::string_view f : kFields) field = field || s->head == f;
    if (!field) return false;
  }
  return true;
}

// The features a script runs with. Scripts of the threads proposal's repository
// (proposals/threads/) were written against its reference interpreter, which predates
// multi-memory, reference types (multiple tables) and memory64: they assert that a second
// memory or table is invalid ("multiple memories", "multiple tables") and that a 32-bit limit
// beyond 2^32-1 is a malformed literal. They run with those three off, unless -W was given.
FeatureSet features_for(const std::string& file, FeatureSet features, bool features_named) {
  if (!features_named && file.find("proposals/threads/") != std::string::npos) {
    features.set(Feature::MultiMemory, false);
    features.set(Feature::ReferenceTypes, false);
    features.set(Feature::Memory64, false);
  }
  return features;
}

}  // namespace

int wast_command(int argc, char** argv) {
  std::vector<std::string> files;
  bool verbose = false;
  bool core_only = false;
  bool native = false;          // --tier native or auto
  bool background = false;      // --tier auto
  bool baseline = false;        // --tier baseline
  uint8_t opt_level = kMaxNativeOptLevel;  // --opt-level
  bool features_named = false;  // -W was given (features_for)
  WasmFeatures features;
  // The component testsuite's scripts use component-model async throughout (Wasmtime's scripts
  // say `;;! component_model_async = true`, and none turns it off), so `hull wast` enables it
  // for every component script; embedders get it only by asking
  // (Config::component_model_async).
  features.component_model_async = true;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::puts(
          "usage: hull wast [-v] [--core] [-W FEATURE=y|n,...] FILE.wast...\n"
          "\n"
          "Runs every command of each script against the `spectest` host module and prints\n"
          "`FILE: N passed, M failed, K skipped` per file (each failure with its line), then\n"
          "the total. Assertions count once each; a module, register or action command counts\n"
          "only when it fails. Commands whose module needs a feature Hull lacks (GC, exception\n"
          "handling) are skipped, never passed: each file lists how many and why.\n"
          "A script with components runs on the component runner, unless --core is given.\n"
          "  -v       list every skipped command with its line and reason\n"
          "  --tier interp|baseline|native|auto  baseline: compile every function with the\n"
          "           baseline tier (copy-and-patch of the interpreter's handlers); native:\n"
          "           compile every function the native tier can to machine code (hull-native\n"
          "           only; the rest stays interpreted); auto: tier-up, functions switch to\n"
          "           machine code as they run hot\n"
          "  --opt-level 0|1|2  how hard the native tier optimizes (2, the default)\n"
          "  --core   run every script on the core runner (a component command fails)\n"
          "  -W FEATURE[=y|n][,...]  switch a Wasm feature off (n) or on (y, the default for\n"
          "           all), as `hull run -W` does; scripts are written for all on, except\n"
          "           those under proposals/threads/: without -W they run with multi-memory,\n"
          "           reference-types and memory64 off, as that proposal's interpreter did\n"
          "\n"
          "A failure message satisfies an assertion's text if it starts with it (the reference\n"
          "interpreter's rule) or by a documented alias:\n"
          "  --message-aliases   print the alias table (expected, Hull's, scope, why)");
      return 0;
    }
    if (a == "-v") {
      verbose = true;
      continue;
    }
    if (a == "--core") {
      core_only = true;
      continue;
    }
    // `--NAME VALUE` or `--NAME=VALUE`: 1 and the value in *v, 0 for another option, -1 (said
    // why) for a missing value.
    auto valued = [&](const std::string& name, const char* values, std::string* v) {
      if (a.rfind(name + "=", 0) == 0) {
        *v = a.substr(name.size() + 1);
        return 1;
      }
      if (a != name) return 0;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value: %s\n", name.c_str(), values);
        return -1;
      }
      *v = argv[++i];
      return 1;
    };
    std::string v;
    if (int got = valued("--tier", "interp, baseline, native or auto", &v)) {
      if (got < 0 || !parse_tier(v, &native, &background, &baseline)) return 2;
      continue;
    }
    if (int got = valued("--opt-level", "0, 1 or 2", &v)) {
      if (got < 0 || !parse_opt_level(v, &opt_level)) return 2;
      continue;
    }
    if (a == "-W" || (a.rfind("-W", 0) == 0 && a.size() > 2)) {
      if (a.size() == 2 && i + 1 >= argc) {
        std::fprintf(stderr, "error: -W needs a value (see hull wast --help)\n");
        return 2;
      }
      const std::string flags = a.size() > 2 ? a.substr(2) : std::string(argv[++i]);
      if (!parse_feature_flags(flags, &features)) return 2;
      features_named = true;
      continue;
    }
    if (a == "--message-aliases") {
      // The documented exceptions to the prefix rule, tab-separated, for docs/CONFORMANCE.md.
      for (const MessageAlias& m : message_aliases())
        std::printf("%.*s\t%.*s\t%s\t%.*s\n", int(m.expected.size()), m.expected.data(),
                    int(m.hull.size()), m.hull.data(), m.text_only ? "text" : "any",
                    int(m.why.size()), m.why.data());
      return 0;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "error: unknown option '%s'\n", a.c_str());
      return 2;
    }
    files.push_back(a);
  }
  if (files.empty()) {
    std::fprintf(stderr, "error: no .wast files given (see hull wast --help)\n");
    return 2;
  }
  uint64_t total_passed = 0, total_failed = 0, total_skipped = 0;
  bool any_error = false;
  for (const std::string& file : files) {
    auto text = read_file(file);
    if (!text) {
      std::printf("%s: error: %s\n", file.c_str(), text.error().message.c_str());
      any_error = true;
      continue;
    }
    auto script = text::parse_script(*text);
    // A script made only of module fields is one module (the spec's "inline module" form,
    // inline-module.wast): parse it again with the fields wrapped, on the same lines.
    if (script && is_inline_module(*script))
      script = text::parse_script("(module " + *text + "\n)");
    if (!script) {
      std::printf("%s:%s\n", file.c_str(), script.error().to_string().c_str());
      std::printf("%s: 0 passed, 1 failed, 0 skipped (script did not parse)\n", file.c_str());
      ++total_failed;
      continue;
    }
    WastFileResult r;
    if (!core_only && script_uses_components(*script)) {
      api::Config config;
      apply_to(features, &config);
      ComponentWastRunner runner(config);
      r = runner.run(*script);
    } else {
      WastRunner runner(features_for(file, features.core, features_named), native, background,
                        opt_level, baseline);
      r = runner.run(*script);
    }
    for (const auto& f : r.failures)
      std::printf("%s:%u: %s\n", file.c_str(), f.line, f.what.c_str());
    if (verbose)
      for (const auto& s : r.skips)
        std::printf("%s:%u: skipped: %s\n", file.c_str(), s.line, s.what.c_str());
    // Skips by feature, each with its first line, so that a skip is visible without -v. Every
    // skip says why as "needs gc: ..." or "needs exceptions: ..." (wast_runner.cc).
    std::map<std::string, std::pair<uint32_t, uint32_t>> by_reason;  // reason -> count, line
    for (const auto& s : r.skips) {
      const std::string& w = s.what;
      const size_t at = w.find("needs ");
      std::string reason = at == std::string::npos ? "other" : w.substr(at, w.find(':', at) - at);
      ++by_reason.try_emplace(reason, 0, s.line).first->second.first;
    }
    for (const auto& [reason, n] : by_reason)
      std::printf("%s: skipped %u (%s), the first at line %u\n", file.c_str(), n.first,
                  reason.c_str(), n.second);
    std::printf("%s: %u passed, %u failed, %u skipped\n", file.c_str(), r.passed, r.failed,
                r.skipped);
    std::fflush(stdout);
    total_passed += r.passed;
    total_failed += r.failed;
    total_skipped += r.skipped;
  }
  std::printf("%llu passed, %llu failed, %llu skipped\n", (unsigned long long)total_passed,
              (unsigned long long)total_failed, (unsigned long long)total_skipped);
  return (total_failed == 0 && !any_error) ? 0 : 1;
}

}  // namespace hull::cli
