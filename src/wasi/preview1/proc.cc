// proc_exit (unwinds the guest with a marked host trap), proc_raise, sched_yield.
#include <sched.h>

#include "wasi/preview1/call.h"
#include "wasi/preview1/wasi_preview1.h"

namespace hull::wasi::p1 {

P1_FUNC(proc_exit) {
  c.state.exit_code = u32(a[0]);
  c.trap = Trap{TrapKind::Host, kProcExitMessage, {}};
  return Errno::success;
}

// Delivering signals to the host process would let the guest kill or stop Hull itself;
// like Wasmtime, Hull does not support it.
P1_FUNC(proc_raise) { return Errno::nosys; }

P1_FUNC(sched_yield) {
  ::sched_yield();
  return Errno::success;
}

}  // namespace hull::wasi::p1
