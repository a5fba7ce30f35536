// Reactor: descriptors are registered for one wait and removed after it (a guest's pollable
// lists change from call to call, and a handful of epoll_ctl calls cost less than keeping
// registrations coherent with descriptors the guest closes). Descriptors epoll refuses
// (regular files, EPERM) are always ready, as poll(2) reports them.
#include "wasi/core/reactor.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

namespace hull::wasi {

uint64_t monotonic_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Reactor::~Reactor() {
  if (epoll_ >= 0) close(epoll_);
  if (timer_ >= 0) close(timer_);
}

Errno Reactor::init() {
  if (epoll_ >= 0) return Errno::success;
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) return errno_from_host(errno);
  timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (timer_ < 0) return errno_from_host(errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = UINT64_MAX;  // marks the timer
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &ev) != 0) return errno_from_host(errno);
  return Errno::success;
}

bool Reactor::ready_now(const Readiness& item) {
  switch (item.kind) {
    case Readiness::Kind::now: return true;
    case Readiness::Kind::never: return false;
    case Readiness::Kind::deadline: return monotonic_now_ns() >= item.deadline_ns;
    case Readiness::Kind::fd: {
      pollfd p{item.fd,
               static_cast<short>((item.events & Readiness::kReadable ? POLLIN : 0) |
                                  (item.events & Readiness::kWritable ? POLLOUT : 0)),
               0};
      int n = poll(&p, 1, 0);
      // An error or hang-up condition counts as ready: the next operation reports it.
      return n != 0;
    }
  }
  return true;
}

Errno Reactor::wait(std::span<const Readiness> items, std::vector<uint32_t>* ready,
                    std::optional<uint64_t> timeout_ns) {
  std::optional<uint64_t> give_up;
  if (timeout_ns) give_up = monotonic_now_ns() + *timeout_ns;
  size_t before = ready->size();
  // A round can end with nothing ready (a hang-up already consumed, a timer that fired for a
  // deadline since moved): go round again until something is, or the timeout passes.
  for (;;) {
    if (Errno e = wait_once(items, ready, give_up); e != Errno::success) return e;
    if (ready->size() != before) return Errno::success;
    if (give_up && monotonic_now_ns() >= *give_up) return Errno::success;
  }
}

Errno Reactor::wait_once(std::span<const Readiness> items, std::vector<uint32_t>* ready,
                         std::optional<uint64_t> give_up) {
  // Items ready without waiting, and the earliest deadline.
  std::optional<uint64_t> deadline = give_up;
  bool any_waitable = give_up.has_value();
  std::map<int, uint32_t> fd_events;  // one registration per descriptor
  uint64_t now = monotonic_now_ns();
  size_t ready_before = ready->size();
  for (uint32_t i = 0; i < items.size(); ++i) {
    const Readiness& r = items[i];
    switch (r.kind) {
      case Readiness::Kind::now: ready->push_back(i); break;
      case Readiness::Kind::never: break;
      case Readiness::Kind::deadline:
        any_waitable = true;
        if (now >= r.deadline_ns) ready->push_back(i);
        deadline = deadline ? std::min(*deadline, r.deadline_ns) : r.deadline_ns;
        break;
      case Readiness::Kind::fd:
        any_waitable = true;
        fd_events[r.fd] |= r.events;
        break;
    }
  }
  if (!any_waitable && ready->size() == ready_before) return Errno::inval;
  if (fd_events.empty() && ready->size() != ready_before) return Errno::success;
  if (Errno e = init(); e != Errno::success) return e;

  std::vector<int> registered;
  std::map<int, uint32_t> fd_ready;
  for (auto [fd, events] : fd_events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<uint32_t>(fd);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) == 0) {
      registered.push_back(fd);
    } else if (errno == EPERM) {
      fd_ready[fd] = events;  // a regular file: always ready
    } else {
      fd_ready[fd] = events;  // a closed or bad descriptor: the operation reports it
    }
  }
  bool have_ready = ready->size() != ready_before || !fd_ready.empty();
  // With something already ready, only collect what else is ready now.
  itimerspec its{};
  bool armed = false;
  if (!have_ready && deadline) {
    its.it_value.tv_sec = static_cast<time_t>(*deadline / 1000000000ull);
    its.it_value.tv_nsec = static_cast<long>(*deadline % 1000000000ull);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
    timerfd_settime(timer_, TFD_TIMER_ABSTIME, &its, nullptr);
    armed = true;
  }
  Errno result = Errno::success;
  if (!registered.empty() || (!have_ready && armed)) {
    epoll_event evs[64];
    for (;;) {
      int n = epoll_wait(epoll_, evs, 64, have_ready ? 0 : -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        result = errno_from_host(errno);
        break;
      }
      for (int k = 0; k < n; ++k) {
        if (evs[k].data.u64 == UINT64_MAX) continue;  // the timer: deadlines checked below
        fd_ready[static_cast<int>(evs[k].data.u64)] |= evs[k].events;
      }
      break;
    }
  }
  if (armed) {
    itimerspec off{};
    timerfd_settime(timer_, 0, &off, nullptr);
    uint64_t expirations;
    while (read(timer_, &expirations, sizeof expirations) > 0) {
    }
  }
  for (int fd : registered) epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  if (result != Errno::success) return result;

  // Everything ready now, in index order.
  ready->resize(ready_before);
  now = monotonic_now_ns();
  for (uint32_t i = 0; i < items.size(); ++i) {
    const Readiness& r = items[i];
    bool ok = false;
    switch (r.kind) {
      case Readiness::Kind::now: ok = true; break;
      case Readiness::Kind::never: break;
      case Readiness::Kind::deadline: ok = now >= r.deadline_ns; break;
      case Readiness::Kind::fd: {
        auto it = fd_ready.find(r.fd);
        ok = it != fd_ready.end() &&
             (it->second & (r.events | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0;
        break;
      }
    }
    if (ok) ready->push_back(i);
  }
  return Errno::success;
}

}  // namespace hull::wasi
