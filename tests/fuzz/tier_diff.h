// What the differential fuzz targets of two tiers share (fuzz_native.cc: the interpreter
// against the native tier; fuzz_baseline.cc: against the baseline tier): instantiating a module
// in a store of its own, calling an export with zero arguments on a fuel budget, and describing
// results, traps, exceptions and values so that the tiers' outcomes compare as text (NaNs as
// NaN: their payloads may differ between tiers; v128 lanes likewise; references by what they
// designate).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "runtime/type_registry.h"

namespace {

constexpr uint64_t kFuelPerCall = 200000;
constexpr uint64_t kMemoryLimit = uint64_t{1} << 30;  // per store

bool is_scalar(const hull::ValType& t) {
  return t == hull::ValType::i32() || t == hull::ValType::i64() || t == hull::ValType::f32() ||
         t == hull::ValType::f64();
}

// A type whose zero (all bits clear) is a value of it: an argument the fuzzer can pass.
bool zero_is_value(const hull::ValType& t) {
  return is_scalar(t) || t.kind == hull::ValKind::V128 || (t.is_ref() && t.nullable);
}

// A v128 comparably: per 64-bit lane "nan" when it is an f64 NaN, else per 32-bit half "nan"
// when that is an f32 NaN, else the bits (which NaN a float operation returns may differ
// between tiers; integer lanes that happen to look like NaNs compare loosely too).
std::string describe_v128(const uint8_t* bytes) {
  std::string s = "v128:";
  char buf[16];
  for (int lane = 0; lane < 2; ++lane) {
    uint64_t x;
    std::memcpy(&x, bytes + lane * 8, 8);
    if (((x >> 52) & 0x7ff) == 0x7ff && (x & ((uint64_t{1} << 52) - 1)) != 0) {
      s += "nan64 ";
      continue;
    }
    for (int half = 0; half < 2; ++half) {
      const auto w = static_cast<uint32_t>(x >> (32 * half));
      if (((w >> 23) & 0xff) == 0xff && (w & 0x7fffff) != 0) {
        s += "nan ";
      } else {
        std::snprintf(buf, sizeof buf, "%08x ", w);
        s += buf;
      }
    }
  }
  return s;
}

struct Outcome {
  std::string text;        // results or trap kind, comparable
  bool exhausted = false;  // stack exhaustion: the tiers' depth limits differ, stop comparing
};

std::string describe(const hull::Val& v) {
  char buf[64];
  switch (v.type.kind) {
    case hull::ValKind::I32: std::snprintf(buf, sizeof buf, "i32:%u", v.i32); break;
    case hull::ValKind::I64:
      std::snprintf(buf, sizeof buf, "i64:%llu", static_cast<unsigned long long>(v.i64));
      break;
    case hull::ValKind::F32:
      if (v.f32 != v.f32) return "f32:nan";
      std::snprintf(buf, sizeof buf, "f32:%a", static_cast<double>(v.f32));
      break;
    case hull::ValKind::F64:
      if (v.f64 != v.f64) return "f64:nan";
      std::snprintf(buf, sizeof buf, "f64:%a", v.f64);
      break;
    case hull::ValKind::V128: return describe_v128(v.v128.bytes);
    case hull::ValKind::Ref:
      if (!v.ref) return "ref:null";
      // A funcref: the same index of the same module in both stores (a host function's is 0).
      // Other references (externref, GC objects, typed ones) are only compared as non-null.
      if (v.type.heap == hull::HeapKind::Func)
        return "func:" + std::to_string(reinterpret_cast<const hull::Function*>(v.ref)->index);
      return "ref:non-null";
    default: return "other";
  }
  return buf;
}

// An exported function whose parameters can all be zero: one the targets call.
inline bool callable_with_zeros(const hull::Extern& ext) {
  if (ext.kind != hull::ExternKind::Func || ext.func == nullptr) return false;
  for (const auto& p : ext.func->type->params)
    if (!zero_is_value(p)) return false;
  return true;
}

// binaryen's translate-to-fuzz modules (native_campaign.sh) import loggers of one number each:
// without them nothing of such a module would instantiate, in any tier, and its comparison
// would be empty. They log nothing here.
std::optional<hull::Trap> ignore_log(void*, hull::Store&, uint64_t*) { return std::nullopt; }
void define_fuzzing_support(hull::Linker& linker, hull::Store& store) {
  const std::pair<const char*, hull::ValType> logs[] = {{"log-i32", hull::ValType::i32()},
                                                        {"log-i64", hull::ValType::i64()},
                                                        {"log-f32", hull::ValType::f32()},
                                                        {"log-f64", hull::ValType::f64()}};
  for (const auto& [name, type] : logs) {
    hull::Function* f =
        hull::create_host_function(store, hull::FuncType{{type}, {}}, ignore_log, nullptr);
    linker.define("fuzzing-support", name, hull::Extern::of(f));
  }
}

struct Run {
  hull::Store store;
  // An uncaught exception comparably: its tag (as an index of the instance's tags: the tiers'
  // stores have tags of their own) and its payload, each value as describe() shows it.
  std::string describe_exception(const hull::Exception& e) const {
    std::string s = "tag ?";
    for (size_t i = 0; i < inst->tags.size(); ++i)
      if (inst->tags[i] == e.tag) s = "tag " + std::to_string(i);
    if (!e.tag) return s;
    size_t slot = 0;
    for (const hull::ValType& t : hull::type_by_id(e.tag->type_id).func.params) {
      if (slot + t.slots() > e.payload.size()) break;
      hull::Val v;
      v.type = t;
      if (t.kind == hull::ValKind::V128) {
        std::memcpy(v.v128.bytes, &e.payload[slot], 16);
      } else if (t.is_ref()) {
        v.ref = static_cast<hull::RefBits>(e.payload[slot]);
      } else {
        std::memcpy(&v.i64, &e.payload[slot], 8);  // the low bytes: i32, f32 alike
      }
      s += " " + describe(v);
      slot += t.slots();
    }
    return s;
  }
  hull::Instance* inst = nullptr;
  bool ok = false;

  explicit Run(const std::shared_ptr<const hull::CompiledModule>& mod) {
    // The same limits in both stores, so that the tiers fail (instantiation, growth) alike;
    // without them a mutated memory64 of 100 GB minimum instantiates, and comparing it page
    // by page at the end times out (found by a run seeded with the threads modules).
    store.limits.max_memory_bytes = kMemoryLimit;
    store.limits.max_table_elements = 1 << 20;
    store.set_fuel(kFuelPerCall);
    hull::Linker linker;
    hull::define_spectest(linker, store);
    define_fuzzing_support(linker, store);
    auto in = linker.instantiate(store, mod);
    if (!in.ok()) return;
    inst = *in;
    ok = true;
  }

  Outcome call(hull::Function* f) {
    std::vector<hull::Val> args;
    for (const auto& p : f->type->params) {
      hull::Val v;
      v.type = p;
      args.push_back(v);
    }
    store.set_fuel(kFuelPerCall);
    auto r = hull::invoke(store, f, args);
    if (!r.ok()) std::abort();  // arguments were built from the function's own type
    Outcome o;
    if (r->trapped()) {
      o.exhausted = r->trap->kind == hull::TrapKind::StackExhausted;
      o.text = std::string("trap ") + hull::trap_kind_message(r->trap->kind);
      if (r->trap->kind == hull::TrapKind::Exception && r->trap->exception)
        o.text += " " + describe_exception(*r->trap->exception);
    } else {
      for (const auto& v : r->values) o.text += describe(v) + " ";
    }
    o.text += " fuel " + std::to_string(store.fuel_remaining());
    return o;
  }
};

[[noreturn]] inline void diverged(const std::string& what, const std::string& interp,
                                  const std::string& native, const char* tier = "native") {
  std::fprintf(stderr, "interp/%s divergence in %s:\n  interp: %s\n  %s: %s\n", tier, what.c_str(),
               interp.c_str(), tier, native.c_str());
  std::abort();
}

// After the calls: the other tier's instance must hold the interpreter's memories and globals.
inline void same_state(const Run& interp, const Run& other, const char* tier) {
  for (size_t i = 0; i < interp.inst->memories.size(); ++i) {
    const hull::Memory* m = interp.inst->memories[i];
    const hull::Memory* n = other.inst->memories[i];
    if (m->size != n->size || std::memcmp(m->base, n->base, m->size) != 0)
      diverged("memory " + std::to_string(i), std::to_string(m->size), std::to_string(n->size),
               tier);
  }
  for (size_t i = 0; i < interp.inst->globals.size(); ++i) {
    const hull::Global* g = interp.inst->globals[i];
    const std::string x = describe(g->get()), y = describe(other.inst->globals[i]->get());
    if (x != y) diverged("global " + std::to_string(i), x, y, tier);
  }
}

}  // namespace
