// Diagnostic formatting (see diagnostics.h).
#include "serve/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace hull::serve {

std::string SourcePos::to_string() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const { return at.to_string() + ": " + message; }

namespace {
// In file order, whatever order the checks ran in.
// (Ties keep the order the checks ran in: sorted by (line, column, index). Not stable_sort:
// libstdc++ 12's uses get_temporary_buffer, which clang 19 warns is deprecated.)
std::vector<Diagnostic> in_file_order(std::vector<Diagnostic> ds) {
  std::vector<size_t> order(ds.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(ds[a].at.line, ds[a].at.column, a) <
           std::tie(ds[b].at.line, ds[b].at.column, b);
  });
  std::vector<Diagnostic> sorted;
  sorted.reserve(ds.size());
  for (size_t i : order) sorted.push_back(std::move(ds[i]));
  return sorted;
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
