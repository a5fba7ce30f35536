// Numeric literal conversion for the text format (spec "Numbers"): exact, with range checks.
#include "text/literals.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace hull::text {

namespace {

int digit_val(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (hex) {
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  }
  return -1;
}

// Checks digit ('_'? digit)* over s[b, e) in the given base. Empty is not valid.
bool valid_digits(std::string_view s, size_t b, size_t e, bool hex) {
  if (b >= e) return false;
  bool last_us = true;
  for (size_t i = b; i < e; ++i) {
    if (s[i] == '_') {
      if (last_us) return false;
      last_us = true;
    } else {
      if (digit_val(s[i], hex) < 0) return false;
      last_us = false;
    }
  }
  return !last_us;
}

// Parses an unsigned magnitude (decimal or 0x hex); false on overflow past 2^64-1.
LitStatus parse_mag(std::string_view s, uint64_t* out) {
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  size_t b = hex ? 2 : 0;
  if (!valid_digits(s, b, s.size(), hex)) return LitStatus::NotANumber;
  uint64_t v = 0;
  bool over = false;
  unsigned base = hex ? 16 : 10;
  for (size_t i = b; i < s.size(); ++i) {
    if (s[i] == '_') continue;
    uint64_t d = digit_val(s[i], hex);
    if (v > (UINT64_MAX - d) / base) over = true;
    v = v * base + d;
  }
  *out = v;
  return over ? LitStatus::OutOfRange : LitStatus::Ok;
}

}  // namespace

LitStatus parse_nat(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s[0] == '+' || s[0] == '-') return LitStatus::NotANumber;
  LitStatus st = parse_mag(s, out);
  if (st != LitStatus::Ok) return st;
  return *out > max ? LitStatus::OutOfRange : LitStatus::Ok;
}

LitStatus parse_int(std::string_view s, unsigned bits, uint64_t* out) {
  bool neg = false, sign = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    sign = true;
    s.remove_prefix(1);
  }
  uint64_t mag;
  LitStatus st = parse_mag(s, &mag);
  if (st != LitStatus::Ok) return st;
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  uint64_t nmax = uint64_t(1) << (bits - 1);  // |most negative|
  if (neg) {
    if (mag > nmax) return LitStatus::OutOfRange;
    *out = (0 - mag) & umax;
  } else {
    (void)sign;
    if (mag > umax) return LitStatus::OutOfRange;
    *out = mag;
  }
  return LitStatus::Ok;
}

namespace {

// Float grammar check and cleanup: returns the literal without '_' in `clean` (sign kept),
// or NotANumber. Handles only finite forms (decimal / hex float).
bool clean_float(std::string_view s, std::string* clean) {
  size_t i = 0;
  clean->clear();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean->push_back(s[i++]);
  bool hex = s.size() >= i + 2 && s[i] == '0' && s[i + 1] == 'x';
  if (hex) {
    clean->append("0x");
    i += 2;
  }
  // mantissa integer part
  size_t b = i;
  while (i < s.size() && (digit_val(s[i], hex) >= 0 || s[i] == '_')) ++i;
  if (!valid_digits(s, b, i, hex)) return false;
  for (size_t k = b; k < i; ++k)
    if (s[k] != '_') clean->push_back(s[k]);
  if (i < s.size() && s[i] == '.') {
    clean->push_back('.');
    ++i;
    b = i;
    while (i < s.size() && (digit_val(s[i], hex) >= 0 || s[i] == '_')) ++i;
    if (i > b) {
      if (!valid_digits(s, b, i, hex)) return false;
      for (size_t k = b; k < i; ++k)
        if (s[k] != '_') clean->push_back(s[k]);
    }
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    clean->push_back(hex ? 'p' : 'e');
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean->push_back(s[i++]);
    b = i;
    while (i < s.size() && (digit_val(s[i], false) >= 0 || s[i] == '_')) ++i;
    if (!valid_digits(s, b, i, false)) return false;
    // Clamp absurd exponents so strtod sees a sane string (result saturates either way).
    std::string exp;
    for (size_t k = b; k < i; ++k)
      if (s[k] != '_') exp.push_back(s[k]);
    size_t nz = exp.find_first_not_of('0');
    exp = nz == std::string::npos ? "0" : exp.substr(nz);
    if (exp.size() > 6) exp = "999999";
    clean->append(exp);
  } else if (hex) {
    clean->append("p0");  // strtod needs no exponent, but be explicit
  }
  return i == s.size();
}

template <class Bits>
LitStatus parse_float_generic(std::string_view s, Bits* out, unsigned mant_bits) {
  constexpr unsigned total = sizeof(Bits) * 8;
  const Bits sign_bit = Bits(1) << (total - 1);
  const Bits exp_mask = ((Bits(1) << (total - 1 - mant_bits)) - 1) << mant_bits;
  const Bits mant_mask = (Bits(1) << mant_bits) - 1;
  Bits sign = 0;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    if (body[0] == '-') sign = sign_bit;
    body.remove_prefix(1);
  }
  if (body == "inf") {
    *out = sign | exp_mask;
    return LitStatus::Ok;
  }
  if (body == "nan") {
    *out = sign | exp_mask | (Bits(1) << (mant_bits - 1));
    return LitStatus::Ok;
  }
  if (body.substr(0, 6) == "nan:0x") {
    uint64_t payload;
    LitStatus st = parse_mag(body.substr(4), &payload);
    if (st == LitStatus::NotANumber) return st;
    if (st == LitStatus::OutOfRange || payload == 0 || payload > mant_mask)
      return LitStatus::OutOfRange;
    *out = sign | exp_mask | Bits(payload);
    return LitStatus::Ok;
  }
  std::string clean;
  if (!clean_float(s, &clean)) return LitStatus::NotANumber;
  errno = 0;
  if constexpr (sizeof(Bits) == 4) {
    float f = std::strtof(clean.c_str(), nullptr);
    if (std::isinf(f)) return LitStatus::OutOfRange;
    std::memcpy(out, &f, 4);
  } else {
    double d = std::strtod(clean.c_str(), nullptr);
    if (std::isinf(d)) return LitStatus::OutOfRange;
    std::memcpy(out, &d, 8);
  }
  return LitStatus::Ok;
}

}  // namespace

LitStatus parse_f32(std::string_view s, uint32_t* out) {
  return parse_float_generic<uint32_t>(s, out, 23);
}
LitStatus parse_f64(std::string_view s, uint64_t* out) {
  return parse_float_generic<uint64_t>(s, out, 52);
}

bool looks_numeric(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  if (s[0] >= '0' && s[0] <= '9') return true;
  return s == "inf" || s == "nan" || s.substr(0, 4) == "nan:";
}

}  // namespace hull::text
