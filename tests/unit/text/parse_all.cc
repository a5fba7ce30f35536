// Smoke driver: parses every .wast in a directory with hull::text::parse_script, re-encodes
// quoted modules, and reports files that fail to parse and assert_malformed text modules we
// accept. Usage: hull_text_parse_all [DIR] [-v] (default $HULL_TESTSUITE/core).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "text/script.h"
#include "text/wat.h"

namespace fs = std::filesystem;
using namespace hull::text;

int main(int argc, char** argv) {
  std::string dir;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-v") verbose = true;
    else dir = a;
  }
  if (dir.empty()) {
    const char* env = std::getenv("HULL_TESTSUITE");
    dir = std::string(env ? env : "../shared/testsuite") + "/core";
  }
  std::vector<fs::path> files;
  if (fs::is_regular_file(dir)) {
    files.push_back(dir);
  } else {
    for (auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".wast") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int failed = 0;
  size_t commands = 0, malformed_total = 0, malformed_accepted = 0, quote_bad = 0,
         invalid_rejected = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto r = parse_script(text);
    if (!r.ok()) {
      ++failed;
      std::printf("FAIL %s: %s\n", f.filename().c_str(), r.error().to_string().c_str());
      continue;
    }
    commands += r->commands.size();
    for (auto& cmd : r->commands) {
      const ScriptModule* m = nullptr;
      bool expect_malformed = false, expect_invalid = false;
      if (auto* mc = std::get_if<ModuleCommand>(&cmd.body)) m = &mc->module;
      if (auto* am = std::get_if<AssertModule>(&cmd.body)) {
        m = &am->module;
        // A malformed annotation (assert_malformed_custom) is a text-format error too.
        expect_malformed =
            am->kind == AssertModule::Malformed || am->kind == AssertModule::MalformedCustom;
        expect_invalid = am->kind == AssertModule::Invalid;
      }
      if (!m) continue;
      bool rejected = m->encode_error.has_value();
      std::string why;
      if (m->kind == ScriptModule::Quote) {
        auto q = wat_to_binary(m->quote);
        if (!q.ok()) {
          rejected = true;
          why = q.error().to_string();
        }
      }
      if (expect_malformed && m->kind != ScriptModule::Binary) {
        ++malformed_total;
        if (rejected && std::getenv("HULL_TEXT_SHOW_REASONS"))
          std::printf("REASON %s | %s\n", std::get<AssertModule>(cmd.body).message.c_str(),
                      (m->encode_error ? m->encode_error->message : why).c_str());
        if (!rejected) {
          ++malformed_accepted;
          if (verbose)
            std::printf("ACCEPTED %s:%u: %s\n", f.filename().c_str(), cmd.line,
                        std::get<AssertModule>(cmd.body).message.c_str());
        }
      } else if (expect_invalid && rejected) {
        ++invalid_rejected;
        std::printf("INVALID-BUT-MALFORMED %s:%u: %s\n", f.filename().c_str(), cmd.line,
                    (m->encode_error ? m->encode_error->to_string() : why).c_str());
      } else if (!expect_malformed && rejected && m->kind == ScriptModule::Quote) {
        ++quote_bad;
        std::printf("QUOTE-REJECTED %s:%u: %s\n", f.filename().c_str(), cmd.line, why.c_str());
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu files, %d failed to parse, %zu commands, %.2fs\n", files.size(), failed,
              commands, secs);
  std::printf("text assert_malformed: %zu, accepted (not rejected): %zu; valid quote modules "
              "rejected: %zu; assert_invalid text modules rejected as malformed: %zu\n",
              malformed_total, malformed_accepted, quote_bad, invalid_rejected);
  return (failed || quote_bad || invalid_rejected) ? 1 : 0;
}
