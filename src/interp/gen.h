// Compile-time adapters over the num:: functions (numeric.h, simd.h), one per opcodes.def row,
// from which handler tables are generated. Private to src/interp.
#pragma once

#include <utility>

#include "interp/numeric.h"
#include "interp/simd.h"

// Stand-in overloads: an op name num:: does not define resolves to one of these, so the generator
// can tell which ops have a num:: implementation (and whether it takes a NumTrap&). They live in
// hull::num itself so that ordinary overload resolution sees them beside the real functions
// (a real non-template function wins over these templates).
namespace hull::num {
struct NoFn {};
#define HULL_OP(name, text, prefix, code, imm, sig) \
  template <class... A>                              \
  NoFn name(A&&...);
#include "spec/opcodes.def"
#undef HULL_OP
namespace interp_gen {
#define HULL_OP(name, text, prefix, code, imm, sig) \
  struct Call_##name {                               \
    template <class... A>                            \
    static auto f(A&&... a) {                        \
      return name(std::forward<A>(a)...);            \
    }                                                \
  };
#include "spec/opcodes.def"
#undef HULL_OP
}  // namespace interp_gen
}  // namespace hull::num
