// Canonical ABI strings: lifting each encoding (validation, alignment, bounds at the edges of
// guest memory), lowering a host string into each encoding with the spec's realloc sequence,
// and all 9 encoding pairs through a lift in one context and a lower in another.
#include <gtest/gtest.h>

#include <span>

#include "abi_test_context.h"

namespace hull::component {
namespace {

using namespace testing;
using ac::TypeKind;
using ac::Val;

constexpr uint32_t kTag = 1u << 31;
const ac::Type kString = prim(TypeKind::String);

api::Result<std::vector<Val>> lift_str(TestContext& cx, uint32_t ptr, uint32_t len) {
  return lift_flat_values(cx, 16, std::vector<api::Val>{api::Val(ptr), api::Val(len)},
                          std::span(&kString, 1));
}

std::string lifted(TestContext& cx, uint32_t ptr, uint32_t len) {
  api::Result<std::vector<Val>> r = lift_str(cx, ptr, len);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? (*r)[0].as_string() : "<trap>";
}

// (ptr, tagged code units) of a lowered string, or a trap.
api::Result<std::pair<uint32_t, uint32_t>> lower_str(TestContext& cx, const Val& v) {
  api::Result<std::vector<api::Val>> r =
      lower_flat_values(cx, 16, std::span(&v, 1), std::span(&kString, 1));
  if (!r) return std::move(r).error();
  return std::pair<uint32_t, uint32_t>{static_cast<uint32_t>((*r)[0].i32()),
                                       static_cast<uint32_t>((*r)[1].i32())};
}

std::vector<uint8_t> utf8(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::vector<uint8_t> utf16(std::initializer_list<uint16_t> units) {
  std::vector<uint8_t> out;
  for (uint16_t u : units) {
    out.push_back(static_cast<uint8_t>(u));
    out.push_back(static_cast<uint8_t>(u >> 8));
  }
  return out;
}

// ---- lifting ----------------------------------------------------------------------------------

TEST(AbiStrings, LiftUtf8) {
  TestContext cx;
  cx.put(8, {0xe2, 0x98, 0x83, 0xe2, 0x98, 0xba, 0xef, 0xb8, 0x8f, 0xc3, 0xb6, 0xe3, 0x83, 0x84});
  EXPECT_EQ(lifted(cx, 8, 14), "☃☺️öツ");
  EXPECT_EQ(lifted(cx, 0, 0), "");
  EXPECT_EQ(lifted(cx, 100, 0), "");
  // The lifted value remembers where it came from, but compares by text.
  api::Result<std::vector<Val>> r = lift_str(cx, 8, 14);
  EXPECT_NE((*r)[0].string_origin(), 0u);
  EXPECT_EQ((*r)[0], Val::string("☃☺️öツ"));
}

TEST(AbiStrings, InvalidUtf8Traps) {
  struct Row {
    std::vector<uint8_t> bytes;
    const char* host;
  };
  for (const Row& r : std::vector<Row>{
           {{0xff}, "invalid utf-8 sequence of 1 bytes from index 0"},
           {{0xc3}, "incomplete utf-8 byte sequence from index 0"},
           {{'a', 0xe2, 0x28, 0xa1}, "invalid utf-8 sequence of 1 bytes from index 1"},
           {{0xe2, 0x82, 0x41}, "invalid utf-8 sequence of 2 bytes from index 0"},
           {{'o', 'k', 0xe2, 0x82}, "incomplete utf-8 byte sequence from index 2"},
           {{0xc0, 0x80}, "invalid utf-8 sequence of 1 bytes from index 0"},        // overlong
           {{0xed, 0xa0, 0x80}, "invalid utf-8 sequence of 1 bytes from index 0"},  // surrogate
           {{0xf4, 0x90, 0x80, 0x80}, "invalid utf-8 sequence of 1 bytes from index 0"},
           {{0xf0, 0x9f, 0x8d, 0x41}, "invalid utf-8 sequence of 3 bytes from index 0"},
           {{0x80}, "invalid utf-8 sequence of 1 bytes from index 0"},
       }) {
    TestContext cx;
    cx.put(8, r.bytes);
    auto len = static_cast<uint32_t>(r.bytes.size());
    EXPECT_EQ(trap_message(lift_str(cx, 8, len)), r.host);
    cx.wording = TrapWording::Adapter;
    EXPECT_EQ(trap_message(lift_str(cx, 8, len)), "invalid utf8 encoding");
  }
}

TEST(AbiStrings, LiftUtf16) {
  TestContext cx(65536, StringEncoding::Utf16);
  cx.put(8, utf16({0x68, 0xf6, 0x2603, 0xd83c, 0xdf70}));
  EXPECT_EQ(lifted(cx, 8, 5), "hö☃🍰");
  EXPECT_EQ(lifted(cx, 8, 0), "");
  for (auto [units, bad] : std::vector<std::pair<std::vector<uint8_t>, const char*>>{
           {utf16({0x41, 0xd800}), "unpaired surrogate found: d800"},
           {utf16({0xdc00, 0x41}), "unpaired surrogate found: dc00"},
           {utf16({0xd83c, 0x41}), "unpaired surrogate found: d83c"},
           {utf16({0xd83c, 0xd83c, 0xdf70}), "unpaired surrogate found: d83c"}}) {
    cx.put(100, units);
    cx.wording = TrapWording::Host;
    EXPECT_EQ(trap_message(lift_str(cx, 100, static_cast<uint32_t>(units.size() / 2))), bad);
    cx.wording = TrapWording::Adapter;
    EXPECT_EQ(trap_message(lift_str(cx, 100, static_cast<uint32_t>(units.size() / 2))),
              "invalid utf16 encoding");
  }
}

TEST(AbiStrings, LiftLatin1OrUtf16) {
  TestContext cx(65536, StringEncoding::Latin1Utf16);
  cx.put(8, {'c', 0xe9, 0xff});
  EXPECT_EQ(lifted(cx, 8, 3), "céÿ");
  cx.put(16, utf16({0x41, 0x3a3}));
  EXPECT_EQ(lifted(cx, 16, 2 | kTag), "AΣ");
  EXPECT_EQ(lifted(cx, 16, kTag), "");  // tagged, zero code units
  cx.put(24, utf16({0xdfff}));
  EXPECT_EQ(trap_message(lift_str(cx, 24, 1 | kTag)), "unpaired surrogate found: dfff");
}

TEST(AbiStrings, Utf16PointersMustBeAligned) {
  for (StringEncoding e : {StringEncoding::Utf16, StringEncoding::Latin1Utf16}) {
    TestContext cx(65536, e);
    EXPECT_EQ(trap_message(lift_str(cx, 1, 0)), "string pointer not aligned to 2");
    EXPECT_EQ(trap_message(lift_str(cx, 9, 1)), "string pointer not aligned to 2");
    cx.wording = TrapWording::Adapter;
    EXPECT_EQ(trap_message(lift_str(cx, 1, 0)), "unaligned pointer");
  }
  // Latin-1 content is still 2-aligned in latin1+utf16.
  TestContext cx(65536, StringEncoding::Latin1Utf16);
  EXPECT_EQ(trap_message(lift_str(cx, 3, 1)), "string pointer not aligned to 2");
}

TEST(AbiStrings, LiftAtTheEdgesOfMemory) {
  constexpr uint32_t kMem = 4096;
  struct Row {
    StringEncoding enc;
    uint32_t unit;  // bytes per code unit
    uint32_t tag;   // length tag
  };
  for (Row r :
       {Row{StringEncoding::Utf8, 1, 0}, Row{StringEncoding::Utf16, 2, 0},
        Row{StringEncoding::Latin1Utf16, 1, 0}, Row{StringEncoding::Latin1Utf16, 2, kTag}}) {
    SCOPED_TRACE(static_cast<int>(r.enc) * 10 + r.unit);
    TestContext cx(kMem, r.enc);
    for (uint32_t i = 0; i < 8; ++i) cx.mem[kMem - 8 + i] = r.unit == 2 ? (i % 2 ? 0 : 'a') : 'a';
    uint32_t units = 8 / r.unit;
    // Ending exactly at the last byte is fine.
    EXPECT_EQ(lifted(cx, kMem - 8, units | r.tag), std::string(units, 'a'));
    EXPECT_EQ(lifted(cx, kMem, 0 | r.tag), "");
    // One more code unit runs past the end.
    for (TrapWording w : {TrapWording::Host, TrapWording::Adapter}) {
      cx.wording = w;
      const char* oob = w == TrapWording::Host ? "string pointer/length out of bounds of memory"
                                               : "string content out-of-bounds";
      EXPECT_EQ(trap_message(lift_str(cx, kMem - 8, (units + 1) | r.tag)), oob);
      EXPECT_EQ(trap_message(lift_str(cx, kMem + 2, 0 | r.tag)), oob);
      // Pointers near 2^32: ptr + length must not wrap around.
      EXPECT_EQ(trap_message(lift_str(cx, 0xFFFFFFFE, 1 | r.tag)), oob);
      EXPECT_EQ(trap_message(lift_str(cx, 0xdeadbeee, 0 | r.tag)), oob);
      // Lengths whose byte size overflows 32 bits, or exceeds the maximum string size.
      EXPECT_EQ(trap_message(lift_str(cx, 0, 0x7FFFFFFF | r.tag)), oob);
      if (r.enc == StringEncoding::Utf16) {
        EXPECT_EQ(trap_message(lift_str(cx, 0, 0x80000000)), oob);  // 2 * len = 2^32
        EXPECT_EQ(trap_message(lift_str(cx, 0, 0xFFFFFFFF)), oob);
        EXPECT_EQ(trap_message(lift_str(cx, 0, 0x40000000)), oob);  // 2^31 bytes > max
      }
      if (r.enc == StringEncoding::Utf8) EXPECT_EQ(trap_message(lift_str(cx, 0, 0x80000000)), oob);
    }
  }
}

// ---- lowering a host string
// -----------------------------------------------------------------------

TEST(AbiStrings, LowerHostStringIntoUtf8) {
  TestContext cx;
  api::Result<std::pair<uint32_t, uint32_t>> r = lower_str(cx, Val::string("héllo"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->second, 6u);
  EXPECT_EQ(cx.bytes(r->first, 6), utf8("héllo"));
  EXPECT_EQ(cx.calls, (std::vector<ReallocCall>{{0, 0, 1, 6}}));
  // A trap in the guest's realloc propagates; a pointer whose block wraps past 2^32 traps.
  cx.mode = TestContext::Realloc::Trap;
  EXPECT_EQ(trap_message(lower_str(cx, Val::string("x"))), "unreachable");
  cx.mode = TestContext::Realloc::Bump;
  cx.custom = [](const ReallocCall&) -> api::Result<uint32_t> { return 0xFFFFFFFFu; };
  EXPECT_EQ(trap_message(lower_str(cx, Val::string("xy"))), "realloc return: beyond end of memory");
}

TEST(AbiStrings, LowerHostStringIntoUtf16) {
  TestContext cx(65536, StringEncoding::Utf16);
  // Worst case (2 bytes per UTF-8 byte) first, then shrink: "àà" is 4 UTF-8 bytes.
  api::Result<std::pair<uint32_t, uint32_t>> r = lower_str(cx, Val::string("àà"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->second, 2u);
  EXPECT_EQ(cx.bytes(r->first, 4), utf16({0xe0, 0xe0}));
  ASSERT_EQ(cx.calls.size(), 2u);
  EXPECT_EQ(cx.calls[0], (ReallocCall{0, 0, 2, 8}));
  EXPECT_EQ(cx.calls[1], (ReallocCall{64, 8, 2, 4}));
  // No shrink when nothing collapsed.
  cx.calls.clear();
  r = lower_str(cx, Val::string("ab"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(cx.calls.size(), 1u);
  EXPECT_EQ(cx.bytes(r->first, 4), utf16({'a', 'b'}));
  // The shrinking realloc's result is checked too.
  cx.calls.clear();
  cx.custom = [](const ReallocCall& c) -> api::Result<uint32_t> { return c.old_ptr == 0 ? 2 : 3; };
  EXPECT_EQ(trap_message(lower_str(cx, Val::string("àà"))), "realloc return: result not aligned");
  cx.wording = TrapWording::Adapter;
  EXPECT_EQ(trap_message(lower_str(cx, Val::string("àà"))), "unaligned pointer");
}

TEST(AbiStrings, LowerHostStringIntoLatin1OrUtf16) {
  TestContext cx(65536, StringEncoding::Latin1Utf16);
  // Fits Latin-1 and needs no shrink.
  api::Result<std::pair<uint32_t, uint32_t>> r = lower_str(cx, Val::string("abc"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->second, 3u);
  EXPECT_EQ(cx.calls, (std::vector<ReallocCall>{{0, 0, 2, 3}}));
  // "Ë" is 2 UTF-8 bytes but 1 Latin-1 byte: shrink to 1.
  cx.calls.clear();
  r = lower_str(cx, Val::string("Ë"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->second, 1u);
  EXPECT_EQ(cx.bytes(r->first, 1), (std::vector<uint8_t>{0xcb}));
  ASSERT_EQ(cx.calls.size(), 2u);
  EXPECT_EQ(cx.calls[1].new_size, 1u);
  EXPECT_EQ(cx.calls[1].align, 2u);
  // "Ë┛": Latin-1 until ┛, then the UTF-16 worst case (10), inflate, and shrink to 4.
  cx.calls.clear();
  r = lower_str(cx, Val::string("Ë┛"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->second, 2u | kTag);
  EXPECT_EQ(cx.bytes(r->first, 4), utf16({0xcb, 0x251b}));
  ASSERT_EQ(cx.calls.size(), 3u);
  EXPECT_EQ(cx.calls[0], (ReallocCall{0, 0, 2, 5}));
  EXPECT_EQ(cx.calls[1], (ReallocCall{cx.calls[1].old_ptr, 5, 2, 10}));
  EXPECT_EQ(cx.calls[2], (ReallocCall{cx.calls[2].old_ptr, 10, 2, 4}));
  // The growing realloc returning out of bounds traps before any write.
  int n = 0;
  cx.custom = [&n](const ReallocCall&) -> api::Result<uint32_t> {
    return ++n == 1 ? 2u : 0xFFFFFFFEu;
  };
  cx.wording = TrapWording::Adapter;
  EXPECT_EQ(trap_message(lower_str(cx, Val::string("Ë┛"))), "string content out-of-bounds");
  n = 0;
  cx.wording = TrapWording::Host;
  EXPECT_EQ(trap_message(lower_str(cx, Val::string("Ë┛"))), "realloc return: beyond end of memory");
}

TEST(AbiStrings, HostStringsMustBeUtf8) {
  TestContext cx;
  api::Result<std::pair<uint32_t, uint32_t>> r =
      lower_str(cx, Val::string(std::string("a\xff", 2)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Usage);
  EXPECT_TRUE(cx.calls.empty());
}

TEST(AbiStrings, ForgedOriginIsIgnored) {
  // An origin that disagrees with the text (here: 100 UTF-16 units for a 2-unit string) is not
  // trusted; the string is lowered as the host's UTF-8.
  TestContext cx;
  uint64_t forged = (uint64_t{2} << 32) | 100;  // "utf16, 100 code units"
  api::Result<std::pair<uint32_t, uint32_t>> r =
      lower_str(cx, Val::string_with_origin("ab", forged));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(cx.calls, (std::vector<ReallocCall>{{0, 0, 1, 2}}));
}

// ---- all 9 encoding pairs: lift in the source's context, lower in the destination's
// --------------

struct Encoded {
  std::vector<uint8_t> bytes;
  uint32_t tagged;
};

// The guest's encoding of `cps`; latin1+utf16 uses Latin-1 when every code point fits, unless
// `force_utf16`.
Encoded encode(StringEncoding e, const std::u32string& cps, bool force_utf16 = false) {
  Encoded out;
  bool latin1 = !force_utf16;
  for (char32_t c : cps) latin1 = latin1 && c < 0x100;
  if (e == StringEncoding::Utf8) {
    std::string s;
    for (char32_t c : cps) {
      if (c < 0x80) {
        s += static_cast<char>(c);
      } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    out.bytes = utf8(s);
    out.tagged = static_cast<uint32_t>(s.size());
    return out;
  }
  if (e == StringEncoding::Latin1Utf16 && latin1) {
    for (char32_t c : cps) out.bytes.push_back(static_cast<uint8_t>(c));
    out.tagged = static_cast<uint32_t>(cps.size());
    return out;
  }
  for (char32_t c : cps) {
    auto unit = [&](uint32_t u) {
      out.bytes.push_back(static_cast<uint8_t>(u));
      out.bytes.push_back(static_cast<uint8_t>(u >> 8));
    };
    if (c >= 0x10000) {
      unit(0xD800 + ((c - 0x10000) >> 10));
      unit(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else {
      unit(c);
    }
  }
  out.tagged =
      static_cast<uint32_t>(out.bytes.size() / 2) | (e == StringEncoding::Latin1Utf16 ? kTag : 0);
  return out;
}

const char* name(StringEncoding e) {
  switch (e) {
    case StringEncoding::Utf8: return "utf8";
    case StringEncoding::Utf16: return "utf16";
    default: return "latin1+utf16";
  }
}

constexpr StringEncoding kEncodings[] = {StringEncoding::Utf8, StringEncoding::Utf16,
                                         StringEncoding::Latin1Utf16};

std::string to_utf8(const std::u32string& cps) {
  Encoded e = encode(StringEncoding::Utf8, cps);
  return std::string(e.bytes.begin(), e.bytes.end());
}

// Lifts `cps` as `src` writes it; the value keeps its origin for the lowering side.
Val lift_from(StringEncoding src, const std::u32string& cps, bool force_utf16 = false) {
  TestContext a(4096, src);
  Encoded e = encode(src, cps, force_utf16);
  a.put(64, e.bytes);
  api::Result<std::vector<Val>> r = lift_str(a, 64, e.tagged);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? (*r)[0] : Val();
}

TEST(AbiStrings, AllNinePairsTranscode) {
  const std::u32string samples[] = {
      U"",        U"abc",       U"h\u00f6\u2603\U0001F370", U"\u00ff\u00e9x", U"\u00cb\u251b",
      U"A\u03a3", U"\U0001F600"};
  for (StringEncoding src : kEncodings) {
    for (StringEncoding dst : kEncodings) {
      for (const std::u32string& cps : samples) {
        SCOPED_TRACE(std::string(name(src)) + " -> " + name(dst) + ": " + to_utf8(cps));
        Val v = lift_from(src, cps);
        ASSERT_EQ(v.as_string(), to_utf8(cps));
        TestContext b(4096, dst);
        api::Result<std::pair<uint32_t, uint32_t>> r = lower_str(b, v);
        ASSERT_TRUE(r.ok()) << r.error().message;
        // The destination holds exactly its own encoding of the string.
        Encoded want = encode(dst, cps);
        EXPECT_EQ(r->second, want.tagged);
        EXPECT_EQ(b.bytes(r->first, want.bytes.size()), want.bytes);
        EXPECT_EQ(lifted(b, r->first, r->second), to_utf8(cps));
        // Every realloc after the first resizes the previous block.
        for (size_t i = 1; i < b.calls.size(); ++i) EXPECT_NE(b.calls[i].old_ptr, 0u);
      }
    }
  }
}

// The realloc sequence of each pair follows the spec's store_string case for the source's
// encoding and code-unit count.
TEST(AbiStrings, PairsFollowTheSpecAllocationSequence) {
  struct Row {
    StringEncoding src, dst;
    std::u32string text;
    bool force_utf16;
    std::vector<std::pair<uint32_t, uint32_t>> sizes;  // (align, new_size) per call
  };
  const std::vector<Row> rows = {
      // store_string_copy
      {StringEncoding::Utf8, StringEncoding::Utf8, U"h\u00f6", false, {{1, 3}}},
      {StringEncoding::Utf16, StringEncoding::Utf16, U"h\u00f6", false, {{2, 4}}},
      {StringEncoding::Latin1Utf16, StringEncoding::Utf16, U"h\u00f6", false, {{2, 4}}},
      {StringEncoding::Latin1Utf16, StringEncoding::Latin1Utf16, U"h\u00f6", false, {{2, 2}}},
      // store_utf16_to_utf8: n, then 3n, then shrink
      {StringEncoding::Utf16, StringEncoding::Utf8, U"a\u00ff", false, {{1, 2}, {1, 6}, {1, 3}}},
      {StringEncoding::Utf16, StringEncoding::Utf8, U"ab", false, {{1, 2}}},
      // store_latin1_to_utf8: n, then 2n (exact here: no shrink)
      {StringEncoding::Latin1Utf16,
       StringEncoding::Utf8,
       U"a\u00ff",
       false,
       {{1, 2}, {1, 4}, {1, 3}}},
      {StringEncoding::Latin1Utf16, StringEncoding::Utf8, U"\u00ff\u00ff", false, {{1, 2}, {1, 4}}},
      // latin1+utf16 (UTF-16 tagged) to utf8 is the utf16 case
      {StringEncoding::Latin1Utf16,
       StringEncoding::Utf8,
       U"\u03a3",
       false,
       {{1, 1}, {1, 3}, {1, 2}}},
      // store_utf8_to_utf16: 2n, then shrink
      {StringEncoding::Utf8, StringEncoding::Utf16, U"\u00e0\u00e0", false, {{2, 8}, {2, 4}}},
      {StringEncoding::Utf8, StringEncoding::Utf16, U"ab", false, {{2, 4}}},
      // store_string_to_latin1_or_utf16 from utf8 and from utf16
      {StringEncoding::Utf8,
       StringEncoding::Latin1Utf16,
       U"\u00cb\u251b",
       false,
       {{2, 5}, {2, 10}, {2, 4}}},
      {StringEncoding::Utf8, StringEncoding::Latin1Utf16, U"\u00cb", false, {{2, 2}, {2, 1}}},
      {StringEncoding::Utf16, StringEncoding::Latin1Utf16, U"A\u03a3", false, {{2, 2}, {2, 4}}},
      {StringEncoding::Utf16, StringEncoding::Latin1Utf16, U"Ab", false, {{2, 2}}},
      // store_probably_utf16_to_latin1_or_utf16: UTF-16 size, deflated to Latin-1 if it fits
      // (the shrink keeps alignment 2, as Wasmtime does; the spec says 1: see strings.cc)
      {StringEncoding::Latin1Utf16, StringEncoding::Latin1Utf16, U"A\u03a3", false, {{2, 4}}},
      {StringEncoding::Latin1Utf16,
       StringEncoding::Latin1Utf16,
       U"A\u00e9",
       true,
       {{2, 4}, {2, 2}}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(name(r.src)) + " -> " + name(r.dst) + ": " + to_utf8(r.text));
    Val v = lift_from(r.src, r.text, r.force_utf16);
    TestContext b(4096, r.dst);
    api::Result<std::pair<uint32_t, uint32_t>> got = lower_str(b, v);
    ASSERT_TRUE(got.ok()) << got.error().message;
    std::vector<std::pair<uint32_t, uint32_t>> sizes;
    for (const ReallocCall& c : b.calls) sizes.emplace_back(c.align, c.new_size);
    EXPECT_EQ(sizes, r.sizes);
    EXPECT_EQ(lifted(b, got->first, got->second), to_utf8(r.text));
  }
}

// A realloc placing each block flush against the end of memory (optionally one alignment step
// further, past the end), copying the old contents like a real realloc.
std::function<api::Result<uint32_t>(const ReallocCall&)> at_end(TestContext& cx, bool past) {
  return [&cx, past](const ReallocCall& c) -> api::Result<uint32_t> {
    uint64_t end = cx.mem.size();
    uint64_t p = (end - c.new_size) / c.align * c.align + (past ? c.align : 0);
    if (c.old_ptr != 0 && p + std::min(c.old_size, c.new_size) <= end)
      std::memmove(cx.mem.data() + p, cx.mem.data() + c.old_ptr, std::min(c.old_size, c.new_size));
    return static_cast<uint32_t>(p);
  };
}

TEST(AbiStrings, AllNinePairsAtTheEndOfMemory) {
  const std::u32string samples[] = {U"abcd", U"h\u00f6\u2603\U0001F370", U"\u00ff\u00e9x",
                                    U"\u00cb\u251b"};
  for (StringEncoding src : kEncodings) {
    for (StringEncoding dst : kEncodings) {
      for (const std::u32string& cps : samples) {
        SCOPED_TRACE(std::string(name(src)) + " -> " + name(dst) + ": " + to_utf8(cps));
        Val v = lift_from(src, cps);
        // The string lands ending exactly at the last byte.
        TestContext b(256, dst);
        b.custom = at_end(b, false);
        api::Result<std::pair<uint32_t, uint32_t>> r = lower_str(b, v);
        ASSERT_TRUE(r.ok()) << r.error().message;
        Encoded want = encode(dst, cps);
        // (A 2-aligned block of odd size stops one byte short.)
        EXPECT_LE(256 - (r->first + want.bytes.size()), 1u);
        EXPECT_EQ(b.bytes(r->first, want.bytes.size()), want.bytes);
        // One step further: the first allocation that does not fit traps, in either wording.
        for (TrapWording w : {TrapWording::Host, TrapWording::Adapter}) {
          TestContext c(256, dst);
          c.wording = w;
          c.custom = at_end(c, true);
          EXPECT_EQ(trap_message(lower_str(c, v)), w == TrapWording::Host
                                                       ? "realloc return: beyond end of memory"
                                                       : "string content out-of-bounds");
          EXPECT_EQ(c.calls.size(), 1u);
        }
      }
    }
  }
}

TEST(AbiStrings, SourceRunningPastItsMemoryTrapsBeforeAnyAllocation) {
  // string-transcode-invalid.wast: 8 UTF-16 code units fill the last 16 bytes; claiming 10 reads
  // past the end.
  for (StringEncoding src : kEncodings) {
    TestContext a(65536, src);
    a.wording = TrapWording::Adapter;
    uint32_t unit = src == StringEncoding::Utf8 ? 1 : 2;
    uint32_t tag = src == StringEncoding::Latin1Utf16 ? kTag : 0;
    EXPECT_EQ(trap_message(lift_str(a, 65536 - 16, (16 / unit + 2) | tag)),
              "string content out-of-bounds");
    EXPECT_TRUE(lift_str(a, 65536 - 16, (16 / unit) | tag).ok());
  }
}

TEST(AbiStrings, StringsInsideCompoundValues) {
  TestContext a(4096, StringEncoding::Utf16);
  ac::Type t = ac::record_type({{"name", kString}, {"tags", ac::list_type(kString)}});
  Val v = Val::record(
      {{"name", Val::string("Zoë")}, {"tags", Val::list({Val::string("α"), Val::string("🍰")})}});
  uint32_t at = a.bump(4, elem_size(t));
  ASSERT_TRUE(store(a, v, t, at).ok());
  api::Result<Val> back = load(a, at, t);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, v);
  // Transcode the whole record into a latin1+utf16 guest.
  TestContext b(4096, StringEncoding::Latin1Utf16);
  uint32_t bt = b.bump(4, elem_size(t));
  ASSERT_TRUE(store(b, *back, t, bt).ok());
  EXPECT_EQ(b.get32(bt + 4), 3u);  // "Zoë" fits Latin-1
  api::Result<Val> again = load(b, bt, t);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, v);
}

}  // namespace
}  // namespace hull::component
