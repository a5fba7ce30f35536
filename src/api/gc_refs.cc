// The host's view inside GC objects: struct fields, array elements, what a reference is.
#include <cstring>

#include "api/internal.h"
#include "runtime/exception.h"
#include "runtime/gc_heap.h"
#include "runtime/type_registry.h"

namespace hull::api {

using namespace detail;

namespace {

// The object `ref` designates if it is a live GC object of kind `kind` in `st`.
Result<GcObject*> object_of(const hull::Store& st, const Val& ref, RefObjectKind kind) {
  const char* what = kind == RefObjectKind::Struct ? "struct" : "array";
  const RefBits r = ref.ref_bits();
  if (ref.type() != ValType::AnyRef && ref.type() != ValType::ExternRef)
    return Error(ErrorKind::Usage, std::string("not a reference of the any hierarchy (") +
                                       to_string(ref.type()) + ")");
  if (r == 0) return Error(ErrorKind::Usage, std::string("null ") + what + " reference");
  if (is_i31(r) || !st.gc.contains(reinterpret_cast<const void*>(r)) || ref_object_kind(r) != kind)
    return Error(ErrorKind::Usage,
                 std::string(kind == RefObjectKind::Struct ? "not a " : "not an ") + what +
                     " of this store");
  return reinterpret_cast<GcObject*>(r);
}

// Reads a field or element stored at `p` as a Val of the field's type (packed: i32, zero-extended).
Val load(const FieldType& f, const uint8_t* p) {
  uint64_t slots[2] = {0, 0};
  switch (f.packed) {
    case Packed::I8: return Val(static_cast<uint32_t>(p[0]));
    case Packed::I16: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return Val(static_cast<uint32_t>(v));
    }
    case Packed::NotPacked: break;
  }
  const ValType t = to_api(f.type, nullptr);
  switch (f.type.kind) {
    case ValKind::I32:
    case ValKind::F32: std::memcpy(slots, p, 4); break;
    case ValKind::V128: std::memcpy(slots, p, 16); break;
    default: std::memcpy(slots, p, 8); break;
  }
  return Val::from_slots(t, slots);
}

// Checks `v` against field `f` (its api type, and references against the exact type), then
// stores it at `p`.
Result<void> store(const hull::Store& st, const FieldType& f, uint8_t* p, const Val& v) {
  const ValType want = f.packed == Packed::NotPacked ? to_api(f.type, nullptr) : ValType::I32;
  if (v.type() != want)
    return Error(ErrorKind::Usage, std::string("value is ") + to_string(v.type()) +
                                       ", the field is " + to_string(want));
  if (f.type.is_ref()) {
    if (auto why = check_ref(st, f.type, v.ref_bits()))
      return Error(ErrorKind::Usage, "value " + *why);
  }
  uint64_t slots[2] = {0, 0};
  v.to_slots(slots);
  switch (f.packed) {
    case Packed::I8: p[0] = static_cast<uint8_t>(slots[0]); return {};
    case Packed::I16: {
      const uint16_t x = static_cast<uint16_t>(slots[0]);
      std::memcpy(p, &x, 2);
      return {};
    }
    case Packed::NotPacked: break;
  }
  switch (f.type.kind) {
    case ValKind::I32:
    case ValKind::F32: std::memcpy(p, slots, 4); break;
    case ValKind::V128: std::memcpy(p, slots, 16); break;
    default: std::memcpy(p, slots, 8); break;
  }
  return {};
}

Error out_of_range(const char* what, uint32_t i, size_t n) {
  return Error(ErrorKind::Usage, std::string(what) + " " + std::to_string(i) +
                                     " is out of range (" + std::to_string(n) + ")");
}

// A struct field or array element: its type and where it is stored.
struct Place {
  const FieldType* field = nullptr;
  uint8_t* at = nullptr;
  bool array = false;
  uint32_t index = 0;
};

Result<Place> place_of(const hull::Store& st, const Val& ref, bool array, uint32_t index) {
  auto found = object_of(st, ref, array ? RefObjectKind::Array : RefObjectKind::Struct);
  if (!found) return std::move(found).error();
  GcObject* o = *found;
  const SubType& t = type_by_id(o->layout->type_id);
  if (array) {
    if (index >= o->length) return out_of_range("element", index, o->length);
    return Place{&t.fields[0], o->payload() + size_t(index) * o->layout->payload_size, true, index};
  }
  if (index >= t.fields.size()) return out_of_range("field", index, t.fields.size());
  return Place{&t.fields[index], o->payload() + o->layout->fields[index].offset, false, index};
}

// The value at `p`; a reference read is rooted for the host.
Val read(hull::Store& st, const Place& p) {
  Val v = load(*p.field, p.at);
  if (p.field->type.is_ref()) root_for_host(st, v.ref_bits());
  return v;
}

Result<void> write(const hull::Store& st, const Place& p, const Val& value) {
  if (!p.field->mut) {
    return Error(ErrorKind::Usage, p.array ? std::string("the array's elements are immutable")
                                           : "field " + std::to_string(p.index) + " is immutable");
  }
  return store(st, *p.field, p.at, value);
}

}  // namespace

Result<Val> Store::struct_get(const Val& ref, uint32_t field) {
  auto p = place_of(impl_->store, ref, false, field);
  if (!p) return std::move(p).error();
  return read(impl_->store, *p);
}

Result<void> Store::struct_set(const Val& ref, uint32_t field, const Val& value) {
  auto p = place_of(impl_->store, ref, false, field);
  if (!p) return std::move(p).error();
  return write(impl_->store, *p, value);
}

Result<uint32_t> Store::array_len(const Val& ref) const {
  auto found = object_of(impl_->store, ref, RefObjectKind::Array);
  if (!found) return std::move(found).error();
  return (*found)->length;
}

Result<Val> Store::array_get(const Val& ref, uint32_t index) {
  auto p = place_of(impl_->store, ref, true, index);
  if (!p) return std::move(p).error();
  return read(impl_->store, *p);
}

Result<void> Store::array_set(const Val& ref, uint32_t index, const Val& value) {
  auto p = place_of(impl_->store, ref, true, index);
  if (!p) return std::move(p).error();
  return write(impl_->store, *p, value);
}

Store::RefKind Store::ref_kind(const Val& ref) const {
  const hull::Store& st = impl_->store;
  const RefBits r = ref.ref_bits();
  switch (ref.type()) {
    case ValType::FuncRef: return r ? RefKind::Func : RefKind::Null;
    case ValType::ExnRef:
      if (!r) return RefKind::Null;
      return st.exceptions.contains(reinterpret_cast<const void*>(r)) ? RefKind::Exception
                                                                      : RefKind::Unknown;
    case ValType::AnyRef:
    case ValType::ExternRef: break;
    default: return RefKind::Unknown;  // not a reference
  }
  if (!r) return RefKind::Null;
  if (is_i31(r)) return RefKind::I31;
  if (!st.gc.contains(reinterpret_cast<const void*>(r))) return RefKind::Unknown;
  switch (ref_object_kind(r)) {
    case RefObjectKind::Struct: return RefKind::Struct;
    case RefObjectKind::Array: return RefKind::Array;
    case RefObjectKind::Host: return RefKind::Host;
  }
  return RefKind::Unknown;
}

}  // namespace hull::api
