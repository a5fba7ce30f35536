// `hull wast FILE.wast...`: run spec test scripts and report `N passed, M failed` per file and
// in total. Exit status 0 only if every assertion of every file passed.
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "commands.h"
#include "file_util.h"
#include "text/script.h"
#include "component_wast_runner.h"
#include "wast_runner.h"

namespace hull::cli {

int wast_command(int argc, char** argv) {
  std::vector<std::string> files;
  bool verbose = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::puts(
          "usage: hull wast [-v] FILE.wast...\n"
          "\n"
          "Runs every command of each script against the `spectest` host module and prints\n"
          "`FILE: N passed, M failed` per file (each failure with its line), then the total.\n"
          "  -v   also list problems outside assertions (modules that failed to load, ...)");
      return 0;
    }
    if (a == "-v") { verbose = true; continue; }
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
  uint64_t total_passed = 0, total_failed = 0;
  bool any_error = false;
  for (const std::string& file : files) {
    auto text = read_file(file);
    if (!text) {
      std::printf("%s: error: %s\n", file.c_str(), text.error().message.c_str());
      any_error = true;
      continue;
    }
    auto script = text::parse_script(*text);
    if (!script) {
      std::printf("%s:%s\n", file.c_str(), script.error().to_string().c_str());
      std::printf("%s: 0 passed, 1 failed (script did not parse)\n", file.c_str());
      ++total_failed;
      continue;
    }
    WastFileResult r;
    if (script_uses_components(*script)) {
      ComponentWastRunner runner;
      r = runner.run(*script);
    } else {
      WastRunner runner;
      r = runner.run(*script);
    }
    for (const auto& f : r.failures) std::printf("%s:%u: %s\n", file.c_str(), f.line, f.what.c_str());
    if (verbose)
      for (const auto& e : r.errors) std::printf("%s:%u: note: %s\n", file.c_str(), e.line, e.what.c_str());
    std::printf("%s: %u passed, %u failed\n", file.c_str(), r.passed, r.failed);
    std::fflush(stdout);
    total_passed += r.passed;
    total_failed += r.failed;
  }
  std::printf("%llu passed, %llu failed\n", (unsigned long long)total_passed,
              (unsigned long long)total_failed);
  return (total_failed == 0 && !any_error) ? 0 : 1;
}

}  // namespace hull::cli
