// Readiness and waiting: what a pollable waits for (a descriptor becoming readable or
// writable, a monotonic deadline, or nothing: ready now) and the reactor that waits for any
// of several at once — epoll for descriptors, a timerfd for the earliest deadline (nanosecond
// precision, unlike epoll_wait's milliseconds).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wasi/core/errno.h"

namespace hull::wasi {

struct Readiness {
  enum class Kind : uint8_t { now, fd, deadline, never };
  Kind kind = Kind::now;
  int fd = -1;
  uint32_t events = 0;       // EPOLLIN / EPOLLOUT
  uint64_t deadline_ns = 0;  // CLOCK_MONOTONIC

  static Readiness ready() { return {}; }
  static Readiness never() { return {Kind::never, -1, 0, 0}; }
  static Readiness readable(int fd) { return {Kind::fd, fd, kReadable, 0}; }
  static Readiness writable(int fd) { return {Kind::fd, fd, kWritable, 0}; }
  static Readiness at(uint64_t deadline_ns) { return {Kind::deadline, -1, 0, deadline_ns}; }

  static constexpr uint32_t kReadable = 1, kWritable = 4;  // EPOLLIN, EPOLLOUT
};

uint64_t monotonic_now_ns();

class Reactor {
 public:
  Reactor() = default;
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  ~Reactor();

  // Waits until at least one of `items` is ready and appends the indexes of those that are
  // (in increasing order) to `ready`. With `timeout_ns` set, gives up after that long and
  // appends nothing. A list in which nothing can ever become ready (empty, or all `never`)
  // with no timeout is `inval`, since waiting would hang forever.
  Errno wait(std::span<const Readiness> items, std::vector<uint32_t>* ready,
             std::optional<uint64_t> timeout_ns = std::nullopt);
  // Whether `item` is ready now (no waiting).
  bool ready_now(const Readiness& item);

 private:
  Errno init();
  Errno wait_once(std::span<const Readiness> items, std::vector<uint32_t>* ready,
                  std::optional<uint64_t> give_up);
  int epoll_ = -1;
  int timer_ = -1;
};

}  // namespace hull::wasi
