// Reading TOML documents (the manifest, the runtime config) with Hull's TOML 1.0 parser
// (serve/toml.h): values are checked one by one, each finding goes to Diagnostics with its
// position. A syntax error is one diagnostic at its line and column; nothing throws or aborts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/diagnostics.h"
#include "serve/toml.h"

namespace hull::serve {

class TomlReader {
 public:
  TomlReader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  // Parses `text`; a syntax error is recorded (with its position) and yields nullopt.
  std::optional<toml::Table> parse(std::string_view text);

  SourcePos pos(toml::Position p) const { return SourcePos{file_, p.line, p.column}; }
  SourcePos pos(const toml::Value& v) const { return pos(v.pos()); }
  SourcePos pos(const toml::Table& t) const { return pos(t.pos()); }
  SourcePos pos(const toml::Key& k) const { return pos(k.pos); }
  const std::string& file() const { return file_; }
  Diagnostics& diags() { return diags_; }

  // "a string", "an integer", ... for "expected X, found Y" messages.
  static const char* type_name(const toml::Value& v) { return v.kind_name(); }

  // The value as a string; an error naming `what` when it is not one.
  std::optional<std::string> string(const toml::Value& v, std::string_view what);
  std::optional<bool> boolean(const toml::Value& v, std::string_view what);
  // An array of strings (every element checked).
  std::optional<std::vector<std::string>> strings(const toml::Value& v, std::string_view what);
  const toml::Table* table(const toml::Value& v, std::string_view what);
  // A key this reader does not know: a warning that says it is ignored and what is known.
  void unknown_key(const toml::Key& k, std::string_view where, std::string_view known);

 private:
  std::string file_;
  Diagnostics& diags_;
};

}  // namespace hull::serve
