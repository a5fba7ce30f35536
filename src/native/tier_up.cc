// Tier-up (Tier::Auto): the interpreter counts each function's calls and loop iterations and
// reports the functions that reach the module's threshold (interp.h "Tier-up"); one thread of
// the process, at low priority, compiles what was reported, in batches, into one JIT per module,
// and installs each batch's entries. A later batch calls an earlier one's functions directly
// (exported w<i>, resolved by the JIT), so the code ends up much as a whole-module compile's,
// except that calls into a function compiled later go through the runtime.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>
#include <thread>

#include "interp/interp.h"
#include "native/jit.h"

namespace hull::native {

namespace {

// A module registered for tier-up; only the tier-up thread touches it after registration.
struct TierUpModule {
  std::weak_ptr<const CompiledModule> module;
  bool scanned = false;
  ModuleScan scan;
  std::vector<uint8_t> compiled;  // per defined function: its machine code is installed
  std::set<std::pair<uint32_t, uint32_t>> osr_tried;  // on-stack replacement entries asked for
  std::shared_ptr<NativeModule> code;
  std::unique_ptr<llvm::TargetMachine> tm;
  // Per function index, the w<i> of each function compiled so far (lower_functions' w_table):
  // read by the machine code of every batch, so it lives as long as the module's code does
  // (NativeModule::keep).
  std::shared_ptr<void*[]> w_table;
};

// Never destroyed: the thread may still wait on them while the process runs its static
// destructors.
struct TierUpState {
  std::mutex mu;
  std::condition_variable wake;  // a report, or a module registered
  std::condition_variable idle;  // a round ended
  std::vector<std::unique_ptr<TierUpModule>> modules;
  uint64_t signals = 0;   // reports and registrations so far
  uint64_t consumed = 0;  // ... the thread has acted on
  bool busy = false;
  bool started = false;
};
TierUpState& state() {
  static auto* s = new TierUpState;
  return *s;
}

void on_hot();

// HULL_TIER_UP_TRACE=1: each batch on stderr (what it compiled, how long it took).
bool trace() {
  static const bool on = [] {
    const char* v = std::getenv("HULL_TIER_UP_TRACE");
    return v && *v && std::string_view(v) != "0";
  }();
  return on;
}

std::string function_name(const CompiledModule& cm, uint32_t func_index) {
  auto it = cm.desc.func_names.find(func_index);
  return it != cm.desc.func_names.end() ? it->second : "#" + std::to_string(func_index);
}

// The first report of a module: which functions the tier can take at all, and the module's
// code published (every function "not hot yet" or why it cannot be compiled).
Result<void> prepare(TierUpModule& t, const CompiledModule& cm) {
  t.scanned = true;
  HULL_ASSIGN_OR_RETURN(t.scan, scan_module(cm));
  t.compiled.assign(t.scan.interpreted_because.size(), 0);
  t.code = std::make_shared<NativeModule>();
  t.code->interpreted_because = t.scan.interpreted_because;
  t.w_table = std::shared_ptr<void*[]>(new void*[cm.desc.num_funcs()]());
  t.code->keep = t.w_table;
  for (auto& r : t.code->interpreted_because)
    if (r.empty()) r = not_hot_yet(cm);
  cm.set_native_code(t.code);
  return {};
}

// What one LLVM module of tier-up compiles: functions (a mask over the defined ones) and
// on-stack replacement entries.
struct Batch {
  std::vector<uint8_t> take;
  std::vector<std::pair<uint32_t, uint32_t>> osr;
  size_t bytes = 0;  // of wasm code
};

// Small batches land first: reports that arrive together go in batches of about this many
// bytes of wasm code, smallest functions first, so that one big function (a malloc of 6 KB
// takes LLVM ~0.3 s) does not hold back the small hot ones reported with it.
constexpr size_t kBatchBytes = 4096;

std::vector<Batch> plan_batches(TierUpModule& t, const CompiledModule& cm,
                                const std::vector<interp::HotReport>& hot) {
  const uint32_t imported = cm.desc.num_imported_funcs;
  const size_t defined = t.compiled.size();
  std::vector<uint8_t> planned(defined, 0);
  auto can_take = [&](uint32_t i) {
    return i < defined && t.scan.interpreted_because[i].empty() && !t.compiled[i] && !planned[i];
  };
  auto body_bytes = [&](uint32_t i) {
    const auto& code = cm.desc.bodies[i].code;
    return static_cast<size_t>(code.end - code.begin);
  };
  // Units: a reported function with the functions its return_calls name, and theirs (a chain
  // of tail calls between functions compiled apart would cost a machine frame per call until
  // the other one lands).
  std::vector<std::vector<uint32_t>> units;
  std::vector<std::pair<uint32_t, uint32_t>> osr;
  for (const interp::HotReport& r : hot) {
    const uint32_t i = r.defined;
    if (i >= defined || !t.scan.interpreted_because[i].empty()) continue;
    if (r.loop != interp::kNoLoop && t.osr_tried.insert({i, r.loop}).second)
      osr.emplace_back(i, r.loop);
    if (!can_take(i)) continue;
    std::vector<uint32_t> unit{i};
    planned[i] = 1;
    for (size_t k = 0; k < unit.size(); ++k)
      for (uint32_t callee : t.scan.tail_callees[unit[k]])
        if (callee >= imported && can_take(callee - imported)) {
          planned[callee - imported] = 1;
          unit.push_back(callee - imported);
        }
    units.push_back(std::move(unit));
  }
  auto unit_bytes = [&](const std::vector<uint32_t>& u) {
    size_t n = 0;
    for (uint32_t i : u) n += body_bytes(i);
    return n;
  };
  // Smallest first; equal sizes in report order.
  std::vector<size_t> order(units.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const size_t na = unit_bytes(units[a]), nb = unit_bytes(units[b]);
    return na != nb ? na < nb : a < b;
  });
  std::vector<Batch> batches;
  std::vector<size_t> batch_of(defined, SIZE_MAX);
  for (size_t k : order) {
    const std::vector<uint32_t>& u = units[k];
    const size_t n = unit_bytes(u);
    if (batches.empty() || batches.back().bytes + n > kBatchBytes) {
      batches.emplace_back();
      batches.back().take.assign(defined, 0);
    }
    Batch& b = batches.back();
    b.bytes += n;
    for (uint32_t i : u) {
      b.take[i] = 1;
      batch_of[i] = batches.size() - 1;
    }
  }
  // An entry at a loop goes with its function, or first when the function has machine code.
  for (const auto& [i, loop] : osr) {
    if (batches.empty()) {
      batches.emplace_back();
      batches.back().take.assign(defined, 0);
    }
    batches[batch_of[i] == SIZE_MAX ? 0 : batch_of[i]].osr.emplace_back(i, loop);
  }
  return batches;
}

// Compiles one batch into the module's JIT and installs what it made.
Result<void> compile_batch(TierUpModule& t, const CompiledModule& cm, const Batch& batch) {
  const std::vector<uint8_t>& take = batch.take;
  const std::vector<std::pair<uint32_t, uint32_t>>& osr = batch.osr;
  const uint32_t imported = cm.desc.num_imported_funcs;
  if (!t.code->jit) {
    HULL_ASSIGN_OR_RETURN(auto jtmb, host_machine());
    auto tm = jtmb.createTargetMachine();
    if (!tm) return internal(to_string(tm.takeError()));
    t.tm = std::move(*tm);
    HULL_ASSIGN_OR_RETURN(t.code->jit, make_jit(std::move(jtmb), nullptr));
  }
  auto fail = [&](const Error& e) {
    // Left interpreted for good: a batch that failed once fails again.
    std::lock_guard<std::mutex> lock(t.code->mu);
    for (size_t i = 0; i < take.size(); ++i)
      if (take[i]) {
        t.scan.interpreted_because[i] = "the native tier failed: " + e.message;
        t.code->interpreted_because[i] = t.scan.interpreted_because[i];
      }
    return e;
  };
  const auto started = std::chrono::steady_clock::now();
  // Hot functions: the best code, whatever the module's native_opt_level.
  auto lowered = lower_functions(cm, *t.tm, t.scan, take, &t.compiled, kMaxNativeOptLevel, osr,
                                 t.w_table.get());
  if (!lowered) return fail(lowered.error());
  if (!lowered->mod) return {};
  if (auto e = t.code->jit->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(lowered->mod), std::move(lowered->ctx))))
    return fail(internal(to_string(std::move(e))));
  // Every address looked up before anything is installed: a failure installs nothing.
  std::vector<std::pair<uint32_t, interp::NativeEntry>> osr_entries;
  std::vector<std::pair<uint32_t, void*>> ws;
  for (uint32_t i = 0; i < take.size(); ++i) {
    if (!take[i]) continue;
    auto addr = t.code->jit->lookup("w" + std::to_string(imported + i));
    if (!addr) return fail(internal(to_string(addr.takeError())));
    ws.emplace_back(imported + i, addr->toPtr<void*>());
  }
  for (const auto& [i, loop] : lowered->osr) {
    auto addr =
        t.code->jit->lookup("eo" + std::to_string(imported + i) + "_" + std::to_string(loop));
    if (!addr) return fail(internal(to_string(addr.takeError())));
    osr_entries.emplace_back(i, addr->toPtr<interp::NativeEntry>());
  }
  if (auto r = install_entries(*t.code->jit, cm, take); !r) return fail(r.error());
  for (const auto& [index, w] : ws) __atomic_store_n(&t.w_table[index], w, __ATOMIC_RELEASE);
  for (size_t k = 0; k < osr_entries.size(); ++k)
    interp::install_osr(*cm.code, osr_entries[k].first, lowered->osr[k].second,
                        osr_entries[k].second);
  if (trace()) {
    std::string what;
    for (const auto& [index, w] : ws) what += " " + function_name(cm, index);
    for (const auto& [i, loop] : lowered->osr)
      what += " " + function_name(cm, imported + i) + "@loop" + std::to_string(loop);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    std::fprintf(stderr, "tier-up: %.1f ms:%s\n", static_cast<double>(us) / 1000, what.c_str());
  }
  std::lock_guard<std::mutex> lock(t.code->mu);
  for (size_t i = 0; i < take.size(); ++i)
    if (take[i]) {
      t.compiled[i] = 1;
      t.code->interpreted_because[i].clear();
    }
  return {};
}

// One round of the tier-up thread: every report made so far compiled (or refused). One round
// at a time (the thread's, or a reporting thread's in sync mode).
void catch_up(TierUpState& s, std::unique_lock<std::mutex>& lock) {
  s.idle.wait(lock, [&] { return !s.busy; });
  const uint64_t seen = s.signals;
  s.busy = true;
  std::vector<TierUpModule*> modules;
  for (auto& t : s.modules) modules.push_back(t.get());
  lock.unlock();
  for (TierUpModule* t : modules) {
    std::shared_ptr<const CompiledModule> m = t->module.lock();
    if (!m) continue;
    std::vector<interp::HotReport> hot = interp::take_hot_functions(*m->code);
    if (hot.empty()) continue;
    if (!t->scanned && !prepare(*t, *m)) continue;
    // A failure leaves those functions interpreted, with the reason (hull inspect --tiers).
    for (const Batch& b : plan_batches(*t, *m, hot)) (void)compile_batch(*t, *m, b);
  }
  lock.lock();
  std::erase_if(s.modules, [](const auto& t) { return t->module.expired(); });
  s.consumed = std::max(s.consumed, seen);
  s.busy = false;
  s.idle.notify_all();
}

[[noreturn]] void run_tier_up() {
  // The interpreter's threads come first: this one only uses what they leave.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
  TierUpState& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  for (;;) {
    // Woken by reports; now and then without one, to let go of dead modules.
    s.wake.wait_for(lock, std::chrono::milliseconds(200), [&] { return s.signals != s.consumed; });
    catch_up(s, lock);
  }
}

// HULL_TIER_UP_SYNC=1 (for tests): a report is compiled at once, on the thread that made it,
// before it goes on -- so that with HULL_TIER_UP_THRESHOLD=1 every function switches to machine
// code at its first call and every loop at its first branch back, deterministically.
// Read at each use (reports are rare): a test switches it per case.
bool sync_mode() {
  const char* v = std::getenv("HULL_TIER_UP_SYNC");
  return v && *v && std::string_view(v) != "0";
}

// Starts the tier-up thread once (under s.mu).
void start_thread(TierUpState& s) {
  if (s.started) return;
  s.started = true;
  std::thread(&run_tier_up).detach();
}

// The interpreter's hot listener: runs on the interpreting thread, so it only wakes the
// tier-up thread (or, in sync mode, does its work).
void on_hot() {
  TierUpState& s = state();
  if (sync_mode()) {
    static std::recursive_mutex one_at_a_time;
    std::lock_guard<std::recursive_mutex> serial(one_at_a_time);
    std::unique_lock<std::mutex> lock(s.mu);
    ++s.signals;
    catch_up(s, lock);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(s.mu);
    ++s.signals;
    start_thread(s);  // modules registered in sync mode have no thread yet
  }
  s.wake.notify_one();
}

}  // namespace

std::string not_hot_yet(const CompiledModule& cm) {
  return "not hot yet (--tier auto compiles a function after " +
         std::to_string(cm.options.hot_threshold) + " calls and loop iterations)";
}

void tier_up(std::shared_ptr<const CompiledModule> m) {
  TierUpState& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    auto t = std::make_unique<TierUpModule>();
    t->module = m;
    s.modules.push_back(std::move(t));
    // Reports made before this registration (hull-native loads the tier only once something
    // is hot) are taken at the thread's next round.
    ++s.signals;
    // At every registration: hull-native's loader listens until the plugin is loaded, and a
    // module it registered late may have put its listener back.
    interp::set_hot_listener(&on_hot);
    if (!sync_mode()) start_thread(s);
  }
  if (sync_mode()) return on_hot();  // reports made before this registration
  s.wake.notify_one();
}

bool tier_up_busy() {
  TierUpState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.busy || s.signals != s.consumed;
}

void wait_for_tier_up() {
  TierUpState& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  s.idle.wait(lock, [&] { return !s.busy && s.signals == s.consumed; });
}

}  // namespace hull::native
