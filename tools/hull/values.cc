// Command-line value parsing and printing.
#include "values.h"

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hull::cli {

namespace {

bool parse_int(std::string_view text, int bits, uint64_t* out) {
  std::string s(text);
  if (s.empty()) return false;
  const char* p = s.c_str();
  char* end = nullptr;
  errno = 0;
  if (s[0] == '-') {
    long long v = std::strtoll(p, &end, 0);
    if (errno || *end) return false;
    if (bits == 32 && v < INT32_MIN) return false;
    *out = bits == 32 ? uint64_t(uint32_t(int32_t(v))) : uint64_t(v);
    return true;
  }
  unsigned long long v = std::strtoull(p, &end, 0);
  if (errno || *end) return false;
  if (bits == 32 && v > UINT32_MAX) return false;
  *out = v;
  return true;
}

}  // namespace

Result<Val> parse_value(ValType t, std::string_view text) {
  auto bad = [&](const char* what) {
    return Error::make(ErrorKind::Usage,
                       "invalid " + std::string(what) + " argument '" + std::string(text) + "'");
  };
  switch (t.kind) {
    case ValKind::I32: {
      uint64_t v;
      if (!parse_int(text, 32, &v)) return bad("i32");
      return Val::from_i32(uint32_t(v));
    }
    case ValKind::I64: {
      uint64_t v;
      if (!parse_int(text, 64, &v)) return bad("i64");
      return Val::from_i64(v);
    }
    case ValKind::F32:
    case ValKind::F64: {
      std::string s(text);
      char* end = nullptr;
      errno = 0;
      if (t.kind == ValKind::F32) {
        float f = std::strtof(s.c_str(), &end);
        if (s.empty() || *end) return bad("f32");
        uint32_t b;
        std::memcpy(&b, &f, 4);
        return Val::from_f32_bits(b);
      }
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end) return bad("f64");
      uint64_t b;
      std::memcpy(&b, &d, 8);
      return Val::from_f64_bits(b);
    }
    case ValKind::Ref:
      if (text == "null") return Val::from_ref(t, 0);
      return bad("reference (only 'null' is accepted)");
    default:
      return bad("v128 (not supported on the command line)");
  }
}

std::string format_value(const Val& v) {
  char buf[128];
  switch (v.type.kind) {
    case ValKind::I32: std::snprintf(buf, sizeof buf, "%" PRId32, int32_t(v.i32)); return buf;
    case ValKind::I64: std::snprintf(buf, sizeof buf, "%" PRId64, int64_t(v.i64)); return buf;
    case ValKind::F32:
    case ValKind::F64: {
      double d = v.type.kind == ValKind::F32 ? double(v.f32) : v.f64;
      if (std::isnan(d)) return std::signbit(d) ? "-nan" : "nan";
      if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
      auto r = v.type.kind == ValKind::F32 ? std::to_chars(buf, buf + sizeof buf, v.f32)
                                           : std::to_chars(buf, buf + sizeof buf, v.f64);
      return std::string(buf, r.ptr);
    }
    case ValKind::V128:
      std::snprintf(buf, sizeof buf, "0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32,
                    v.v128.lane<uint32_t>(0), v.v128.lane<uint32_t>(1), v.v128.lane<uint32_t>(2),
                    v.v128.lane<uint32_t>(3));
      return buf;
    case ValKind::Ref:
      if (v.ref == 0) return "null";
      std::snprintf(buf, sizeof buf, "ref(0x%" PRIxPTR ")", v.ref);
      return buf;
    default: return "?";
  }
}

}  // namespace hull::cli
