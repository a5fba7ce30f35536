// What a shared linear memory (the threads proposal) has beyond a plain Memory: the lock that
// serializes its growth and the parking lot behind memory.atomic.wait / memory.atomic.notify.
//
// A shared memory can be used by several stores on several threads at once (each store keeps a
// std::shared_ptr to it, Store::shared_memories), so this state lives with the memory, not
// with any store: a thread waiting through one store's instance is woken by a notify from
// another store's instance on another thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace hull {

// Waiters parked on addresses of one shared memory. Each waiter has its own condition variable
// (woken one by one, in the order they arrived, as the spec's notify requires); the queues and
// the woken flags are guarded by one mutex, which a wait also holds while it compares the
// memory's value with the expected one, so that a store followed by a notify on another thread
// can never slip between a waiter's comparison and its parking.
class ParkingLot {
 public:
  // memory.atomic.wait's results, and Interrupted (no wasm value: the waiter traps) for a lot
  // that interrupt_all closed.
  enum class WaitResult : uint32_t { Woken = 0, NotEqual = 1, TimedOut = 2, Interrupted = 3 };

  ParkingLot() = default;
  ParkingLot(const ParkingLot&) = delete;
  ParkingLot& operator=(const ParkingLot&) = delete;

  // Parks the calling thread on `address` (a byte offset in the memory) if the `size`-byte
  // (4 or 8) value at `cell`, read atomically, equals `expected`, until a notify wakes it or
  // `timeout_ns` nanoseconds pass (negative: no timeout). `cell` must be aligned.
  WaitResult wait(uint64_t address, const void* cell, unsigned size, uint64_t expected,
                  int64_t timeout_ns);
  // Wakes up to `count` waiters parked on `address`, oldest first; returns how many it woke.
  uint32_t notify(uint64_t address, uint32_t count);
  // Waiters parked now on `address` (for tests).
  size_t waiters(uint64_t address);
  // Ends the program using this memory (wasi-threads: a trap or proc_exit in one thread stops
  // all): every parked waiter returns Interrupted, and so does every later wait, so that a
  // thread about to park when this runs cannot sleep for ever. Not undone.
  void interrupt_all();

 private:
  struct Waiter {
    std::condition_variable cv;
    bool woken = false;
    bool interrupted = false;  // woken by interrupt_all
    Waiter* next = nullptr;  // the next waiter on the same address (FIFO)
  };
  struct Queue {
    Waiter* head = nullptr;
    Waiter* tail = nullptr;
  };
  void unlink(uint64_t address, Waiter* w);  // mu_ held

  std::mutex mu_;
  std::unordered_map<uint64_t, Queue> queues_;  // addresses with at least one waiter
  bool closed_ = false;                         // interrupt_all ran
};

struct SharedMemoryState {
  // Held by Memory::grow for the whole growth of a shared memory: concurrent grows apply one
  // after the other, each seeing the size the previous one left.
  std::mutex grow_mutex;
  ParkingLot parking;
};

}  // namespace hull
