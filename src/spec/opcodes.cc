// Tables generated from spec/opcodes.def: metadata and reverse lookups.
#include "spec/opcodes.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

namespace hull {

const OpInfo kOpInfo[kOpCount] = {
#define HULL_OP(name, text, prefix, code, imm, sig) {text, prefix, code, ImmKind::imm, sig},
#include "spec/opcodes.def"
#undef HULL_OP
};

namespace {

constexpr uint16_t kNoOp = 0xFFFF;

// Dense tables: one-byte opcodes, and prefixed codes (all below 0x200 today).
struct DecodeTables {
  std::array<uint16_t, 256> single;
  std::array<uint16_t, 0x200> fb, fc, fd, fe;
  std::unordered_map<std::string_view, uint16_t> by_name;
  DecodeTables() {
    single.fill(kNoOp);
    fb.fill(kNoOp);
    fc.fill(kNoOp);
    fd.fill(kNoOp);
    fe.fill(kNoOp);
    for (unsigned i = 0; i < kOpCount; ++i) {
      const OpInfo& info = kOpInfo[i];
      switch (info.prefix) {
        case 0: single[info.code] = i; break;
        case 0xFB: fb[info.code] = i; break;
        case 0xFC: fc[info.code] = i; break;
        case 0xFD: fd[info.code] = i; break;
        case 0xFE: fe[info.code] = i; break;
      }
      by_name.emplace(info.name, i);  // first row wins for shared mnemonics
    }
  }
};

const DecodeTables& tables() {
  static const DecodeTables t;
  return t;
}

}  // namespace

bool op_from_byte(uint8_t byte, Op* out) {
  uint16_t v = tables().single[byte];
  if (v == kNoOp) return false;
  *out = static_cast<Op>(v);
  return true;
}

bool op_from_prefixed(uint8_t prefix, uint32_t code, Op* out) {
  if (code >= 0x200) return false;
  const auto& t = tables();
  uint16_t v = kNoOp;
  switch (prefix) {
    case 0xFB: v = t.fb[code]; break;
    case 0xFC: v = t.fc[code]; break;
    case 0xFD: v = t.fd[code]; break;
    case 0xFE: v = t.fe[code]; break;
    default: return false;
  }
  if (v == kNoOp) return false;
  *out = static_cast<Op>(v);
  return true;
}

bool op_from_name(std::string_view name, Op* out) {
  const auto& m = tables().by_name;
  auto it = m.find(name);
  if (it == m.end()) return false;
  *out = static_cast<Op>(it->second);
  return true;
}

}  // namespace hull
