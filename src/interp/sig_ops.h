// Handlers generated from opcodes.def signatures, as templates over the operand policy
// (operands.h): the interpreter's (exec.cc) and the baseline tier's stencils
// (src/baseline/stencils.cc) are instantiations of these. Private to src/interp and src/baseline.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "interp/exec_util.h"
#include "interp/gen.h"
#include "spec/opcodes.h"

namespace hull::interp::sig {
using num::NoFn;

struct Sig {
  bool typed = false;
  uint8_t np = 0, nr = 0;
  char p[3] = {0, 0, 0};
  char r = 0;
};
constexpr Sig parse(std::string_view s) {
  Sig g;
  if (s == "*") return g;
  g.typed = true;
  size_t c = s.find(':');
  for (size_t i = 0; i < c && i < 3; ++i) g.p[i] = s[i];
  g.np = static_cast<uint8_t>(c);
  if (c + 1 < s.size()) {
    g.nr = 1;
    g.r = s[c + 1];
  }
  return g;
}

template <char C>
struct TyOf;
template <>
struct TyOf<'i'> {
  using T = uint32_t;
};
template <>
struct TyOf<'l'> {
  using T = uint64_t;
};
template <>
struct TyOf<'f'> {
  using T = float;
};
template <>
struct TyOf<'d'> {
  using T = double;
};
template <>
struct TyOf<'v'> {
  using T = V128;
};
template <>
struct TyOf<'a'> {
  using T = uint64_t;
};
template <>
struct TyOf<0> {
  using T = uint32_t;
};  // the lane immediate
template <char C>
using Ty = typename TyOf<C>::T;

// Whether Call::f takes (args..., NumTrap&) / (args...) for the op's signature.
template <class Call, Sig S, bool Lane, bool Trap>
constexpr bool callable() {
  using A0 = Ty<S.p[0]>;
  using A1 = Ty<S.p[1]>;
  using A2 = Ty<S.p[2]>;
  using L = uint32_t;
  auto go = [](auto... a) {
    if constexpr (Trap) {
      num::NumTrap t = num::NumTrap::None;
      return !std::is_same_v<decltype(Call::f(a..., t)), NoFn>;
    } else {
      return !std::is_same_v<decltype(Call::f(a...)), NoFn>;
    }
  };
  if constexpr (S.np == 0 && !Lane)
    return false;
  else if constexpr (S.np == 1 && Lane)
    return go(A0{}, L{});
  else if constexpr (S.np == 1)
    return go(A0{});
  else if constexpr (S.np == 2 && Lane)
    return go(A0{}, A1{}, L{});
  else if constexpr (S.np == 2)
    return go(A0{}, A1{});
  else if constexpr (S.np == 3)
    return go(A0{}, A1{}, A2{});
  else
    return false;
}

// [dst?][src...] (+[lane]); with Imm the last source is the constant itself: [dst][src][imm].
template <class O, class Call, Sig S, bool Lane, bool Trap, bool Imm = false>
HULL_HANDLER_CC void sig_op(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                            Ctx* ctx) {
  constexpr unsigned d = S.nr ? 1 : 0;  // operand words before the sources
  auto args = [&] {
    if constexpr (S.np == 1) {
      return std::tuple{rd<Ty<S.p[0]>>(sp, O_U(1 + d))};
    } else if constexpr (S.np == 2 && Imm) {
      return std::tuple{rd<Ty<S.p[0]>>(sp, O_U(1 + d)), O::template imm<Ty<S.p[1]>, 2 + d>(pc)};
    } else if constexpr (S.np == 2) {
      return std::tuple{rd<Ty<S.p[0]>>(sp, O_U(1 + d)), rd<Ty<S.p[1]>>(sp, O_U(2 + d))};
    } else {
      return std::tuple{rd<Ty<S.p[0]>>(sp, O_U(1 + d)), rd<Ty<S.p[1]>>(sp, O_U(2 + d)),
                        rd<Ty<S.p[2]>>(sp, O_U(3 + d))};
    }
  }();
  auto extra = [&] {
    if constexpr (Lane) {
      return std::tuple{static_cast<uint32_t>(O_U(1 + d + S.np))};
    } else {
      return std::tuple{};
    }
  }();
  num::NumTrap t = num::NumTrap::None;
  auto r = std::apply(
      [&](auto... a) {
        if constexpr (Trap) {
          return Call::f(a..., t);
        } else {
          return Call::f(a...);
        }
      },
      std::tuple_cat(args, extra));
  if constexpr (Trap) {
    if (t != num::NumTrap::None) [[unlikely]] {
      TrapKind k = t == num::NumTrap::IntegerDivideByZero ? TrapKind::IntegerDivideByZero
                   : t == num::NumTrap::IntegerOverflow   ? TrapKind::IntegerOverflow
                                                          : TrapKind::InvalidConversion;
      return set_trap(ctx, O::self(pc), k);
    }
  }
  if constexpr (S.nr) wr_val(sp, O_U(1), static_cast<Ty<S.r>>(r));
  constexpr unsigned len = 1 + d + S.np + (Lane ? 1 : 0);
  O_NEXT(len);
}

template <class O, class Call, Sig S, ImmKind Imm>
constexpr Handler make_sig_handler() {
  if constexpr (!S.typed || (Imm != ImmKind::None && Imm != ImmKind::Lane) || S.nr == 0) {
    return nullptr;
  } else {
    constexpr bool lane = Imm == ImmKind::Lane;
    if constexpr (callable<Call, S, lane, true>())
      return &sig_op<O, Call, S, lane, true>;
    else if constexpr (callable<Call, S, lane, false>())
      return &sig_op<O, Call, S, lane, false>;
    else
      return nullptr;
  }
}

constexpr bool scalar(char c) { return c == 'i' || c == 'l' || c == 'f' || c == 'd'; }

// The `op src, const` variant of a two-operand scalar op: [dst][src][imm].
template <class O, class Call, Sig S, ImmKind Imm>
constexpr Handler make_imm_handler() {
  if constexpr (!S.typed || Imm != ImmKind::None || S.nr == 0 || S.np != 2 || !scalar(S.p[0]) ||
                !scalar(S.p[1]) || !scalar(S.r)) {
    return nullptr;
  } else if constexpr (callable<Call, S, false, true>()) {
    return &sig_op<O, Call, S, false, true, true>;
  } else if constexpr (callable<Call, S, false, false>()) {
    return &sig_op<O, Call, S, false, false, true>;
  } else {
    return nullptr;
  }
}

// An i32-producing scalar op fused with the branch that consumes its result (br_if, or the
// br_unless of an `if`): [a][b or imm][target], or [a][target] for one operand.
template <class O, class Call, Sig S, bool Imm>
inline uint32_t compare_operands(const Word* pc, const uint64_t* sp) {
  if constexpr (S.np == 1) {
    return Call::f(rd<Ty<S.p[0]>>(sp, O_U(1)));
  } else if constexpr (Imm) {
    return Call::f(rd<Ty<S.p[0]>>(sp, O_U(1)), O::template imm<Ty<S.p[1]>, 2>(pc));
  } else {
    return Call::f(rd<Ty<S.p[0]>>(sp, O_U(1)), rd<Ty<S.p[1]>>(sp, O_U(2)));
  }
}
template <class O, class Call, Sig S, bool Imm, bool Negate>
HULL_HANDLER_CC void cmp_branch(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                Ctx* ctx) {
  const uint32_t r = compare_operands<O, Call, S, Imm>(pc, sp);
  if ((r != 0) != Negate) O_JUMP(1 + S.np);
  O_NEXT(2 + S.np);
}

// Whether `Call` has the fused compare-and-branch forms (an i32-producing scalar op of one or
// two operands).
template <class Call, Sig S, ImmKind Imm>
constexpr bool has_branch_forms() {
  if constexpr (S.typed && Imm == ImmKind::None && S.nr == 1 && S.r == 'i' &&
                (S.np == 1 || S.np == 2) && scalar(S.p[0]) && (S.np == 1 || scalar(S.p[1])))
    return callable<Call, S, false, false>();
  else
    return false;
}

}  // namespace hull::interp::sig
