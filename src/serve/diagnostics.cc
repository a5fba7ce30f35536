// Diagnostic formatting (see diagnostics.h).
#include "serve/diagnostics.h"

#include <algorithm>

namespace hull::serve {

std::string SourcePos::to_string() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const { return at.to_string() + ": " + message; }

namespace {
// In file order, whatever order the checks ran in.
std::vector<Diagnostic> in_file_order(std::vector<Diagnostic> ds) {
  std::stable_sort(ds.begin(), ds.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column;
  });
  return ds;
}
}  // namespace

std::vector<Diagnostic> Diagnostics::take_warnings() { return in_file_order(std::move(warnings_)); }

Error Diagnostics::to_error() const {
  std::string message;
  for (const Diagnostic& d : in_file_order(errors_)) {
    if (!message.empty()) message += "\n";
    message += d.to_string();
  }
  // The location is in the message already; Error::to_string must not prefix it again, so
  // line/column stay 0 and the first error's position is kept in the text only.
  return Error::make(ErrorKind::Invalid, std::move(message));
}

}  // namespace hull::serve
