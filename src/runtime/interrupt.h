// Deadlines for loops that check nothing: machine code compiled with epochs leaves the
// deadline check out of loops that call nothing (the check cost such loops 5-20 %, and kept
// LLVM from vectorizing or unrolling them). Once a store's deadline has passed while it runs
// guest code, the epoch timer sends its thread kInterruptSignal at every tick; the handler
// ends the guest code with an Interrupted trap if the thread was interrupted inside machine
// code registered here (siglongjmp to the innermost WasmEntry, as a guard-page fault does).
// Anywhere else -- the interpreter, the runtime, a host function -- it does nothing: that code
// reaches a check point of its own, and a loop that calls something keeps its check.
#pragma once

#include <cstdint>

namespace hull {

// The signal is SIGURG, as Go's runtime uses it to preempt goroutines: ignored by default and
// rarely used otherwise. An embedder that installs its own SIGURG handler after Hull's must
// chain to it; one delivered to a thread that just left guest code may cut a blocking system
// call short (EINTR), as any signal can.

// True where machine code can be interrupted so (Linux on x86-64 and aarch64). Elsewhere the
// native tier keeps every loop's deadline check.
bool async_interrupts_supported();

// Machine code in [begin, end) may be interrupted at any instruction: it is the guest's own
// code (no host locks held, nothing a trap's unwinding must run). The JIT registers each
// executable section it links and removes it before the memory is released. Thread-safe; the
// handler reads the registry without locking.
void add_interruptible_code(uintptr_t begin, uintptr_t end);
void remove_interruptible_code(uintptr_t begin, uintptr_t end);
bool in_interruptible_code(uintptr_t pc);

// Installs the handler once (thread-safe; the first watch_deadline does).
void install_interrupt_handler();

// Sends the signal to thread `tid` of this process (the timer thread does, for a store whose
// deadline passed while `tid` runs its guest code).
void send_interrupt(int tid);

// The kernel's id of the calling thread (cached per thread).
int current_thread_id();

// How many times the handler has ended guest code (for tests and diagnostics).
uint64_t interrupts_taken();

}  // namespace hull
