// Generates wasm binaries for the micro benchmarks: a large many-function module and the
// small modules that measure call overhead in both directions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hull::bench {

// A valid module of about `target_bytes` bytes: one memory, functions (i32, i32) -> i32 of
// ~200 bytes each (arithmetic, locals, a block with br_if, a load and a call to the previous
// function), every 64th exported.
std::vector<uint8_t> make_large_module(size_t target_bytes);

// Imports "env" "f" : [] -> []; exports, in this order (the peers' C benchmarks index them):
//   "empty"      : [] -> []          (does nothing: host->guest overhead)
//   "add"        : [i32 i32] -> [i32] (host->guest with arguments and a result)
//   "call_host"  : [i32] -> []       (calls the import n times: guest->host overhead)
//   "call_guest" : [i32] -> []       (calls "empty" n times: the loop's own cost)
std::vector<uint8_t> make_call_module();

}  // namespace hull::bench
