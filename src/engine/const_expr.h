// Evaluation of constant expressions (global/table initializers, segment offsets and items).
#pragma once

#include "base/result.h"
#include "binary/module.h"
#include "runtime/store.h"

namespace hull {

// Evaluates the validated constant expression `expr` (a range of `m.bytes`, ending with `end`)
// against `inst`, whose funcs and globals must already hold the entities the expression may
// name. Supports t.const (i32/i64/f32/f64/v128), global.get, ref.null, ref.func and the
// extended-const i32/i64 add/sub/mul. Other instructions (GC allocation) are an error of kind
// Uninstantiable ("unsupported constant expression").
Result<Val> eval_const_expr(const ModuleDesc& m, ByteRange expr, const Instance& inst);

}  // namespace hull
