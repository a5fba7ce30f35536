// Guard-page traps: out-of-bounds accesses to a guarded linear memory fault (SIGSEGV/SIGBUS)
// and the fault handler turns them into a wasm trap by jumping back to the innermost wasm entry
// of the faulting thread. This header is the contract between the runtime (which owns the
// handlers and the reservations) and the tiers (which push a WasmEntry around guest code and
// skip explicit bounds checks for guarded memories).
#pragma once

#include <signal.h>

#include <csetjmp>
#include <cstdint>

namespace hull {

struct Store;

// A guarded memory (Memory::guarded) is a 32-bit memory with 64 KiB pages whose reservation
// holds kGuardedReserveBytes after `base` (never moved by growth) and kGuardBeforeBytes before
// it. Everything past `size` is inaccessible, so `base + u32 address + u32 offset + access
// width (<= 16)` is either inside the memory or faults.
inline constexpr uint64_t kGuardedReserveBytes = (uint64_t(8) << 30) + (uint64_t(64) << 10);
inline constexpr uint64_t kGuardBeforeBytes = uint64_t(64) << 10;

// One entry of guest code on a thread. The tier fills `jump` with sigsetjmp(jump, 0) and makes
// the entry current (push) before running guest code, and pops it on every way out.
// While `in_guest` is false (the guest called a host function) faults are not the guest's.
// The handler reads these fields asynchronously: stores to t_wasm_entry / in_guest must not be
// reordered across guest code (std::atomic_signal_fence, or an opaque call, between them), and
// locals the tier reads after sigsetjmp returns 1 must be volatile or live in memory.
// A fault becomes a trap only if it is kernel-generated (si_code > 0), hits the reservation of
// a guarded memory in `store->memories` (guards included) and `in_guest` is set; memories of
// other stores, unguarded memories and host addresses go to the previous handler.
struct WasmEntry {
  sigjmp_buf jump;
  WasmEntry* prev = nullptr;
  const Store* store = nullptr;  // faults inside this store's guarded memories become traps
  bool in_guest = true;
  void* fault_address = nullptr;  // set by the handler before it jumps (sigsetjmp returns 1)
  // The general-purpose registers at the faulting instruction (set with fault_address). The
  // interpreter finds the trapping instruction among them: its handlers keep the lowered pc
  // in a register, and no per-access bookkeeping is what guard pages are for.
  // Only the first fault_nregs entries are meaningful; the array is deliberately not zeroed:
  // a WasmEntry is built on every host->guest call, and clearing 256 bytes there cost more
  // than the rest of the entry.
  static constexpr unsigned kMaxFaultRegs = 32;
  uintptr_t fault_regs[kMaxFaultRegs];
  unsigned fault_nregs = 0;
};

// What sigsetjmp(entry.jump, 0) returns when the handler jumps: a fault in a guarded memory, or
// an interrupt of machine code past its deadline (runtime/interrupt.h).
inline constexpr int kFaultJump = 1;
inline constexpr int kInterruptJump = 2;

// The innermost WasmEntry of the calling thread (nullptr outside guest code).
inline thread_local WasmEntry* t_wasm_entry = nullptr;

// True where guard-page traps are implemented (Linux on x86-64 and aarch64).
bool guard_pages_supported();

// Installs the process-wide SIGSEGV/SIGBUS handlers once (thread-safe, idempotent); the
// runtime calls it when it creates the first guarded memory. A fault that is not an access to a
// guarded memory of the current entry's store while in guest code goes to the handler that was
// installed before ours, as the kernel would run it (its sa_mask, SA_SIGINFO, SA_NODEFER), or
// takes the default action (SIG_DFL/SIG_IGN: the fault re-executes and kills the process).
// An embedder that installs its own SIGSEGV handler afterwards must chain to ours. Under
// AddressSanitizer this needs ASAN_OPTIONS allow_user_segv_handler=1 (ASan's default).
void install_trap_handlers();

// Runs `prev`, a handler function (SA_SIGINFO or not) that was installed before one of ours,
// as the kernel would have run it for `sig`: with its sa_mask, and `sig` blocked unless it
// asked for SA_NODEFER. Async-signal-safe.
void call_previous_handler(const struct sigaction& prev, int sig, siginfo_t* info, void* uctx);

}  // namespace hull
