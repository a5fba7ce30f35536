// Text module parser, instructions: plain, folded and block instructions with their immediates.
#include <algorithm>
#include <cstring>

#include "text/literals.h"
#include "text/module_parser_impl.h"

namespace hull::text::module_impl {

namespace {

// Natural alignment (log2 bytes) of a load/store mnemonic, derived from its name.
uint32_t natural_align_log2(std::string_view name) {
  if (name.find("atomic.") != std::string_view::npos) return atomic_access_log2(name);
  size_t p = name.find("load");
  size_t k = p == std::string_view::npos ? name.find("store") : p;
  size_t after = k + (p == std::string_view::npos ? 5 : 4);
  unsigned bits = 0;
  if (after < name.size() && name[after] >= '0' && name[after] <= '9') {
    size_t i = after;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9')
      bits = bits * 10 + (name[i++] - '0');
    if (i < name.size() && name[i] == 'x') {
      unsigned n = 0;
      ++i;
      while (i < name.size() && name[i] >= '0' && name[i] <= '9') n = n * 10 + (name[i++] - '0');
      bits *= n;
    }
  } else if (name.substr(0, 4) == "v128") {
    bits = 128;
  } else {
    bits = (name[1] == '6') ? 64 : 32;  // i64/f64 vs i32/f32
  }
  uint32_t bytes = bits / 8, lg = 0;
  while ((1u << lg) < bytes) ++lg;
  return lg;
}

}  // namespace

void ModuleParser::put_op(Bytes& b, Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix == 0) {
    b.push_back(uint8_t(info.code));
  } else {
    b.push_back(info.prefix);
    put_u32(b, info.code);
  }
  if (op == Op::memory_init || op == Op::data_drop || op == Op::array_new_data ||
      op == Op::array_init_data)
    need_datacount_ = true;
}

Result<uint32_t> ModuleParser::label_index() {
  const Token& t = c_.peek();
  if (t.kind == Tok::Id) {
    c_.next();
    for (size_t i = labels_.size(); i-- > 0;)
      if (labels_[i] == t.text) return uint32_t(labels_.size() - 1 - i);
    return err(t, "unknown label");
  }
  if (!c_.at_nat()) return c_.unexpected();
  return parse_u32();
}

Result<uint32_t> ModuleParser::local_index() {
  const Token& t = c_.peek();
  if (t.kind == Tok::Id) {
    c_.next();
    auto it = locals_.find(t.text);
    if (it == locals_.end()) return err(t, "unknown local $" + std::string(t.text));
    return it->second;
  }
  if (!c_.at_nat()) return c_.unexpected();
  return parse_u32();
}

Status ModuleParser::block_type(Bytes& b) {
  TypeUse tu;
  HULL_TRY(parse_typeuse(tu, false));
  if (!tu.has_idx && tu.ft.params.empty() && tu.ft.results.size() <= 1) {
    if (tu.ft.results.empty()) b.push_back(0x40);
    else put_valtype(b, tu.ft.results[0]);
    return {};
  }
  HULL_ASSIGN_OR_RETURN(uint32_t idx, resolve_typeuse(tu));
  put_s64(b, idx);
  return {};
}

// Optional label after end/else must match the block's label.
Status ModuleParser::end_label(std::string_view label) {
  if (c_.at(Tok::Id)) {
    const Token& t = c_.next();
    if (t.text != label) return err(t, "mismatching label");
  }
  return {};
}

// Guards every recursive step: a nesting limit, plus a stack budget measured from run()'s
// frame, because frame sizes vary a lot between builds (sanitizers inflate them).
Status ModuleParser::enter() {
  uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (++depth_ > kMaxNesting || stack_base_ - here > kStackBudget)
    return c_.error("nesting too deep");
  return {};
}

Status ModuleParser::catches(Bytes& b) {
  Bytes cs;
  uint32_t n = 0;
  while (true) {
    uint8_t kind;
    if (c_.at_paren("catch")) kind = 0;
    else if (c_.at_paren("catch_ref")) kind = 1;
    else if (c_.at_paren("catch_all")) kind = 2;
    else if (c_.at_paren("catch_all_ref")) kind = 3;
    else break;
    c_.set_pos(c_.pos() + 2);
    cs.push_back(kind);
    if (kind < 2) {
      HULL_ASSIGN_OR_RETURN(uint32_t tag, index(kTagSp));
      put_u32(cs, tag);
    }
    HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
    put_u32(cs, l);
    HULL_TRY(c_.expect(Tok::RParen));
    ++n;
  }
  put_u32(b, n);
  b.insert(b.end(), cs.begin(), cs.end());
  return {};
}

// Flat block instruction (block/loop/if/try_table ... end), keyword already consumed.
Status ModuleParser::flat_block(Bytes& b, Op op) {
  HULL_TRY(enter());
  std::string_view label;
  if (c_.at(Tok::Id)) label = c_.next().text;
  put_op(b, op);
  HULL_TRY(block_type(b));
  if (op == Op::try_table) HULL_TRY(catches(b));
  labels_.push_back(label);
  HULL_TRY(instrs(b));
  if (op == Op::try_) {
    // Legacy: try ... (catch x ...)* (catch_all ...)? end, or try ... delegate l.
    bool any = false;
    while (c_.at_atom("catch")) {
      c_.next();
      b.push_back(0x07);
      HULL_ASSIGN_OR_RETURN(uint32_t tag, index(kTagSp));
      put_u32(b, tag);
      HULL_TRY(instrs(b));
      any = true;
    }
    if (c_.at_atom("catch_all")) {
      c_.next();
      b.push_back(0x19);
      HULL_TRY(instrs(b));
    } else if (!any && c_.at_atom("delegate")) {
      c_.next();
      labels_.pop_back();  // the label counts the frames around the try
      HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
      b.push_back(0x18);
      put_u32(b, l);
      --depth_;
      return {};
    }
  }
  if (op == Op::if_ && c_.at_atom("else")) {
    c_.next();
    HULL_TRY(end_label(label));
    b.push_back(0x05);
    HULL_TRY(instrs(b));
  }
  if (!c_.at_atom("end")) return c_.unexpected();
  c_.next();
  HULL_TRY(end_label(label));
  b.push_back(0x0B);
  labels_.pop_back();
  --depth_;
  return {};
}

// Sequence of instructions up to ')', 'end', 'else' or the end of input.
Status ModuleParser::instrs(Bytes& b) {
  while (true) {
    const Token& t = c_.peek();
    if (t.kind == Tok::LParen) {
      HULL_TRY(folded(b));
    } else if (t.kind == Tok::Atom) {
      if (t.text == "end" || t.text == "else" || t.text == "catch" || t.text == "catch_all" ||
          t.text == "delegate")
        return {};
      if (has_branch_hints_ && in_func_body_) {
        HULL_ASSIGN_OR_RETURN(const Annotation* hint, take_branch_hint(c_.pos()));
        record_branch_hint(hint, b.size());
      }
      HULL_TRY(plain(b));
    } else if (t.kind == Tok::RParen || t.kind == Tok::Eof) {
      return {};
    } else {
      return c_.unexpected();
    }
  }
}

Status ModuleParser::folded(Bytes& b) {
  HULL_TRY(enter());
  // A branch hint before a folded instruction is for the instruction, whose opcode follows
  // its folded operands.
  const Annotation* hint = nullptr;
  if (has_branch_hints_ && in_func_body_) {
    HULL_ASSIGN_OR_RETURN(hint, take_branch_hint(c_.pos()));
  }
  c_.next();  // '('
  const Token& kw = c_.peek();
  if (kw.kind != Tok::Atom) return c_.unexpected();
  std::string_view k = kw.text;
  if (k == "block" || k == "loop" || k == "try_table") {
    c_.next();
    Op op = k == "block" ? Op::block : k == "loop" ? Op::loop : Op::try_table;
    std::string_view label;
    if (c_.at(Tok::Id)) label = c_.next().text;
    record_branch_hint(hint, b.size());
    put_op(b, op);
    HULL_TRY(block_type(b));
    if (op == Op::try_table) HULL_TRY(catches(b));
    labels_.push_back(label);
    HULL_TRY(instrs(b));
    labels_.pop_back();
    b.push_back(0x0B);
  } else if (k == "try") {
    // Legacy exception handling, folded: (try $l? bt (do ...) (catch x ...)* (catch_all ...)?)
    // or (try $l? bt (do ...) (delegate l)).
    c_.next();
    std::string_view label;
    if (c_.at(Tok::Id)) label = c_.next().text;
    put_op(b, Op::try_);
    HULL_TRY(block_type(b));
    labels_.push_back(label);
    HULL_TRY(c_.expect_lparen_kw("do"));
    HULL_TRY(instrs(b));
    HULL_TRY(c_.expect(Tok::RParen));
    bool any = false;
    while (c_.at_paren("catch")) {
      c_.set_pos(c_.pos() + 2);
      b.push_back(0x07);
      HULL_ASSIGN_OR_RETURN(uint32_t tag, index(kTagSp));
      put_u32(b, tag);
      HULL_TRY(instrs(b));
      HULL_TRY(c_.expect(Tok::RParen));
      any = true;
    }
    if (c_.at_paren("catch_all")) {
      c_.set_pos(c_.pos() + 2);
      b.push_back(0x19);
      HULL_TRY(instrs(b));
      HULL_TRY(c_.expect(Tok::RParen));
    } else if (!any && c_.at_paren("delegate")) {
      c_.set_pos(c_.pos() + 2);
      labels_.pop_back();  // the label counts the frames around the try
      HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
      b.push_back(0x18);
      put_u32(b, l);
      HULL_TRY(c_.expect(Tok::RParen));
      --depth_;
      return c_.expect(Tok::RParen);
    }
    labels_.pop_back();
    b.push_back(0x0B);
  } else if (k == "if") {
    c_.next();
    std::string_view label;
    if (c_.at(Tok::Id)) label = c_.next().text;
    Bytes bt;
    HULL_TRY(block_type(bt));
    while (c_.at(Tok::LParen) && !c_.at_paren("then")) HULL_TRY(folded(b));
    record_branch_hint(hint, b.size());
    put_op(b, Op::if_);
    b.insert(b.end(), bt.begin(), bt.end());
    labels_.push_back(label);
    HULL_TRY(c_.expect_lparen_kw("then"));
    HULL_TRY(instrs(b));
    HULL_TRY(c_.expect(Tok::RParen));
    if (c_.at_paren("else")) {
      c_.set_pos(c_.pos() + 2);
      b.push_back(0x05);
      HULL_TRY(instrs(b));
      HULL_TRY(c_.expect(Tok::RParen));
    }
    labels_.pop_back();
    b.push_back(0x0B);
  } else {
    size_t start = b.size();
    const size_t hints_before = branch_hints_.size();
    HULL_TRY(plain(b));
    size_t mid = b.size();
    // Operands: folded instructions and, as wasm-tools accepts (the component testsuite
    // relies on it), plain ones, all in order.
    while (c_.at(Tok::LParen) || (c_.at(Tok::Atom) && !c_.at_atom("end") && !c_.at_atom("else"))) {
      if (c_.at(Tok::LParen)) HULL_TRY(folded(b));
      else HULL_TRY(plain(b));
    }
    // Operands come first in the binary: move the instruction after them.
    if (mid != b.size()) {
      std::rotate(b.begin() + start, b.begin() + mid, b.end());
      // The operands' own hints moved with them.
      for (size_t i = hints_before; i < branch_hints_.size(); ++i)
        if (branch_hints_[i].offset >= mid) branch_hints_[i].offset -= uint32_t(mid - start);
    }
    record_branch_hint(hint, start + (b.size() - mid));
  }
  --depth_;
  return c_.expect(Tok::RParen);
}

Status ModuleParser::memarg(Bytes& b, Op op, uint32_t mem) {
  uint64_t offset = 0;
  uint32_t align = natural_align_log2(op_info(op).name);
  bool m64 = mem < mem64_.size() && mem64_[mem];
  if (c_.at(Tok::Atom) && c_.peek().text.substr(0, 7) == "offset=") {
    const Token& t = c_.next();
    // Offsets beyond the address range are a validation error, so read a full u64.
    LitStatus st = parse_nat(t.text.substr(7), UINT64_MAX, &offset);
    if (st == LitStatus::OutOfRange)
      return err(t, m64 ? "i64 constant out of range" : "i32 constant out of range");
    if (st != LitStatus::Ok) return err(t, "unknown operator");
  }
  if (c_.at(Tok::Atom) && c_.peek().text.substr(0, 6) == "align=") {
    const Token& t = c_.next();
    uint64_t a;
    LitStatus st = parse_nat(t.text.substr(6), UINT64_MAX, &a);
    if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
    if (st != LitStatus::Ok) return err(t, "unknown operator");
    if (a == 0 || (a & (a - 1))) return err(t, "alignment must be a power of two");
    align = 0;
    while ((uint64_t(1) << align) < a) ++align;
  }
  put_u32(b, align | (mem != 0 ? 0x40 : 0));
  if (mem != 0) put_u32(b, mem);
  put_u64(b, offset);
  return {};
}

Result<uint64_t> ModuleParser::int_lit(unsigned bits) {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& t = c_.next();
  uint64_t v;
  LitStatus st = parse_int(t.text, bits, &v);
  if (st == LitStatus::OutOfRange)
    return err(t, (bits == 8 ? std::string("i8") : bits == 16 ? std::string("i16")
                   : "i" + std::to_string(bits)) + " constant out of range");
  if (st != LitStatus::Ok) return err(t, "unexpected token");
  return v;
}

Result<uint32_t> ModuleParser::f32_lit() {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& t = c_.next();
  uint32_t v;
  LitStatus st = parse_f32(t.text, &v);
  if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
  if (st != LitStatus::Ok) return err(t, "unexpected token");
  return v;
}

Result<uint64_t> ModuleParser::f64_lit() {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& t = c_.next();
  uint64_t v;
  LitStatus st = parse_f64(t.text, &v);
  if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
  if (st != LitStatus::Ok) return err(t, "unexpected token");
  return v;
}

Status ModuleParser::v128_const(Bytes& b) {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& shape = c_.next();
  std::string_view s = shape.text;
  uint8_t bytes[16];
  auto lane_missing = [&]() { return c_.peek().kind != Tok::Atom; };
  if (s == "i8x16" || s == "i16x8" || s == "i32x4" || s == "i64x2") {
    unsigned bits = s == "i8x16" ? 8 : s == "i16x8" ? 16 : s == "i32x4" ? 32 : 64;
    unsigned n = 128 / bits;
    for (unsigned i = 0; i < n; ++i) {
      if (lane_missing()) return c_.error("wrong number of lane literals");
      HULL_ASSIGN_OR_RETURN(uint64_t v, int_lit(bits));
      std::memcpy(bytes + i * (bits / 8), &v, bits / 8);  // little-endian host
    }
  } else if (s == "f32x4") {
    for (unsigned i = 0; i < 4; ++i) {
      if (lane_missing()) return c_.error("wrong number of lane literals");
      HULL_ASSIGN_OR_RETURN(uint32_t v, f32_lit());
      std::memcpy(bytes + i * 4, &v, 4);
    }
  } else if (s == "f64x2") {
    for (unsigned i = 0; i < 2; ++i) {
      if (lane_missing()) return c_.error("wrong number of lane literals");
      HULL_ASSIGN_OR_RETURN(uint64_t v, f64_lit());
      std::memcpy(bytes + i * 8, &v, 8);
    }
  } else {
    return err(shape, "unexpected token");
  }
  if (c_.at(Tok::Atom) && looks_numeric(c_.peek().text))
    return c_.error("wrong number of lane literals");
  b.insert(b.end(), bytes, bytes + 16);
  return {};
}

Result<uint32_t> ModuleParser::lane_index() {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& t = c_.next();
  uint64_t v;
  LitStatus st = parse_nat(t.text, 255, &v);
  if (st == LitStatus::OutOfRange) return err(t, "i8 constant out of range");
  if (st != LitStatus::Ok) {
    if (parse_int(t.text, 64, &v) == LitStatus::Ok) return err(t, "i8 constant out of range");
    return err(t, "unexpected token");
  }
  return uint32_t(v);
}

// A plain (non-structured) instruction in flat or folded form; the mnemonic is next.
Status ModuleParser::plain(Bytes& b) {
  const Token& kw = c_.next();
  Op op;
  if (!op_from_name(kw.text, &op)) return err(kw, "unknown operator");
  const OpInfo& info = op_info(op);
  switch (info.imm) {
    case ImmKind::Block:
      if (op == Op::if_ || op == Op::block || op == Op::loop || op == Op::try_)
        return flat_block(b, op);
      return err(kw, "unexpected token");
    case ImmKind::TryTable:
      return flat_block(b, op);
    default:
      break;
  }
  // Parts of a structured instruction are only valid inside it.
  if (op == Op::else_ || op == Op::end || op == Op::catch_ || op == Op::catch_all ||
      op == Op::delegate)
    return err(kw, "unexpected token");
  return plain_immediates(b, op, kw);
}

// Kept out of line so the recursion through plain() -> flat_block() stays shallow in
// stack use (this function's frame is large, especially under sanitizers).
Status ModuleParser::plain_immediates(Bytes& b, Op op, const Token& kw) {
  const OpInfo& info = op_info(op);
  if (op == Op::select && c_.at_paren("result")) {
    put_op(b, Op::select_t);
    std::vector<ValType> ts;
    while (c_.at_paren("result")) {
      c_.set_pos(c_.pos() + 2);
      while (!c_.at(Tok::RParen)) {
        HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
        ts.push_back(vt);
      }
      HULL_TRY(c_.expect(Tok::RParen));
    }
    put_u32(b, uint32_t(ts.size()));
    for (auto& t : ts) put_valtype(b, t);
    return {};
  }
  if (op == Op::ref_test || op == Op::ref_cast) {
    HULL_ASSIGN_OR_RETURN(ValType rt, parse_reftype());
    if (rt.nullable) op = static_cast<Op>(static_cast<unsigned>(op) + 1);
    put_op(b, op);
    put_heap(b, rt);
    return {};
  }
  put_op(b, op);
  switch (info.imm) {
    case ImmKind::None: return {};
    case ImmKind::Label: {
      HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
      put_u32(b, l);
      return {};
    }
    case ImmKind::BrTable: {
      std::vector<uint32_t> ls;
      while (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
        ls.push_back(l);
      }
      if (ls.empty()) return c_.unexpected();
      put_u32(b, uint32_t(ls.size() - 1));
      for (uint32_t l : ls) put_u32(b, l);
      return {};
    }
    case ImmKind::Func: return idx_imm(b, kFuncSp);
    case ImmKind::Global: return idx_imm(b, kGlobalSp);
    case ImmKind::Tag: return idx_imm(b, kTagSp);
    case ImmKind::Elem: return idx_imm(b, kElemSp);
    case ImmKind::Data: return idx_imm(b, kDataSp);
    case ImmKind::Type: return idx_imm(b, kTypeSp);
    case ImmKind::Local: {
      HULL_ASSIGN_OR_RETURN(uint32_t l, local_index());
      put_u32(b, l);
      return {};
    }
    case ImmKind::CallIndirect: {
      uint32_t table = 0;
      if (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(table, index(kTableSp));
      }
      TypeUse tu;
      HULL_TRY(parse_typeuse(tu, false));
      HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
      put_u32(b, ti);
      put_u32(b, table);
      return {};
    }
    case ImmKind::Table: return opt_idx_imm(b, kTableSp);
    case ImmKind::MemIdx: return opt_idx_imm(b, kMemSp);
    case ImmKind::Fence: b.push_back(0x00); return {};  // sequentially consistent
    case ImmKind::Mem: {
      uint32_t mem = 0;
      if (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
      }
      return memarg(b, op, mem);
    }
    case ImmKind::MemLane: {
      uint32_t mem = 0;
      if (c_.at(Tok::Id)) {
        HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
      } else if (c_.at_nat()) {
        const Token& n = c_.peek(1);
        bool next_is_imm = n.kind == Tok::Atom &&
                           (looks_numeric(n.text) || n.text.substr(0, 7) == "offset=" ||
                            n.text.substr(0, 6) == "align=");
        if (next_is_imm) {
          HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
        }
      }
      HULL_TRY(memarg(b, op, mem));
      HULL_ASSIGN_OR_RETURN(uint32_t lane, lane_index());
      b.push_back(uint8_t(lane));
      return {};
    }
    case ImmKind::I32: {
      HULL_ASSIGN_OR_RETURN(uint64_t v, int_lit(32));
      put_s64(b, int32_t(uint32_t(v)));
      return {};
    }
    case ImmKind::I64: {
      HULL_ASSIGN_OR_RETURN(uint64_t v, int_lit(64));
      put_s64(b, int64_t(v));
      return {};
    }
    case ImmKind::F32: {
      HULL_ASSIGN_OR_RETURN(uint32_t v, f32_lit());
      uint8_t raw[4];
      std::memcpy(raw, &v, 4);
      b.insert(b.end(), raw, raw + 4);
      return {};
    }
    case ImmKind::F64: {
      HULL_ASSIGN_OR_RETURN(uint64_t v, f64_lit());
      uint8_t raw[8];
      std::memcpy(raw, &v, 8);
      b.insert(b.end(), raw, raw + 8);
      return {};
    }
    case ImmKind::V128: return v128_const(b);
    case ImmKind::HeapType: {
      ValType vt = ValType::ref(HeapKind::Func, true);
      HULL_TRY(parse_heaptype(&vt));
      put_heap(b, vt);
      return {};
    }
    case ImmKind::DataMem: {  // memory.init memidx? dataidx -> dataidx memidx
      uint32_t mem = 0, data;
      if (c_.at_index() && (c_.peek(1).kind == Tok::Id ||
                            (c_.peek(1).kind == Tok::Atom && looks_numeric(c_.peek(1).text)))) {
        HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
      }
      HULL_ASSIGN_OR_RETURN(data, index(kDataSp));
      put_u32(b, data);
      put_u32(b, mem);
      return {};
    }
    case ImmKind::MemMem: return two_opt_idx(b, kMemSp, kMemSp);
    case ImmKind::TableTable: return two_opt_idx(b, kTableSp, kTableSp);
    case ImmKind::ElemTable: {  // table.init tableidx? elemidx -> elemidx tableidx
      uint32_t table = 0, elem;
      if (c_.at_index() && (c_.peek(1).kind == Tok::Id ||
                            (c_.peek(1).kind == Tok::Atom && looks_numeric(c_.peek(1).text)))) {
        HULL_ASSIGN_OR_RETURN(table, index(kTableSp));
      }
      HULL_ASSIGN_OR_RETURN(elem, index(kElemSp));
      put_u32(b, elem);
      put_u32(b, table);
      return {};
    }
    case ImmKind::Lane: {
      HULL_ASSIGN_OR_RETURN(uint32_t lane, lane_index());
      b.push_back(uint8_t(lane));
      return {};
    }
    case ImmKind::Shuffle: {
      for (int i = 0; i < 16; ++i) {
        if (!c_.at(Tok::Atom)) return c_.error("invalid lane length");
        HULL_ASSIGN_OR_RETURN(uint32_t lane, lane_index());
        b.push_back(uint8_t(lane));
      }
      if (c_.at(Tok::Atom) && looks_numeric(c_.peek().text))
        return c_.error("invalid lane length");
      return {};
    }
    case ImmKind::TypeField: {
      HULL_ASSIGN_OR_RETURN(uint32_t t, index(kTypeSp));
      put_u32(b, t);
      const Token& ft = c_.peek();
      if (ft.kind == Tok::Id) {
        c_.next();
        if (t >= types_.size()) return err(ft, "unknown field");
        auto it = types_[t].fields.find(ft.text);
        if (it == types_[t].fields.end()) return err(ft, "unknown field");
        put_u32(b, it->second);
      } else {
        HULL_ASSIGN_OR_RETURN(uint32_t f, parse_u32());
        put_u32(b, f);
      }
      return {};
    }
    case ImmKind::TypeN: {
      HULL_TRY(idx_imm(b, kTypeSp));
      HULL_ASSIGN_OR_RETURN(uint32_t n, parse_u32());
      put_u32(b, n);
      return {};
    }
    case ImmKind::TypeData:
      HULL_TRY(idx_imm(b, kTypeSp));
      return idx_imm(b, kDataSp);
    case ImmKind::TypeElem:
      HULL_TRY(idx_imm(b, kTypeSp));
      return idx_imm(b, kElemSp);
    case ImmKind::TypeType:
      HULL_TRY(idx_imm(b, kTypeSp));
      return idx_imm(b, kTypeSp);
    case ImmKind::BrOnCast: {
      HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
      HULL_ASSIGN_OR_RETURN(ValType r1, parse_reftype());
      HULL_ASSIGN_OR_RETURN(ValType r2, parse_reftype());
      b.push_back(uint8_t((r1.nullable ? 1 : 0) | (r2.nullable ? 2 : 0)));
      put_u32(b, l);
      put_heap(b, r1);
      put_heap(b, r2);
      return {};
    }
    case ImmKind::SelectT:
    case ImmKind::Block:
    case ImmKind::TryTable:
      break;
  }
  return err(kw, "unknown operator");
}

Status ModuleParser::idx_imm(Bytes& b, Space sp) {
  HULL_ASSIGN_OR_RETURN(uint32_t i, index(sp));
  put_u32(b, i);
  return {};
}

Status ModuleParser::opt_idx_imm(Bytes& b, Space sp) {
  uint32_t i = 0;
  if (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(i, index(sp));
      }
  put_u32(b, i);
  return {};
}

Status ModuleParser::two_opt_idx(Bytes& b, Space a, Space s) {
  uint32_t x = 0, y = 0;
  if (c_.at_index()) {
    HULL_ASSIGN_OR_RETURN(x, index(a));
    HULL_ASSIGN_OR_RETURN(y, index(s));
  }
  put_u32(b, x);
  put_u32(b, y);
  return {};
}

// A constant expression (instr*) followed by `end`, outside any function.
Status ModuleParser::const_expr(Bytes& b) {
  locals_.clear();
  labels_.clear();
  HULL_TRY(instrs(b));
  if (!c_.at(Tok::RParen)) return c_.unexpected();
  b.push_back(0x0B);
  return {};
}

}  // namespace hull::text::module_impl
