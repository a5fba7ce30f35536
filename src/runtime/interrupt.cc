// The interrupt signal of runtime/interrupt.h: a registry of interruptible machine code that the
// handler reads without locks, the handler, and the sending side.
#include "runtime/interrupt.h"

#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "runtime/store.h"

namespace hull {

namespace {

// The registry: fixed-size chunks linked as they are needed, never freed (the handler may be
// walking one). A slot is free while `begin` is 0; it is filled `end` first and emptied
// `begin` first. The handler reads `begin`, `end`, then `begin` again and skips the slot if it
// changed meanwhile, so it does not pair a removed range's begin with a new one's end.
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
};
struct Chunk {
  static constexpr size_t kSlots = 256;
  Slot slots[kSlots];
  std::atomic<Chunk*> next{nullptr};
};

Chunk g_first;
std::mutex g_registry_mu;  // writers only
std::atomic<uint64_t> g_taken{0};
struct sigaction g_prev;  // the disposition ours replaced, written once before ours is installed

uintptr_t interrupted_pc(const void* uctx) {
  const auto* uc = static_cast<const ucontext_t*>(uctx);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.pc);
#else
  (void)uc;
  return 0;
#endif
}

// Runs the handler that was installed before ours. SIGURG's default action is to ignore it.
void chain(int sig, siginfo_t* info, void* uctx) {
  if (!(g_prev.sa_flags & SA_SIGINFO) &&
      (g_prev.sa_handler == SIG_DFL || g_prev.sa_handler == SIG_IGN))
    return;
  call_previous_handler(g_prev, sig, info, uctx);
}

void on_interrupt(int sig, siginfo_t* info, void* uctx) {
  const int saved_errno = errno;
  WasmEntry* entry = t_wasm_entry;
  if (entry && entry->in_guest && entry->store && uctx &&
      g_epoch.load(std::memory_order_relaxed) >=
          entry->store->epoch_deadline.load(std::memory_order_relaxed) &&
      in_interruptible_code(interrupted_pc(uctx))) {
    g_taken.fetch_add(1, std::memory_order_relaxed);
    entry->fault_address = nullptr;
    entry->fault_nregs = 0;
    errno = saved_errno;
    // As on_fault: the entry's sigsetjmp saved no mask and SA_NODEFER left the signal
    // unblocked, so the mask after the jump is the interrupted code's.
    siglongjmp(entry->jump, kInterruptJump);
  }
  // Not ours to act on (another thread state, or a signal someone else sent): whoever had the
  // signal before us gets it.
  chain(sig, info, uctx);
  errno = saved_errno;
}

}  // namespace

bool async_interrupts_supported() {
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
  return true;
#else
  return false;
#endif
}

void add_interruptible_code(uintptr_t begin, uintptr_t end) {
  if (begin >= end) return;
  std::lock_guard<std::mutex> lock(g_registry_mu);
  for (Chunk* c = &g_first;; c = c->next.load(std::memory_order_acquire)) {
    for (Slot& s : c->slots) {
      if (s.begin.load(std::memory_order_relaxed) != 0) continue;
      s.end.store(end, std::memory_order_relaxed);
      s.begin.store(begin, std::memory_order_release);
      return;
    }
    if (!c->next.load(std::memory_order_relaxed))
      c->next.store(new Chunk, std::memory_order_release);
  }
}

void remove_interruptible_code(uintptr_t begin, uintptr_t end) {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  for (Chunk* c = &g_first; c; c = c->next.load(std::memory_order_acquire)) {
    for (Slot& s : c->slots) {
      if (s.begin.load(std::memory_order_relaxed) != begin ||
          s.end.load(std::memory_order_relaxed) != end)
        continue;
      s.begin.store(0, std::memory_order_release);
      s.end.store(0, std::memory_order_relaxed);
      return;
    }
  }
}

bool in_interruptible_code(uintptr_t pc) {
  for (const Chunk* c = &g_first; c; c = c->next.load(std::memory_order_acquire)) {
    for (const Slot& s : c->slots) {
      const uintptr_t b = s.begin.load(std::memory_order_acquire);
      if (b == 0 || pc < b) continue;
      const uintptr_t e = s.end.load(std::memory_order_acquire);
      if (pc < e && s.begin.load(std::memory_order_relaxed) == b) return true;
    }
  }
  return false;
}

void install_interrupt_handler() {
  if (!async_interrupts_supported()) return;
  static std::once_flag once;
  std::call_once(once, [] {
    sigaction(SIGURG, nullptr, &g_prev);
    struct sigaction sa = {};
    sa.sa_sigaction = on_interrupt;
    // SA_NODEFER: left by siglongjmp (see on_interrupt). SA_RESTART: a system call the signal
    // lands in (a thread that has just left guest code) resumes where it can.
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGURG, &sa, nullptr);
  });
}

void send_interrupt(int tid) { syscall(SYS_tgkill, getpid(), tid, SIGURG); }

int current_thread_id() {
  thread_local const int tid = static_cast<int>(syscall(SYS_gettid));
  return tid;
}

uint64_t interrupts_taken() { return g_taken.load(std::memory_order_relaxed); }

}  // namespace hull
