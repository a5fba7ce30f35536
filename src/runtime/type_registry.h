// The engine-wide type registry: canonical type ids, equal iff the types are equivalent.
//
// Ids are process-wide and thread-safe to create and read. A module's type section is
// canonicalized one recursion group at a time (iso-recursive equivalence): references inside
// the group are compared by their position in the group, references outside it by canonical id.
// Plain function types (each its own group of one) therefore get equal ids iff they are
// structurally equal. Ids are never freed.
//
// In the registry ("canonical form"), every Concrete heap type (ValType::index with
// heap == HeapKind::Concrete) and every SubType::supers entry holds a canonical type id, and
// SubType::rec_group holds the id of the group's first type.
#pragma once

#include <cstdint>
#include <vector>

#include "spec/types.h"

namespace hull {

// Canonical ids of a module's type section: result[i] is the id of types[i]. `types` uses
// module type indices (as decoded); it must be valid (references point to earlier groups or
// into their own group).
std::vector<uint32_t> canonicalize_types(const std::vector<SubType>& types);

// The id of a standalone final function type with no supertypes (a rec group of one), e.g. for
// a host function. Concrete references in `ft` must already be canonical ids.
uint32_t canonicalize_func_type(const FuncType& ft);

// The type with canonical id `id`, in canonical form. The reference stays valid forever.
const SubType& type_by_id(uint32_t id);

// Whether `sub` is `super` or declares it as a (transitive) supertype. Lock-free.
bool type_id_is_subtype(uint32_t sub, uint32_t super);

// `t` with a Concrete module type index replaced by its canonical id (`type_ids` from
// canonicalize_types for the same module); other types unchanged.
ValType canonical_val_type(const ValType& t, const std::vector<uint32_t>& type_ids);

// Subtyping on value types in canonical form (numeric types: equality; references: nullability
// and the heap type hierarchies any/eq/i31/struct/array/none, func/nofunc, extern/noextern,
// exn/noexn, with concrete types placed by their declared supertypes).
bool canonical_val_type_is_subtype(const ValType& sub, const ValType& super);

}  // namespace hull
