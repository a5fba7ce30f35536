// Cross-checks hull::num against the spec testsuite: every assert_return / assert_trap whose
// function is a single numeric or SIMD instruction applied to its parameters.
//
// The .wast files are read at test time (never copied into the repo) from $HULL_TESTSUITE or
// <repo>/../shared/testsuite. A tiny s-expression reader finds, per module, exported functions
// whose body is `local.get 0 .. local.get n-1; OP imm*` (folded or flat), then evaluates the
// assertions that invoke them with constant arguments.

#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "interp/numeric.h"
#include "interp/simd.h"

namespace {

using hull::V128;
using hull::num::NumTrap;

// ---- values and generic invocation ---------------------------------------------------------

struct Val {
  char type = 0;  // 'i' i32, 'l' i64, 'f' f32, 'd' f64, 'v' v128
  uint64_t lo = 0, hi = 0;
};

template <class T>
T from_val(const Val& v) {
  if constexpr (std::is_same_v<T, uint32_t>)
    return uint32_t(v.lo);
  else if constexpr (std::is_same_v<T, uint64_t>)
    return v.lo;
  else if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<float>(uint32_t(v.lo));
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<double>(v.lo);
  else {
    static_assert(std::is_same_v<T, V128>);
    V128 r;
    std::memcpy(r.bytes, &v.lo, 8);
    std::memcpy(r.bytes + 8, &v.hi, 8);
    return r;
  }
}

inline Val to_val(uint32_t x) { return {'i', x, 0}; }
inline Val to_val(uint64_t x) { return {'l', x, 0}; }
inline Val to_val(float x) { return {'f', std::bit_cast<uint32_t>(x), 0}; }
inline Val to_val(double x) { return {'d', std::bit_cast<uint64_t>(x), 0}; }
inline Val to_val(V128 x) {
  Val r{'v', 0, 0};
  std::memcpy(&r.lo, x.bytes, 8);
  std::memcpy(&r.hi, x.bytes + 8, 8);
  return r;
}

template <class T>
struct Arg {
  static T get(const Val* a, size_t i, NumTrap&) { return from_val<T>(a[i]); }
};
template <>
struct Arg<NumTrap&> {
  static NumTrap& get(const Val*, size_t, NumTrap& t) { return t; }
};

template <class R, class... A>
constexpr size_t value_arity(R (*)(A...)) {
  return (size_t(0) + ... + size_t(!std::is_same_v<A, NumTrap&>));
}
template <class R, class... A>
constexpr size_t total_arity(R (*)(A...)) {
  return sizeof...(A);
}

template <class R, class... A, size_t... I>
Val call_impl(R (*f)(A...), const Val* a, NumTrap& t, std::index_sequence<I...>) {
  return to_val(f(Arg<A>::get(a, I, t)...));
}

// Calls an op with `args` (+ immediates appended as trailing i32 values for lane ops).
using Invoker = bool (*)(const std::vector<Val>& args, Val* out, NumTrap* trap);

template <auto F>
bool invoke(const std::vector<Val>& args, Val* out, NumTrap* trap) {
  if (args.size() != value_arity(F)) return false;
  *out = call_impl(F, args.data(), *trap, std::make_index_sequence<total_arity(F)>());
  return true;
}

// ---- the op table, generated from spec/opcodes.def -----------------------------------------

// Instructions with no immediate that are not numeric resolve to this placeholder; every
// numeric one must resolve to a hull::num function, so a missing or misnamed function fails
// to compile here.
struct NotNumeric {};
namespace probe {
using namespace hull::num;
inline constexpr NotNumeric nop{}, unreachable{}, else_{}, throw_ref{}, end{}, return_{}, drop{},
    select{}, ref_is_null{}, ref_eq{}, ref_as_non_null{}, array_len{}, any_convert_extern{},
    extern_convert_any{}, ref_i31{}, i31_get_s{}, i31_get_u{}, catch_all{};
// Two results (a (low, high) pair) do not fit this one-result harness: numeric_test.cc
// (Integer.WideArithmetic) and the wide-arithmetic .wast check them.
struct TwoResults {};
inline constexpr TwoResults i64_add128{}, i64_sub128{}, i64_mul_wide_s{}, i64_mul_wide_u{};
}  // namespace probe

template <auto F>
constexpr Invoker invoker() {
  if constexpr (std::is_pointer_v<decltype(F)>)
    return &invoke<F>;
  else
    return nullptr;
}

template <auto F>
constexpr size_t arity_of() {
  if constexpr (std::is_pointer_v<decltype(F)>)
    return value_arity(F);
  else
    return 0;
}

struct OpRow {
  const char* text;
  const char* sig;
  Invoker fn;
  size_t arity;  // value operands
};

#define HULL_PROBE_None(name, text, sig) \
  OpRow{text, sig, invoker<probe::name>(), arity_of<probe::name>()},
#define HULL_OP(name, text, prefix, code, imm, sig) HULL_PROBE_##imm(name, text, sig)
// Rows with immediates expand to nothing; lane ops and shuffle are listed by hand below.
#define HULL_PROBE_Block(...)
#define HULL_PROBE_Label(...)
#define HULL_PROBE_BrTable(...)
#define HULL_PROBE_Func(...)
#define HULL_PROBE_CallIndirect(...)
#define HULL_PROBE_Type(...)
#define HULL_PROBE_Local(...)
#define HULL_PROBE_Global(...)
#define HULL_PROBE_Table(...)
#define HULL_PROBE_Mem(...)
#define HULL_PROBE_MemIdx(...)
#define HULL_PROBE_I32(...)
#define HULL_PROBE_I64(...)
#define HULL_PROBE_F32(...)
#define HULL_PROBE_F64(...)
#define HULL_PROBE_V128(...)
#define HULL_PROBE_HeapType(...)
#define HULL_PROBE_SelectT(...)
#define HULL_PROBE_DataMem(...)
#define HULL_PROBE_Data(...)
#define HULL_PROBE_MemMem(...)
#define HULL_PROBE_ElemTable(...)
#define HULL_PROBE_Elem(...)
#define HULL_PROBE_TableTable(...)
#define HULL_PROBE_Lane(...)
#define HULL_PROBE_MemLane(...)
#define HULL_PROBE_Shuffle(...)
#define HULL_PROBE_Tag(...)
#define HULL_PROBE_Fence(...)
#define HULL_PROBE_TryTable(...)
#define HULL_PROBE_TypeField(...)
#define HULL_PROBE_TypeN(...)
#define HULL_PROBE_TypeData(...)
#define HULL_PROBE_TypeElem(...)
#define HULL_PROBE_TypeType(...)
#define HULL_PROBE_BrOnCast(...)
const OpRow kRows[] = {
#include "spec/opcodes.def"
};
#undef HULL_OP

// Ops with immediates: the immediate is passed as a trailing argument (an i32 lane index, or
// the 16 shuffle lane bytes as a v128).
V128 shuffle_v(V128 a, V128 b, V128 lanes) { return hull::num::i8x16_shuffle(a, b, lanes); }

struct ImmOp {
  Invoker fn;
  size_t arity;  // including the immediate
};
#define HULL_IMM_OP(f) \
  ImmOp { &invoke<f>, value_arity(f) }

const std::map<std::string, ImmOp, std::less<>>& lane_ops() {
  using namespace hull::num;
  static const std::map<std::string, ImmOp, std::less<>> m = {
      {"i8x16.extract_lane_s", HULL_IMM_OP(i8x16_extract_lane_s)},
      {"i8x16.extract_lane_u", HULL_IMM_OP(i8x16_extract_lane_u)},
      {"i16x8.extract_lane_s", HULL_IMM_OP(i16x8_extract_lane_s)},
      {"i16x8.extract_lane_u", HULL_IMM_OP(i16x8_extract_lane_u)},
      {"i32x4.extract_lane", HULL_IMM_OP(i32x4_extract_lane)},
      {"i64x2.extract_lane", HULL_IMM_OP(i64x2_extract_lane)},
      {"f32x4.extract_lane", HULL_IMM_OP(f32x4_extract_lane)},
      {"f64x2.extract_lane", HULL_IMM_OP(f64x2_extract_lane)},
      {"i8x16.replace_lane", HULL_IMM_OP(i8x16_replace_lane)},
      {"i16x8.replace_lane", HULL_IMM_OP(i16x8_replace_lane)},
      {"i32x4.replace_lane", HULL_IMM_OP(i32x4_replace_lane)},
      {"i64x2.replace_lane", HULL_IMM_OP(i64x2_replace_lane)},
      {"f32x4.replace_lane", HULL_IMM_OP(f32x4_replace_lane)},
      {"f64x2.replace_lane", HULL_IMM_OP(f64x2_replace_lane)},
      {"i8x16.shuffle", HULL_IMM_OP(shuffle_v)},
  };
  return m;
}

// ---- s-expressions -------------------------------------------------------------------------

struct Sx {
  bool list = false;
  bool str = false;
  std::string atom;
  std::vector<Sx> kids;
  bool is(std::string_view head) const {
    return list && !kids.empty() && !kids[0].list && !kids[0].str && kids[0].atom == head;
  }
};

class Reader {
 public:
  explicit Reader(std::string s) : s_(std::move(s)) {}
  // Parses all top-level forms; false on a syntax error.
  bool read_all(std::vector<Sx>* out) {
    for (;;) {
      skip();
      if (p_ >= s_.size()) return true;
      Sx x;
      if (!read(&x)) return false;
      out->push_back(std::move(x));
    }
  }

 private:
  void skip() {
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        ++p_;
      } else if (s_.compare(p_, 2, ";;") == 0) {
        while (p_ < s_.size() && s_[p_] != '\n') ++p_;
      } else if (s_.compare(p_, 2, "(;") == 0) {
        int depth = 0;
        while (p_ < s_.size()) {
          if (s_.compare(p_, 2, "(;") == 0) {
            ++depth;
            p_ += 2;
          } else if (s_.compare(p_, 2, ";)") == 0) {
            p_ += 2;
            if (--depth == 0) break;
          } else
            ++p_;
        }
      } else {
        return;
      }
    }
  }
  bool read(Sx* x) {
    skip();
    if (p_ >= s_.size()) return false;
    char c = s_[p_];
    if (c == '(') {
      ++p_;
      x->list = true;
      for (;;) {
        skip();
        if (p_ >= s_.size()) return false;
        if (s_[p_] == ')') {
          ++p_;
          return true;
        }
        Sx k;
        if (!read(&k)) return false;
        x->kids.push_back(std::move(k));
      }
    }
    if (c == ')') return false;
    if (c == '"') {
      x->str = true;
      ++p_;
      while (p_ < s_.size() && s_[p_] != '"') {
        if (s_[p_] == '\\' && p_ + 1 < s_.size()) x->atom += s_[p_++];
        x->atom += s_[p_++];
      }
      ++p_;
      return true;
    }
    while (p_ < s_.size()) {
      c = s_[p_];
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '(' || c == ')' || c == '"' ||
          c == ';')
        break;
      x->atom += c;
      ++p_;
    }
    return true;
  }

  std::string s_;
  size_t p_ = 0;
};

// ---- literals ------------------------------------------------------------------------------

std::string strip_underscores(std::string_view s) {
  std::string r;
  for (char c : s)
    if (c != '_') r += c;
  return r;
}

std::optional<uint64_t> parse_int(std::string_view text, unsigned bits) {
  std::string s = strip_underscores(text);
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int base = 10;
  if (s.compare(i, 2, "0x") == 0) {
    base = 16;
    i += 2;
  }
  if (i >= s.size()) return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    int d;
    char c = s[i];
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = v * base + d;
  }
  if (neg) v = 0 - v;
  if (bits < 64) v &= (uint64_t(1) << bits) - 1;
  return v;
}

// A lane (or scalar) expectation: exact bits, or a NaN class.
struct LaneExp {
  enum Kind { Exact, CanonNan, ArithNan } kind = Exact;
  unsigned bits = 32;
  bool is_float = false;
  uint64_t value = 0;
};

std::optional<LaneExp> parse_float(std::string_view text, unsigned bits) {
  std::string s = strip_underscores(text);
  LaneExp e;
  e.bits = bits;
  e.is_float = true;
  bool neg = !s.empty() && s[0] == '-';
  std::string body = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? s.substr(1) : s;
  uint64_t sign = neg ? (uint64_t(1) << (bits - 1)) : 0;
  uint64_t exp_mask = bits == 32 ? 0x7f800000ull : 0x7ff0000000000000ull;
  uint64_t quiet = bits == 32 ? 0x00400000ull : 0x0008000000000000ull;
  if (body == "nan:canonical") {
    e.kind = LaneExp::CanonNan;
    return e;
  }
  if (body == "nan:arithmetic") {
    e.kind = LaneExp::ArithNan;
    return e;
  }
  if (body == "inf") {
    e.value = sign | exp_mask;
    return e;
  }
  if (body == "nan") {
    e.value = sign | exp_mask | quiet;
    return e;
  }
  if (body.rfind("nan:0x", 0) == 0) {
    auto payload = parse_int(body.substr(4), 64);
    if (!payload) return std::nullopt;
    e.value = sign | exp_mask | *payload;
    return e;
  }
  const char* begin = s.c_str();
  char* end = nullptr;
  if (bits == 32) {
    float f = std::strtof(begin, &end);
    e.value = std::bit_cast<uint32_t>(f);
  } else {
    double d = std::strtod(begin, &end);
    e.value = std::bit_cast<uint64_t>(d);
  }
  if (end != begin + s.size()) return std::nullopt;
  return e;
}

// A whole expected value: one lane for scalars, 2..16 for v128.
struct Expect {
  char type = 0;
  std::vector<LaneExp> lanes;
};

bool shape_of(std::string_view shape, unsigned* bits, unsigned* count, bool* is_float) {
  static const struct {
    const char* n;
    unsigned b, c;
    bool f;
  } kShapes[] = {
      {"i8x16", 8, 16, false}, {"i16x8", 16, 8, false}, {"i32x4", 32, 4, false},
      {"i64x2", 64, 2, false}, {"f32x4", 32, 4, true},  {"f64x2", 64, 2, true},
  };
  for (auto& s : kShapes) {
    if (shape == s.n) {
      *bits = s.b;
      *count = s.c;
      *is_float = s.f;
      return true;
    }
  }
  return false;
}

std::optional<Expect> parse_const(const Sx& x) {
  if (!x.list || x.kids.size() < 2 || x.kids[0].list) return std::nullopt;
  const std::string& head = x.kids[0].atom;
  Expect e;
  auto scalar = [&](char t, unsigned bits, bool fl) -> std::optional<Expect> {
    if (x.kids.size() != 2 || x.kids[1].list) return std::nullopt;
    auto l = fl ? parse_float(x.kids[1].atom, bits) : [&]() -> std::optional<LaneExp> {
      auto v = parse_int(x.kids[1].atom, bits);
      if (!v) return std::nullopt;
      LaneExp le;
      le.bits = bits;
      le.value = *v;
      return le;
    }();
    if (!l) return std::nullopt;
    e.type = t;
    e.lanes.push_back(*l);
    return e;
  };
  if (head == "i32.const") return scalar('i', 32, false);
  if (head == "i64.const") return scalar('l', 64, false);
  if (head == "f32.const") return scalar('f', 32, true);
  if (head == "f64.const") return scalar('d', 64, true);
  if (head == "v128.const") {
    unsigned bits, count;
    bool fl;
    if (x.kids[1].list || !shape_of(x.kids[1].atom, &bits, &count, &fl)) return std::nullopt;
    if (x.kids.size() != 2 + count) return std::nullopt;
    e.type = 'v';
    for (unsigned i = 0; i < count; ++i) {
      const Sx& k = x.kids[2 + i];
      if (k.list) return std::nullopt;
      std::optional<LaneExp> l;
      if (fl) {
        l = parse_float(k.atom, bits);
      } else if (auto v = parse_int(k.atom, bits)) {
        l = LaneExp{LaneExp::Exact, bits, false, *v};
      }
      if (!l) return std::nullopt;
      e.lanes.push_back(*l);
    }
    return e;
  }
  return std::nullopt;
}

// Turns an exact expectation into a value (for arguments).
std::optional<Val> to_arg(const Expect& e) {
  Val v;
  v.type = e.type;
  unsigned pos = 0;
  for (const LaneExp& l : e.lanes) {
    if (l.kind != LaneExp::Exact) return std::nullopt;
    uint64_t* word = pos < 64 ? &v.lo : &v.hi;
    *word |= l.value << (pos % 64);
    pos += l.bits;
  }
  return v;
}

bool lane_matches(const LaneExp& l, uint64_t bits) {
  uint64_t mask = l.bits == 64 ? ~uint64_t(0) : ((uint64_t(1) << l.bits) - 1);
  bits &= mask;
  if (l.kind == LaneExp::Exact) return bits == l.value;
  uint64_t sign = uint64_t(1) << (l.bits - 1);
  uint64_t exp_mask = l.bits == 32 ? 0x7f800000ull : 0x7ff0000000000000ull;
  uint64_t quiet = l.bits == 32 ? 0x00400000ull : 0x0008000000000000ull;
  if (l.kind == LaneExp::CanonNan) return (bits & ~sign) == (exp_mask | quiet);
  return (bits & (exp_mask | quiet)) == (exp_mask | quiet);
}

bool matches(const Expect& e, const Val& v) {
  if (e.type != v.type) return false;
  unsigned pos = 0;
  for (const LaneExp& l : e.lanes) {
    uint64_t word = pos < 64 ? v.lo : v.hi;
    if (!lane_matches(l, word >> (pos % 64))) return false;
    pos += l.bits;
  }
  return true;
}

std::string show(const Val& v) {
  std::ostringstream o;
  o << v.type << ":0x" << std::hex << v.hi << "_" << v.lo;
  return o.str();
}

// ---- modules: exports whose body is straight-line numeric code -----------------------------
// A function qualifies when its body uses only local.get of parameters, constants and ops of
// the tables above (no control flow, locals or memory). It is then run on a value stack.

struct Step {
  enum Kind { Param, Const, Op } kind = Op;
  uint32_t index = 0;     // Param
  Val value;              // Const
  Invoker fn = nullptr;   // Op
  size_t arity = 0;       // Op: operands popped (immediates excluded)
  std::vector<Val> imms;  // Op: appended to the operands (lane index i32, shuffle lanes v128)
};

struct Program {
  std::vector<Step> steps;
  // Runs the program; false if it does not leave exactly one value or an op refused.
  bool run(const std::vector<Val>& args, Val* out, NumTrap* trap) const {
    std::vector<Val> stack;
    for (const Step& s : steps) {
      if (s.kind == Step::Param) {
        if (s.index >= args.size()) return false;
        stack.push_back(args[s.index]);
      } else if (s.kind == Step::Const) {
        stack.push_back(s.value);
      } else {
        if (stack.size() < s.arity) return false;
        std::vector<Val> in(stack.end() - s.arity, stack.end());
        stack.resize(stack.size() - s.arity);
        for (const Val& v : s.imms) in.push_back(v);
        Val r;
        if (!s.fn(in, &r, trap)) return false;
        if (*trap != NumTrap::None) {
          *out = Val{};
          return true;
        }
        stack.push_back(r);
      }
    }
    if (stack.size() != 1) return false;
    *out = stack[0];
    return true;
  }
};

struct Instr {
  std::string name;
  std::vector<std::string> imms;
};

bool is_immediate(const Sx& x) {
  if (x.list || x.str || x.atom.empty()) return false;
  char c = x.atom[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '$';
}

bool ends_with_const(const std::string& s) { return s.size() > 6 && s.ends_with(".const"); }

// Linearises a folded or flat instruction sequence; false if something is not understood.
bool linearize(const std::vector<Sx>& body, size_t from, std::vector<Instr>* out) {
  for (size_t i = from; i < body.size();) {
    const Sx& x = body[i];
    if (x.list) {
      if (x.kids.empty() || x.kids[0].list) return false;
      Instr in{x.kids[0].atom, {}};
      size_t k = 1;
      bool is_const = ends_with_const(in.name);
      while (k < x.kids.size() &&
             (is_immediate(x.kids[k]) || (is_const && !x.kids[k].list && !x.kids[k].str))) {
        in.imms.push_back(x.kids[k++].atom);
      }
      std::vector<Sx> rest(x.kids.begin() + k, x.kids.end());
      for (const Sx& r : rest)
        if (!r.list) return false;
      if (!linearize(rest, 0, out)) return false;
      out->push_back(std::move(in));
      ++i;
    } else {
      if (x.str) return false;
      Instr in{x.atom, {}};
      ++i;
      if (ends_with_const(in.name)) {
        size_t n = 1;
        unsigned bits, count;
        bool fl;
        if (in.name == "v128.const" && i < body.size() && !body[i].list &&
            shape_of(body[i].atom, &bits, &count, &fl)) {
          n = 1 + count;
        }
        for (size_t k = 0; k < n && i < body.size() && !body[i].list; ++k) {
          in.imms.push_back(body[i++].atom);
        }
      } else {
        while (i < body.size() && is_immediate(body[i])) in.imms.push_back(body[i++].atom);
      }
      out->push_back(std::move(in));
    }
  }
  return true;
}

std::optional<Step> op_step(const Instr& op) {
  Step st;
  st.kind = Step::Op;
  if (op.imms.empty()) {
    for (const OpRow& r : kRows) {
      if (r.fn && op.name == r.text) {
        st.fn = r.fn;
        st.arity = r.arity;
      }
    }
    if (!st.fn) return std::nullopt;
    return st;
  }
  auto it = lane_ops().find(op.name);
  if (it == lane_ops().end()) return std::nullopt;
  st.fn = it->second.fn;
  st.arity = it->second.arity - 1;
  if (op.name == "i8x16.shuffle") {
    if (op.imms.size() != 16) return std::nullopt;
    Expect e{'v', {}};
    for (auto& s : op.imms) {
      auto v = parse_int(s, 8);
      if (!v) return std::nullopt;
      e.lanes.push_back(LaneExp{LaneExp::Exact, 8, false, *v});
    }
    st.imms.push_back(*to_arg(e));
  } else {
    if (op.imms.size() != 1) return std::nullopt;
    auto v = parse_int(op.imms[0], 32);
    if (!v) return std::nullopt;
    st.imms.push_back(Val{'i', *v, 0});
  }
  return st;
}

std::optional<Program> analyse_func(const Sx& f, std::vector<std::string>* exports) {
  std::map<std::string, uint32_t> names;
  uint32_t nparams = 0;
  size_t i = 1;
  if (i < f.kids.size() && !f.kids[i].list && !f.kids[i].str && f.kids[i].atom[0] == '$') ++i;
  for (; i < f.kids.size(); ++i) {
    const Sx& k = f.kids[i];
    if (k.is("export")) {
      if (k.kids.size() == 2 && k.kids[1].str) exports->push_back(k.kids[1].atom);
    } else if (k.is("param")) {
      if (k.kids.size() == 3 && !k.kids[1].list && k.kids[1].atom[0] == '$') {
        names[k.kids[1].atom] = nparams++;
      } else {
        nparams += uint32_t(k.kids.size() - 1);
      }
    } else if (k.is("result")) {
    } else if (k.is("type") || k.is("local")) {
      return std::nullopt;
    } else {
      break;
    }
  }
  if (exports->empty()) return std::nullopt;
  std::vector<Instr> code;
  if (!linearize(f.kids, i, &code)) return std::nullopt;
  Program prog;
  for (const Instr& in : code) {
    if (in.name == "local.get") {
      if (in.imms.size() != 1) return std::nullopt;
      const std::string& idx = in.imms[0];
      Step st;
      st.kind = Step::Param;
      if (idx[0] == '$') {
        auto it = names.find(idx);
        if (it == names.end()) return std::nullopt;
        st.index = it->second;
      } else {
        auto v = parse_int(idx, 32);
        if (!v || *v >= nparams) return std::nullopt;
        st.index = uint32_t(*v);
      }
      prog.steps.push_back(st);
    } else if (ends_with_const(in.name)) {
      Sx c;
      c.list = true;
      c.kids.push_back(Sx{false, false, in.name, {}});
      for (auto& a : in.imms) c.kids.push_back(Sx{false, false, a, {}});
      auto e = parse_const(c);
      auto v = e ? to_arg(*e) : std::nullopt;
      if (!v) return std::nullopt;
      Step st;
      st.kind = Step::Const;
      st.value = *v;
      prog.steps.push_back(st);
    } else if (auto st = op_step(in)) {
      prog.steps.push_back(*st);
    } else {
      return std::nullopt;
    }
  }
  return prog;
}

// ---- running a file ------------------------------------------------------------------------

struct Stats {
  int checked = 0;
  int failed = 0;
  int skipped = 0;
};

std::filesystem::path testsuite_core() {
  std::vector<std::filesystem::path> roots;
  if (const char* env = std::getenv("HULL_TESTSUITE")) roots.emplace_back(env);
#ifdef HULL_DEFAULT_TESTSUITE
  roots.emplace_back(HULL_DEFAULT_TESTSUITE);
#endif
  roots.emplace_back("../shared/testsuite");
  for (auto& r : roots) {
    if (std::filesystem::exists(r / "core" / "i32.wast")) return r / "core";
    if (std::filesystem::exists(r / "i32.wast")) return r;
  }
  return {};
}

std::string trap_text(NumTrap t) { return hull::num::num_trap_message(t); }

void run_file(const std::filesystem::path& path, Stats* st) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<Sx> forms;
  if (!Reader(ss.str()).read_all(&forms)) {
    ADD_FAILURE() << "cannot parse " << path;
    return;
  }
  std::map<std::string, Program> funcs;
  std::string file = path.filename().string();
  for (const Sx& form : forms) {
    if (form.is("module")) {
      funcs.clear();
      for (const Sx& k : form.kids) {
        if (!k.is("func")) continue;
        std::vector<std::string> exports;
        if (auto op = analyse_func(k, &exports)) {
          for (auto& e : exports) funcs[e] = *op;
        }
      }
      continue;
    }
    bool is_ret = form.is("assert_return"), is_trap = form.is("assert_trap");
    if (!is_ret && !is_trap) continue;
    if (form.kids.size() < 2 || !form.kids[1].is("invoke")) continue;
    const Sx& inv = form.kids[1];
    size_t a = 1;
    if (a < inv.kids.size() && !inv.kids[a].str) ++a;  // module name
    if (a >= inv.kids.size()) continue;
    auto fit = funcs.find(inv.kids[a].atom);
    if (fit == funcs.end()) {
      ++st->skipped;
      if (std::getenv("HULL_WAST_VERBOSE"))
        std::cout << "skip " << file << " " << inv.kids[a].atom << "\n";
      continue;
    }
    std::vector<Val> args;
    bool ok = true;
    for (size_t i = a + 1; i < inv.kids.size() && ok; ++i) {
      auto c = parse_const(inv.kids[i]);
      auto v = c ? to_arg(*c) : std::nullopt;
      if (v)
        args.push_back(*v);
      else
        ok = false;
    }
    if (!ok) {
      ++st->skipped;
      continue;
    }
    Val out;
    NumTrap trap = NumTrap::None;
    if (!fit->second.run(args, &out, &trap)) {
      ++st->skipped;
      continue;
    }
    std::string where = file + ": invoke \"" + inv.kids[a].atom + "\"";
    if (is_trap) {
      if (form.kids.size() < 3 || !form.kids[2].str) {
        ++st->skipped;
        continue;
      }
      ++st->checked;
      if (trap_text(trap) != form.kids[2].atom) {
        ++st->failed;
        ADD_FAILURE() << where << ": expected trap \"" << form.kids[2].atom << "\", got \""
                      << trap_text(trap) << "\" / " << show(out);
      }
      continue;
    }
    // assert_return: zero or one result, possibly (either ...).
    if (form.kids.size() != 3) {
      ++st->skipped;
      continue;
    }
    std::vector<Expect> alts;
    const Sx& res = form.kids[2];
    if (res.is("either")) {
      for (size_t i = 1; i < res.kids.size() && ok; ++i) {
        auto e = parse_const(res.kids[i]);
        if (e)
          alts.push_back(*e);
        else
          ok = false;
      }
    } else if (auto e = parse_const(res)) {
      alts.push_back(*e);
    } else {
      ok = false;
    }
    if (!ok) {
      ++st->skipped;
      continue;
    }
    ++st->checked;
    bool any = false;
    for (const Expect& e : alts) any |= trap == NumTrap::None && matches(e, out);
    if (!any) {
      ++st->failed;
      if (st->failed < 200) {
        std::ostringstream args_s;
        for (auto& v : args) args_s << " " << show(v);
        ADD_FAILURE() << where << args_s.str() << " -> " << show(out)
                      << (trap != NumTrap::None ? " trap " + trap_text(trap) : "");
      }
    }
  }
}

// ---- tests ---------------------------------------------------------------------------------

TEST(OpcodeTable, EveryNumericRowHasAFunction) {
  // Compilation already proves every name resolves; also check that each numeric row with no
  // immediate produced an invoker whose arity matches the signature.
  int numeric = 0;
  for (const OpRow& r : kRows) {
    std::string_view sig = r.sig;
    if (sig == "*" || sig == ":") continue;
    ++numeric;
    EXPECT_NE(r.fn, nullptr) << r.text;
  }
  EXPECT_GT(numeric, 300);
}

class WastVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(WastVectors, MatchesSpecTestsuite) {
  auto dir = testsuite_core();
  if (dir.empty()) GTEST_SKIP() << "spec testsuite not found (set HULL_TESTSUITE)";
  Stats st;
  std::string pattern = GetParam();
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.size() > 5 && n.ends_with(".wast") && n.rfind(pattern, 0) == 0) files.push_back(e.path());
  }
  ASSERT_FALSE(files.empty());
  for (auto& f : files) run_file(f, &st);
  EXPECT_EQ(st.failed, 0);
  EXPECT_GT(st.checked, 0);
  std::cout << "[ wast     ] " << pattern << "*: checked " << st.checked << ", skipped "
            << st.skipped << "\n";
}

INSTANTIATE_TEST_SUITE_P(Core, WastVectors,
                         ::testing::Values("i32.", "i64.", "f32", "f64", "conversions",
                                           "float_misc", "simd_", "relaxed_", "i8x16_relaxed",
                                           "i16x8_relaxed", "float_exprs", "int_exprs"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (c == '.') c = '_';
                           while (!s.empty() && s.back() == '_') s.pop_back();
                           return s;
                         });

}  // namespace
