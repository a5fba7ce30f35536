// Formatting of Error values.
#include "base/result.h"

#include <cstdio>

namespace hull {

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Limit: return "implementation limit";
    case ErrorKind::Io: return "i/o";
    case ErrorKind::Usage: return "usage";
  }
  return "error";
}

std::string Error::to_string() const {
  char buf[64];
  if (line != 0) {
    std::snprintf(buf, sizeof buf, "%u:%u: ", line, column);
    return buf + message;
  }
  if (offset != SIZE_MAX) {
    std::snprintf(buf, sizeof buf, " (at byte 0x%zx)", offset);
    return message + buf;
  }
  return message;
}

}  // namespace hull
