// Feature switches in validation: what a value type needs, and the module-level constructs
// (types, imports, tables, memories, tags, segments) checked against a FeatureSet. Function
// bodies are checked by the body decoder (function_validator.h) as it reads them.
#pragma once

#include "base/result.h"
#include "binary/module.h"
#include "spec/features.h"
#include "spec/types.h"

namespace hull {

// The features a value type needs: v128 simd; funcref and externref reference-types; exnref
// exceptions; non-null and concrete references function-references; the other heap types gc.
constexpr FeatureMask val_type_features(const ValType& t) {
  if (t.kind == ValKind::V128) return feature_bit(Feature::Simd);
  if (t.kind != ValKind::Ref) return 0;
  FeatureMask m = with_prerequisites(Feature::ReferenceTypes);
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::Extern: break;
    case HeapKind::Exn:
    case HeapKind::NoExn: m |= feature_bit(Feature::Exceptions); break;
    case HeapKind::Concrete: m |= with_prerequisites(Feature::FunctionReferences); break;
    case HeapKind::Bot: return 0;
    default: m |= with_prerequisites(Feature::Gc); break;
  }
  if (!t.nullable) m |= with_prerequisites(Feature::FunctionReferences);
  return m;
}

// The error for value type T (`what` names where it occurs, e.g. "local") if a feature it
// needs is off; nothing otherwise.
std::optional<Error> val_type_disabled(const FeatureSet& f, const ValType& t, const char* what,
                                       size_t offset);

// Every module-level construct whose feature is off in F; the first one is the error.
// Call only when !f.all() (with everything on there is nothing to check).
Status check_module_features(const ModuleDesc& m, const FeatureSet& f);

}  // namespace hull
