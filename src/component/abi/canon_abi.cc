// Loading, storing, lifting and lowering component values (CanonicalABI.md "Loading",
// "Storing", "Flat Lifting", "Flat Lowering", "Lifting and Lowering Values").
//
// The spec's asserts on load/store (pointer aligned and in bounds) hold by construction inside
// a checked range; the entry points check them anyway, and every primitive access re-checks its
// bytes against the current memory size, so a wrong layout or a memory that shrank under us
// (which wasm cannot do, but a context might) is a trap and never a stray host access.
#include "component/abi/canon_abi.h"

#include <algorithm>
#include <cstring>

#include "component/abi/abi_internal.h"
#include "component/abi/strings.h"

namespace hull::component {

using namespace abi_detail;
using ac::TypeKind;

namespace {

constexpr uint32_t kCanonicalNan32 = 0x7fc00000;
constexpr uint64_t kCanonicalNan64 = 0x7ff8000000000000;

uint32_t canonicalize32(uint32_t bits) {
  bool nan = (bits & 0x7f800000) == 0x7f800000 && (bits & 0x007fffff) != 0;
  return nan ? kCanonicalNan32 : bits;
}
uint64_t canonicalize64(uint64_t bits) {
  bool nan = (bits & 0x7ff0000000000000) == 0x7ff0000000000000 && (bits & 0x000fffffffffffff);
  return nan ? kCanonicalNan64 : bits;
}

bool valid_char(uint64_t c) { return c < 0x110000 && !(c >= 0xD800 && c <= 0xDFFF); }

// ---- memory primitives ------------------------------------------------------------------------

Result<uint64_t> load_int(LiftLowerContext& cx, uint64_t ptr, uint32_t n) {
  if (!in_bounds(cx, ptr, n)) return out_of_bounds(cx, Site::Pointer);
  return read_le(cx.memory_data() + ptr, n);
}

Result<void> store_int(LiftLowerContext& cx, uint64_t v, uint64_t ptr, uint32_t n) {
  if (!in_bounds(cx, ptr, n)) return out_of_bounds(cx, Site::Pointer);
  write_le(cx.memory_data() + ptr, v, n);
  return {};
}

int64_t sign_extend(uint64_t v, uint32_t bits) {
  if (bits == 64) return static_cast<int64_t>(v);
  uint64_t m = uint64_t{1} << (bits - 1);
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

ac::Val int_val(TypeKind k, uint64_t raw) {
  switch (k) {
    case TypeKind::S8: return ac::Val::s8(static_cast<int8_t>(sign_extend(raw, 8)));
    case TypeKind::U8: return ac::Val::u8(static_cast<uint8_t>(raw));
    case TypeKind::S16: return ac::Val::s16(static_cast<int16_t>(sign_extend(raw, 16)));
    case TypeKind::U16: return ac::Val::u16(static_cast<uint16_t>(raw));
    case TypeKind::S32: return ac::Val::s32(static_cast<int32_t>(raw));
    case TypeKind::U32: return ac::Val::u32(static_cast<uint32_t>(raw));
    case TypeKind::S64: return ac::Val::s64(static_cast<int64_t>(raw));
    default: return ac::Val::u64(raw);
  }
}

uint32_t int_size(TypeKind k) {
  switch (k) {
    case TypeKind::S8:
    case TypeKind::U8: return 1;
    case TypeKind::S16:
    case TypeKind::U16: return 2;
    case TypeKind::S32:
    case TypeKind::U32: return 4;
    default: return 8;
  }
}

bool is_int(TypeKind k) { return k >= TypeKind::S8 && k <= TypeKind::U64; }

// ---- variant cases and flags ------------------------------------------------------------------

ac::Val make_case(const ac::Type& t, uint32_t index, std::optional<ac::Val> payload) {
  switch (t.kind()) {
    case TypeKind::Variant: return ac::Val::variant(t->fields[index].name, std::move(payload));
    case TypeKind::Enum: return ac::Val::enumeration(t->names[index]);
    case TypeKind::Option: return index == 0 ? ac::Val::none() : ac::Val::some(std::move(*payload));
    default: return index == 0 ? ac::Val::ok(std::move(payload)) : ac::Val::err(std::move(payload));
  }
}

// match_case: the case index of `v` in `t`, or -1 when `v` is not a value of `t`.
int64_t case_index(const ac::Type& t, const ac::Val& v) {
  if (v.kind() != t.kind()) return -1;
  int64_t index = -1;
  switch (t.kind()) {
    case TypeKind::Variant:
      for (size_t i = 0; i < t->fields.size(); ++i)
        if (t->fields[i].name == v.case_name()) index = static_cast<int64_t>(i);
      break;
    case TypeKind::Enum:
      for (size_t i = 0; i < t->names.size(); ++i)
        if (t->names[i] == v.case_name()) index = static_cast<int64_t>(i);
      return index;
    case TypeKind::Option: index = v.is_some() ? 1 : 0; break;
    default: index = v.is_ok() ? 0 : 1; break;
  }
  if (index < 0) return -1;
  // The payload must be present exactly when the case has a type.
  bool has_type = static_cast<bool>(case_payload(t, static_cast<size_t>(index)));
  return has_type == (v.payload() != nullptr) ? index : -1;
}

// unpack_flags_from_int over 32-bit chunks: bits beyond the labels are ignored.
void unpack_flags(const ac::Type& t, size_t chunk, uint32_t bits, std::vector<std::string>* set) {
  const auto& names = t->names;
  for (size_t b = 0; b < 32 && chunk * 32 + b < names.size(); ++b)
    if (bits & (uint32_t{1} << b)) set->push_back(names[chunk * 32 + b]);
}

Result<std::vector<uint32_t>> pack_flags(const ac::Type& t, const ac::Val& v) {
  if (v.kind() != TypeKind::Flags) return mismatch(t, v);
  std::vector<uint32_t> chunks(flags_flat_count(t->names.size()), 0);
  for (const std::string& f : v.names()) {
    size_t i = 0;
    while (i < t->names.size() && t->names[i] != f) ++i;
    if (i == t->names.size()) return mismatch(t, v);
    chunks[i / 32] |= uint32_t{1} << (i % 32);
  }
  return chunks;
}

// ---- loading ------------------------------------------------------------------------------------

Result<ac::Val> load_at(LiftLowerContext& cx, uint32_t ptr, const ac::Type& t);

// The host memory one lifted value of type `t` takes, not counting list and string contents
// (charged when they are loaded): a Val per node of the type that is stored inline.
uint64_t footprint(const ac::Type& t) {
  const ac::TypeNode& n = t.node();
  uint64_t nodes = 1;
  switch (n.kind) {
    case TypeKind::Record:
      for (const ac::Field& f : n.fields) nodes += footprint(f.type) / sizeof(ac::Val);
      break;
    case TypeKind::Tuple:
      for (const ac::Type& e : n.elems) nodes += footprint(e) / sizeof(ac::Val);
      break;
    case TypeKind::FixedList:
      nodes += uint64_t{n.length} * (footprint(n.elems[0]) / sizeof(ac::Val));
      break;
    case TypeKind::Variant:
    case TypeKind::Option:
    case TypeKind::Result: {
      uint64_t most = 0;
      for (const ac::Field& f : n.fields) {
        if (!f.type.empty()) most = std::max(most, footprint(f.type) / sizeof(ac::Val));
      }
      for (const ac::Type& e : n.elems) {
        if (!e.empty()) most = std::max(most, footprint(e) / sizeof(ac::Val));
      }
      if (!n.ok.empty()) most = std::max(most, footprint(n.ok) / sizeof(ac::Val));
      if (!n.err.empty()) most = std::max(most, footprint(n.err) / sizeof(ac::Val));
      nodes += most;
      break;
    }
    default: break;
  }
  return nodes * sizeof(ac::Val);
}

Result<ac::Val> load_list_from_range(LiftLowerContext& cx, uint32_t ptr, uint32_t length,
                                     const ac::Type& elem) {
  uint64_t size = elem_size(elem);
  uint64_t byte_length = uint64_t{length} * size;
  // Zero-size elements (which validation rejects) count as one byte, so a huge length of
  // them cannot make the host build billions of values.
  if (uint64_t{length} * std::max<uint64_t>(size, 1) > kMaxListByteLength)
    return out_of_bounds(cx, Site::List);
  uint32_t align = alignment(elem);
  if (ptr % align != 0) return unaligned(cx, Site::List, align);
  if (!in_bounds(cx, ptr, byte_length)) return out_of_bounds(cx, Site::List);
  // Each list is charged for its own Val too, so empty lists cannot be loaded for free.
  if (elem.kind() == TypeKind::U8) {
    // list<u8>: the bytes as they are, one Val for the whole list.
    if (auto r = cx.charge(sizeof(ac::Val) + length); !r) return std::move(r).error();
    return ac::Val::bytes(
        std::string(reinterpret_cast<const char*>(cx.memory_data() + ptr), length));
  }
  auto [it, fresh] = cx.footprints.try_emplace(elem.ptr().get(), 0);
  if (fresh) it->second = footprint(elem);
  if (auto r = cx.charge(sizeof(ac::Val) + uint64_t{length} * it->second); !r)
    return std::move(r).error();
  std::vector<ac::Val> items;
  items.reserve(length);
  for (uint32_t i = 0; i < length; ++i) {
    Result<ac::Val> e = load_at(cx, static_cast<uint32_t>(ptr + i * size), elem);
    if (!e) return std::move(e).error();
    items.push_back(std::move(*e));
  }
  return ac::Val::list(std::move(items));
}

Result<std::vector<ac::Val>> load_fields(LiftLowerContext& cx, uint32_t ptr, const ac::Type& t) {
  std::vector<ac::Val> items;
  size_t n = field_count(t);
  items.reserve(n);
  uint64_t at = ptr;
  for (size_t i = 0; i < n; ++i) {
    const ac::Type& f = field_type(t, i);
    at = align_to(at, alignment(f));
    Result<ac::Val> e = load_at(cx, static_cast<uint32_t>(at), f);
    if (!e) return std::move(e).error();
    items.push_back(std::move(*e));
    at += elem_size(f);
  }
  return items;
}

ac::Val record_val(const ac::Type& t, std::vector<ac::Val> items) {
  std::vector<std::pair<std::string, ac::Val>> fields;
  fields.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    fields.emplace_back(t->fields[i].name, std::move(items[i]));
  return ac::Val::record(std::move(fields));
}

Result<ac::Val> load_at(LiftLowerContext& cx, uint32_t ptr, const ac::Type& t) {
  TypeKind k = t.kind();
  if (is_int(k)) {
    Result<uint64_t> raw = load_int(cx, ptr, int_size(k));
    if (!raw) return std::move(raw).error();
    return int_val(k, *raw);
  }
  switch (k) {
    case TypeKind::Bool: {
      Result<uint64_t> raw = load_int(cx, ptr, 1);
      if (!raw) return std::move(raw).error();
      return ac::Val::boolean(*raw != 0);
    }
    case TypeKind::F32: {
      Result<uint64_t> raw = load_int(cx, ptr, 4);
      if (!raw) return std::move(raw).error();
      return ac::Val::f32_bits(canonicalize32(static_cast<uint32_t>(*raw)));
    }
    case TypeKind::F64: {
      Result<uint64_t> raw = load_int(cx, ptr, 8);
      if (!raw) return std::move(raw).error();
      return ac::Val::f64_bits(canonicalize64(*raw));
    }
    case TypeKind::Char: {
      Result<uint64_t> raw = load_int(cx, ptr, 4);
      if (!raw) return std::move(raw).error();
      if (!valid_char(*raw)) return bad_char(static_cast<uint32_t>(*raw));
      return ac::Val::character(static_cast<char32_t>(*raw));
    }
    case TypeKind::String:
    case TypeKind::List: {
      Result<uint64_t> begin = load_int(cx, ptr, 4);
      if (!begin) return std::move(begin).error();
      Result<uint64_t> length = load_int(cx, uint64_t{ptr} + 4, 4);
      if (!length) return std::move(length).error();
      auto b = static_cast<uint32_t>(*begin);
      auto l = static_cast<uint32_t>(*length);
      if (k == TypeKind::String) return load_string_from_range(cx, b, l);
      return load_list_from_range(cx, b, l, t->elems[0]);
    }
    case TypeKind::FixedList:
    case TypeKind::Tuple:
    case TypeKind::Record: {
      Result<std::vector<ac::Val>> items = load_fields(cx, ptr, t);
      if (!items) return std::move(items).error();
      if (k == TypeKind::Record) return record_val(t, std::move(*items));
      if (k == TypeKind::Tuple) return ac::Val::tuple(std::move(*items));
      return ac::Val::fixed_list(std::move(*items));
    }
    case TypeKind::Variant:
    case TypeKind::Enum:
    case TypeKind::Option:
    case TypeKind::Result: {
      size_t n = case_count(t);
      uint32_t disc_size = discriminant_size(n);
      Result<uint64_t> index = load_int(cx, ptr, disc_size);
      if (!index) return std::move(index).error();
      if (*index >= n) return bad_discriminant(cx, static_cast<uint32_t>(*index), n);
      auto i = static_cast<uint32_t>(*index);
      ac::Type p = case_payload(t, i);
      if (!p) return make_case(t, i, std::nullopt);
      uint64_t at = align_to(uint64_t{ptr} + disc_size, max_case_alignment(t));
      Result<ac::Val> payload = load_at(cx, static_cast<uint32_t>(at), p);
      if (!payload) return std::move(payload).error();
      return make_case(t, i, std::move(*payload));
    }
    case TypeKind::Flags: {
      std::vector<std::string> set;
      size_t labels = t->names.size();
      uint32_t size = flags_size(labels);
      uint32_t chunk_size = size < 4 ? size : 4;
      for (size_t c = 0; c < flags_flat_count(labels); ++c) {
        Result<uint64_t> bits = load_int(cx, uint64_t{ptr} + 4 * c, chunk_size);
        if (!bits) return std::move(bits).error();
        unpack_flags(t, c, static_cast<uint32_t>(*bits), &set);
      }
      return ac::Val::flags(std::move(set));
    }
    case TypeKind::Own:
    case TypeKind::Borrow: {
      Result<uint64_t> index = load_int(cx, ptr, 4);
      if (!index) return std::move(index).error();
      Result<ac::ResourceAny> r = k == TypeKind::Own
                                      ? cx.lift_own(static_cast<uint32_t>(*index), t->resource)
                                      : cx.lift_borrow(static_cast<uint32_t>(*index), t->resource);
      if (!r) return std::move(r).error();
      return ac::Val::resource(*r);
    }
    default: return unsupported(t);
  }
}

// ---- storing ------------------------------------------------------------------------------------

Result<void> store_at(LiftLowerContext& cx, const ac::Val& v, const ac::Type& t, uint32_t ptr);

Result<std::pair<uint32_t, uint32_t>> store_list_into_range(LiftLowerContext& cx, const ac::Val& v,
                                                            const ac::Type& elem) {
  if (v.is_bytes()) {
    if (elem.kind() != TypeKind::U8) return mismatch(ac::list_type(elem), v);
    uint64_t n = v.bytes().size();
    if (n > UINT32_MAX) {
      if (cx.wording == TrapWording::Adapter) return out_of_bounds(cx, Site::ReallocList);
      return abi_trap("size overflow copying a list");
    }
    Result<uint32_t> ptr =
        checked_realloc(cx, 0, 0, 1, static_cast<uint32_t>(n), Site::ReallocList);
    if (!ptr) return std::move(ptr).error();
    if (n) std::memcpy(cx.memory_data() + *ptr, v.bytes().data(), n);
    return std::pair<uint32_t, uint32_t>{*ptr, static_cast<uint32_t>(n)};
  }
  uint64_t size = elem_size(elem);
  uint64_t byte_length = v.items().size() * size;
  if (byte_length > UINT32_MAX) {
    if (cx.wording == TrapWording::Adapter) return out_of_bounds(cx, Site::ReallocList);
    return abi_trap("size overflow copying a list");
  }
  uint32_t align = alignment(elem);
  Result<uint32_t> ptr =
      checked_realloc(cx, 0, 0, align, static_cast<uint32_t>(byte_length), Site::ReallocList);
  if (!ptr) return std::move(ptr).error();
  for (size_t i = 0; i < v.items().size(); ++i) {
    Result<void> r = store_at(cx, v.items()[i], elem, static_cast<uint32_t>(*ptr + i * size));
    if (!r) return std::move(r).error();
  }
  return std::pair<uint32_t, uint32_t>{*ptr, static_cast<uint32_t>(v.items().size())};
}

Result<void> store_fields(LiftLowerContext& cx, const ac::Val& v, const ac::Type& t, uint32_t ptr) {
  size_t n = field_count(t);
  if (v.items().size() != n) return mismatch(t, v);
  if (t.kind() == TypeKind::Record) {
    if (v.names().size() != n) return mismatch(t, v);
    for (size_t i = 0; i < n; ++i)
      if (v.names()[i] != t->fields[i].name) return mismatch(t, v);
  }
  uint64_t at = ptr;
  for (size_t i = 0; i < n; ++i) {
    const ac::Type& f = field_type(t, i);
    at = align_to(at, alignment(f));
    Result<void> r = store_at(cx, v.items()[i], f, static_cast<uint32_t>(at));
    if (!r) return r;
    at += elem_size(f);
  }
  return {};
}

Result<void> store_at(LiftLowerContext& cx, const ac::Val& v, const ac::Type& t, uint32_t ptr) {
  TypeKind k = t.kind();
  bool same = v.kind() == k || (k == TypeKind::Borrow && v.kind() == TypeKind::Own);
  if (!same) return mismatch(t, v);
  if (is_int(k)) return store_int(cx, v.as_u64(), ptr, int_size(k));
  switch (k) {
    case TypeKind::Bool: return store_int(cx, v.as_bool() ? 1 : 0, ptr, 1);
    // maybe_scramble_nan: the host may pick any NaN; the canonical one keeps runs deterministic.
    case TypeKind::F32:
      return store_int(cx, canonicalize32(static_cast<uint32_t>(v.as_u64())), ptr, 4);
    case TypeKind::F64: return store_int(cx, canonicalize64(v.as_u64()), ptr, 8);
    case TypeKind::Char:
      if (!valid_char(v.as_u64())) return mismatch(t, v);
      return store_int(cx, v.as_u64(), ptr, 4);
    case TypeKind::String:
    case TypeKind::List: {
      Result<std::pair<uint32_t, uint32_t>> range = k == TypeKind::String
                                                        ? store_string_into_range(cx, v)
                                                        : store_list_into_range(cx, v, t->elems[0]);
      if (!range) return std::move(range).error();
      Result<void> r = store_int(cx, range->first, ptr, 4);
      if (!r) return r;
      return store_int(cx, range->second, uint64_t{ptr} + 4, 4);
    }
    case TypeKind::FixedList:
    case TypeKind::Tuple:
    case TypeKind::Record: return store_fields(cx, v, t, ptr);
    case TypeKind::Variant:
    case TypeKind::Enum:
    case TypeKind::Option:
    case TypeKind::Result: {
      int64_t index = case_index(t, v);
      if (index < 0) return mismatch(t, v);
      uint32_t disc_size = discriminant_size(case_count(t));
      Result<void> r = store_int(cx, static_cast<uint64_t>(index), ptr, disc_size);
      if (!r) return r;
      ac::Type p = case_payload(t, static_cast<size_t>(index));
      if (!p) return {};
      uint64_t at = align_to(uint64_t{ptr} + disc_size, max_case_alignment(t));
      return store_at(cx, *v.payload(), p, static_cast<uint32_t>(at));
    }
    case TypeKind::Flags: {
      Result<std::vector<uint32_t>> chunks = pack_flags(t, v);
      if (!chunks) return std::move(chunks).error();
      uint32_t size = flags_size(t->names.size());
      uint32_t chunk_size = size < 4 ? size : 4;
      for (size_t c = 0; c < chunks->size(); ++c) {
        Result<void> r = store_int(cx, (*chunks)[c], uint64_t{ptr} + 4 * c, chunk_size);
        if (!r) return r;
      }
      return {};
    }
    case TypeKind::Own:
    case TypeKind::Borrow: {
      Result<uint32_t> index = k == TypeKind::Own ? cx.lower_own(v.as_resource(), t->resource)
                                                  : cx.lower_borrow(v.as_resource(), t->resource);
      if (!index) return std::move(index).error();
      return store_int(cx, *index, ptr, 4);
    }
    default: return unsupported(t);
  }
}

// ---- flat lifting -------------------------------------------------------------------------------

// CoreValueIter over the raw bits of core values. `want` is the type the flattening expects
// in this slot; a value of another core type means the caller broke the core signature.
class CoreValues {
 public:
  explicit CoreValues(std::span<const api::Val> vs) : vs_(vs) {}
  Result<uint64_t> next(api::ValType want) {
    if (i_ >= vs_.size() || vs_[i_].type() != want)
      return api::Error(api::ErrorKind::Usage,
                        "canonical ABI: core values do not match the flattened type");
    uint64_t slots[2];
    vs_[i_++].to_slots(slots);
    if (want == api::ValType::I32 || want == api::ValType::F32) return slots[0] & 0xffffffffu;
    return slots[0];
  }
  bool done() const { return i_ == vs_.size(); }

 private:
  std::span<const api::Val> vs_;
  size_t i_ = 0;
};

// lift_flat_variant's CoerceValueIter: a variant's payload reads through the variant's joined
// slot types (`have`) and reinterprets each slot as the type the payload wants. Readers chain,
// so a variant nested in a payload coerces twice, as the spec's nested iterators do.
struct FlatReader {
  CoreValues* core = nullptr;
  FlatReader* parent = nullptr;
  const std::vector<api::ValType>* have = nullptr;
  size_t pos = 0;

  Result<uint64_t> from_source(api::ValType t) { return parent ? parent->next(t) : core->next(t); }

  Result<uint64_t> next(api::ValType want) {
    if (!have) return from_source(want);
    if (pos >= have->size())
      return api::Error(api::ErrorKind::Usage, "canonical ABI: variant payload overran its slots");
    api::ValType h = (*have)[pos++];
    Result<uint64_t> x = from_source(h);
    if (!x) return x;
    // i64 -> i32 / f32 wraps; i32 -> f32 and i64 -> f64 reinterpret the same bits.
    if (h == api::ValType::I64 && (want == api::ValType::I32 || want == api::ValType::F32))
      return *x & 0xffffffffu;
    return *x;
  }
};

Result<ac::Val> lift_flat(LiftLowerContext& cx, FlatReader& vi, const ac::Type& t);

Result<ac::Val> lift_flat_variant(LiftLowerContext& cx, FlatReader& vi, const ac::Type& t) {
  // The variant's flat form (cached on its type node): the discriminant, then the payload
  // slots, which the payload reader walks from position 1.
  const std::vector<api::ValType>& flat = layout_of(t).flat;
  Result<uint64_t> index = vi.next(api::ValType::I32);
  if (!index) return std::move(index).error();
  size_t n = case_count(t);
  if (*index >= n) return bad_discriminant(cx, static_cast<uint32_t>(*index), n);
  auto i = static_cast<uint32_t>(*index);
  FlatReader payload_reader{nullptr, &vi, &flat, 1};
  std::optional<ac::Val> payload;
  if (ac::Type p = case_payload(t, i)) {
    Result<ac::Val> x = lift_flat(cx, payload_reader, p);
    if (!x) return std::move(x).error();
    payload = std::move(*x);
  }
  // The slots this case does not use are still consumed.
  for (size_t s = payload_reader.pos; s < flat.size(); ++s) {
    Result<uint64_t> skip = vi.next(flat[s]);
    if (!skip) return std::move(skip).error();
  }
  return make_case(t, i, std::move(payload));
}

Result<ac::Val> lift_flat(LiftLowerContext& cx, FlatReader& vi, const ac::Type& t) {
  using api::ValType;
  TypeKind k = t.kind();
  if (is_int(k)) {
    bool wide = k == TypeKind::S64 || k == TypeKind::U64;
    Result<uint64_t> x = vi.next(wide ? ValType::I64 : ValType::I32);
    if (!x) return std::move(x).error();
    return int_val(k, *x);  // narrower types ignore the high bits, like load_int
  }
  switch (k) {
    case TypeKind::Bool: {
      Result<uint64_t> x = vi.next(ValType::I32);
      if (!x) return std::move(x).error();
      return ac::Val::boolean(*x != 0);
    }
    case TypeKind::F32: {
      Result<uint64_t> x = vi.next(ValType::F32);
      if (!x) return std::move(x).error();
      return ac::Val::f32_bits(canonicalize32(static_cast<uint32_t>(*x)));
    }
    case TypeKind::F64: {
      Result<uint64_t> x = vi.next(ValType::F64);
      if (!x) return std::move(x).error();
      return ac::Val::f64_bits(canonicalize64(*x));
    }
    case TypeKind::Char: {
      Result<uint64_t> x = vi.next(ValType::I32);
      if (!x) return std::move(x).error();
      if (!valid_char(*x)) return bad_char(static_cast<uint32_t>(*x));
      return ac::Val::character(static_cast<char32_t>(*x));
    }
    case TypeKind::String:
    case TypeKind::List: {
      Result<uint64_t> ptr = vi.next(ValType::I32);
      if (!ptr) return std::move(ptr).error();
      Result<uint64_t> len = vi.next(ValType::I32);
      if (!len) return std::move(len).error();
      auto p = static_cast<uint32_t>(*ptr);
      auto l = static_cast<uint32_t>(*len);
      if (k == TypeKind::String) return load_string_from_range(cx, p, l);
      return load_list_from_range(cx, p, l, t->elems[0]);
    }
    case TypeKind::FixedList:
    case TypeKind::Tuple:
    case TypeKind::Record: {
      std::vector<ac::Val> items;
      for (size_t i = 0, n = field_count(t); i < n; ++i) {
        Result<ac::Val> x = lift_flat(cx, vi, field_type(t, i));
        if (!x) return std::move(x).error();
        items.push_back(std::move(*x));
      }
      if (k == TypeKind::Record) return record_val(t, std::move(items));
      if (k == TypeKind::Tuple) return ac::Val::tuple(std::move(items));
      return ac::Val::fixed_list(std::move(items));
    }
    case TypeKind::Variant:
    case TypeKind::Enum:
    case TypeKind::Option:
    case TypeKind::Result: return lift_flat_variant(cx, vi, t);
    case TypeKind::Flags: {
      std::vector<std::string> set;
      for (size_t c = 0; c < flags_flat_count(t->names.size()); ++c) {
        Result<uint64_t> x = vi.next(ValType::I32);
        if (!x) return std::move(x).error();
        unpack_flags(t, c, static_cast<uint32_t>(*x), &set);
      }
      return ac::Val::flags(std::move(set));
    }
    case TypeKind::Own:
    case TypeKind::Borrow: {
      Result<uint64_t> x = vi.next(ValType::I32);
      if (!x) return std::move(x).error();
      auto index = static_cast<uint32_t>(*x);
      Result<ac::ResourceAny> r =
          k == TypeKind::Own ? cx.lift_own(index, t->resource) : cx.lift_borrow(index, t->resource);
      if (!r) return std::move(r).error();
      return ac::Val::resource(*r);
    }
    default: return unsupported(t);
  }
}

// ---- flat lowering ------------------------------------------------------------------------------

api::Val core_val(api::ValType t, uint64_t bits) {
  uint64_t slots[2] = {bits, 0};
  return api::Val::from_slots(t, slots);
}

struct FlatOut {
  std::vector<api::ValType> types;  // the flat type of each value pushed, before any coercion
  std::vector<uint64_t> bits;
  void push(api::ValType t, uint64_t b) {
    types.push_back(t);
    bits.push_back(b);
  }
};

Result<void> lower_flat(LiftLowerContext& cx, const ac::Val& v, const ac::Type& t, FlatOut* out) {
  using api::ValType;
  TypeKind k = t.kind();
  bool same = v.kind() == k || (k == TypeKind::Borrow && v.kind() == TypeKind::Own);
  if (!same) return mismatch(t, v);
  if (is_int(k)) {
    bool wide = k == TypeKind::S64 || k == TypeKind::U64;
    // lower_flat_signed: two's complement in the core width.
    uint64_t bits = wide ? v.as_u64() : (v.as_u64() & 0xffffffffu);
    out->push(wide ? ValType::I64 : ValType::I32, bits);
    return {};
  }
  switch (k) {
    case TypeKind::Bool: out->push(ValType::I32, v.as_bool() ? 1 : 0); return {};
    case TypeKind::F32:
      out->push(ValType::F32, canonicalize32(static_cast<uint32_t>(v.as_u64())));
      return {};
    case TypeKind::F64: out->push(ValType::F64, canonicalize64(v.as_u64())); return {};
    case TypeKind::Char:
      if (!valid_char(v.as_u64())) return mismatch(t, v);
      out->push(ValType::I32, v.as_u64());
      return {};
    case TypeKind::String:
    case TypeKind::List: {
      Result<std::pair<uint32_t, uint32_t>> range = k == TypeKind::String
                                                        ? store_string_into_range(cx, v)
                                                        : store_list_into_range(cx, v, t->elems[0]);
      if (!range) return std::move(range).error();
      out->push(ValType::I32, range->first);
      out->push(ValType::I32, range->second);
      return {};
    }
    case TypeKind::FixedList:
    case TypeKind::Tuple:
    case TypeKind::Record: {
      size_t n = field_count(t);
      if (v.items().size() != n) return mismatch(t, v);
      for (size_t i = 0; i < n; ++i) {
        if (k == TypeKind::Record && (i >= v.names().size() || v.names()[i] != t->fields[i].name))
          return mismatch(t, v);
        Result<void> r = lower_flat(cx, v.items()[i], field_type(t, i), out);
        if (!r) return r;
      }
      return {};
    }
    case TypeKind::Variant:
    case TypeKind::Enum:
    case TypeKind::Option:
    case TypeKind::Result: {
      int64_t index = case_index(t, v);
      if (index < 0) return mismatch(t, v);
      const std::vector<ValType>& flat = layout_of(t).flat;
      out->push(ValType::I32, static_cast<uint64_t>(index));
      FlatOut payload;
      if (ac::Type p = case_payload(t, static_cast<size_t>(index))) {
        Result<void> r = lower_flat(cx, *v.payload(), p, &payload);
        if (!r) return r;
      }
      // lower_flat_variant: each payload value takes its slot's joined type (f32 bits as i32,
      // i32/f32 bits zero-extended, f64 bits as i64); unused slots are zero.
      for (size_t s = 1; s < flat.size(); ++s) {
        uint64_t bits = s - 1 < payload.bits.size() ? payload.bits[s - 1] : 0;
        out->push(flat[s], bits);
      }
      return {};
    }
    case TypeKind::Flags: {
      Result<std::vector<uint32_t>> chunks = pack_flags(t, v);
      if (!chunks) return std::move(chunks).error();
      for (uint32_t c : *chunks) out->push(ValType::I32, c);
      return {};
    }
    case TypeKind::Own:
    case TypeKind::Borrow: {
      Result<uint32_t> index = k == TypeKind::Own ? cx.lower_own(v.as_resource(), t->resource)
                                                  : cx.lower_borrow(v.as_resource(), t->resource);
      if (!index) return std::move(index).error();
      out->push(ValType::I32, *index);
      return {};
    }
    default: return unsupported(t);
  }
}

ac::Type tuple_of(std::span<const ac::Type> types) {
  return ac::tuple_type(std::vector<ac::Type>(types.begin(), types.end()));
}

size_t flat_count(std::span<const ac::Type> types) {
  size_t n = 0;
  for (const ac::Type& t : types) n += layout_of(t).flat.size();
  return n;
}

}  // namespace

// ---- entry points -------------------------------------------------------------------------------

Result<ac::Val> load(LiftLowerContext& cx, uint32_t ptr, const ac::Type& t) {
  uint32_t align = alignment(t);
  if (ptr % align != 0) return unaligned(cx, Site::Pointer, align);
  if (!in_bounds(cx, ptr, elem_size(t))) return out_of_bounds(cx, Site::Pointer);
  return load_at(cx, ptr, t);
}

Result<void> store(LiftLowerContext& cx, const ac::Val& v, const ac::Type& t, uint32_t ptr) {
  uint32_t align = alignment(t);
  if (ptr % align != 0) return unaligned(cx, Site::Pointer, align);
  if (!in_bounds(cx, ptr, elem_size(t))) return out_of_bounds(cx, Site::Pointer);
  return store_at(cx, v, t, ptr);
}

Result<std::vector<ac::Val>> lift_flat_values(LiftLowerContext& cx, size_t max_flat,
                                              std::span<const api::Val> flat,
                                              std::span<const ac::Type> types) {
  CoreValues core(flat);
  std::vector<ac::Val> out;
  if (flat_count(types) > max_flat) {
    // Spilled: one i32 pointer to a tuple of the values. Results come back to the host from a
    // guest's export; params come from a guest calling the host.
    Site site = max_flat == kMaxFlatResults ? Site::ReturnPtr : Site::ParamPtr;
    Result<uint64_t> ptr = core.next(api::ValType::I32);
    if (!ptr) return std::move(ptr).error();
    ac::Type tuple = tuple_of(types);
    uint32_t align = alignment(tuple);
    if (*ptr % align != 0) return unaligned(cx, site, align);
    if (!in_bounds(cx, *ptr, elem_size(tuple))) return out_of_bounds(cx, site);
    Result<std::vector<ac::Val>> items = load_fields(cx, static_cast<uint32_t>(*ptr), tuple);
    if (!items) return std::move(items).error();
    out = std::move(*items);
  } else {
    out.reserve(types.size());
    FlatReader vi{&core, nullptr, nullptr, 0};
    for (const ac::Type& t : types) {
      Result<ac::Val> v = lift_flat(cx, vi, t);
      if (!v) return std::move(v).error();
      out.push_back(std::move(*v));
    }
  }
  if (!core.done()) return api::Error(api::ErrorKind::Usage, "canonical ABI: too many core values");
  return out;
}

Result<std::vector<api::Val>> lower_flat_values(LiftLowerContext& cx, size_t max_flat,
                                                std::span<const ac::Val> vals,
                                                std::span<const ac::Type> types,
                                                const uint32_t* out_ptr) {
  if (vals.size() != types.size())
    return api::Error(api::ErrorKind::Usage, "canonical ABI: expected " +
                                                 std::to_string(types.size()) + " values, got " +
                                                 std::to_string(vals.size()));
  std::vector<api::Val> flat;
  if (flat_count(types) > max_flat) {
    // A tuple of one value is laid out as the value: skip building a tuple type (whose layout
    // would be computed afresh on every call), the common case of spilled results.
    uint32_t align, size;
    if (types.size() == 1) {
      align = alignment(types[0]);
      size = elem_size(types[0]);
    } else {
      ac::Type tuple = tuple_of(types);
      align = alignment(tuple);
      size = elem_size(tuple);
    }
    uint32_t ptr;
    if (out_ptr == nullptr) {
      Result<uint32_t> p = checked_realloc(cx, 0, 0, align, size, Site::ReallocOther);
      if (!p) return std::move(p).error();
      ptr = *p;
      flat.push_back(api::Val(ptr));
    } else {
      ptr = *out_ptr;
      if (ptr % align != 0) return unaligned(cx, Site::ParamPtr, align);
      if (!in_bounds(cx, ptr, size)) return out_of_bounds(cx, Site::ParamPtr);
    }
    uint64_t at = ptr;
    for (size_t i = 0; i < vals.size(); ++i) {
      at = align_to(at, alignment(types[i]));
      Result<void> r = store_at(cx, vals[i], types[i], static_cast<uint32_t>(at));
      if (!r) return std::move(r).error();
      at += elem_size(types[i]);
    }
    return flat;
  }
  FlatOut out;
  for (size_t i = 0; i < vals.size(); ++i) {
    Result<void> r = lower_flat(cx, vals[i], types[i], &out);
    if (!r) return std::move(r).error();
  }
  flat.reserve(out.bits.size());
  for (size_t i = 0; i < out.bits.size(); ++i) flat.push_back(core_val(out.types[i], out.bits[i]));
  return flat;
}

}  // namespace hull::component
