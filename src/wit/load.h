// Loading WIT from the filesystem (WIT.md "Filesystem structure"): a single .wit file (its
// dependencies inline as `package x { }` blocks), or a directory whose *.wit files form the
// root package and whose deps/ folder holds one dependency per .wit file or subdirectory.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "wit/resolve.h"

namespace hull::wit {

// Reads and resolves `path`. `extra_deps` are more dependency paths (files or directories,
// each one package group), e.g. sibling package folders that have no deps/ layout.
Result<Resolved> load_path(const std::string& path, const ResolveOptions& options = {},
                           const std::vector<std::string>& extra_deps = {});

// Reads one group: a file, or every *.wit file directly inside a directory (sorted by name).
Result<SourceGroup> read_group(const std::string& path);

}  // namespace hull::wit
