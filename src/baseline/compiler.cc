// The baseline compiler (baseline.h): one pass over each function's lowered code, copying and
// patching a stencil per instruction (stencils.gen.h, from stencils.cc).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "baseline/baseline.h"
#include "baseline/code_memory.h"
#include "baseline/stencil_abi.h"
#include "baseline/stencils.gen.h"
#include "interp/code.h"
#include "interp/exec_util.h"
#include "interp/handlers.h"

namespace hull::baseline {
namespace {

using interp::Handler;
using interp::Word;

// What the compiler knows of a handler: its stencil, and whether it is a guarded access (which
// may fault).
struct HandlerInfo {
  int32_t blob = -1;  // -1: none (the fallback)
  bool guarded = false;
};

// What every compile shares: which handler has which stencil, and the support blobs and
// veneers, placed once.
struct Tables {
  std::unordered_map<Handler, HandlerInfo> info_of;  // handlers with a stencil or a guard
  std::vector<uintptr_t> blob_address;               // support blobs (0: a stencil, or unusable)
  std::vector<uintptr_t> veneer;  // per extern: `jmp *addr`, within reach of the code
  std::unique_ptr<CodeRegion> support;
  uint32_t fallback_blob = 0;
  int32_t entry_blob = -1;  // a function's entry from the call stencils (-1: none, no calls)
  std::string error;
};

const StencilRow* find_row(uint32_t key);

void map_handlers(Tables& t) {
  auto add = [&](Handler h, StencilKind kind, unsigned op, unsigned variant) {
    if (!h) return;
    if (const StencilRow* row = find_row(stencil_key(kind, op, variant)))
      t.info_of[h].blob = static_cast<int32_t>(row->blob);
  };
  for (unsigned i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    add(interp::sig_handler(op), StencilKind::Sig, i, 0);
    add(interp::sig_imm_handler(op), StencilKind::SigImm, i, 0);
    for (unsigned v = 0; v < 4; ++v)
      add(interp::branch_handler(op, v >> 1, v & 1), StencilKind::Branch, i, v);
    for (unsigned guard = 0; guard < 2; ++guard) {
      add(interp::mem_handler(op, false, true, guard), StencilKind::Mem, i, guard);
      for (unsigned form = 0; form < 3; ++form)
        add(interp::fused_mem_handler(op, static_cast<interp::MemForm>(form), guard),
            StencilKind::Fused, i, form * 2 + guard);
    }
  }
  auto basic = [&](Handler h, BasicStencil b) {
    add(h, StencilKind::Basic, 0, static_cast<unsigned>(b));
  };
  namespace h = interp::h;
  basic(h::copy, BasicStencil::copy);
  basic(h::copy2, BasicStencil::copy2);
  basic(h::const64, BasicStencil::const64);
  basic(h::const128, BasicStencil::const128);
  basic(h::add_shl, BasicStencil::add_shl);
  basic(h::br, BasicStencil::br);
  basic(h::br_if, BasicStencil::br_if);
  basic(h::br_unless, BasicStencil::br_unless);
  basic(h::fuel, BasicStencil::fuel);
  basic(h::epoch, BasicStencil::epoch);
  basic(h::fuel_epoch, BasicStencil::fuel_epoch);
  basic(h::select, BasicStencil::select);
  basic(h::select2, BasicStencil::select2);
  basic(h::global_get, BasicStencil::global_get);
  basic(h::global_get2, BasicStencil::global_get2);
  basic(h::global_set, BasicStencil::global_set);
  basic(h::global_set2, BasicStencil::global_set2);
  // Direct calls: the baseline's own pair of stencils (stencils.cc call_site, function_entry).
  if (const StencilRow* entry = find_row(stencil_key(StencilKind::Entry, 0, 0))) {
    t.entry_blob = static_cast<int32_t>(entry->blob);
    add(h::call_direct, StencilKind::Call, 0, 0);
    add(h::call_direct_hot, StencilKind::Call, 0, 1);
  }
  // Every guarded access, with a stencil or not.
  for (unsigned i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    for (bool mem0 : {false, true})
      if (Handler g = interp::mem_handler(op, false, mem0, true)) t.info_of[g].guarded = true;
    for (unsigned form = 0; form < 3; ++form)
      if (Handler g = interp::fused_mem_handler(op, static_cast<interp::MemForm>(form), true))
        t.info_of[g].guarded = true;
  }
}

const StencilRow* find_row(uint32_t key) {
  const StencilRow* end = std::end(gen::kStencils);
  const StencilRow* it =
      std::lower_bound(std::begin(gen::kStencils), end, key,
                       [](const StencilRow& r, uint32_t k) { return r.key < k; });
  return it != end && it->key == key ? it : nullptr;
}

bool fits_rel32(int64_t d) { return d >= INT32_MIN && d <= INT32_MAX; }

void write32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
void write64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }

// Whether the 32-bit field at `offset` of `code` is the displacement of a call or jump (which a
// veneer can stand in for), not of a data access.
bool is_branch_field(const uint8_t* code, uint32_t offset) {
  if (offset >= 1 && (code[offset - 1] == 0xe8 || code[offset - 1] == 0xe9)) return true;
  return offset >= 2 && code[offset - 2] == 0x0f && (code[offset - 1] & 0xf0) == 0x80;
}

const Tables& tables() {
  static Tables* t = [] {
    auto* tb = new Tables;  // lives as long as the code that uses it: the process
    map_handlers(*tb);
    const StencilRow* fb = find_row(stencil_key(StencilKind::Fallback, kHandlerConvention, 0));
    if (!fb) {
      tb->error =
          "baseline tier: its stencils were built for another calling convention than the "
          "interpreter's handlers (sanitizer flags given to some files only?): rebuild with the "
          "same flags everywhere, or use --tier interp";
      return tb;
    }
    tb->fallback_blob = fb->blob;
    // Support blobs and veneers, in one region.
    const size_t nblobs = std::size(gen::kBlobs);
    const size_t nexterns = gen::kNumExterns;
    size_t size = nexterns * 16;
    for (const StencilBlob& b : gen::kBlobs)
      if (!b.stencil) size = (size + b.align - 1) / b.align * b.align + b.size;
    auto region = allocate_code(std::max<size_t>(size, 1));
    if (!region) {
      tb->error = region.error().message;
      return tb;
    }
    uint8_t* base = (*region)->base();
    tb->veneer.resize(nexterns);
    for (size_t i = 0; i < nexterns; ++i) {
      uint8_t* v = base + i * 16;
      const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};  // jmp *0(%rip)
      std::memcpy(v, jmp, 6);
      write64(v + 6, reinterpret_cast<uintptr_t>(hull_baseline_externs[i]));
      tb->veneer[i] = reinterpret_cast<uintptr_t>(v);
    }
    tb->blob_address.assign(nblobs, 0);
    size_t at = nexterns * 16;
    for (size_t b = 0; b < nblobs; ++b) {
      const StencilBlob& blob = gen::kBlobs[b];
      if (blob.stencil) continue;
      at = (at + blob.align - 1) / blob.align * blob.align;
      std::memcpy(base + at, gen::kCode + blob.code, blob.size);
      tb->blob_address[b] = reinterpret_cast<uintptr_t>(base + at);
      at += blob.size;
    }
    // Their relocations: other support blobs and externs only (stencil_gen checks).
    for (size_t b = 0; b < nblobs; ++b) {
      if (!tb->blob_address[b]) continue;
      const StencilBlob& blob = gen::kBlobs[b];
      auto* code = reinterpret_cast<uint8_t*>(tb->blob_address[b]);
      for (uint32_t r = 0; r < blob.num_relocs; ++r) {
        const StencilReloc& rel = gen::kRelocs[blob.first_reloc + r];
        uintptr_t target = 0;
        if (rel.target == uint8_t(RelocTarget::Blob)) {
          target = tb->blob_address[rel.arg];
        } else {
          target = reinterpret_cast<uintptr_t>(hull_baseline_externs[rel.arg]);
          if (rel.type == uint8_t(RelocType::Rel32) && !reachable_from_code(target) &&
              is_branch_field(code, rel.offset))
            target = tb->veneer[rel.arg];
        }
        const auto p = reinterpret_cast<uintptr_t>(code + rel.offset);
        const int64_t d = static_cast<int64_t>(target + rel.addend - p);
        if (rel.type == uint8_t(RelocType::Abs64)) {
          write64(code + rel.offset, target + rel.addend);
        } else if (rel.type == uint8_t(RelocType::Rel32) && target && fits_rel32(d)) {
          write32(code + rel.offset, static_cast<uint32_t>(d));
        } else {
          tb->blob_address[b] = 0;  // unusable: the stencils that need it fall back
          break;
        }
      }
    }
    if (!(*region)->seal()) {
      tb->error = "baseline tier: cannot make code executable";
      return tb;
    }
    tb->support = std::move(*region);
    return tb;
  }();
  return *t;
}

// A jump to an instruction's code, patched once the module's code is all there.
struct Pending {
  uint32_t at;      // the field's offset in the module's code
  uint64_t target;  // index into Emitter::offsets (Emitter::entries for a function's entry)
  int64_t addend;
  bool entry = false;
};

// Writes the module's machine code straight into its region (read-write until sealed), whose
// size is an upper bound (each instruction's stencil or the fallback, whichever is longer).
struct Emitter {
  const Tables& t;
  uint8_t* base;  // the region
  size_t size = 0;
  std::vector<Pending> pending;
  std::vector<uint32_t> offsets;  // per instruction of the module (and one per function end)
  // The module's functions, and where each one's entry stencil starts (call stencils jump
  // there; UINT32_MAX: not placed).
  std::span<const interp::FuncCode> funcs;
  std::vector<uint32_t> entries;

  // A 32-bit relative field at `at` reaching absolute address `target`.
  bool rel32_to(uint32_t at, uintptr_t target, int64_t addend) {
    const int64_t d =
        static_cast<int64_t>(target + addend - reinterpret_cast<uintptr_t>(base + at));
    if (!fits_rel32(d)) return false;
    write32(base + at, static_cast<uint32_t>(d));
    return true;
  }

  // Copies `blob` for an instruction of `fc` whose operand words are `words` [0, len) (for an
  // instruction, its words in the lowered code; `k`, its number among the module's
  // instructions); false, with nothing emitted, when a hole cannot take its value.
  bool emit(const StencilBlob& blob, const interp::FuncCode& fc, const Word* words, uint32_t len,
            size_t k, size_t first_of_function, Handler callee) {
    const size_t start = size;
    const size_t pending_start = pending.size();
    uint8_t* c = base + start;
    std::memcpy(c, gen::kCode + blob.code, blob.size);
    size += blob.size;
    auto undo = [&] {
      size = start;
      pending.resize(pending_start);
      return false;
    };
    for (uint32_t r = 0; r < blob.num_relocs; ++r) {
      const StencilReloc& rel = gen::kRelocs[blob.first_reloc + r];
      const auto type = static_cast<RelocType>(rel.type);
      uint8_t* field = c + rel.offset;
      const uint32_t field_at = static_cast<uint32_t>(start + rel.offset);
      switch (static_cast<RelocTarget>(rel.target)) {
        case RelocTarget::HoleU: {
          if (rel.arg >= len || type == RelocType::Abs64 || type == RelocType::Rel32) return undo();
          const int64_t v = static_cast<int64_t>(words[rel.arg].u) + rel.addend;
          if (words[rel.arg].u > INT32_MAX || v < 0 || v > INT32_MAX) return undo();
          write32(field, static_cast<uint32_t>(v));
          break;
        }
        case RelocTarget::HoleV:
          if (rel.arg >= len || type == RelocType::Abs64 || type == RelocType::Rel32) return undo();
          write32(field, static_cast<uint32_t>(words[rel.arg].u));
          break;
        case RelocTarget::HoleW:
          if (rel.arg >= len || type != RelocType::Abs64) return undo();
          write64(field, words[rel.arg].u + rel.addend);
          break;
        case RelocTarget::HolePc:
          if (type != RelocType::Abs64) return undo();
          write64(field, reinterpret_cast<uintptr_t>(words) + rel.addend);
          break;
        case RelocTarget::HoleCallee:
          if (type != RelocType::Abs64) return undo();
          write64(field, reinterpret_cast<uintptr_t>(callee) + rel.addend);
          break;
        case RelocTarget::Next:
          if (type != RelocType::Rel32) return undo();
          pending.push_back({field_at, k + 1, rel.addend});
          break;
        case RelocTarget::Jump: {
          if (rel.arg >= len || type != RelocType::Rel32) return undo();
          const Word* to = words[rel.arg].p;
          if (to < fc.code.data() || to >= fc.code.data() + fc.code.size()) return undo();
          const auto index = static_cast<uint32_t>(to - fc.code.data());
          auto it = std::lower_bound(fc.starts.begin(), fc.starts.end(), index);
          if (it == fc.starts.end() || *it != index) return undo();
          pending.push_back({field_at, first_of_function + (it - fc.starts.begin()), rel.addend});
          break;
        }
        case RelocTarget::Entry: {
          // A call of a function of this module: to its entry stencil.
          if (rel.arg >= len || type != RelocType::Rel32 || t.entry_blob < 0) return undo();
          const auto* callee = static_cast<const interp::FuncCode*>(words[rel.arg].ptr);
          if (callee < funcs.data() || callee >= funcs.data() + funcs.size()) return undo();
          pending.push_back(
              {field_at, static_cast<uint64_t>(callee - funcs.data()), rel.addend, true});
          break;
        }
        case RelocTarget::Blob: {
          const uintptr_t a = t.blob_address[rel.arg];
          if (!a) return undo();
          if (type == RelocType::Abs64)
            write64(field, a + rel.addend);
          else if (type != RelocType::Rel32 || !rel32_to(field_at, a, rel.addend))
            return undo();
          break;
        }
        case RelocTarget::Extern: {
          uintptr_t a = reinterpret_cast<uintptr_t>(hull_baseline_externs[rel.arg]);
          if (type == RelocType::Abs64) {
            write64(field, a + rel.addend);
          } else if (type == RelocType::Rel32) {
            if (!reachable_from_code(a)) {
              if (!is_branch_field(c, rel.offset)) return undo();
              a = t.veneer[rel.arg];
            }
            if (!rel32_to(field_at, a, rel.addend)) return undo();
          } else {
            return undo();
          }
          break;
        }
      }
    }
    return true;
  }
};

}  // namespace

size_t code_space() { return code_reservation(); }

bool available() {
#if defined(__x86_64__) && defined(__linux__)
  return tables().error.empty();
#else
  return false;
#endif
}

namespace {

Result<CompileStats> compile_lowered(interp::ModuleCode& mc) {
  // HULL_BASELINE_TRACE=1: one line per module compiled (for measurements).
  static const bool trace = [] {
    const char* v = std::getenv("HULL_BASELINE_TRACE");
    return v && *v && *v != '0';
  }();
  const auto t0 = std::chrono::steady_clock::now();
  const Tables& t = tables();
  if (!t.error.empty()) return Error(ErrorKind::Usage, t.error);
  CompileStats stats;
  const StencilBlob& fallback = gen::kBlobs[t.fallback_blob];
  // Each instruction's stencil (or the fallback), and from them the code's upper bound.
  std::vector<HandlerInfo> choice;
  size_t bound = 0, instructions = 0;
  for (const interp::FuncCode& fc : mc.funcs) {
    if (fc.starts.empty() && !fc.code.empty())
      return Error(ErrorKind::Usage, "baseline tier: the module was not lowered for it");
    instructions += fc.starts.size();
  }
  choice.reserve(instructions);
  for (const interp::FuncCode& fc : mc.funcs) {
    for (uint32_t at : fc.starts) {
      auto it = t.info_of.find(fc.code[at].h);
      const HandlerInfo info = it != t.info_of.end() ? it->second : HandlerInfo{};
      choice.push_back(info);
      bound += info.blob < 0 ? fallback.size : std::max(gen::kBlobs[info.blob].size, fallback.size);
    }
    bound += 2;
    if (t.entry_blob >= 0) bound += gen::kBlobs[t.entry_blob].size;
  }
  HULL_ASSIGN_OR_RETURN(std::unique_ptr<CodeRegion> region,
                        allocate_code(std::max<size_t>(bound, 1)));
  Emitter e{t, region->base(), 0, {}, {}, mc.funcs, {}};
  e.offsets.reserve(instructions + mc.funcs.size());
  e.entries.assign(mc.funcs.size(), UINT32_MAX);
  struct FuncSpan {
    size_t first;         // its first instruction's index in e.offsets
    uint32_t begin, end;  // its machine code
  };
  std::vector<FuncSpan> spans(mc.funcs.size());
  std::vector<std::unique_ptr<interp::BaselineCode>> maps(mc.funcs.size());
  size_t next_choice = 0;
  for (size_t f = 0; f < mc.funcs.size(); ++f) {
    interp::FuncCode& fc = mc.funcs[f];
    const size_t first = e.offsets.size();
    spans[f].first = first;
    spans[f].begin = static_cast<uint32_t>(e.size);
    maps[f] = std::make_unique<interp::BaselineCode>();
    interp::BaselineCode& map = *maps[f];
    const size_t n = fc.starts.size();
    map.instructions = static_cast<uint32_t>(n);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t at = fc.starts[i];
      const uint32_t len =
          (i + 1 < n ? fc.starts[i + 1] : static_cast<uint32_t>(fc.code.size())) - at;
      const Handler h = fc.code[at].h;
      const HandlerInfo info = choice[next_choice++];
      const auto offset = static_cast<uint32_t>(e.size);
      e.offsets.push_back(offset);
      if (info.blob >= 0 &&
          e.emit(gen::kBlobs[info.blob], fc, fc.code.data() + at, len, first + i, first, h)) {
        ++stats.stencilled;
        if (info.guarded) map.faulting.emplace_back(offset - spans[f].begin, at);
      } else if (e.emit(fallback, fc, fc.code.data() + at, len, first + i, first, h)) {
        if (info.guarded) map.guarded_handlers.push_back(at);
      } else {
        return Error(ErrorKind::Usage, "baseline tier: the fallback stencil does not fit");
      }
    }
    // Where code that falls off the last instruction would go: nowhere (ud2).
    e.offsets.push_back(static_cast<uint32_t>(e.size));
    e.base[e.size++] = 0x0f;
    e.base[e.size++] = 0x0b;
    spans[f].end = static_cast<uint32_t>(e.size);
    stats.instructions += n;
    ++stats.functions;
  }
  // The entries of the functions the call stencils call, after all the functions (so that
  // these are laid out as without them): each one's operand is the function's FuncCode, and it
  // goes on at the function's first instruction (the "next" after instruction k = first - 1).
  if (t.entry_blob >= 0) {
    std::vector<bool> called(mc.funcs.size(), false);
    for (const Pending& p : e.pending)
      if (p.entry) called[p.target] = true;
    for (size_t f = 0; f < mc.funcs.size(); ++f) {
      if (!called[f]) continue;
      Word operands[2];
      operands[0].h = nullptr;
      operands[1].ptr = &mc.funcs[f];
      const auto at = static_cast<uint32_t>(e.size);
      if (!e.emit(gen::kBlobs[t.entry_blob], mc.funcs[f], operands, 2, spans[f].first - 1,
                  spans[f].first, nullptr))
        return Error(ErrorKind::Usage, "baseline tier: the entry stencil does not fit");
      e.entries[f] = at;
    }
  }
  uint8_t* base = e.base;
  for (const Pending& p : e.pending) {
    const uint32_t to = p.entry ? e.entries[p.target] : e.offsets[p.target];
    if (!e.rel32_to(p.at, reinterpret_cast<uintptr_t>(base + to), p.addend))
      return Error(ErrorKind::Limit, "baseline tier: code out of reach");
  }
  // HULL_BASELINE_DUMP=DIR: the module's machine code to DIR/baseline-ADDRESS.bin, for
  // `objdump -D -b binary -m i386:x86-64 --adjust-vma=ADDRESS` (development and profiles).
  static const char* dump = std::getenv("HULL_BASELINE_DUMP");
  if (dump && *dump) {
    char path[4096];
    std::snprintf(path, sizeof path, "%s/baseline-%p.bin", dump, static_cast<void*>(base));
    if (FILE* f = std::fopen(path, "wb")) {
      std::fwrite(base, 1, e.size, f);
      std::fclose(f);
    }
  }
  if (!region->seal()) return Error(ErrorKind::Limit, "baseline tier: cannot make code executable");
  stats.code_bytes = e.size;
  // Only now that the machine code can run: the handler words point at it.
  for (size_t f = 0; f < mc.funcs.size(); ++f) {
    interp::FuncCode& fc = mc.funcs[f];
    std::unique_ptr<interp::BaselineCode> b = std::move(maps[f]);
    b->begin = reinterpret_cast<uintptr_t>(base + spans[f].begin);
    b->end = reinterpret_cast<uintptr_t>(base + spans[f].end);
    for (size_t i = 0; i < fc.starts.size(); ++i)
      fc.code[fc.starts[i]].h = reinterpret_cast<Handler>(base + e.offsets[spans[f].first + i]);
    fc.starts = {};
    fc.baseline = std::move(b);
  }
  mc.baseline_memory = std::shared_ptr<const CodeRegion>(std::move(region));
  if (trace) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr,
                 "hull baseline: %zu functions, %zu instructions (%.1f%% with stencils), %zu bytes "
                 "of code in %.3f ms\n",
                 stats.functions, stats.instructions,
                 stats.instructions ? 100.0 * stats.stencilled / stats.instructions : 0.0,
                 stats.code_bytes, ms);
  }
  return stats;
}

}  // namespace

Result<CompileStats> compile_module(interp::ModuleCode& mc) {
  auto r = compile_lowered(mc);
  // Without machine code the module runs interpreted: what was kept for the compiler goes.
  if (!r) {
    for (interp::FuncCode& fc : mc.funcs) fc.starts = {};
  }
  return r;
}

}  // namespace hull::baseline
