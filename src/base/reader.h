// Reader: a bounds-checked cursor over wasm binary bytes with exact LEB128 decoding.
//
// Every read returns bool; on failure the reader records the first error (a static message
// plus the absolute byte offset) and further reads are not expected. This keeps the hot path
// allocation-free: an Error (with its std::string) is built only by error().
//
// LEB128 follows the spec's rules exactly (as the reference interpreter does):
//   - an N-bit integer takes at most ceil(N/7) bytes, else "integer representation too long";
//   - in the last possible byte, the bits beyond N must be zero (unsigned) or copies of the
//     sign bit (signed), else "integer too large".
// Reading past the end gives "unexpected end of section or function" (the reference
// interpreter's wording; "unexpected end" is its prefix).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/v128.h"

namespace hull {

// Error reasons, spelled as the reference interpreter spells them.
namespace msg {
inline constexpr const char* kUnexpectedEnd = "unexpected end of section or function";
inline constexpr const char* kTooLong = "integer representation too long";
inline constexpr const char* kTooLarge = "integer too large";
inline constexpr const char* kLengthOutOfBounds = "length out of bounds";
inline constexpr const char* kMalformedUtf8 = "malformed UTF-8 encoding";
}  // namespace msg

// True if [p, p+n) is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
inline bool is_valid_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    if (b < 0x80) {  // ASCII fast path: the common case for names
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (n - i < len) return false;
    if (p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

class Reader {
 public:
  Reader() = default;
  // Reads data[0, size); `base` is the absolute offset of data[0] (used in error offsets and
  // returned by offset()), so a sub-reader over a function body reports module offsets.
  Reader(const uint8_t* data, size_t size, size_t base = 0)
      : begin_(data), cur_(data), end_(data + size), base_(base) {}
  explicit Reader(std::span<const uint8_t> bytes, size_t base = 0)
      : Reader(bytes.data(), bytes.size(), base) {}

  // ---- position ----
  size_t offset() const { return base_ + static_cast<size_t>(cur_ - begin_); }
  size_t end_offset() const { return base_ + static_cast<size_t>(end_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - cur_); }
  bool at_end() const { return cur_ == end_; }
  const uint8_t* ptr() const { return cur_; }
  // Moves to an absolute offset inside the reader's range (e.g. to backtrack). Clears no error.
  void seek(size_t abs_offset) { cur_ = begin_ + (abs_offset - base_); }

  // ---- errors ----
  bool failed() const { return err_ != nullptr; }
  const char* error_message() const { return !err_ ? "" : dynamic_ ? dyn_err_ : err_; }
  size_t error_offset() const { return err_off_; }
  // The recorded error as a malformed-binary Error.
  Error error() const { return Error::malformed(std::string(error_message()), err_off_); }
  // Records an error (the first one wins) and returns false, so `return r.fail(...)` reads well.
  bool fail(const char* message, size_t abs_offset) {
    if (!err_) {
      err_ = message;
      err_off_ = abs_offset;
    }
    return false;
  }
  bool fail(const char* message) { return fail(message, offset()); }
  // For short messages built at run time ("illegal opcode ff"); copied (truncated to 47
  // characters) so the reader stays trivially copyable.
  bool fail_dynamic(std::string_view message, size_t abs_offset) {
    if (!err_) {
      size_t n = std::min(message.size(), sizeof(dyn_err_) - 1);
      std::memcpy(dyn_err_, message.data(), n);
      dyn_err_[n] = '\0';
      err_ = "";  // non-null marks the error; the text is in dyn_err_
      dynamic_ = true;
      err_off_ = abs_offset;
    }
    return false;
  }
  // Forgets a recorded error (for the few places the format needs backtracking).
  void clear_error() {
    err_ = nullptr;
    dynamic_ = false;
  }

  // ---- fixed-width ----
  bool peek(uint8_t* out) const {
    if (cur_ == end_) return false;
    *out = *cur_;
    return true;
  }
  bool u8(uint8_t* out) {
    if (cur_ == end_) return fail_end();
    *out = *cur_++;
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return fail_end();
    cur_ += n;
    return true;
  }
  // n raw bytes; *out points into the underlying buffer.
  bool bytes(size_t n, const uint8_t** out) {
    if (remaining() < n) return fail_end();
    *out = cur_;
    cur_ += n;
    return true;
  }
  bool fixed32(uint32_t* out) {  // little-endian; also f32 bits
    if (remaining() < 4) return fail_end();
    *out = uint32_t(cur_[0]) | uint32_t(cur_[1]) << 8 | uint32_t(cur_[2]) << 16 |
           uint32_t(cur_[3]) << 24;
    cur_ += 4;
    return true;
  }
  bool fixed64(uint64_t* out) {  // little-endian; also f64 bits
    uint32_t lo, hi;
    if (remaining() < 8) return fail_end();
    fixed32(&lo);
    fixed32(&hi);
    *out = uint64_t(lo) | uint64_t(hi) << 32;
    return true;
  }
  bool f32_bits(uint32_t* out) { return fixed32(out); }
  bool f64_bits(uint64_t* out) { return fixed64(out); }
  bool v128(V128* out) {
    if (remaining() < 16) return fail_end();
    std::memcpy(out->bytes, cur_, 16);
    cur_ += 16;
    return true;
  }

  // ---- LEB128 ----
  bool u32(uint32_t* out) {
    // Why: most indices and counts fit in one byte; skip the loop for them.
    if (cur_ != end_ && *cur_ < 0x80) {
      *out = *cur_++;
      return true;
    }
    uint64_t v;
    if (!uleb<32>(&v)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  bool u64(uint64_t* out) { return uleb<64>(out); }
  // The spec's u8 (a LEB128 limited to 8 bits; used for SIMD lane indices).
  bool u8_leb(uint8_t* out) {
    uint64_t v;
    if (!uleb<8>(&v)) return false;
    *out = static_cast<uint8_t>(v);
    return true;
  }
  bool s32(int32_t* out) {
    int64_t v;
    if (!sleb<32>(&v)) return false;
    *out = static_cast<int32_t>(v);
    return true;
  }
  bool s33(int64_t* out) { return sleb<33>(out); }
  bool s64(int64_t* out) { return sleb<64>(out); }

  // Generic exact LEB128 decoders for N-bit integers (1 <= N <= 64).
  template <unsigned N>
  bool uleb(uint64_t* out) {
    static_assert(N >= 1 && N <= 64);
    uint64_t result = 0;
    unsigned shift = 0;
    for (int bits = static_cast<int>(N);; bits -= 7) {
      if (cur_ == end_) return fail_end();
      uint8_t b = *cur_++;
      // Spec: in the last byte the bits above N must be zero.
      if (bits < 7 && (b & 0x7F) >= (1u << bits)) return fail(msg::kTooLarge, offset() - 1);
      result |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
      if (bits <= 7) return fail(msg::kTooLong, offset());
      shift += 7;
    }
    *out = result;
    return true;
  }
  template <unsigned N>
  bool sleb(int64_t* out) {
    static_assert(N >= 2 && N <= 64);
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b;
    for (int bits = static_cast<int>(N);; bits -= 7) {
      if (cur_ == end_) return fail_end();
      b = *cur_++;
      if (bits < 7) {
        // Spec: in the last byte the unused bits must all equal the sign bit.
        uint8_t mask = static_cast<uint8_t>((0xFF << (bits - 1)) & 0x7F);
        if ((b & mask) != 0 && (b & mask) != mask) return fail(msg::kTooLarge, offset() - 1);
      }
      result |= uint64_t(b & 0x7F) << shift;  // high bits shifted out are fine (unsigned)
      shift += 7;
      if (!(b & 0x80)) break;
      if (bits <= 7) return fail(msg::kTooLong, offset());
    }
    if (shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;  // sign-extend
    *out = static_cast<int64_t>(result);
    return true;
  }

  // ---- vectors and names ----
  // A vector length or byte length. Like the reference interpreter's len32, it must not exceed
  // the bytes left (counted from the start of the length field), else "length out of bounds";
  // so a lying count can never make a caller reserve more than O(input size).
  bool count(uint32_t* out) {
    size_t before = remaining();
    size_t at = offset();
    if (!u32(out)) return false;
    if (*out > before) return fail(msg::kLengthOutOfBounds, at);
    return true;
  }
  // A name: byte length + UTF-8 bytes. *out views the underlying buffer.
  bool name(std::string_view* out) {
    size_t at = offset();
    uint32_t n;
    const uint8_t* p;
    if (!count(&n) || !bytes(n, &p)) return false;
    if (!is_valid_utf8(p, n)) return fail(msg::kMalformedUtf8, at);
    *out = std::string_view(reinterpret_cast<const char*>(p), n);
    return true;
  }
  bool name(std::string* out) {
    std::string_view v;
    if (!name(&v)) return false;
    out->assign(v);
    return true;
  }

  // A reader over the next n bytes (which this reader skips), for a sized sub-structure.
  bool sub(size_t n, Reader* out) {
    if (remaining() < n) return fail_end();
    *out = Reader(cur_, n, offset());
    cur_ += n;
    return true;
  }

 private:
  bool fail_end() { return fail(msg::kUnexpectedEnd, end_offset()); }

  const uint8_t* begin_ = nullptr;
  const uint8_t* cur_ = nullptr;
  const uint8_t* end_ = nullptr;
  size_t base_ = 0;
  const char* err_ = nullptr;
  size_t err_off_ = 0;
  bool dynamic_ = false;
  char dyn_err_[48] = {};
};

}  // namespace hull
