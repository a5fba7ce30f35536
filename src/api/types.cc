// Conversions between the public API's types, values, errors and traps and the engine's.
#include <cstdio>

#include "api/internal.h"
#include "engine/module.h"
#include "runtime/type_registry.h"

namespace hull::api {

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    case ValType::AnyRef: return "anyref";
    case ValType::ExnRef: return "exnref";
  }
  return "?";
}

std::string to_string(const FuncType& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i) s += ", ";
    s += to_string(t.params[i]);
  }
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) {
    if (i) s += ", ";
    s += to_string(t.results[i]);
  }
  return s + ")";
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Limit: return "limit";
    case ErrorKind::Io: return "io";
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Trap: return "trap";
  }
  return "?";
}

std::string Error::to_string() const {
  if (trap) return trap->to_string();
  return std::string(api::to_string(kind)) + ": " + message;
}

std::string Trap::to_string() const {
  std::string out = "wasm trap: " + message;
  for (size_t i = 0; i < trace.size(); ++i) {
    const TrapFrame& f = trace[i];
    char buf[64];
    std::snprintf(buf, sizeof buf, "\n  %zu: ", i);
    out += buf;
    if (!f.module_name.empty()) out += f.module_name + "!";
    if (!f.func_name.empty()) {
      out += f.func_name;
    } else {
      std::snprintf(buf, sizeof buf, "func[%u]", f.func_index);
      out += buf;
    }
  }
  return out;
}

const char* version() { return "0.1.0"; }

namespace detail {

ValType to_api(const hull::ValType& t, const ModuleDesc* module) {
  switch (t.kind) {
    case ValKind::I32: return ValType::I32;
    case ValKind::I64: return ValType::I64;
    case ValKind::F32: return ValType::F32;
    case ValKind::F64: return ValType::F64;
    case ValKind::V128: return ValType::V128;
    case ValKind::Bot: return ValType::AnyRef;
    case ValKind::Ref: break;
  }
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return ValType::FuncRef;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return ValType::ExternRef;
    case HeapKind::Exn:
    case HeapKind::NoExn: return ValType::ExnRef;
    case HeapKind::Concrete: {
      CompositeKind k;
      if (module) {
        k = t.index < module->types.size() ? module->types[t.index].kind : CompositeKind::Struct;
      } else {
        k = type_by_id(t.index).kind;
      }
      return k == CompositeKind::Func ? ValType::FuncRef : ValType::AnyRef;
    }
    default: return ValType::AnyRef;
  }
}

hull::ValType to_internal(ValType t) {
  switch (t) {
    case ValType::I32: return hull::ValType::i32();
    case ValType::I64: return hull::ValType::i64();
    case ValType::F32: return hull::ValType::f32();
    case ValType::F64: return hull::ValType::f64();
    case ValType::V128: return hull::ValType::v128();
    case ValType::FuncRef: return hull::ValType::funcref();
    case ValType::ExternRef: return hull::ValType::externref();
    case ValType::AnyRef: return hull::ValType::ref(HeapKind::Any, true);
    case ValType::ExnRef: return hull::ValType::ref(HeapKind::Exn, true);
  }
  return hull::ValType::i32();
}

FuncType to_api(const hull::FuncType& t, const ModuleDesc* module) {
  FuncType r;
  r.params.reserve(t.params.size());
  for (const auto& p : t.params) r.params.push_back(to_api(p, module));
  r.results.reserve(t.results.size());
  for (const auto& p : t.results) r.results.push_back(to_api(p, module));
  return r;
}

hull::FuncType to_internal(const FuncType& t) {
  hull::FuncType r;
  for (auto p : t.params) r.params.push_back(to_internal(p));
  for (auto p : t.results) r.results.push_back(to_internal(p));
  return r;
}

Limits to_api(const hull::Limits& l) { return Limits{l.min, l.max, l.is64, l.shared}; }
hull::Limits to_internal(const Limits& l) {
  hull::Limits r;
  r.min = l.min;
  r.max = l.max;
  r.is64 = l.is64;
  r.shared = l.shared;
  return r;
}

Error to_api(const hull::Error& e) {
  ErrorKind k = ErrorKind::Usage;
  switch (e.kind) {
    case hull::ErrorKind::Malformed: k = ErrorKind::Malformed; break;
    case hull::ErrorKind::Invalid: k = ErrorKind::Invalid; break;
    case hull::ErrorKind::Unlinkable: k = ErrorKind::Unlinkable; break;
    case hull::ErrorKind::Uninstantiable: k = ErrorKind::Uninstantiable; break;
    case hull::ErrorKind::Limit: k = ErrorKind::Limit; break;
    case hull::ErrorKind::Io: k = ErrorKind::Io; break;
    case hull::ErrorKind::Usage: k = ErrorKind::Usage; break;
  }
  return Error(k, e.to_string());
}

Trap to_api(const hull::Trap& t, StoreImpl* s) {
  Trap r;
  switch (t.kind) {
    case TrapKind::Unreachable: r.code = TrapCode::Unreachable; break;
    case TrapKind::MemoryOutOfBounds:
    case TrapKind::DataSegmentOutOfBounds: r.code = TrapCode::MemoryOutOfBounds; break;
    case TrapKind::TableOutOfBounds: r.code = TrapCode::TableOutOfBounds; break;
    case TrapKind::UndefinedElement: r.code = TrapCode::UndefinedElement; break;
    case TrapKind::UninitializedElement: r.code = TrapCode::UninitializedElement; break;
    case TrapKind::IndirectCallTypeMismatch: r.code = TrapCode::IndirectCallTypeMismatch; break;
    case TrapKind::NullReference: r.code = TrapCode::NullReference; break;
    case TrapKind::IntegerDivideByZero: r.code = TrapCode::IntegerDivideByZero; break;
    case TrapKind::IntegerOverflow: r.code = TrapCode::IntegerOverflow; break;
    case TrapKind::InvalidConversion: r.code = TrapCode::InvalidConversion; break;
    case TrapKind::StackExhausted: r.code = TrapCode::StackExhausted; break;
    case TrapKind::OutOfFuel: r.code = TrapCode::OutOfFuel; break;
    case TrapKind::Interrupted: r.code = TrapCode::Interrupted; break;
    case TrapKind::UnalignedAtomic: r.code = TrapCode::UnalignedAtomic; break;
    case TrapKind::ExpectedSharedMemory: r.code = TrapCode::ExpectedSharedMemory; break;
    case TrapKind::ArrayOutOfBounds: r.code = TrapCode::ArrayOutOfBounds; break;
    case TrapKind::CastFailure: r.code = TrapCode::CastFailure; break;
    case TrapKind::HeapExhausted: r.code = TrapCode::HeapExhausted; break;
    case TrapKind::Host: r.code = TrapCode::Host; break;
    case TrapKind::Exception: r.code = TrapCode::Exception; break;
  }
  r.message = t.message.empty() ? trap_kind_message(t.kind) : t.message;
  if (t.kind == TrapKind::Exception && t.exception && s) {
    auto ex = std::make_shared<Exception>();
    ex->tag = Tag(s, t.exception->tag);
    const hull::FuncType& ft = type_by_id(t.exception->tag->type_id).func;
    size_t slot = 0;
    for (const hull::ValType& p : ft.params) {
      ex->args.push_back(Val::from_slots(to_api(p, nullptr), t.exception->payload.data() + slot));
      slot += p.slots();
    }
    r.exception = std::move(ex);
  }
  r.trace.reserve(t.backtrace.size());
  for (const hull::TrapFrame& f : t.backtrace) {
    r.trace.push_back(api::TrapFrame{f.func_index, f.func_name, f.module_name, f.code_offset});
  }
  return r;
}

hull::Trap to_internal(const Trap& t, StoreImpl* s) {
  hull::Trap r;
  r.kind = TrapKind::Host;
  r.message = t.message;
  if (t.code != TrapCode::Exception || !t.exception) return r;
  // A host function throws: the exception is made in the store's heap and thrown at the call.
  const Exception& ex = *t.exception;
  if (!s || !ex.tag.valid() || ex.tag.store_impl() != s) {
    r.message = "host function threw an exception with a tag of another store";
    return r;
  }
  const hull::FuncType& ft = type_by_id(ex.tag.raw()->type_id).func;
  std::vector<uint64_t> slots;
  bool ok = ex.args.size() == ft.params.size();
  for (size_t i = 0; ok && i < ft.params.size(); ++i) {
    if (ex.args[i].type() != to_api(ft.params[i], nullptr) ||
        check_ref(s->store, ft.params[i], ex.args[i].ref_bits())) {
      ok = false;
      break;
    }
    uint64_t v[2] = {0, 0};
    ex.args[i].to_slots(v);
    slots.insert(slots.end(), v, v + ft.params[i].slots());
  }
  if (!ok) {
    r.message = "host function threw an exception whose values do not match its tag's type " +
                to_string(ex.tag.type());
    return r;
  }
  r.kind = TrapKind::Exception;
  r.message = trap_kind_message(TrapKind::Exception);
  r.exception =
      s->store.exceptions.allocate(ex.tag.raw(), slots.data(), static_cast<uint32_t>(slots.size()));
  return r;
}

hull::Val to_internal(const Val& v) {
  uint64_t slots[2] = {0, 0};
  v.to_slots(slots);
  return hull::Val::load_slots(to_internal(v.type()), slots);
}

Val to_api(const hull::Val& v, const ModuleDesc* module) {
  uint64_t slots[2] = {0, 0};
  v.store_slots(slots);
  return Val::from_slots(to_api(v.type, module), slots);
}

const ModuleDesc* module_of(const hull::Function* f) {
  if (f->host || !f->instance || !f->instance->module) return nullptr;
  return &f->instance->module->desc;
}

}  // namespace detail
}  // namespace hull::api
