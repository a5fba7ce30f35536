// The decoded form of a component binary (Binary.md): every definition in section order, with
// indices still unresolved. Produced by component/binary/decoder.h, checked by the validator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "binary/module.h"
#include "spec/types.h"

namespace hull::component {

// core:sort, with the binary's byte values.
enum class CoreSort : uint8_t {
  Func = 0x00,
  Table = 0x01,
  Memory = 0x02,
  Global = 0x03,
  Tag = 0x04,
  Type = 0x10,
  Module = 0x11,
  Instance = 0x12,
};
// sort; Core carries a CoreSort beside it.
enum class Sort : uint8_t {
  Core = 0x00,
  Func = 0x01,
  Value = 0x02,
  Type = 0x03,
  Component = 0x04,
  Instance = 0x05
};

struct SortIdx {
  Sort sort = Sort::Func;
  CoreSort core = CoreSort::Func;  // when sort == Core
  uint32_t index = 0;
};

// primvaltype, with the binary's byte values.
enum class PrimValType : uint8_t {
  Bool = 0x7f,
  S8 = 0x7e,
  U8 = 0x7d,
  S16 = 0x7c,
  U16 = 0x7b,
  S32 = 0x7a,
  U32 = 0x79,
  S64 = 0x78,
  U64 = 0x77,
  F32 = 0x76,
  F64 = 0x75,
  Char = 0x74,
  String = 0x73,
  ErrorContext = 0x64,
};
const char* to_string(PrimValType t);

// valtype: a primitive or an index into the component type index space.
struct ValTypeUse {
  bool is_prim = true;
  PrimValType prim = PrimValType::Bool;
  uint32_t index = 0;
  static ValTypeUse of(PrimValType p) { return {true, p, 0}; }
  static ValTypeUse at(uint32_t i) { return {false, PrimValType::Bool, i}; }
};

struct LabeledType {
  std::string label;
  ValTypeUse type;
};
struct Case {
  std::string label;
  std::optional<ValTypeUse> type;
};

// defvaltype.
struct DefValType {
  enum class Kind : uint8_t {
    Prim,
    Record,
    Variant,
    List,
    FixedList,
    Tuple,
    Flags,
    Enum,
    Option,
    Result,
    Own,
    Borrow,
    Stream,
    Future,
    Map,
  };
  Kind kind = Kind::Prim;
  PrimValType prim = PrimValType::Bool;  // Prim
  std::vector<LabeledType> fields;       // Record
  std::vector<Case> cases;               // Variant
  std::vector<ValTypeUse> types;         // Tuple; List/FixedList/Option: [elem]; Map: [key, value]
  std::vector<std::string> labels;       // Flags, Enum
  std::optional<ValTypeUse> ok, err;     // Result; Stream/Future: element in `ok`
  uint32_t length = 0;                   // FixedList
  uint32_t resource = 0;                 // Own/Borrow: a type index
};

// functype.
struct FuncTypeDef {
  bool async = false;
  std::vector<LabeledType> params;
  std::optional<ValTypeUse> result;
};

// resourcetype: (resource (rep i32) (dtor f)?).
struct ResourceTypeDef {
  ValType rep = ValType::i32();
  std::optional<uint32_t> dtor;  // a core func index
};

// typebound / valuebound.
struct TypeBound {
  bool sub_resource = false;  // (sub resource), else (eq index)
  uint32_t eq = 0;
};

// externtype.
struct ExternDesc {
  enum class Kind : uint8_t {
    CoreModule = 0x00,
    Func = 0x01,
    Value = 0x02,
    Type = 0x03,
    Component = 0x04,
    Instance = 0x05
  };
  Kind kind = Kind::Func;
  uint32_t index = 0;    // a (core) type index for CoreModule/Func/Component/Instance
  TypeBound type_bound;  // Type
  // Value: (eq value index) or a valtype.
  bool value_eq = false;
  uint32_t value_index = 0;
  ValTypeUse value_type;
};

// An import or export name with its attributes (nameattributes).
struct ExternName {
  std::string name;
  std::optional<std::string> implements;      // 🏷️
  std::optional<std::string> version_suffix;  // 🔗
  std::optional<std::string> external_id;     // 🏷️
  // An attribute given twice ("implements", "versionsuffix" or "external-id"; the first value
  // is kept): malformed for wasmparser, but the testsuite expects assert_invalid, so the
  // decoder records it and the validator rejects it ("duplicate '<attr>' option in name").
  std::string duplicate_attribute;
  size_t duplicate_at = SIZE_MAX;
  size_t at = SIZE_MAX;
};

struct CoreTypeDecl;
struct Alias;
struct TypeDef;

// A core type: a core rectype/subtype (function, struct, array) or a core module type.
struct CoreTypeDef {
  enum class Kind : uint8_t { Rec, Module } kind = Kind::Rec;
  std::vector<SubType> rec;  // Rec: the subtypes of one recursion group (type indices are
                             // in the enclosing core type index space; each subtype's
                             // rec_group is 0, i.e. relative to the group, and rec_size is
                             // the group's size: the validator rebases them)
  std::vector<CoreTypeDecl> module_decls;  // Module
  size_t at = SIZE_MAX;
};

// core:moduledecl.
struct CoreTypeDecl {
  enum class Kind : uint8_t { Import = 0x00, Type = 0x01, Alias = 0x02, Export = 0x03 };
  Kind kind = Kind::Import;
  // Import: module/name + type; Export: name + type.
  std::string module, name;
  ExternKind extern_kind = ExternKind::Func;
  uint32_t type_index = 0;  // Func/Tag
  TableType table;
  MemoryType memory;
  GlobalType global;
  std::shared_ptr<CoreTypeDef> type;          // Type
  uint32_t outer_count = 0, outer_index = 0;  // Alias (outer type alias)
  size_t at = SIZE_MAX;
};

// alias.
struct Alias {
  enum class Target : uint8_t { Export = 0x00, CoreExport = 0x01, Outer = 0x02 };
  SortIdx sort;  // sort.index unused
  Target target = Target::Export;
  uint32_t instance = 0;     // Export/CoreExport
  std::string name;          // Export/CoreExport
  uint32_t outer_count = 0;  // Outer
  uint32_t outer_index = 0;  // Outer
  size_t at = SIZE_MAX;
};

// componentdecl / instancedecl.
struct Decl {
  enum class Kind : uint8_t {
    CoreType = 0x00,
    Type = 0x01,
    Alias = 0x02,
    Import = 0x03,
    Export = 0x04
  };
  Kind kind = Kind::Type;
  std::shared_ptr<CoreTypeDef> core_type;
  std::shared_ptr<TypeDef> type;
  Alias alias;
  ExternName name;  // Import/Export
  ExternDesc desc;  // Import/Export
  size_t at = SIZE_MAX;
};

// type (deftype).
struct TypeDef {
  enum class Kind : uint8_t { Val, Func, Component, Instance, Resource };
  Kind kind = Kind::Val;
  DefValType val;
  FuncTypeDef func;
  std::vector<Decl> decls;  // Component, Instance
  ResourceTypeDef resource;
  size_t at = SIZE_MAX;
};

// canonopt.
struct CanonOpt {
  enum class Kind : uint8_t {
    Utf8 = 0x00,
    Utf16 = 0x01,
    Latin1Utf16 = 0x02,
    Memory = 0x03,
    Realloc = 0x04,
    PostReturn = 0x05,
    Async = 0x06,
    Callback = 0x07,
    // Not in Binary.md, but accepted by wasmparser (GC ABI): decoded so that the validator
    // can reject them by name.
    CoreType = 0x08,
    Gc = 0x09,
  };
  Kind kind = Kind::Utf8;
  uint32_t index = 0;  // Memory/Realloc/PostReturn/Callback/CoreType
  size_t at = SIZE_MAX;
};

// canon: the first byte of the binary form says which built-in.
struct Canon {
  enum class Kind : uint8_t {
    Lift = 0x00,
    Lower = 0x01,
    ResourceNew = 0x02,
    ResourceDrop = 0x03,
    ResourceRep = 0x04,
    // Everything else (async, threads, error-context, ...) is kept by opcode and rejected by
    // the validator with the feature's name.
    Other = 0xff,
  };
  Kind kind = Kind::Lift;
  uint8_t opcode = 0;  // the binary opcode (also for Other)
  uint32_t func = 0;   // Lift: core func; Lower: component func
  // Lift: func type; resource.*: resource type; Other: the stream/future type (0x0e-0x1b) or
  // the core func type (thread.new-indirect, thread.spawn-*).
  uint32_t type = 0;
  std::vector<CanonOpt> opts;  // Lift, Lower; Other: task.return, stream/future read/write,
                               // error-context.new/debug-message
  // Immediates of the Other built-ins:
  bool flag = false;                   // async? / cancel? / shared?
  uint32_t index = 0;                  // context.get/set: slot; waitable-set.wait/poll: memory;
                                       // thread.new-indirect/spawn-indirect: table
  ValType core_type = ValType::i32();  // context.get/set
  std::optional<ValTypeUse> result;    // task.return (resultlist)
  size_t at = SIZE_MAX;
};

struct CoreInstantiateArg {
  std::string name;
  uint32_t instance = 0;  // a core instance
};
struct CoreInlineExport {
  std::string name;
  CoreSort sort = CoreSort::Func;
  uint32_t index = 0;
};
// core:instance.
struct CoreInstanceDef {
  bool instantiate = true;  // else inline exports
  uint32_t module = 0;
  std::vector<CoreInstantiateArg> args;
  std::vector<CoreInlineExport> exports;
  size_t at = SIZE_MAX;
};

struct InstantiateArg {
  std::string name;
  SortIdx item;
};
struct InlineExport {
  ExternName name;
  SortIdx item;
};
// instance.
struct InstanceDef {
  bool instantiate = true;  // else inline exports
  uint32_t component = 0;
  std::vector<InstantiateArg> args;
  std::vector<InlineExport> exports;
  size_t at = SIZE_MAX;
};

struct ImportDef {
  ExternName name;
  ExternDesc desc;
  size_t at = SIZE_MAX;
};
struct ExportDef {
  ExternName name;
  SortIdx item;
  std::optional<ExternDesc> desc;  // the ascribed type, if any
  size_t at = SIZE_MAX;
};
// 🪙 start and value definitions are decoded only to be rejected by the validator.
struct StartDef {
  uint32_t func = 0;
  std::vector<uint32_t> args;
  uint32_t results = 0;
  size_t at = SIZE_MAX;
};

struct ComponentDesc;

// One definition, in binary order. The index spaces are built by walking these in order.
struct Definition {
  enum class Kind : uint8_t {
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
    Export,
    Value,
  };
  Kind kind = Kind::CoreModule;
  uint32_t index = 0;  // index into the ComponentDesc vector for this kind
};

// A core module embedded in a component: its bytes (a complete core binary) and where they sit.
struct CoreModuleDef {
  size_t begin = 0, end = 0;  // byte range in ComponentDesc::bytes (the root's)
  // The module decoded by hull::decode_module (the decoder must decode it to report malformed
  // modules). Its offsets (ModuleDesc::at, ByteRanges, errors) are relative to `begin`.
  std::shared_ptr<const ModuleDesc> module;
};

struct CustomSectionDef {
  std::string name;
  size_t begin = 0, end = 0;  // the contents (after the name)
};

// From the component-name section: names of the entries of one index space.
struct SortNames {
  SortIdx sort;  // sort.index unused
  std::vector<std::pair<uint32_t, std::string>> names;
};

// A decoded component; nested components share the root's byte buffer.
struct ComponentDesc {
  std::shared_ptr<const std::vector<uint8_t>> bytes;  // the whole binary (of the root)
  size_t begin = 0, end = 0;                          // this component's range in `bytes`

  std::vector<Definition> order;
  std::vector<CoreModuleDef> core_modules;
  std::vector<CoreInstanceDef> core_instances;
  std::vector<std::shared_ptr<CoreTypeDef>> core_types;
  std::vector<std::shared_ptr<ComponentDesc>> components;
  std::vector<InstanceDef> instances;
  std::vector<Alias> aliases;
  std::vector<std::shared_ptr<TypeDef>> types;
  std::vector<Canon> canons;
  std::vector<StartDef> starts;
  std::vector<ImportDef> imports;
  std::vector<ExportDef> exports;
  std::vector<size_t> values;  // offsets of value definitions (🪙, rejected)
  std::vector<CustomSectionDef> customs;
  std::string name;                   // from the component-name custom section, if any
  std::vector<SortNames> sort_names;  // likewise (best effort: dropped if malformed)
};

}  // namespace hull::component
