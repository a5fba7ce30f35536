// WIT resolver: turns parsed WIT files into a Model (model.h). The input is a root group of
// files (one package spread over files, plus any `package x { }` blocks) and dependency groups
// (a deps/ folder's files or subdirectories). Packages are resolved in topological order of
// their references; every error (unknown names, duplicates, cycles, misuse of handles) names
// file:line:column.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "wit/model.h"

namespace hull::wit {

struct SourceFile {
  std::string name;  // shown in messages (a path)
  std::string text;
};

// Files whose top-level items form one package (each may also hold nested package blocks).
struct SourceGroup {
  std::vector<SourceFile> files;
};

struct ResolveOptions {
  std::vector<std::string> features;  // @unstable features to include
  bool all_features = false;
};

struct Resolved {
  Model model;
  PackageId root = kNoId;  // the package of the root group
};

Result<Resolved> resolve(const SourceGroup& root, const std::vector<SourceGroup>& deps,
                         const ResolveOptions& options = {});

// Picks a world as WIT.md "Specifying a World" says: empty spec -> the root package's only
// world; a name -> that world of the root package; `ns:pkg/name[@v]` -> any package's world.
Result<WorldId> select_world(const Resolved& r, std::string_view spec);

}  // namespace hull::wit
