// Smoke driver for the component-model text layer: parses every .wast under a directory
// (recursively) with hull::text::parse_script, encodes quoted components, and prints
// "N passed, N failed" with every failure. Usage: hull_text_component_parse_all [DIR] [-v]
// (default $HULL_TESTSUITE/component, else ../shared/testsuite/component).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "text/component.h"
#include "text/script.h"

namespace fs = std::filesystem;
using namespace hull::text;

int main(int argc, char** argv) {
  std::string dir;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-v")
      verbose = true;
    else
      dir = a;
  }
  if (dir.empty()) {
    const char* env = std::getenv("HULL_TESTSUITE");
    dir = std::string(env ? env : "../shared/testsuite") + "/component";
  }
  if (!fs::exists(dir)) {
    std::fprintf(stderr, "error: component testsuite not found at %s (set HULL_TESTSUITE)\n",
                 dir.c_str());
    return 2;
  }
  std::vector<fs::path> files;
  if (fs::is_regular_file(dir)) {
    files.push_back(dir);
  } else {
    for (auto& e : fs::recursive_directory_iterator(dir))
      if (e.path().extension() == ".wast") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int passed = 0, failed = 0;
  size_t components = 0, malformed_text = 0, malformed_accepted = 0;
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = parse_script(ss.str());
    std::string rel = fs::relative(f, dir).string();
    if (!r.ok()) {
      ++failed;
      std::printf("FAIL %s: %s\n", rel.c_str(), r.error().to_string().c_str());
      continue;
    }
    bool ok = true;
    for (auto& cmd : r->commands) {
      const ScriptModule* m = nullptr;
      bool expect_malformed = false;
      if (auto* mc = std::get_if<ModuleCommand>(&cmd.body)) m = &mc->module;
      if (auto* am = std::get_if<AssertModule>(&cmd.body)) {
        m = &am->module;
        expect_malformed = am->kind == AssertModule::Malformed;
      }
      if (!m || !m->component) continue;
      ++components;
      bool rejected = m->encode_error.has_value();
      if (m->kind == ScriptModule::Quote) {
        auto q = component_to_binary(m->quote);
        rejected = !q.ok();
        if (rejected && !expect_malformed) {
          ok = false;
          std::printf("FAIL %s:%u: quoted component rejected: %s\n", rel.c_str(), cmd.line,
                      q.error().to_string().c_str());
        }
      }
      if (expect_malformed && m->kind != ScriptModule::Binary) {
        ++malformed_text;
        if (!rejected) {
          ++malformed_accepted;
          if (verbose)
            std::printf("ACCEPTED %s:%u: %s\n", rel.c_str(), cmd.line,
                        std::get<AssertModule>(cmd.body).message.c_str());
        }
      }
    }
    if (ok)
      ++passed;
    else
      ++failed;
  }
  std::printf("%zu components; text assert_malformed: %zu, accepted by the parser: %zu\n",
              components, malformed_text, malformed_accepted);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
