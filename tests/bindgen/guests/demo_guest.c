// World `demo` (tests/bindgen/demo.wit) implemented in C against the canonical ABI by hand:
// flat parameters, return areas, cabi_realloc, a post-return, the host's imports and the
// guest-defined `counter` resource. Built at test time with clang --target=wasm32 (no libc)
// and made a component by `jco embed` + `jco new` (tests/bindgen/CMakeLists.txt); the C++ host
// in bindgen_test.cc drives it through the generated bindings. Import and export names follow
// the `cm32p2` scheme wit-component reads (what `jco embed --dummy` writes for this world).
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

#define HOST "cm32p2|test:bindgen/host@0.1"
#define API_EXPORT "cm32p2|test:bindgen/api@0.1|"
#define API_BUILTINS "cm32p2|_ex_test:bindgen/api@0.1"

IMPORT(HOST, "log") void host_log(const char* ptr, size_t len);
IMPORT(HOST, "[method]tally.add") void host_tally_add(int32_t self, uint32_t n);
IMPORT(HOST, "tally_drop") void host_tally_drop(int32_t handle);
IMPORT("cm32p2", "notify") void world_notify(uint32_t total);
IMPORT(API_BUILTINS, "counter_new") int32_t counter_new(int32_t rep);
IMPORT(API_BUILTINS, "counter_rep") int32_t counter_rep(int32_t handle);
IMPORT(API_BUILTINS, "counter_drop") void counter_drop(int32_t handle);

// ---- memory: a bump allocator (the host's realloc calls and the guest's own) ----

extern unsigned char __heap_base;
static uintptr_t heap_top;

static void* bump(size_t align, size_t size) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = p + size;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1)
    __builtin_trap();
  heap_top = end;
  return (void*)p;
}

EXPORT("cm32p2_realloc")
void* cabi_realloc(void* old, size_t old_size, size_t align, size_t new_size) {
  unsigned char* p = bump(align, new_size);
  for (size_t i = 0; i < old_size && i < new_size; ++i) p[i] = ((unsigned char*)old)[i];
  return p;
}

// One return area for every export: the canonical ABI lifts it before the next call.
static _Alignas(8) unsigned char ret_area[16];

// ---- the world's exports ----

EXPORT("cm32p2||greet") void* greet(const char* name, size_t len) {
  static const char hello[] = "Hello, ";
  size_t n = sizeof hello - 1 + len + 1;
  char* out = bump(1, n);
  for (size_t i = 0; i < sizeof hello - 1; ++i) out[i] = hello[i];
  for (size_t i = 0; i < len; ++i) out[sizeof hello - 1 + i] = name[i];
  out[n - 1] = '!';
  host_log(out, n);
  ((uint32_t*)ret_area)[0] = (uint32_t)(uintptr_t)out;
  ((uint32_t*)ret_area)[1] = (uint32_t)n;
  return ret_area;
}

// post-return: the host has copied the string out; the allocations of this call are free again
// (a bump allocator frees everything above the mark the call started at, here the string).
EXPORT("cm32p2||greet_post") void greet_post(void* area) {
  uint32_t ptr = ((uint32_t*)area)[0];
  uint32_t len = ((uint32_t*)area)[1];
  if (ptr + len == heap_top) heap_top = ptr;
}

EXPORT("cm32p2||sum") uint32_t sum(const uint32_t* values, size_t len) {
  uint32_t total = 0;
  for (size_t i = 0; i < len; ++i) total += values[i];
  world_notify(total);
  return total;
}

// translate(p: point, dx, dy) -> point: the record flattens to (x, y); the result (two i32)
// comes back through the return area.
EXPORT("cm32p2||translate") void* translate(int32_t x, int32_t y, int32_t dx, int32_t dy) {
  ((int32_t*)ret_area)[0] = x + dx;
  ((int32_t*)ret_area)[1] = y + dy;
  return ret_area;
}

// area(s: shape): variant { circle(u32), rectangle(point), empty } flattens to the case and
// the joined payload slots (i32, i32).
EXPORT("cm32p2||area") uint64_t area(int32_t which, int32_t a, int32_t b) {
  switch (which) {
    case 0: return 3ull * (uint32_t)a * (uint32_t)a;
    case 1: {
      int64_t p = (int64_t)a * b;
      return (uint64_t)(p < 0 ? -p : p);
    }
    default: return 0;
  }
}

// parse(text) -> result<u32, string>: case byte at 0, payload at 4.
EXPORT("cm32p2||parse") void* parse(const char* text, size_t len) {
  uint32_t v = 0;
  int ok = len > 0;
  for (size_t i = 0; i < len && ok; ++i) {
    if (text[i] < '0' || text[i] > '9') ok = 0;
    v = v * 10 + (uint32_t)(text[i] - '0');
  }
  ret_area[0] = ok ? 0 : 1;
  if (ok) {
    ((uint32_t*)ret_area)[1] = v;
  } else {
    static const char msg[] = "not a number";
    ((uint32_t*)ret_area)[1] = (uint32_t)(uintptr_t)msg;
    ((uint32_t*)ret_area)[2] = sizeof msg - 1;
  }
  return ret_area;
}

// find(values, needle) -> option<u32>: case byte at 0, index at 4.
EXPORT("cm32p2||find") void* find(const uint32_t* values, size_t len, uint32_t needle) {
  ret_area[0] = 0;
  for (size_t i = 0; i < len; ++i) {
    if (values[i] == needle) {
      ret_area[0] = 1;
      ((uint32_t*)ret_area)[1] = (uint32_t)i;
      break;
    }
  }
  return ret_area;
}

// tally-all(t: borrow<tally>, values): the borrowed host handle is lent on to each add, then
// dropped (a borrow must be gone when the call returns, or the call traps).
EXPORT("cm32p2||tally-all") void tally_all(int32_t tally, const uint32_t* values, size_t len) {
  for (size_t i = 0; i < len; ++i) host_tally_add(tally, values[i]);
  host_tally_drop(tally);
}

EXPORT("cm32p2||next-color") int32_t next_color(int32_t c) { return (c + 1) % 3; }

EXPORT("cm32p2||toggle-write") int32_t toggle_write(int32_t p) { return p ^ 2; }

// ---- the exported interface test:bindgen/api: resource counter ----

struct counter {
  uint32_t value;
  struct counter* next_free;
};
static struct counter* free_counters;

EXPORT(API_EXPORT "[constructor]counter") int32_t counter_constructor(uint32_t start) {
  struct counter* c = free_counters;
  if (c) {
    free_counters = c->next_free;
  } else {
    c = bump(_Alignof(struct counter), sizeof *c);
  }
  c->value = start;
  return counter_new((int32_t)(uintptr_t)c);
}

// A borrow of the guest's own resource arrives as its representation.
EXPORT(API_EXPORT "[method]counter.increment")
uint32_t counter_increment(struct counter* self, uint32_t by) {
  self->value += by;
  return self->value;
}

// An own handle arrives as a handle in the guest's table: read the counter, then drop the
// handle (which runs the destructor below).
EXPORT(API_EXPORT "[static]counter.finish") uint32_t counter_finish(int32_t handle) {
  struct counter* c = (struct counter*)(uintptr_t)counter_rep(handle);
  uint32_t v = c->value;
  counter_drop(handle);
  return v;
}

EXPORT(API_EXPORT "counter_dtor") void counter_dtor(struct counter* c) {
  c->next_free = free_counters;
  free_counters = c;
}
