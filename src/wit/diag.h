// Error values of the WIT layer: every parse or resolve error names its place as
// "file:line:column: reason" in the message (Error::to_string prints the message as is, so a
// caller can show it unchanged; line/column are not duplicated in the Error's own fields).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hull::wit {

inline Error located_error(ErrorKind kind, std::string_view file, uint32_t line, uint32_t column,
                           std::string_view reason) {
  std::string msg(file);
  msg += ':' + std::to_string(line) + ':' + std::to_string(column) + ": ";
  msg += reason;
  return Error::make(kind, std::move(msg));
}

}  // namespace hull::wit
