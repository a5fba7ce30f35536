// poll_oneoff: clock subscriptions become the ppoll timeout; fd subscriptions become pollfds
// (regular files are always ready, as on POSIX).
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "wasi/core/clocks.h"
#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

constexpr uint8_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;

struct Event {
  uint64_t userdata = 0;
  Errno error = Errno::success;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

struct ClockSub {
  uint64_t userdata;
  uint64_t deadline;  // monotonic ns
};

struct FdSub {
  uint64_t userdata;
  uint8_t type;
  size_t pollfd_index;
};

uint64_t mono_now() {
  uint64_t ns = 0;
  clock_now(static_cast<uint32_t>(ClockId::monotonic), &ns);
  return ns;
}

}  // namespace

P1_FUNC(poll_oneoff) {
  uint32_t in = u32(a[0]), out = u32(a[1]), nsubs = u32(a[2]), p_n = u32(a[3]);
  if (nsubs == 0) return Errno::inval;
  if (!c.mem.ok(in, 48ull * nsubs) || !c.mem.ok(out, 32ull * nsubs) || !c.mem.ok(p_n, 4)) {
    return Errno::fault;
  }
  std::vector<Event> ready;
  std::vector<ClockSub> clocks;
  std::vector<FdSub> fds;
  std::vector<pollfd> pfds;
  uint64_t start = mono_now();
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
      Errno e = clock_now(id, &now);
      if (e != Errno::success) {
        ready.push_back(Event{userdata, e, kEventClock, 0, 0});
        continue;
      }
      uint64_t rel = timeout;
      if (flags & 1) rel = timeout > now ? timeout - now : 0;  // subscription_clock_abstime
      clocks.push_back(ClockSub{userdata, start + rel < start ? UINT64_MAX : start + rel});
    } else if (tag == kEventFdRead || tag == kEventFdWrite) {
      uint32_t fd;
      c.mem.load(s + 16, &fd);
      FdEntry* e = c.state.fds.get(fd);
      if (!e) {
        ready.push_back(Event{userdata, Errno::badf, tag, 0, 0});
        continue;
      }
      if (!(e->base & right::poll_fd_readwrite) && e->type != FileType::directory) {
        ready.push_back(Event{userdata, Errno::notcapable, tag, 0, 0});
        continue;
      }
      if (e->type == FileType::regular_file) {
        uint64_t nbytes = 0;
        if (tag == kEventFdRead) {
          struct stat st;
          off_t pos = lseek(e->host_fd, 0, SEEK_CUR);
          if (fstat(e->host_fd, &st) == 0 && pos >= 0 && st.st_size > pos) {
            nbytes = static_cast<uint64_t>(st.st_size - pos);
          }
        }
        ready.push_back(Event{userdata, Errno::success, tag, nbytes, 0});
        continue;
      }
      fds.push_back(FdSub{userdata, tag, pfds.size()});
      pfds.push_back(pollfd{e->host_fd, static_cast<short>(tag == kEventFdRead ? POLLIN : POLLOUT), 0});
    } else {
      return Errno::inval;
    }
  }
  // Wait: not at all when something is ready already, else until the first clock (or forever).
  int64_t wait_ns = -1;
  if (!ready.empty()) {
    wait_ns = 0;
  } else {
    for (const ClockSub& cs : clocks) {
      int64_t rel = cs.deadline > start ? static_cast<int64_t>(std::min<uint64_t>(cs.deadline - start, INT64_MAX)) : 0;
      if (wait_ns < 0 || rel < wait_ns) wait_ns = rel;
    }
  }
  for (;;) {
    timespec ts{}, *tsp = nullptr;
    if (wait_ns >= 0) {
      ts.tv_sec = wait_ns / 1000000000;
      ts.tv_nsec = wait_ns % 1000000000;
      tsp = &ts;
    }
    int r = ppoll(pfds.data(), pfds.size(), tsp, nullptr);
    if (r < 0 && errno == EINTR) {
      if (wait_ns > 0) {
        uint64_t el = mono_now() - start;
        wait_ns = static_cast<uint64_t>(wait_ns) > el ? wait_ns - static_cast<int64_t>(el) : 0;
      }
      continue;
    }
    if (r < 0) return errno_from_host(errno);
    break;
  }
  for (const FdSub& f : fds) {
    const pollfd& p = pfds[f.pollfd_index];
    if (!p.revents) continue;
    Event ev{f.userdata, Errno::success, f.type, 0, 0};
    if (p.revents & POLLNVAL) ev.error = Errno::badf;
    else if (p.revents & POLLERR) ev.error = Errno::io;
    if (p.revents & POLLHUP) ev.flags = 1;  // eventrwflags.fd_readwrite_hangup
    if (f.type == kEventFdRead && ev.error == Errno::success) {
      int avail = 0;
      if (ioctl(p.fd, FIONREAD, &avail) == 0 && avail > 0) ev.nbytes = static_cast<uint64_t>(avail);
    }
    ready.push_back(ev);
  }
  uint64_t now = mono_now();
  for (const ClockSub& cs : clocks) {
    if (cs.deadline <= now) ready.push_back(Event{cs.userdata, Errno::success, kEventClock, 0, 0});
  }
  uint32_t n = 0;
  for (const Event& ev : ready) {
    if (n == nsubs) break;
    uint32_t o = out + 32 * n++;
    uint8_t rec[32] = {};
    std::memcpy(rec, &ev.userdata, 8);
    uint16_t err = static_cast<uint16_t>(ev.error);
    std::memcpy(rec + 8, &err, 2);
    rec[10] = ev.type;
    if (ev.type != kEventClock) {
      std::memcpy(rec + 16, &ev.nbytes, 8);
      std::memcpy(rec + 24, &ev.flags, 2);
    }
    std::memcpy(c.mem.span(o, 32), rec, 32);
  }
  c.mem.store<uint32_t>(p_n, n);
  return Errno::success;
}

}  // namespace hull::wasi::p1
