// Shared helpers for engine tests: compile-or-fail and host functions.
#pragma once

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "wasm_builder.h"

namespace hull::test {

inline std::shared_ptr<const CompiledModule> must_compile(const Bytes& bytes) {
  auto r = compile(bytes);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : nullptr;
}

inline std::optional<Trap> nop_host(void*, Store&, uint64_t*) { return std::nullopt; }

inline std::optional<Trap> trap_host(void*, Store&, uint64_t*) {
  Trap t = Trap::make(TrapKind::Host);
  t.message = "boom from host";
  return t;
}

}  // namespace hull::test
