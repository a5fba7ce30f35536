// FunctionValidator: THE function-body decoder. Decodes each instruction (opcode table +
// immediate kind), type-checks it against an explicit operand/control stack (no recursion on
// nesting), and hands the typed instruction to a sink (valid/instr.h). Also validates
// constant expressions with the same machinery.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "spec/features.h"
#include "spec/opcodes.h"
#include "spec/types.h"
#include "valid/feature_check.h"
#include "valid/instr.h"
#include "valid/op_table.h"
#include "valid/subtyping.h"

namespace hull {

// Implementation limits that bound the work hostile input can cause.
constexpr uint64_t kMaxValidatedLocals = 50000;       // params + declared locals (JS API limit)
constexpr size_t kMaxOperandStack = size_t(1) << 20;  // values on the operand stack

namespace valid_detail {

// Log2 of the natural alignment (access size) of a memory op; only called for Mem/MemLane ops.
inline uint32_t natural_align_log2(Op op) {
  switch (op) {
    case Op::i32_load8_s:
    case Op::i32_load8_u:
    case Op::i64_load8_s:
    case Op::i64_load8_u:
    case Op::i32_store8:
    case Op::i64_store8:
    case Op::v128_load8_splat:
    case Op::v128_load8_lane:
    case Op::v128_store8_lane: return 0;
    case Op::i32_load16_s:
    case Op::i32_load16_u:
    case Op::i64_load16_s:
    case Op::i64_load16_u:
    case Op::i32_store16:
    case Op::i64_store16:
    case Op::v128_load16_splat:
    case Op::v128_load16_lane:
    case Op::v128_store16_lane: return 1;
    case Op::i32_load:
    case Op::f32_load:
    case Op::i64_load32_s:
    case Op::i64_load32_u:
    case Op::i32_store:
    case Op::f32_store:
    case Op::i64_store32:
    case Op::v128_load32_splat:
    case Op::v128_load32_zero:
    case Op::v128_load32_lane:
    case Op::v128_store32_lane: return 2;
    case Op::i64_load:
    case Op::f64_load:
    case Op::i64_store:
    case Op::f64_store:
    case Op::v128_load8x8_s:
    case Op::v128_load8x8_u:
    case Op::v128_load16x4_s:
    case Op::v128_load16x4_u:
    case Op::v128_load32x2_s:
    case Op::v128_load32x2_u:
    case Op::v128_load64_splat:
    case Op::v128_load64_zero:
    case Op::v128_load64_lane:
    case Op::v128_store64_lane: return 3;
    default: return 4;  // v128.load / v128.store
  }
}

// Number of lanes a Lane/MemLane op addresses.
inline uint32_t lane_count(Op op) {
  switch (op) {
    case Op::i8x16_extract_lane_s:
    case Op::i8x16_extract_lane_u:
    case Op::i8x16_replace_lane:
    case Op::v128_load8_lane:
    case Op::v128_store8_lane: return 16;
    case Op::i16x8_extract_lane_s:
    case Op::i16x8_extract_lane_u:
    case Op::i16x8_replace_lane:
    case Op::v128_load16_lane:
    case Op::v128_store16_lane: return 8;
    case Op::i32x4_extract_lane:
    case Op::i32x4_replace_lane:
    case Op::f32x4_extract_lane:
    case Op::f32x4_replace_lane:
    case Op::v128_load32_lane:
    case Op::v128_store32_lane: return 4;
    default: return 2;
  }
}

// Ops allowed in constant expressions (Wasm 3.0 extended-const + GC allocation).
inline bool is_const_op(Op op) {
  switch (op) {
    case Op::i32_const:
    case Op::i64_const:
    case Op::f32_const:
    case Op::f64_const:
    case Op::v128_const:
    case Op::ref_null:
    case Op::ref_func:
    case Op::global_get:
    case Op::i32_add:
    case Op::i32_sub:
    case Op::i32_mul:
    case Op::i64_add:
    case Op::i64_sub:
    case Op::i64_mul:
    case Op::ref_i31:
    case Op::struct_new:
    case Op::struct_new_default:
    case Op::array_new:
    case Op::array_new_default:
    case Op::array_new_fixed:
    case Op::any_convert_extern:
    case Op::extern_convert_any:
    case Op::end: return true;
    default: return false;
  }
}

// Constant-expression ops of the extended-const proposal.
inline bool is_extended_const_op(Op op) {
  switch (op) {
    case Op::i32_add:
    case Op::i32_sub:
    case Op::i32_mul:
    case Op::i64_add:
    case Op::i64_sub:
    case Op::i64_mul: return true;
    default: return false;
  }
}

}  // namespace valid_detail

// Reusable validation state for one module: construct once, then validate any number of
// function bodies / constant expressions (the vectors are reused, so steady-state validation
// does not allocate).
class FunctionValidator {
 public:
  FunctionValidator(const ModuleDesc& m, const ModuleInfo& info)
      : m_(m),
        info_(info),
        base_(m.bytes.data()),
        disabled_(kAllFeatures & ~info.features.enabled) {}

  // Validates defined function `func_index` (function index space), driving `sink`.
  template <class Sink>
  Status validate_function(uint32_t func_index, Sink& sink);

  // Validates a constant expression (range includes the final `end`) producing `expected`.
  // Only globals below `visible_globals` may be read (imported and earlier defined ones).
  Status validate_const_expr(ByteRange range, const ValType& expected, uint32_t visible_globals);

  // While set, ref.func in constant expressions marks its function in `*declared` (used while
  // computing ModuleInfo::declared).
  void collect_declared(std::vector<uint8_t>* declared) { declared_out_ = declared; }

 private:
  struct Ctrl {
    // block, loop, if_, else_, try_table, try_ / catch_ / catch_all (a legacy try by the
    // part it is in); block for the function frame
    Op op;
    bool unreachable;
    bool single;           // results is the one type in `single_type`
    uint32_t height;       // operand stack height at entry (params excluded)
    uint32_t init_height;  // init_stack_ height at entry
    const ValType* params;
    uint32_t num_params;
    const ValType* results;
    uint32_t num_results;
    ValType single_type;
  };
  using Types = std::span<const ValType>;

  static Types results_of(const Ctrl& c) {
    return c.single ? Types(&c.single_type, 1) : Types(c.results, c.num_results);
  }
  static Types params_of(const Ctrl& c) { return Types(c.params, c.num_params); }
  static Types labels_of(const Ctrl& c) { return c.op == Op::loop ? params_of(c) : results_of(c); }

  // ---- errors ----
  // Error paths are out of line and cold so the hot decode/typing paths stay small.
  [[gnu::cold, gnu::noinline]] bool fail(Error e);
  [[gnu::cold, gnu::noinline]] bool invalid(std::string msg);
  [[gnu::cold, gnu::noinline]] bool malformed(std::string msg);
  [[gnu::cold, gnu::noinline]] bool mismatch();
  [[gnu::cold, gnu::noinline]] bool eof();
  [[gnu::cold, gnu::noinline]] bool stack_overflow();
  // Construct WHAT at the current op needs the features MISSING, which are off.
  [[gnu::cold, gnu::noinline]] bool feature_fail(FeatureMask missing, const std::string& what);
  // The current op needs features that are off (kOpFeatures).
  [[gnu::cold, gnu::noinline]] bool op_disabled(Op op);
  // Value type T (in WHAT) needs a feature that is off; true if not (or all are on).
  bool check_val_type_features(const ValType& t, const char* what) {
    if (!(val_type_features(t) & disabled_)) [[likely]]
      return true;
    return feature_fail(val_type_features(t) & disabled_,
                        "value type " + to_string(t) + " of " + what);
  }
  size_t pos() const { return static_cast<size_t>(p_ - base_); }

  // ---- reading ----
  bool read_u8(uint8_t* out) {
    if (p_ >= end_) return eof();
    *out = *p_++;
    return true;
  }
  bool read_leb(uint64_t* out, unsigned bits, bool is_signed) {
    if (p_ < end_ && *p_ < 0x80) [[likely]] {  // one-byte LEB
      uint64_t v = *p_++;
      if (is_signed && (v & 0x40)) v |= ~uint64_t(0) << 7;
      *out = v;
      return true;
    }
    return read_leb_slow(out, bits, is_signed);
  }
  bool read_leb_slow(uint64_t* out, unsigned bits, bool is_signed);
  bool read_u32(uint32_t* out) {
    if (p_ < end_ && *p_ < 0x80) {  // fast path: one-byte LEB
      *out = *p_++;
      return true;
    }
    uint64_t v;
    if (!read_leb(&v, 32, false)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  bool read_bytes(void* out, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return eof();
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  bool read_heap_type(ValType* t, bool nullable);
  bool read_val_type(ValType* t);
  bool read_block_type(BlockType* bt);
  bool read_memarg(Op op);
  bool decode_immediates(Op op);

  // ---- operand stack ----
  bool push(const ValType& t) {
    if (stack_.size() >= kMaxOperandStack) [[unlikely]]
      return stack_overflow();
    stack_.push_back(t);
    return true;
  }
  bool push_types(Types ts) {
    for (const ValType& t : ts)
      if (!push(t)) return false;
    return true;
  }
  // Pops any value (Bot from the polymorphic bottom of an unreachable frame).
  bool pop_any(ValType* out) {
    const Ctrl& c = ctrls_.back();
    if (stack_.size() == c.height) {
      if (!c.unreachable) return mismatch();
      *out = ValType::bot();
      return true;
    }
    *out = stack_.back();
    stack_.pop_back();
    return true;
  }
  // Subtype check with the common cases (identical or numeric types) inline.
  bool subtype(const ValType& sub, const ValType& super) const {
    if (sub.kind != ValKind::Ref || super.kind != ValKind::Ref)
      return sub.kind == super.kind || sub.kind == ValKind::Bot;
    if (sub == super) return true;
    return is_subtype(m_, info_, sub, super);
  }
  bool pop_expect(const ValType& expect, ValType* out) {
    if (!pop_any(out)) return false;
    if (!subtype(*out, expect)) return mismatch();
    return true;
  }
  bool pop_kind(ValKind k, ValType* out) {
    const Ctrl& c = ctrls_.back();
    if (stack_.size() == c.height) {
      if (!c.unreachable) return mismatch();
      *out = ValType::bot();
      return true;
    }
    *out = stack_.back();
    if (out->kind != k && out->kind != ValKind::Bot) return mismatch();
    stack_.pop_back();
    return true;
  }
  // Pops `ts` (top first), appending the actual types to popped_ in top..bottom order; call
  // finish_popped() to put popped_ into bottom..top order.
  bool pop_types(Types ts) {
    if (!peek_types_match(ts)) return stack_mismatch(ts);
    for (size_t i = ts.size(); i-- > 0;) {
      ValType t;
      if (!pop_expect(ts[i], &t)) return false;
      popped_.push_back(t);
    }
    return true;
  }
  // Do the top values of the current frame match `ts` (without popping)?
  bool peek_types_match(Types ts) const {
    const Ctrl& c = ctrls_.back();
    const size_t avail = stack_.size() - c.height;
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i >= avail) return c.unreachable;
      if (!subtype(stack_[stack_.size() - 1 - i], ts[ts.size() - 1 - i])) return false;
    }
    return true;
  }
  // The reference interpreter's detailed message for a failed multi-value pop.
  bool stack_mismatch(Types ts);
  void finish_popped() { std::reverse(popped_.begin(), popped_.end()); }
  bool pop_ref(ValType* out) {
    if (!pop_any(out)) return false;
    if (out->kind == ValKind::Bot) {
      *out = ValType::ref(HeapKind::Bot, true);
      return true;
    }
    if (!out->is_ref()) return mismatch();
    return true;
  }
  void set_unreachable() {
    Ctrl& c = ctrls_.back();
    stack_.resize(c.height);
    c.unreachable = true;
  }
  void push_ctrl(Op op, Types params, const BlockType& bt, const FuncType* ft);
  bool block_signature(const BlockType& bt, Types* params, const FuncType** ft);
  bool check_results_match(Types callee, Types caller);

  bool label(uint32_t depth, const Ctrl** out) {
    if (depth >= ctrls_.size()) return invalid("unknown label");
    *out = &ctrls_[ctrls_.size() - 1 - depth];
    return true;
  }
  ValType addr_type(bool is64) const { return is64 ? ValType::i64() : ValType::i32(); }
  bool check_memory(uint32_t idx) {
    if (idx >= m_.memories.size()) return invalid("unknown memory " + std::to_string(idx));
    return true;
  }
  bool check_table(uint32_t idx) {
    if (idx >= m_.tables.size()) return invalid("unknown table " + std::to_string(idx));
    return true;
  }
  bool check_func_type(uint32_t idx, const FuncType** out) {
    if (idx >= m_.types.size() || m_.types[idx].kind != CompositeKind::Func)
      return invalid("unknown type " + std::to_string(idx));
    *out = &m_.types[idx].func;
    return true;
  }
  void reset_locals_to(uint32_t init_height) {
    while (init_stack_.size() > init_height) {
      local_init_[init_stack_.back()] = 0;
      init_stack_.pop_back();
    }
  }

  bool setup_function(uint32_t func_index);
  void setup_expr(ByteRange range, const ValType& expected, uint32_t visible_globals);
  template <class Sink>
  bool run(Sink& sink);
  template <class Sink>
  bool step_hand_typed(Op op, bool reachable, Sink& sink, bool* done);
  template <class Sink>
  bool step_gc(Op op, bool reachable, Sink& sink);

  const ModuleDesc& m_;
  const ModuleInfo& info_;
  const uint8_t* base_;
  const FeatureMask disabled_;  // features switched off (kAllFeatures & ~enabled)
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  size_t op_offset_ = 0;
  Error err_;

  // Per-body state (reused).
  const FuncType* func_type_ = nullptr;
  bool const_mode_ = false;
  uint32_t visible_globals_ = 0;
  ValType expr_type_;
  std::vector<ValType> stack_;
  std::vector<Ctrl> ctrls_;
  std::vector<ValType> locals_;
  std::vector<uint8_t> local_init_;
  std::vector<uint32_t> init_stack_;
  std::vector<ValType> popped_;
  std::vector<ValType> pushed_;
  std::vector<uint32_t> br_table_;
  std::vector<ValType> select_types_;
  std::vector<Catch> catches_;
  Instr in_;
  std::vector<uint8_t>* declared_out_ = nullptr;
  std::vector<uint32_t> label_seen_;  // br_table: stamp per label depth already checked
  uint32_t br_table_stamp_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Implementation (templates and small inline helpers; the rest is in function_validator.cc).

template <class Sink>
Status FunctionValidator::validate_function(uint32_t func_index, Sink& sink) {
  if (!setup_function(func_index)) return std::move(err_);
  sink.begin_function(func_index, *func_type_, std::span<const ValType>(locals_));
  if (!run(sink)) return std::move(err_);
  return sink.end_function();
}

template <class Sink>
bool FunctionValidator::run(Sink& sink) {
  using namespace valid_detail;
  for (;;) {
    if (p_ >= end_) {
      op_offset_ = pos();
      // The reference decoder reads on into the next body; mirror its two outcomes.
      if (const_mode_ || end_ == base_ + m_.bytes.size()) return eof();
      return malformed("END opcode expected");
    }
    op_offset_ = pos();
    const uint8_t b = *p_++;
    uint16_t opi;
    if (b >= 0xFB && b <= 0xFE) {
      uint32_t code;
      if (!read_u32(&code)) return false;
      opi = kNoOp;
      if (code < kMaxPrefixed)
        opi = b == 0xFB   ? kDecodeTable.fb[code]
              : b == 0xFC ? kDecodeTable.fc[code]
              : b == 0xFD ? kDecodeTable.fd[code]
                          : kDecodeTable.fe[code];
      if (opi == kNoOp) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "illegal opcode %02x %x", b, code);
        return fail(Error::malformed(buf, op_offset_));
      }
    } else {
      opi = kDecodeTable.single[b];
      if (opi == kNoOp) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "illegal opcode %02x", b);
        return fail(Error::malformed(buf, op_offset_));
      }
    }
    const Op op = static_cast<Op>(opi);
    in_.op = op;
    in_.offset = op_offset_;
    if (disabled_ && (kOpFeatures[opi] & disabled_)) [[unlikely]]
      return op_disabled(op);
    if (const_mode_ && !is_const_op(op)) return invalid("constant expression required");
    if (const_mode_ && (disabled_ & feature_bit(Feature::ExtendedConst)) &&
        is_extended_const_op(op)) [[unlikely]]
      return op_disabled(op);
    if (!decode_immediates(op)) return false;
    const bool reachable = !ctrls_.back().unreachable;
    const OpSig& sig = kOpSigs[opi];
    if (sig.typed) {
      // Mechanically typed op: the address type (if any) comes from the memory immediate.
      ValKind addr = ValKind::I32;
      if (sig.uses_addr) {
        uint32_t mem = kOpImm[opi] == ImmKind::MemIdx    ? in_.a
                       : kOpImm[opi] == ImmKind::DataMem ? in_.b
                                                         : in_.mem.memory;
        if (m_.memories[mem].limits.is64) addr = ValKind::I64;
      }
      auto kind_of = [addr](SigCode c) {
        return c == SigCode::Addr ? addr : static_cast<ValKind>(static_cast<uint8_t>(c));
      };
      ValType ps[3];
      for (unsigned i = sig.num_params; i-- > 0;)
        if (!pop_kind(kind_of(sig.params[i]), &ps[i])) return false;
      ValType r;
      if (sig.num_results) {
        r = ValType{kind_of(sig.result), false, HeapKind::Func, 0};
        if (!push(r)) return false;
      }
      sink.instr(in_, reachable, Types(ps, sig.num_params), Types(&r, sig.num_results));
      continue;
    }
    bool done = false;
    if (!step_hand_typed(op, reachable, sink, &done)) return false;
    if (done) return true;
  }
}

template <class Sink>
bool FunctionValidator::step_hand_typed(Op op, bool reachable, Sink& sink, bool* done) {
  popped_.clear();
  pushed_.clear();
  auto emit = [&]() { sink.instr(in_, reachable, Types(popped_), Types(pushed_)); };
  ValType t;
  switch (op) {
    case Op::unreachable:
      set_unreachable();
      emit();
      return true;

    case Op::block:
    case Op::loop:
    case Op::if_:
    case Op::try_:
    case Op::try_table: {
      Types params;
      const FuncType* ft = nullptr;
      if (!block_signature(in_.block, &params, &ft)) return false;
      if (op == Op::if_) {
        if (!pop_kind(ValKind::I32, &t)) return false;
        popped_.push_back(t);
      }
      if (op == Op::try_table) {
        // Each catch clause must be able to branch to its label with the caught values.
        for (const Catch& c : catches_) {
          const Ctrl* l;
          if (!label(c.label, &l)) return false;
          Types lt = labels_of(*l);
          Types tag_params;
          if (c.kind == Catch::Kind::Catch || c.kind == Catch::Kind::CatchRef)
            tag_params = m_.types[m_.tags[c.tag]].func.params;
          bool with_ref = c.kind == Catch::Kind::CatchRef || c.kind == Catch::Kind::CatchAllRef;
          if (lt.size() != tag_params.size() + (with_ref ? 1 : 0)) return mismatch();
          for (size_t i = 0; i < tag_params.size(); ++i)
            if (!is_subtype(m_, info_, tag_params[i], lt[i])) return mismatch();
          if (with_ref && !is_subtype(m_, info_, ValType::ref(HeapKind::Exn, false), lt.back()))
            return mismatch();
        }
      }
      if (!pop_types(params)) return false;
      finish_popped();
      push_ctrl(op, params, in_.block, ft);
      if (!push_types(params)) return false;
      pushed_.assign(params.begin(), params.end());
      emit();
      return true;
    }

    case Op::else_: {
      Ctrl& c = ctrls_.back();
      if (c.op != Op::if_) return malformed("END opcode expected");
      Types res = results_of(c);
      if (!pop_types(res)) return false;
      finish_popped();
      if (stack_.size() != c.height) return mismatch();
      reset_locals_to(c.init_height);
      c.op = Op::else_;
      c.unreachable = false;
      Types params = params_of(c);
      if (!push_types(params)) return false;
      pushed_.assign(params.begin(), params.end());
      emit();
      return true;
    }

    // Legacy exception handling: try ... (catch x ...)* (catch_all ...)? end, and
    // try ... delegate l. A catch ends the previous body like `else` does and starts one with
    // the tag's values on the stack.
    case Op::catch_:
    case Op::catch_all: {
      Ctrl& c = ctrls_.back();
      if (c.op != Op::try_ && c.op != Op::catch_)
        return malformed(std::string(op == Op::catch_ ? "catch" : "catch_all") +
                         " without a matching try");
      if (op == Op::catch_ && in_.a >= m_.tags.size())
        return invalid("unknown tag " + std::to_string(in_.a));
      Types res = results_of(c);
      if (!pop_types(res)) return false;
      finish_popped();
      if (stack_.size() != c.height) return mismatch();
      reset_locals_to(c.init_height);
      c.op = op;
      c.unreachable = false;
      if (op == Op::catch_) {
        Types tp = m_.types[m_.tags[in_.a]].func.params;
        if (!push_types(tp)) return false;
        pushed_.assign(tp.begin(), tp.end());
      }
      emit();
      return true;
    }

    case Op::delegate: {
      Ctrl c = ctrls_.back();
      if (c.op != Op::try_) return malformed("delegate without a matching try");
      Types res = results_of(c);
      if (!pop_types(res)) return false;
      finish_popped();
      if (stack_.size() != c.height) return mismatch();
      // The label counts the frames around the try, not the try itself.
      if (in_.a >= ctrls_.size() - 1) return invalid("unknown label");
      reset_locals_to(c.init_height);
      pushed_.assign(res.begin(), res.end());
      ctrls_.pop_back();
      emit();
      return push_types(pushed_);
    }

    case Op::rethrow: {
      const Ctrl* l;
      if (!label(in_.a, &l)) return false;
      if (l->op != Op::catch_ && l->op != Op::catch_all) return invalid("invalid rethrow label");
      set_unreachable();
      emit();
      return true;
    }

    case Op::end: {
      Ctrl c = ctrls_.back();
      Types res = results_of(c);
      if (!pop_types(res)) return false;
      finish_popped();
      if (stack_.size() != c.height) return mismatch();
      if (c.op == Op::if_) {
        // No else: the implicit empty else branch must turn the params into the results.
        Types params = params_of(c);
        if (params.size() != res.size()) return mismatch();
        for (size_t i = 0; i < params.size(); ++i)
          if (!is_subtype(m_, info_, params[i], res[i])) return mismatch();
      }
      reset_locals_to(c.init_height);
      pushed_.assign(res.begin(), res.end());
      ctrls_.pop_back();
      emit();
      if (ctrls_.empty()) {
        if (p_ != end_) return malformed("section size mismatch");
        *done = true;
        return true;
      }
      return push_types(pushed_);
    }

    case Op::br: {
      const Ctrl* l;
      if (!label(in_.a, &l)) return false;
      if (!pop_types(labels_of(*l))) return false;
      finish_popped();
      set_unreachable();
      emit();
      return true;
    }

    case Op::br_if: {
      const Ctrl* l;
      if (!label(in_.a, &l)) return false;
      Types lt = labels_of(*l);
      if (!pop_kind(ValKind::I32, &t)) return false;
      popped_.push_back(t);
      if (!pop_types(lt)) return false;
      finish_popped();
      if (!push_types(lt)) return false;
      pushed_.assign(lt.begin(), lt.end());
      emit();
      return true;
    }

    case Op::br_table: {
      if (!pop_kind(ValKind::I32, &t)) return false;
      const Ctrl* dl;
      if (!label(br_table_.back(), &dl)) return false;
      const size_t arity = labels_of(*dl).size();
      // Each distinct target is checked once (bounds the work of long hostile tables), by
      // peeking: operands missing in dead code match anything, as popping Bot would.
      if (label_seen_.size() < ctrls_.size()) label_seen_.resize(ctrls_.size(), 0);
      if (++br_table_stamp_ == 0) {
        std::fill(label_seen_.begin(), label_seen_.end(), 0);
        br_table_stamp_ = 1;
      }
      for (size_t i = 0; i + 1 < br_table_.size(); ++i) {
        const Ctrl* l;
        if (!label(br_table_[i], &l)) return false;
        uint32_t& seen = label_seen_[br_table_[i]];
        if (seen == br_table_stamp_) continue;
        seen = br_table_stamp_;
        Types lt = labels_of(*l);
        if (lt.size() != arity) return mismatch();
        if (!peek_types_match(lt)) return stack_mismatch(lt);
      }
      popped_.clear();
      popped_.push_back(t);
      if (!pop_types(labels_of(*dl))) return false;
      finish_popped();
      set_unreachable();
      emit();
      return true;
    }

    case Op::return_: {
      if (!pop_types(func_type_->results)) return false;
      finish_popped();
      set_unreachable();
      emit();
      return true;
    }

    case Op::call:
    case Op::return_call: {
      if (in_.a >= m_.num_funcs()) return invalid("unknown function " + std::to_string(in_.a));
      const FuncType& ft = m_.func_type(in_.a);
      if (!pop_types(ft.params)) return false;
      finish_popped();
      if (op == Op::return_call) {
        if (!check_results_match(ft.results, func_type_->results)) return false;
        set_unreachable();
      } else {
        if (!push_types(ft.results)) return false;
        pushed_.assign(ft.results.begin(), ft.results.end());
      }
      emit();
      return true;
    }

    case Op::call_indirect:
    case Op::return_call_indirect: {
      if (!check_table(in_.b)) return false;
      const FuncType* ft;
      if (!check_func_type(in_.a, &ft)) return false;
      const TableType& tt = m_.tables[in_.b];
      if (!is_subtype(m_, info_, tt.elem, ValType::funcref())) return mismatch();
      if (!pop_kind(addr_type(tt.limits.is64).kind, &t)) return false;
      popped_.push_back(t);
      if (!pop_types(ft->params)) return false;
      finish_popped();
      if (op == Op::return_call_indirect) {
        if (!check_results_match(ft->results, func_type_->results)) return false;
        set_unreachable();
      } else {
        if (!push_types(ft->results)) return false;
        pushed_.assign(ft->results.begin(), ft->results.end());
      }
      emit();
      return true;
    }

    case Op::call_ref:
    case Op::return_call_ref: {
      const FuncType* ft;
      if (!check_func_type(in_.a, &ft)) return false;
      if (!pop_expect(ValType::ref(HeapKind::Concrete, true, in_.a), &t)) return false;
      popped_.push_back(t);
      if (!pop_types(ft->params)) return false;
      finish_popped();
      if (op == Op::return_call_ref) {
        if (!check_results_match(ft->results, func_type_->results)) return false;
        set_unreachable();
      } else {
        if (!push_types(ft->results)) return false;
        pushed_.assign(ft->results.begin(), ft->results.end());
      }
      emit();
      return true;
    }

    case Op::drop:
      if (!pop_any(&t)) return false;
      popped_.push_back(t);
      emit();
      return true;

    case Op::select:
    case Op::select_t: {
      ValType c, t1, t2;
      if (!pop_kind(ValKind::I32, &c)) return false;
      if (op == Op::select_t) {
        if (select_types_.size() != 1) return invalid("invalid result arity");
        const ValType& st = select_types_[0];
        if (!pop_expect(st, &t1) || !pop_expect(st, &t2)) return false;
        t = st;
      } else {
        if (!pop_any(&t1) || !pop_any(&t2)) return false;
        // Untyped select only for numeric and vector operands.
        if (t1.is_ref() || t2.is_ref()) return mismatch();
        if (t1.kind != t2.kind && t1.kind != ValKind::Bot && t2.kind != ValKind::Bot)
          return mismatch();
        t = t1.kind == ValKind::Bot ? t2 : t1;
      }
      popped_ = {t2, t1, c};
      if (!push(t)) return false;
      pushed_.push_back(t);
      emit();
      return true;
    }

    // Local accesses are the most frequent ops: no popped_/pushed_ vectors.
    case Op::local_get: {
      if (in_.a >= locals_.size()) return invalid("unknown local " + std::to_string(in_.a));
      if (!local_init_[in_.a]) return invalid("uninitialized local " + std::to_string(in_.a));
      t = locals_[in_.a];
      if (!push(t)) return false;
      sink.instr(in_, reachable, Types(), Types(&t, 1));
      return true;
    }
    case Op::local_set:
    case Op::local_tee: {
      if (in_.a >= locals_.size()) return invalid("unknown local " + std::to_string(in_.a));
      const ValType lt = locals_[in_.a];
      if (!pop_expect(lt, &t)) return false;
      if (!local_init_[in_.a]) {
        local_init_[in_.a] = 1;
        init_stack_.push_back(in_.a);
      }
      if (op == Op::local_tee && !push(lt)) return false;
      sink.instr(in_, reachable, Types(&t, 1), Types(&lt, op == Op::local_tee ? 1 : 0));
      return true;
    }

    case Op::global_get: {
      if (in_.a >= m_.globals.size() || (const_mode_ && in_.a >= visible_globals_))
        return invalid("unknown global " + std::to_string(in_.a));
      const GlobalType& g = m_.globals[in_.a];
      if (const_mode_ && g.mut) return invalid("constant expression required");
      // Wasm 3.0 (with GC) lets constant expressions read defined globals; before, imports only.
      if (const_mode_ && in_.a >= m_.num_imported_globals) [[unlikely]] {
        if (FeatureMask missing = with_prerequisites(Feature::Gc) & disabled_)
          return feature_fail(missing, "global.get of defined global " + std::to_string(in_.a) +
                                           " in a constant expression");
      }
      if (!push(g.type)) return false;
      pushed_.push_back(g.type);
      emit();
      return true;
    }
    case Op::global_set: {
      if (in_.a >= m_.globals.size()) return invalid("unknown global " + std::to_string(in_.a));
      const GlobalType& g = m_.globals[in_.a];
      if (!g.mut) return invalid("immutable global");
      if (!pop_expect(g.type, &t)) return false;
      popped_.push_back(t);
      emit();
      return true;
    }

    case Op::table_get:
    case Op::table_set:
    case Op::table_size:
    case Op::table_grow:
    case Op::table_fill: {
      if (!check_table(in_.a)) return false;
      const TableType& tt = m_.tables[in_.a];
      const ValType at = addr_type(tt.limits.is64);
      ValType x, y;
      switch (op) {
        case Op::table_get:
          if (!pop_kind(at.kind, &x)) return false;
          popped_ = {x};
          pushed_.push_back(tt.elem);
          break;
        case Op::table_set:
          if (!pop_expect(tt.elem, &y) || !pop_kind(at.kind, &x)) return false;
          popped_ = {x, y};
          break;
        case Op::table_size: pushed_.push_back(at); break;
        case Op::table_grow:
          if (!pop_kind(at.kind, &y) || !pop_expect(tt.elem, &x)) return false;
          popped_ = {x, y};
          pushed_.push_back(at);
          break;
        default: {  // table.fill: [at elem at]
          ValType z;
          if (!pop_kind(at.kind, &z) || !pop_expect(tt.elem, &y) || !pop_kind(at.kind, &x))
            return false;
          popped_ = {x, y, z};
          break;
        }
      }
      if (!push_types(pushed_)) return false;
      emit();
      return true;
    }

    case Op::table_init: {  // a = elem, b = table
      if (!check_table(in_.b)) return false;
      if (in_.a >= m_.elems.size()) return invalid("unknown elem segment " + std::to_string(in_.a));
      const TableType& tt = m_.tables[in_.b];
      if (!is_subtype(m_, info_, m_.elems[in_.a].type, tt.elem)) return mismatch();
      ValType x, y, z;
      if (!pop_kind(ValKind::I32, &z) || !pop_kind(ValKind::I32, &y) ||
          !pop_kind(addr_type(tt.limits.is64).kind, &x))
        return false;
      popped_ = {x, y, z};
      emit();
      return true;
    }
    case Op::table_copy: {  // a = dst, b = src
      if (!check_table(in_.a) || !check_table(in_.b)) return false;
      const TableType& dst = m_.tables[in_.a];
      const TableType& src = m_.tables[in_.b];
      if (!is_subtype(m_, info_, src.elem, dst.elem)) return mismatch();
      const bool n64 = dst.limits.is64 && src.limits.is64;
      ValType x, y, z;
      if (!pop_kind(addr_type(n64).kind, &z) || !pop_kind(addr_type(src.limits.is64).kind, &y) ||
          !pop_kind(addr_type(dst.limits.is64).kind, &x))
        return false;
      popped_ = {x, y, z};
      emit();
      return true;
    }
    case Op::memory_copy: {  // a = dst, b = src
      if (!check_memory(in_.a) || !check_memory(in_.b)) return false;
      const bool d64 = m_.memories[in_.a].limits.is64, s64 = m_.memories[in_.b].limits.is64;
      ValType x, y, z;
      if (!pop_kind(addr_type(d64 && s64).kind, &z) || !pop_kind(addr_type(s64).kind, &y) ||
          !pop_kind(addr_type(d64).kind, &x))
        return false;
      popped_ = {x, y, z};
      emit();
      return true;
    }

    case Op::ref_null:
      if (!push(in_.ref_type)) return false;
      pushed_.push_back(in_.ref_type);
      emit();
      return true;
    case Op::ref_is_null:
      if (!pop_ref(&t)) return false;
      popped_.push_back(t);
      pushed_.push_back(ValType::i32());
      if (!push(ValType::i32())) return false;
      emit();
      return true;
    case Op::ref_func: {
      if (in_.a >= m_.num_funcs()) return invalid("unknown function " + std::to_string(in_.a));
      if (const_mode_) {
        if (declared_out_) (*declared_out_)[in_.a] = 1;
      } else if (!info_.declared[in_.a]) {
        return invalid("undeclared function reference");
      }
      t = ValType::ref(HeapKind::Concrete, false, m_.func_types[in_.a]);
      if (!push(t)) return false;
      pushed_.push_back(t);
      emit();
      return true;
    }
    case Op::ref_eq: {
      ValType x, y;
      const ValType eqref = ValType::ref(HeapKind::Eq, true);
      if (!pop_expect(eqref, &y) || !pop_expect(eqref, &x)) return false;
      popped_ = {x, y};
      pushed_.push_back(ValType::i32());
      if (!push(ValType::i32())) return false;
      emit();
      return true;
    }
    case Op::ref_as_non_null: {
      if (!pop_ref(&t)) return false;
      popped_.push_back(t);
      ValType nn = t;
      nn.nullable = false;
      if (!push(nn)) return false;
      pushed_.push_back(nn);
      emit();
      return true;
    }
    case Op::br_on_null: {
      const Ctrl* l;
      if (!label(in_.a, &l)) return false;
      Types lt = labels_of(*l);
      if (!pop_ref(&t)) return false;
      if (!pop_types(lt)) return false;
      finish_popped();
      popped_.push_back(t);
      if (!push_types(lt)) return false;
      pushed_.assign(lt.begin(), lt.end());
      ValType nn = t;
      nn.nullable = false;
      if (!push(nn)) return false;
      pushed_.push_back(nn);
      emit();
      return true;
    }
    case Op::br_on_non_null: {
      const Ctrl* l;
      if (!label(in_.a, &l)) return false;
      Types lt = labels_of(*l);
      if (lt.empty() || !lt.back().is_ref()) return mismatch();
      if (!pop_ref(&t)) return false;
      ValType nn = t;
      nn.nullable = false;
      if (!is_subtype(m_, info_, nn, lt.back())) return mismatch();
      Types rest = lt.first(lt.size() - 1);
      if (!pop_types(rest)) return false;
      finish_popped();
      popped_.push_back(t);
      if (!push_types(rest)) return false;
      pushed_.assign(rest.begin(), rest.end());
      emit();
      return true;
    }

    case Op::throw_: {
      if (in_.a >= m_.tags.size()) return invalid("unknown tag " + std::to_string(in_.a));
      if (!pop_types(m_.types[m_.tags[in_.a]].func.params)) return false;
      finish_popped();
      set_unreachable();
      emit();
      return true;
    }
    case Op::throw_ref:
      if (!pop_expect(ValType::ref(HeapKind::Exn, true), &t)) return false;
      popped_.push_back(t);
      set_unreachable();
      emit();
      return true;

    case Op::i64_add128:
    case Op::i64_sub128:
    case Op::i64_mul_wide_s:
    case Op::i64_mul_wide_u: {
      // 128-bit values as (low, high) i64 pairs: add/sub take two pairs, mul_wide two i64s;
      // each pushes one pair, low first.
      const unsigned num_params = op == Op::i64_add128 || op == Op::i64_sub128 ? 4 : 2;
      ValType ps[4];
      for (unsigned i = num_params; i-- > 0;)
        if (!pop_kind(ValKind::I64, &ps[i])) return false;
      popped_.assign(ps, ps + num_params);
      if (!push(ValType::i64()) || !push(ValType::i64())) return false;
      pushed_ = {ValType::i64(), ValType::i64()};
      emit();
      return true;
    }

    case Op::ref_i31:
      if (!pop_kind(ValKind::I32, &t)) return false;
      popped_.push_back(t);
      t = ValType::ref(HeapKind::I31, false);
      if (!push(t)) return false;
      pushed_.push_back(t);
      emit();
      return true;
    case Op::i31_get_s:
    case Op::i31_get_u:
      if (!pop_expect(ValType::ref(HeapKind::I31, true), &t)) return false;
      popped_.push_back(t);
      if (!push(ValType::i32())) return false;
      pushed_.push_back(ValType::i32());
      emit();
      return true;
    case Op::any_convert_extern:
    case Op::extern_convert_any: {
      const bool to_any = op == Op::any_convert_extern;
      if (!pop_expect(ValType::ref(to_any ? HeapKind::Extern : HeapKind::Any, true), &t))
        return false;
      popped_.push_back(t);
      ValType r = ValType::ref(to_any ? HeapKind::Any : HeapKind::Extern,
                               t.kind == ValKind::Bot || t.nullable);
      if (!push(r)) return false;
      pushed_.push_back(r);
      emit();
      return true;
    }

    default: return step_gc(op, reachable, sink);
  }
}

template <class Sink>
bool FunctionValidator::step_gc(Op op, bool reachable, Sink& sink) {
  auto emit = [&]() { sink.instr(in_, reachable, Types(popped_), Types(pushed_)); };
  auto unpacked = [](const FieldType& f) {
    return f.packed == Packed::NotPacked ? f.type : ValType::i32();
  };
  // The composite type named by a type immediate, which must be of kind `k`.
  auto composite = [&](uint32_t idx, CompositeKind k, const SubType** out) {
    if (idx >= m_.types.size()) return invalid("unknown type " + std::to_string(idx));
    if (m_.types[idx].kind != k) return mismatch();
    *out = &m_.types[idx];
    return true;
  };
  auto pop_i32 = [&]() {
    ValType v;
    if (!pop_kind(ValKind::I32, &v)) return false;
    popped_.push_back(v);
    return true;
  };
  auto pop_t = [&](const ValType& e) {
    ValType v;
    if (!pop_expect(e, &v)) return false;
    popped_.push_back(v);
    return true;
  };
  auto push_result = [&](const ValType& r) {
    pushed_.push_back(r);
    return push(r);
  };
  auto elem_seg_ok = [&](uint32_t e, const FieldType& f) {
    if (e >= m_.elems.size()) return invalid("unknown elem segment " + std::to_string(e));
    if (!is_subtype(m_, info_, m_.elems[e].type, f.type)) return mismatch();
    return true;
  };
  auto data_seg_ok = [&](uint32_t d, const FieldType& f) {
    if (f.packed == Packed::NotPacked && f.type.is_ref())
      return invalid("array type is not numeric or vector");
    if (!m_.data_count) return malformed("data count section required");
    if (d >= *m_.data_count) return invalid("unknown data segment " + std::to_string(d));
    return true;
  };
  const SubType* st = nullptr;
  const ValType ref_x = ValType::ref(HeapKind::Concrete, true, in_.a);
  const ValType new_x = ValType::ref(HeapKind::Concrete, false, in_.a);
  switch (op) {
    case Op::struct_new:
    case Op::struct_new_default: {
      if (!composite(in_.a, CompositeKind::Struct, &st)) return false;
      if (op == Op::struct_new) {
        for (size_t i = st->fields.size(); i-- > 0;)
          if (!pop_t(unpacked(st->fields[i]))) return false;
        finish_popped();
      } else {
        for (const FieldType& f : st->fields)
          if (!defaultable(f.type)) return mismatch();
      }
      if (!push_result(new_x)) return false;
      break;
    }
    case Op::struct_get:
    case Op::struct_get_s:
    case Op::struct_get_u:
    case Op::struct_set: {
      if (!composite(in_.a, CompositeKind::Struct, &st)) return false;
      if (in_.b >= st->fields.size()) return invalid("unknown field " + std::to_string(in_.b));
      const FieldType& f = st->fields[in_.b];
      if (op == Op::struct_set) {
        if (!f.mut) return invalid("immutable field");
        if (!pop_t(unpacked(f)) || !pop_t(ref_x)) return false;
        finish_popped();
        break;
      }
      if ((op == Op::struct_get) != (f.packed == Packed::NotPacked)) return mismatch();
      if (!pop_t(ref_x) || !push_result(unpacked(f))) return false;
      break;
    }
    case Op::array_new:
    case Op::array_new_default:
    case Op::array_new_fixed:
    case Op::array_new_data:
    case Op::array_new_elem: {
      if (!composite(in_.a, CompositeKind::Array, &st)) return false;
      const FieldType& f = st->fields[0];
      if (op == Op::array_new) {
        if (!pop_i32() || !pop_t(unpacked(f))) return false;
      } else if (op == Op::array_new_default) {
        if (!defaultable(f.type)) return mismatch();
        if (!pop_i32()) return false;
      } else if (op == Op::array_new_fixed) {
        // Implementation limit (as in the JS API) bounds the popping loop on hostile input.
        if (in_.b > 10000) return fail(Error::make(ErrorKind::Limit, "array.new_fixed too large"));
        for (uint32_t i = 0; i < in_.b; ++i)
          if (!pop_t(unpacked(f))) return false;
      } else if (op == Op::array_new_data) {
        if (!data_seg_ok(in_.b, f) || !pop_i32() || !pop_i32()) return false;
      } else {
        if (!elem_seg_ok(in_.b, f) || !pop_i32() || !pop_i32()) return false;
      }
      finish_popped();
      if (!push_result(new_x)) return false;
      break;
    }
    case Op::array_get:
    case Op::array_get_s:
    case Op::array_get_u: {
      if (!composite(in_.a, CompositeKind::Array, &st)) return false;
      const FieldType& f = st->fields[0];
      if ((op == Op::array_get) != (f.packed == Packed::NotPacked)) return mismatch();
      if (!pop_i32() || !pop_t(ref_x)) return false;
      finish_popped();
      if (!push_result(unpacked(f))) return false;
      break;
    }
    case Op::array_set:
    case Op::array_fill:
    case Op::array_init_data:
    case Op::array_init_elem: {
      if (!composite(in_.a, CompositeKind::Array, &st)) return false;
      const FieldType& f = st->fields[0];
      if (!f.mut) return invalid("immutable array");
      if (op == Op::array_set) {
        if (!pop_t(unpacked(f)) || !pop_i32() || !pop_t(ref_x)) return false;
      } else if (op == Op::array_fill) {
        if (!pop_i32() || !pop_t(unpacked(f)) || !pop_i32() || !pop_t(ref_x)) return false;
      } else {
        if (op == Op::array_init_data ? !data_seg_ok(in_.b, f) : !elem_seg_ok(in_.b, f))
          return false;
        if (!pop_i32() || !pop_i32() || !pop_i32() || !pop_t(ref_x)) return false;
      }
      finish_popped();
      break;
    }
    case Op::array_len:
      if (!pop_t(ValType::ref(HeapKind::Array, true)) || !push_result(ValType::i32())) return false;
      break;
    case Op::array_copy: {
      const SubType* src;
      if (!composite(in_.a, CompositeKind::Array, &st) ||
          !composite(in_.b, CompositeKind::Array, &src))
        return false;
      const FieldType& df = st->fields[0];
      const FieldType& sf = src->fields[0];
      if (!df.mut) return invalid("immutable array");
      const bool match = df.packed == sf.packed && (df.packed != Packed::NotPacked ||
                                                    is_subtype(m_, info_, sf.type, df.type));
      if (!match) return invalid("array types do not match");
      if (!pop_i32() || !pop_i32() || !pop_t(ValType::ref(HeapKind::Concrete, true, in_.b)) ||
          !pop_i32() || !pop_t(ref_x))
        return false;
      finish_popped();
      break;
    }
    case Op::ref_test:
    case Op::ref_test_null:
    case Op::ref_cast:
    case Op::ref_cast_null: {
      const ValType top = ValType::ref(heap_top(m_, in_.ref_type), true);
      if (!pop_t(top)) return false;
      if (!push_result(op == Op::ref_test || op == Op::ref_test_null ? ValType::i32()
                                                                     : in_.ref_type))
        return false;
      break;
    }
    case Op::br_on_cast:
    case Op::br_on_cast_fail: {
      const Ctrl* l;
      if (!label(in_.a, &l)) return false;
      const ValType rt1 = in_.ref_type, rt2 = in_.ref_type2;
      if (!is_subtype(m_, info_, rt2, rt1)) return mismatch();
      ValType diff = rt1;  // rt1 minus rt2
      if (rt2.nullable) diff.nullable = false;
      const ValType to_label = op == Op::br_on_cast ? rt2 : diff;
      const ValType fall = op == Op::br_on_cast ? diff : rt2;
      Types lt = labels_of(*l);
      if (lt.empty() || !is_subtype(m_, info_, to_label, lt.back())) return mismatch();
      ValType r;
      if (!pop_expect(rt1, &r)) return false;
      Types rest = lt.first(lt.size() - 1);
      if (!pop_types(rest)) return false;
      finish_popped();
      popped_.push_back(r);
      if (!push_types(rest)) return false;
      pushed_.assign(rest.begin(), rest.end());
      if (!push_result(fall)) return false;
      break;
    }
    default:
      return invalid(std::string("unsupported instruction ") + std::string(op_info(op).name));
  }
  emit();
  return true;
}

}  // namespace hull
