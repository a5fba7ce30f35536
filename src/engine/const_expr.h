// Evaluation of constant expressions (global/table initializers, segment offsets and items).
#pragma once

#include "base/result.h"
#include "binary/module.h"
#include "runtime/store.h"

namespace hull {

// Evaluates the validated constant expression `expr` (a range of `m.bytes`, ending with `end`)
// against `inst`, whose funcs and globals must already hold the entities the expression may
// name. Supports t.const (i32/i64/f32/f64/v128), global.get, ref.null, ref.func, the
// extended-const i32/i64 add/sub/mul, and GC's struct.new(_default), array.new(_default,
// _fixed), ref.i31, any.convert_extern and extern.convert_any, which allocate in `store`'s GC
// heap (`type_ids`: the module's canonical type ids). Allocation never collects here: the
// evaluation stack is not a root. Anything else is an error of kind Uninstantiable
// ("unsupported constant expression"); an allocation past the store's memory limit one of kind
// Limit.
Result<Val> eval_const_expr(const ModuleDesc& m, ByteRange expr, const Instance& inst, Store& store,
                            const std::vector<uint32_t>& type_ids);

}  // namespace hull
