// Internal: the component text parser's class, shared by the component_*.cc files.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "spec/types.h"
#include "text/binary_writer.h"
#include "text/cursor.h"

namespace hull::text::component_impl {

// Index spaces. Core and component sorts are separate spaces.
enum Sort : uint8_t {
  kCoreFunc,
  kCoreTable,
  kCoreMemory,
  kCoreGlobal,
  kCoreTag,
  kCoreType,
  kCoreModule,
  kCoreInstance,
  kFunc,
  kValue,
  kType,
  kComponent,
  kInstance,
  kNumSorts
};
const char* const kSortNames[kNumSorts] = {
    "core func", "core table",  "core memory",   "core global", "core tag",
    "core type", "core module", "core instance", "func",        "value",
    "type",      "component",   "instance"};

// Binary `sort` encoding (Binary.md sortidx): core sorts are 0x00 followed by the core:sort.
inline void put_sort(Bytes& b, Sort s) {
  static const uint8_t core[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12};
  if (s <= kCoreInstance) {
    b.push_back(0x00);
    b.push_back(core[s]);
    return;
  }
  static const uint8_t comp[] = {0x01, 0x02, 0x03, 0x04, 0x05};
  b.push_back(comp[s - kFunc]);
}

enum class ScopeKind : uint8_t { Component, ComponentType, InstanceType, ModuleType };

// What an emitted item is. The values are the component section ids; type scopes map them to
// declarator opcodes.
enum class ItemKind : uint8_t {
  Custom,
  CoreModule,
  CoreInstance,
  CoreType,
  Component,
  Instance,
  Alias,
  Type,
  Canon,
  Start,
  Import,
  Export
};

struct Item {
  ItemKind kind;
  Bytes bytes;
};

// One component, component type, instance type or module type being encoded.
struct Scope {
  ScopeKind kind = ScopeKind::Component;
  std::string_view id;  // "$name" of the scope, for outer aliases
  uint32_t count[kNumSorts] = {};
  std::unordered_map<std::string_view, uint32_t> names[kNumSorts];
  std::vector<Item> items;          // in binary order
  std::vector<Item> field_aliases;  // aliases the field being parsed needs (go right before it)
  std::vector<Item> appended;       // inline `(export "x")` abbreviations, emitted last
  bool has_start = false;
  int hoisting = 0;  // > 0 while parsing a hoisted (inline) definition
  std::unordered_map<std::string, uint32_t> core_func_types;  // ModuleType: functype -> index
};

inline bool primitive(std::string_view s, uint8_t* out) {
  static const std::pair<std::string_view, uint8_t> tab[] = {
      {"bool", 0x7f},    {"s8", 0x7e},   {"u8", 0x7d},      {"s16", 0x7c},
      {"u16", 0x7b},     {"s32", 0x7a},  {"u32", 0x79},     {"s64", 0x78},
      {"u64", 0x77},     {"f32", 0x76},  {"float32", 0x76}, {"f64", 0x75},
      {"float64", 0x75}, {"char", 0x74}, {"string", 0x73},  {"error-context", 0x64}};
  for (auto& [n, b] : tab)
    if (n == s) {
      *out = b;
      return true;
    }
  return false;
}

// Parses component fields and encodes them in one pass (components have no forward
// references). Implemented in component_parser.cc (scopes, index resolution, names, aliases,
// definitions), component_types.cc (core, module, value, func, component and instance
// types) and component_canon.cc (canonical built-ins).
class ComponentParser {
 public:
  ComponentParser(Cursor& c, bool name_section) : c_(c), name_section_(name_section) {}

  Result<Bytes> run(std::string_view id) {
    push_scope(ScopeKind::Component, id);
    HULL_TRY(component_fields());
    return finish_component();
  }

 private:
  // ---------------------------------------------------------------- scopes and output
  Scope& cur() { return scopes_.back(); }

  void push_scope(ScopeKind k, std::string_view id);

  Error err(const Token& t, std::string msg) { return c_.error_at(t, std::move(msg)); }

  Status define(Sort s, const Token* id);

  // Emits a finished field: the aliases it needed first, then the field itself.
  void emit(ItemKind k, Bytes bytes);
  // Emits a hoisted definition (an inline type or bundle instance) ahead of the field.
  void emit_hoisted(ItemKind k, Bytes bytes) { cur().items.push_back({k, std::move(bytes)}); }

  // Adds an alias needed by the definition being parsed; defines its index in `s`.
  Result<uint32_t> add_alias(Bytes bytes, Sort s, const Token* id = nullptr);

  // Groups consecutive items of one kind into a section (as wasm-tools does).
  Result<Bytes> finish_component();

  // Pops a type scope and encodes its declarators as `opcode vec(decl)`.
  Bytes finish_type_scope(uint8_t opcode);

  // ---------------------------------------------------------------- tokens
  Result<uint32_t> u32();

  Result<std::string_view> name();

  const Token* opt_id() { return c_.at(Tok::Id) ? &c_.next() : nullptr; }

  Status open(std::string_view kw);
  Status close();
  // '(' 'core' kw
  bool at_core(std::string_view kw) const {
    return c_.at_paren("core") && c_.peek(2).kind == Tok::Atom && c_.peek(2).text == kw;
  }

  // ---------------------------------------------------------------- index resolution
  // An index in sort `s`: a number, or a $name found in this scope or, like wast, in an
  // enclosing one (then an outer alias is inserted here and used).
  Result<uint32_t> index(Sort s);

  // Sort as used in alias definitions (the same bytes as sortidx's sort).
  static void put_alias_sort(Bytes& b, Sort s) { put_sort(b, s); }

  // Resolves `$inst "n1" "n2" ...` into aliases; `inst` already resolved.
  Result<uint32_t> exports_of(bool core, uint32_t inst, Sort s);

  // `idx` or `$inst "name"+` for sort s (the cursor is after the sort keyword).
  Result<uint32_t> item_ref_body(Sort s);

  // Sort keyword(s) at the cursor: `func`, `core func`, ... ; core_ctx: plain `func` etc. are
  // core sorts (inside core instances).
  bool sort_kw(Sort* out, bool core_ctx);

  // `(sort ref)`: a parenthesized item reference; returns the sort and index.
  Status item_ref(Sort* s, uint32_t* idx, bool core_ctx);

  // A reference of a known sort: `(core func ..)`, `(func ..)` or a bare index.
  Result<uint32_t> typed_ref(Sort want);

  // ---------------------------------------------------------------- names
  // An import/export name with optional attributes (nameattributes).
  Status extern_name(Bytes& b);

  // `(kw "name" attrs*)` with nothing else: the inline import/export abbreviation (a core
  // module's `(import "m" "n" ..)` or a component's `(import "n" (func))` field is not it).
  bool at_abbrev(std::string_view kw) const;

  // `(export "name")*` abbreviations on a definition.
  Status inline_exports(std::vector<Bytes>& names);

  void append_exports(const std::vector<Bytes>& names, Sort s);

  // `(import "name")` abbreviation header; fills the name bytes.
  Result<bool> inline_import(Bytes& nm);

  // ---------------------------------------------------------------- core types
  Result<ValType> core_valtype();

  // (param ..)* (result ..)* of a core function type.
  Status core_params_results(FuncType& ft);

  // A core deftype after `(core type $id?` / `(type $id?` in a module type: func, struct,
  // array, sub or module.
  // scope_id names a module type's scope (for outer aliases); in_rec drops the 0x00 prefix of
  // a non-final sub.
  Status core_deftype(Bytes& b, FuncType* ft_out, std::string_view scope_id = {},
                      bool in_rec = false);

  Status core_storage(FieldType& f);

  // (core type $id? deftype)
  Status core_type_field();
  Status core_rec_field();

  Status limits(Bytes& b, bool table);

  // A core function type use inside a module type: `(type $t)` or inline params/results,
  // reusing an identical explicitly declared function type (as wast does).
  Result<uint32_t> module_type_func_use();

  // A core import/export description `(func|table|memory|global|tag $id? ...)`.
  Status core_extern_desc(Bytes& b, bool def = true);

  Status module_type_decl();
  Result<uint32_t> module_type_use();

  Status open_atom(std::string_view kw);

  // ---------------------------------------------------------------- component types
  bool at_typeref() const;

  // A component value type; inline compound types are hoisted into type definitions.
  Status valtype(Bytes& b);

  // Parses an inline type definition with `parse` and hoists it; returns its type index.
  template <typename F>
  Result<uint32_t> hoist(F parse);

  // defvaltype: a primitive or `(record|variant|list|tuple|flags|enum|option|result|own|
  // borrow|stream|future|map ...)`.
  Status defvaltype(Bytes& b);

  // Body of a component func type after `func`: async? (param "n" t)* (result t)?
  Status functype_body(Bytes& b);

  // resultlist: `(result t)` -> 0x00 t, none -> 0x01 0x00.
  Status resultlist(Bytes& b);

  // Body of `(component decl*)` / `(instance decl*)` type after the keyword.
  Status component_type_body(Bytes& b, bool instance, std::string_view scope_id = {});

  Status type_decls(bool instance);

  // externdesc: `(core module $id? tu)`, `(func $id? tu)`, `(component ..)`, `(instance ..)`,
  // `(value $id? t)`, `(type $id? bound)`. Defines the index it introduces.
  Status extern_desc(Bytes& b, bool def = true);

  // A type use for a func/component/instance: `(type idx)` or an inline definition, hoisted.
  Result<uint32_t> type_use(Sort s);

  // (type $id? (export "x")* deftype)
  Status type_field();

  // ---------------------------------------------------------------- aliases
  Result<uint32_t> outer_depth();

  Result<uint32_t> outer_index(uint32_t depth, Sort s);

  // After `(alias`: export / core export / outer, then `(sort $id?)`.
  Status alias_field();

  Status expect_lparen();

  // `(alias export $i "n")` / `(alias core export $i "n")` as a definition body for sort s.
  Status alias_definition(Sort s, const Token* id, const std::vector<Bytes>& exports);

  // ---------------------------------------------------------------- canon
  Status canon_opts(Bytes& b);

  Status flag_kw(Bytes& b, std::string_view kw);

  // The body of a canon built-in after its name; `lift` is handled by the caller. Produces a
  // core function.
  Status canon_builtin(const Token& kw, Bytes& b);

  // `(canon lift core-func opts)` as part of `(func ... (canon lift ..))`: `ty` is the
  // function type index.
  Status canon_lift_body(Bytes& b);

  // Field `(canon ...)`: after `(canon`.
  Status canon_field();

  // ---------------------------------------------------------------- definitions
  // `(func $id? (export "x")* ...)`: import, alias, or lift.
  Status func_field();
  Status finish_import(Bytes nm, uint8_t desc, uint32_t type, Sort sort, const Token* id,
                       const std::vector<Bytes>& exports);

  // `(core func $id? (canon ...))` or `(core func $id? (alias core export ..))`.
  Status core_func_field();

  // `(core module $id? (export "x")* field*)`: the core module encoder does the fields.
  Status core_module_field();

  // Core inline exports `(export "n" (func ref))*` -> 0x01 vec(...).
  Status core_bundle(Bytes& b);

  Status core_instance_field();

  // Component inline exports `(export "n" (sort ref))*` -> 0x01 vec(...).
  Status bundle(Bytes& b);

  Status instance_field();

  // Nested `(component $id? (export "x")* field*)` or its import form.
  Status component_field();

  // (import "name" externdesc)
  Status import_field();

  // (export $id? "name" (sort ref) externdesc?)
  Status export_field();

  // (start $f (value $v)* (result (value $id?))*)
  Status start_field();

  // `(core (table|memory|global|tag) $id? (alias core export ..))` definitions.
  Status core_alias_def(Sort s);

  Status component_fields();

  Cursor& c_;
  bool name_section_;
  std::vector<Scope> scopes_;
  // Nesting depth of components and types: the lexer allows 2000 levels of parentheses,
  // deeper than the recursive type parsers should go on a small stack.
  uint32_t depth_ = 0;
  static constexpr uint32_t kMaxDepth = 500;
  Status enter() {
    if (++depth_ > kMaxDepth) return c_.error("nesting too deep");
    return {};
  }
  // Leaves the level entered by enter() when the parsing function returns.
  struct Nest {
    uint32_t& depth;
    ~Nest() { --depth; }
  };
};

}  // namespace hull::text::component_impl
