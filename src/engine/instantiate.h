// Instantiation: import matching, allocation of a module's entities in a store, segment
// initialization and the start function, in the spec's order.
#pragma once

#include <memory>
#include <span>

#include "base/result.h"
#include "engine/module.h"
#include "runtime/store.h"

namespace hull {

// Checks that `provided` can satisfy import `import_index` of `module` (spec import matching:
// kind; function type equal or a declared subtype; table element types equal and limits
// subsumed, with the table's current size as its minimum; memories likewise, with equal
// index type and page size; globals with equal mutability, equal types if mutable and a
// subtype if immutable). Error kind Unlinkable, message starting "incompatible import type".
Status match_import(const CompiledModule& module, uint32_t import_index, const Extern& provided);

// Instantiates `module` in `store` with `imports` given in the module's import order.
//  - Unlinkable: wrong number of imports ("unknown import") or a mismatch (see match_import).
//  - Limit: a store limit (instances, memory, table size) or address space ran out.
//  - Uninstantiable: an active segment is out of bounds ("out of bounds table access" /
//    "out of bounds memory access") or the start function trapped (the trap's message).
//    As the spec requires, segments applied before the failure stay applied to shared
//    tables/memories, and the half-initialized instance stays in the store (not returned).
// On success the instance lives as long as the store.
Result<Instance*> instantiate(Store& store, std::shared_ptr<const CompiledModule> module,
                              std::span<const Extern> imports);

}  // namespace hull
