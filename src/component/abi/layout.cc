// Layout of component values in memory and as core values (CanonicalABI.md "Alignment",
// "Element Size", "Flattening"). Specialized types are handled through their despecialized
// form: tuple and fixed-size list as records, enum/option/result as variants.
#include <algorithm>

#include "component/abi/abi_internal.h"

namespace hull::component {

using namespace abi_detail;

namespace abi_detail {

size_t case_count(const ac::Type& t) {
  switch (t.kind()) {
    case ac::TypeKind::Variant: return t->fields.size();
    case ac::TypeKind::Enum: return t->names.size();
    default: return 2;  // option: none, some; result: ok, error
  }
}

ac::Type case_payload(const ac::Type& t, size_t i) {
  switch (t.kind()) {
    case ac::TypeKind::Variant: return t->fields[i].type;
    case ac::TypeKind::Enum: return {};
    case ac::TypeKind::Option: return i == 0 ? ac::Type() : t->elems[0];
    default: return i == 0 ? t->ok : t->err;
  }
}

// discriminant_type: the smallest of u8/u16/u32 that numbers every case.
uint32_t discriminant_size(size_t cases) {
  if (cases <= (size_t{1} << 8)) return 1;
  if (cases <= (size_t{1} << 16)) return 2;
  return 4;
}

uint32_t max_case_alignment(const ac::Type& t) {
  uint32_t a = 1;
  for (size_t i = 0, n = case_count(t); i < n; ++i)
    if (ac::Type p = case_payload(t, i)) a = std::max(a, alignment(p));
  return a;
}

size_t field_count(const ac::Type& t) {
  switch (t.kind()) {
    case ac::TypeKind::Record: return t->fields.size();
    case ac::TypeKind::Tuple: return t->elems.size();
    default: return t->length;  // fixed-size list
  }
}

const ac::Type& field_type(const ac::Type& t, size_t i) {
  switch (t.kind()) {
    case ac::TypeKind::Record: return t->fields[i].type;
    case ac::TypeKind::Tuple: return t->elems[i];
    default: return t->elems[0];
  }
}

// The spec allows 1..32 flags (1, 2 or 4 bytes, one i32). Wider flags, which validation
// rejects today, keep the earlier spec's layout: one u32 per 32 labels.
uint32_t flags_size(size_t labels) {
  if (labels == 0) return 0;
  if (labels <= 8) return 1;
  if (labels <= 16) return 2;
  return 4 * static_cast<uint32_t>((labels + 31) / 32);
}

uint32_t flags_flat_count(size_t labels) { return static_cast<uint32_t>((labels + 31) / 32); }

}  // namespace abi_detail

namespace {

// The definitions of CanonicalABI.md, over the children's cached layouts.
uint32_t compute_alignment(const ac::Type& t) {
  switch (t.kind()) {
    case ac::TypeKind::Bool:
    case ac::TypeKind::S8:
    case ac::TypeKind::U8: return 1;
    case ac::TypeKind::S16:
    case ac::TypeKind::U16: return 2;
    case ac::TypeKind::S32:
    case ac::TypeKind::U32:
    case ac::TypeKind::F32:
    case ac::TypeKind::Char:
    case ac::TypeKind::ErrorContext:
    case ac::TypeKind::Own:
    case ac::TypeKind::Borrow:
    case ac::TypeKind::Stream:
    case ac::TypeKind::Future: return 4;
    case ac::TypeKind::S64:
    case ac::TypeKind::U64:
    case ac::TypeKind::F64: return 8;
    case ac::TypeKind::String:
    case ac::TypeKind::List: return 4;  // ptr_size of a 32-bit memory
    case ac::TypeKind::FixedList: return alignment(t->elems[0]);
    case ac::TypeKind::Record:
    case ac::TypeKind::Tuple: {
      uint32_t a = 1;
      for (size_t i = 0, n = field_count(t); i < n; ++i)
        a = std::max(a, alignment(field_type(t, i)));
      return a;
    }
    case ac::TypeKind::Variant:
    case ac::TypeKind::Enum:
    case ac::TypeKind::Option:
    case ac::TypeKind::Result:
      return std::max(discriminant_size(case_count(t)), max_case_alignment(t));
    case ac::TypeKind::Flags: {
      uint32_t s = flags_size(t->names.size());
      return s == 0 ? 1 : std::min<uint32_t>(s, 4);
    }
  }
  return 1;
}

uint32_t compute_elem_size(const ac::Type& t) {
  switch (t.kind()) {
    case ac::TypeKind::String:
    case ac::TypeKind::List: return 8;
    case ac::TypeKind::FixedList: return t->length * elem_size(t->elems[0]);
    case ac::TypeKind::Record:
    case ac::TypeKind::Tuple: {
      uint64_t s = 0;
      for (size_t i = 0, n = field_count(t); i < n; ++i) {
        const ac::Type& f = field_type(t, i);
        s = align_to(s, alignment(f)) + elem_size(f);
      }
      return static_cast<uint32_t>(align_to(s, compute_alignment(t)));
    }
    case ac::TypeKind::Variant:
    case ac::TypeKind::Enum:
    case ac::TypeKind::Option:
    case ac::TypeKind::Result: {
      uint64_t s = align_to(discriminant_size(case_count(t)), max_case_alignment(t));
      uint32_t cs = 0;
      for (size_t i = 0, n = case_count(t); i < n; ++i)
        if (ac::Type p = case_payload(t, i)) cs = std::max(cs, elem_size(p));
      return static_cast<uint32_t>(align_to(s + cs, compute_alignment(t)));
    }
    case ac::TypeKind::Flags: return flags_size(t->names.size());
    default: return compute_alignment(t);  // scalars and handles: size == alignment
  }
}

api::ValType join(api::ValType a, api::ValType b) {
  using api::ValType;
  if (a == b) return a;
  if ((a == ValType::I32 && b == ValType::F32) || (a == ValType::F32 && b == ValType::I32))
    return ValType::I32;
  return ValType::I64;
}

void compute_flat(const ac::Type& t, std::vector<api::ValType>* out) {
  using api::ValType;
  switch (t.kind()) {
    case ac::TypeKind::S64:
    case ac::TypeKind::U64: out->push_back(ValType::I64); return;
    case ac::TypeKind::F32: out->push_back(ValType::F32); return;
    case ac::TypeKind::F64: out->push_back(ValType::F64); return;
    case ac::TypeKind::String:
    case ac::TypeKind::List: out->insert(out->end(), {ValType::I32, ValType::I32}); return;
    case ac::TypeKind::FixedList:
    case ac::TypeKind::Record:
    case ac::TypeKind::Tuple:
      for (size_t i = 0, n = field_count(t); i < n; ++i) flatten_type(field_type(t, i), out);
      return;
    case ac::TypeKind::Variant:
    case ac::TypeKind::Enum:
    case ac::TypeKind::Option:
    case ac::TypeKind::Result: {
      // Every case's payload flattening is joined slot by slot, so all cases travel in the
      // same core types after the i32 discriminant.
      std::vector<ValType> flat, c;
      for (size_t i = 0, n = case_count(t); i < n; ++i) {
        ac::Type p = case_payload(t, i);
        if (!p) continue;
        c.clear();
        flatten_type(p, &c);
        for (size_t j = 0; j < c.size(); ++j) {
          if (j < flat.size()) {
            flat[j] = join(flat[j], c[j]);
          } else {
            flat.push_back(c[j]);
          }
        }
      }
      out->push_back(ValType::I32);
      out->insert(out->end(), flat.begin(), flat.end());
      return;
    }
    case ac::TypeKind::Flags:
      out->insert(out->end(), flags_flat_count(t->names.size()), ValType::I32);
      return;
    default: out->push_back(ValType::I32); return;
  }
}

}  // namespace

// Computed once per type node (a lift or lower asks for the same types on every call, and a
// serving host instantiates per request).
const ac::detail::TypeLayout& layout_of(const ac::Type& t) {
  using ac::detail::TypeLayout;
  std::atomic<const TypeLayout*>& slot = t->layout_slot.layout;
  if (const TypeLayout* l = slot.load(std::memory_order_acquire)) return *l;
  auto* fresh = new TypeLayout;
  fresh->align = compute_alignment(t);
  fresh->size = compute_elem_size(t);
  compute_flat(t, &fresh->flat);
  const TypeLayout* expected = nullptr;
  if (slot.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;  // another thread filled the slot first
  return *expected;
}

uint32_t alignment(const ac::Type& t) { return layout_of(t).align; }

uint32_t elem_size(const ac::Type& t) { return layout_of(t).size; }

void flatten_type(const ac::Type& t, std::vector<api::ValType>* out) {
  const std::vector<api::ValType>& flat = layout_of(t).flat;
  out->insert(out->end(), flat.begin(), flat.end());
}

CoreSignature flatten_functype(const ac::FuncType& t, FlattenFor context, CallAbi abi) {
  CoreSignature sig;
  for (const ac::Field& p : t.params) flatten_type(p.type, &sig.params);
  if (t.result) flatten_type(t.result, &sig.results);
  if (abi == CallAbi::Sync) {
    if (sig.params.size() > kMaxFlatParams) sig.params = {api::ValType::I32};
    if (sig.results.size() > kMaxFlatResults) {
      if (context == FlattenFor::Lift) {
        sig.results = {api::ValType::I32};
      } else {
        sig.params.push_back(api::ValType::I32);
        sig.results.clear();
      }
    }
    return sig;
  }
  // Async: a lifted callee returns its value through task.return (nothing, or the callback
  // status code); a lowered caller gets a subtask status and passes a result pointer.
  if (context == FlattenFor::Lift) {
    if (sig.params.size() > kMaxFlatParams) sig.params = {api::ValType::I32};
    sig.results.clear();
    if (abi == CallAbi::AsyncCallback) sig.results = {api::ValType::I32};
  } else {
    if (sig.params.size() > kMaxFlatAsyncParams) sig.params = {api::ValType::I32};
    if (!sig.results.empty()) sig.params.push_back(api::ValType::I32);
    sig.results = {api::ValType::I32};
  }
  return sig;
}

}  // namespace hull::component

namespace hull::api::component::detail {

TypeLayoutSlot::~TypeLayoutSlot() { delete layout.load(std::memory_order_relaxed); }

}  // namespace hull::api::component::detail
