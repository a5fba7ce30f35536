// Non-template parts of the body decoder: LEB128 and type immediates, memargs, per-op immediate
// decoding, and per-body setup.
#include "valid/function_validator.h"

#include <cstdio>

namespace hull {

using namespace valid_detail;

bool FunctionValidator::fail(Error e) {
  err_ = std::move(e);
  return false;
}
bool FunctionValidator::invalid(std::string msg) {
  return fail(Error::invalid(std::move(msg), op_offset_));
}
bool FunctionValidator::malformed(std::string msg) {
  return fail(Error::malformed(std::move(msg), pos()));
}
bool FunctionValidator::mismatch() { return invalid("type mismatch"); }
bool FunctionValidator::eof() { return malformed("unexpected end of section or function"); }
bool FunctionValidator::stack_overflow() {
  return fail(Error::make(ErrorKind::Limit, "operand stack too deep"));
}
bool FunctionValidator::feature_fail(FeatureMask missing, const std::string& what) {
  return fail(feature_disabled(first_feature(missing), what, op_offset_));
}
bool FunctionValidator::op_disabled(Op op) {
  FeatureMask missing = kOpFeatures[static_cast<unsigned>(op)] & disabled_;
  if (const_mode_ && is_extended_const_op(op)) missing |= feature_bit(Feature::ExtendedConst);
  const Feature f = first_feature(missing);
  return feature_fail(missing, std::string(feature_info(f).adjective) + " instruction " +
                                   std::string(op_info(op).name));
}

bool FunctionValidator::read_leb_slow(uint64_t* out, unsigned bits, bool is_signed) {
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t result = 0;
  unsigned shift = 0;
  uint8_t b = 0;
  for (unsigned i = 0;; ++i) {
    if (p_ >= end_) return eof();
    b = *p_++;
    if (i == max_bytes - 1) {
      if (b & 0x80) return malformed("integer representation too long");
      const unsigned used = bits - 7 * i;  // payload bits in this last byte
      if (!is_signed) {
        if (used < 7 && (b >> used) != 0) return malformed("integer too large");
      } else if (used < 7) {
        // The unused high bits must be copies of the sign bit (bit used-1).
        const uint8_t mask = static_cast<uint8_t>((0x7F << (used - 1)) & 0x7F);
        const uint8_t v = b & mask;
        if (v != 0 && v != mask) return malformed("integer too large");
      }
      result |= uint64_t(b & 0x7F) << shift;
      shift += 7;
      break;
    }
    result |= uint64_t(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (is_signed && shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;
  *out = result;
  return true;
}

bool FunctionValidator::read_heap_type(ValType* t, bool nullable) {
  uint64_t raw;
  if (!read_leb(&raw, 33, true)) return false;
  const int64_t v = static_cast<int64_t>(raw);
  if (v >= 0) {
    if (static_cast<uint64_t>(v) >= m_.types.size())
      return invalid("unknown type " + std::to_string(v));
    *t = ValType::ref(HeapKind::Concrete, nullable, static_cast<uint32_t>(v));
    return true;
  }
  HeapKind h;
  switch (v & 0x7F) {
    case 0x70: h = HeapKind::Func; break;
    case 0x6F: h = HeapKind::Extern; break;
    case 0x6E: h = HeapKind::Any; break;
    case 0x6D: h = HeapKind::Eq; break;
    case 0x6C: h = HeapKind::I31; break;
    case 0x6B: h = HeapKind::Struct; break;
    case 0x6A: h = HeapKind::Array; break;
    case 0x69: h = HeapKind::Exn; break;
    case 0x71: h = HeapKind::None; break;
    case 0x72: h = HeapKind::NoExtern; break;
    case 0x73: h = HeapKind::NoFunc; break;
    case 0x74: h = HeapKind::NoExn; break;
    default: return malformed("malformed heap type");
  }
  if (v < -64) return malformed("malformed heap type");
  *t = ValType::ref(h, nullable);
  return true;
}

bool FunctionValidator::read_val_type(ValType* t) {
  uint8_t b;
  if (!read_u8(&b)) return false;
  switch (b) {
    case 0x7F: *t = ValType::i32(); return true;
    case 0x7E: *t = ValType::i64(); return true;
    case 0x7D: *t = ValType::f32(); return true;
    case 0x7C: *t = ValType::f64(); return true;
    case 0x7B: *t = ValType::v128(); return true;
    case 0x63: return read_heap_type(t, true);
    case 0x64: return read_heap_type(t, false);
    default:
      if (b >= 0x69 && b <= 0x74) {  // shorthand nullable reference types
        --p_;
        return read_heap_type(t, true);
      }
      --p_;
      return malformed("malformed value type");
  }
}

bool FunctionValidator::read_block_type(BlockType* bt) {
  if (p_ >= end_) return eof();
  const uint8_t b = *p_;
  if (b == 0x40) {
    ++p_;
    bt->kind = BlockType::Kind::Empty;
    return true;
  }
  if ((b >= 0x7B && b <= 0x7F) || b == 0x63 || b == 0x64 || (b >= 0x69 && b <= 0x74)) {
    bt->kind = BlockType::Kind::Value;
    return read_val_type(&bt->value) && check_val_type_features(bt->value, "a block type");
  }
  uint64_t raw;
  if (!read_leb(&raw, 33, true)) return false;
  const int64_t v = static_cast<int64_t>(raw);
  if (v < 0) return malformed("malformed block type");
  if (static_cast<uint64_t>(v) >= m_.types.size() ||
      m_.types[static_cast<size_t>(v)].kind != CompositeKind::Func)
    return invalid("unknown type " + std::to_string(v));
  // Before multi-value a block had at most one result and no parameters: no type index.
  if (disabled_ & feature_bit(Feature::MultiValue)) [[unlikely]]
    return feature_fail(feature_bit(Feature::MultiValue), "block type " + std::to_string(v));
  bt->kind = BlockType::Kind::Index;
  bt->index = static_cast<uint32_t>(v);
  return true;
}

bool FunctionValidator::read_memarg(Op op) {
  uint32_t flags;
  if (!read_u32(&flags)) return false;
  // Bit 6 announces an explicit memory index; alignment exponents must stay below 64.
  if (flags >= 0x80) return malformed("malformed memop flags");
  uint32_t mem = 0;
  if (flags & 0x40) {
    if (disabled_ & feature_bit(Feature::MultiMemory)) [[unlikely]]
      return feature_fail(feature_bit(Feature::MultiMemory), "memory index in a memory argument");
    if (!read_u32(&mem)) return false;
    flags &= ~0x40u;
  }
  uint64_t offset;
  if (!read_leb(&offset, 64, false)) return false;
  in_.mem.align_log2 = flags;
  in_.mem.memory = mem;
  in_.mem.offset = offset;
  if (!check_memory(mem)) return false;
  if (op_info(op).prefix == 0xFE) {
    // Atomic accesses: exactly natural, since execution traps on any unaligned address.
    if (flags != atomic_access_log2(op_info(op).name))
      return invalid("atomic alignment must be natural");
  } else if (flags > natural_align_log2(op)) {
    return invalid("alignment must not be larger than natural");
  }
  if (!m_.memories[mem].limits.is64 && offset > 0xFFFFFFFFull)
    return invalid("offset out of range");
  return true;
}

bool FunctionValidator::decode_immediates(Op op) {
  switch (kOpImm[static_cast<unsigned>(op)]) {
    case ImmKind::None: return true;
    case ImmKind::Block: return read_block_type(&in_.block);
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Type:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Tag: return read_u32(&in_.a);
    case ImmKind::Elem:
      if (!read_u32(&in_.a)) return false;
      if (in_.a >= m_.elems.size()) return invalid("unknown elem segment " + std::to_string(in_.a));
      return true;
    case ImmKind::Data:
      if (!read_u32(&in_.a)) return false;
      if (!m_.data_count) return malformed("data count section required");
      if (in_.a >= *m_.data_count) return invalid("unknown data segment " + std::to_string(in_.a));
      return true;
    case ImmKind::MemIdx:
      if (!read_u32(&in_.a)) return false;
      return check_memory(in_.a);
    case ImmKind::Fence: {
      uint8_t ordering;
      if (!read_u8(&ordering)) return false;
      // The one memory ordering defined so far (sequentially consistent) is 0.
      if (ordering != 0) return malformed("malformed atomic.fence: reserved byte must be 0");
      return true;
    }
    case ImmKind::CallIndirect:
    case ImmKind::TableTable:
    case ImmKind::MemMem:
    case ImmKind::TypeField:
    case ImmKind::TypeN:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType: return read_u32(&in_.a) && read_u32(&in_.b);
    case ImmKind::ElemTable: return read_u32(&in_.a) && read_u32(&in_.b);
    case ImmKind::DataMem:
      if (!read_u32(&in_.a) || !read_u32(&in_.b)) return false;
      if (!m_.data_count) return malformed("data count section required");
      if (!check_memory(in_.b)) return false;
      if (in_.a >= *m_.data_count) return invalid("unknown data segment " + std::to_string(in_.a));
      return true;
    case ImmKind::BrTable: {
      uint32_t n;
      if (!read_u32(&n)) return false;
      // Each target takes at least one byte: bounds the work before reserving anything.
      if (n > static_cast<size_t>(end_ - p_)) return eof();
      br_table_.resize(size_t(n) + 1);
      for (uint32_t i = 0; i <= n; ++i)
        if (!read_u32(&br_table_[i])) return false;
      in_.br_table = std::span<const uint32_t>(br_table_);
      return true;
    }
    case ImmKind::I32: {
      uint64_t v;
      if (!read_leb(&v, 32, true)) return false;
      in_.bits = static_cast<uint32_t>(v);
      return true;
    }
    case ImmKind::I64: return read_leb(&in_.bits, 64, true);
    case ImmKind::F32: {
      uint32_t v;
      if (!read_bytes(&v, 4)) return false;
      in_.bits = v;
      return true;
    }
    case ImmKind::F64: return read_bytes(&in_.bits, 8);
    case ImmKind::V128: return read_bytes(in_.v128.bytes, 16);
    case ImmKind::Shuffle:
      if (!read_bytes(in_.v128.bytes, 16)) return false;
      for (uint8_t l : in_.v128.bytes)
        if (l >= 32) return invalid("invalid lane index");
      return true;
    case ImmKind::HeapType:
      // ref.null: nullable; ref.test/ref.cast: the opcode decides nullability.
      return read_heap_type(&in_.ref_type, op == Op::ref_null || op == Op::ref_test_null ||
                                               op == Op::ref_cast_null) &&
             check_val_type_features(in_.ref_type, "a heap type immediate");
    case ImmKind::SelectT: {
      uint32_t n;
      if (!read_u32(&n)) return false;
      if (n > static_cast<size_t>(end_ - p_)) return eof();
      select_types_.resize(n);
      for (uint32_t i = 0; i < n; ++i)
        if (!read_val_type(&select_types_[i]) ||
            !check_val_type_features(select_types_[i], "a typed select"))
          return false;
      in_.select_types = std::span<const ValType>(select_types_);
      return true;
    }
    case ImmKind::Mem: return read_memarg(op);
    case ImmKind::Lane:
      if (!read_u8(&in_.lane)) return false;
      if (in_.lane >= lane_count(op)) return invalid("invalid lane index");
      return true;
    case ImmKind::MemLane:
      if (!read_memarg(op) || !read_u8(&in_.lane)) return false;
      if (in_.lane >= lane_count(op)) return invalid("invalid lane index");
      return true;
    case ImmKind::TryTable: {
      if (!read_block_type(&in_.block)) return false;
      uint32_t n;
      if (!read_u32(&n)) return false;
      if (n > static_cast<size_t>(end_ - p_)) return eof();
      catches_.resize(n);
      for (uint32_t i = 0; i < n; ++i) {
        uint8_t k;
        if (!read_u8(&k)) return false;
        if (k > 3) return malformed("malformed catch clause");
        Catch& c = catches_[i];
        c.kind = static_cast<Catch::Kind>(k);
        if (k <= 1) {
          if (!read_u32(&c.tag)) return false;
          if (c.tag >= m_.tags.size()) return invalid("unknown tag " + std::to_string(c.tag));
        }
        if (!read_u32(&c.label)) return false;
      }
      in_.catches = std::span<const Catch>(catches_);
      return true;
    }
    case ImmKind::BrOnCast: {
      uint8_t flags;
      if (!read_u8(&flags)) return false;
      if (flags > 3) return malformed("malformed br_on_cast flags");
      if (!read_u32(&in_.a)) return false;
      if (!read_heap_type(&in_.ref_type, flags & 1)) return false;
      return read_heap_type(&in_.ref_type2, flags & 2) &&
             check_val_type_features(in_.ref_type, "a cast") &&
             check_val_type_features(in_.ref_type2, "a cast");
    }
  }
  return true;
}

bool FunctionValidator::block_signature(const BlockType& bt, Types* params, const FuncType** ft) {
  *ft = nullptr;
  *params = Types();
  if (bt.kind == BlockType::Kind::Index) {
    *ft = &m_.types[bt.index].func;
    *params = (*ft)->params;
  }
  return true;
}

void FunctionValidator::push_ctrl(Op op, Types params, const BlockType& bt, const FuncType* ft) {
  Ctrl c;
  c.op = op;
  c.unreachable = false;
  c.single = bt.kind == BlockType::Kind::Value;
  c.height = static_cast<uint32_t>(stack_.size());
  c.init_height = static_cast<uint32_t>(init_stack_.size());
  c.params = params.data();
  c.num_params = static_cast<uint32_t>(params.size());
  c.results = ft ? ft->results.data() : nullptr;
  c.num_results = ft ? static_cast<uint32_t>(ft->results.size()) : 0;
  c.single_type = bt.value;
  ctrls_.push_back(c);
}

bool FunctionValidator::stack_mismatch(Types ts) {
  const Ctrl& c = ctrls_.back();
  const size_t avail = stack_.size() - c.height;
  const size_t shown = std::min(avail, ts.size());
  std::string msg = "type mismatch: instruction requires [";
  for (size_t i = 0; i < ts.size(); ++i) msg += (i ? " " : "") + to_string(ts[i]);
  msg += "] but stack has [";
  for (size_t i = stack_.size() - shown; i < stack_.size(); ++i)
    msg += (i + shown == stack_.size() ? "" : " ") + to_string(stack_[i]);
  msg += "]";
  return invalid(std::move(msg));
}

bool FunctionValidator::check_results_match(Types callee, Types caller) {
  // Tail calls: the callee's results must be usable as the caller's results.
  if (callee.size() != caller.size()) return mismatch();
  for (size_t i = 0; i < callee.size(); ++i)
    if (!is_subtype(m_, info_, callee[i], caller[i])) return mismatch();
  return true;
}

bool FunctionValidator::setup_function(uint32_t func_index) {
  op_offset_ = 0;
  if (func_index < m_.num_imported_funcs || func_index >= m_.num_funcs() ||
      func_index - m_.num_imported_funcs >= m_.bodies.size())
    return fail(
        Error::make(ErrorKind::Usage, "not a defined function: " + std::to_string(func_index)));
  const FuncBody& body = m_.bodies[func_index - m_.num_imported_funcs];
  op_offset_ = body.whole.begin;
  const uint32_t type_index = m_.func_types[func_index];
  if (type_index >= m_.types.size() || m_.types[type_index].kind != CompositeKind::Func)
    return invalid("unknown type " + std::to_string(type_index));
  func_type_ = &m_.types[type_index].func;
  const_mode_ = false;
  const uint64_t total = func_type_->params.size() + body.num_locals;
  if (total > kMaxValidatedLocals) return malformed("too many locals");
  locals_.assign(func_type_->params.begin(), func_type_->params.end());
  local_init_.assign(total, 1);
  for (const LocalDecl& d : body.locals) {
    if (!valid_val_type(m_, d.type)) return invalid("unknown type");
    if (!check_val_type_features(d.type, "a local")) return false;
    const bool def = defaultable(d.type);
    for (uint32_t i = 0; i < d.count; ++i) {
      if (!def) local_init_[locals_.size()] = 0;
      locals_.push_back(d.type);
    }
  }
  if (locals_.size() != total) return malformed("too many locals");
  init_stack_.clear();
  stack_.clear();
  ctrls_.clear();
  BlockType bt;
  push_ctrl(Op::block, Types(), bt, func_type_);
  p_ = base_ + body.code.begin;
  end_ = base_ + body.code.end;
  return true;
}

void FunctionValidator::setup_expr(ByteRange range, const ValType& expected,
                                   uint32_t visible_globals) {
  static const FuncType kNoFunc;
  func_type_ = &kNoFunc;
  const_mode_ = true;
  visible_globals_ = visible_globals;
  expr_type_ = expected;
  locals_.clear();
  local_init_.clear();
  init_stack_.clear();
  stack_.clear();
  ctrls_.clear();
  BlockType bt;
  bt.kind = BlockType::Kind::Value;
  bt.value = expected;
  push_ctrl(Op::block, Types(), bt, nullptr);
  p_ = base_ + range.begin;
  end_ = base_ + range.end;
  op_offset_ = range.begin;
}

Status FunctionValidator::validate_const_expr(ByteRange range, const ValType& expected,
                                              uint32_t visible_globals) {
  setup_expr(range, expected, visible_globals);
  NullSink sink;
  if (!run(sink)) return std::move(err_);
  return {};
}

}  // namespace hull
