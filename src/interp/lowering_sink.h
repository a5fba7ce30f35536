// The lowering sink (lower.cc, lower_gc.cc): a validator sink that turns each function body
// into slot code (code.h) in the same pass as validation. Operands become frame-slot offsets
// computed from the static stack height. Private to src/interp.
#pragma once

#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "interp/code.h"
#include "interp/gc_ops.h"
#include "interp/handlers.h"
#include "interp/interp.h"
#include "valid/instr.h"

namespace hull::interp::lowering {


constexpr uint32_t kNoPatch = UINT32_MAX;

// One operand-stack value at lowering time. `canon` is its home slot (from the static height);
// `src` is where it can be read now: its home, or a local's slot when it came straight from
// local.get and has not been copied yet (the local.get costs no code).
struct Entry {
  uint32_t canon;
  uint32_t src;
  uint8_t n;         // slots (v128: 2)
  bool ref = false;  // holds a reference (a root at the function's GC points)
};

struct Ctl {
  Op kind = Op::block;
  uint32_t base = 0;       // operand-stack entries below this control frame
  uint32_t base_slot = 0;  // slot where the frame's first param/result lives
  std::vector<ValType> params, results;
  std::vector<uint32_t> patches;  // words to receive the label's pc (forward labels)
  uint32_t loop_pc = 0;           // loop: pc of the loop head
  uint32_t loop_id = 0;           // loop: its number in the function (code order)
  uint32_t else_patch = kNoPatch;  // if: the br_unless target word
  bool dead = false;               // entered in unreachable code: emits nothing
  bool func = false;               // the function body itself
  std::vector<uint32_t> catch_patches;        // catches_ entries to receive the label's pc
  uint32_t region_begin = 0;                  // try_table, try: first code index of the body
  uint32_t region_id = 0;                     // try_table, try: TryRegion::id
  uint32_t catch_first = 0, catch_count = 0;  // try_table: its clauses in catches_
  // Legacy try: the body's end once a catch started, its clauses (added to catches_ at the
  // end, contiguously), and the slot keeping a caught exception for rethrow (base_slot, once a
  // rethrow names this try; see lower_catch).
  bool region_closed = false;
  bool delegated = false;
  uint32_t region_end = 0;
  std::vector<CatchCode> legacy_catches;
  uint32_t rethrow_slot = CatchCode::kNoSlot;
  const std::vector<ValType>& label_types() const { return kind == Op::loop ? params : results; }
};

class LoweringSink {
 public:
  LoweringSink(const ModuleDesc& m, const std::vector<uint32_t>& type_ids, ModuleCode& mc,
               CompileOptions opts = {})
      : m_(m), type_ids_(type_ids), mc_(mc), opts_(opts) {}

  void begin_function(uint32_t func_index, const FuncType& type, std::span<const ValType> locals) {
    fc_ = &mc_.funcs[func_index - m_.num_imported_funcs];
    fc_->func_index = func_index;
    fc_->module = &mc_;
    code_.clear();
    relocs_.clear();
    offsets_.clear();
    starts_.clear();
    regions_.clear();
    catches_.clear();
    next_region_id_ = 0;
    loops_ = 0;
    stack_.clear();
    ctls_.clear();
    local_slot_.clear();
    local_n_.clear();
    local_ref_slots_.clear();
    gc_points_.clear();
    gc_ref_slots_.clear();
    uint32_t slot = 0;
    for (size_t i = 0; i < locals.size(); ++i) {
      if (locals[i].is_ref()) local_ref_slots_.push_back(slot);
      local_slot_.push_back(slot);
      local_n_.push_back(static_cast<uint8_t>(locals[i].slots()));
      slot += locals[i].slots();
      if (i + 1 == type.params.size()) fc_->param_slots = slot;
    }
    if (type.params.empty()) fc_->param_slots = 0;
    fc_->local_slots = slot;
    uint32_t rs = 0;
    fc_->ref_results = false;
    for (auto& t : type.results) {
      rs += t.slots();
      if (t.is_ref() && t.heap != HeapKind::Func && t.heap != HeapKind::NoFunc &&
          (t.heap != HeapKind::Concrete || m_.types[t.index].kind != CompositeKind::Func))
        fc_->ref_results = true;
    }
    fc_->result_slots = rs;
    max_slots_ = std::max(slot, rs);
    Ctl c;
    c.kind = Op::block;
    c.func = true;
    c.results = type.results;
    c.base_slot = slot;
    ctls_.push_back(std::move(c));
    unreachable_ = false;
    patch_pos_ = kNoPatch;
    check_pos_ = kNoPatch;
    check_count_ = 0;
    fc_->hot_budget = static_cast<int32_t>(std::min<uint32_t>(opts_.hot_threshold, INT32_MAX));
    fc_->counted = opts_.hot_threshold != 0;
    emit_check();
  }

  void instr(const Instr& in, bool reachable, std::span<const ValType> popped,
             std::span<const ValType> pushed) {
    const bool point = !unreachable_ && !error_ && is_gc_point(in.op);
    const uint32_t begin = pc();
    const size_t first = gc_ref_slots_.size();
    if (point) note_ref_slots();
    lower_instr(in, popped, pushed);
    if (point && !error_) {
      gc_points_.push_back(GcPoint{begin, pc(), static_cast<uint32_t>(first),
                                   static_cast<uint32_t>(gc_ref_slots_.size() - first)});
    } else {
      gc_ref_slots_.resize(first);
    }
    if (error_ || unreachable_) return;
    // The values the instruction pushed are the top entries: remember which are references.
    const size_t n = std::min(pushed.size(), stack_.size());
    for (size_t i = 0; i < n; ++i)
      stack_[stack_.size() - n + i].ref = pushed[pushed.size() - n + i].is_ref();
  }

 private:
  // Where a collection may see this frame: calls (it waits there for the callee, whose
  // allocations may collect) and allocations. Tail calls leave the frame; host calls and
  // throws find it by other means (exec_gc.cc scans such frames whole).
  static bool is_gc_point(Op op) {
    switch (op) {
      case Op::call:
      case Op::call_indirect:
      case Op::call_ref:
      case Op::struct_new:
      case Op::struct_new_default:
      case Op::array_new:
      case Op::array_new_default:
      case Op::array_new_fixed:
      case Op::array_new_data:
      case Op::array_new_elem: return true;
      default: return false;
    }
  }
  // The slots that may hold a reference now: reference locals, and operand entries holding a
  // reference in their home slot (an entry still reading a local is covered by the local).
  // Operands of the instruction itself are included: an allocation reads them after it
  // collected. More slots than needed is safe (the collector checks each word against its
  // heaps before following it); a missing one is not.
  void note_ref_slots() {
    gc_ref_slots_.insert(gc_ref_slots_.end(), local_ref_slots_.begin(), local_ref_slots_.end());
    for (const Entry& e : stack_)
      if (e.ref && e.src == e.canon) gc_ref_slots_.push_back(e.canon);
  }

 public:
  void lower_instr(const Instr& in, std::span<const ValType> popped,
                   std::span<const ValType> pushed) {
    if (error_) return;  // the function will be rejected; its stack model is no longer in sync
    Op op = in.op;
    cur_offset_ = static_cast<uint32_t>(in.offset);
    if (!unreachable_) ++check_count_;
    // Loops are numbered in code order, dead ones too, as the native tier numbers them
    // (its on-stack-replacement entries: FuncCode::osr).
    if (op == Op::loop) loop_id_ = loops_++;
    if (unreachable_) {
      // Dead code: only track nesting so else/end find their frames. Every op that opens a
      // frame in the validator counts, also those this tier cannot run (try_table): dead code
      // never runs, but its `end` must close its own frame, not the enclosing one.
      if (op == Op::block || op == Op::loop || op == Op::if_ || op == Op::try_table ||
          op == Op::try_) {
        Ctl c;
        c.kind = op;
        c.dead = true;
        ctls_.push_back(std::move(c));
        return;
      }
      if (op != Op::else_ && op != Op::end && op != Op::catch_ && op != Op::catch_all &&
          op != Op::delegate)
        return;
    }
    switch (op) {
      case Op::nop: return;
      case Op::block: case Op::loop: case Op::if_: return lower_block(in);
      case Op::try_table: return lower_try_table(in);
      case Op::try_: return lower_try(in);
      case Op::catch_:
      case Op::catch_all: return lower_catch(in);
      case Op::delegate: return lower_delegate(in.a);
      case Op::rethrow:
        lower_rethrow(in.a);
        unreachable_ = true;
        return;
      case Op::throw_:
        lower_throw(in.a);
        unreachable_ = true;
        return;
      case Op::throw_ref: {
        Entry e = pop();
        emit_h(h::throw_ref);
        emit_u(e.src * 8);
        unreachable_ = true;
        return;
      }
      case Op::else_: return lower_else();
      case Op::end: return lower_end();
      case Op::unreachable: emit_h(h::unreachable); unreachable_ = true; return;
      case Op::br: lower_br(in.a); unreachable_ = true; return;
      case Op::br_if: return lower_br_if(in.a);
      case Op::br_table: lower_br_table(in.br_table); unreachable_ = true; return;
      case Op::return_: emit_return(); unreachable_ = true; return;
      case Op::call: case Op::return_call: return lower_call(in, op == Op::return_call);
      case Op::call_indirect: case Op::return_call_indirect:
        return lower_call(in, op == Op::return_call_indirect);
      case Op::call_ref: case Op::return_call_ref: return lower_call(in, op == Op::return_call_ref);
      case Op::drop: pop(); return;
      case Op::select: case Op::select_t: {
        Entry c = pop(), b = pop(), a = pop();
        Entry d = push(a.n);
        emit_h(a.n == 2 ? h::select2 : h::select);
        emit_dst(d);
        emit_u(a.src * 8);
        emit_u(b.src * 8);
        emit_u(c.src * 8);
        return;
      }
      case Op::local_get: {
        uint32_t s = local_slot_[in.a];
        Entry& e = push_entry(local_n_[in.a]);
        e.src = s;
        return;
      }
      case Op::local_set: case Op::local_tee: return lower_local_set(in.a, op == Op::local_tee);
      case Op::global_get: {
        Entry d = push(pushed[0].slots());
        emit_h(d.n == 2 ? h::global_get2 : h::global_get);
        emit_dst(d);
        emit_u(in.a);
        return;
      }
      case Op::global_set: {
        Entry v = pop();
        emit_h(v.n == 2 ? h::global_set2 : h::global_set);
        emit_u(v.src * 8);
        emit_u(in.a);
        return;
      }
      case Op::i32_const: case Op::i64_const: case Op::f32_const: case Op::f64_const: {
        Entry d = push(1);
        emit_h(h::const64);
        emit_dst(d);
        emit_u(in.bits);
        last_kind_ = LastKind::Const;
        last_const_ = in.bits;
        return;
      }
      case Op::v128_const: {
        Entry d = push(2);
        emit_h(h::const128);
        emit_dst(d);
        uint64_t lo, hi;
        std::memcpy(&lo, in.v128.bytes, 8);
        std::memcpy(&hi, in.v128.bytes + 8, 8);
        emit_u(lo);
        emit_u(hi);
        return;
      }
      case Op::i8x16_shuffle: {
        Entry b = pop(), a = pop();
        Entry d = push(2);
        emit_h(h::shuffle);
        emit_dst(d);
        emit_u(a.src * 8);
        emit_u(b.src * 8);
        uint64_t lo, hi;
        std::memcpy(&lo, in.v128.bytes, 8);
        std::memcpy(&hi, in.v128.bytes + 8, 8);
        emit_u(lo);
        emit_u(hi);
        return;
      }
      case Op::ref_null: {
        Entry d = push(1);
        emit_h(h::const64);
        emit_dst(d);
        emit_u(0);
        return;
      }
      case Op::i64_add128:
      case Op::i64_sub128:
      case Op::i64_mul_wide_s:
      case Op::i64_mul_wide_u: return lower_wide(op);
      case Op::ref_is_null: return simple(h::ref_is_null, 1, 1);
      case Op::ref_eq: return simple(h::ref_eq, 2, 1);
      case Op::ref_as_non_null: return simple(h::ref_as_non_null, 1, 1);
      case Op::ref_func: {
        Entry d = push(1);
        emit_h(h::ref_func);
        emit_dst(d);
        emit_u(in.a);
        return;
      }
      case Op::br_on_null: case Op::br_on_non_null: return lower_br_on_null(in);
      case Op::table_get: {
        Entry i = pop();
        Entry d = push(1);
        emit_h(h::table_get);
        emit_dst(d);
        emit_u(i.src * 8);
        emit_u(in.a);
        emit_u(m_.tables[in.a].limits.is64);
        return;
      }
      case Op::table_set: {
        Entry v = pop(), i = pop();
        emit_h(h::table_set);
        emit_u(i.src * 8);
        emit_u(v.src * 8);
        emit_u(in.a);
        emit_u(m_.tables[in.a].limits.is64);
        return;
      }
      case Op::table_size: {
        Entry d = push(1);
        emit_h(h::table_size);
        emit_dst(d);
        emit_u(in.a);
        return;
      }
      case Op::table_grow: {
        Entry n = pop(), v = pop();
        Entry d = push(1);
        emit_h(h::table_grow);
        emit_dst(d);
        emit_u(v.src * 8);
        emit_u(n.src * 8);
        emit_u(in.a);
        emit_u(m_.tables[in.a].limits.is64);
        return;
      }
      case Op::table_fill: {
        Entry n = pop(), v = pop(), i = pop();
        emit_h(h::table_fill);
        emit_u(i.src * 8);
        emit_u(v.src * 8);
        emit_u(n.src * 8);
        emit_u(in.a);
        emit_u(m_.tables[in.a].limits.is64);
        return;
      }
      case Op::table_copy: {
        Entry n = pop(), s = pop(), d = pop();
        emit_h(h::table_copy);
        emit_u(d.src * 8);
        emit_u(s.src * 8);
        emit_u(n.src * 8);
        emit_u(in.a);
        emit_u(in.b);
        emit_u((m_.tables[in.a].limits.is64 ? 1 : 0) | (m_.tables[in.b].limits.is64 ? 2 : 0));
        return;
      }
      case Op::table_init: {
        Entry n = pop(), s = pop(), d = pop();
        emit_h(h::table_init);
        emit_u(d.src * 8);
        emit_u(s.src * 8);
        emit_u(n.src * 8);
        emit_u(in.b);
        emit_u(in.a);
        emit_u(m_.tables[in.b].limits.is64);
        return;
      }
      case Op::elem_drop: emit_h(h::elem_drop); emit_u(in.a); patch_pos_ = kNoPatch; return;
      case Op::data_drop: emit_h(h::data_drop); emit_u(in.a); patch_pos_ = kNoPatch; return;
      case Op::memory_size: {
        Entry d = push(1);
        emit_h(m_.memories[in.a].limits.shared ? shared_memory_size_handler() : h::memory_size);
        emit_dst(d);
        emit_u(in.a);
        return;
      }
      case Op::memory_grow: {
        Entry n = pop();
        Entry d = push(1);
        emit_h(h::memory_grow);
        emit_dst(d);
        emit_u(n.src * 8);
        emit_u(in.a);
        return;
      }
      case Op::memory_fill: {
        Entry n = pop(), v = pop(), d = pop();
        emit_h(h::memory_fill);
        emit_u(d.src * 8);
        emit_u(v.src * 8);
        emit_u(n.src * 8);
        emit_u(in.a);
        emit_u(m_.memories[in.a].limits.is64);
        patch_pos_ = kNoPatch;
        return;
      }
      case Op::memory_copy: {
        Entry n = pop(), s = pop(), d = pop();
        emit_h(h::memory_copy);
        emit_u(d.src * 8);
        emit_u(s.src * 8);
        emit_u(n.src * 8);
        emit_u(in.a);
        emit_u(in.b);
        emit_u((m_.memories[in.a].limits.is64 ? 1 : 0) | (m_.memories[in.b].limits.is64 ? 2 : 0));
        patch_pos_ = kNoPatch;
        return;
      }
      case Op::memory_init: {
        Entry n = pop(), s = pop(), d = pop();
        emit_h(h::memory_init);
        emit_u(d.src * 8);
        emit_u(s.src * 8);
        emit_u(n.src * 8);
        emit_u(in.b);
        emit_u(in.a);
        emit_u(m_.memories[in.b].limits.is64);
        patch_pos_ = kNoPatch;
        return;
      }
      default: break;
    }
    const OpInfo& info = op_info(op);
    if (info.prefix == 0xFE) return lower_atomic(in, popped, pushed);
    if (info.prefix == 0xFB) return lower_gc(in);
    if (info.imm == ImmKind::Mem || info.imm == ImmKind::MemLane)
      return lower_mem(in, popped, pushed);
    Handler hd = sig_handler(op);
    if (hd && (info.imm == ImmKind::None || info.imm == ImmKind::Lane)) {
      size_t np = popped.size();
      Handler ih = np == 2 && !pushed.empty() ? sig_imm_handler(op) : nullptr;
      if (ih && last_kind_ == LastKind::Const && is_last_result(stack_.back())) {
        // `x (const c) op` -> op_imm x, c: the constant never touches the frame.
        uint64_t bits = last_const_;
        Op fop = op;
        if (op == Op::i32_sub) {
          // x - c == x + (-c) modulo 2^32: one form for address arithmetic to fuse with.
          fop = Op::i32_add;
          bits = uint32_t(0u - uint32_t(bits));
          ih = sig_imm_handler(fop);
        }
        code_.resize(last_start_);
        pop();
        Entry a = pop();
        Entry d = push(pushed[0].slots());
        emit_h(ih);
        emit_dst(d);
        emit_u(a.src * 8);
        emit_u(bits);
        record_sig(fop, 2, a.src * 8, bits, true);
        return;
      }
      if (op == Op::i32_add && np == 2 && fuse_add_shl()) return;
      Entry srcs[3];
      for (size_t i = np; i-- > 0;) srcs[i] = pop();
      Entry d{};
      if (!pushed.empty()) d = push(pushed[0].slots());
      emit_h(hd);
      if (!pushed.empty()) emit_dst(d);
      for (size_t i = 0; i < np; ++i) emit_u(srcs[i].src * 8);
      if (info.imm == ImmKind::Lane) emit_u(in.lane);
      if (pushed.empty()) patch_pos_ = kNoPatch;
      if (np <= 2 && info.imm == ImmKind::None)
        record_sig(op, static_cast<uint8_t>(np), srcs[0].src * 8, np == 2 ? srcs[1].src * 8 : 0,
                   false);
      return;
    }
    // GC instructions are not supported by this tier yet.
    if (!error_) error_ = Error::make(ErrorKind::Limit,
                                      std::string("interpreter: unsupported instruction ") +
                                          std::string(info.name));
  }

  Status end_function() {
    if (error_) {
      Error e = *error_;
      error_.reset();
      return e;
    }
    close_check();
    fc_->frame_slots = max_slots_;
    if (opts_.hot_threshold) {
      fc_->osr.assign(loops_, nullptr);
      fc_->osr_requested.assign(loops_, 0);
    }
    fc_->enter_bytes = uint64_t{max_slots_} * 8;
    // Fusion may have truncated code: drop entries past the end, keep them ascending.
    while (!offsets_.empty() && offsets_.back().first >= code_.size()) offsets_.pop_back();
    // Exact-size copies; the growth buffers stay with the sink for the next function. Moving
    // them out made every function regrow its buffers from empty (a dozen reallocations per
    // function) and left slack capacity in every function's code: ~20% of compile time.
    fc_->offsets.assign(offsets_.begin(), offsets_.end());
    while (!starts_.empty() && starts_.back() >= code_.size()) starts_.pop_back();
    fc_->starts.assign(starts_.begin(), starts_.end());
    fc_->code.assign(code_.begin(), code_.end());
    fc_->try_regions.assign(regions_.begin(), regions_.end());
    fc_->catches.assign(catches_.begin(), catches_.end());
    while (!gc_points_.empty() && gc_points_.back().end > code_.size()) gc_points_.pop_back();
    fc_->gc_points.assign(gc_points_.begin(), gc_points_.end());
    fc_->gc_ref_slots.assign(gc_ref_slots_.begin(), gc_ref_slots_.end());
    Word* base = fc_->code.data();
    for (uint32_t pos : relocs_) base[pos].p = base + base[pos].u;
    return {};
  }

 private:
  // --- fuel / epoch check points ---
  // A check point charges the wasm instructions lowered (in code order) between it and the
  // next check point: a deterministic static count, paid each time the point is passed.
  void emit_check() {
    if (!opts_.fuel && !opts_.epochs) return;
    close_check();
    emit_h(opts_.fuel ? (opts_.epochs ? h::fuel_epoch : h::fuel) : h::epoch);
    check_pos_ = pc();
    emit_u(0);
    patch_pos_ = kNoPatch;
  }
  // Tier-up's count (FuncCode::hot_budget) is taken by the calls (their `*_hot` handlers) and
  // by the branches back to loops (counted_back_edge), in code compiled with a hot threshold.
  bool counted_back_edge(const Ctl& c) const {
    return opts_.hot_threshold && c.kind == Op::loop && !c.func;
  }
  // What a counted branch back to `c` carries after its target: [loop number][FuncCode*].
  void emit_back_edge_words(const Ctl& c) {
    emit_u(c.loop_id);
    Word w;
    w.ptr = fc_;
    code_.push_back(w);
  }
  void close_check() {
    if (check_pos_ != kNoPatch && check_pos_ < code_.size()) code_[check_pos_].u = check_count_;
    check_pos_ = kNoPatch;
    check_count_ = 0;
  }

  // --- emission helpers ---
  void emit_h(Handler hd) {
    last_start_ = pc();
    if (opts_.baseline) {
      // Fusion rewrites the last instruction in place: forget starts it truncated.
      while (!starts_.empty() && starts_.back() >= pc()) starts_.pop_back();
      starts_.push_back(pc());
    }
    if (offsets_.empty() || offsets_.back().second != cur_offset_) {
      offsets_.emplace_back(pc(), cur_offset_);
    }
    last_kind_ = LastKind::Other;
    Word w;
    w.h = hd;
    code_.push_back(w);
    patch_pos_ = kNoPatch;
  }
  // Whether entry `e` is the result of the instruction just emitted (so that instruction may be
  // rewritten: fused with its consumer).
  bool is_last_result(const Entry& e) const {
    return patch_pos_ != kNoPatch && e.src == e.canon && e.canon == patch_slot_;
  }

  // A popped branch condition, with what is needed to fuse its producer into the branch.
  struct Cond {
    uint32_t src = 0;
    bool fusable = false;
    Op op = Op::nop;
    bool imm = false;
    uint8_t np = 0;
    uint64_t w0 = 0, w1 = 0;
  };
  Cond pop_cond() {
    Entry e = pop();
    Cond c;
    c.src = e.src;
    if (last_kind_ == LastKind::Sig && is_last_result(e)) {
      c.fusable = true;
      c.op = last_op_;
      c.imm = last_imm_;
      c.np = last_np_;
      c.w0 = last_w_[0];
      c.w1 = last_w_[1];
    }
    return c;
  }
  // Emits a jump taken when the condition is non-zero (or zero, with jump_if_zero); returns the
  // position of its target word (registered for relocation, to be filled by the caller).
  // `back_to`: the jump is a br_if back to that loop, counted for tier-up (the counting
  // handlers; its number follows the target word).
  uint32_t emit_cond_jump(const Cond& c, bool jump_if_zero, const Ctl* back_to = nullptr) {
    Handler fused = nullptr;
    // Still fusable only if nothing was emitted since the producer.
    if (c.fusable && patch_pos_ != kNoPatch && last_kind_ == LastKind::Sig)
      fused = back_to ? counting_branch_handler(c.op, c.imm)
                      : branch_handler(c.op, c.imm, jump_if_zero);
    if (fused) {
      code_.resize(last_start_);
      emit_h(fused);
      emit_u(c.w0);
      if (c.np == 2) emit_u(c.w1);
    } else {
      emit_h(back_to ? h::br_if_hot : jump_if_zero ? h::br_unless : h::br_if);
      emit_u(c.src * 8);
    }
    uint32_t pos = pc();
    relocs_.push_back(pos);
    emit_u(0);
    if (back_to) emit_back_edge_words(*back_to);
    patch_pos_ = kNoPatch;
    return pos;
  }
  void emit_u(uint64_t v) {
    Word w;
    w.u = v;
    code_.push_back(w);
  }
  // The destination word of a single-result instruction: remembered so that a following
  // local.set can redirect the result straight into the local.
  void emit_dst(const Entry& d) {
    uint32_t pos = static_cast<uint32_t>(code_.size());
    emit_u(d.canon * 8);
    patch_pos_ = pos;
    patch_slot_ = d.canon;
  }
  uint32_t pc() const { return static_cast<uint32_t>(code_.size()); }
  void record_sig(Op op, uint8_t np, uint64_t w0, uint64_t w1, bool imm) {
    last_kind_ = LastKind::Sig;
    last_op_ = op;
    last_np_ = np;
    last_w_[0] = w0;
    last_w_[1] = w1;
    last_imm_ = imm;
  }
  // A word holding a code index, turned into an absolute pointer at end_function.
  void emit_target(Ctl& c) {
    if (c.kind == Op::loop && !c.func) {
      relocs_.push_back(pc());
      emit_u(c.loop_pc);
    } else {
      c.patches.push_back(pc());
      relocs_.push_back(pc());
      emit_u(0);
    }
  }
  void bind(Ctl& c) {
    for (uint32_t pos : c.patches) code_[pos].u = pc();
    c.patches.clear();
    for (uint32_t i : c.catch_patches) catches_[i].target = pc();
    c.catch_patches.clear();
    patch_pos_ = kNoPatch;
  }

  // --- operand stack ---
  uint32_t height() const {
    return stack_.empty() ? fc_->local_slots : stack_.back().canon + stack_.back().n;
  }
  Entry& push_entry(unsigned n) {
    uint32_t h = height();
    stack_.push_back(Entry{h, h, static_cast<uint8_t>(n)});
    max_slots_ = std::max(max_slots_, h + n);
    return stack_.back();
  }
  Entry push(unsigned n) { return push_entry(n); }
  Entry pop() {
    Entry e = stack_.back();
    stack_.pop_back();
    return e;
  }
  void simple(Handler hd, unsigned np, unsigned nr) {
    Entry s[2];
    for (unsigned i = np; i-- > 0;) s[i] = pop();
    Entry d = push(1);
    emit_h(hd);
    emit_dst(d);
    for (unsigned i = 0; i < np; ++i) emit_u(s[i].src * 8);
    (void)nr;
  }
  // Wide arithmetic: [dst][sources...]; the low result at dst, the high one in the next slot
  // (two pushed i64 entries are adjacent).
  void lower_wide(Op op) {
    const bool pairs = op == Op::i64_add128 || op == Op::i64_sub128;
    const unsigned np = pairs ? 4 : 2;
    Entry s[4];
    for (unsigned i = np; i-- > 0;) s[i] = pop();
    Entry lo = push(1);
    push(1);
    emit_h(op == Op::i64_add128       ? h::add128
           : op == Op::i64_sub128     ? h::sub128
           : op == Op::i64_mul_wide_s ? h::mul_wide_s
                                      : h::mul_wide_u);
    emit_dst(lo);
    // Retargeting dst (local.set of the low half after a drop) would let the high half
    // overwrite the slot after the local: two results are never redirected.
    patch_pos_ = kNoPatch;
    for (unsigned i = 0; i < np; ++i) emit_u(s[i].src * 8);
  }
  void emit_copy(uint32_t dst, uint32_t src, unsigned n) {
    if (dst == src) return;
    emit_h(n == 2 ? h::copy2 : h::copy);
    emit_u(dst * 8);
    emit_u(src * 8);
  }
  void materialize(Entry& e) {
    if (e.src != e.canon) {
      emit_copy(e.canon, e.src, e.n);
      e.src = e.canon;
    }
  }
  void materialize_all() {
    for (auto& e : stack_) materialize(e);
  }
  void materialize_top(size_t k) {
    for (size_t i = stack_.size() - k; i < stack_.size(); ++i) materialize(stack_[i]);
  }
  static uint32_t count_slots(const std::vector<ValType>& ts) {
    uint32_t n = 0;
    for (auto& t : ts) n += t.slots();
    return n;
  }
  // Reset the operand stack to `base` entries followed by `types` in their home slots.
  void reset_stack(uint32_t base, const std::vector<ValType>& types) {
    stack_.resize(base);
    for (auto& t : types) push(t.slots());
  }

  void block_type(const BlockType& bt, std::vector<ValType>& params,
                  std::vector<ValType>& results) {
    params.clear();
    results.clear();
    if (bt.kind == BlockType::Kind::Value) {
      results.push_back(bt.value);
    } else if (bt.kind == BlockType::Kind::Index) {
      const FuncType& ft = m_.types[bt.index].func;
      params = ft.params;
      results = ft.results;
    }
  }

  // --- control ---
  void lower_block(const Instr& in) {
    Ctl c;
    c.kind = in.op;
    block_type(in.block, c.params, c.results);
    Cond cond;
    if (in.op == Op::if_) cond = pop_cond();
    // Every value is in its home slot at a block boundary: branches into/out of the block and
    // both arms of an if then agree on where values live.
    materialize_all();
    c.base = static_cast<uint32_t>(stack_.size() - c.params.size());
    c.base_slot = c.base == 0 ? fc_->local_slots : stack_[c.base - 1].canon + stack_[c.base - 1].n;
    if (in.op == Op::if_) c.else_patch = emit_cond_jump(cond, true);
    patch_pos_ = kNoPatch;
    c.loop_pc = pc();
    c.loop_id = loop_id_;
    ctls_.push_back(std::move(c));
    if (in.op == Op::loop) emit_check();
  }

  // try_table: a block whose body is a handler region. Catching writes the label's values
  // (payload, then the exnref) straight into the label's slots and resumes at the label, like
  // a branch; every value is in its home slot at the block boundary, so the frame is
  // consistent wherever inside the body the exception came from.
  // The frame of a try_table or legacy try, every value in its home slot.
  Ctl try_frame(const Instr& in) {
    Ctl c;
    c.kind = in.op;
    block_type(in.block, c.params, c.results);
    materialize_all();
    c.base = static_cast<uint32_t>(stack_.size() - c.params.size());
    c.base_slot = c.base == 0 ? fc_->local_slots : stack_[c.base - 1].canon + stack_[c.base - 1].n;
    return c;
  }
  // Opens the handler region of `c`'s body here.
  void enter_try_body(Ctl&& c) {
    patch_pos_ = kNoPatch;
    c.region_begin = pc();
    c.region_id = next_region_id_++;
    c.loop_pc = pc();
    ctls_.push_back(std::move(c));
  }

  void lower_try_table(const Instr& in) {
    Ctl c = try_frame(in);
    // A clause whose label is the function's own returns: it resumes at a `ret` placed before
    // the body (jumped over on entry), with the values already in the result slots.
    uint32_t ret_stub = kNoPatch;
    for (const Catch& k : in.catches) {
      if (!label(k.label).func) continue;
      emit_h(h::br);
      uint32_t over = pc();
      relocs_.push_back(over);
      emit_u(0);
      ret_stub = pc();
      emit_h(h::ret);
      code_[over].u = pc();
      break;
    }
    c.catch_first = static_cast<uint32_t>(catches_.size());
    c.catch_count = static_cast<uint32_t>(in.catches.size());
    for (const Catch& k : in.catches) {
      Ctl& l = label(k.label);
      CatchCode cc;
      cc.kind = static_cast<uint8_t>(k.kind);
      cc.tag = k.tag;
      if (l.func) {
        cc.dst_slot = 0;
        cc.target = ret_stub;
      } else {
        cc.dst_slot = l.base_slot;
        if (l.kind == Op::loop)
          cc.target = l.loop_pc;
        else
          l.catch_patches.push_back(static_cast<uint32_t>(catches_.size()));
      }
      catches_.push_back(cc);
    }
    enter_try_body(std::move(c));
  }

  // Legacy try: a block whose body is a handler region; its catch clauses resume at the code
  // of their catch blocks, which follows the body.
  void lower_try(const Instr& in) { enter_try_body(try_frame(in)); }

  // catch / catch_all: ends the previous body like `else` (a branch to the try's end) and
  // starts a catch block. The block's first slot (the try's base slot) keeps the caught
  // exception for rethrow; the tag's values follow it. That slot is an operand-stack entry
  // below everything the block computes, so no call in the block can overwrite it: a callee's
  // frame starts at its arguments, above it. (A slot above the frame's maximum operand height
  // would lie inside every callee frame.) The block's results move down to the try's slots
  // at its end.
  void lower_catch(const Instr& in) {
    Ctl& c = ctls_.back();
    if (c.dead) return;
    if (!unreachable_) lower_br(0);
    if (!c.region_closed) {
      c.region_end = pc();
      c.region_closed = true;
    }
    CatchCode cc;
    const bool all = in.op == Op::catch_all;
    cc.kind = static_cast<uint8_t>(all ? Catch::Kind::CatchAll : Catch::Kind::Catch);
    cc.tag = in.a;
    cc.dst_slot = c.base_slot + 1;
    cc.target = pc();
    cc.exn_slot = c.rethrow_slot;
    c.legacy_catches.push_back(cc);
    patch_pos_ = kNoPatch;
    stack_.resize(c.base);
    push_entry(1).ref = true;  // the exception's slot (an exnref root once a rethrow uses it)
    if (!all)
      for (const ValType& t : m_.types[m_.tags[in.a]].func.params) push(t.slots());
    unreachable_ = false;
  }

  // try ... delegate l: the try closes like `end`; its body's exceptions go to the handlers of
  // the frame that label l names (counted from the frames around the try).
  void lower_delegate(uint32_t depth) {
    Ctl& c = ctls_.back();
    if (c.dead) {
      ctls_.pop_back();
      return;
    }
    uint32_t target = TryRegion::kToCaller;
    for (size_t d = depth + 1; d < ctls_.size(); ++d) {
      const Ctl& f = label(static_cast<uint32_t>(d));
      if (f.func) break;
      if (f.kind == Op::try_table || (f.kind == Op::try_ && !f.region_closed && !f.dead)) {
        target = f.region_id;
        break;
      }
    }
    TryRegion r{c.region_begin, pc(), 0, 0, c.region_id};
    r.delegate = target;
    regions_.push_back(r);
    c.delegated = true;
    lower_end();
  }

  // rethrow l: throws again the exception that the catch block at label l caught. Its clauses
  // store it in the block's first slot from the first rethrow naming that try on: catches that
  // nothing rethrows neither store nor expose their exception (see unwind()).
  void lower_rethrow(uint32_t depth) {
    Ctl& l = label(depth);
    if (l.rethrow_slot == CatchCode::kNoSlot) {
      l.rethrow_slot = l.base_slot;
      for (CatchCode& cc : l.legacy_catches) cc.exn_slot = l.rethrow_slot;
    }
    emit_h(h::rethrow);
    emit_u(l.rethrow_slot * 8);
  }

  // throw: the payload (the tag's params, the top values) in consecutive home slots.
  void lower_throw(uint32_t tag) {
    const FuncType& ft = m_.types[m_.tags[tag]].func;
    const size_t k = ft.params.size();
    materialize_top(k);
    uint32_t first = k ? stack_[stack_.size() - k].canon : 0;
    for (size_t i = 0; i < k; ++i) pop();
    emit_h(h::throw_);
    emit_u(tag);
    emit_u(first * 8);
    emit_u(count_slots(ft.params));
  }

  void lower_else() {
    Ctl& c = ctls_.back();
    if (c.dead) return;
    if (!unreachable_) {
      materialize_top(c.results.size());
      emit_h(h::br);
      emit_target(c);
    }
    code_[c.else_patch].u = pc();
    c.else_patch = kNoPatch;
    patch_pos_ = kNoPatch;
    reset_stack(c.base, c.params);
    unreachable_ = false;
  }

  void lower_end() {
    Ctl& c = ctls_.back();
    if (c.dead) {
      ctls_.pop_back();
      return;
    }
    if (c.func) {
      if (!unreachable_) emit_return();
      bind(c);  // branches to the function label were lowered as returns; nothing to bind
      ctls_.pop_back();
      return;
    }
    if (unreachable_) {
    } else if (c.kind == Op::try_ && c.region_closed) {
      // A catch block's values sit above its exception slot: down to the try's slots.
      std::vector<uint64_t> moves;
      collect_moves(c.results.size(), c.base_slot, moves);
      if (!moves.empty()) {
        emit_h(h::moves);
        emit_moves_words(moves);
      }
    } else {
      materialize_top(c.results.size());
    }
    if (c.kind == Op::try_table)
      regions_.push_back(
          TryRegion{c.region_begin, pc(), c.catch_first, c.catch_count, c.region_id});
    if (c.kind == Op::try_ && !c.delegated) {
      const uint32_t first = static_cast<uint32_t>(catches_.size());
      catches_.insert(catches_.end(), c.legacy_catches.begin(), c.legacy_catches.end());
      regions_.push_back(TryRegion{c.region_begin, c.region_closed ? c.region_end : pc(), first,
                                   static_cast<uint32_t>(c.legacy_catches.size()), c.region_id});
    }
    if (c.else_patch != kNoPatch) code_[c.else_patch].u = pc();
    if (c.kind != Op::loop) bind(c);
    patch_pos_ = kNoPatch;
    uint32_t base = c.base;
    std::vector<ValType> results = std::move(c.results);
    ctls_.pop_back();
    reset_stack(base, results);
    unreachable_ = false;
  }

  // Moves of the top `k` label values into the slots from `dst_slot`, as (dst | src << 32) pairs.
  void collect_moves(size_t k, uint32_t dst_slot, std::vector<uint64_t>& moves) {
    moves.clear();
    uint32_t d = dst_slot;
    for (size_t i = stack_.size() - k; i < stack_.size(); ++i) {
      const Entry& e = stack_[i];
      for (unsigned j = 0; j < e.n; ++j, ++d)
        if (d != e.src + j) moves.push_back(uint64_t(d * 8) | (uint64_t((e.src + j) * 8) << 32));
    }
  }
  void emit_moves_words(const std::vector<uint64_t>& moves) {
    emit_u(moves.size());
    for (uint64_t mv : moves) emit_u(mv);
  }

  void emit_return() {
    const Ctl& f = ctls_.front();
    size_t k = f.results.size();
    // Results go to slots 0.., which may be locals other results still read: copy them home
    // first so the ascending moves never read an overwritten slot.
    if (k > 1) materialize_top(k);
    if (k == 1 && stack_.back().n == 1 && is_last_result(stack_.back())) {
      // The result's producer ran just before: it writes slot 0 directly (its operands are
      // read before the write, and nothing else runs in this frame after it).
      code_[patch_pos_].u = 0;
      emit_h(h::ret);
      return;
    }
    std::vector<uint64_t> moves;
    collect_moves(k, 0, moves);
    if (moves.empty()) {
      emit_h(h::ret);
    } else if (moves.size() == 1 && (moves[0] & 0xffffffffu) == 0) {
      emit_h(h::ret1);
      emit_u(moves[0] >> 32);
    } else {
      emit_h(h::ret_moves);
      emit_moves_words(moves);
    }
  }

  Ctl& label(uint32_t depth) { return ctls_[ctls_.size() - 1 - depth]; }

  void lower_br(uint32_t depth) {
    Ctl& c = label(depth);
    if (c.func) return emit_return();
    std::vector<uint64_t> moves;
    collect_moves(c.label_types().size(), c.base_slot, moves);
    const bool counted = counted_back_edge(c);
    if (moves.empty()) {
      emit_h(counted ? h::br_hot : h::br);
      emit_target(c);
      if (counted) emit_back_edge_words(c);
    } else {
      emit_h(counted ? h::br_moves_hot : h::br_moves);
      emit_target(c);
      if (counted) emit_back_edge_words(c);
      emit_moves_words(moves);
    }
  }

  void lower_br_if(uint32_t depth) {
    Cond cond = pop_cond();
    Ctl& c = label(depth);
    if (c.func) {
      // Conditional return: branch around an unconditional return.
      uint32_t skip = emit_cond_jump(cond, true);
      emit_return();
      code_[skip].u = pc();
      patch_pos_ = kNoPatch;
      return;
    }
    std::vector<uint64_t> moves;
    collect_moves(c.label_types().size(), c.base_slot, moves);
    const bool counted = counted_back_edge(c);
    if (moves.empty()) {
      uint32_t pos = emit_cond_jump(cond, false, counted ? &c : nullptr);
      if (c.kind == Op::loop) {
        code_[pos].u = c.loop_pc;
      } else {
        c.patches.push_back(pos);
      }
    } else {
      emit_h(counted ? h::br_if_moves_hot : h::br_if_moves);
      emit_u(cond.src * 8);
      emit_target(c);
      if (counted) emit_back_edge_words(c);
      emit_moves_words(moves);
    }
  }

  void lower_br_table(std::span<const uint32_t> depths) {
    uint32_t idx = pop().src;
    emit_h(h::br_table);
    emit_u(idx * 8);
    emit_u(depths.size() - 1);
    uint32_t table = pc();
    for (size_t i = 0; i < depths.size(); ++i) emit_u(0);
    // Each entry jumps straight to its label, or to a stub doing the value moves first.
    std::vector<uint64_t> moves;
    for (size_t i = 0; i < depths.size(); ++i) {
      Ctl& c = label(depths[i]);
      relocs_.push_back(table + static_cast<uint32_t>(i));
      if (!c.func) {
        collect_moves(c.label_types().size(), c.base_slot, moves);
        // A counted branch back to a loop goes through a stub (lower_br below) as one with
        // moves does.
        if (moves.empty() && !counted_back_edge(c)) {
          if (c.kind == Op::loop) {
            code_[table + i].u = c.loop_pc;
          } else {
            c.patches.push_back(table + static_cast<uint32_t>(i));
          }
          continue;
        }
      }
      code_[table + i].u = pc();
      lower_br(depths[i]);
    }
    patch_pos_ = kNoPatch;
  }

  void lower_br_on_null(const Instr& in) {
    bool on_null = in.op == Op::br_on_null;
    // Jump over an ordinary branch when the condition fails. br_on_null: the branch carries the
    // label values below the ref (the ref is dropped) and the non-null ref stays otherwise.
    // br_on_non_null: the branch carries the ref as the last label value; null drops it.
    uint32_t ref_src = stack_.back().src;
    emit_h(on_null ? h::br_on_non_null : h::br_on_null);  // "skip the branch when" handler
    emit_u(ref_src * 8);
    uint32_t skip = pc();
    relocs_.push_back(pc());
    emit_u(0);
    if (on_null) {
      Entry r = pop();
      lower_br(in.a);
      stack_.push_back(r);
    } else {
      lower_br(in.a);
      pop();
    }
    code_[skip].u = pc();
    patch_pos_ = kNoPatch;
  }

  // --- GC (lower_gc.cc; operand layouts beside the handlers in exec_gc.cc) ---
  const GcLayout& layout_of(uint32_t type_index) const;
  void emit_layout(uint32_t type_index);
  void emit_cast_target(const ValType& t);
  std::vector<uint64_t> pop_sources(size_t n);
  void lower_gc(const Instr& in);
  void lower_local_set(uint32_t idx, bool tee) {
    uint32_t ls = local_slot_[idx];
    Entry& top = stack_.back();
    bool others = false;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      if (stack_[i].src == ls) {
        others = true;
        break;
      }
    }
    if (others) {
      // Values that still read the local must be copied before it changes.
      for (size_t i = 0; i + 1 < stack_.size(); ++i)
        if (stack_[i].src == ls) materialize(stack_[i]);
    } else if (patch_pos_ != kNoPatch && top.src == top.canon && patch_slot_ == top.canon) {
      // The previous instruction produced this value: make it write the local directly.
      code_[patch_pos_].u = ls * 8;
      patch_pos_ = kNoPatch;
      if (tee) {
        top.src = ls;
      } else {
        stack_.pop_back();
      }
      return;
    }
    Entry& t = stack_.back();
    emit_copy(ls, t.src, t.n);
    if (tee) {
      if (t.src == t.canon) t.src = ls;
    } else {
      stack_.pop_back();
    }
  }

  void lower_call(const Instr& in, bool tail) {
    const FuncType* ft;
    Op op = in.op;
    bool direct = op == Op::call || op == Op::return_call;
    bool indirect = op == Op::call_indirect || op == Op::return_call_indirect;
    if (direct) {
      ft = &m_.func_type(in.a);
    } else {
      ft = &m_.types[in.a].func;
    }
    uint32_t ref_src = 0;
    if (!direct) ref_src = pop().src;  // table index or function reference
    size_t np = ft->params.size();
    materialize_top(np);
    uint32_t h = np == 0 ? height() : stack_[stack_.size() - np].canon;
    uint32_t pslots = count_slots(ft->params);
    stack_.resize(stack_.size() - np);
    const bool hot = opts_.hot_threshold != 0;  // the callee's count is taken at the call
    if (direct) {
      bool defined = in.a >= m_.num_imported_funcs;
      if (defined) {
        emit_h(hot ? (tail ? h::rcall_direct_hot : h::call_direct_hot)
                   : (tail ? h::rcall_direct : h::call_direct));
        Word w;
        w.ptr = &mc_.funcs[in.a - m_.num_imported_funcs];
        code_.push_back(w);
      } else {
        emit_h(hot ? (tail ? h::rcall_func_hot : h::call_func_hot)
                   : (tail ? h::rcall_func : h::call_func));
        emit_u(in.a);
      }
    } else if (indirect) {
      emit_h(hot ? (tail ? h::rcall_indirect_hot : h::call_indirect_hot)
                 : (tail ? h::rcall_indirect : h::call_indirect));
      emit_u(in.b);
      emit_u(type_ids_.empty() ? in.a : type_ids_[in.a]);
      emit_u(ref_src * 8);
      emit_u(m_.tables[in.b].limits.is64);
    } else {
      emit_h(hot ? (tail ? h::rcall_ref_hot : h::call_ref_hot)
                 : (tail ? h::rcall_ref : h::call_ref));
      emit_u(ref_src * 8);
    }
    emit_u(h * 8);
    // A host callee writes max(params, results) slots at h.
    max_slots_ = std::max(max_slots_, h + std::max(pslots, count_slots(ft->results)));
    if (tail) {
      emit_u(pslots);
      unreachable_ = true;
      return;
    }
    for (auto& t : ft->results) push(t.slots());
    max_slots_ = std::max(max_slots_, h + std::max(pslots, count_slots(ft->results)));
    patch_pos_ = kNoPatch;
  }

  // `a + (b << k)` where the shl (with a constant k) was just emitted: one add_shl.
  bool fuse_add_shl() {
    if (last_kind_ != LastKind::Sig || last_op_ != Op::i32_shl || !last_imm_) return false;
    size_t n = stack_.size();
    const Entry* other;
    if (is_last_result(stack_[n - 1])) {
      other = &stack_[n - 2];
    } else if (is_last_result(stack_[n - 2])) {
      other = &stack_[n - 1];
    } else {
      return false;
    }
    uint64_t a = other->src * 8, b = last_w_[0], k = last_w_[1] & 31;
    code_.resize(last_start_);
    pop();
    pop();
    Entry d = push(1);
    emit_h(h::add_shl);
    emit_dst(d);
    emit_u(a);
    emit_u(b);
    emit_u(k);
    last_kind_ = LastKind::AddShl;
    last_w_[0] = a;
    last_w_[1] = b;
    last_k_ = k;
    return true;
  }

  // The address arithmetic a fused memory-0 access can absorb: the instruction just emitted,
  // if it produced `addr` and is an i32.add (with a constant or not) or an add_shl.
  struct AddrFusion {
    bool ok = false;
    MemForm form = MemForm::AddImm;
    uint64_t w[3] = {0, 0, 0};
    unsigned nw = 0;
  };
  AddrFusion addr_fusion(const Entry& addr) const {
    AddrFusion f;
    if (!is_last_result(addr)) return f;
    if (last_kind_ == LastKind::Sig && last_op_ == Op::i32_add && last_np_ == 2) {
      f.ok = true;
      f.w[0] = last_w_[0];
      if (last_imm_) {
        f.form = MemForm::AddImm;
        f.w[1] = static_cast<uint32_t>(last_w_[1]);
        f.nw = 2;
      } else {
        f.form = MemForm::AddShl;
        f.w[1] = last_w_[1];
        f.w[2] = 0;
        f.nw = 3;
      }
    } else if (last_kind_ == LastKind::AddShl) {
      f.ok = true;
      f.form = MemForm::AddShl;
      f.w[0] = last_w_[0];
      f.w[1] = last_w_[1];
      f.w[2] = last_k_;
      f.nw = 3;
    }
    return f;
  }

  void lower_mem(const Instr& in, std::span<const ValType> popped,
                 std::span<const ValType> pushed) {
    uint32_t mi = in.mem.memory;
    bool is64 = m_.memories[mi].limits.is64;
    // Guard pages make plain accesses to 32-bit memories with 64 KiB pages unchecked.
    bool guard = opts_.guard_pages && guardable(m_.memories[mi]);
    // The memory-0 forms check bounds against the size cached in a register, which another
    // thread's growth of an unguarded shared memory would leave stale: those accesses read the
    // Memory's size instead. (Guarded memories need no size: growth commits pages first.)
    bool cached_size = guard || !m_.memories[mi].limits.shared;
    size_t np = popped.size();
    if (mi == 0 && !is64 && cached_size && op_info(in.op).imm == ImmKind::Mem &&
        lower_fused_mem(in, np, pushed, guard))
      return;
    emit_mem_access(mem_handler(in.op, is64, mi == 0 && cached_size, guard), in, np, pushed);
  }

  // A memory access without fusion: [dst?][operands...][offset][memidx] (+ [lane]). The
  // destination stays patchable (a following local.set writes the local directly).
  void emit_mem_access(Handler hd, const Instr& in, size_t np, std::span<const ValType> pushed) {
    Entry srcs[3];
    for (size_t i = np; i-- > 0;) srcs[i] = pop();
    Entry d{};
    if (!pushed.empty()) d = push(pushed[0].slots());
    emit_h(hd);
    if (!pushed.empty()) emit_dst(d);
    uint32_t dst_pos = patch_pos_;
    for (size_t i = 0; i < np; ++i) emit_u(srcs[i].src * 8);
    emit_u(in.mem.offset);
    emit_u(in.mem.memory);
    if (op_info(in.op).imm == ImmKind::MemLane) emit_u(in.lane);
    patch_pos_ = pushed.empty() ? kNoPatch : dst_pos;
  }

  // Atomic instructions (exec_atomic.cc): [dst?][addr][operand...][offset][memidx]; the fence
  // has no operands. Never fused: each is one atomic access with its own checks.
  void lower_atomic(const Instr& in, std::span<const ValType> popped,
                    std::span<const ValType> pushed) {
    if (in.op == Op::atomic_fence) {
      emit_h(atomic_handler(in.op, false));
      return;
    }
    emit_mem_access(atomic_handler(in.op, m_.memories[in.mem.memory].limits.is64), in,
                    popped.size(), pushed);
  }

  // Memory-0 superinstructions (handlers.h, MemForm); false if none applies.
  bool lower_fused_mem(const Instr& in, size_t np, std::span<const ValType> pushed, bool guard) {
    if (np == 1 && pushed.size() == 1) {  // load
      AddrFusion f = addr_fusion(stack_.back());
      if (!f.ok) return false;
      Handler hd = fused_mem_handler(in.op, f.form, guard);
      if (!hd) return false;
      code_.resize(last_start_);
      pop();
      Entry d = push(pushed[0].slots());
      emit_h(hd);
      emit_dst(d);
      uint32_t dst_pos = patch_pos_;
      for (unsigned i = 0; i < f.nw; ++i) emit_u(f.w[i]);
      emit_u(in.mem.offset);
      patch_pos_ = dst_pos;
      patch_slot_ = d.canon;
      return true;
    }
    if (np != 2 || !pushed.empty()) return false;
    Entry& value = stack_.back();
    Entry& addr = stack_[stack_.size() - 2];
    if (last_kind_ == LastKind::Const && is_last_result(value)) {
      // A constant stored value: its bits replace the value operand.
      Handler hd = fused_mem_handler(in.op, MemForm::ValImm, guard);
      if (!hd) return false;
      uint64_t bits = last_const_;
      uint32_t a = addr.src;
      code_.resize(last_start_);
      pop();
      pop();
      emit_h(hd);
      emit_u(a * 8);
      emit_u(bits);
      emit_u(in.mem.offset);
      patch_pos_ = kNoPatch;
      return true;
    }
    // The value was pushed after the address without code (e.g. local.get), so the address
    // arithmetic can still be the instruction just emitted.
    AddrFusion f = addr_fusion(addr);
    if (!f.ok) return false;
    Handler hd = fused_mem_handler(in.op, f.form, guard);
    if (!hd) return false;
    uint32_t v = value.src;
    code_.resize(last_start_);
    pop();
    pop();
    emit_h(hd);
    for (unsigned i = 0; i < f.nw; ++i) emit_u(f.w[i]);
    emit_u(v * 8);
    emit_u(in.mem.offset);
    patch_pos_ = kNoPatch;
    return true;
  }

  const ModuleDesc& m_;
  const std::vector<uint32_t>& type_ids_;
  ModuleCode& mc_;
  FuncCode* fc_ = nullptr;
  std::vector<Word> code_;
  std::vector<uint32_t> relocs_;
  std::vector<TryRegion> regions_;  // closed try_table bodies, innermost first
  std::vector<uint32_t> local_ref_slots_;  // slots of the locals of reference type
  std::vector<GcPoint> gc_points_;
  std::vector<uint32_t> gc_ref_slots_;
  std::vector<CatchCode> catches_;
  uint32_t next_region_id_ = 0;
  uint32_t loops_ = 0;    // loops met so far in the function
  uint32_t loop_id_ = 0;  // the number of the loop being lowered
  std::vector<std::pair<uint32_t, uint32_t>> offsets_;
  std::vector<uint32_t> starts_;
  uint32_t cur_offset_ = 0;
  std::vector<Entry> stack_;
  std::vector<Ctl> ctls_;
  std::vector<uint32_t> local_slot_;
  std::vector<uint8_t> local_n_;
  uint32_t max_slots_ = 0;
  bool unreachable_ = false;
  uint32_t patch_pos_ = kNoPatch;
  CompileOptions opts_;
  uint32_t check_pos_ = kNoPatch;  // operand word of the open check point
  uint64_t check_count_ = 0;       // instructions since it
  uint32_t patch_slot_ = 0;
  // The last emitted instruction, for fusing it into its consumer.
  enum class LastKind : uint8_t { Other, Const, Sig, AddShl };
  LastKind last_kind_ = LastKind::Other;
  uint32_t last_start_ = 0;
  uint64_t last_const_ = 0;
  Op last_op_ = Op::nop;
  uint8_t last_np_ = 0;
  bool last_imm_ = false;
  uint64_t last_w_[2] = {0, 0};
  uint64_t last_k_ = 0;  // AddShl: the shift
  std::optional<Error> error_;
};


}  // namespace hull::interp::lowering
