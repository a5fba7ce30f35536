// Internal: the text module parser's class, shared by the module_*.cc files that implement it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "spec/opcodes.h"
#include "spec/types.h"
#include "text/binary_writer.h"
#include "text/cursor.h"
#include "text/module_parser.h"

namespace hull::text::module_impl {

enum Space : uint8_t { kTypeSp, kFuncSp, kTableSp, kMemSp, kGlobalSp, kTagSp, kElemSp, kDataSp,
                       kNumSpaces };
const char* const kSpaceNames[kNumSpaces] = {"type",   "func", "table", "memory",
                                             "global", "tag",  "elem",  "data"};

struct TypeInfo {
  CompositeKind kind = CompositeKind::Func;
  FuncType func;
  bool simple = false;  // a final func type alone in its group: inline type uses may reuse it
  std::unordered_map<std::string_view, uint32_t> fields;
};

struct TypeUse {
  bool has_idx = false;
  uint32_t idx = 0;
  const Token* idx_tok = nullptr;
  bool has_inline = false;
  FuncType ft;
  std::vector<std::string_view> param_names;  // "" for unnamed
};

// Text module parser + binary encoder (spec "Text Format" -> "Binary Format"). Two passes:
// pass 1 collects the identifiers of every index space (so uses may precede definitions) and
// encodes the explicit types; pass 2 encodes every other field in textual order, appending
// implicit function types for inline type uses as the spec prescribes.
// Implemented in module_parser.cc (helpers, pass 1, output), module_types.cc,
// module_instrs.cc and module_fields.cc.
class ModuleParser {
 public:
  ModuleParser(Cursor& c, std::string_view module_name, bool name_section)
      : c_(c), module_name_(module_name), name_section_(name_section) {}
  void set_u32_limits(bool on) { u32_limits_ = on; }

  Result<Bytes> run() {
    stack_base_ = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    const size_t begin_pos = c_.pos();
    HULL_TRY(pass1());
    size_t end_pos = c_.pos();
    HULL_TRY(begin_annotations(begin_pos, end_pos));
    HULL_TRY(parse_types());
    for (size_t p : fields_) {
      c_.set_pos(p);
      HULL_TRY(parse_field());
    }
    HULL_TRY(end_annotations());
    c_.set_pos(end_pos);
    return assemble();
  }

 private:
  // ---------------------------------------------------------------- helpers
  Error err(const Token& t, std::string msg) { return c_.error_at(t, std::move(msg)); }

  Status define(Space sp, const Token* id);

  Result<uint32_t> parse_u32_tok(const Token& t);

  Result<uint32_t> parse_u32();

  // An index into space `sp`: $name or a number.
  Result<uint32_t> index(Space sp);

  Result<std::string_view> name_string();

  // ---------------------------------------------------------------- pass 1
  // Skips `$id? (export ..)*` and reports whether an `(import ..)` follows, leaving the cursor
  // past the header.
  Status pass1();

  // ---------------------------------------------------------------- types
  bool at_valtype() const;

  Status parse_heaptype(ValType* vt);

  Result<ValType> parse_reftype();

  Result<ValType> parse_valtype();

  // (param ..)* (result ..)* into ft; names recorded when allowed.
  Status parse_params_results(FuncType& ft, std::vector<std::string_view>* names,
                              bool* any = nullptr);

  Status parse_storage(FieldType& f);
  Status parse_storage_plain(FieldType& f);

  // comptype: (func ..) | (struct ..) | (array ..)
  Status parse_comptype(Bytes& b, TypeInfo& ti);

  // (type $id? subtype) -> one subtype encoding.
  Status parse_typedef(Bytes& b, bool in_rec);

  Status parse_types();

  // typeuse: (type idx)? (param ..)* (result ..)*
  Status parse_typeuse(TypeUse& tu, bool allow_names);

  // The type index of a type use, appending an implicit type when needed.
  Result<uint32_t> resolve_typeuse(TypeUse& tu);

  // The function type a type use denotes (for parameter counts).
  FuncType functype_of(const TypeUse& tu);

  // ---------------------------------------------------------------- instructions
  void put_op(Bytes& b, Op op);

  Result<uint32_t> label_index();

  Result<uint32_t> local_index();

  Status block_type(Bytes& b);

  // Optional label after end/else must match the block's label.
  Status end_label(std::string_view label);

  // Guards every recursive step: a nesting limit, plus a stack budget measured from run()'s
  // frame, because frame sizes vary a lot between builds (sanitizers inflate them).
  Status enter();

  Status catches(Bytes& b);

  // Flat block instruction (block/loop/if/try_table ... end), keyword already consumed.
  Status flat_block(Bytes& b, Op op);

  // Sequence of instructions up to ')', 'end', 'else' or the end of input.
  Status instrs(Bytes& b);

  Status folded(Bytes& b);

  Status memarg(Bytes& b, Op op, uint32_t mem);

  Result<uint64_t> int_lit(unsigned bits);
  Result<uint32_t> f32_lit();
  Result<uint64_t> f64_lit();

  Status v128_const(Bytes& b);

  Result<uint32_t> lane_index();

  // A plain (non-structured) instruction in flat or folded form; the mnemonic is next.
  Status plain(Bytes& b);

  // Kept out of line so the recursion through plain() -> flat_block() stays shallow in
  // stack use (this function's frame is large, especially under sanitizers).
  [[gnu::noinline]] Status plain_immediates(Bytes& b, Op op, const Token& kw);

  Status idx_imm(Bytes& b, Space sp);
  Status opt_idx_imm(Bytes& b, Space sp);
  Status two_opt_idx(Bytes& b, Space a, Space s);

  // A constant expression (instr*) followed by `end`, outside any function.
  Status const_expr(Bytes& b);

  // ---------------------------------------------------------------- fields
  // `(export "n")*` inline exports for index `idx` of kind `kind`.
  Status inline_exports(uint8_t kind, uint32_t idx);

  // What every definition field starts with: an optional $id, its index in `space`, inline
  // exports (export kind `kind`) and an optional inline import header.
  struct FieldHead {
    uint32_t idx;
    bool imported;
  };
  Result<FieldHead> field_head(Space space, uint8_t kind);

  // `(import "m" "n")` inline import header, if present; writes module/name.
  Result<bool> inline_import();

  // limits for an address type; returns flags bits (max present).
  Status limits(Limits& l, bool is64);

  bool addrtype();

  // tabletype: addrtype? limits reftype
  Status tabletype(Bytes& b);

  // memtype: addrtype? limits shared? (pagesize n)?
  Status memtype(Bytes& b);

  Status globaltype(Bytes& b);

  Status func_import_desc(const TypeUse& tu0);

  Status parse_field();

  Status field_func();

  // Element list items after the reftype/func keyword; returns whether all are func indices.
  struct ElemList {
    ValType type = ValType::funcref();
    bool func_indices = true;
    std::vector<uint32_t> funcs;
    std::vector<Bytes> exprs;
    uint32_t count = 0;
  };

  Status elem_list(ElemList& el, bool allow_bare_funcs);

  Status elem_exprs(ElemList& el);

  // Encodes an element segment. mode: 0 active, 1 passive, 2 declarative.
  void put_elem(int mode, bool explicit_table, uint32_t table, const Bytes& offset,
                const ElemList& el);

  Status field_table();

  Status field_memory();

  Status field_global();

  Status field_tag();

  Status field_import();

  Status field_export();

  Status field_start();

  // (offset instr*) or a single folded instruction.
  Status offset_expr(Bytes& b);

  Status field_elem();

  Status field_data();

  // ---------------------------------------------------------------- annotations
  // module_annotations.cc: @custom, @name and @metadata.code.branch_hint (lexer.h Annotation).

  // Custom section slot of a section name ("func"), before or after it; -1 if none.
  static int section_slot(std::string_view name, bool after);
  static int before_first_slot();  // `(before first)`
  static int after_last_slot();    // `(after last)`, also where a custom section goes by default
  Status parse_custom_annotation(const Annotation& a);
  Result<std::string_view> name_annotation_text(const Annotation& a);
  size_t first_annotation_at(size_t pos) const;
  // After pass 1: takes this module's annotations and handles those between fields.
  Status begin_annotations(size_t begin, size_t end);
  // A @name right after a function's or tag's `$id?` (at token POS), claimed.
  Result<std::optional<std::string_view>> take_name_annotation(size_t pos);
  // The branch hint before the instruction at token POS, claimed; nullptr if none.
  Result<const Annotation*> take_branch_hint(size_t pos);
  // Records HINT (if any) for the instruction at byte OFFSET of the current body.
  void record_branch_hint(const Annotation* hint, size_t offset);
  // Any annotation left unclaimed is misplaced.
  Status end_annotations();
  void put_custom_sections(Bytes& out, int slot) const;
  void put_branch_hint_section(Bytes& out);

  struct CustomAnnotation {
    std::string name;
    int slot = 0;  // section_slot(), before_first_slot() or after_last_slot()
    Bytes contents;
  };
  struct BranchHintEntry {
    uint32_t func;
    uint32_t offset;  // from the start of the function body (its local declarations)
    std::string_view value;
    uint32_t order;  // position in the text: ties keep it
  };

  // ---------------------------------------------------------------- output

  Result<Bytes> assemble();

  using NameMap = std::vector<std::pair<uint32_t, std::string_view>>;

  // The (index, name) pairs of an identifier table, by index: the name section's order.
  static NameMap by_index(const std::unordered_map<std::string_view, uint32_t>& ids);

  static void put_name_map(Bytes& b, const NameMap& m);

  // The "name" custom section (spec appendix "Name Section"): module name (subsection 0),
  // function names (1) and local names (2), each map sorted by index. Nothing without ids.
  void append_name_section(Bytes& out);

  Cursor& c_;
  std::string_view module_name_;
  bool name_section_ = true;
  bool u32_limits_ = false;  // WatOptions::u32_limits
  // Per defined function with named locals: its index and (local index, name), sorted.
  std::vector<std::pair<uint32_t, NameMap>> local_names_;
  std::vector<size_t> fields_;
  std::unordered_map<std::string_view, uint32_t> names_[kNumSpaces];
  uint32_t counts_[kNumSpaces] = {};
  uint32_t cur_[kNumSpaces] = {};
  std::vector<bool> mem64_, table64_;
  std::vector<TypeInfo> types_;
  std::unordered_map<std::string, uint32_t> simple_types_;  // encoded func type -> index
  Bytes type_sec_;
  uint32_t type_groups_ = 0;
  Bytes imports_, funcs_, tables_, mems_, tags_, globals_, exports_, elems_, code_, datas_;
  uint32_t n_imports_ = 0, n_funcs_ = 0, n_tables_ = 0, n_mems_ = 0, n_tags_ = 0,
           n_globals_ = 0, n_exports_ = 0, n_elems_ = 0, n_datas_ = 0;
  bool has_start_ = false;
  uint32_t start_ = 0;
  bool need_datacount_ = false;
  // Function-body state.
  std::unordered_map<std::string_view, uint32_t> locals_;
  std::vector<std::string_view> labels_;
  Bytes body_;
  uint32_t depth_ = 0;
  // Annotations (module_annotations.cc).
  std::span<const Annotation> annotations_;
  std::vector<uint8_t> annotation_used_;  // parallel to annotations_
  std::vector<CustomAnnotation> customs_;
  bool has_branch_hints_ = false;
  bool in_func_body_ = false;  // branch hints may be claimed (instructions of body_)
  uint32_t hint_func_ = 0;     // the function whose body is being parsed
  std::vector<BranchHintEntry> branch_hints_;
  std::vector<std::pair<uint32_t, std::string_view>> func_name_annotations_, tag_name_annotations_;
  uintptr_t stack_base_ = 0;
  static constexpr uintptr_t kStackBudget = 1 << 20;
};

}  // namespace hull::text::module_impl
