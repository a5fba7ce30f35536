// wasi:clocks (monotonic-clock, wall-clock) and wasi:random (random, insecure, insecure-seed).
#include <time.h>

#include "wasi/core/random.h"
#include "wasi/p2/host.h"

namespace hull::wasi::p2 {

namespace {

// One call returns at most this many random bytes: the host builds the list before the guest
// receives it, so an unbounded length would let a guest exhaust host memory.
constexpr uint64_t kMaxRandomBytes = 64ull << 20;

cm::Val datetime(const timespec& ts) {
  return cm::Val::record({{"seconds", cm::Val::u64(static_cast<uint64_t>(ts.tv_sec))},
                          {"nanoseconds", cm::Val::u32(static_cast<uint32_t>(ts.tv_nsec))}});
}

uint64_t resolution_ns(clockid_t id) {
  timespec ts;
  if (clock_getres(id, &ts) != 0) return 1;
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Seeds the insecure generator and insecure-seed's value once per context.
api::Result<void> seed_insecure(Ctx& c) {
  if (c.insecure_seeded) return {};
  uint8_t seed[32];
  if (random_fill(seed, sizeof seed) != Errno::success) return trap("no host randomness");
  std::memcpy(c.insecure_state, seed, 16);
  std::memcpy(c.insecure_seed, seed + 16, 16);
  if (c.insecure_state[0] == 0 && c.insecure_state[1] == 0) c.insecure_state[0] = 1;
  c.insecure_seeded = true;
  return {};
}

// xoshiro128++ over the context's state: fast, non-cryptographic (wasi:random/insecure).
// The caller seeded it (seed_insecure).
uint64_t next_insecure(Ctx& c) {
  uint64_t s0 = c.insecure_state[0], s1 = c.insecure_state[1];
  uint64_t result = ((s0 + s1) << 17 | (s0 + s1) >> 47) + s0;
  s1 ^= s0;
  c.insecure_state[0] = (s0 << 49 | s0 >> 15) ^ s1 ^ (s1 << 21);
  c.insecure_state[1] = s1 << 28 | s1 >> 36;
  return result;
}

api::Result<void> add_clocks(cm::Linker& linker, const Types& types) {
  {
    Definer d(linker, "wasi:clocks/monotonic-clock");
    d.uses("pollable", types->pollable);
    d.fn("now", [](Ctx&, Args, Results& r) -> api::Result<void> {
      r.push_back(cm::Val::u64(monotonic_now_ns()));
      return {};
    });
    d.fn("resolution", [](Ctx&, Args, Results& r) -> api::Result<void> {
      r.push_back(cm::Val::u64(resolution_ns(CLOCK_MONOTONIC)));
      return {};
    });
    auto subscribe = [types](bool relative) {
      return [types, relative](Ctx& c, Args a, Results& r) -> api::Result<void> {
        uint64_t when = a[0].as_u64();
        if (relative) {
          uint64_t now = monotonic_now_ns();
          when = when > UINT64_MAX - now ? UINT64_MAX : now + when;
        }
        auto rep = push(c, std::make_unique<Pollable>([when] { return Readiness::at(when); }));
        if (!rep) return std::move(rep).error();
        r.push_back(own(types->pollable, *rep));
        return {};
      };
    };
    d.fn("subscribe-instant", subscribe(false));
    d.fn("subscribe-duration", subscribe(true));
    if (auto st = d.status(); !st) return st;
  }
  Definer d(linker, "wasi:clocks/wall-clock");
  d.fn("now", [](Ctx&, Args, Results& r) -> api::Result<void> {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r.push_back(datetime(ts));
    return {};
  });
  d.fn("resolution", [](Ctx&, Args, Results& r) -> api::Result<void> {
    timespec ts;
    if (clock_getres(CLOCK_REALTIME, &ts) != 0) ts = {0, 1};
    r.push_back(datetime(ts));
    return {};
  });
  return d.status();
}

api::Result<void> add_random(cm::Linker& linker) {
  {
    Definer d(linker, "wasi:random/random");
    d.fn("get-random-bytes", [](Ctx&, Args a, Results& r) -> api::Result<void> {
      uint64_t len = a[0].as_u64();
      if (len > kMaxRandomBytes) return trap("get-random-bytes: more than 64 MiB asked at once");
      std::string bytes(static_cast<size_t>(len), '\0');
      if (random_fill(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()) != Errno::success) {
        return trap("host randomness failed");
      }
      r.push_back(bytes_val(bytes));
      return {};
    });
    d.fn("get-random-u64", [](Ctx&, Args, Results& r) -> api::Result<void> {
      uint64_t v = 0;
      if (random_fill(reinterpret_cast<uint8_t*>(&v), sizeof v) != Errno::success) {
        return trap("host randomness failed");
      }
      r.push_back(cm::Val::u64(v));
      return {};
    });
    if (auto st = d.status(); !st) return st;
  }
  {
    Definer d(linker, "wasi:random/insecure");
    d.fn("get-insecure-random-bytes", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
      uint64_t len = a[0].as_u64();
      if (len > kMaxRandomBytes) {
        return trap("get-insecure-random-bytes: more than 64 MiB asked at once");
      }
      if (auto st = seed_insecure(c); !st) return st;
      std::string bytes(static_cast<size_t>(len), '\0');
      for (size_t i = 0; i < bytes.size(); i += 8) {
        uint64_t v = next_insecure(c);
        std::memcpy(bytes.data() + i, &v, std::min<size_t>(8, bytes.size() - i));
      }
      r.push_back(bytes_val(bytes));
      return {};
    });
    d.fn("get-insecure-random-u64", [](Ctx& c, Args, Results& r) -> api::Result<void> {
      if (auto st = seed_insecure(c); !st) return st;
      r.push_back(cm::Val::u64(next_insecure(c)));
      return {};
    });
    if (auto st = d.status(); !st) return st;
  }
  Definer d(linker, "wasi:random/insecure-seed");
  d.fn("insecure-seed", [](Ctx& c, Args, Results& r) -> api::Result<void> {
    if (auto st = seed_insecure(c); !st) return st;
    r.push_back(
        cm::Val::tuple({cm::Val::u64(c.insecure_seed[0]), cm::Val::u64(c.insecure_seed[1])}));
    return {};
  });
  return d.status();
}

}  // namespace

api::Result<void> add_clocks_random(cm::Linker& linker, const Types& types) {
  if (auto st = add_clocks(linker, types); !st) return st;
  return add_random(linker);
}

}  // namespace hull::wasi::p2
