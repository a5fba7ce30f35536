// Text spellings of types.
#include "spec/types.h"

namespace hull {

const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

const char* heap_kind_name(HeapKind h) {
  switch (h) {
    case HeapKind::Func: return "func";
    case HeapKind::Extern: return "extern";
    case HeapKind::Any: return "any";
    case HeapKind::Eq: return "eq";
    case HeapKind::I31: return "i31";
    case HeapKind::Struct: return "struct";
    case HeapKind::Array: return "array";
    case HeapKind::Exn: return "exn";
    case HeapKind::None: return "none";
    case HeapKind::NoFunc: return "nofunc";
    case HeapKind::NoExtern: return "noextern";
    case HeapKind::NoExn: return "noexn";
    case HeapKind::Concrete: return "";
    case HeapKind::Bot: return "bot";
  }
  return "?";
}

HeapKind abstract_top(HeapKind h) {
  switch (h) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return HeapKind::Func;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return HeapKind::Extern;
    case HeapKind::Exn:
    case HeapKind::NoExn: return HeapKind::Exn;
    case HeapKind::Concrete:
    case HeapKind::Bot: return HeapKind::Bot;
    default: return HeapKind::Any;
  }
}

std::string to_string(const ValType& t) {
  switch (t.kind) {
    case ValKind::I32: return "i32";
    case ValKind::I64: return "i64";
    case ValKind::F32: return "f32";
    case ValKind::F64: return "f64";
    case ValKind::V128: return "v128";
    case ValKind::Bot: return "bot";
    case ValKind::Ref: break;
  }
  std::string heap =
      t.heap == HeapKind::Concrete ? std::to_string(t.index) : heap_kind_name(t.heap);
  if (t.nullable && t.heap != HeapKind::Concrete && t.heap != HeapKind::Bot) return heap + "ref";
  return std::string("(ref ") + (t.nullable ? "null " : "") + heap + ")";
}

}  // namespace hull
