// Trap messages (the spec testsuite's wording) and backtrace formatting.
#include "runtime/trap.h"

#include <cstdio>

namespace hull {

const char* trap_kind_message(TrapKind k) {
  switch (k) {
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    // The interpreter refines this ("null function reference" for call_ref) where the suite
    // expects a more specific text.
    case TrapKind::NullReference: return "null reference";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::StackExhausted: return "call stack exhausted";
    case TrapKind::OutOfFuel: return "all fuel consumed";
    case TrapKind::Interrupted: return "interrupt";
    case TrapKind::DataSegmentOutOfBounds: return "out of bounds memory access";
    case TrapKind::UnalignedAtomic: return "unaligned atomic";
    case TrapKind::ExpectedSharedMemory: return "expected shared memory";
    case TrapKind::ArrayOutOfBounds: return "out of bounds array access";
    case TrapKind::CastFailure: return "cast failure";
    case TrapKind::HeapExhausted:
      return "out of memory: GC allocation exceeds the store's memory limit";
    case TrapKind::Host: return "host trap";
    case TrapKind::Exception: return "uncaught exception";
  }
  return "trap";
}

std::string Trap::to_string() const {
  std::string out = "wasm trap: ";
  out += message.empty() ? trap_kind_message(kind) : message;
  for (size_t i = 0; i < backtrace.size(); ++i) {
    const TrapFrame& f = backtrace[i];
    char buf[64];
    std::snprintf(buf, sizeof buf, "\n  %zu: ", i);
    out += buf;
    if (!f.module_name.empty()) {
      out += f.module_name;
      out += '!';
    }
    if (!f.func_name.empty()) {
      out += f.func_name;
    } else {
      std::snprintf(buf, sizeof buf, "func[%u]", f.func_index);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, " @ 0x%x", f.code_offset);
    out += buf;
  }
  return out;
}

}  // namespace hull
