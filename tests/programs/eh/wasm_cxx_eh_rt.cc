// A minimal C++ exception runtime for the wasm32-wasi test programs. Debian's wasm32 libc++abi
// is built without exceptions (no __cxa_throw, no personality) and there is no wasm32 libunwind,
// so a program compiled with -fwasm-exceptions needs what clang's code calls:
//   throw:      __cxa_allocate_exception, __cxa_throw (or __cxa_free_exception if the
//               object's constructor throws), __cxa_rethrow for `throw;`;
//   catch pads: catch the __cpp_exception tag (payload: the pointer __cxa_throw threw), store
//               the landing pad's index and LSDA in __wasm_lpad_context, call
//               _Unwind_CallPersonality(payload), then compare __wasm_lpad_context.selector with
//               the type-table index of each catch clause (selector 0: none matched; rethrow);
//   handlers:   __cxa_begin_catch(payload) yields the object adjusted to the handler's type,
//               __cxa_end_catch when the handler is left (normally or by an exception).
// Wasm has no two-phase unwinding: each frame's catch pad runs, and runs its cleanups, in turn.
// Single-threaded (wasm32-wasi without threads), like the programs it serves. Not provided:
// std::exception_ptr / std::current_exception and std::uncaught_exceptions (libc++abi's,
// built without exceptions, know nothing of these exceptions); an exception nothing catches
// leaves _start as an uncaught Wasm exception (a trap) where native code calls std::terminate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <typeinfo>

namespace {

// What precedes each thrown object; the wasm payload is a pointer to it. Its layout is ours
// alone: compiled code never looks inside, it only passes the payload back to us.
// Wasm C++ constructors and destructors return `this`, so a destructor pointer has this type:
// calling it through void(*)(void*) would be an indirect call signature mismatch.
using Destructor = void* (*)(void*);

struct alignas(16) Header {
  const std::type_info* type;
  Destructor destroy;
  Header* next_caught;  // the stack of exceptions currently in handlers
  int handlers;         // how many handlers hold it (nested `catch` of the same exception)
  bool rethrown;        // `throw;` leaves the object alive when its handler ends
  void* adjusted;       // the object as the last matched handler's type sees it
};

Header* caught_top = nullptr;

void* object_of(Header* h) { return h + 1; }

// Itanium C++ ABI type_info layouts (what clang emits for typeid objects).
struct TypeInfo {
  const void* vtable;
  const char* name;
};
struct SiClassTypeInfo : TypeInfo {
  const TypeInfo* base;
};
struct BaseClass {
  const TypeInfo* type;
  long offset_flags;  // offset << 8 | flags
};
struct VmiClassTypeInfo : TypeInfo {
  unsigned flags;
  unsigned base_count;
  BaseClass bases[1];
};
constexpr long kVirtualBase = 0x1;
constexpr long kPublicBase = 0x2;

}  // namespace

// The vtables of libc++abi's type_info classes tell which layout a type_info object has. A
// type_info's vptr points two pointers into the vtable (past offset-to-top and the RTTI slot).
extern "C" const char si_class_vtable[] asm("_ZTVN10__cxxabiv120__si_class_type_infoE");
extern "C" const char vmi_class_vtable[] asm("_ZTVN10__cxxabiv121__vmi_class_type_infoE");
extern "C" const char pointer_vtable[] asm("_ZTVN10__cxxabiv119__pointer_type_infoE");

namespace {

bool has_vtable(const TypeInfo* t, const char* vtable) {
  return t->vtable == vtable + 2 * sizeof(void*);
}

bool same_type(const TypeInfo* a, const TypeInfo* b) {
  // Type names are unique strings within one module; compare contents anyway, as libc++ does
  // for types whose type_info may be emitted more than once.
  return a == b || a->name == b->name || std::strcmp(a->name, b->name) == 0;
}

// The address of the `target` subobject of an object of dynamic class `type` at `object`,
// reached through public bases only; nullptr if there is none.
void* find_base(const TypeInfo* type, void* object, const TypeInfo* target) {
  if (same_type(type, target)) return object;
  if (has_vtable(type, si_class_vtable)) {
    return find_base(static_cast<const SiClassTypeInfo*>(type)->base, object, target);
  }
  if (has_vtable(type, vmi_class_vtable)) {
    auto* vmi = static_cast<const VmiClassTypeInfo*>(type);
    for (unsigned i = 0; i < vmi->base_count; i++) {
      const BaseClass& b = vmi->bases[i];
      if (!(b.offset_flags & kPublicBase)) continue;
      long offset = b.offset_flags >> 8;
      if (b.offset_flags & kVirtualBase) {
        // The offset names the vtable slot holding the virtual base's offset.
        const char* vptr = *static_cast<const char* const*>(object);
        std::memcpy(&offset, vptr + offset, sizeof offset);
      }
      if (void* found = find_base(b.type, static_cast<char*>(object) + offset, target)) {
        return found;
      }
    }
  }
  return nullptr;
}

// Whether a handler for `handler` catches the exception in `h`; sets h->adjusted if so.
bool catches(const TypeInfo* handler, Header* h) {
  auto* thrown = reinterpret_cast<const TypeInfo*>(h->type);
  void* object = object_of(h);
  if (handler == nullptr) {  // catch (...)
    h->adjusted = object;
    return true;
  }
  if (has_vtable(handler, pointer_vtable)) {
    // A pointer handler receives the pointer itself, not the address of the thrown pointer.
    // Only the exact type matches: the test programs need no derived-to-base or qualification
    // conversions of pointers (libc++abi's full matching does them).
    if (!same_type(handler, thrown)) return false;
    h->adjusted = *static_cast<void**>(object);
    return true;
  }
  if (void* found = find_base(thrown, object, handler)) {
    h->adjusted = found;
    return true;
  }
  return false;
}

uintptr_t read_uleb(const uint8_t*& p) {
  uintptr_t v = 0;
  unsigned shift = 0;
  uint8_t byte;
  do {
    byte = *p++;
    v |= uintptr_t(byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return v;
}

intptr_t read_sleb(const uint8_t*& p) {
  intptr_t v = 0;
  unsigned shift = 0;
  uint8_t byte;
  do {
    byte = *p++;
    v |= intptr_t(byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 8 * sizeof v && (byte & 0x40)) v |= -(intptr_t(1) << shift);
  return v;
}

constexpr uint8_t kEncOmit = 0xff;
constexpr uint8_t kEncAbsPtr = 0x00;
constexpr uint8_t kEncUleb = 0x01;

}  // namespace

extern "C" {

// Written by each catch pad before it calls _Unwind_CallPersonality; the field types are fixed
// by LLVM's WasmEHPrepare ({i32, ptr, i32}).
struct {
  uint32_t lpad_index;
  const uint8_t* lsda;
  int32_t selector;
} __wasm_lpad_context;

void* __cxa_allocate_exception(size_t size) {
  void* p = std::aligned_alloc(alignof(Header), (sizeof(Header) + size + 15) & ~size_t(15));
  if (!p) std::abort();  // where libc++abi would call std::terminate
  auto* h = new (p) Header{};
  return object_of(h);
}

void __cxa_free_exception(void* object) { std::free(static_cast<Header*>(object) - 1); }

[[noreturn]] void __cxa_throw(void* object, std::type_info* type, Destructor destroy) {
  Header* h = static_cast<Header*>(object) - 1;
  h->type = type;
  h->destroy = destroy;
  __builtin_wasm_throw(0, h);  // tag 0: __cpp_exception
}

[[noreturn]] void __cxa_rethrow() {
  Header* h = caught_top;
  if (!h) std::abort();  // `throw;` outside a handler: std::terminate
  h->rethrown = true;
  __builtin_wasm_throw(0, h);
}

void* __cxa_get_exception_ptr(void* payload) { return static_cast<Header*>(payload)->adjusted; }

void* __cxa_begin_catch(void* payload) {
  auto* h = static_cast<Header*>(payload);
  if (h->handlers++ == 0) {
    h->next_caught = caught_top;
    caught_top = h;
  }
  h->rethrown = false;
  return h->adjusted;
}

void __cxa_end_catch() {
  Header* h = caught_top;
  if (!h || --h->handlers > 0) return;
  caught_top = h->next_caught;
  if (h->rethrown) return;  // still in flight: a later handler owns it now
  if (h->destroy) h->destroy(object_of(h));
  std::free(h);
}

// Finds the catch clause of the current landing pad (__wasm_lpad_context) that takes the
// exception and reports its type-table index in the selector; 0 when none does. The LSDA is
// the GCC exception table clang emits for Wasm: a call-site table of (landing pad index,
// action) ULEB128 pairs, action records of (type index, next-record displacement) SLEB128
// pairs, and a table of absolute type_info pointers counted backwards from its end.
int _Unwind_CallPersonality(void* payload) {
  constexpr int kHandlerFound = 6, kContinueUnwind = 8;  // _Unwind_Reason_Code values
  auto& ctx = __wasm_lpad_context;
  ctx.selector = 0;
  const uint8_t* p = ctx.lsda;
  if (!p) return kContinueUnwind;
  if (*p++ != kEncOmit) std::abort();  // LPStart: clang always omits it for Wasm
  uint8_t ttype_enc = *p++;
  const uint8_t* ttype_base = nullptr;
  if (ttype_enc != kEncOmit) {
    if (ttype_enc != kEncAbsPtr) std::abort();
    uintptr_t off = read_uleb(p);
    ttype_base = p + off;
  }
  if (*p++ != kEncUleb) std::abort();
  uintptr_t table_len = read_uleb(p);
  const uint8_t* actions = p + table_len;
  uintptr_t action = 0;
  bool found = false;
  while (p < actions) {
    uintptr_t index = read_uleb(p);
    uintptr_t a = read_uleb(p);
    if (index == ctx.lpad_index) {
      action = a;
      found = true;
      break;
    }
  }
  if (!found || action == 0) return kContinueUnwind;  // cleanups only
  auto* h = static_cast<Header*>(payload);
  const uint8_t* record = actions + action - 1;
  for (;;) {
    intptr_t filter = read_sleb(record);
    const uint8_t* next = record;
    intptr_t displacement = read_sleb(record);
    if (filter > 0) {
      const TypeInfo* handler;
      std::memcpy(&handler, ttype_base - filter * sizeof(void*), sizeof handler);
      if (catches(handler, h)) {
        ctx.selector = static_cast<int32_t>(filter);
        return kHandlerFound;
      }
    }
    // filter 0 is a cleanup; negative filters (dynamic exception specifications) are gone
    // from C++17 and clang does not emit them for Wasm.
    if (displacement == 0) return kContinueUnwind;
    record = next + displacement;
  }
}

}  // extern "C"
