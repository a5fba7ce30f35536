// GC handlers (Wasm 3.0): struct and array allocation and access, i31, casts; and the
// interpreter's roots. Objects live in the store's GcHeap (runtime/gc_heap.h); an allocation
// may collect first, with the frames on this store's value stack as roots.
#include <algorithm>
#include <cstring>

#include "interp/exec_util.h"
#include "interp/gc_ops.h"
#include "interp/handlers.h"
#include "runtime/store.h"

namespace hull::interp {

namespace {

// The stack map of `fc` at code word `at`, or nullptr where it has none.
const GcPoint* gc_point_at(const FuncCode* fc, const Word* at) {
  const Word* code = fc->code.data();
  if (at < code || at >= code + fc->code.size() || fc->gc_points.empty()) return nullptr;
  const uint32_t idx = static_cast<uint32_t>(at - code);
  auto it = std::upper_bound(fc->gc_points.begin(), fc->gc_points.end(), idx,
                             [](uint32_t i, const GcPoint& p) { return i < p.begin; });
  if (it == fc->gc_points.begin()) return nullptr;
  --it;
  return idx < it->end ? &*it : nullptr;
}

[[gnu::noinline]] void collect_from(Ctx* ctx, const Word* pc, const uint64_t* sp) {
  collect_garbage(
      *ctx->store,
      [&](const std::function<void(uint64_t)>& root) { visit_frame_roots(ctx, pc, sp, root); },
      /*sweep_now=*/false);
}

// A zeroed object, or nullptr when the store's memory limit forbids it even after a collection.
GcObject* allocate(Ctx* ctx, const Word* pc, const uint64_t* sp, const GcLayout& l, bool array,
                   uint32_t len) {
  Store& s = *ctx->store;
  const uint64_t limit = s.limits.max_memory_bytes;
  if (s.gc.should_collect()) collect_from(ctx, pc, sp);
  GcObject* o = array ? s.gc.allocate_array(l, len, limit) : s.gc.allocate_struct(l, limit);
  if (!o) {
    collect_from(ctx, pc, sp);
    o = array ? s.gc.allocate_array(l, len, limit) : s.gc.allocate_struct(l, limit);
  }
  return o;
}

// Reads a field of storage mode `mode` (gc_ops.h FieldMode) at p into the slot at `dst`.
inline void load_field(uint64_t* sp, uint64_t dst, const uint8_t* p, uint64_t mode) {
  switch (static_cast<FieldMode>(mode)) {
    case FieldMode::I8S: wr<uint64_t>(sp, dst, uint32_t(int32_t(int8_t(p[0])))); return;
    case FieldMode::I8U: wr<uint64_t>(sp, dst, p[0]); return;
    case FieldMode::I16S: {
      int16_t v;
      std::memcpy(&v, p, 2);
      wr<uint64_t>(sp, dst, uint32_t(int32_t(v)));
      return;
    }
    case FieldMode::I16U: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      wr<uint64_t>(sp, dst, v);
      return;
    }
    case FieldMode::B32: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      wr<uint64_t>(sp, dst, v);
      return;
    }
    case FieldMode::B64: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      wr<uint64_t>(sp, dst, v);
      return;
    }
    case FieldMode::B128: std::memcpy(reinterpret_cast<char*>(sp) + dst, p, 16); return;
  }
}
// Stores the low `size` bytes of the value at slot offset `src` (little-endian) at p.
inline void store_field(uint8_t* p, const uint64_t* sp, uint64_t src, uint64_t size) {
  std::memcpy(p, reinterpret_cast<const char*>(sp) + src, size);
}

inline GcObject* obj(const uint64_t* sp, uint64_t off) {
  return reinterpret_cast<GcObject*>(rd<uint64_t>(sp, off));
}

bool cast_ok(uint64_t r, const Word* w) {  // w: [top][target][type id][nullable]
  if (!r) return w[3].u != 0;
  return ref_matches_heap_type(static_cast<RefBits>(r), static_cast<HeapKind>(w[0].u),
                               static_cast<HeapKind>(w[1].u), static_cast<uint32_t>(w[2].u));
}

constexpr const char* kNullStruct = "null structure reference";
constexpr const char* kNullArray = "null array reference";

}  // namespace

void visit_frame_roots(const Ctx* ctx, const Word* pc, const uint64_t* sp,
                       const std::function<void(uint64_t)>& root) {
  const Frame* inner = nullptr;  // the frame `f` called
  for (const Frame* f = ctx->fp;; inner = f--) {
    if (!f->code) {  // the entry sentinel of a call() from the host; frames[0] is the first
      if (f == ctx->frames) break;
      continue;
    }
    const uint64_t* fsp = f == ctx->fp && sp ? sp : f->sp;
    // Where the frame is: the innermost one at `pc`; one below a wasm frame in the call that
    // made it (ret_pc follows that call's code). One below a sentinel waits in a host call,
    // whose position no ret_pc records.
    const Word* at = f == ctx->fp                        ? pc
                     : inner && inner->code && f->ret_pc ? f->ret_pc - 1
                                                         : nullptr;
    if (const GcPoint* p = at ? gc_point_at(f->code, at) : nullptr) {
      for (uint32_t i = p->first; i < p->first + p->count; ++i) root(fsp[f->code->gc_ref_slots[i]]);
    } else {
      for (uint32_t i = 0; i < f->code->frame_slots; ++i) root(fsp[i]);
    }
  }
  // Native frames, wherever they are among those: the words each published last.
  for (NativeRootFrame* n = ctx->native_roots; n; n = n->prev)
    for (uint64_t i = 0; i < n->count; ++i) root(n->words()[i]);
}

NativeRootFrame** native_roots_head(Ctx* ctx) { return &ctx->native_roots; }

GcObject* native_gc_allocate(Ctx* ctx, const GcLayout& layout, bool array, uint32_t length,
                             uint32_t offset) {
  // No pc: the innermost interpreter frame is visited whole (it called the native code).
  GcObject* o = allocate(ctx, nullptr, nullptr, layout, array, length);
  if (!o) native_trap(ctx, TrapKind::HeapExhausted, offset);
  return o;
}

void visit_guest_roots(Store& store, const std::function<void(uint64_t)>& root) {
  const auto* ctx = static_cast<const Ctx*>(store.interp_state);
  if (!ctx || ctx->host_depth == 0) return;
  // A host function runs: the frame that called it saved its sp in call_host.
  visit_frame_roots(ctx, nullptr, nullptr, root);
}

namespace h {

// [dst][layout][n][src 0] ... [src n-1]
HANDLER(struct_new) {
  const auto& l = *static_cast<const GcLayout*>(pc[2].ptr);
  GcObject* o = allocate(ctx, pc, sp, l, false, 0);
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  const uint64_t n = pc[3].u;
  for (uint64_t i = 0; i < n; ++i)
    store_field(o->payload() + l.fields[i].offset, sp, pc[4 + i].u, l.fields[i].size);
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(4 + n);
}
// [dst][layout]
HANDLER(struct_new_default) {
  GcObject* o = allocate(ctx, pc, sp, *static_cast<const GcLayout*>(pc[2].ptr), false, 0);
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(3);
}
// [dst][ref][offset][mode]
HANDLER(struct_get) {
  GcObject* o = obj(sp, pc[2].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullStruct);
  load_field(sp, pc[1].u, o->payload() + pc[3].u, pc[4].u);
  NEXT(5);
}
// [ref][val][offset][size]
HANDLER(struct_set) {
  GcObject* o = obj(sp, pc[1].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullStruct);
  store_field(o->payload() + pc[3].u, sp, pc[2].u, pc[4].u);
  NEXT(5);
}
// [dst][layout][val][len]
HANDLER(array_new) {
  const auto& l = *static_cast<const GcLayout*>(pc[2].ptr);
  const uint32_t len = rd<uint32_t>(sp, pc[4].u);
  GcObject* o = allocate(ctx, pc, sp, l, true, len);
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  const size_t size = l.payload_size;
  uint8_t* p = o->payload();
  for (uint32_t i = 0; i < len; ++i) store_field(p + i * size, sp, pc[3].u, size);
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(5);
}
// [dst][layout][len]
HANDLER(array_new_default) {
  const auto& l = *static_cast<const GcLayout*>(pc[2].ptr);
  GcObject* o = allocate(ctx, pc, sp, l, true, rd<uint32_t>(sp, pc[3].u));
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(4);
}
// [dst][layout][n][src 0] ... [src n-1]
HANDLER(array_new_fixed) {
  const auto& l = *static_cast<const GcLayout*>(pc[2].ptr);
  const uint64_t n = pc[3].u;
  GcObject* o = allocate(ctx, pc, sp, l, true, static_cast<uint32_t>(n));
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  const size_t size = l.payload_size;
  for (uint64_t i = 0; i < n; ++i) store_field(o->payload() + i * size, sp, pc[4 + i].u, size);
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(4 + n);
}
// [dst][layout][s][n][data]
HANDLER(array_new_data) {
  const auto& l = *static_cast<const GcLayout*>(pc[2].ptr);
  Instance* in = inst(ctx);
  const uint64_t di = pc[5].u;
  const std::vector<uint8_t>& seg = ctx->fp->code->module->datas[di];
  const uint64_t seg_size = di < in->data_dropped.size() && in->data_dropped[di] ? 0 : seg.size();
  const uint64_t s = rd<uint32_t>(sp, pc[3].u), n = rd<uint32_t>(sp, pc[4].u);
  const uint64_t bytes = n * l.payload_size;
  if (s > seg_size || bytes > seg_size - s) return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  GcObject* o = allocate(ctx, pc, sp, l, true, static_cast<uint32_t>(n));
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  if (bytes) std::memcpy(o->payload(), seg.data() + s, bytes);
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(6);
}
// [dst][layout][s][n][elem]
HANDLER(array_new_elem) {
  const auto& l = *static_cast<const GcLayout*>(pc[2].ptr);
  const std::vector<RefBits>& seg = inst(ctx)->elems[pc[5].u];
  const uint64_t s = rd<uint32_t>(sp, pc[3].u), n = rd<uint32_t>(sp, pc[4].u);
  if (s > seg.size() || n > seg.size() - s) return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  GcObject* o = allocate(ctx, pc, sp, l, true, static_cast<uint32_t>(n));
  if (!o) return set_trap(ctx, pc, TrapKind::HeapExhausted);
  if (n) std::memcpy(o->payload(), seg.data() + s, n * sizeof(RefBits));
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(o));
  NEXT(6);
}
// [dst][ref][i][mode]
HANDLER(array_get) {
  GcObject* o = obj(sp, pc[2].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  const uint32_t i = rd<uint32_t>(sp, pc[3].u);
  if (i >= o->length) return set_trap(ctx, pc, TrapKind::ArrayOutOfBounds);
  load_field(sp, pc[1].u, o->payload() + size_t(i) * o->layout->payload_size, pc[4].u);
  NEXT(5);
}
// [ref][i][val][size]
HANDLER(array_set) {
  GcObject* o = obj(sp, pc[1].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  const uint32_t i = rd<uint32_t>(sp, pc[2].u);
  if (i >= o->length) return set_trap(ctx, pc, TrapKind::ArrayOutOfBounds);
  store_field(o->payload() + size_t(i) * pc[4].u, sp, pc[3].u, pc[4].u);
  NEXT(5);
}
// [dst][ref]
HANDLER(array_len) {
  GcObject* o = obj(sp, pc[2].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  wr<uint64_t>(sp, pc[1].u, o->length);
  NEXT(3);
}
// [ref][d][val][n][size]
HANDLER(array_fill) {
  GcObject* o = obj(sp, pc[1].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  const uint64_t d = rd<uint32_t>(sp, pc[2].u), n = rd<uint32_t>(sp, pc[4].u);
  if (d > o->length || n > o->length - d) return set_trap(ctx, pc, TrapKind::ArrayOutOfBounds);
  const uint64_t size = pc[5].u;
  for (uint64_t k = 0; k < n; ++k) store_field(o->payload() + (d + k) * size, sp, pc[3].u, size);
  NEXT(6);
}
// [dst ref][d][src ref][s][n][size]
HANDLER(array_copy) {
  GcObject* dst = obj(sp, pc[1].u);
  GcObject* src = obj(sp, pc[3].u);
  if (!dst || !src) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  const uint64_t d = rd<uint32_t>(sp, pc[2].u), s = rd<uint32_t>(sp, pc[4].u);
  const uint64_t n = rd<uint32_t>(sp, pc[5].u);
  if (d > dst->length || n > dst->length - d || s > src->length || n > src->length - s)
    return set_trap(ctx, pc, TrapKind::ArrayOutOfBounds);
  const uint64_t size = pc[6].u;
  if (n) std::memmove(dst->payload() + d * size, src->payload() + s * size, n * size);
  NEXT(7);
}
// [ref][d][s][n][data][size]
HANDLER(array_init_data) {
  GcObject* o = obj(sp, pc[1].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  Instance* in = inst(ctx);
  const uint64_t di = pc[5].u;
  const std::vector<uint8_t>& seg = ctx->fp->code->module->datas[di];
  const uint64_t seg_size = di < in->data_dropped.size() && in->data_dropped[di] ? 0 : seg.size();
  const uint64_t d = rd<uint32_t>(sp, pc[2].u), s = rd<uint32_t>(sp, pc[3].u);
  const uint64_t n = rd<uint32_t>(sp, pc[4].u), size = pc[6].u;
  if (d > o->length || n > o->length - d) return set_trap(ctx, pc, TrapKind::ArrayOutOfBounds);
  if (s > seg_size || n * size > seg_size - s)
    return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  if (n) std::memcpy(o->payload() + d * size, seg.data() + s, n * size);
  NEXT(7);
}
// [ref][d][s][n][elem]
HANDLER(array_init_elem) {
  GcObject* o = obj(sp, pc[1].u);
  if (!o) return set_trap(ctx, pc, TrapKind::NullReference, kNullArray);
  const std::vector<RefBits>& seg = inst(ctx)->elems[pc[5].u];
  const uint64_t d = rd<uint32_t>(sp, pc[2].u), s = rd<uint32_t>(sp, pc[3].u);
  const uint64_t n = rd<uint32_t>(sp, pc[4].u);
  if (d > o->length || n > o->length - d) return set_trap(ctx, pc, TrapKind::ArrayOutOfBounds);
  if (s > seg.size() || n > seg.size() - s) return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  if (n) std::memcpy(o->payload() + d * sizeof(RefBits), seg.data() + s, n * sizeof(RefBits));
  NEXT(6);
}
// [dst][ref][top][target][type id][nullable]
HANDLER(ref_test) {
  wr<uint64_t>(sp, pc[1].u, cast_ok(rd<uint64_t>(sp, pc[2].u), pc + 3));
  NEXT(7);
}
HANDLER(ref_cast) {
  const uint64_t r = rd<uint64_t>(sp, pc[2].u);
  if (!cast_ok(r, pc + 3)) return set_trap(ctx, pc, TrapKind::CastFailure);
  wr<uint64_t>(sp, pc[1].u, r);
  NEXT(7);
}
// [ref][skip target][top][target][type id][nullable][skip when]: jumps over the branch that
// follows when the cast's outcome equals `skip when` (br_on_cast: 0, br_on_cast_fail: 1).
HANDLER(br_on_cast_skip) {
  if (cast_ok(rd<uint64_t>(sp, pc[1].u), pc + 3) == (pc[7].u != 0)) {
    pc = pc[2].p;
    DISPATCH();
  }
  NEXT(8);
}
// [dst][src]
HANDLER(ref_i31) {
  wr<uint64_t>(sp, pc[1].u, i31_ref(rd<uint32_t>(sp, pc[2].u)));
  NEXT(3);
}
HANDLER(i31_get_s) {
  const uint64_t r = rd<uint64_t>(sp, pc[2].u);
  if (!r) return set_trap(ctx, pc, TrapKind::NullReference, "null i31 reference");
  wr<uint64_t>(sp, pc[1].u, hull::i31_get_s(static_cast<RefBits>(r)));
  NEXT(3);
}
HANDLER(i31_get_u) {
  const uint64_t r = rd<uint64_t>(sp, pc[2].u);
  if (!r) return set_trap(ctx, pc, TrapKind::NullReference, "null i31 reference");
  wr<uint64_t>(sp, pc[1].u, hull::i31_get_u(static_cast<RefBits>(r)));
  NEXT(3);
}

}  // namespace h

}  // namespace hull::interp
