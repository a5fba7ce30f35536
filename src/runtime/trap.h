// Traps are values: a kind, a message and a wasm backtrace. Returned, never thrown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hull {

enum class TrapKind : uint8_t {
  Unreachable,               // "unreachable"
  MemoryOutOfBounds,         // "out of bounds memory access"
  TableOutOfBounds,          // "out of bounds table access"
  UndefinedElement,          // "undefined element"
  UninitializedElement,      // "uninitialized element"
  IndirectCallTypeMismatch,  // "indirect call type mismatch"
  NullReference,             // "null function reference" / "null reference"
  IntegerDivideByZero,       // "integer divide by zero"
  IntegerOverflow,           // "integer overflow"
  InvalidConversion,         // "invalid conversion to integer"
  StackExhausted,            // "call stack exhausted"
  OutOfFuel,                 // "all fuel consumed"
  Interrupted,               // "interrupt" (deadline)
  DataSegmentOutOfBounds,    // "out of bounds memory access" during init
  UnalignedAtomic,           // "unaligned atomic"
  ExpectedSharedMemory,      // "expected shared memory" (memory.atomic.wait on an unshared one)
  ArrayOutOfBounds,          // "out of bounds array access" (GC arrays)
  CastFailure,               // "cast failure" (ref.cast)
  HeapExhausted,             // a GC allocation passed the store's memory limit
  Host,                      // a host function trapped; message from the host
  // A wasm exception left the outermost wasm frame: "uncaught exception"; Trap::exception
  // holds it (a host function may also return one: it is thrown at its call site).
  Exception,
};

const char* trap_kind_message(TrapKind k);

struct Instance;
struct Exception;

// One wasm frame of a backtrace.
struct TrapFrame {
  uint32_t func_index = 0;
  std::string func_name;     // from the name section, may be empty
  std::string module_name;   // may be empty
  uint32_t code_offset = 0;  // byte offset of the trapping instruction in the module, if known
  const Instance* instance = nullptr;  // the frame's instance (for wasm_frame_instance)
};

struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  std::string message;             // spec wording; for Host traps the host's text
  std::vector<TrapFrame> backtrace;  // innermost first
  // kind == Exception: the thrown exception, owned by its store (runtime/exception.h).
  Exception* exception = nullptr;

  static Trap make(TrapKind k) { return Trap{k, trap_kind_message(k), {}}; }
  // "wasm trap: <message>" then one line per frame, innermost first:
  // "\n  0: [module!]<func name or func[N]> @ 0x1c".
  std::string to_string() const;
};

}  // namespace hull
