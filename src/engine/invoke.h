// Calling functions from the host with typed values, and defining host functions.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "runtime/store.h"

namespace hull {

// The outcome of a call that ran: either result values or a trap (a value, not an Error).
struct InvokeResult {
  std::vector<Val> values;   // the results, in order (empty when trapped)
  std::optional<Trap> trap;  // set when the call trapped
  bool trapped() const { return trap.has_value(); }
};

// Calls `f` with `args`. An Error (kind Usage) means the call did not run: null function, or
// the argument count or kinds do not match the function's parameters. Otherwise the result
// carries the values or the trap.
Result<InvokeResult> invoke(Store& store, Function* f, std::span<const Val> args);

// Creates a host function of type `type` in `store`; `callback(env, store, slots)` receives
// the params in slots (see HostCallback) and writes the results from slot 0. Concrete
// references in `type` must be canonical type ids. The function's type_id comes from the
// engine-wide registry, so it matches imports of the same type.
Function* create_host_function(Store& store, const FuncType& type, HostCallback callback,
                               void* env);
// The same for a type already in the registry (canonicalize_func_type's id): no lookup.
Function* create_host_function(Store& store, uint32_t type_id, HostCallback callback, void* env);

// Number of 8-byte slots `types` occupy (v128 takes two).
uint32_t slot_count(const std::vector<ValType>& types);

}  // namespace hull
