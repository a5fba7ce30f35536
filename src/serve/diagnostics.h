// Where a manifest or runtime-config value came from, and the warnings and errors found while
// reading one: every message names file:line:column and says what to do next.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace hull::serve {

struct SourcePos {
  std::string file;
  uint32_t line = 0;    // 1-based; 0 when unknown
  uint32_t column = 0;  // 1-based; 0 when unknown
  // "spin.toml:12:5", or "spin.toml" when the line is unknown.
  std::string to_string() const;
};

struct Diagnostic {
  SourcePos at;
  std::string message;
  // "spin.toml:12:5: message".
  std::string to_string() const;
};

// Collects the findings of one read: warnings are kept, errors make the read fail.
class Diagnostics {
 public:
  void warn(SourcePos at, std::string message) {
    warnings_.push_back({std::move(at), std::move(message)});
  }
  void error(SourcePos at, std::string message) {
    errors_.push_back({std::move(at), std::move(message)});
  }
  bool failed() const { return !errors_.empty(); }
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  const std::vector<Diagnostic>& errors() const { return errors_; }
  // The warnings in file order.
  std::vector<Diagnostic> take_warnings();
  // All errors in file order, one "file:line:col: message" per line, as one ErrorKind::Invalid
  // error.
  Error to_error() const;

 private:
  std::vector<Diagnostic> warnings_;
  std::vector<Diagnostic> errors_;
};

}  // namespace hull::serve
