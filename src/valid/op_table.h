// Compile-time tables derived from spec/opcodes.def for the body decoder: opcode byte -> Op
// lookups and the pre-parsed operand signatures of mechanically typed ("sig") ops.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "spec/features.h"
#include "spec/opcodes.h"

namespace hull::valid_detail {

// Operand codes of a parsed signature: the value kinds plus 'a' (the memory's address type).
enum class SigCode : uint8_t { I32, I64, F32, F64, V128, Addr };

struct OpSig {
  bool typed = false;  // false for "*" (hand-typed) ops
  uint8_t num_params = 0;
  uint8_t num_results = 0;
  bool uses_addr = false;
  SigCode params[3] = {};
  SigCode result = SigCode::I32;
};

constexpr SigCode sig_code(char c) {
  switch (c) {
    case 'i': return SigCode::I32;
    case 'l': return SigCode::I64;
    case 'f': return SigCode::F32;
    case 'd': return SigCode::F64;
    case 'v': return SigCode::V128;
    default: return SigCode::Addr;  // 'a'
  }
}

// Parses "ii:i" at compile time; a malformed row in opcodes.def fails the build.
constexpr OpSig parse_sig(std::string_view s) {
  OpSig sig;
  if (s == "*") return sig;
  sig.typed = true;
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon > 3 || s.size() - colon - 1 > 1) throw "bad sig";
  for (size_t i = 0; i < colon; ++i) {
    sig.params[i] = sig_code(s[i]);
    if (s[i] == 'a') sig.uses_addr = true;
  }
  sig.num_params = static_cast<uint8_t>(colon);
  if (colon + 1 < s.size()) {
    sig.num_results = 1;
    sig.result = sig_code(s[colon + 1]);
    if (s[colon + 1] == 'a') sig.uses_addr = true;
  }
  return sig;
}

inline constexpr std::array<OpSig, kOpCount> kOpSigs = {
#define HULL_OP(name, text, prefix, code, imm, sig) parse_sig(sig),
#include "spec/opcodes.def"
#undef HULL_OP
};

inline constexpr std::array<ImmKind, kOpCount> kOpImm = {
#define HULL_OP(name, text, prefix, code, imm, sig) ImmKind::imm,
#include "spec/opcodes.def"
#undef HULL_OP
};

// The features each op needs (spec/features.h), checked only when one is switched off.
inline constexpr std::array<FeatureMask, kOpCount> kOpFeatures = {
#define HULL_OP(name, text, prefix, code, imm, sig) opcode_features(prefix, code),
#include "spec/opcodes.def"
#undef HULL_OP
};

constexpr uint16_t kNoOp = 0xFFFF;
constexpr uint32_t kMaxPrefixed = 0x200;

struct DecodeTable {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, kMaxPrefixed> fb{}, fc{}, fd{}, fe{};
};

constexpr DecodeTable make_decode_table() {
  DecodeTable t;
  for (auto& v : t.single) v = kNoOp;
  for (auto& v : t.fb) v = kNoOp;
  for (auto& v : t.fc) v = kNoOp;
  for (auto& v : t.fd) v = kNoOp;
  for (auto& v : t.fe) v = kNoOp;
  struct Row {
    uint8_t prefix;
    uint32_t code;
  };
  constexpr Row rows[] = {
#define HULL_OP(name, text, prefix, code, imm, sig) {prefix, code},
#include "spec/opcodes.def"
#undef HULL_OP
  };
  for (unsigned i = 0; i < kOpCount; ++i) {
    uint16_t v = static_cast<uint16_t>(i);
    switch (rows[i].prefix) {
      case 0x00: t.single[rows[i].code] = v; break;
      case 0xFB: t.fb[rows[i].code] = v; break;
      case 0xFC: t.fc[rows[i].code] = v; break;
      case 0xFD: t.fd[rows[i].code] = v; break;
      case 0xFE: t.fe[rows[i].code] = v; break;
    }
  }
  return t;
}

inline constexpr DecodeTable kDecodeTable = make_decode_table();

}  // namespace hull::valid_detail
