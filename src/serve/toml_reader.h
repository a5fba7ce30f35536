// Reading TOML documents (the manifest, the runtime config) with toml++ in its no-exceptions
// mode: values are checked one by one, each finding goes to Diagnostics with its position.
// toml++ is compiled header-only with TOML_EXCEPTIONS=0 (src/serve/CMakeLists.txt), so nothing
// throws across this boundary.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/diagnostics.h"

namespace hull::serve {

class TomlReader {
 public:
  TomlReader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  // Parses `text`; a syntax error is recorded (with its position) and yields nullopt.
  std::optional<toml::table> parse(std::string_view text);

  SourcePos pos(const toml::source_region& r) const;
  SourcePos pos(const toml::node& n) const { return pos(n.source()); }
  SourcePos pos(const toml::key& k) const { return pos(k.source()); }
  const std::string& file() const { return file_; }
  Diagnostics& diags() { return diags_; }

  // "a string", "an integer", ... for "expected X, found Y" messages.
  static const char* type_name(const toml::node& n);

  // The value as a string; an error naming `what` when it is not one.
  std::optional<std::string> string(const toml::node& n, std::string_view what);
  std::optional<bool> boolean(const toml::node& n, std::string_view what);
  // An array of strings (every element checked).
  std::optional<std::vector<std::string>> strings(const toml::node& n, std::string_view what);
  const toml::table* table(const toml::node& n, std::string_view what);
  // A key this reader does not know: a warning that says it is ignored and what is known.
  void unknown_key(const toml::key& k, std::string_view where, std::string_view known);

 private:
  std::string file_;
  Diagnostics& diags_;
};

}  // namespace hull::serve
