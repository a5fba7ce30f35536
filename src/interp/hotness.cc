// Tier-up's counting (interp.h "Tier-up"): the `hot` check points count down each function's
// budget in the interpreter (exec.cc); this is where a function whose budget ran out is
// reported to the tier, and where on-stack replacement finds its code.
#include <atomic>

#include "interp/code.h"
#include "interp/interp.h"

namespace hull::interp {

namespace {
std::atomic<HotListener> g_hot_listener{nullptr};
std::atomic<uint64_t> g_osr_entries{0};
}  // namespace

uint64_t osr_entries_taken() { return g_osr_entries.load(std::memory_order_relaxed); }

void set_hot_listener(HotListener listener) {
  g_hot_listener.store(listener, std::memory_order_release);
}

namespace {

// After a report, the count starts again at this, so that the interpreter looks for machine
// code to enter at this point now and then (on-stack replacement), never at every pass.
constexpr int32_t kRecheck = 1024;

void report(const FuncCode* fc, uint32_t loop) {
  const ModuleCode& mc = *fc->module;
  {
    std::lock_guard<std::mutex> lock(mc.hot_mu);
    mc.hot.push_back(HotReport{fc->func_index - mc.num_imported_funcs, loop});
  }
  if (HotListener listener = g_hot_listener.load(std::memory_order_acquire)) listener();
}

}  // namespace

NativeEntry hot_slow(const FuncCode* fc, uint32_t loop) {
  __atomic_store_n(&fc->hot_budget, kRecheck, __ATOMIC_RELAXED);
  const bool in_loop = loop < fc->osr.size();
  if (!__atomic_exchange_n(&fc->hot_reported, 1, __ATOMIC_RELAXED)) {
    if (in_loop) __atomic_store_n(&fc->osr_requested[loop], 1, __ATOMIC_RELAXED);
    report(fc, loop);
  } else if (in_loop && native_of(fc) &&
             !__atomic_exchange_n(&fc->osr_requested[loop], 1, __ATOMIC_RELAXED)) {
    // Compiled after a call of it began that is still in this loop.
    report(fc, loop);
  }
  if (!in_loop) return nullptr;
  const NativeEntry osr = __atomic_load_n(&fc->osr[loop], __ATOMIC_ACQUIRE);
  if (osr) g_osr_entries.fetch_add(1, std::memory_order_relaxed);
  return osr;
}

std::vector<HotReport> take_hot_functions(const ModuleCode& code) {
  std::lock_guard<std::mutex> lock(code.hot_mu);
  std::vector<HotReport> out;
  out.swap(code.hot);
  return out;
}

}  // namespace hull::interp
