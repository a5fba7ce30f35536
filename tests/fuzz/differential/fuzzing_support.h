// The host side of binaryen's generated fuzz modules (wasm-opt -ttf, binaryen 132), for Hull:
// the "fuzzing-support" imports and the export-calling protocol of binaryen's
// ExecutionResults (src/tools/execution-results.h), so that hull_diff prints what
// `wasm-opt --fuzz-exec-before` prints and the GC fuzz target runs such modules the same way.
//
// What binaryen 132's generated modules import, and what it does for them:
//   log-i32/i64/f32/f64/anyref/funcref/externref/...  print "[LoggingExternalInterface logging V]"
//       (an i64 as its low and high halves: what JS legalization would make of it);
//   log-branch                                        the same with "log-branch", returns its arg;
//   throw(i32)                      0: a JS exception (tag jstag, payload externref 0xbad, which
//                                   prints "jserror"), else a wasm exception (tag wasmtag, the
//                                   i32);
//   table-get(i32) / table-set(i32, funcref)   on the table exported as "table"; no such table,
//                                   an index out of range or a call during the start function
//                                   throws a JS exception (JS would);
//   call-export(i32, i32) / call-export-catch(i32)   call the export with that index in export
//                                   order "as JS would": zeros as arguments; a JS exception instead
//                                   when the export is missing or not a function, a parameter is
//                                   i64, v128, non-defaultable or an exnref, or a result is v128 or
//                                   an exnref; -catch returns 1 if a wasm exception (JS ones too)
//                                   escaped, else 0; traps are not caught;
//   call-ref(funcref, i32) / call-ref-catch(funcref)  the same for a function reference (a null
//                                   one throws a JS exception);
//   sleep(i32 ms, i32 id)           returns id (binaryen does not sleep);
//   tags "wasmtag" (i32) and "jstag" (externref), and immutable externref globals of any other
//   module, whose payload is a checksum of the two import names (kept in sync with binaryen's
//   FuzzerImportResolver).
// Values print like binaryen's printValue: numbers in full; i31 "i31ref(N)" (signed); host
// externrefs "externref(N)" ("jserror" for the JS error payload); any null "null"; a function
// "function"; structs, arrays (and exnrefs) "object(null)" (their JS prototype is null without
// custom descriptors, which are not enabled). Externalized/internalized references print as
// what they wrap, as binaryen unwraps them first.
#pragma once

#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "runtime/exception.h"
#include "runtime/gc_heap.h"

namespace hull_fuzz {

// binaryen's payload of a thrown JS error (execution-results.h: jsErrorPayload).
constexpr uint64_t kJsErrorPayload = 0xbad;

inline std::string format_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

inline std::string format_v128(const hull::V128& v) {
  std::string s = "i32x4";
  for (unsigned i = 0; i < 4; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " 0x%08" PRIx32, v.lane<uint32_t>(i));
    s += buf;
  }
  return s;
}

class FuzzingSupport {
 public:
  struct Options {
    FILE* out = stdout;            // transcript; nullptr: print nothing (the fuzz target)
    bool gc_on_host = false;       // collect garbage at every host call (wasm frames below it)
    bool gc_after_export = false;  // and after every export call
    uint64_t fuel = 50'000'000;
  };

  FuzzingSupport(hull::Store& store, std::shared_ptr<const hull::CompiledModule> mod, Options o)
      : store_(store), mod_(std::move(mod)), opt_(o) {}

  // Defines every import of the module in `linker`. Imports binaryen's harness does not know
  // are an error (binaryen would ignore them, and its fuzzer never generates them) unless
  // `stub_unknown`, which defines them as functions returning zeros (the fuzz target, whose
  // inputs are mutated modules).
  bool link(hull::Linker& linker, bool stub_unknown, std::string* error) {
    const hull::ModuleDesc& desc = mod_->desc;
    for (const hull::Import& imp : desc.imports) {
      hull::Extern ext;
      if (imp.module == "fuzzing-support" && imp.kind == hull::ExternKind::Tag &&
          (imp.name == "wasmtag" || imp.name == "jstag")) {
        hull::Tag*& tag = imp.name == "wasmtag" ? wasm_tag_ : js_tag_;
        if (tag == nullptr) {
          hull::FuncType ft;
          ft.params.push_back(imp.name == "wasmtag" ? hull::ValType::i32()
                                                    : hull::ValType::externref());
          const uint32_t id = hull::canonicalize_func_type(ft);
          tag = &store_.tags.emplace_back(hull::Tag{id, &hull::type_by_id(id).func});
        }
        ext = hull::Extern::of(tag);
      } else if (imp.kind == hull::ExternKind::Func &&
                 (imp.module == "fuzzing-support" || stub_unknown)) {
        const uint32_t id = mod_->type_ids[imp.type_index];
        Op op = op_of(imp.module == "fuzzing-support" ? imp.name : "");
        if (op == Op::Unknown && !stub_unknown) return fail(error, "unknown import " + imp.name);
        envs_.push_back(std::make_unique<Env>(Env{this, op, &hull::type_by_id(id).func}));
        ext = hull::Extern::of(
            hull::create_host_function(store_, id, &FuzzingSupport::host_call, envs_.back().get()));
      } else if (imp.kind == hull::ExternKind::Global && !imp.global.mut &&
                 imp.global.type.is_ref() && imp.global.type.heap == hull::HeapKind::Extern) {
        // FuzzerImportResolver::getGlobalOrNull: a host externref of a checksum of the names.
        uint64_t payload = 0;
        for (const std::string* s : {&imp.module, &imp.name}) {
          for (char c : *s) payload = (payload + static_cast<unsigned char>(c)) % 251;
        }
        const hull::Val v = hull::Val::from_ref(imp.global.type, new_extern(payload));
        ext = hull::Extern::of(hull::new_global(store_, imp.global, v));
      } else if (stub_unknown && imp.kind == hull::ExternKind::Tag) {
        const uint32_t id = mod_->type_ids[imp.type_index];
        ext =
            hull::Extern::of(&store_.tags.emplace_back(hull::Tag{id, &hull::type_by_id(id).func}));
      } else {
        return fail(error, "unsupported import " + imp.module + "." + imp.name);
      }
      linker.define(imp.module, imp.name, ext);
    }
    return true;
  }

  // Instantiates (the start function runs with table-get & co. throwing, as in binaryen).
  // Returns false after printing what binaryen prints when instantiation fails.
  bool instantiate(const hull::Linker& linker) {
    in_start_ = true;
    store_.set_fuel(opt_.fuel);
    auto inst = linker.instantiate(store_, mod_);
    in_start_ = false;
    if (!inst.ok()) {
      const auto& t = store_.instantiation_trap;
      if (t && t->kind == hull::TrapKind::Exception) {
        print("[exception thrown: failed to instantiate module]\n");
      } else {
        // binaryen prints the trap and runs nothing (a trap in instance creation).
        print("[trap instantiation: " + inst.error().message + "]\n");
      }
      return false;
    }
    inst_ = *inst;
    for (const hull::Export& ex : mod_->desc.exports) {
      if (ex.kind == hull::ExternKind::Table && ex.name == "table")
        table_ = inst_->tables[ex.index];
    }
    return true;
  }

  // ExecutionResults::callExports: every function export in order is called with zeros, and
  // every global export's value is logged. Returns false when Hull ran out of a resource (fuel,
  // stack), after printing "[resource ...]" (run.sh skips such modules).
  bool call_exports() {
    const hull::ModuleDesc& desc = mod_->desc;
    hull::Function* hang_init = nullptr;
    if (auto it = inst_->exports.find("hangLimitInitializer");
        it != inst_->exports.end() && it->second.kind == hull::ExternKind::Func) {
      hang_init = it->second.func;  // binaryen 108's modules; 132 generates none
    }
    for (const hull::Export& ex : desc.exports) {
      if (ex.kind == hull::ExternKind::Global) {
        print("[fuzz-exec] export " + ex.name + "\n");
        const hull::Global* g = inst_->globals[ex.index];
        if (opt_.out) {
          print("[LoggingExternalInterface logging " +
                value_string(g->type.type, g->value, /*canonical=*/true) + "]\n");
        }
        continue;
      }
      if (ex.kind != hull::ExternKind::Func) continue;
      print("[fuzz-exec] export " + ex.name + "\n");
      hull::Function* f = inst_->funcs[ex.index];
      store_.set_fuel(opt_.fuel);
      if (hang_init != nullptr) {
        auto r = hull::invoke(store_, hang_init, {});
        if (!r.ok() || r->trapped()) {
          if (r.ok() && !report_trap(*r->trap)) return false;
          continue;
        }
      }
      std::vector<hull::Val> args;
      bool defaultable = true;
      for (const hull::ValType& p : f->type->params) {
        if (p.is_ref() && !p.nullable) defaultable = false;
        hull::Val v;  // all-zero bits: 0, +0.0, the zero vector or a null reference
        v.type = p;
        args.push_back(v);
      }
      if (!defaultable) {
        print("[trap fuzzer can only send defaultable parameters to exports]\n");
        continue;
      }
      auto r = hull::invoke(store_, f, args);
      if (opt_.gc_after_export) hull::collect_garbage(store_);
      if (!r.ok()) {
        print("[hull-error invoke " + ex.name + ": " + r.error().message + "]\n");
        return false;
      }
      if (r->trapped()) {
        if (!report_trap(*r->trap)) return false;
        continue;
      }
      if (r->values.empty() || !opt_.out) continue;
      // binaryen prints each value followed by a newline.
      std::string line = "[fuzz-exec] note result: " + ex.name + " => ";
      // Types from the canonical copy: f->type uses its module's type indices, or canonical
      // ids when f is a re-exported host function.
      const hull::FuncType& ft = hull::type_by_id(f->type_id).func;
      for (size_t i = 0; i < r->values.size(); ++i) {
        uint64_t slots[2];
        r->values[i].store_slots(slots);
        line += value_string(ft.results[i], slots, /*canonical=*/true) + "\n";
      }
      print(line);
    }
    return true;
  }

 private:
  enum class Op {
    Log,
    LogBranch,
    Throw,
    TableGet,
    TableSet,
    CallExport,
    CallExportCatch,
    CallRef,
    CallRefCatch,
    Sleep,
    Unknown
  };
  struct Env {
    FuzzingSupport* self;
    Op op;
    const hull::FuncType* type;  // canonical
  };

  static Op op_of(const std::string& n) {
    if (n == "log-branch") return Op::LogBranch;
    if (n.rfind("log", 0) == 0) return Op::Log;
    if (n == "throw") return Op::Throw;
    if (n == "table-get") return Op::TableGet;
    if (n == "table-set") return Op::TableSet;
    if (n == "call-export") return Op::CallExport;
    if (n == "call-export-catch") return Op::CallExportCatch;
    if (n == "call-ref") return Op::CallRef;
    if (n == "call-ref-catch") return Op::CallRefCatch;
    if (n == "sleep") return Op::Sleep;
    return Op::Unknown;
  }

  static bool fail(std::string* error, std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  }

  void print(const std::string& s) {
    if (opt_.out) std::fputs(s.c_str(), opt_.out);
  }

  hull::RefBits new_extern(uint64_t payload) { return hull::new_extern_ref(store_, payload); }

  // Which hierarchy a reference type belongs to. Concrete types are func, struct or array
  // types: `canonical` says whether `t.index` is a canonical id or a module type index.
  bool is_func_type(const hull::ValType& t, bool canonical) const {
    if (t.heap == hull::HeapKind::Func || t.heap == hull::HeapKind::NoFunc) return true;
    if (t.heap != hull::HeapKind::Concrete) return false;
    if (canonical) return hull::type_by_id(t.index).kind == hull::CompositeKind::Func;
    return mod_->desc.types[t.index].kind == hull::CompositeKind::Func;
  }
  static bool is_exn_type(const hull::ValType& t) {
    return t.is_ref() && (t.heap == hull::HeapKind::Exn || t.heap == hull::HeapKind::NoExn);
  }

  std::string ref_string(const hull::ValType& t, hull::RefBits r, bool canonical) const {
    if (r == 0) return "null";
    if (is_func_type(t, canonical)) return "function";
    if (is_exn_type(t)) return "object(null)";
    // any or extern hierarchy: the word itself says what it is (both conversions between
    // them are the identity in Hull, so this is binaryen's unwrap()).
    if (hull::is_i31(r))
      return "i31ref(" + std::to_string(static_cast<int32_t>(hull::i31_get_s(r))) + ")";
    if (hull::ref_object_kind(r) == hull::RefObjectKind::Host) {
      const uint64_t payload = reinterpret_cast<const hull::ExternObject*>(r)->host_value;
      if (payload == kJsErrorPayload) return "jserror";
      return "externref(" + std::to_string(payload) + ")";
    }
    return "object(null)";
  }

  std::string value_string(const hull::ValType& t, const uint64_t* slots, bool canonical) const {
    const hull::Val v = hull::Val::load_slots(t, slots);
    switch (t.kind) {
      case hull::ValKind::I32: return std::to_string(static_cast<int32_t>(v.i32));
      case hull::ValKind::I64: return std::to_string(static_cast<int64_t>(v.i64));
      case hull::ValKind::F32: return format_float(static_cast<double>(v.f32));
      case hull::ValKind::F64: return format_float(v.f64);
      case hull::ValKind::V128: return format_v128(v.v128);
      default: return ref_string(t, v.ref, canonical);
    }
  }

  static bool is_resource(const hull::Trap& t) {
    // A nested call's fuel or stack exhaustion reaches the outer call as a host trap that
    // keeps the message.
    return t.kind == hull::TrapKind::OutOfFuel || t.kind == hull::TrapKind::StackExhausted ||
           t.kind == hull::TrapKind::Interrupted ||
           t.message.find(hull::trap_kind_message(hull::TrapKind::OutOfFuel)) !=
               std::string::npos ||
           t.message.find(hull::trap_kind_message(hull::TrapKind::StackExhausted)) !=
               std::string::npos;
  }

  // Prints a trap or an uncaught exception as binaryen does; false for resource exhaustion.
  bool report_trap(const hull::Trap& t) {
    if (is_resource(t)) {
      print("[resource " + t.message + "]\n");
      return false;
    }
    if (t.kind == hull::TrapKind::Exception && t.exception != nullptr) {
      if (opt_.out) print("[exception thrown: " + exception_string(*t.exception) + "]\n");
    } else {
      print("[trap " + t.message + "]\n");
    }
    return true;
  }

  // "TAG PAYLOAD...": binaryen names the imported tags by its own Tag objects and the module's
  // own tags (no name section) "tag$N", N counting the defined tags.
  std::string exception_string(const hull::Exception& e) const {
    std::string s;
    if (e.tag == wasm_tag_) {
      s = "imported-wasm-tag";
    } else if (e.tag == js_tag_) {
      s = "imported-js-tag";
    } else {
      size_t imported = 0;
      for (const hull::Import& imp : mod_->desc.imports) {
        if (imp.kind == hull::ExternKind::Tag) ++imported;
      }
      s = "tag$?";
      for (size_t i = imported; inst_ && i < inst_->tags.size(); ++i) {
        if (inst_->tags[i] == e.tag) s = "tag$" + std::to_string(i - imported);
      }
    }
    const uint64_t* p = e.payload.data();
    // The canonical copy: a module's own tag's `type` uses that module's type indices.
    for (const hull::ValType& t : hull::type_by_id(e.tag->type_id).func.params) {
      s += ' ' + value_string(t, p, /*canonical=*/true);
      p += t.slots();
    }
    return s;
  }

  hull::Trap throw_exception(hull::Tag* tag, uint64_t payload_word) {
    hull::Trap t = hull::Trap::make(hull::TrapKind::Exception);
    t.exception = store_.exceptions.allocate(tag, &payload_word, 1);
    return t;
  }
  hull::Trap throw_js() {
    if (js_tag_ == nullptr) {
      hull::FuncType ft;
      ft.params.push_back(hull::ValType::externref());
      const uint32_t id = hull::canonicalize_func_type(ft);
      js_tag_ = &store_.tags.emplace_back(hull::Tag{id, &hull::type_by_id(id).func});
    }
    return throw_exception(js_tag_, new_extern(kJsErrorPayload));
  }
  hull::Trap throw_wasm(uint32_t v) {
    if (wasm_tag_ == nullptr) {
      hull::FuncType ft;
      ft.params.push_back(hull::ValType::i32());
      const uint32_t id = hull::canonicalize_func_type(ft);
      wasm_tag_ = &store_.tags.emplace_back(hull::Tag{id, &hull::type_by_id(id).func});
    }
    return throw_exception(wasm_tag_, v);
  }

  // callFunctionAsJS: arguments and results JS cannot pass throw a JS exception before the
  // call; wasm exceptions and traps of the callee pass through.
  std::optional<hull::Trap> call_as_js(hull::Function* f) {
    std::vector<hull::Val> args;
    for (const hull::ValType& p : f->type->params) {
      if (p == hull::ValType::i64() || p == hull::ValType::v128() || is_exn_type(p)) {
        return throw_js();
      }
      if (p.is_ref() && !p.nullable) return throw_js();
      hull::Val v;
      v.type = p;
      args.push_back(v);
    }
    for (const hull::ValType& r : f->type->results) {
      if (r == hull::ValType::v128() || is_exn_type(r)) return throw_js();
    }
    auto r = hull::invoke(store_, f, args);
    if (!r.ok()) {
      hull::Trap t = hull::Trap::make(hull::TrapKind::Host);
      t.message = "hull-error nested invoke: " + r.error().message;
      return t;
    }
    if (r->trapped()) return std::move(*r->trap);
    return std::nullopt;
  }

  std::optional<hull::Trap> call_export(uint32_t index) {
    if (in_start_) return throw_js();  // the exports do not exist yet for JS
    const auto& exports = mod_->desc.exports;
    if (index >= exports.size() || exports[index].kind != hull::ExternKind::Func) {
      return throw_js();
    }
    return call_as_js(inst_->funcs[exports[index].index]);
  }

  std::optional<hull::Trap> call_ref(hull::RefBits r) {
    if (r == 0) return throw_js();
    return call_as_js(reinterpret_cast<hull::Function*>(r));
  }

  // The -catch variants: 1 when a wasm exception (a JS one included) escaped the call.
  std::optional<hull::Trap> catching(std::optional<hull::Trap> t, uint64_t* slots) {
    if (t && t->kind == hull::TrapKind::Exception) {
      slots[0] = 1;
      return std::nullopt;
    }
    slots[0] = 0;
    return t;
  }

  static std::optional<hull::Trap> host_call(void* env_ptr, hull::Store& store, uint64_t* slots) {
    const Env& env = *static_cast<const Env*>(env_ptr);
    FuzzingSupport& self = *env.self;
    // GC stress: a full collection with wasm frames (and their references) on the stack.
    if (self.opt_.gc_on_host) hull::collect_garbage(store);
    switch (env.op) {
      case Op::Log:
      case Op::LogBranch: {
        if (self.opt_.out) {
          std::string line = env.op == Op::Log ? "[LoggingExternalInterface logging"
                                               : "[LoggingExternalInterface log-branch";
          const uint64_t* p = slots;
          for (const hull::ValType& t : env.type->params) {
            if (t.kind == hull::ValKind::I64) {
              line += ' ' + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(*p)));
              line += ' ' + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(*p >> 32)));
            } else {
              line += ' ' + self.value_string(t, p, /*canonical=*/true);
            }
            p += t.slots();
          }
          line += "]\n";
          self.print(line);
        }
        // log-branch returns its argument, which is already in slot 0.
        return std::nullopt;
      }
      case Op::Throw:
        if (static_cast<uint32_t>(slots[0]) == 0) return self.throw_js();
        return self.throw_wasm(static_cast<uint32_t>(slots[0]));
      case Op::TableGet:
      case Op::TableSet: {
        const uint32_t i = static_cast<uint32_t>(slots[0]);
        if (self.table_ == nullptr || self.in_start_ || i >= self.table_->size()) {
          return self.throw_js();
        }
        if (env.op == Op::TableGet) {
          slots[0] = self.table_->elems[i];
        } else {
          // JS's Table.set throws a TypeError for a value the table cannot hold; binaryen
          // does not check (its tables here are funcref), but an ill-typed element would
          // break Hull's own invariants, so the harness must not store one.
          const hull::ValType& et = self.table_->type.elem;
          const hull::RefBits v = slots[1];
          const bool fits =
              v == 0 ? et.nullable
                     : et.heap == hull::HeapKind::Func ||
                           (et.heap == hull::HeapKind::Concrete &&
                            hull::type_id_is_subtype(reinterpret_cast<hull::Function*>(v)->type_id,
                                                     et.index));
          if (!fits) {
            return self.throw_js();
          }
          self.table_->elems[i] = v;
        }
        return std::nullopt;
      }
      case Op::CallExport: return self.call_export(static_cast<uint32_t>(slots[0]));
      case Op::CallExportCatch:
        return self.catching(self.call_export(static_cast<uint32_t>(slots[0])), slots);
      case Op::CallRef: return self.call_ref(slots[0]);
      case Op::CallRefCatch: return self.catching(self.call_ref(slots[0]), slots);
      case Op::Sleep: slots[0] = slots[1]; return std::nullopt;
      case Op::Unknown: {
        // Zeros (null references) for the results; a non-nullable reference result cannot be
        // made up, so such a stub traps.
        uint32_t n = 0;
        for (const hull::ValType& t : env.type->results) {
          if (t.is_ref() && !t.nullable) return hull::Trap::make(hull::TrapKind::Unreachable);
          n += t.slots();
        }
        for (uint32_t i = 0; i < n; ++i) slots[i] = 0;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  hull::Store& store_;
  std::shared_ptr<const hull::CompiledModule> mod_;
  Options opt_;
  hull::Instance* inst_ = nullptr;
  hull::Table* table_ = nullptr;
  hull::Tag* wasm_tag_ = nullptr;
  hull::Tag* js_tag_ = nullptr;
  bool in_start_ = false;
  std::vector<std::unique_ptr<Env>> envs_;
};

}  // namespace hull_fuzz
