// Reading whole files for the CLI, with errors that name the file.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace hull::cli {

Result<std::string> read_file(const std::string& path);

}  // namespace hull::cli
