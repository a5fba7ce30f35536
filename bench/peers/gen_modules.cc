// Writes the wasm modules of the peer micro benchmarks to a directory: the generated 1 MiB and
// 10 MiB modules of bench/micro/module_gen.h and a small call-overhead module.
//
// Usage: gen_modules OUT_DIR   (writes large1.wasm, large10.wasm, calls.wasm)
#include <cstdio>
#include <string>
#include <vector>

#include "module_gen.h"

namespace {

using Bytes = std::vector<uint8_t>;

void uleb(Bytes& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

void name(Bytes& out, const char* s) {
  const std::string str(s);
  uleb(out, static_cast<uint32_t>(str.size()));
  out.insert(out.end(), str.begin(), str.end());
}

void section(Bytes& m, uint8_t id, const Bytes& body) {
  m.push_back(id);
  uleb(m, static_cast<uint32_t>(body.size()));
  m.insert(m.end(), body.begin(), body.end());
}

// The module every call benchmark uses (same shape as bench/micro/api_bench.cc's):
//   (import "env" "f" (func))                       ;; func 0
//   (func (export "empty"))                         ;; func 1
//   (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
//   (func (export "call_host") (param i32) loop: call 0, n -= 1, br_if n)   ;; n > 0
//   (func (export "call_guest") (param i32) the same loop calling func 1)
// Export order (empty, add, call_host, call_guest) is what the C benchmarks index by.
Bytes make_calls_module() {
  constexpr uint8_t kI32 = 0x7f;
  Bytes m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
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
  imports.insert(imports.end(), {0x00, 0x00});  // func, type 0
  section(m, 2, imports);
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
  auto loop = [](uint8_t callee) {
    // no locals; loop; call callee; local.get 0; i32.const 1; i32.sub; local.tee 0; br_if 0;
    // end; end
    return Bytes{0x00, 0x03, 0x40, 0x10, callee, 0x20, 0x00, 0x41, 0x01,
                 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b};
  };
  const Bytes bodies[] = {
      {0x00, 0x0b},                                // empty
      {0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b},  // add
      loop(0),                                     // call_host
      loop(1),                                     // call_guest
  };
  Bytes code;
  uleb(code, 4);
  for (const Bytes& b : bodies) {
    uleb(code, static_cast<uint32_t>(b.size()));
    code.insert(code.end(), b.begin(), b.end());
  }
  section(m, 10, code);
  return m;
}

bool write(const std::string& path, const Bytes& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const bool ok = write(dir + "/large1.wasm", hull::bench::make_large_module(size_t{1} << 20)) &&
                  write(dir + "/large10.wasm", hull::bench::make_large_module(size_t{10} << 20)) &&
                  write(dir + "/calls.wasm", make_calls_module());
  if (!ok) {
    std::perror("gen_modules");
    return 1;
  }
  return 0;
}
