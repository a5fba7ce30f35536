// Component-model value types and values (the Explainer's valtype), shared by the component
// API (hull/component.hh), the canonical ABI and the tools. A Type is an immutable, shareable
// node; a Val is a tree of values that a Type describes.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hull::api::component {

enum class TypeKind : uint8_t {
  Bool,
  S8,
  U8,
  S16,
  U16,
  S32,
  U32,
  S64,
  U64,
  F32,
  F64,
  Char,
  String,
  ErrorContext,
  List,
  FixedList,
  Record,
  Tuple,
  Variant,
  Enum,
  Option,
  Result,
  Flags,
  Own,
  Borrow,
  Stream,
  Future,
};
const char* to_string(TypeKind k);

struct TypeNode;

namespace detail {
// The canonical ABI's layout of a type (alignment, size, core flattening), computed by the
// first lift, lower or call that needs it and kept with the type node (component/abi/layout.cc).
struct TypeLayout;
// A TypeNode's slot for its layout: filled once, by whichever thread gets there first; a copy
// of a node starts with an empty slot.
class TypeLayoutSlot {
 public:
  TypeLayoutSlot() = default;
  TypeLayoutSlot(const TypeLayoutSlot&) {}
  TypeLayoutSlot& operator=(const TypeLayoutSlot&) { return *this; }
  ~TypeLayoutSlot();
  mutable std::atomic<const TypeLayout*> layout{nullptr};
};
}  // namespace detail

// A component value type. Cheap to copy; an empty Type means "no type" (a variant case or a
// result side without payload).
class Type {
 public:
  Type() = default;
  explicit Type(std::shared_ptr<const TypeNode> n) : n_(std::move(n)) {}
  static Type prim(TypeKind k);  // Bool..ErrorContext; shared singletons

  bool empty() const { return n_ == nullptr; }
  explicit operator bool() const { return n_ != nullptr; }
  const TypeNode& node() const { return *n_; }
  const TypeNode* operator->() const { return n_.get(); }
  TypeKind kind() const;
  const std::shared_ptr<const TypeNode>& ptr() const { return n_; }

 private:
  std::shared_ptr<const TypeNode> n_;
};

// A resource type's identity inside the type context of a component (see component/types.h):
// `id` indexes the resource table of the component instance that owns the type; `name` is the
// label it was imported or exported under (for messages and WIT output).
struct ResourceRef {
  uint32_t id = 0;
  std::string name;
};

struct Field {
  std::string name;
  Type type;  // empty for a variant case without payload
};

struct TypeNode {
  TypeKind kind = TypeKind::Bool;
  std::vector<Field> fields;       // Record fields, Variant cases
  std::vector<std::string> names;  // Enum cases, Flags
  std::vector<Type>
      elems;  // Tuple; List/FixedList/Option/Stream/Future: [elem] (may be empty for stream/future)
  Type ok, err;                        // Result (either may be empty)
  uint32_t length = 0;                 // FixedList
  ResourceRef resource;                // Own, Borrow
  detail::TypeLayoutSlot layout_slot;  // the canonical ABI's layout, once computed
};

inline TypeKind Type::kind() const { return n_->kind; }

// Constructors for composite types.
Type list_type(Type elem);
Type fixed_list_type(Type elem, uint32_t length);
Type record_type(std::vector<Field> fields);
Type tuple_type(std::vector<Type> elems);
Type variant_type(std::vector<Field> cases);
Type enum_type(std::vector<std::string> cases);
Type option_type(Type elem);
Type result_type(Type ok, Type err);
Type flags_type(std::vector<std::string> names);
Type own_type(ResourceRef r);
Type borrow_type(ResourceRef r);

// WIT spelling: "u32", "list<string>", "result<u8, string>", "record { a: u32 }", ...
std::string to_string(const Type& t);
// Structural equality (resources by id).
bool operator==(const Type& a, const Type& b);

// A component function type: named params, at most one result.
struct FuncType {
  std::vector<Field> params;
  Type result;  // empty: no result
  bool async = false;
};
std::string to_string(const FuncType& t);  // "func(a: u32, b: string) -> string"

// A resource handle as the host sees it: which resource type (by its runtime identity) and the
// representation (`rep`) the owning side gave it. Own handles moved into the host must be
// given back (passed to a call) or dropped through the instance.
struct ResourceAny {
  const void* type = nullptr;  // runtime identity of the resource type (an opaque pointer)
  uint32_t rep = 0;
  bool own = true;
  uint32_t host_handle = 0;  // index in the host's handle table (component/resources.h)
  friend bool operator==(const ResourceAny&, const ResourceAny&) = default;
};

// A component value: a tree whose shape follows its Type.
class Val {
 public:
  Val() = default;  // bool false
  static Val boolean(bool b) { return scalar(TypeKind::Bool, b ? 1 : 0); }
  static Val s8(int8_t v) {
    return scalar(TypeKind::S8, static_cast<uint64_t>(static_cast<int64_t>(v)));
  }
  static Val u8(uint8_t v) { return scalar(TypeKind::U8, v); }
  static Val s16(int16_t v) {
    return scalar(TypeKind::S16, static_cast<uint64_t>(static_cast<int64_t>(v)));
  }
  static Val u16(uint16_t v) { return scalar(TypeKind::U16, v); }
  static Val s32(int32_t v) {
    return scalar(TypeKind::S32, static_cast<uint64_t>(static_cast<int64_t>(v)));
  }
  static Val u32(uint32_t v) { return scalar(TypeKind::U32, v); }
  static Val s64(int64_t v) { return scalar(TypeKind::S64, static_cast<uint64_t>(v)); }
  static Val u64(uint64_t v) { return scalar(TypeKind::U64, v); }
  static Val f32(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return scalar(TypeKind::F32, b);
  }
  static Val f64(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return scalar(TypeKind::F64, b);
  }
  static Val f32_bits(uint32_t b) { return scalar(TypeKind::F32, b); }
  static Val f64_bits(uint64_t b) { return scalar(TypeKind::F64, b); }
  static Val character(char32_t c) { return scalar(TypeKind::Char, c); }
  static Val string(std::string s) {
    Val v(TypeKind::String);
    v.text_ = std::move(s);
    return v;
  }
  // A string lifted from a guest remembers its source encoding and code-unit count: the
  // canonical ABI sizes the destination's allocations from them when the string is lowered
  // into another guest (CanonicalABI.md store_string). `origin` is opaque outside the ABI
  // layer (src/component/abi/strings.h); 0 means a host string (UTF-8). It does not take part
  // in equality.
  static Val string_with_origin(std::string s, uint64_t origin) {
    Val v = string(std::move(s));
    v.bits_ = origin;
    return v;
  }
  static Val list(std::vector<Val> items) { return with_items(TypeKind::List, std::move(items)); }
  // A list<u8> held as bytes rather than one Val per byte (what the canonical ABI lifts for
  // list<u8>, and what hosts should build for it: WASI's streams move megabytes this way).
  // It equals the same list built with list() of u8 values; items() of it is empty, so code
  // that walks lists checks is_bytes() first, or calls expand_bytes().
  static Val bytes(std::string data) {
    Val v(TypeKind::List);
    v.bits_ = kPackedBytes;
    v.text_ = std::move(data);
    return v;
  }
  static Val fixed_list(std::vector<Val> items) {
    return with_items(TypeKind::FixedList, std::move(items));
  }
  static Val tuple(std::vector<Val> items) { return with_items(TypeKind::Tuple, std::move(items)); }
  // Fields in the record type's order.
  static Val record(std::vector<std::pair<std::string, Val>> fields) {
    Val v(TypeKind::Record);
    for (auto& [n, x] : fields) {
      v.names_.push_back(std::move(n));
      v.items_.push_back(std::move(x));
    }
    return v;
  }
  static Val variant(std::string case_name, std::optional<Val> payload = std::nullopt) {
    Val v(TypeKind::Variant);
    v.text_ = std::move(case_name);
    if (payload) v.items_.push_back(std::move(*payload));
    return v;
  }
  static Val enumeration(std::string case_name) {
    Val v(TypeKind::Enum);
    v.text_ = std::move(case_name);
    return v;
  }
  static Val some(Val x) {
    Val v(TypeKind::Option);
    v.bits_ = 1;
    v.items_.push_back(std::move(x));
    return v;
  }
  static Val none() { return Val(TypeKind::Option); }
  static Val ok(std::optional<Val> x = std::nullopt) {
    Val v(TypeKind::Result);
    v.bits_ = 1;
    if (x) v.items_.push_back(std::move(*x));
    return v;
  }
  static Val err(std::optional<Val> x = std::nullopt) {
    Val v(TypeKind::Result);
    if (x) v.items_.push_back(std::move(*x));
    return v;
  }
  // The names of the flags that are set.
  static Val flags(std::vector<std::string> set) {
    Val v(TypeKind::Flags);
    v.names_ = std::move(set);
    return v;
  }
  static Val resource(ResourceAny r) {
    Val v(r.own ? TypeKind::Own : TypeKind::Borrow);
    v.res_ = r;
    return v;
  }

  TypeKind kind() const { return kind_; }
  bool as_bool() const { return bits_ != 0; }
  int64_t as_s64() const { return static_cast<int64_t>(bits_); }  // S8..S64 sign-extended
  uint64_t as_u64() const { return bits_; }                       // U8..U64, Char, raw float bits
  float as_f32() const {
    uint32_t b = static_cast<uint32_t>(bits_);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  double as_f64() const {
    double d;
    std::memcpy(&d, &bits_, 8);
    return d;
  }
  char32_t as_char() const { return static_cast<char32_t>(bits_); }
  const std::string& as_string() const { return text_; }  // String
  bool is_bytes() const { return kind_ == TypeKind::List && bits_ == kPackedBytes; }
  const std::string& bytes() const { return text_; }  // a list made by bytes()
  // The number of elements of a List (packed or not).
  size_t list_size() const { return is_bytes() ? text_.size() : items_.size(); }
  // A packed byte list as one u8 Val per element (for code that walks items()); other values
  // unchanged.
  Val expand_bytes() const {
    if (!is_bytes()) return *this;
    std::vector<Val> items;
    items.reserve(text_.size());
    for (unsigned char b : text_) items.push_back(u8(b));
    return list(std::move(items));
  }
  uint64_t string_origin() const { return kind_ == TypeKind::String ? bits_ : 0; }
  const std::string& case_name() const { return text_; }    // Variant, Enum
  const std::vector<Val>& items() const { return items_; }  // List, Tuple, Record values
  std::vector<Val>& items() { return items_; }
  const std::vector<std::string>& names() const { return names_; }  // Record fields, Flags set
  bool is_some() const { return bits_ != 0; }                       // Option
  bool is_ok() const { return bits_ != 0; }                         // Result
  // Variant/Option/Result payload, or nullptr.
  const Val* payload() const { return items_.empty() ? nullptr : &items_[0]; }
  const ResourceAny& as_resource() const { return res_; }
  uint64_t raw_bits() const { return bits_; }

  friend bool operator==(const Val& a, const Val& b) {
    if (a.is_bytes() != b.is_bytes() && a.kind_ == b.kind_) {
      return a.expand_bytes() == b.expand_bytes();  // one representation of the same list
    }
    return a.kind_ == b.kind_ && (a.kind_ == TypeKind::String || a.bits_ == b.bits_) &&
           a.text_ == b.text_ && a.items_ == b.items_ && a.names_ == b.names_ && a.res_ == b.res_;
  }

 private:
  static constexpr uint64_t kPackedBytes = 1;  // bits_ of a List made by bytes()
  explicit Val(TypeKind k) : kind_(k) {}
  static Val scalar(TypeKind k, uint64_t bits) {
    Val v(k);
    v.bits_ = bits;
    return v;
  }
  static Val with_items(TypeKind k, std::vector<Val> items) {
    Val v(k);
    v.items_ = std::move(items);
    return v;
  }
  TypeKind kind_ = TypeKind::Bool;
  uint64_t bits_ = 0;
  std::string text_;
  std::vector<Val> items_;
  std::vector<std::string> names_;
  ResourceAny res_;
};

// Whether `v` has the shape of type `t` (kinds, case and field names, flag names, string
// validity is not checked). On failure `why` says where it differs.
bool val_matches(const Val& v, const Type& t, std::string* why = nullptr);

}  // namespace hull::api::component
