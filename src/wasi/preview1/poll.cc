// poll_oneoff on the core reactor: clock subscriptions become deadlines, fd_read/fd_write
// subscriptions readiness of the fd's host descriptor. Regular files are always ready (as on
// POSIX), reporting the bytes left after the fd's position.
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "wasi/core/clocks.h"
#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

constexpr uint8_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;
constexpr uint16_t kSubscriptionClockAbstime = 1;
constexpr uint16_t kEventRwFlagHangup = 1;

struct Event {
  uint64_t userdata = 0;
  Errno error = Errno::success;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

// A subscription that waits: its event, and what the reactor waits for.
struct Waiting {
  Event event;
  Readiness readiness;
};

uint64_t saturating_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

// Bytes a read from a regular file fd would get now.
uint64_t file_bytes_left(FdEntry& e) {
  FileStat st;
  if (stat(*e.descriptor, &st) != Errno::success) return 0;
  uint64_t pos = e.position;
  if (e.kind != FdKind::file && seek_host(*e.descriptor, 0, SEEK_CUR, &pos) != Errno::success) {
    return 0;
  }
  return st.size > pos ? st.size - pos : 0;
}

// Fills in what poll(2) says about a descriptor the reactor found ready: errors, hang-up and,
// for reads, the bytes waiting.
void describe_fd_event(int fd, Event* ev) {
  pollfd p{fd, static_cast<short>(ev->type == kEventFdRead ? POLLIN : POLLOUT), 0};
  if (::poll(&p, 1, 0) <= 0) return;
  if (p.revents & POLLNVAL) {
    ev->error = Errno::badf;
  } else if (p.revents & POLLERR) {
    ev->error = Errno::io;
  }
  if (p.revents & POLLHUP) ev->flags = kEventRwFlagHangup;
  int avail = 0;
  if (ev->type == kEventFdRead && ev->error == Errno::success && ioctl(fd, FIONREAD, &avail) == 0 &&
      avail > 0) {
    ev->nbytes = static_cast<uint64_t>(avail);
  }
}

void store_event(Call& c, uint32_t at, const Event& ev) {
  uint8_t rec[32] = {};
  std::memcpy(rec, &ev.userdata, 8);
  uint16_t err = static_cast<uint16_t>(ev.error);
  std::memcpy(rec + 8, &err, 2);
  rec[10] = ev.type;
  if (ev.type != kEventClock) {
    std::memcpy(rec + 16, &ev.nbytes, 8);
    std::memcpy(rec + 24, &ev.flags, 2);
  }
  std::memcpy(c.mem.span(at, 32), rec, 32);
}

}  // namespace

Errno wait_ready(Call& c, std::span<const Readiness> items, std::vector<uint32_t>* ready,
                 std::optional<uint64_t> timeout_ns) {
  if (!c.lock || !c.lock->owns_lock()) return c.state.reactor.wait(items, ready, timeout_ns);
  thread_local Reactor own;
  c.lock->unlock();
  Errno e = own.wait(items, ready, timeout_ns);
  c.lock->lock();
  return e;
}

P1_FUNC(poll_oneoff) {
  uint32_t in = u32(a[0]), out = u32(a[1]), nsubs = u32(a[2]), p_n = u32(a[3]);
  if (nsubs == 0) return Errno::inval;
  if (!c.mem.ok(in, 48ull * nsubs) || !c.mem.ok(out, 32ull * nsubs) || !c.mem.ok(p_n, 4)) {
    return Errno::fault;
  }
  std::vector<Event> ready;  // answered without waiting: errors and regular files
  std::vector<Waiting> fds, clocks;
  uint64_t start = monotonic_now_ns();
  for (uint32_t i = 0; i < nsubs; ++i) {
    uint32_t s = in + 48 * i;
    uint64_t userdata;
    uint8_t tag;
    c.mem.load(s, &userdata);
    c.mem.load(s + 8, &tag);
    if (tag == kEventClock) {
      uint32_t id;
      uint64_t timeout;
      uint16_t flags;
      c.mem.load(s + 16, &id);
      c.mem.load(s + 24, &timeout);
      c.mem.load(s + 40, &flags);
      uint64_t now = 0;
      if (Errno e = clock_now(id, &now); e != Errno::success) {
        ready.push_back(Event{userdata, e, kEventClock, 0, 0});
        continue;
      }
      // Every clock's timeout becomes a monotonic deadline measured from the call.
      uint64_t rel = timeout;
      if (flags & kSubscriptionClockAbstime) rel = timeout > now ? timeout - now : 0;
      clocks.push_back(Waiting{Event{userdata, Errno::success, kEventClock, 0, 0},
                               Readiness::at(saturating_add(start, rel))});
    } else if (tag == kEventFdRead || tag == kEventFdWrite) {
      uint32_t fd;
      c.mem.load(s + 16, &fd);
      FdEntry* e = c.state.fds.get(fd);
      if (!e) {
        ready.push_back(Event{userdata, Errno::badf, tag, 0, 0});
        continue;
      }
      if (!(e->base & right::poll_fd_readwrite) && e->kind != FdKind::directory) {
        ready.push_back(Event{userdata, Errno::notcapable, tag, 0, 0});
        continue;
      }
      if (e->type == FileType::regular_file) {
        uint64_t nbytes = tag == kEventFdRead ? file_bytes_left(*e) : 0;
        ready.push_back(Event{userdata, Errno::success, tag, nbytes, 0});
        continue;
      }
      int host = e->descriptor->host_fd();
      fds.push_back(
          Waiting{Event{userdata, Errno::success, tag, 0, 0},
                  tag == kEventFdRead ? Readiness::readable(host) : Readiness::writable(host)});
    } else {
      return Errno::inval;
    }
  }
  // Wait only when nothing is ready already; then collect everything that is ready now.
  std::vector<Readiness> items;
  for (const Waiting& w : fds) items.push_back(w.readiness);
  for (const Waiting& w : clocks) items.push_back(w.readiness);
  std::vector<uint32_t> now_ready;
  if (!items.empty()) {
    std::optional<uint64_t> timeout;
    if (!ready.empty()) timeout = 0;
    // What follows uses only host fds and guest memory, no FdEntry.
    P1_TRY(wait_ready(c, items, &now_ready, timeout));
  }
  for (uint32_t i : now_ready) {
    if (i < fds.size()) {
      Event ev = fds[i].event;
      describe_fd_event(fds[i].readiness.fd, &ev);
      ready.push_back(ev);
    } else {
      ready.push_back(clocks[i - fds.size()].event);
    }
  }
  uint32_t n = 0;
  for (const Event& ev : ready) {
    if (n == nsubs) break;
    store_event(c, out + 32 * n++, ev);
  }
  c.mem.store<uint32_t>(p_n, n);
  return Errno::success;
}

}  // namespace hull::wasi::p1
