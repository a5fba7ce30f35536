// The "spectest" host module the official wast scripts import from.
#pragma once

#include "engine/linker.h"
#include "runtime/store.h"

namespace hull {

// Creates the spectest entities in `store` and defines them in `linker` under "spectest":
// print, print_i32, print_i64, print_f32, print_f64, print_i32_f32, print_f64_f64 (silent
// unless `verbose`, then one line per argument on stdout, like the reference interpreter:
// "42 : i32"); immutable globals global_i32 = 666, global_i64 = 666, global_f32 = 666.6,
// global_f64 = 666.6; table (10 20 funcref); table64 (i64 10 20 funcref); memory (1 2).
void define_spectest(Linker& linker, Store& store, bool verbose = false);

}  // namespace hull
