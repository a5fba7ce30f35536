// The native tier's SIMD (lower_simd.cc) against the interpreter's (interp/simd.h): every
// instruction on edge-case and random operands, bit for bit; loads and stores at the memory's
// bound, with guard pages and with explicit checks; v128 params and results across calls
// between native code, the interpreter and the host; fuel. Each module is also checked to
// have compiled natively (but for the functions meant to stay interpreted).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"
#include "hull/native.hh"
#include "instantiated.h"

namespace {

namespace api = hull::api;
using hull_native_test::Instantiated;
using hull_native_test::interpret_named_functions;
using V = std::array<uint8_t, 16>;

V from_u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  V v;
  const uint32_t w[4] = {a, b, c, d};
  std::memcpy(v.data(), w, 16);
  return v;
}
V from_u64(uint64_t a, uint64_t b) {
  V v;
  const uint64_t w[2] = {a, b};
  std::memcpy(v.data(), w, 16);
  return v;
}

std::string hex(const api::Val& v) {
  char buf[8];
  std::string s;
  if (v.type() == api::ValType::V128) {
    for (uint8_t b : v.v128()) {
      std::snprintf(buf, sizeof buf, "%02x", b);
      s += buf;
    }
    return "v128:" + s;
  }
  return std::to_string(v.i64());
}

// What one call gave: the results, or the trap's message.
std::string outcome(const api::Result<std::vector<api::Val>>& r) {
  if (!r.ok()) return "trap: " + r.error().message;
  std::string s;
  for (const api::Val& v : *r) s += hex(v) + " ";
  return s;
}

// Which NaN a float operation returns when an operand is a NaN is not deterministic in wasm
// (any NaN with the quiet bit set; a canonical one when every NaN operand is canonical), and
// the interpreter's choice follows the operand order its C++ compiler picked (it differs
// between the release and the sanitizer builds). So the lanes of float results compare equal
// when both are NaNs of the kind the spec allows, else bit for bit. `op` is the instruction
// text; its last instruction makes the result.
int float_lanes_bits(const std::string& op) {
  const std::string last = op.substr(op.rfind(' ') + 1);
  if (last.find("abs") != std::string::npos || last.find("neg") != std::string::npos ||
      last.find("pmin") != std::string::npos || last.find("pmax") != std::string::npos)
    return 0;  // bit operations and selections: exact
  if (last.starts_with("f32x4.")) return 32;
  if (last.starts_with("f64x2.")) return 64;
  return 0;
}

bool is_nan_lane(const uint8_t* p, int bits) {
  if (bits == 32) {
    uint32_t x;
    std::memcpy(&x, p, 4);
    return (x & 0x7f800000u) == 0x7f800000u && (x & 0x007fffffu) != 0;
  }
  uint64_t x;
  std::memcpy(&x, p, 8);
  return (x & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (x & 0x000fffffffffffffull) != 0;
}

bool quiet_lane(const uint8_t* p, int bits) {
  return bits == 32 ? (p[2] & 0x40) != 0 : (p[6] & 0x08) != 0;
}

bool same_outcome(const std::string& op, const api::Result<std::vector<api::Val>>& a,
                  const api::Result<std::vector<api::Val>>& b) {
  const int bits = float_lanes_bits(op);
  if (bits == 0 || !a.ok() || !b.ok() || a->size() != 1 || b->size() != 1 ||
      (*a)[0].type() != api::ValType::V128 || (*b)[0].type() != api::ValType::V128)
    return outcome(a) == outcome(b);
  const auto x = (*a)[0].v128(), y = (*b)[0].v128();
  for (int i = 0; i < 16; i += bits / 8) {
    const bool xn = is_nan_lane(&x[i], bits), yn = is_nan_lane(&y[i], bits);
    if (xn && yn) {
      if (!quiet_lane(&y[i], bits)) return false;  // an arithmetic NaN at least
      continue;
    }
    if (std::memcmp(&x[i], &y[i], bits / 8) != 0) return false;
  }
  return true;
}

class NativeSimd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hull::native::register_tier();
    interpret_named_functions("interp");
  }
  static void TearDownTestSuite() { interpret_named_functions(nullptr); }
};

// ---- every instruction, on many operands ------------------------------------------------------

std::vector<V> operands() {
  std::vector<V> vs;
  vs.push_back(V{});
  vs.push_back(from_u64(~0ull, ~0ull));
  vs.push_back(from_u32(0x80000000u, 0x7fffffffu, 0x00000001u, 0xffffffffu));
  vs.push_back(from_u32(0x80808080u, 0x7f7f7f7fu, 0x01ff8000u, 0x7fff0080u));
  vs.push_back(from_u64(0x8000000000000000ull, 0x7fffffffffffffffull));
  vs.push_back(V{0, 1, 2, 3, 15, 16, 17, 31, 32, 127, 128, 200, 255, 5, 9, 14});
  // f32 lanes: zeros, ones, halves (rounding ties), infinities, NaNs (quiet, negative,
  // signalling, with payloads), denormals, bounds of the integer conversions.
  vs.push_back(from_u32(0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u));  // +0 -0 1 -1
  vs.push_back(from_u32(0x3f000000u, 0x3fc00000u, 0x40200000u, 0xc0200000u));  // .5 1.5 2.5 -2.5
  vs.push_back(from_u32(0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u));  // inf -inf nan -nan
  vs.push_back(from_u32(0x7fa00000u, 0xff812345u, 0x7fc12345u, 0x00000001u));  // snan, denormal
  vs.push_back(from_u32(0x4f000000u, 0xcf000000u, 0x4f800000u, 0xcf000001u));  // +-2^31 2^32
  vs.push_back(from_u32(0x80000000u, 0x00000000u, 0x7fa00000u, 0x7fc00000u));  // -0 +0 snan nan
  // f64 lanes.
  vs.push_back(from_u64(0x0000000000000000ull, 0x8000000000000000ull));  // +0 -0
  vs.push_back(from_u64(0x3ff0000000000000ull, 0xc004000000000000ull));  // 1 -2.5
  vs.push_back(from_u64(0x7ff0000000000000ull, 0xfff8000000000000ull));  // inf -nan
  vs.push_back(from_u64(0x7ff4000000000000ull, 0x7ff8000000012345ull));  // snan, payload
  vs.push_back(from_u64(0x41e0000000000000ull, 0xc1e0000000200000ull));  // 2^31, -2^31-1
  vs.push_back(from_u64(0x41efffffffe00000ull, 0x0000000000000001ull));  // 2^32-1, denormal
  vs.push_back(from_u64(0x3ff8000000000000ull, 0x47efffffe0000000ull));  // 1.5, > f32 max
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 8; ++i) vs.push_back(from_u64(rng(), rng()));
  // Random small lanes (so that sums and products saturate some and not others).
  for (int i = 0; i < 4; ++i) {
    V v;
    for (auto& b : v) b = static_cast<uint8_t>((rng() % 7) - 3);
    vs.push_back(v);
  }
  return vs;
}

const char* const kBinary[] = {
    "i8x16.eq",
    "i8x16.ne",
    "i8x16.lt_s",
    "i8x16.lt_u",
    "i8x16.gt_s",
    "i8x16.gt_u",
    "i8x16.le_s",
    "i8x16.le_u",
    "i8x16.ge_s",
    "i8x16.ge_u",
    "i16x8.eq",
    "i16x8.ne",
    "i16x8.lt_s",
    "i16x8.lt_u",
    "i16x8.gt_s",
    "i16x8.gt_u",
    "i16x8.le_s",
    "i16x8.le_u",
    "i16x8.ge_s",
    "i16x8.ge_u",
    "i32x4.eq",
    "i32x4.ne",
    "i32x4.lt_s",
    "i32x4.lt_u",
    "i32x4.gt_s",
    "i32x4.gt_u",
    "i32x4.le_s",
    "i32x4.le_u",
    "i32x4.ge_s",
    "i32x4.ge_u",
    "i64x2.eq",
    "i64x2.ne",
    "i64x2.lt_s",
    "i64x2.gt_s",
    "i64x2.le_s",
    "i64x2.ge_s",
    "f32x4.eq",
    "f32x4.ne",
    "f32x4.lt",
    "f32x4.gt",
    "f32x4.le",
    "f32x4.ge",
    "f64x2.eq",
    "f64x2.ne",
    "f64x2.lt",
    "f64x2.gt",
    "f64x2.le",
    "f64x2.ge",
    "v128.and",
    "v128.andnot",
    "v128.or",
    "v128.xor",
    "i8x16.narrow_i16x8_s",
    "i8x16.narrow_i16x8_u",
    "i8x16.add",
    "i8x16.add_sat_s",
    "i8x16.add_sat_u",
    "i8x16.sub",
    "i8x16.sub_sat_s",
    "i8x16.sub_sat_u",
    "i8x16.min_s",
    "i8x16.min_u",
    "i8x16.max_s",
    "i8x16.max_u",
    "i8x16.avgr_u",
    "i8x16.swizzle",
    "i8x16.relaxed_swizzle",
    "i16x8.q15mulr_sat_s",
    "i16x8.relaxed_q15mulr_s",
    "i16x8.narrow_i32x4_s",
    "i16x8.narrow_i32x4_u",
    "i16x8.add",
    "i16x8.add_sat_s",
    "i16x8.add_sat_u",
    "i16x8.sub",
    "i16x8.sub_sat_s",
    "i16x8.sub_sat_u",
    "i16x8.mul",
    "i16x8.min_s",
    "i16x8.min_u",
    "i16x8.max_s",
    "i16x8.max_u",
    "i16x8.avgr_u",
    "i16x8.extmul_low_i8x16_s",
    "i16x8.extmul_high_i8x16_s",
    "i16x8.extmul_low_i8x16_u",
    "i16x8.extmul_high_i8x16_u",
    "i16x8.relaxed_dot_i8x16_i7x16_s",
    "i32x4.add",
    "i32x4.sub",
    "i32x4.mul",
    "i32x4.min_s",
    "i32x4.min_u",
    "i32x4.max_s",
    "i32x4.max_u",
    "i32x4.dot_i16x8_s",
    "i32x4.extmul_low_i16x8_s",
    "i32x4.extmul_high_i16x8_s",
    "i32x4.extmul_low_i16x8_u",
    "i32x4.extmul_high_i16x8_u",
    "i64x2.add",
    "i64x2.sub",
    "i64x2.mul",
    "i64x2.extmul_low_i32x4_s",
    "i64x2.extmul_high_i32x4_s",
    "i64x2.extmul_low_i32x4_u",
    "i64x2.extmul_high_i32x4_u",
    "f32x4.add",
    "f32x4.sub",
    "f32x4.mul",
    "f32x4.div",
    "f32x4.min",
    "f32x4.max",
    "f32x4.pmin",
    "f32x4.pmax",
    "f32x4.relaxed_min",
    "f32x4.relaxed_max",
    "f64x2.add",
    "f64x2.sub",
    "f64x2.mul",
    "f64x2.div",
    "f64x2.min",
    "f64x2.max",
    "f64x2.pmin",
    "f64x2.pmax",
    "f64x2.relaxed_min",
    "f64x2.relaxed_max",
};

const char* const kUnary[] = {
    "v128.not",
    "f32x4.demote_f64x2_zero",
    "f64x2.promote_low_f32x4",
    "i8x16.abs",
    "i8x16.neg",
    "i8x16.popcnt",
    "f32x4.ceil",
    "f32x4.floor",
    "f32x4.trunc",
    "f32x4.nearest",
    "f64x2.ceil",
    "f64x2.floor",
    "f64x2.trunc",
    "f64x2.nearest",
    "i16x8.extadd_pairwise_i8x16_s",
    "i16x8.extadd_pairwise_i8x16_u",
    "i32x4.extadd_pairwise_i16x8_s",
    "i32x4.extadd_pairwise_i16x8_u",
    "i16x8.abs",
    "i16x8.neg",
    "i16x8.extend_low_i8x16_s",
    "i16x8.extend_high_i8x16_s",
    "i16x8.extend_low_i8x16_u",
    "i16x8.extend_high_i8x16_u",
    "i32x4.abs",
    "i32x4.neg",
    "i32x4.extend_low_i16x8_s",
    "i32x4.extend_high_i16x8_s",
    "i32x4.extend_low_i16x8_u",
    "i32x4.extend_high_i16x8_u",
    "i64x2.abs",
    "i64x2.neg",
    "i64x2.extend_low_i32x4_s",
    "i64x2.extend_high_i32x4_s",
    "i64x2.extend_low_i32x4_u",
    "i64x2.extend_high_i32x4_u",
    "f32x4.abs",
    "f32x4.neg",
    "f32x4.sqrt",
    "f64x2.abs",
    "f64x2.neg",
    "f64x2.sqrt",
    "i32x4.trunc_sat_f32x4_s",
    "i32x4.trunc_sat_f32x4_u",
    "f32x4.convert_i32x4_s",
    "f32x4.convert_i32x4_u",
    "i32x4.trunc_sat_f64x2_s_zero",
    "i32x4.trunc_sat_f64x2_u_zero",
    "f64x2.convert_low_i32x4_s",
    "f64x2.convert_low_i32x4_u",
    "i32x4.relaxed_trunc_f32x4_s",
    "i32x4.relaxed_trunc_f32x4_u",
    "i32x4.relaxed_trunc_f64x2_s_zero",
    "i32x4.relaxed_trunc_f64x2_u_zero",
    // Folds LLVM must not make: promote then demote quiets a signalling NaN.
    "f64x2.promote_low_f32x4 f32x4.demote_f64x2_zero",
};

const char* const kToI32[] = {
    "v128.any_true",  "i8x16.all_true", "i8x16.bitmask",  "i16x8.all_true", "i16x8.bitmask",
    "i32x4.all_true", "i32x4.bitmask",  "i64x2.all_true", "i64x2.bitmask",
};

const char* const kTernary[] = {
    "v128.bitselect",           "i8x16.relaxed_laneselect",
    "i16x8.relaxed_laneselect", "i32x4.relaxed_laneselect",
    "i64x2.relaxed_laneselect", "f32x4.relaxed_madd",
    "f32x4.relaxed_nmadd",      "f64x2.relaxed_madd",
    "f64x2.relaxed_nmadd",      "i32x4.relaxed_dot_i8x16_i7x16_add_s",
};

const char* const kShift[] = {
    "i8x16.shl", "i8x16.shr_s", "i8x16.shr_u", "i16x8.shl", "i16x8.shr_s", "i16x8.shr_u",
    "i32x4.shl", "i32x4.shr_s", "i32x4.shr_u", "i64x2.shl", "i64x2.shr_s", "i64x2.shr_u",
};

// (v128) -> v128 with immediates or constants: lanes, shuffles, identities LLVM would fold.
const char* const kWithImmediates[] = {
    "i8x16.shuffle 0 17 2 19 4 21 6 23 31 30 29 28 3 3 16 16",
    "i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0",
    "i8x16.extract_lane_s 15 i8x16.splat",
    "i8x16.extract_lane_u 3 i8x16.splat",
    "i16x8.extract_lane_s 7 i16x8.splat",
    "i16x8.extract_lane_u 1 i16x8.splat",
    "i32x4.extract_lane 2 i32x4.splat",
    "i64x2.extract_lane 1 i64x2.splat",
    "f32x4.extract_lane 3 f32x4.splat",
    "f64x2.extract_lane 1 f64x2.splat",
    "i32x4.extract_lane 3 i8x16.replace_lane 5",
    "i32x4.extract_lane 0 i16x8.replace_lane 6",
    "i32x4.extract_lane 1 i32x4.replace_lane 0",
    "i64x2.extract_lane 0 i64x2.replace_lane 1",
    "f32x4.extract_lane 0 f32x4.replace_lane 2",
    "f64x2.extract_lane 1 f64x2.replace_lane 0",
    "v128.const f32x4 1 1 1 1 f32x4.mul",
    "v128.const f32x4 -1 -1 -1 -1 f32x4.div",
    "v128.const f32x4 -0 -0 -0 -0 f32x4.add",
    "v128.const f32x4 0 0 0 0 f32x4.sub",
    "v128.const f64x2 1 1 f64x2.mul",
    "v128.const f64x2 1 -1 f64x2.div",
    "v128.const f64x2 -0 -0 f64x2.add",
    "v128.const f64x2 0 0 f64x2.sub",
    "v128.const f32x4 0 0 0 0 f32x4.min",
    "v128.const f64x2 -0 0 f64x2.max",
    "drop v128.const f32x4 0 0 0 0 v128.const f32x4 0 0 0 0 f32x4.div",
    "drop v128.const f64x2 0 -0 v128.const f64x2 0 0 f64x2.div",
    "drop v128.const i32x4 0x7fa00000 0xffa00000 1 2 v128.const f32x4 1 1 1 1 f32x4.mul",
    // The scalar min/max beside them: the same NaN from two NaN operands.
    "f32x4.extract_lane 2 local.get 0 f32x4.extract_lane 3 f32.min f32x4.splat",
    "f32x4.extract_lane 1 local.get 0 f32x4.extract_lane 0 f32.max f32x4.splat",
    "f64x2.extract_lane 0 local.get 0 f64x2.extract_lane 1 f64.min f64x2.splat",
    "f64x2.extract_lane 1 local.get 0 f64x2.extract_lane 0 f64.max f64x2.splat",
};

std::string op_module() {
  std::string w = "(module\n";
  int i = 0;
  auto fn = [&](const std::string& params, const std::string& result, const std::string& body) {
    w += "(func $f" + std::to_string(i) + " (export \"f" + std::to_string(i) + "\") " + params +
         " (result " + result + ") " + body + ")\n";
    ++i;
  };
  for (const char* op : kBinary)
    fn("(param v128 v128)", "v128", "local.get 0 local.get 1 " + std::string(op));
  for (const char* op : kUnary) fn("(param v128)", "v128", "local.get 0 " + std::string(op));
  for (const char* op : kToI32) fn("(param v128)", "i32", "local.get 0 " + std::string(op));
  for (const char* op : kTernary)
    fn("(param v128 v128 v128)", "v128", "local.get 0 local.get 1 local.get 2 " + std::string(op));
  for (const char* op : kShift)
    fn("(param v128 i32)", "v128", "local.get 0 local.get 1 " + std::string(op));
  for (const char* op : kWithImmediates) {
    const std::string s = op;
    // A shuffle takes two vectors, replace_lane the vector and a lane of it.
    const std::string second = s.starts_with("i8x16.shuffle") ? "local.get 0 v128.not "
                               : s.find("replace_lane") != std::string::npos ? "local.get 0 "
                                                                             : "";
    fn("(param v128)", "v128", "local.get 0 " + second + s);
  }
  return w + ")\n";
}

TEST_F(NativeSimd, EveryInstructionAsTheInterpreter) {
  const std::string wat = op_module();
  Instantiated interp(api::Tier::Interpreter, wat);
  Instantiated native(api::Tier::Native, wat);
  EXPECT_EQ(native.interpreted(), std::vector<std::string>{});
  const std::vector<V> vs = operands();
  int f = 0;
  int mismatches = 0;
  std::map<std::string, int> per_op;
  auto check = [&](const std::string& what, int index, std::vector<api::Val> args) {
    const std::string name = "f" + std::to_string(index);
    const auto ra = interp.call(name, args), rb = native.call(name, args);
    if (same_outcome(what, ra, rb)) return;
    const std::string a = outcome(ra), b = outcome(rb);
    ++mismatches;
    if (++per_op[what] <= 2) {
      std::string in;
      for (const api::Val& v : args) in += hex(v) + " ";
      ADD_FAILURE() << what << " (" << in << "): interpreter " << a << ", native " << b;
    }
  };
  for (const char* op : kBinary) {
    for (const V& x : vs)
      for (const V& y : vs) check(op, f, {api::Val::v128(x), api::Val::v128(y)});
    ++f;
  }
  for (const char* op : kUnary) {
    for (const V& x : vs) check(op, f, {api::Val::v128(x)});
    ++f;
  }
  for (const char* op : kToI32) {
    for (const V& x : vs) check(op, f, {api::Val::v128(x)});
    // Lanes zero one at a time.
    for (int lane = 0; lane < 16; ++lane) {
      V x;
      x.fill(0x11);
      x[lane] = 0;
      check(op, f, {api::Val::v128(x)});
    }
    ++f;
  }
  std::mt19937 rng(7);
  for (const char* op : kTernary) {
    for (const V& x : vs)
      for (int k = 0; k < 40; ++k)
        check(op, f,
              {api::Val::v128(x), api::Val::v128(vs[rng() % vs.size()]),
               api::Val::v128(vs[rng() % vs.size()])});
    ++f;
  }
  for (const char* op : kShift) {
    for (const V& x : vs)
      for (int32_t k : {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, -1, INT32_MIN})
        check(op, f, {api::Val::v128(x), api::Val(k)});
    ++f;
  }
  for (const char* op : kWithImmediates) {
    for (const V& x : vs) check(op, f, {api::Val::v128(x)});
    ++f;
  }
  EXPECT_EQ(mismatches, 0);
}

// ---- memory -----------------------------------------------------------------------------------

constexpr const char* kMemory = R"(
(module
  (memory (export "memory") 1)
  (func $load (export "load") (param i32) (result v128) local.get 0 v128.load)
  (func $load_off (export "load_off") (param i32) (result v128) local.get 0 v128.load offset=16 align=1)
  (func $store (export "store") (param i32 v128) local.get 0 local.get 1 v128.store)
  (func $store_off (export "store_off") (param i32 v128) local.get 0 local.get 1 v128.store offset=65520)
  (func $l8x8s (export "l8x8s") (param i32) (result v128) local.get 0 v128.load8x8_s)
  (func $l8x8u (export "l8x8u") (param i32) (result v128) local.get 0 v128.load8x8_u)
  (func $l16x4s (export "l16x4s") (param i32) (result v128) local.get 0 v128.load16x4_s)
  (func $l16x4u (export "l16x4u") (param i32) (result v128) local.get 0 v128.load16x4_u)
  (func $l32x2s (export "l32x2s") (param i32) (result v128) local.get 0 v128.load32x2_s)
  (func $l32x2u (export "l32x2u") (param i32) (result v128) local.get 0 v128.load32x2_u)
  (func $s8 (export "s8") (param i32) (result v128) local.get 0 v128.load8_splat)
  (func $s16 (export "s16") (param i32) (result v128) local.get 0 v128.load16_splat)
  (func $s32 (export "s32") (param i32) (result v128) local.get 0 v128.load32_splat)
  (func $s64 (export "s64") (param i32) (result v128) local.get 0 v128.load64_splat)
  (func $z32 (export "z32") (param i32) (result v128) local.get 0 v128.load32_zero)
  (func $z64 (export "z64") (param i32) (result v128) local.get 0 v128.load64_zero)
  (func $ll8 (export "ll8") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load8_lane 13)
  (func $ll16 (export "ll16") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load16_lane 6)
  (func $ll32 (export "ll32") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load32_lane 1)
  (func $ll64 (export "ll64") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load64_lane 1)
  (func $sl8 (export "sl8") (param i32 v128) local.get 0 local.get 1 v128.store8_lane 13)
  (func $sl16 (export "sl16") (param i32 v128) local.get 0 local.get 1 v128.store16_lane 6)
  (func $sl32 (export "sl32") (param i32 v128) local.get 0 local.get 1 v128.store32_lane 2)
  (func $sl64 (export "sl64") (param i32 v128) local.get 0 local.get 1 v128.store64_lane 1)
  ;; A load whose value is unused still traps.
  (func $unused (export "unused") (param i32) local.get 0 v128.load drop)
  (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\80\81\82\83\84\85\86\87\88\89\8a\8b\8c\8d\8e\8f")
  (data (i32.const 65504) "\f0\f1\f2\f3\f4\f5\f6\f7\f8\f9\fa\fb\fc\fd\fe\ff\e0\e1\e2\e3\e4\e5\e6\e7\e8\e9\ea\eb\ec\ed\ee\ef"))
)";

void memory_as_the_interpreter(api::BoundsChecks checks) {
  Instantiated interp(api::Tier::Interpreter, kMemory, checks);
  Instantiated native(api::Tier::Native, kMemory, checks);
  EXPECT_EQ(native.interpreted(), std::vector<std::string>{});
  const uint32_t addrs[] = {0,        1,           7,           8,          16,    65504, 65519,
                            65520,    65521,       65524,       65527,      65528, 65529, 65531,
                            65532,    65533,       65534,       65535,      65536, 65537, 70000,
                            1u << 31, 0xfffffff0u, 0xfffffffcu, 0xffffffffu};
  const V value = from_u64(0x1122334455667788ull, 0x99aabbccddeeff00ull);
  int traps = 0;
  for (const char* f : {"load", "load_off", "l8x8s", "l8x8u", "l16x4s", "l16x4u", "l32x2s",
                        "l32x2u", "s8", "s16", "s32", "s64", "z32", "z64", "unused"}) {
    for (uint32_t a : addrs) {
      const std::string x = outcome(interp.call(f, {api::Val(a)}));
      EXPECT_EQ(x, outcome(native.call(f, {api::Val(a)}))) << f << " at " << a;
      traps += x.starts_with("trap");
    }
  }
  for (const char* f :
       {"ll8", "ll16", "ll32", "ll64", "store", "store_off", "sl8", "sl16", "sl32", "sl64"}) {
    for (uint32_t a : addrs) {
      const std::vector<api::Val> args{api::Val(a), api::Val::v128(value)};
      const std::string x = outcome(interp.call(f, args));
      EXPECT_EQ(x, outcome(native.call(f, args))) << f << " at " << a;
      traps += x.starts_with("trap");
    }
  }
  EXPECT_GT(traps, 100);
  // Stores wrote the same bytes, and a trapping one none.
  auto ma = interp.inst->get_memory(), mb = native.inst->get_memory();
  ASSERT_TRUE(ma && mb);
  ASSERT_EQ(ma->size(), mb->size());
  EXPECT_EQ(std::memcmp(ma->data(), mb->data(), ma->size()), 0);
  EXPECT_NE(outcome(native.call("load", {api::Val(65521)})).find("out of bounds memory access"),
            std::string::npos);
}

TEST_F(NativeSimd, LoadsAndStoresWithGuardPages) {
  if (!api::guard_pages_supported()) GTEST_SKIP() << "no guard pages here";
  memory_as_the_interpreter(api::BoundsChecks::Guard);
}

TEST_F(NativeSimd, LoadsAndStoresWithExplicitChecks) {
  memory_as_the_interpreter(api::BoundsChecks::Explicit);
}

// ---- calls, globals, blocks -------------------------------------------------------------------

constexpr const char* kCalls = R"(
(module
  (import "host" "mix" (func $mix (param v128 i32 v128) (result i64 v128)))
  (type $vv (func (param v128 i64 v128) (result v128 i32 v128)))
  (table 2 funcref)
  (elem (i32.const 0) $interp3 $native3)
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  ;; Stays interpreted (HULL_NATIVE_INTERPRET), with v128 on both sides of the call.
  (func $interp3 (type $vv) (local i31ref)
    local.get 0 local.get 2 i32x4.sub
    local.get 1 i32.wrap_i64
    local.get 2 local.get 0 i8x16.add)
  (func $native3 (type $vv)
    local.get 2 local.get 0 i16x8.sub
    local.get 1 i32.wrap_i64 i32.const 1 i32.add
    local.get 0 local.get 1 i64x2.splat i64x2.add)
  ;; Native, called from the interpreted function below.
  (func $native1 (param v128 i32) (result v128) local.get 0 local.get 1 i32x4.shl)
  (func $interp_calls_native (export "interp_calls_native") (param v128 i32) (result v128)
    (local i31ref)
    local.get 0 local.get 1 call $native1 local.get 0 v128.xor)
  (func $to_interp (export "to_interp") (param v128 i64 v128) (result v128 i32 v128)
    local.get 0 local.get 1 local.get 2 call $interp3)
  (func $to_native (export "to_native") (param v128 i64 v128) (result v128 i32 v128)
    local.get 0 local.get 1 local.get 2 call $native3)
  (func $indirect (export "indirect") (param v128 i64 v128 i32) (result v128 i32 v128)
    local.get 0 local.get 1 local.get 2 local.get 3 call_indirect (type $vv))
  (func $to_host (export "to_host") (param v128 i32 v128) (result v128 i64)
    (local i64)
    local.get 0 local.get 1 local.get 2 call $mix
    local.get 0 i32x4.mul
    local.set 0 local.set 3 local.get 0 local.get 3)
  (func $global (export "global") (param v128) (result v128)
    global.get $g local.get 0 global.set $g)
  ;; Blocks, loops and ifs carrying v128 values; select of v128.
  (func $blocks (export "blocks") (param v128 v128 i32) (result v128)
    (local i32)
    local.get 0
    (loop $l (param v128) (result v128)
      local.get 1 i8x16.add
      local.get 3 i32.const 1 i32.add local.tee 3
      local.get 2 i32.lt_u br_if $l)
    (if (param v128) (result v128) (i32.and (local.get 2) (i32.const 1))
      (then local.get 1 i16x8.mul)
      (else (block (param v128) (result v128) local.get 0 i64x2.sub)))
    local.get 0 local.get 2 select)
  (func $loop_sum (export "loop_sum") (param i32) (result v128)
    (local v128 v128)
    v128.const i32x4 1 1 1 1 local.set 2
    (block $done (loop $l
      local.get 0 i32.eqz br_if $done
      local.get 1 local.get 2 i32x4.add local.set 1
      local.get 2 local.get 2 i32x4.add i32x4.extadd_pairwise_i16x8_u local.set 2
      local.get 0 i32.const 1 i32.sub local.set 0
      br $l))
    local.get 1))
)";

void host_mix(api::Linker& l) {
  l.func_generic("host", "mix",
                 api::FuncType{{api::ValType::V128, api::ValType::I32, api::ValType::V128},
                               {api::ValType::I64, api::ValType::V128}},
                 [](api::Caller&, std::span<const api::Val> args, std::span<api::Val> results) {
                   V a = args[0].v128(), b = args[2].v128(), r;
                   for (int i = 0; i < 16; ++i) r[i] = static_cast<uint8_t>(a[i] * 3 + b[15 - i]);
                   results[0] = api::Val(static_cast<int64_t>(args[1].i32()) * 1000 + a[0]);
                   results[1] = api::Val::v128(r);
                 });
}

TEST_F(NativeSimd, V128AcrossCallsGlobalsAndBlocks) {
  Instantiated interp(api::Tier::Interpreter, kCalls, api::BoundsChecks::Default, false, host_mix);
  Instantiated native(api::Tier::Native, kCalls, api::BoundsChecks::Default, false, host_mix);
  // Only the two functions named interp* stay interpreted.
  const std::vector<std::string> left = native.interpreted();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_TRUE(left[0].starts_with("interp3:")) << left[0];
  EXPECT_TRUE(left[1].starts_with("interp_calls_native:")) << left[1];
  const std::vector<V> vs = operands();
  int n = 0;
  for (size_t i = 0; i < vs.size(); ++i) {
    const api::Val x = api::Val::v128(vs[i]), y = api::Val::v128(vs[(i * 7 + 3) % vs.size()]);
    const auto k = static_cast<int32_t>(i * 5);
    const std::vector<std::pair<std::string, std::vector<api::Val>>> calls = {
        {"interp_calls_native", {x, api::Val(k)}},
        {"to_interp", {x, api::Val(int64_t{k} << 33 | 7), y}},
        {"to_native", {x, api::Val(int64_t{-k}), y}},
        {"indirect", {x, api::Val(int64_t{k}), y, api::Val(int32_t{0})}},
        {"indirect", {x, api::Val(int64_t{k}), y, api::Val(int32_t{1})}},
        {"indirect", {x, api::Val(int64_t{k}), y, api::Val(int32_t{2})}},  // traps
        {"to_host", {x, api::Val(k), y}},
        {"global", {x}},
        {"blocks", {x, y, api::Val(k % 5)}},
        {"loop_sum", {api::Val(k)}},
    };
    for (const auto& [f, args] : calls) {
      const std::string a = outcome(interp.call(f, args));
      EXPECT_EQ(a, outcome(native.call(f, args))) << f << " #" << i;
      EXPECT_FALSE(a.empty());
      ++n;
    }
  }
  EXPECT_EQ(hex(interp.inst->get_global("g")->get()), hex(native.inst->get_global("g")->get()));
  EXPECT_GT(n, 100);
}

// ---- fuel ---------------------------------------------------------------------------------------

TEST_F(NativeSimd, SameFuelAsTheInterpreter) {
  Instantiated interp(api::Tier::Interpreter, kCalls, api::BoundsChecks::Default, true, host_mix);
  Instantiated native(api::Tier::Native, kCalls, api::BoundsChecks::Default, true, host_mix);
  const api::Val x = api::Val::v128(from_u32(1, 2, 3, 4));
  for (int k : {0, 1, 2, 17, 100}) {
    EXPECT_EQ(outcome(interp.call("loop_sum", {api::Val(k)})),
              outcome(native.call("loop_sum", {api::Val(k)})));
    EXPECT_EQ(outcome(interp.call("blocks", {x, x, api::Val(k)})),
              outcome(native.call("blocks", {x, x, api::Val(k)})));
    EXPECT_EQ(outcome(interp.call("to_host", {x, api::Val(k), x})),
              outcome(native.call("to_host", {x, api::Val(k), x})));
    EXPECT_EQ(*interp.store->get_fuel(), *native.store->get_fuel()) << k;
  }
}

}  // namespace
