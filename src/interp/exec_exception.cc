// Exception handling: the throw handlers and the unwinder that finds a catch clause.
//
// Unwinding walks this call()'s frames from the innermost outwards (stopping at the entry
// sentinel: a host frame in between is a boundary, where the exception leaves as a Trap with
// kind Exception and, if the host passes it on, is thrown again at the host call's site). In
// each frame the pc of the throw, or of the call in progress, selects the try_table regions
// around it (FuncCode::try_regions, innermost first); the first clause whose tag matches
// receives the values in its label's slots and execution resumes at the label.
#include "interp/exec_util.h"
#include "interp/handlers.h"

namespace hull::interp {

namespace {

// An exception collection is a collection of the whole store (GC objects and exceptions may
// refer to each other). Mid-unwind no frame is at a GC point: each is scanned whole; `sp` is
// the base of the catching frame, ctx->fp.
void collect_exceptions(Ctx* ctx, const uint64_t* sp) {
  collect_garbage(
      *ctx->store,
      [&](const std::function<void(uint64_t)>& root) { visit_frame_roots(ctx, nullptr, sp, root); },
      /*sweep_now=*/false);
}

}  // namespace

bool catch_matches(const Instance* inst, uint8_t kind, uint32_t tag, const Exception* exn) {
  return kind >= 2 || inst->tags[tag] == exn->tag;  // catch_all(_ref), or the same tag
}

bool deliver_exception(Store& store, Exception* exn, uint8_t kind, bool keep, uint64_t* dst) {
  if (kind < 2 && !exn->payload.empty())
    std::memcpy(dst, exn->payload.data(), exn->payload.size() * 8);
  if ((kind & 1) || keep) return store.exceptions.expose(exn);
  store.exceptions.release(exn);
  return false;
}

void native_throw(Ctx* ctx, Tag* tag, const uint64_t* payload, uint32_t nslots, uint32_t offset) {
  ctx->rethrow = ctx->store->exceptions.allocate(tag, payload, nslots);
  ctx->trap_offset = offset;
}

void native_rethrow(Ctx* ctx, Exception* exn, uint32_t offset) {
  ctx->rethrow = exn;
  ctx->trap_offset = offset;
}

Exception* native_pending_exception(Ctx* ctx) { return ctx->rethrow; }

void native_catch(Ctx* ctx, Exception* exn, uint8_t kind, bool keep, uint64_t* dst,
                  const uint64_t* roots, uint32_t nroots) {
  ctx->rethrow = nullptr;
  if (!deliver_exception(*ctx->store, exn, kind, keep, dst)) return;
  // The interpreter's frames below and the native root frames (visit_frame_roots), the
  // caught exception, and what the catching function holds now (its root frame has what it
  // held at the call that threw).
  collect_garbage(
      *ctx->store,
      [&](const std::function<void(uint64_t)>& root) {
        visit_frame_roots(ctx, nullptr, nullptr, root);
        root(reinterpret_cast<uint64_t>(exn));
        for (uint32_t i = 0; i < nroots; ++i) root(roots[i]);
      },
      /*sweep_now=*/false);
}

bool unwind(Ctx* ctx, Exception* exn, const Word* pc, uint64_t* sp, Resume* out) {
  Store& store = *ctx->store;
  for (Frame* f = ctx->fp; f->code; --f) {
    const FuncCode* fc = f->code;
    if (fc->try_regions.empty()) continue;
    const bool innermost = f == ctx->fp;
    const Word* at = innermost ? pc : f->ret_pc - 1;
    uint64_t* fsp = innermost ? sp : f->sp;
    const uint32_t idx = static_cast<uint32_t>(at - fc->code.data());
    uint32_t skip_to = TryRegion::kNoDelegate;  // a delegate's target region id
    for (const TryRegion& r : fc->try_regions) {
      if (idx < r.begin || idx >= r.end) continue;
      if (skip_to != TryRegion::kNoDelegate) {
        if (r.id != skip_to) continue;
        skip_to = TryRegion::kNoDelegate;
      }
      if (r.delegate == TryRegion::kToCaller) break;
      if (r.delegate != TryRegion::kNoDelegate) {
        skip_to = r.delegate;
        continue;
      }
      for (uint32_t i = r.first; i < r.first + r.count; ++i) {
        const CatchCode& c = fc->catches[i];
        if (!catch_matches(f->inst, c.kind, c.tag, exn)) continue;
        uint64_t* dst = fsp + c.dst_slot;
        const size_t n = c.kind >= 2 ? 0 : exn->payload.size();  // catch_all(_ref): none
        ctx->fp = f;
        out->pc = fc->code.data() + c.target;
        out->sp = fsp;
        const uint64_t ref = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(exn));
        // catch_ref, catch_all_ref: the exnref is the label's last value.
        if (c.kind & 1) dst[n] = ref;
        // A legacy catch whose block rethrows keeps it in the block's first slot.
        const bool keep = c.exn_slot != CatchCode::kNoSlot;
        if (keep) fsp[c.exn_slot] = ref;
        if (deliver_exception(store, exn, c.kind, keep, dst)) collect_exceptions(ctx, fsp);
        return true;
      }
    }
  }
  // No handler in this call(): the exception leaves it (interp::call makes it the Trap).
  exception_escapes(ctx, exn, pc);
  return false;
}

void exception_escapes(Ctx* ctx, Exception* exn, const Word* pc) {
  ctx->trapped = true;
  ctx->trap_pc = pc;
  // No pc: native code passed the exception on, with the offset of its throw when it threw it
  // (native_throw / native_rethrow).
  if (pc) ctx->trap_offset = Ctx::kNoOffset;
  ctx->trap_kind = TrapKind::Exception;
  ctx->trap_message = nullptr;
  ctx->exception = exn;
}

namespace h {

// [tag][payload offset][payload slots]
HANDLER(throw_) {
  Tag* tag = inst(ctx)->tags[pc[1].u];
  const uint64_t* payload =
      reinterpret_cast<const uint64_t*>(reinterpret_cast<char*>(sp) + pc[2].u);
  Exception* exn = ctx->store->exceptions.allocate(tag, payload, static_cast<uint32_t>(pc[3].u));
  THROW(exn);
}

// [src]
HANDLER(throw_ref) {
  auto* exn = reinterpret_cast<Exception*>(static_cast<uintptr_t>(rd<uint64_t>(sp, pc[1].u)));
  if (!exn) return set_trap(ctx, pc, TrapKind::NullReference, "null exception reference");
  THROW(exn);
}

// [slot offset]: the exception a legacy catch block caught (kept in its first slot), again.
HANDLER(rethrow) {
  auto* exn = reinterpret_cast<Exception*>(static_cast<uintptr_t>(rd<uint64_t>(sp, pc[1].u)));
  THROW(exn);
}

}  // namespace h
}  // namespace hull::interp
