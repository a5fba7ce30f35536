// ModuleDesc: a decoded (not yet validated) module. Flat arrays; function bodies and constant
// expressions are byte ranges into `bytes`, which the ModuleDesc owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "spec/types.h"

namespace hull {

// A byte range [begin, end) inside ModuleDesc::bytes. For constant expressions the range
// includes the terminating `end` opcode.
struct ByteRange {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t type_index = 0;  // Func and Tag: index into `types`
  TableType table;          // Table
  MemoryType memory;        // Memory
  GlobalType global;        // Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  size_t at = SIZE_MAX;  // where the entry begins, for error messages
};

struct GlobalDesc {
  GlobalType type;
  ByteRange init;
};

struct TableDesc {
  TableType type;
  std::optional<ByteRange> init;  // table with an explicit initializer expression (0x40 0x00 form)
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemDesc {
  size_t at = SIZE_MAX;  // where the segment begins, for error messages
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ByteRange offset;                 // Active only
  ValType type = ValType::funcref();  // element reference type
  // Either function indices (the legacy encodings) or one constant expression per item.
  bool uses_exprs = false;
  std::vector<uint32_t> func_indices;
  std::vector<ByteRange> exprs;
  size_t count() const { return uses_exprs ? exprs.size() : func_indices.size(); }
};

struct DataDesc {
  size_t at = SIZE_MAX;                    // where the segment begins, for error messages
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory = 0;
  ByteRange offset;  // Active only
  ByteRange init;    // the data bytes
};

struct LocalDecl {
  uint32_t count = 0;
  ValType type;
};

struct FuncBody {
  std::vector<LocalDecl> locals;  // declared locals (not params), as run-length groups
  uint64_t num_locals = 0;        // sum of counts
  ByteRange code;                 // instructions after the local declarations, incl. final end
  ByteRange whole;                // the whole body entry (after its size field)
};

struct CustomSection {
  std::string name;
  ByteRange contents;
};

// Where entries begin in ModuleDesc::bytes, so that module-level validation errors name a byte
// offset. Parallel to ModuleDesc::types and to each index space (imports first); empty for a
// ModuleDesc not made by the decoder.
struct EntryOffsets {
  std::vector<size_t> types;
  std::vector<size_t> funcs;  // the type index of each function
  std::vector<size_t> tables;
  std::vector<size_t> memories;
  std::vector<size_t> globals;
  std::vector<size_t> tags;
  size_t start = SIZE_MAX;

  // The offset of entry I of V, or SIZE_MAX (no location) if unknown.
  static size_t of(const std::vector<size_t>& v, size_t i) {
    return i < v.size() ? v[i] : SIZE_MAX;
  }
};

// Everything a module declares, with the imported entities first in each index space.
struct ModuleDesc {
  std::vector<uint8_t> bytes;  // the binary; all ByteRanges point into it

  std::vector<SubType> types;
  std::vector<Import> imports;

  // Index spaces (imports first). func_types[i] is the type index of function i.
  std::vector<uint32_t> func_types;
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> globals;
  std::vector<uint32_t> tags;  // type index of each tag
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_imported_tags = 0;

  // Definitions (not imports), parallel to the defined part of each index space.
  std::vector<TableDesc> defined_tables;
  std::vector<GlobalDesc> defined_globals;
  std::vector<FuncBody> bodies;  // one per defined function

  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemDesc> elems;
  std::vector<DataDesc> datas;
  std::optional<uint32_t> data_count;
  std::vector<CustomSection> customs;
  EntryOffsets at;

  // From the "name" custom section, when present and well-formed.
  std::string module_name;
  std::unordered_map<uint32_t, std::string> func_names;

  const FuncType& func_type(uint32_t func_index) const {
    return types[func_types[func_index]].func;
  }
  uint32_t num_funcs() const { return static_cast<uint32_t>(func_types.size()); }
};

}  // namespace hull
