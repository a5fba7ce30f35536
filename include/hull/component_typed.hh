// Typed component calls: C++ types that stand for WIT types, typed host functions for a
// component Linker and typed calls of exports. Conversions go through component Vals; the
// types are checked once, when a function is looked up or linked. `hull bindgen cpp` generates
// code on these (docs/EMBEDDING.md, "Bindings from WIT").
//
// Every conversion is the pair Wit<T>::to_val / Wit<T>::from_val, so the dynamic Val tree is
// confined to these specializations: a later direct lift/lower into guest memory can give
// Wit<T> `lower(cx, ptr)` / `lift(cx, ptr)` members and TypedFunc can use them instead of Func's
// Val-based call, without changing generated bindings or user code.
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

#include <array>
#include <cstdint>
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

template <class T, TypeKind K>
struct WitInt {
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
struct Wit<bool> {
  static Type type() { return Type::prim(TypeKind::Bool); }
  static Val to_val(bool v) { return Val::boolean(v); }
  static Result<bool> from_val(const Val& v) {
    if (v.kind() != TypeKind::Bool) return detail::mismatch("bool", v);
    return v.as_bool();
  }
};
template <>
struct Wit<float> {
  static Type type() { return Type::prim(TypeKind::F32); }
  static Val to_val(float v) { return Val::f32(v); }
  static Result<float> from_val(const Val& v) {
    if (v.kind() != TypeKind::F32) return detail::mismatch("f32", v);
    return v.as_f32();
  }
};
template <>
struct Wit<double> {
  static Type type() { return Type::prim(TypeKind::F64); }
  static Val to_val(double v) { return Val::f64(v); }
  static Result<double> from_val(const Val& v) {
    if (v.kind() != TypeKind::F64) return detail::mismatch("f64", v);
    return v.as_f64();
  }
};
template <>
struct Wit<char32_t> {
  static Type type() { return Type::prim(TypeKind::Char); }
  static Val to_val(char32_t v) { return Val::character(v); }
  static Result<char32_t> from_val(const Val& v) {
    if (v.kind() != TypeKind::Char) return detail::mismatch("char", v);
    return v.as_char();
  }
};
template <>
struct Wit<std::string> {
  static Type type() { return Type::prim(TypeKind::String); }
  static Val to_val(std::string v) { return Val::string(std::move(v)); }
  static Result<std::string> from_val(const Val& v) {
    if (v.kind() != TypeKind::String) return detail::mismatch("string", v);
    return v.as_string();
  }
};
template <>
struct Wit<std::string_view> {
  static Type type() { return Type::prim(TypeKind::String); }
  static Val to_val(std::string_view v) { return Val::string(std::string(v)); }
  // The view points into the argument Val, which outlives the host function's call.
  static Result<std::string_view> from_val(const Val& v) {
    if (v.kind() != TypeKind::String) return detail::mismatch("string", v);
    return std::string_view(v.as_string());
  }
};
template <>
struct Wit<ResourceAny> {
  static Type type() { return Type(); }  // any handle: checked when lifted/lowered
  static Val to_val(const ResourceAny& r) { return Val::resource(r); }
  static Result<ResourceAny> from_val(const Val& v) {
    if (v.kind() != TypeKind::Own && v.kind() != TypeKind::Borrow)
      return detail::mismatch("resource", v);
    return v.as_resource();
  }
};

template <class T>
struct Wit<std::vector<T>> {
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
struct Wit<std::span<const T>> {
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

template <class... Ts>
struct Wit<std::tuple<Ts...>> {
  static Type type() { return tuple_type({Wit<Ts>::type()...}); }
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

template <class T, class E>
struct Wit<WitResult<T, E>> {
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
// Record support: Derived::fields() returns a tuple of (member pointer, name) pairs.
template <class S>
struct WitRecord {
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

// Whether `want` (from a C++ signature) matches `have` (the component's): equal structure; an
// empty `want` (ResourceAny or a handle class, which carry no resource identity) matches any
// handle, also inside compound types. An empty `have` (no payload) needs an empty `want`.
inline bool wit_matches(const Type& want, const Type& have) {
  if (want.empty())
    return have.empty() || have.kind() == TypeKind::Own || have.kind() == TypeKind::Borrow;
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

template <class S>
struct WitVariant {
  using V = decltype(S::value);
  static constexpr size_t N = std::variant_size_v<V>;

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

// An owned handle to a guest's resource, held by the host: move-only; the destructor drops the
// handle (running the guest's destructor). Generated bindings derive one class per resource.
// Passing it as an `own` argument moves it into the guest: call release() after the call.
class GuestHandle {
 public:
  GuestHandle() = default;
  explicit GuestHandle(ResourceAny h) : h_(h) {}
  GuestHandle(GuestHandle&& o) noexcept : h_(std::exchange(o.h_, std::nullopt)) {}
  GuestHandle& operator=(GuestHandle&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, std::nullopt);
    }
    return *this;
  }
  GuestHandle(const GuestHandle&) = delete;
  GuestHandle& operator=(const GuestHandle&) = delete;
  ~GuestHandle() { reset(); }

  bool valid() const { return h_.has_value(); }
  // The raw handle (for a call); an empty ResourceAny if this handle was released or moved.
  ResourceAny raw() const { return h_.value_or(ResourceAny{}); }
  // Gives up ownership without dropping (after the handle moved into the guest).
  ResourceAny release() { return std::exchange(h_, std::nullopt).value_or(ResourceAny{}); }
  // Drops the handle now; an error (e.g. a trap in the guest's destructor) is returned.
  Result<void> drop() {
    if (!h_) return {};
    ResourceAny h = *std::exchange(h_, std::nullopt);
    return resource_drop(h);
  }
  void reset() { (void)drop(); }

 private:
  std::optional<ResourceAny> h_;
};

namespace detail {
// Wit<H> for a class H derived from GuestHandle.
template <class H>
struct WitGuestHandle {
  static Type type() { return Type(); }  // any handle: the resource is checked when lowered
  static Val to_val(const H& h) { return Val::resource(h.raw()); }
  static Result<H> from_val(const Val& v) {
    if (v.kind() != TypeKind::Own && v.kind() != TypeKind::Borrow) return mismatch("resource", v);
    return H(v.as_resource());
  }
};
}  // namespace detail

// A component function whose type was checked against R(Args...) at lookup.
template <class Sig>
class TypedFunc;
template <class R, class... Args>
class TypedFunc<R(Args...)> {
 public:
  static Result<TypedFunc> of(const Func& f) {
    const FuncType& t = f.type();
    std::vector<Type> want{Wit<detail::Bare<Args>>::type()...};
    if (want.size() != t.params.size()) {
      return Error(ErrorKind::Unlinkable,
                   "function " + to_string(t) + " takes " + std::to_string(t.params.size()) +
                       " parameters, the C++ signature " + std::to_string(want.size()));
    }
    for (size_t i = 0; i < want.size(); ++i) {
      if (!detail::wit_matches(want[i], t.params[i].type)) {
        return Error(ErrorKind::Unlinkable, "parameter `" + t.params[i].name + "` is " +
                                                to_string(t.params[i].type) +
                                                ", the C++ signature has " + to_string(want[i]));
      }
    }
    if constexpr (std::is_void_v<R>) {
      if (!t.result.empty())
        return Error(ErrorKind::Unlinkable, "function " + to_string(t) + " returns a value");
    } else {
      if (t.result.empty() || !detail::wit_matches(Wit<R>::type(), t.result)) {
        return Error(ErrorKind::Unlinkable,
                     "function " + to_string(t) + " does not return " + to_string(Wit<R>::type()));
      }
    }
    return TypedFunc(f);
  }
  Result<R> call(const Args&... args) const {
    Val vals[sizeof...(Args) + 1] = {Wit<detail::Bare<Args>>::to_val(args)...};
    auto r = f_.call(std::span<const Val>(vals, sizeof...(Args)));
    if (!r) return std::move(r).error();
    if constexpr (std::is_void_v<R>) {
      return Result<void>();
    } else {
      return Wit<R>::from_val((*r)[0]);
    }
  }
  Result<R> operator()(const Args&... args) const { return call(args...); }

 private:
  explicit TypedFunc(Func f) : f_(std::move(f)) {}
  Func f_;
};

// Looks up export `name` of `instance` as a TypedFunc<Sig> (Unlinkable error on a type
// mismatch, naming the parameter).
template <class Sig>
Result<TypedFunc<Sig>> typed_func(const Instance& instance, std::string_view name) {
  auto f = instance.get_func(name);
  if (!f) return Error(ErrorKind::Unlinkable, "no exported function `" + std::string(name) + "`");
  return TypedFunc<Sig>::of(*f);
}

// Wraps a typed C++ callable as a dynamic HostFunc: its parameters are converted from the
// component's arguments (a mismatch traps naming the parameter), its result back. The callable
// may return void, a value, or Result<...> of those (an error becomes a trap).
template <class F>
HostFunc typed_host(F fn) {
  using Sig = detail::Signature<detail::Bare<F>>;
  using R = typename Sig::Ret;
  using Args = typename Sig::Args;
  return [fn = std::move(fn)](std::span<const Val> args,
                              std::vector<Val>& results) mutable -> Result<void> {
    constexpr size_t n = std::tuple_size_v<Args>;
    if (args.size() != n) {
      return Error(ErrorKind::Usage, "host function takes " + std::to_string(n) +
                                         " arguments, got " + std::to_string(args.size()));
    }
    Args converted;
    std::optional<Error> err;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((err ? void() : [&] {
         auto r = Wit<std::tuple_element_t<I, Args>>::from_val(args[I]);
         if (!r) {
           err = Error(ErrorKind::Usage, "argument " + std::to_string(I) + ": " + r.error().message);
         } else {
           std::get<I>(converted) = std::move(*r);
         }
       }()),
       ...);
    }
    (std::make_index_sequence<n>{});
    if (err) return *err;
    if constexpr (std::is_void_v<R>) {
      std::apply(fn, converted);
      return {};
    } else if constexpr (hull::api::detail::IsResult<R>::value) {
      using T = typename hull::api::detail::IsResult<R>::Inner;
      R r = std::apply(fn, converted);
      if (!r) return std::move(r).error();
      if constexpr (!std::is_void_v<T>) results.push_back(Wit<T>::to_val(*r));
      return {};
    } else {
      results.push_back(Wit<R>::to_val(std::apply(fn, converted)));
      return {};
    }
  };
}

// A host-defined resource whose representations are C++ objects: `Resource<T>::define`
// defines the resource type in a Linker; `make(T)` gives a new owned handle to return to a
// guest; `get(handle)` finds the object behind a handle a guest passed (own or borrow). When a
// guest drops its owned handle the object is destroyed. Objects live in a table shared by
// every store that instantiates through the linker; a handle of another resource type is
// refused.
template <class T>
class Resource {
 public:
  static Result<Resource> define(Linker& linker, std::string_view path) {
    auto objects = std::make_shared<Table>();
    auto type = linker.resource(path, [objects](uint32_t rep) { objects->items.erase(rep); });
    if (!type) return std::move(type).error();
    return Resource(*type, std::move(objects));
  }
  // A new owned handle for `value` (as a Val to return from a host function).
  Val make(T value) {
    uint32_t rep = table_->next++;
    table_->items.emplace(rep, std::make_unique<T>(std::move(value)));
    return Val::resource(ResourceAny{type_.id, rep, true, 0});
  }
  // A new owned handle for a heap object (T may be abstract: an interface the host implements).
  Val make(std::unique_ptr<T> value) {
    uint32_t rep = table_->next++;
    table_->items.emplace(rep, std::move(value));
    return Val::resource(ResourceAny{type_.id, rep, true, 0});
  }
  // Takes the object behind an owned handle the guest gave up (an `own` argument): the host
  // owns it from now on.
  Result<std::unique_ptr<T>> take(const ResourceAny& handle) {
    if (handle.type != type_.id) return Error(ErrorKind::Usage, "handle of another resource type");
    auto it = table_->items.find(handle.rep);
    if (it == table_->items.end()) return Error(ErrorKind::Usage, "resource was dropped");
    std::unique_ptr<T> out = std::move(it->second);
    table_->items.erase(it);
    return out;
  }
  // The object behind `handle`, or a Usage error for a handle of another type or a dropped one.
  Result<T*> get(const ResourceAny& handle) const {
    if (handle.type != type_.id) return Error(ErrorKind::Usage, "handle of another resource type");
    auto it = table_->items.find(handle.rep);
    if (it == table_->items.end()) return Error(ErrorKind::Usage, "resource was dropped");
    return it->second.get();
  }
  size_t live() const { return table_->items.size(); }
  ResourceType type() const { return type_; }

 private:
  struct Table {
    uint32_t next = 1;
    std::map<uint32_t, std::unique_ptr<T>> items;
  };
  Resource(ResourceType type, std::shared_ptr<Table> table)
      : type_(type), table_(std::move(table)) {}
  ResourceType type_;
  std::shared_ptr<Table> table_;
};

}  // namespace hull::api::component
