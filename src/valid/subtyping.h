// Type-level validation facts of one module: iso-recursive type equivalence (canonical ids per
// type index), the subtype relation on value/heap types, and validity of value types.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "spec/features.h"
#include "spec/types.h"

namespace hull {

// Facts computed once per module and shared by every function body's validation.
struct ModuleInfo {
  // canon[i]: the smallest type index equivalent to type i under the iso-recursive rules
  // (same-shaped recursion groups, inner references compared by position, outer ones by
  // equivalence). Two type indices denote the same type iff their canon ids are equal.
  std::vector<uint32_t> canon;
  // declared[f] != 0 if function f may be named by ref.func inside a function body (it occurs
  // in an element segment, an export, or a global/table/elem initializer).
  std::vector<uint8_t> declared;
  // The features the module may use (validate_module_level sets them): body validation
  // rejects instructions and types of the others.
  FeatureSet features;
};

// Validates the type section (index bounds, recursion groups, declared supertypes and finality)
// and fills info->canon. Errors: "unknown type", "sub type ... does not match ...".
Status validate_types(const ModuleDesc& m, ModuleInfo* info);

// Is `t` a well-formed value type in `m` (concrete heap types name an existing type)?
bool valid_val_type(const ModuleDesc& m, const ValType& t);

// Heap-type and value-type subtyping within one module. ValKind::Bot / HeapKind::Bot (the
// validator's unknown type in unreachable code) is a subtype of everything.
bool heap_subtype(const ModuleDesc& m, const ModuleInfo& info, const ValType& sub,
                  const ValType& super);
bool is_subtype(const ModuleDesc& m, const ModuleInfo& info, const ValType& sub,
                const ValType& super);
// Convenience form: computes the type facts on the fly (O(types)); prefer the one above.
bool is_subtype(const ModuleDesc& m, const ValType& sub, const ValType& super);

// Is type index `sub` a (declared, transitive) subtype of type index `super`?
bool type_index_subtype(const ModuleDesc& m, const ModuleInfo& info, uint32_t sub, uint32_t super);

// Function-type matching: f1 <: f2 iff params contravariant, results covariant (used for
// call_indirect-free checks like imports in the linker; within one module).
bool func_type_matches(const ModuleDesc& m, const ModuleInfo& info, const FuncType& sub,
                       const FuncType& super);

// Abstract top of a heap type's hierarchy: Any, Func, Extern or Exn (Concrete resolves by kind).
HeapKind heap_top(const ModuleDesc& m, const ValType& t);

// A value type is defaultable if it is numeric, vector or a nullable reference.
inline bool defaultable(const ValType& t) { return !t.is_ref() || t.nullable; }

}  // namespace hull
