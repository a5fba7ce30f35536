// Hand-encoded wasm binaries for the micro benchmarks (see module_gen.h).
#include "module_gen.h"

#include <string>

namespace hull::bench {

namespace {

using Bytes = std::vector<uint8_t>;

void uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

void sleb(Bytes& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out.push_back(b);
    if (done) return;
  }
}

void name(Bytes& out, const std::string& s) {
  uleb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void section(Bytes& module, uint8_t id, const Bytes& body) {
  module.push_back(id);
  uleb(module, body.size());
  module.insert(module.end(), body.begin(), body.end());
}

Bytes header() { return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}; }

constexpr uint8_t kI32 = 0x7f;

// One function body (without its size prefix) of the large module.
Bytes large_body(uint32_t index) {
  Bytes b;
  b.push_back(1);  // one local declaration: 1 x i32 (local 2)
  uleb(b, 1);
  b.push_back(kI32);
  for (int k = 0; k < 6; ++k) {
    b.insert(b.end(), {0x20, 0x00, 0x41});  // local.get 0; i32.const
    sleb(b, static_cast<int32_t>(index * 31 + k));
    b.insert(b.end(), {0x6a, 0x21, 0x02});              // i32.add; local.set 2
    b.insert(b.end(), {0x20, 0x02, 0x20, 0x01, 0x6c});  // local.get 2; local.get 1; i32.mul
    b.insert(b.end(), {0x21, 0x02});                    // local.set 2
    b.insert(b.end(), {0x02, 0x40});                    // block
    b.insert(b.end(), {0x20, 0x02, 0x45, 0x0d, 0x00});  //   local.get 2; i32.eqz; br_if 0
    b.insert(b.end(), {0x20, 0x02, 0x41, 0x03, 0x76});  //   local.get 2; i32.const 3; shr_u
    b.insert(b.end(), {0x21, 0x02});                    //   local.set 2
    b.push_back(0x0b);                                  // end
    b.insert(b.end(), {0x41, 0x00, 0x28, 0x02});        // i32.const 0; i32.load align=2
    sleb(b, (index * 4 + k * 8) & 0xfff);               //   offset
    b.insert(b.end(), {0x20, 0x02, 0x73, 0x21, 0x01});  // local.get 2; xor; local.set 1
  }
  if (index > 0) {
    b.insert(b.end(), {0x20, 0x02, 0x20, 0x01, 0x10});  // local.get 2; local.get 1; call
    uleb(b, index - 1);
    b.insert(b.end(), {0x21, 0x02});
  }
  b.insert(b.end(), {0x20, 0x02, 0x0b});  // local.get 2; end
  return b;
}

}  // namespace

std::vector<uint8_t> make_large_module(size_t target_bytes) {
  const size_t per_func = large_body(1).size() + 4;
  const uint32_t count = static_cast<uint32_t>(target_bytes / per_func) + 1;
  Bytes m = header();
  Bytes types;
  uleb(types, 1);
  types.insert(types.end(), {0x60, 0x02, kI32, kI32, 0x01, kI32});
  section(m, 1, types);
  Bytes funcs;
  uleb(funcs, count);
  for (uint32_t i = 0; i < count; ++i) uleb(funcs, 0);
  section(m, 3, funcs);
  Bytes mem;
  uleb(mem, 1);
  mem.insert(mem.end(), {0x00, 0x01});  // min 1 page
  section(m, 5, mem);
  Bytes exports;
  uleb(exports, (count + 63) / 64);
  for (uint32_t i = 0; i < count; i += 64) {
    name(exports, "f" + std::to_string(i));
    exports.push_back(0x00);
    uleb(exports, i);
  }
  section(m, 7, exports);
  Bytes code;
  uleb(code, count);
  for (uint32_t i = 0; i < count; ++i) {
    Bytes body = large_body(i);
    uleb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  section(m, 10, code);
  return m;
}

std::vector<uint8_t> make_call_module() {
  Bytes m = header();
  Bytes types;
  uleb(types, 3);
  types.insert(types.end(), {0x60, 0x00, 0x00});                    // 0: [] -> []
  types.insert(types.end(), {0x60, 0x02, kI32, kI32, 0x01, kI32});  // 1: [i32 i32] -> [i32]
  types.insert(types.end(), {0x60, 0x01, kI32, 0x00});              // 2: [i32] -> []
  section(m, 1, types);
  Bytes imports;
  uleb(imports, 1);
  name(imports, "env");
  name(imports, "f");
  imports.push_back(0x00);
  uleb(imports, 0);
  section(m, 2, imports);
  // Functions: 1 empty, 2 add, 3 call_host, 4 call_guest (function 0 is the import).
  Bytes funcs;
  uleb(funcs, 4);
  funcs.insert(funcs.end(), {0x00, 0x01, 0x02, 0x02});
  section(m, 3, funcs);
  Bytes exports;
  uleb(exports, 4);
  const char* names[] = {"empty", "add", "call_host", "call_guest"};
  for (uint32_t i = 0; i < 4; ++i) {
    name(exports, names[i]);
    exports.push_back(0x00);
    uleb(exports, i + 1);
  }
  section(m, 7, exports);
  auto loop_body = [](uint32_t callee) {
    // loop: call callee; local.get 0; i32.const 1; i32.sub; local.tee 0; br_if 0; end; end
    Bytes b = {0x00, 0x03, 0x40, 0x10};
    uleb(b, callee);
    b.insert(b.end(), {0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b});
    return b;
  };
  const Bytes add = {0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};
  Bytes code;
  uleb(code, 4);
  for (const Bytes& body : {Bytes{0x00, 0x0b}, add, loop_body(0), loop_body(1)}) {
    uleb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  section(m, 10, code);
  return m;
}

}  // namespace hull::bench
