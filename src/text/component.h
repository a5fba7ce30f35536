// Component-model text -> component binary: parse one `(component ...)` and encode it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "text/wat.h"

namespace hull::text {

// Parse one text component `(component $id? field*)` (or bare component fields) and encode
// it per the component-model Binary.md. Errors are ErrorKind::Malformed with line/column.
// options.name_section applies to embedded core modules.
Result<std::vector<uint8_t>> component_to_binary(std::string_view text,
                                                 const WatOptions& options = {});

}  // namespace hull::text
