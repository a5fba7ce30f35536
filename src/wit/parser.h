// WIT parser: one source file -> ast::File (WIT.md grammar). Errors name file:line:column.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "wit/ast.h"

namespace hull::wit {

// Parses `text`; `file_name` is used in error messages and `file_index` is stored in every
// ast::Loc of the result.
Result<ast::File> parse_file(std::string_view text, std::string_view file_name,
                             uint32_t file_index);

}  // namespace hull::wit
