// Syntax tree of one WIT file, as written (names unresolved). The parser (parser.h) builds it;
// the resolver (resolve.h) turns a set of them into the resolved model (model.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hull::wit::ast {

// A place in a source file: `file` indexes the resolver's list of file names.
struct Loc {
  uint32_t file = 0;
  uint32_t line = 0, column = 0;
};

// @since / @unstable / @deprecated annotations in front of an item.
struct Gate {
  std::optional<std::string> since;       // version
  std::optional<std::string> unstable;    // feature name
  std::optional<std::string> deprecated;  // version
  Loc loc;
  bool empty() const { return !since && !unstable && !deprecated; }
};

enum class Prim : uint8_t { Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String };

struct TypeExpr {
  enum class Kind : uint8_t {
    Prim,
    Named,  // `name` (a type in scope; a resource name means an owned handle)
    List,   // args[0]
    FixedList,
    Tuple,   // args
    Option,  // args[0]
    Result,  // ok/err in args[0]/args[1] when has_ok/has_err
    Map,     // args[0] key, args[1] value
    Own,     // name
    Borrow,  // name
    Future,  // args[0] if any
    Stream,  // args[0] if any
  };
  Kind kind = Kind::Prim;
  Prim prim = Prim::Bool;
  std::string name;
  std::vector<TypeExpr> args;
  bool has_ok = false, has_err = false;
  uint32_t length = 0;  // FixedList
  Loc loc;
};

struct PackageName {
  std::string ns, name, version;  // version may be empty
  Loc loc;
  // "ns:name@version" (or "ns:name").
  std::string to_string() const { return ns + ':' + name + (version.empty() ? "" : "@" + version); }
};

// A reference to an interface (or world): a bare name in the current package, or
// `ns:pkg/name@version`.
struct UsePath {
  std::optional<PackageName> package;
  std::string name;
  Loc loc;
};

struct NamedType {
  std::string name;
  Loc loc;
  TypeExpr type;
  std::string docs;
};

struct Case {
  std::string name;
  Loc loc;
  std::optional<TypeExpr> type;
  std::string docs;
};

struct FuncSig {
  std::vector<NamedType> params;
  std::optional<TypeExpr> result;
  bool async = false;
  Loc loc;
};

struct ResourceFunc {
  enum class Kind : uint8_t { Method, Static, Constructor };
  Kind kind = Kind::Method;
  std::string name;  // empty for the constructor
  Loc loc;
  FuncSig sig;
  Gate gate;
  std::string docs;
};

struct TypeDecl {
  enum class Kind : uint8_t { Alias, Record, Variant, Enum, Flags, Resource };
  Kind kind = Kind::Alias;
  std::string name;
  Loc loc;
  TypeExpr alias;
  std::vector<NamedType> fields;    // Record
  std::vector<Case> cases;          // Variant, Enum (no payloads)
  std::vector<Case> flags;          // Flags
  std::vector<ResourceFunc> funcs;  // Resource
};

struct UseName {
  std::string name;
  Loc loc;
  std::optional<std::string> as;
};

struct UseDecl {
  UsePath path;
  std::vector<UseName> names;
  Loc loc;
};

struct FuncDecl {
  std::string name;
  Loc loc;
  FuncSig sig;
};

struct InterfaceItem {
  Gate gate;
  std::string docs;
  std::variant<UseDecl, TypeDecl, FuncDecl> item;
};

struct Interface {
  std::string name;
  Loc loc;
  Gate gate;
  std::string docs;
  std::vector<InterfaceItem> items;
};

// `import`/`export` in a world.
struct Extern {
  enum class Kind : uint8_t {
    Func,             // name: func(...)
    InlineInterface,  // name: interface { ... }
    NamedPath,        // name: ns:pkg/iface
    Path,             // ns:pkg/iface or iface
  };
  Kind kind = Kind::Func;
  bool is_export = false;
  std::string name;  // plain name (not for Path)
  Loc loc;
  FuncSig sig;
  std::vector<InterfaceItem> items;
  UsePath path;
};

struct IncludeName {
  std::string name, as;
  Loc loc;
};

struct Include {
  UsePath path;
  std::vector<IncludeName> with;
  Loc loc;
};

struct WorldItem {
  Gate gate;
  std::string docs;
  std::variant<Extern, UseDecl, TypeDecl, Include> item;
};

struct World {
  std::string name;
  Loc loc;
  Gate gate;
  std::string docs;
  std::vector<WorldItem> items;
};

// `use ns:pkg/iface@v as name;` at the top level of a file (file-scoped).
struct TopUse {
  UsePath path;
  std::optional<std::string> as;
  Loc loc;
  Gate gate;
};

// The items of one package within one file: the file's top level or a nested
// `package ... { }` block.
struct PackageBody {
  std::optional<PackageName> name;
  std::string docs;
  std::vector<TopUse> uses;
  std::vector<Interface> interfaces;
  std::vector<World> worlds;
  bool empty() const { return uses.empty() && interfaces.empty() && worlds.empty(); }
};

struct File {
  uint32_t file = 0;
  PackageBody top;                  // `package x;` (optional) and the top-level items
  std::vector<PackageBody> nested;  // `package x { ... }` blocks
};

}  // namespace hull::wit::ast
