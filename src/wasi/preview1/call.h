// What each preview 1 function implementation receives: the WASI state, the caller's memory,
// and a way to unwind (proc_exit). Also the helpers shared across the groups of functions.
#pragma once

#include <sys/uio.h>

#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "runtime/trap.h"
#include "wasi/core/errno.h"
#include "wasi/core/fd_table.h"
#include "wasi/core/wasi_state.h"
#include "wasi/preview1/guest_memory.h"

namespace hull::wasi::p1 {

struct Call {
  WasiState& state;
  GuestMemory mem;
  std::optional<Trap> trap;  // set by proc_exit (and nothing else)
  // With wasi-threads, the context's lock, held for the call; an implementation about to
  // block on something other than the state may release it (poll_oneoff does).
  std::unique_lock<std::mutex>* lock = nullptr;
};

// One function's implementation: raw params in slots (i32 zero-extended), returns the errno.
using Impl = Errno (*)(Call& c, const uint64_t* a);

inline uint32_t u32(uint64_t slot) { return static_cast<uint32_t>(slot); }

// Looks up `fd` needing all of `rights`: badf when not open, notcapable when a right is missing.
inline Errno get_fd(Call& c, uint32_t fd, Rights rights, FdEntry** out) {
  FdEntry* e = c.state.fds.get(fd);
  if (!e) return Errno::badf;
  if ((e->base & rights) != rights) return Errno::notcapable;
  *out = e;
  return Errno::success;
}

// Translates a guest iovec/ciovec array (8 bytes each: buf u32, len u32) into host iovecs,
// checking the array and every buffer against memory; empty buffers are left out. Longer
// arrays than the host accepts are cut short (a partial transfer, which callers handle).
Errno gather(Call& c, uint32_t iovs, uint32_t n, std::vector<iovec>* out);

// Waits on the reactor as Reactor::wait does. With wasi-threads (the call holds the context's
// lock) it waits without the lock, on a reactor of this thread's (a Reactor serves one waiter
// at a time), so that one thread's sleep or blocking read does not stop the others' calls; the
// lock is held again on return, and the caller must not trust FdEntry pointers from before.
Errno wait_ready(Call& c, std::span<const Readiness> items, std::vector<uint32_t>* ready,
                 std::optional<uint64_t> timeout_ns = std::nullopt);

// fd_read / fd_write on a socket fd (sock.cc): the host socket directly, as sock_recv/send.
Errno socket_read(const FdEntry& e, const std::vector<iovec>& bufs, uint64_t* got);
Errno socket_write(const FdEntry& e, const std::vector<iovec>& bufs, uint64_t* written);

#define P1_TRY(expr)                         \
  do {                                       \
    ::hull::wasi::Errno p1_e_ = (expr);      \
    if (p1_e_ != ::hull::wasi::Errno::success) return p1_e_; \
  } while (0)

// Declarations of every implementation (defined across the preview1/*.cc files).
#define P1_FUNC(name) Errno name(Call& c, const uint64_t* a)
P1_FUNC(args_get); P1_FUNC(args_sizes_get); P1_FUNC(environ_get); P1_FUNC(environ_sizes_get);
P1_FUNC(clock_res_get); P1_FUNC(clock_time_get);
P1_FUNC(fd_advise); P1_FUNC(fd_allocate); P1_FUNC(fd_close); P1_FUNC(fd_datasync);
P1_FUNC(fd_fdstat_get); P1_FUNC(fd_fdstat_set_flags); P1_FUNC(fd_fdstat_set_rights);
P1_FUNC(fd_filestat_get); P1_FUNC(fd_filestat_set_size); P1_FUNC(fd_filestat_set_times);
P1_FUNC(fd_pread); P1_FUNC(fd_prestat_get); P1_FUNC(fd_prestat_dir_name); P1_FUNC(fd_pwrite);
P1_FUNC(fd_read); P1_FUNC(fd_readdir); P1_FUNC(fd_renumber); P1_FUNC(fd_seek); P1_FUNC(fd_sync);
P1_FUNC(fd_tell); P1_FUNC(fd_write);
P1_FUNC(path_create_directory); P1_FUNC(path_filestat_get); P1_FUNC(path_filestat_set_times);
P1_FUNC(path_link); P1_FUNC(path_open); P1_FUNC(path_readlink); P1_FUNC(path_remove_directory);
P1_FUNC(path_rename); P1_FUNC(path_symlink); P1_FUNC(path_unlink_file);
P1_FUNC(poll_oneoff); P1_FUNC(proc_exit); P1_FUNC(proc_raise); P1_FUNC(sched_yield);
P1_FUNC(random_get);
P1_FUNC(sock_accept); P1_FUNC(sock_recv); P1_FUNC(sock_send); P1_FUNC(sock_shutdown);

}  // namespace hull::wasi::p1
