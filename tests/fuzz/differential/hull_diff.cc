// hull_diff: runs binaryen-generated fuzz modules in Hull and prints a transcript in the shape
// of `wasm-opt --fuzz-exec-before`, so run.sh can compare it line by line with binaryen's.
//
// usage: hull_diff [--fuel N] [--native] [--binaryen132 [--gc-stress]] FILE.wasm...
//        (or `-` to read one path per line from stdin)
//
// --native (when built with the native tier): every function as machine code (a function the
// tier would leave to the interpreter is a "[hull-error ...]"), so that the transcript compares
// the native tier with binaryen's interpreter.
// --binaryen132: the protocol of binaryen 132 (npm), whose -ttf generates GC and exceptions:
// fuzzing_support.h (its imports, "[fuzz-exec] export NAME", global exports, exceptions).
// --gc-stress (with it): a full garbage collection at every host call, i.e. with wasm frames
// and their references on the stack; the transcript must not change.
// Without it, binaryen 108's protocol:
//
// For every module it prints "##### MODULE <path>" and then, like binaryen's fuzz-exec:
//   - each export function, in export-section order: "[fuzz-exec] calling NAME"; the export
//     "hangLimitInitializer" (if any) is run first to reset the generated hang counter; then
//     the function runs with zero arguments on the same instance;
//   - each call of a "fuzzing-support" import: "[LoggingExternalInterface logging ARGS]", with an
//     i64 printed as its low and high halves (signed i32s), as binaryen does;
//   - a non-empty result: "[fuzz-exec] note result: NAME => VALUE" or "(V1, V2, ...)";
//   - a trap: "[trap <hull message>]" (run.sh compares only that a trap happened).
// Values: integers in signed decimal; floats as %.17g (run.sh parses both sides' floats, so
// only the value matters), "nan" for any NaN (payload and sign are nondeterministic in the
// spec), "inf"/"-inf", "-0"; v128 as "i32x4 0x........ x4" (binaryen's format); references as
// "REF" (binaryen prints only their types).
// Resource exhaustion (fuel, call stack) prints "[resource <why>]": run.sh skips such modules.
// A module Hull cannot compile or instantiate prints "[hull-error <message>]".
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "fuzzing_support.h"
#ifdef HULL_DIFF_NATIVE
#include "hull/native.hh"
#endif

namespace {

// Fuel per export call. The generated code decrements a hang counter (10) at every loop
// iteration and function entry, so real calls stay far below this; only bulk instructions
// can be big, and they are one instruction each.
uint64_t g_fuel = 50'000'000;
bool g_binaryen132 = false;
bool g_gc_stress = false;
bool g_native = false;

std::string format_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

std::string format_v128(const hull::V128& v) {
  std::string s = "i32x4";
  for (unsigned i = 0; i < 4; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " 0x%08" PRIx32, v.lane<uint32_t>(i));
    s += buf;
  }
  return s;
}

std::string format_val(const hull::Val& v) {
  switch (v.type.kind) {
    case hull::ValKind::I32: return std::to_string(static_cast<int32_t>(v.i32));
    case hull::ValKind::I64: return std::to_string(static_cast<int64_t>(v.i64));
    case hull::ValKind::F32: return format_float(static_cast<double>(v.f32));
    case hull::ValKind::F64: return format_float(v.f64);
    case hull::ValKind::V128: return format_v128(v.v128);
    default: return "REF";
  }
}

// Env of one "fuzzing-support" import: its parameter types.
struct LogEnv {
  std::vector<hull::ValType> params;
};

std::optional<hull::Trap> log_callback(void* env, hull::Store&, uint64_t* slots) {
  const LogEnv& le = *static_cast<const LogEnv*>(env);
  std::string line = "[LoggingExternalInterface logging";
  for (const hull::ValType& t : le.params) {
    hull::Val v = hull::Val::load_slots(t, slots);
    slots += t.slots();
    if (t.kind == hull::ValKind::I64) {
      line += ' ' + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(v.i64)));
      line += ' ' + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(v.i64 >> 32)));
    } else {
      line += ' ' + format_val(v);
    }
  }
  line += "]\n";
  std::fputs(line.c_str(), stdout);
  return std::nullopt;
}

bool is_resource_trap(const hull::Trap& t) {
  return t.kind == hull::TrapKind::OutOfFuel || t.kind == hull::TrapKind::StackExhausted ||
         t.kind == hull::TrapKind::Interrupted;
}

void print_trap(const hull::Trap& t) {
  if (is_resource_trap(t)) {
    std::printf("[resource %s]\n", t.message.c_str());
  } else {
    std::printf("[trap %s]\n", t.message.c_str());
  }
}

bool defaultable(const hull::ValType& t) { return !t.is_ref() || t.nullable; }

hull::Val zero_of(const hull::ValType& t) {
  hull::Val v;  // all-zero bits: 0, +0.0, the zero vector or a null reference
  v.type = t;
  return v;
}

void run_module(const std::string& path) {
  std::printf("##### MODULE %s\n", path.c_str());
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::printf("[hull-error cannot read %s]\n", path.c_str());
    return;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  hull::CompileOptions options;
  options.fuel = true;
  options.native = g_native;
  auto mod = hull::compile(std::span<const uint8_t>(bytes), options);
  if (!mod.ok()) {
    std::printf("[hull-error compile: %s]\n", mod.error().message.c_str());
    return;
  }
  const hull::ModuleDesc& desc = (*mod)->desc;

  if (g_binaryen132) {
    hull::Store store;
    hull::Linker linker;
    hull_fuzz::FuzzingSupport::Options o;
    o.gc_on_host = g_gc_stress;
    o.fuel = g_fuel;
    hull_fuzz::FuzzingSupport fs(store, *mod, o);
    std::string error;
    if (!fs.link(linker, /*stub_unknown=*/false, &error)) {
      std::printf("[hull-error %s]\n", error.c_str());
      return;
    }
    if (fs.instantiate(linker)) fs.call_exports();
    return;
  }

  hull::Store store;
  store.set_fuel(g_fuel);
  hull::Linker linker;
  // One env per import, alive until the store (and its host functions) is gone.
  std::vector<std::unique_ptr<LogEnv>> envs;
  for (const hull::Import& imp : desc.imports) {
    if (imp.kind != hull::ExternKind::Func || imp.module != "fuzzing-support") continue;
    const hull::FuncType& ft = desc.types[imp.type_index].func;
    if (!ft.results.empty()) {
      std::printf("[hull-error import %s returns values]\n", imp.name.c_str());
      return;
    }
    envs.push_back(std::make_unique<LogEnv>(LogEnv{ft.params}));
    hull::Function* f = hull::create_host_function(store, hull::FuncType{ft.params, {}},
                                                   log_callback, envs.back().get());
    linker.define(imp.module, imp.name, hull::Extern::of(f));
  }
  auto inst = linker.instantiate(store, *mod);
  if (!inst.ok()) {
    // binaryen reports a trap during instantiation (segment initialization) as a trap line.
    std::printf("[trap instantiation: %s]\n", inst.error().message.c_str());
    return;
  }
  hull::Function* hang_init = nullptr;
  if (auto it = (*inst)->exports.find("hangLimitInitializer");
      it != (*inst)->exports.end() && it->second.kind == hull::ExternKind::Func) {
    hang_init = it->second.func;
  }
  for (const hull::Export& ex : desc.exports) {
    if (ex.kind != hull::ExternKind::Func) continue;
    std::printf("[fuzz-exec] calling %s\n", ex.name.c_str());
    hull::Function* f = (*inst)->exports.at(ex.name).func;
    store.set_fuel(g_fuel);
    if (hang_init != nullptr) {
      auto r = hull::invoke(store, hang_init, {});
      if (!r.ok()) {
        std::printf("[hull-error invoke hangLimitInitializer: %s]\n", r.error().message.c_str());
        return;
      }
      if (r->trapped()) {
        print_trap(*r->trap);
        if (is_resource_trap(*r->trap)) return;
        continue;
      }
    }
    std::vector<hull::Val> args;
    bool ok = true;
    for (const hull::ValType& p : f->type->params) {
      if (!defaultable(p)) ok = false;
      args.push_back(zero_of(p));
    }
    if (!ok) {
      // binaryen refuses to call these and records a trap.
      std::printf("[trap fuzzer can only send defaultable parameters to exports]\n");
      continue;
    }
    auto r = hull::invoke(store, f, args);
    if (!r.ok()) {
      std::printf("[hull-error invoke %s: %s]\n", ex.name.c_str(), r.error().message.c_str());
      return;
    }
    if (r->trapped()) {
      print_trap(*r->trap);
      // After fuel or stack exhaustion the module is skipped; stop wasting time on it.
      if (is_resource_trap(*r->trap)) return;
      continue;
    }
    if (r->values.empty()) continue;
    std::string line = "[fuzz-exec] note result: " + ex.name + " => ";
    if (r->values.size() == 1) {
      line += format_val(r->values[0]);
    } else {
      line += '(';
      for (size_t i = 0; i < r->values.size(); ++i) {
        if (i) line += ", ";
        line += format_val(r->values[i]);
      }
      line += ')';
    }
    line += '\n';
    std::fputs(line.c_str(), stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> paths;
  bool from_stdin = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--fuel" && i + 1 < argc) {
      g_fuel = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--binaryen132") {
      g_binaryen132 = true;
    } else if (a == "--gc-stress") {
      g_gc_stress = true;
    } else if (a == "--native") {
#ifdef HULL_DIFF_NATIVE
      hull::native::register_tier();
      setenv("HULL_NATIVE_STRICT", "1", 1);
      g_native = true;
#else
      std::fprintf(stderr, "hull_diff: built without the native tier (LLVM 19)\n");
      return 2;
#endif
    } else if (a == "-") {
      from_stdin = true;
    } else if (a == "-h" || a == "--help") {
      std::fprintf(stderr,
                   "usage: hull_diff [--fuel N] [--native] [--binaryen132 [--gc-stress]] "
                   "FILE.wasm... | -\n");
      return 0;
    } else {
      paths.push_back(a);
    }
  }
  if (from_stdin) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty()) paths.push_back(line);
    }
  }
  for (const std::string& p : paths) {
    run_module(p);
    std::fflush(stdout);
  }
  return 0;
}
