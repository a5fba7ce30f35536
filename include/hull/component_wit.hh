// Wit<T>: the C++ types that stand for WIT types, with their canonical ABI conversions (the
// typed calls on them are in component_typed.hh, which includes this header).
//
// Each Wit<T> has two sets of conversions:
//   * direct (the hot path): size()/align()/flat_count() of T's canonical ABI layout, and
//     lower/store (C++ value -> flat core values / guest memory) and lift/load (back), over a
//     raw::Context (component_raw.hh). TypedFunc::call of a synchronous export and a typed_host
//     function called by a guest use only these: no Val is built.
//   * to_val/from_val over component Vals, for everything else (async exports, a host function
//     called through Func::call, a signature the import's type does not match exactly).
// The `const Type& t` the direct functions take is the component's type at that position: it
// names the resource of a handle (the C++ side, ResourceAny, does not).
//
//   bool, int8_t..uint64_t, float, double      bool, s8..u64, f32, f64
//   char32_t                                   char
//   std::string (std::string_view as a param)  string
//   std::vector<T>                             list<T>
//   std::optional<T>                           option<T>
//   std::tuple<Ts...>                          tuple<Ts...>
//   WitResult<T, E> (T or E may be void)       result<T, E>
//   a struct declared with HULL_WIT_RECORD     record { ... } (fields in declaration order)
//   ResourceAny                                own<R> / borrow<R> (checked at run time)
//   std::span<const T> (as a param only)       list<T> (borrowed: the caller keeps the items)
//   a struct with a `value` std::variant,      variant { ... } (one alternative per case, a
//     declared with detail::WitVariant         struct with a `value` member if it has a payload)
//   an enum class, with detail::WitEnum        enum { ... }
//   an enum class bitmask, detail::WitFlags    flags { ... } (bit i = the i-th flag)
//   a class derived from GuestHandle           own<R> of a guest's resource (move-only; dropping
//                                              it drops the handle)
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "hull/component.hh"
#include "hull/component_raw.hh"

namespace hull::api::component {

// result<T, E>: holds a T (ok) or an E (err). `void` for a side without payload.
template <class T, class E>
class WitResult {
  struct Unit {
    friend bool operator==(Unit, Unit) { return true; }
  };
  using OkT = std::conditional_t<std::is_void_v<T>, Unit, T>;
  using ErrT = std::conditional_t<std::is_void_v<E>, Unit, E>;

 public:
  WitResult() = default;  // ok, with a default payload (so results can be lifted into place)
  static WitResult ok(OkT v = {}) { return WitResult(std::in_place_index<0>, std::move(v)); }
  static WitResult err(ErrT e = {}) { return WitResult(std::in_place_index<1>, std::move(e)); }
  bool is_ok() const { return v_.index() == 0; }
  const OkT& value() const { return std::get<0>(v_); }
  const ErrT& error() const { return std::get<1>(v_); }
  friend bool operator==(const WitResult&, const WitResult&) = default;

 private:
  template <size_t I, class V>
  WitResult(std::in_place_index_t<I> i, V&& v) : v_(i, std::forward<V>(v)) {}
  std::variant<OkT, ErrT> v_;
};

// Wit<T>: the WIT type of T and conversions from and to Vals (specialized below).
template <class T, class = void>
struct Wit;

namespace detail {
template <class T>
using Bare = std::remove_cvref_t<T>;

inline Error mismatch(const char* want, const Val& got) {
  return Error(ErrorKind::Usage,
               std::string("expected a ") + want + " value, got " + to_string(got.kind()));
}

constexpr uint32_t align_to(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
// The discriminant of a variant-like type of `cases` cases: its size in bytes.
constexpr uint32_t discriminant_size(size_t cases) {
  return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4;
}
constexpr uint32_t canonical_f32(uint32_t bits) {
  return (bits & 0x7f800000) == 0x7f800000 && (bits & 0x007fffff) ? 0x7fc00000 : bits;
}
constexpr uint64_t canonical_f64(uint64_t bits) {
  return (bits & 0x7ff0000000000000) == 0x7ff0000000000000 && (bits & 0x000fffffffffffff)
             ? 0x7ff8000000000000
             : bits;
}
constexpr bool valid_char(uint32_t c) { return c < 0x110000 && !(c >= 0xD800 && c <= 0xDFFF); }
inline Error char_mismatch(uint32_t c) {
  return Error(ErrorKind::Usage, "canonical ABI: " + std::to_string(c) + " is not a char");
}
inline uint64_t read_uint(const uint8_t* p, uint32_t n) {
  switch (n) {
    case 1: return *p;
    case 2: return raw::read<uint16_t>(p);
    case 4: return raw::read<uint32_t>(p);
    default: return raw::read<uint64_t>(p);
  }
}
inline void write_uint(uint8_t* p, uint64_t v, uint32_t n) {
  switch (n) {
    case 1: *p = static_cast<uint8_t>(v); break;
    case 2: raw::write<uint16_t>(p, static_cast<uint16_t>(v)); break;
    case 4: raw::write<uint32_t>(p, static_cast<uint32_t>(v)); break;
    default: raw::write<uint64_t>(p, v); break;
  }
}

// A scalar of `Size` bytes that flattens to one core value: the direct conversions are the
// bits (`to_bits` / `from_bits`, the latter with its check).
template <class Derived, class T, uint32_t Size>
struct WitScalar {
  static constexpr uint32_t size() { return Size; }
  static constexpr uint32_t align() { return Size; }
  static constexpr uint32_t flat_count() { return 1; }
  static Result<void> lower(raw::Context&, const Type&, T v, raw::Flat*& out) {
    auto bits = Derived::to_bits(v);
    if (!bits) return std::move(bits).error();
    *out++ = *bits;
    return {};
  }
  static Result<void> store(raw::Context& cx, const Type&, T v, uint32_t ptr) {
    auto bits = Derived::to_bits(v);
    if (!bits) return std::move(bits).error();
    write_uint(cx.memory() + ptr, *bits, Size);
    return {};
  }
  static Result<T> lift(raw::Context& cx, const Type&, const raw::Flat*& in) {
    // A 32-bit value takes the low half of its slot (which may be a variant's joined i64).
    raw::Flat bits = *in++;
    return Derived::from_bits(cx, Size <= 4 ? bits & 0xffffffffu : bits);
  }
  static Result<T> load(raw::Context& cx, const Type&, uint32_t ptr) {
    return Derived::from_bits(cx, read_uint(cx.memory() + ptr, Size));
  }
};

template <class T, TypeKind K>
struct WitInt : WitScalar<WitInt<T, K>, T, sizeof(T)> {
  // lower_flat_signed: two's complement in the core width (i32 for the narrow types).
  static Result<uint64_t> to_bits(T v) {
    if constexpr (sizeof(T) == 8) return static_cast<uint64_t>(v);
    return static_cast<uint64_t>(static_cast<uint32_t>(static_cast<int64_t>(v)));
  }
  // Narrower types ignore the high bits, as load_int does.
  static Result<T> from_bits(raw::Context&, uint64_t bits) { return static_cast<T>(bits); }
  static Type type() { return Type::prim(K); }
  static Val to_val(T v) {
    if constexpr (K == TypeKind::S8) return Val::s8(v);
    if constexpr (K == TypeKind::U8) return Val::u8(v);
    if constexpr (K == TypeKind::S16) return Val::s16(v);
    if constexpr (K == TypeKind::U16) return Val::u16(v);
    if constexpr (K == TypeKind::S32) return Val::s32(v);
    if constexpr (K == TypeKind::U32) return Val::u32(v);
    if constexpr (K == TypeKind::S64) return Val::s64(v);
    if constexpr (K == TypeKind::U64) return Val::u64(v);
  }
  static Result<T> from_val(const Val& v) {
    if (v.kind() != K) return mismatch(to_string(K), v);
    if constexpr (std::is_signed_v<T>) {
      return static_cast<T>(v.as_s64());
    } else {
      return static_cast<T>(v.as_u64());
    }
  }
};
}  // namespace detail

template <>
struct Wit<int8_t> : detail::WitInt<int8_t, TypeKind::S8> {};
template <>
struct Wit<uint8_t> : detail::WitInt<uint8_t, TypeKind::U8> {};
template <>
struct Wit<int16_t> : detail::WitInt<int16_t, TypeKind::S16> {};
template <>
struct Wit<uint16_t> : detail::WitInt<uint16_t, TypeKind::U16> {};
template <>
struct Wit<int32_t> : detail::WitInt<int32_t, TypeKind::S32> {};
template <>
struct Wit<uint32_t> : detail::WitInt<uint32_t, TypeKind::U32> {};
template <>
struct Wit<int64_t> : detail::WitInt<int64_t, TypeKind::S64> {};
template <>
struct Wit<uint64_t> : detail::WitInt<uint64_t, TypeKind::U64> {};

template <>
struct Wit<bool> : detail::WitScalar<Wit<bool>, bool, 1> {
  static Result<uint64_t> to_bits(bool v) { return v ? 1 : 0; }
  static Result<bool> from_bits(raw::Context&, uint64_t bits) { return bits != 0; }
  static Type type() { return Type::prim(TypeKind::Bool); }
  static Val to_val(bool v) { return Val::boolean(v); }
  static Result<bool> from_val(const Val& v) {
    if (v.kind() != TypeKind::Bool) return detail::mismatch("bool", v);
    return v.as_bool();
  }
};
template <>
struct Wit<float> : detail::WitScalar<Wit<float>, float, 4> {
  // maybe_scramble_nan / canonicalize_nan: NaNs cross as the canonical NaN.
  static Result<uint64_t> to_bits(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return detail::canonical_f32(b);
  }
  static Result<float> from_bits(raw::Context&, uint64_t bits) {
    uint32_t b = detail::canonical_f32(static_cast<uint32_t>(bits));
    float v;
    std::memcpy(&v, &b, 4);
    return v;
  }
  static Type type() { return Type::prim(TypeKind::F32); }
  static Val to_val(float v) { return Val::f32(v); }
  static Result<float> from_val(const Val& v) {
    if (v.kind() != TypeKind::F32) return detail::mismatch("f32", v);
    return v.as_f32();
  }
};
template <>
struct Wit<double> : detail::WitScalar<Wit<double>, double, 8> {
  static Result<uint64_t> to_bits(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return detail::canonical_f64(b);
  }
  static Result<double> from_bits(raw::Context&, uint64_t bits) {
    uint64_t b = detail::canonical_f64(bits);
    double v;
    std::memcpy(&v, &b, 8);
    return v;
  }
  static Type type() { return Type::prim(TypeKind::F64); }
  static Val to_val(double v) { return Val::f64(v); }
  static Result<double> from_val(const Val& v) {
    if (v.kind() != TypeKind::F64) return detail::mismatch("f64", v);
    return v.as_f64();
  }
};
template <>
struct Wit<char32_t> : detail::WitScalar<Wit<char32_t>, char32_t, 4> {
  static Result<uint64_t> to_bits(char32_t v) {
    if (!detail::valid_char(v)) return detail::char_mismatch(v);
    return uint64_t{v};
  }
  static Result<char32_t> from_bits(raw::Context& cx, uint64_t bits) {
    auto c = static_cast<uint32_t>(bits);
    if (!detail::valid_char(c)) return cx.bad_char(c);
    return static_cast<char32_t>(c);
  }
  static Type type() { return Type::prim(TypeKind::Char); }
  static Val to_val(char32_t v) { return Val::character(v); }
  static Result<char32_t> from_val(const Val& v) {
    if (v.kind() != TypeKind::Char) return detail::mismatch("char", v);
    return v.as_char();
  }
};
namespace detail {
// Strings and lists: a (pointer, length) pair, flat or in memory.
struct WitRange {
  static constexpr uint32_t size() { return 8; }
  static constexpr uint32_t align() { return 4; }
  static constexpr uint32_t flat_count() { return 2; }
  static void put(raw::Flat*& out, std::pair<uint32_t, uint32_t> r) {
    *out++ = r.first;
    *out++ = r.second;
  }
  static void put(raw::Context& cx, uint32_t ptr, std::pair<uint32_t, uint32_t> r) {
    raw::write<uint32_t>(cx.memory() + ptr, r.first);
    raw::write<uint32_t>(cx.memory() + ptr + 4, r.second);
  }
  static std::pair<uint32_t, uint32_t> get(const raw::Flat*& in) {
    auto p = static_cast<uint32_t>(in[0]);
    auto n = static_cast<uint32_t>(in[1]);
    in += 2;
    return {p, n};
  }
  static std::pair<uint32_t, uint32_t> get(raw::Context& cx, uint32_t ptr) {
    return {raw::read<uint32_t>(cx.memory() + ptr), raw::read<uint32_t>(cx.memory() + ptr + 4)};
  }
};

// A string in either direction (std::string; std::string_view lowers only).
struct WitStringRange : WitRange {
  static Result<void> lower(raw::Context& cx, const Type&, std::string_view v, raw::Flat*& out) {
    auto r = cx.store_string(v);
    if (!r) return std::move(r).error();
    put(out, *r);
    return {};
  }
  static Result<void> store(raw::Context& cx, const Type&, std::string_view v, uint32_t ptr) {
    auto r = cx.store_string(v);
    if (!r) return std::move(r).error();
    put(cx, ptr, *r);  // after the string: its realloc may have moved the memory
    return {};
  }
  static Result<std::string> lift(raw::Context& cx, const Type&, const raw::Flat*& in) {
    auto [p, n] = get(in);
    return cx.load_string(p, n);
  }
  static Result<std::string> load(raw::Context& cx, const Type&, uint32_t ptr) {
    auto [p, n] = get(cx, ptr);
    return cx.load_string(p, n);
  }
};
}  // namespace detail

template <>
struct Wit<std::string> : detail::WitStringRange {
  static Type type() { return Type::prim(TypeKind::String); }
  static Val to_val(std::string v) { return Val::string(std::move(v)); }
  static Result<std::string> from_val(const Val& v) {
    if (v.kind() != TypeKind::String) return detail::mismatch("string", v);
    return v.as_string();
  }
};
template <>
struct Wit<std::string_view> : detail::WitStringRange {
  static Type type() { return Type::prim(TypeKind::String); }
  static Val to_val(std::string_view v) { return Val::string(std::string(v)); }
  // The view points into the argument Val, which outlives the host function's call.
  static Result<std::string_view> from_val(const Val& v) {
    if (v.kind() != TypeKind::String) return detail::mismatch("string", v);
    return std::string_view(v.as_string());
  }
};
namespace detail {
// The type a C++ handle (ResourceAny, a handle class) stands for: any own or borrow handle,
// whatever its resource (checked when the handle is lifted or lowered). Not empty, so that a
// payload that is a handle differs from no payload (result<own<r>> vs result) when matched.
inline constexpr uint32_t kAnyResourceId = UINT32_MAX;
inline Type any_handle_type() { return own_type(ResourceRef{kAnyResourceId, "any"}); }
inline bool is_any_handle(const Type& t) {
  return !t.empty() && t.kind() == TypeKind::Own && t.node().resource.id == kAnyResourceId;
}

// Handles: an i32 index into the guest's table; `t` (own<R> or borrow<R>) names the resource.
struct WitHandle {
  static constexpr uint32_t size() { return 4; }
  static constexpr uint32_t align() { return 4; }
  static constexpr uint32_t flat_count() { return 1; }
  static Result<void> lower_any(raw::Context& cx, const Type& t, const ResourceAny& r,
                                raw::Flat*& out) {
    auto i = cx.lower_handle(r, t);
    if (!i) return std::move(i).error();
    *out++ = *i;
    return {};
  }
  static Result<void> store_any(raw::Context& cx, const Type& t, const ResourceAny& r,
                                uint32_t ptr) {
    auto i = cx.lower_handle(r, t);
    if (!i) return std::move(i).error();
    raw::write<uint32_t>(cx.memory() + ptr, *i);
    return {};
  }
  static Result<ResourceAny> lift_any(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    return cx.lift_handle(static_cast<uint32_t>(*in++), t);
  }
  static Result<ResourceAny> load_any(raw::Context& cx, const Type& t, uint32_t ptr) {
    return cx.lift_handle(raw::read<uint32_t>(cx.memory() + ptr), t);
  }
};
}  // namespace detail

template <>
struct Wit<ResourceAny> : detail::WitHandle {
  static Result<void> lower(raw::Context& cx, const Type& t, const ResourceAny& r,
                            raw::Flat*& out) {
    return lower_any(cx, t, r, out);
  }
  static Result<void> store(raw::Context& cx, const Type& t, const ResourceAny& r, uint32_t ptr) {
    return store_any(cx, t, r, ptr);
  }
  static Result<ResourceAny> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    return lift_any(cx, t, in);
  }
  static Result<ResourceAny> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    return load_any(cx, t, ptr);
  }
  static Type type() { return detail::any_handle_type(); }  // checked when lifted/lowered
  static Val to_val(const ResourceAny& r) { return Val::resource(r); }
  static Result<ResourceAny> from_val(const Val& v) {
    if (v.kind() != TypeKind::Own && v.kind() != TypeKind::Borrow)
      return detail::mismatch("resource", v);
    return v.as_resource();
  }
};

namespace detail {
// Element types whose guest layout is their C++ object representation: lists of them are
// copied in one piece (floats are not: their NaNs are canonicalized one by one).
template <class T>
inline constexpr bool kMemcpyElem =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char32_t>;

// list<T> from a contiguous range of T, and back into a vector.
template <class T>
struct WitList : WitRange {
  template <class R>  // std::vector<T> or std::span<const T>
  static Result<std::pair<uint32_t, uint32_t>> put_items(raw::Context& cx, const Type& t,
                                                         const R& items) {
    using E = Wit<T>;
    auto ptr = cx.alloc_list(items.size(), E::size(), E::align());
    if (!ptr) return std::move(ptr).error();
    if constexpr (kMemcpyElem<T>) {
      if (!items.empty()) std::memcpy(cx.memory() + *ptr, items.data(), items.size() * sizeof(T));
    } else {
      const Type& elem = t.node().elems[0];
      for (size_t i = 0; i < items.size(); ++i) {
        auto r = E::store(cx, elem, items[i], static_cast<uint32_t>(*ptr + i * E::size()));
        if (!r) return std::move(r).error();
      }
    }
    return std::pair<uint32_t, uint32_t>{*ptr, static_cast<uint32_t>(items.size())};
  }
  template <class R>
  static Result<void> lower(raw::Context& cx, const Type& t, const R& v, raw::Flat*& out) {
    auto r = put_items(cx, t, v);
    if (!r) return std::move(r).error();
    put(out, *r);
    return {};
  }
  template <class R>
  static Result<void> store(raw::Context& cx, const Type& t, const R& v, uint32_t ptr) {
    auto r = put_items(cx, t, v);
    if (!r) return std::move(r).error();
    put(cx, ptr, *r);
    return {};
  }
  static Result<std::vector<T>> get_items(raw::Context& cx, const Type& t,
                                          std::pair<uint32_t, uint32_t> range) {
    using E = Wit<T>;
    auto [ptr, n] = range;
    if (auto r = cx.check_list(ptr, n, E::size(), E::align(),
                               sizeof(std::vector<T>) + uint64_t{n} * sizeof(T));
        !r)
      return std::move(r).error();
    std::vector<T> out;
    if constexpr (kMemcpyElem<T>) {
      out.resize(n);
      if (n) std::memcpy(out.data(), cx.memory() + ptr, uint64_t{n} * sizeof(T));
    } else {
      const Type& elem = t.node().elems[0];
      out.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        auto x = E::load(cx, elem, ptr + i * E::size());
        if (!x) return std::move(x).error();
        out.push_back(std::move(*x));
      }
    }
    return out;
  }
  static Result<std::vector<T>> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    return get_items(cx, t, get(in));
  }
  static Result<std::vector<T>> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    return get_items(cx, t, get(cx, ptr));
  }
};
}  // namespace detail

template <class T>
struct Wit<std::vector<T>> : detail::WitList<T> {
  static Type type() { return list_type(Wit<T>::type()); }
  static Val to_val(const std::vector<T>& v) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      return Val::bytes(std::string(v.begin(), v.end()));
    } else {
      std::vector<Val> items;
      items.reserve(v.size());
      for (const T& x : v) items.push_back(Wit<T>::to_val(x));
      return Val::list(std::move(items));
    }
  }
  static Result<std::vector<T>> from_val(const Val& packed) {
    if (packed.kind() != TypeKind::List) return detail::mismatch("list", packed);
    if constexpr (std::is_same_v<T, uint8_t>) {
      if (packed.is_bytes()) return std::vector<T>(packed.bytes().begin(), packed.bytes().end());
    }
    const Val expanded = packed.is_bytes() ? packed.expand_bytes() : Val();
    const Val& v = packed.is_bytes() ? expanded : packed;
    std::vector<T> out;
    out.reserve(v.items().size());
    for (const Val& x : v.items()) {
      auto r = Wit<T>::from_val(x);
      if (!r) return std::move(r).error();
      out.push_back(std::move(*r));
    }
    return out;
  }
};

// A borrowed list argument: converted on the call, the caller's items are not copied into a
// vector first. Only host -> guest (a host function cannot receive a span).
template <class T>
struct Wit<std::span<const T>> : detail::WitList<T> {
  static Type type() { return list_type(Wit<T>::type()); }
  static Val to_val(std::span<const T> v) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      return Val::bytes(std::string(v.begin(), v.end()));
    } else {
      std::vector<Val> items;
      items.reserve(v.size());
      for (const T& x : v) items.push_back(Wit<T>::to_val(x));
      return Val::list(std::move(items));
    }
  }
};

template <class T>
struct Wit<std::optional<T>> {
  static constexpr uint32_t align() { return std::max<uint32_t>(1, Wit<T>::align()); }
  static constexpr uint32_t payload_offset() { return detail::align_to(1, Wit<T>::align()); }
  static constexpr uint32_t size() {
    return detail::align_to(payload_offset() + Wit<T>::size(), align());
  }
  static constexpr uint32_t flat_count() { return 1 + Wit<T>::flat_count(); }
  static Result<void> lower(raw::Context& cx, const Type& t, const std::optional<T>& v,
                            raw::Flat*& out) {
    raw::Flat* end = out + flat_count();
    *out++ = v ? 1 : 0;
    if (v) {
      if (auto r = Wit<T>::lower(cx, t.node().elems[0], *v, out); !r) return r;
    }
    while (out < end) *out++ = 0;
    return {};
  }
  static Result<void> store(raw::Context& cx, const Type& t, const std::optional<T>& v,
                            uint32_t ptr) {
    cx.memory()[ptr] = v ? 1 : 0;
    if (!v) return {};
    return Wit<T>::store(cx, t.node().elems[0], *v, ptr + payload_offset());
  }
  static Result<std::optional<T>> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    const raw::Flat* end = in + flat_count();
    auto index = static_cast<uint32_t>(*in++);
    if (index > 1) return cx.bad_discriminant(index, 2);
    std::optional<T> out;
    if (index == 1) {
      auto x = Wit<T>::lift(cx, t.node().elems[0], in);
      if (!x) return std::move(x).error();
      out = std::move(*x);
    }
    in = end;
    return out;
  }
  static Result<std::optional<T>> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    uint8_t index = cx.memory()[ptr];
    if (index > 1) return cx.bad_discriminant(index, 2);
    if (index == 0) return std::optional<T>();
    auto x = Wit<T>::load(cx, t.node().elems[0], ptr + payload_offset());
    if (!x) return std::move(x).error();
    return std::optional<T>(std::move(*x));
  }
  static Type type() { return option_type(Wit<T>::type()); }
  static Val to_val(const std::optional<T>& v) {
    return v ? Val::some(Wit<T>::to_val(*v)) : Val::none();
  }
  static Result<std::optional<T>> from_val(const Val& v) {
    if (v.kind() != TypeKind::Option) return detail::mismatch("option", v);
    if (!v.is_some()) return std::optional<T>();
    auto r = Wit<T>::from_val(*v.payload());
    if (!r) return std::move(r).error();
    return std::optional<T>(std::move(*r));
  }
};

namespace detail {
// Record-like layout over member types Ms...: the offset of each, the size and alignment.
template <class... Ms>
struct FieldsLayout {
  static constexpr uint32_t align() { return std::max<uint32_t>({1, Wit<Ms>::align()...}); }
  static constexpr std::array<uint32_t, sizeof...(Ms)> offsets() {
    std::array<uint32_t, sizeof...(Ms)> out{};
    uint32_t at = 0;
    size_t i = 0;
    ((at = align_to(at, Wit<Ms>::align()), out[i++] = at, at += Wit<Ms>::size()), ...);
    return out;
  }
  static constexpr uint32_t size() {
    uint32_t at = 0;
    ((at = align_to(at, Wit<Ms>::align()) + Wit<Ms>::size()), ...);
    return align_to(at, align());
  }
  static constexpr uint32_t flat_count() { return (0 + ... + Wit<Ms>::flat_count()); }
};
}  // namespace detail

template <class... Ts>
struct Wit<std::tuple<Ts...>> : detail::FieldsLayout<Ts...> {
  using Layout = detail::FieldsLayout<Ts...>;
  static Result<void> lower(raw::Context& cx, const Type& t, const std::tuple<Ts...>& v,
                            raw::Flat*& out) {
    return each(v, [&]<size_t I, class M>(const M& x) {
      return Wit<M>::lower(cx, t.node().elems[I], x, out);
    });
  }
  static Result<void> store(raw::Context& cx, const Type& t, const std::tuple<Ts...>& v,
                            uint32_t ptr) {
    constexpr auto off = Layout::offsets();
    return each(v, [&]<size_t I, class M>(const M& x) {
      return Wit<M>::store(cx, t.node().elems[I], x, ptr + off[I]);
    });
  }
  static Result<std::tuple<Ts...>> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    std::tuple<Ts...> out;
    auto r = each_mut(out, [&]<size_t I, class M>(M& x) -> Result<void> {
      auto v = Wit<M>::lift(cx, t.node().elems[I], in);
      if (!v) return std::move(v).error();
      x = std::move(*v);
      return {};
    });
    if (!r) return std::move(r).error();
    return out;
  }
  static Result<std::tuple<Ts...>> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    constexpr auto off = Layout::offsets();
    std::tuple<Ts...> out;
    auto r = each_mut(out, [&]<size_t I, class M>(M& x) -> Result<void> {
      auto v = Wit<M>::load(cx, t.node().elems[I], ptr + off[I]);
      if (!v) return std::move(v).error();
      x = std::move(*v);
      return {};
    });
    if (!r) return std::move(r).error();
    return out;
  }
  static Type type() { return tuple_type({Wit<Ts>::type()...}); }

  // f.template operator()<I, M>(element) for each element in order, stopping at an error.
  template <class Tuple, class F>
  static Result<void> each_impl(Tuple& v, F&& f) {
    Result<void> r;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((r ? void(r = f.template operator()<I, std::tuple_element_t<I, std::tuple<Ts...>>>(
                     std::get<I>(v)))
          : void()),
       ...);
    }
    (std::index_sequence_for<Ts...>{});
    return r;
  }
  template <class F>
  static Result<void> each(const std::tuple<Ts...>& v, F&& f) {
    return each_impl(v, f);
  }
  template <class F>
  static Result<void> each_mut(std::tuple<Ts...>& v, F&& f) {
    return each_impl(v, f);
  }
  static Val to_val(const std::tuple<Ts...>& t) {
    return std::apply([](const Ts&... x) { return Val::tuple({Wit<Ts>::to_val(x)...}); }, t);
  }
  static Result<std::tuple<Ts...>> from_val(const Val& v) {
    if (v.kind() != TypeKind::Tuple || v.items().size() != sizeof...(Ts))
      return detail::mismatch("tuple", v);
    std::tuple<Ts...> out;
    std::optional<Error> err;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((err ? void() : [&] {
         auto r = Wit<std::tuple_element_t<I, std::tuple<Ts...>>>::from_val(v.items()[I]);
         if (!r) {
           err = std::move(r).error();
         } else {
           std::get<I>(out) = std::move(*r);
         }
       }()),
       ...);
    }
    (std::index_sequence_for<Ts...>{});
    if (err) return *err;
    return out;
  }
};

namespace detail {
// The layout of a void-able payload (a result side or a variant case without one).
template <class T>
struct PayloadLayout {
  static constexpr uint32_t size() { return Wit<T>::size(); }
  static constexpr uint32_t align() { return Wit<T>::align(); }
  static constexpr uint32_t flat_count() { return Wit<T>::flat_count(); }
};
template <>
struct PayloadLayout<void> {
  static constexpr uint32_t size() { return 0; }
  static constexpr uint32_t align() { return 1; }
  static constexpr uint32_t flat_count() { return 0; }
};

// Variant-like layout (CanonicalABI.md elem_size_variant / flatten_variant) over payloads Ps
// (void for none): the discriminant, then the payloads overlaid at one offset.
template <class... Ps>
struct CasesLayout {
  static constexpr uint32_t disc() { return discriminant_size(sizeof...(Ps)); }
  static constexpr uint32_t case_align() { return std::max({1u, PayloadLayout<Ps>::align()...}); }
  static constexpr uint32_t align() { return std::max(disc(), case_align()); }
  static constexpr uint32_t payload_offset() { return align_to(disc(), case_align()); }
  static constexpr uint32_t size() {
    return align_to(payload_offset() + std::max({0u, PayloadLayout<Ps>::size()...}), align());
  }
  static constexpr uint32_t flat_count() {
    return 1 + std::max({0u, PayloadLayout<Ps>::flat_count()...});
  }
  static void write_disc(raw::Context& cx, uint32_t ptr, uint32_t index) {
    write_uint(cx.memory() + ptr, index, disc());
  }
  static uint32_t read_disc(raw::Context& cx, uint32_t ptr) {
    return static_cast<uint32_t>(read_uint(cx.memory() + ptr, disc()));
  }
};
}  // namespace detail

template <class T, class E>
struct Wit<WitResult<T, E>> : detail::CasesLayout<T, E> {
  using Layout = detail::CasesLayout<T, E>;
  using R = WitResult<T, E>;
  static Result<void> lower(raw::Context& cx, const Type& t, const R& v, raw::Flat*& out) {
    raw::Flat* end = out + Layout::flat_count();
    *out++ = v.is_ok() ? 0 : 1;
    Result<void> r;
    if (v.is_ok()) {
      if constexpr (!std::is_void_v<T>) r = Wit<T>::lower(cx, t.node().ok, v.value(), out);
    } else {
      if constexpr (!std::is_void_v<E>) r = Wit<E>::lower(cx, t.node().err, v.error(), out);
    }
    while (out < end) *out++ = 0;  // the slots this case leaves unused
    return r;
  }
  static Result<void> store(raw::Context& cx, const Type& t, const R& v, uint32_t ptr) {
    Layout::write_disc(cx, ptr, v.is_ok() ? 0 : 1);
    uint32_t at = ptr + Layout::payload_offset();
    if (v.is_ok()) {
      if constexpr (!std::is_void_v<T>) return Wit<T>::store(cx, t.node().ok, v.value(), at);
    } else {
      if constexpr (!std::is_void_v<E>) return Wit<E>::store(cx, t.node().err, v.error(), at);
    }
    return {};
  }
  static Result<R> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    const raw::Flat* end = in + Layout::flat_count();
    auto index = static_cast<uint32_t>(*in++);
    auto out =
        make(cx, t, index, [&](const auto& w, const Type& pt) { return w.lift(cx, pt, in); });
    in = end;
    return out;
  }
  static Result<R> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    uint32_t index = Layout::read_disc(cx, ptr);
    uint32_t at = ptr + Layout::payload_offset();
    return make(cx, t, index, [&](const auto& w, const Type& pt) { return w.load(cx, pt, at); });
  }
  static Type type() {
    Type ok, err;
    if constexpr (!std::is_void_v<T>) ok = Wit<T>::type();
    if constexpr (!std::is_void_v<E>) err = Wit<E>::type();
    return result_type(ok, err);
  }
  static Val to_val(const WitResult<T, E>& r) {
    if (r.is_ok()) {
      if constexpr (std::is_void_v<T>) {
        return Val::ok();
      } else {
        return Val::ok(Wit<T>::to_val(r.value()));
      }
    }
    if constexpr (std::is_void_v<E>) {
      return Val::err();
    } else {
      return Val::err(Wit<E>::to_val(r.error()));
    }
  }
  // The case `index` with its payload read by get(Wit<P>{}, payload type).
  template <class Get>
  static Result<R> make(raw::Context& cx, const Type& t, uint32_t index, Get&& get) {
    if (index > 1) return cx.bad_discriminant(index, 2);
    if (index == 0) {
      if constexpr (std::is_void_v<T>) {
        return R::ok();
      } else {
        auto x = get(Wit<T>{}, t.node().ok);
        if (!x) return std::move(x).error();
        return R::ok(std::move(*x));
      }
    }
    if constexpr (std::is_void_v<E>) {
      return R::err();
    } else {
      auto x = get(Wit<E>{}, t.node().err);
      if (!x) return std::move(x).error();
      return R::err(std::move(*x));
    }
  }
  static Result<WitResult<T, E>> from_val(const Val& v) {
    if (v.kind() != TypeKind::Result) return detail::mismatch("result", v);
    if (v.is_ok()) {
      if constexpr (std::is_void_v<T>) {
        return WitResult<T, E>::ok();
      } else {
        if (!v.payload()) return detail::mismatch("result with an ok payload", v);
        auto x = Wit<T>::from_val(*v.payload());
        if (!x) return std::move(x).error();
        return WitResult<T, E>::ok(std::move(*x));
      }
    }
    if constexpr (std::is_void_v<E>) {
      return WitResult<T, E>::err();
    } else {
      if (!v.payload()) return detail::mismatch("result with an err payload", v);
      auto x = Wit<E>::from_val(*v.payload());
      if (!x) return std::move(x).error();
      return WitResult<T, E>::err(std::move(*x));
    }
  }
};

// Records, at global scope after `struct point { int32_t x, y; };`:
//   HULL_WIT_RECORD(point, HULL_WIT_F(point, x, "x"), HULL_WIT_F(point, y, "y"))
// declares point as record { x: s32, y: s32 } (WIT names are kebab case, so they are given).
#define HULL_WIT_RECORD(S, ...)                                                        \
  template <>                                                                          \
  struct hull::api::component::Wit<S> : ::hull::api::component::detail::WitRecord<S> { \
    static constexpr auto fields() { return std::make_tuple(__VA_ARGS__); }            \
  };
// One record field: member pointer and WIT name.
#define HULL_WIT_F(S, member, name) std::make_pair(&S::member, std::string_view(name))

namespace detail {
template <class P>
struct MemberOf;
template <class S, class M>
struct MemberOf<std::pair<M S::*, std::string_view>> {
  using Type = M;
};
template <class Fields>
struct FieldsLayoutOf;
template <class... Ps>
struct FieldsLayoutOf<std::tuple<Ps...>> {
  using Layout = FieldsLayout<typename MemberOf<Ps>::Type...>;
};

// Record support: Derived::fields() returns a tuple of (member pointer, name) pairs.
template <class S>
struct WitRecord {
  template <class D = Wit<S>>
  using Layout = typename FieldsLayoutOf<decltype(D::fields())>::Layout;
  template <class D = Wit<S>>
  static constexpr uint32_t size() {
    return Layout<D>::size();
  }
  template <class D = Wit<S>>
  static constexpr uint32_t align() {
    return Layout<D>::align();
  }
  template <class D = Wit<S>>
  static constexpr uint32_t flat_count() {
    return Layout<D>::flat_count();
  }
  template <class D = Wit<S>>
  static Result<void> lower(raw::Context& cx, const Type& t, const S& s, raw::Flat*& out) {
    return each<D>([&]<size_t I, class M>(M S::*m) {
      return Wit<M>::lower(cx, t.node().fields[I].type, s.*m, out);
    });
  }
  template <class D = Wit<S>>
  static Result<void> store(raw::Context& cx, const Type& t, const S& s, uint32_t ptr) {
    constexpr auto off = Layout<D>::offsets();
    return each<D>([&]<size_t I, class M>(M S::*m) {
      return Wit<M>::store(cx, t.node().fields[I].type, s.*m, ptr + off[I]);
    });
  }
  template <class D = Wit<S>>
  static Result<S> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    S out{};
    auto r = each<D>([&]<size_t I, class M>(M S::*m) -> Result<void> {
      auto v = Wit<M>::lift(cx, t.node().fields[I].type, in);
      if (!v) return std::move(v).error();
      out.*m = std::move(*v);
      return {};
    });
    if (!r) return std::move(r).error();
    return out;
  }
  template <class D = Wit<S>>
  static Result<S> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    constexpr auto off = Layout<D>::offsets();
    S out{};
    auto r = each<D>([&]<size_t I, class M>(M S::*m) -> Result<void> {
      auto v = Wit<M>::load(cx, t.node().fields[I].type, ptr + off[I]);
      if (!v) return std::move(v).error();
      out.*m = std::move(*v);
      return {};
    });
    if (!r) return std::move(r).error();
    return out;
  }
  // f.template operator()<I, M>(member pointer) per field in order, stopping at an error.
  template <class D, class F>
  static Result<void> each(F&& f) {
    constexpr auto fields = D::fields();
    Result<void> r;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((r ? void(r = f.template operator()<I>(std::get<I>(fields).first)) : void()), ...);
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(fields)>>{});
    return r;
  }

  template <class D = Wit<S>>
  static Type type() {
    std::vector<Field> fs;
    std::apply(
        [&](const auto&... f) {
          (fs.push_back(Field{std::string(f.second), member_type(f.first)}), ...);
        },
        D::fields());
    return record_type(std::move(fs));
  }
  template <class D = Wit<S>>
  static Val to_val(const S& s) {
    std::vector<std::pair<std::string, Val>> fs;
    std::apply(
        [&](const auto&... f) {
          (fs.push_back({std::string(f.second), member_val(s, f.first)}), ...);
        },
        D::fields());
    return Val::record(std::move(fs));
  }
  template <class D = Wit<S>>
  static Result<S> from_val(const Val& v) {
    constexpr size_t n = std::tuple_size_v<decltype(D::fields())>;
    if (v.kind() != TypeKind::Record || v.items().size() != n) return mismatch("record", v);
    S out{};
    std::optional<Error> err;
    size_t i = 0;
    std::apply(
        [&](const auto&... f) {
          (([&] {
             if (err) return;
             using M = Bare<decltype(out.*(f.first))>;
             auto r = Wit<M>::from_val(v.items()[i++]);
             if (!r) {
               err = std::move(r).error();
             } else {
               out.*(f.first) = std::move(*r);
             }
           }()),
           ...);
        },
        D::fields());
    if (err) return *err;
    return out;
  }

 private:
  template <class M>
  static Type member_type(M S::*) {
    return Wit<M>::type();
  }
  template <class M>
  static Val member_val(const S& s, M S::*p) {
    return Wit<M>::to_val(s.*p);
  }
};

// Whether `want` (from a C++ signature) matches `have` (the component's): equal structure; the
// any-handle type of a C++ handle (ResourceAny, a handle class, which carry no resource
// identity) matches any own or borrow handle, also inside compound types. An empty `have` (no
// payload) needs an empty `want`; an empty `want` still matches a handle as before (Wit
// specializations written before any_handle_type).
inline bool wit_matches(const Type& want, const Type& have) {
  const bool have_handle =
      !have.empty() && (have.kind() == TypeKind::Own || have.kind() == TypeKind::Borrow);
  if (want.empty()) return have.empty() || have_handle;
  if (is_any_handle(want)) return have_handle;
  if (have.empty() || want.kind() != have.kind()) return false;
  const TypeNode& w = want.node();
  const TypeNode& h = have.node();
  switch (w.kind) {
    case TypeKind::Record:
    case TypeKind::Variant:
      if (w.fields.size() != h.fields.size()) return false;
      for (size_t i = 0; i < w.fields.size(); ++i) {
        if (w.fields[i].name != h.fields[i].name) return false;
        if (w.fields[i].type.empty() != h.fields[i].type.empty()) return false;
        if (!wit_matches(w.fields[i].type, h.fields[i].type)) return false;
      }
      return true;
    case TypeKind::Enum:
    case TypeKind::Flags: return w.names == h.names;
    case TypeKind::List:
    case TypeKind::FixedList:
    case TypeKind::Option:
    case TypeKind::Tuple:
      if (w.elems.size() != h.elems.size() || w.length != h.length) return false;
      for (size_t i = 0; i < w.elems.size(); ++i)
        if (!wit_matches(w.elems[i], h.elems[i])) return false;
      return true;
    case TypeKind::Result:
      if (w.ok.empty() != h.ok.empty() || w.err.empty() != h.err.empty()) return false;
      return wit_matches(w.ok, h.ok) && wit_matches(w.err, h.err);
    default: return want == have;
  }
}

template <class F>
struct Signature : Signature<decltype(&F::operator())> {};
template <class R, class... A>
struct Signature<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<Bare<A>...>;
};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};

}  // namespace detail

namespace detail {
// Variants: `S` has a member `value` of type std::variant<Alts...>, one alternative per case in
// WIT order; an alternative with a payload has a member `value` holding it. Derived (the Wit<S>
// specialization) provides `static constexpr std::array<std::string_view, N> case_names`.
template <class A>
concept HasPayload = requires(A a) {
  a.value;
};

template <class A, bool = HasPayload<A>>
struct PayloadOf {
  using Type = void;
};
template <class A>
struct PayloadOf<A, true> {
  using Type = Bare<decltype(std::declval<A>().value)>;
};
template <class V>
struct VariantLayout;
template <class... As>
struct VariantLayout<std::variant<As...>> {
  using Layout = CasesLayout<typename PayloadOf<As>::Type...>;
};

template <class S>
struct WitVariant {
  using V = decltype(S::value);
  static constexpr size_t N = std::variant_size_v<V>;
  using Layout = typename VariantLayout<V>::Layout;
  static constexpr uint32_t size() { return Layout::size(); }
  static constexpr uint32_t align() { return Layout::align(); }
  static constexpr uint32_t flat_count() { return Layout::flat_count(); }

  static Result<void> lower(raw::Context& cx, const Type& t, const S& s, raw::Flat*& out) {
    raw::Flat* end = out + flat_count();
    size_t index = s.value.index();
    *out++ = index;
    Result<void> r = std::visit(
        [&](const auto& alt) -> Result<void> {
          using A = Bare<decltype(alt)>;
          if constexpr (HasPayload<A>) {
            using P = Bare<decltype(alt.value)>;
            return Wit<P>::lower(cx, t.node().fields[index].type, alt.value, out);
          } else {
            return {};
          }
        },
        s.value);
    while (out < end) *out++ = 0;  // the slots this case leaves unused
    return r;
  }
  static Result<void> store(raw::Context& cx, const Type& t, const S& s, uint32_t ptr) {
    size_t index = s.value.index();
    Layout::write_disc(cx, ptr, static_cast<uint32_t>(index));
    return std::visit(
        [&](const auto& alt) -> Result<void> {
          using A = Bare<decltype(alt)>;
          if constexpr (HasPayload<A>) {
            using P = Bare<decltype(alt.value)>;
            return Wit<P>::store(cx, t.node().fields[index].type, alt.value,
                                 ptr + Layout::payload_offset());
          } else {
            return {};
          }
        },
        s.value);
  }
  static Result<S> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    const raw::Flat* end = in + flat_count();
    auto index = static_cast<uint32_t>(*in++);
    auto out =
        make(cx, t, index, [&](const auto& w, const Type& pt) { return w.lift(cx, pt, in); });
    in = end;
    return out;
  }
  static Result<S> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    uint32_t index = Layout::read_disc(cx, ptr);
    uint32_t at = ptr + Layout::payload_offset();
    return make(cx, t, index, [&](const auto& w, const Type& pt) { return w.load(cx, pt, at); });
  }
  // The case `index`, its payload read by get(Wit<P>{}, payload type).
  template <class Get>
  static Result<S> make(raw::Context& cx, const Type& t, uint32_t index, Get&& get) {
    if (index >= N) return cx.bad_discriminant(index, N);
    std::optional<Result<S>> out;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((I == index ? void(out = make_alt<I>(t, get)) : void()), ...);
    }
    (std::make_index_sequence<N>{});
    return std::move(*out);
  }
  template <size_t I, class Get>
  static Result<S> make_alt(const Type& t, Get& get) {
    using A = std::variant_alternative_t<I, V>;
    A alt{};
    if constexpr (HasPayload<A>) {
      using P = Bare<decltype(alt.value)>;
      auto x = get(Wit<P>{}, t.node().fields[I].type);
      if (!x) return std::move(x).error();
      alt.value = std::move(*x);
    }
    S s{};
    s.value.template emplace<I>(std::move(alt));
    return s;
  }

  template <class D = Wit<S>>
  static Type type() {
    std::vector<Field> cases;
    [&]<size_t... I>(std::index_sequence<I...>) {
      (cases.push_back(Field{std::string(D::case_names[I]), payload_type<I>()}), ...);
    }
    (std::make_index_sequence<N>{});
    return variant_type(std::move(cases));
  }
  template <class D = Wit<S>>
  static Val to_val(const S& s) {
    return std::visit(
        [&](const auto& alt) -> Val {
          using A = Bare<decltype(alt)>;
          std::string name(D::case_names[s.value.index()]);
          if constexpr (HasPayload<A>) {
            return Val::variant(std::move(name), Wit<Bare<decltype(alt.value)>>::to_val(alt.value));
          } else {
            return Val::variant(std::move(name));
          }
        },
        s.value);
  }
  template <class D = Wit<S>>
  static Result<S> from_val(const Val& v) {
    if (v.kind() != TypeKind::Variant) return mismatch("variant", v);
    std::optional<Result<S>> out;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((out || v.case_name() != D::case_names[I] ? void() : void(out = make_case<I>(v))), ...);
    }
    (std::make_index_sequence<N>{});
    if (!out) {
      return Error(ErrorKind::Usage, "unknown variant case `" + v.case_name() + "`");
    }
    return std::move(*out);
  }

 private:
  template <size_t I>
  static Type payload_type() {
    using A = std::variant_alternative_t<I, V>;
    if constexpr (HasPayload<A>) {
      return Wit<Bare<decltype(std::declval<A>().value)>>::type();
    } else {
      return Type();
    }
  }
  template <size_t I>
  static Result<S> make_case(const Val& v) {
    using A = std::variant_alternative_t<I, V>;
    A alt{};
    if constexpr (HasPayload<A>) {
      if (!v.payload()) return mismatch("variant case with a payload", v);
      auto p = Wit<Bare<decltype(alt.value)>>::from_val(*v.payload());
      if (!p) return std::move(p).error();
      alt.value = std::move(*p);
    }
    S s{};
    s.value.template emplace<I>(std::move(alt));
    return s;
  }
};

// Enums: `E` is an enum class whose enumerators are 0..N-1 in WIT order; Derived provides
// `names` (std::array<std::string_view, N>).
template <class E>
struct WitEnum {
  template <class D = Wit<E>>
  static constexpr uint32_t size() {
    return discriminant_size(D::names.size());
  }
  template <class D = Wit<E>>
  static constexpr uint32_t align() {
    return discriminant_size(D::names.size());
  }
  static constexpr uint32_t flat_count() { return 1; }
  template <class D = Wit<E>>
  static Result<void> lower(raw::Context&, const Type&, E e, raw::Flat*& out) {
    if (static_cast<size_t>(e) >= D::names.size()) return out_of_range(e);
    *out++ = static_cast<uint32_t>(e);
    return {};
  }
  template <class D = Wit<E>>
  static Result<void> store(raw::Context& cx, const Type&, E e, uint32_t ptr) {
    if (static_cast<size_t>(e) >= D::names.size()) return out_of_range(e);
    write_uint(cx.memory() + ptr, static_cast<uint32_t>(e), size<D>());
    return {};
  }
  static Error out_of_range(E e) {
    return Error(ErrorKind::Usage, "canonical ABI: enum value " +
                                       std::to_string(static_cast<uint64_t>(e)) + " out of range");
  }
  template <class D = Wit<E>>
  static Result<E> lift(raw::Context& cx, const Type&, const raw::Flat*& in) {
    return check<D>(cx, static_cast<uint32_t>(*in++));
  }
  template <class D = Wit<E>>
  static Result<E> load(raw::Context& cx, const Type&, uint32_t ptr) {
    return check<D>(cx, static_cast<uint32_t>(read_uint(cx.memory() + ptr, size<D>())));
  }
  template <class D = Wit<E>>
  static Result<E> check(raw::Context& cx, uint32_t index) {
    if (index >= D::names.size()) return cx.bad_discriminant(index, D::names.size());
    return static_cast<E>(index);
  }
  template <class D = Wit<E>>
  static Type type() {
    return enum_type(std::vector<std::string>(D::names.begin(), D::names.end()));
  }
  template <class D = Wit<E>>
  static Val to_val(E e) {
    return Val::enumeration(std::string(D::names[static_cast<size_t>(e)]));
  }
  template <class D = Wit<E>>
  static Result<E> from_val(const Val& v) {
    if (v.kind() != TypeKind::Enum) return mismatch("enum", v);
    for (size_t i = 0; i < D::names.size(); ++i)
      if (D::names[i] == v.case_name()) return static_cast<E>(i);
    return Error(ErrorKind::Usage, "unknown enum case `" + v.case_name() + "`");
  }
};

// Flags: `F` is an enum class bitmask (bit i = flag i in WIT order); Derived provides `names`.
template <class F>
struct WitFlags {
  using U = std::underlying_type_t<F>;
  // CanonicalABI.md: up to 8 flags in a byte, 16 in two, then i32 chunks.
  template <class D = Wit<F>>
  static constexpr uint32_t size() {
    size_t n = D::names.size();
    return n <= 8 ? 1 : n <= 16 ? 2 : static_cast<uint32_t>(4 * ((n + 31) / 32));
  }
  template <class D = Wit<F>>
  static constexpr uint32_t align() {
    return std::min<uint32_t>(size<D>(), 4);
  }
  template <class D = Wit<F>>
  static constexpr uint32_t flat_count() {
    return static_cast<uint32_t>((D::names.size() + 31) / 32);
  }
  // Bits past the last flag are dropped both ways (the spec ignores them when lifting).
  template <class D = Wit<F>>
  static constexpr uint64_t mask() {
    return D::names.size() >= 64 ? ~uint64_t{0} : (uint64_t{1} << D::names.size()) - 1;
  }
  template <class D = Wit<F>>
  static Result<void> lower(raw::Context&, const Type&, F f, raw::Flat*& out) {
    uint64_t bits = static_cast<uint64_t>(f) & mask<D>();
    for (uint32_t c = 0; c < flat_count<D>(); ++c) *out++ = (bits >> (32 * c)) & 0xffffffffu;
    return {};
  }
  template <class D = Wit<F>>
  static Result<void> store(raw::Context& cx, const Type&, F f, uint32_t ptr) {
    uint64_t bits = static_cast<uint64_t>(f) & mask<D>();
    if constexpr (size<D>() <= 4) {
      write_uint(cx.memory() + ptr, bits, size<D>());
    } else {
      for (uint32_t c = 0; c < flat_count<D>(); ++c)
        raw::write<uint32_t>(cx.memory() + ptr + 4 * c, static_cast<uint32_t>(bits >> (32 * c)));
    }
    return {};
  }
  template <class D = Wit<F>>
  static Result<F> lift(raw::Context&, const Type&, const raw::Flat*& in) {
    uint64_t bits = 0;
    for (uint32_t c = 0; c < flat_count<D>(); ++c) bits |= (*in++ & 0xffffffffu) << (32 * c);
    return static_cast<F>(static_cast<U>(bits & mask<D>()));
  }
  template <class D = Wit<F>>
  static Result<F> load(raw::Context& cx, const Type&, uint32_t ptr) {
    uint64_t bits = 0;
    if constexpr (size<D>() <= 4) {
      bits = read_uint(cx.memory() + ptr, size<D>());
    } else {
      for (uint32_t c = 0; c < flat_count<D>(); ++c)
        bits |= uint64_t{raw::read<uint32_t>(cx.memory() + ptr + 4 * c)} << (32 * c);
    }
    return static_cast<F>(static_cast<U>(bits & mask<D>()));
  }
  template <class D = Wit<F>>
  static Type type() {
    return flags_type(std::vector<std::string>(D::names.begin(), D::names.end()));
  }
  template <class D = Wit<F>>
  static Val to_val(F f) {
    std::vector<std::string> set;
    for (size_t i = 0; i < D::names.size(); ++i)
      if (static_cast<U>(f) & (U{1} << i)) set.emplace_back(D::names[i]);
    return Val::flags(std::move(set));
  }
  template <class D = Wit<F>>
  static Result<F> from_val(const Val& v) {
    if (v.kind() != TypeKind::Flags) return mismatch("flags", v);
    U bits = 0;
    for (const std::string& n : v.names()) {
      size_t i = 0;
      while (i < D::names.size() && D::names[i] != n) ++i;
      if (i == D::names.size()) return Error(ErrorKind::Usage, "unknown flag `" + n + "`");
      bits |= U{1} << i;
    }
    return static_cast<F>(bits);
  }
};
}  // namespace detail

}  // namespace hull::api::component
