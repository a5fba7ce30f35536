// The resolved WIT model: packages, interfaces, worlds, type definitions and functions with
// every name resolved to an index. Produced by the resolver (resolve.h) from parsed files;
// consumed by `hull bindgen`. Entities live in flat arrays of a Model and refer to each other
// by index (TypeId, InterfaceId, ...), so a type used from another interface is a reference,
// not a copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hull::wit {

using TypeId = uint32_t;
using InterfaceId = uint32_t;
using WorldId = uint32_t;
using PackageId = uint32_t;
inline constexpr uint32_t kNoId = UINT32_MAX;

struct SourcePos {
  std::string file;
  uint32_t line = 0, column = 0;
  std::string to_string() const {
    return file + ':' + std::to_string(line) + ':' + std::to_string(column);
  }
};

enum class Prim : uint8_t { Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String };
const char* to_string(Prim p);

// A use of a type: a primitive, or a type definition (`def`). A `def` naming a resource means
// an owned handle to it (as a bare resource name does in WIT).
struct Type {
  Prim prim = Prim::Bool;
  TypeId def = kNoId;
  bool is_prim() const { return def == kNoId; }
  static Type of(Prim p) { return Type{p, kNoId}; }
  static Type of(TypeId id) { return Type{Prim::Bool, id}; }
  friend bool operator==(const Type&, const Type&) = default;
};

// What the gates in front of an item said (items gated on a disabled feature are dropped while
// resolving, so they never appear here).
struct Stability {
  std::string since;       // @since(version = ...)
  std::string feature;     // @unstable(feature = ...) (an enabled feature)
  std::string deprecated;  // @deprecated(version = ...)
};

enum class TypeDefKind : uint8_t {
  Alias,  // `type x = ...;` and types brought in by `use` (target)
  Record,
  Variant,
  Enum,
  Flags,
  Resource,
  Own,     // own<target>
  Borrow,  // borrow<target>
  List,    // elems[0]
  FixedList,
  Tuple,
  Option,
  Result,
  Map,  // elems[0] key, elems[1] value
  Future,
  Stream,
};

struct Field {
  std::string name;
  Type type;
  std::string docs;
};

struct Case {
  std::string name;
  std::optional<Type> type;
  std::string docs;
};

struct TypeOwner {
  enum class Kind : uint8_t { None, Interface, World };
  Kind kind = Kind::None;
  uint32_t id = kNoId;
};

struct TypeDef {
  std::string name;  // empty for anonymous types (list<u8>, borrow<r>, ...)
  TypeDefKind kind = TypeDefKind::Alias;
  TypeOwner owner;
  std::vector<Field> fields;       // Record
  std::vector<Case> cases;         // Variant, Enum (no payloads)
  std::vector<std::string> flags;  // Flags
  std::vector<Type> elems;         // Tuple; List/FixedList/Option/Map; Future/Stream if any
  std::optional<Type> ok, err;     // Result
  uint32_t length = 0;             // FixedList
  Type target;                     // Alias, Own, Borrow
  std::string docs;
  Stability stability;
  SourcePos pos;
};

enum class FunctionKind : uint8_t { Freestanding, Method, Static, Constructor };

struct Param {
  std::string name;
  Type type;
};

struct Function {
  std::string name;       // the component-level name: "get", "[method]file.read", ...
  std::string item_name;  // as written: "read" ("" for a constructor)
  FunctionKind kind = FunctionKind::Freestanding;
  TypeId resource = kNoId;    // Method, Static, Constructor
  std::vector<Param> params;  // a method's first parameter is `self: borrow<resource>`
  std::optional<Type> result;
  bool async = false;
  std::string docs;
  Stability stability;
  SourcePos pos;
};

struct Interface {
  std::optional<std::string> name;  // none for an inline `import x: interface { ... }`
  PackageId package = kNoId;
  std::vector<std::pair<std::string, TypeId>> types;  // in declaration order
  std::vector<Function> functions;                    // in declaration order
  std::vector<InterfaceId> uses;  // interfaces whose types this one uses (direct, no duplicates)
  std::string docs;
  Stability stability;
  SourcePos pos;
};

struct WorldItem {
  enum class Kind : uint8_t { Interface, Function, Type };
  Kind kind = Kind::Interface;
  // The import/export name: the interface's full name ("wasi:io/streams@0.2.12"), or the plain
  // name of a function, an inline or renamed interface, or a type.
  std::string key;
  InterfaceId interface = kNoId;
  Function function;
  TypeId type = kNoId;
  Stability stability;
  std::string docs;
};

struct World {
  std::string name;
  PackageId package = kNoId;
  std::vector<WorldItem> imports;  // dependencies of imported interfaces come first
  std::vector<WorldItem> exports;
  std::string docs;
  Stability stability;
  SourcePos pos;
};

struct PackageName {
  std::string ns, name, version;
  std::string to_string() const { return ns + ':' + name + (version.empty() ? "" : "@" + version); }
  friend bool operator==(const PackageName&, const PackageName&) = default;
};

struct Package {
  PackageName name;
  std::vector<std::pair<std::string, InterfaceId>> interfaces;
  std::vector<std::pair<std::string, WorldId>> worlds;
  std::string docs;
};

struct Model {
  std::vector<Package> packages;  // dependencies before their dependents
  std::vector<Interface> interfaces;
  std::vector<World> worlds;
  std::vector<TypeDef> types;

  // "ns:pkg/name@version" for a named interface, "" for an inline one.
  std::string interface_name(InterfaceId id) const;
  std::optional<InterfaceId> find_interface(PackageId pkg, std::string_view name) const;
  std::optional<WorldId> find_world_in(PackageId pkg, std::string_view name) const;
  // Follows aliases (`type a = b;`, `use`) to the definition they name; a primitive stays.
  Type unalias(Type t) const;
  // The resource a handle type refers to (through aliases, own<> and borrow<>), or kNoId.
  TypeId resource_of(Type t) const;
};

}  // namespace hull::wit
