// Byte-level tests of decode_module: every section, its encodings, and malformed inputs.
#include "binary/decoder.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <string>
#include <vector>

namespace hull {
namespace {

using B = std::vector<uint8_t>;

B bytes(std::initializer_list<int> l) {
  B v;
  for (int b : l) v.push_back(static_cast<uint8_t>(b));
  return v;
}

void append(B* out, const B& more) { out->insert(out->end(), more.begin(), more.end()); }

B leb(uint64_t v) {
  B out;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}

B str(const std::string& s) {
  B out = leb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

// Builds a module binary section by section.
struct ModuleBuilder {
  B out = bytes({0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00});
  ModuleBuilder& section(int id, const B& contents) {
    out.push_back(static_cast<uint8_t>(id));
    append(&out, leb(contents.size()));
    append(&out, contents);
    return *this;
  }
  ModuleBuilder& raw(const B& b) {
    append(&out, b);
    return *this;
  }
};

Result<ModuleDesc> decode(const B& b) { return decode_module(b); }

std::string error_of(const B& b) {
  auto r = decode(b);
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  return r.error().message;
}

const B kType0 = bytes({0x01, 0x60, 0x00, 0x00});  // one type: [] -> []

TEST(Decoder, EmptyModule) {
  auto r = decode(ModuleBuilder().out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->bytes.size(), 8u);
  EXPECT_TRUE(r->types.empty());
}

TEST(Decoder, Header) {
  EXPECT_EQ(error_of(bytes({})), "unexpected end");
  EXPECT_EQ(error_of(bytes({0x00, 0x61, 0x73})), "unexpected end");
  EXPECT_EQ(error_of(bytes({0x00, 0x61, 0x73, 0x6D})), "unexpected end");
  EXPECT_EQ(error_of(bytes({0x00, 0x41, 0x53, 0x4D, 1, 0, 0, 0})), "magic header not detected");
  EXPECT_EQ(error_of(bytes({0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0})), "unknown binary version");
}

TEST(Decoder, SectionIdsAndOrder) {
  EXPECT_EQ(error_of(ModuleBuilder().section(14, {}).out), "malformed section id");
  EXPECT_EQ(error_of(ModuleBuilder().raw(bytes({0x80, 0x00})).out), "malformed section id");
  // Duplicate and out-of-order sections.
  EXPECT_EQ(error_of(ModuleBuilder().section(1, kType0).section(1, kType0).out),
            "unexpected content after last section");
  EXPECT_EQ(error_of(ModuleBuilder().section(3, bytes({0})).section(1, kType0).out),
            "unexpected content after last section");
  // Tag (13) goes between memory (5) and global (6); data count (12) between elem and code.
  EXPECT_TRUE(decode(ModuleBuilder()
                         .section(1, kType0)
                         .section(5, bytes({0}))
                         .section(13, bytes({0}))
                         .section(6, bytes({0}))
                         .section(12, bytes({0}))
                         .section(10, bytes({0}))
                         .out)
                  .ok());
  EXPECT_EQ(error_of(ModuleBuilder().section(6, bytes({0})).section(13, bytes({0})).out),
            "unexpected content after last section");
  EXPECT_EQ(error_of(ModuleBuilder().section(10, bytes({0})).section(12, bytes({0})).out),
            "unexpected content after last section");
}

TEST(Decoder, SectionSizes) {
  // Declared size larger than what follows.
  EXPECT_EQ(error_of(ModuleBuilder().raw(bytes({0x01, 0x10, 0x00})).out), "length out of bounds");
  // Contents shorter than declared (type section of size 2 with one-byte contents + junk).
  EXPECT_EQ(error_of(ModuleBuilder().raw(bytes({0x01, 0x02, 0x00, 0x00})).out),
            "section size mismatch");
  // Contents longer than declared.
  EXPECT_EQ(error_of(ModuleBuilder().raw(bytes({0x01, 0x01, 0x01, 0x60, 0x00, 0x00})).out),
            "section size mismatch");
}

TEST(Decoder, CustomSections) {
  B contents = str("hello");
  append(&contents, bytes({1, 2, 3}));
  auto r = decode(ModuleBuilder()
                      .section(0, contents)
                      .section(1, kType0)
                      .section(0, str("x"))
                      .out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->customs.size(), 2u);
  EXPECT_EQ(r->customs[0].name, "hello");
  EXPECT_EQ(r->customs[0].contents.size(), 3u);
  EXPECT_EQ(r->bytes[r->customs[0].contents.begin], 1);
  EXPECT_EQ(r->customs[1].name, "x");
  EXPECT_EQ(r->customs[1].contents.size(), 0u);
  // Custom section names must be UTF-8.
  EXPECT_EQ(error_of(ModuleBuilder().section(0, bytes({0x01, 0xFF})).out),
            "malformed UTF-8 encoding");
  // Empty custom section: no room for a name.
  EXPECT_EQ(error_of(ModuleBuilder().raw(bytes({0x00, 0x00})).out).substr(0, 14),
            "unexpected end");
  // Name longer than the section.
  EXPECT_EQ(error_of(ModuleBuilder().raw(bytes({0x00, 0x01, 0x02, 'a', 'b'})).out).substr(0, 14),
            "unexpected end");
}

TEST(Decoder, NameSection) {
  B names;
  B module_sub = str("mod");
  names.push_back(0);
  append(&names, leb(module_sub.size()));
  append(&names, module_sub);
  B func_sub = bytes({0x02, 0x00});
  append(&func_sub, str("f0"));
  func_sub.push_back(0x01);
  append(&func_sub, str("f1"));
  names.push_back(1);
  append(&names, leb(func_sub.size()));
  append(&names, func_sub);
  names.push_back(2);  // local names: skipped
  append(&names, leb(1));
  names.push_back(0);
  B contents = str("name");
  append(&contents, names);
  auto r = decode(ModuleBuilder().section(0, contents).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->module_name, "mod");
  ASSERT_EQ(r->func_names.size(), 2u);
  EXPECT_EQ(r->func_names[0], "f0");
  EXPECT_EQ(r->func_names[1], "f1");

  // A malformed name section is ignored, not an error.
  B bad = str("name");
  append(&bad, bytes({0x01, 0x05, 0x03, 0x00, 0x01, 0xFF}));
  r = decode(ModuleBuilder().section(0, bad).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->func_names.empty());
}

TEST(Decoder, FuncTypes) {
  B t = bytes({0x02, 0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D, 0x60, 0x01, 0x7B, 0x02, 0x7C, 0x70});
  auto r = decode(ModuleBuilder().section(1, t).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->types.size(), 2u);
  const SubType& a = r->types[0];
  EXPECT_EQ(a.kind, CompositeKind::Func);
  EXPECT_TRUE(a.final);
  EXPECT_TRUE(a.supers.empty());
  EXPECT_EQ(a.func.params, (std::vector<ValType>{ValType::i32(), ValType::i64()}));
  EXPECT_EQ(a.func.results, (std::vector<ValType>{ValType::f32()}));
  EXPECT_EQ(a.rec_group, 0u);
  EXPECT_EQ(a.rec_size, 1u);
  EXPECT_EQ(r->types[1].func.params, (std::vector<ValType>{ValType::v128()}));
  EXPECT_EQ(r->types[1].func.results, (std::vector<ValType>{ValType::f64(), ValType::funcref()}));
  EXPECT_EQ(r->types[1].rec_group, 1u);
}

TEST(Decoder, AllReferenceTypeShorthands) {
  struct Case {
    int byte;
    HeapKind heap;
  } cases[] = {
      {0x70, HeapKind::Func},   {0x6F, HeapKind::Extern},   {0x6E, HeapKind::Any},
      {0x6D, HeapKind::Eq},     {0x6C, HeapKind::I31},      {0x6B, HeapKind::Struct},
      {0x6A, HeapKind::Array},  {0x69, HeapKind::Exn},      {0x71, HeapKind::None},
      {0x73, HeapKind::NoFunc}, {0x72, HeapKind::NoExtern}, {0x74, HeapKind::NoExn},
  };
  for (const Case& c : cases) {
    auto r = decode(ModuleBuilder().section(1, bytes({0x01, 0x60, 0x01, c.byte, 0x00})).out);
    ASSERT_TRUE(r.ok()) << c.byte;
    EXPECT_EQ(r->types[0].func.params[0], ValType::ref(c.heap, true)) << c.byte;
    // (ref ht) / (ref null ht) with the abstract heap type.
    r = decode(ModuleBuilder().section(1, bytes({0x01, 0x60, 0x02, 0x64, c.byte, 0x63, c.byte,
                                                  0x00})).out);
    ASSERT_TRUE(r.ok()) << c.byte;
    EXPECT_EQ(r->types[0].func.params[0], ValType::ref(c.heap, false)) << c.byte;
    EXPECT_EQ(r->types[0].func.params[1], ValType::ref(c.heap, true)) << c.byte;
  }
}

TEST(Decoder, ConcreteRefTypesAndErrors) {
  // (ref null 200): the index as a multi-byte s33.
  auto r =
      decode(ModuleBuilder().section(1, bytes({0x01, 0x60, 0x01, 0x63, 0xC8, 0x01, 0x00})).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->types[0].func.params[0], ValType::ref(HeapKind::Concrete, true, 200));
  // (ref 0)
  r = decode(ModuleBuilder().section(1, bytes({0x01, 0x60, 0x01, 0x64, 0x00, 0x00})).out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->types[0].func.params[0], ValType::ref(HeapKind::Concrete, false, 0));
  EXPECT_EQ(error_of(ModuleBuilder().section(1, bytes({0x01, 0x60, 0x01, 0x40, 0x00})).out),
            "malformed reference type");
  EXPECT_EQ(error_of(ModuleBuilder().section(1, bytes({0x01, 0x60, 0x01, 0x63, 0x7F, 0x00})).out),
            "malformed heap type");
  EXPECT_EQ(error_of(ModuleBuilder().section(1, bytes({0x01, 0x5D, 0x00})).out),
            "malformed definition type");
}

TEST(Decoder, GcTypesAndRecGroups) {
  B t = bytes({
      0x03,                    // 3 entries
      0x4E, 0x02,              // rec group of 2
      0x50, 0x00,              // sub (no supers)
      0x5F, 0x03,              // struct, 3 fields
      0x78, 0x00,              //   i8 const
      0x77, 0x01,              //   i16 mut
      0x63, 0x01, 0x01,        //   (ref null 1) mut
      0x4F, 0x01, 0x00,        // sub final, super 0
      0x5F, 0x00,              // struct {}
      0x5E, 0x7F, 0x01,        // array (mut i32)
      0x4E, 0x00,              // empty rec group
  });
  auto r = decode(ModuleBuilder().section(1, t).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->types.size(), 3u);
  const SubType& s = r->types[0];
  EXPECT_EQ(s.kind, CompositeKind::Struct);
  EXPECT_FALSE(s.final);
  ASSERT_EQ(s.fields.size(), 3u);
  EXPECT_EQ(s.fields[0].packed, Packed::I8);
  EXPECT_FALSE(s.fields[0].mut);
  EXPECT_EQ(s.fields[1].packed, Packed::I16);
  EXPECT_TRUE(s.fields[1].mut);
  EXPECT_EQ(s.fields[2].packed, Packed::NotPacked);
  EXPECT_EQ(s.fields[2].type, ValType::ref(HeapKind::Concrete, true, 1));
  EXPECT_EQ(s.rec_group, 0u);
  EXPECT_EQ(s.rec_size, 2u);
  const SubType& s1 = r->types[1];
  EXPECT_TRUE(s1.final);
  EXPECT_EQ(s1.supers, std::vector<uint32_t>{0});
  EXPECT_EQ(s1.rec_group, 0u);
  EXPECT_EQ(s1.rec_size, 2u);
  const SubType& a = r->types[2];
  EXPECT_EQ(a.kind, CompositeKind::Array);
  ASSERT_EQ(a.fields.size(), 1u);
  EXPECT_TRUE(a.fields[0].mut);
  EXPECT_EQ(a.rec_group, 2u);
  EXPECT_EQ(a.rec_size, 1u);

  EXPECT_EQ(error_of(ModuleBuilder().section(1, bytes({0x01, 0x5E, 0x7F, 0x02})).out),
            "malformed mutability");
  EXPECT_EQ(error_of(ModuleBuilder().section(1, bytes({0x01, 0x5E, 0x76, 0x00})).out),
            "malformed storage type");
}

TEST(Decoder, ImportsFillIndexSpaces) {
  B imp = bytes({0x05});
  append(&imp, str("m"));
  append(&imp, str("f"));
  append(&imp, bytes({0x00, 0x00}));  // func type 0
  append(&imp, str("m"));
  append(&imp, str("t"));
  append(&imp, bytes({0x01, 0x70, 0x05, 0x01, 0x02}));  // table64 funcref 1..2
  append(&imp, str("m"));
  append(&imp, str("mem"));
  append(&imp, bytes({0x02, 0x03, 0x01, 0x02}));  // shared memory 1..2
  append(&imp, str("m"));
  append(&imp, str("g"));
  append(&imp, bytes({0x03, 0x7E, 0x01}));  // mut i64
  append(&imp, str("m"));
  append(&imp, str("e"));
  append(&imp, bytes({0x04, 0x00, 0x00}));  // tag type 0
  auto r = decode(ModuleBuilder().section(1, kType0).section(2, imp).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->imports.size(), 5u);
  EXPECT_EQ(r->imports[2].name, "mem");
  EXPECT_EQ(r->num_imported_funcs, 1u);
  EXPECT_EQ(r->num_imported_tables, 1u);
  EXPECT_EQ(r->num_imported_memories, 1u);
  EXPECT_EQ(r->num_imported_globals, 1u);
  EXPECT_EQ(r->num_imported_tags, 1u);
  EXPECT_EQ(r->func_types, std::vector<uint32_t>{0});
  EXPECT_TRUE(r->tables[0].limits.is64);
  EXPECT_EQ(r->tables[0].limits.min, 1u);
  EXPECT_EQ(r->tables[0].limits.max, std::optional<uint64_t>(2));
  EXPECT_TRUE(r->memories[0].limits.shared);
  EXPECT_FALSE(r->memories[0].limits.is64);
  EXPECT_EQ(r->globals[0].type, ValType::i64());
  EXPECT_TRUE(r->globals[0].mut);
  EXPECT_EQ(r->tags, std::vector<uint32_t>{0});

  B bad = bytes({0x01});
  append(&bad, str("m"));
  append(&bad, str("x"));
  bad.push_back(0x05);
  EXPECT_EQ(error_of(ModuleBuilder().section(2, bad).out), "malformed import kind");
  B badtag = bytes({0x01});
  append(&badtag, str("m"));
  append(&badtag, str("x"));
  append(&badtag, bytes({0x04, 0x01, 0x00}));
  EXPECT_EQ(error_of(ModuleBuilder().section(2, badtag).out), "zero byte expected");
  B badname = bytes({0x01, 0x01, 0xC0});
  EXPECT_EQ(error_of(ModuleBuilder().section(2, badname).out), "malformed UTF-8 encoding");
}

TEST(Decoder, TablesAndMemories) {
  // Plain table; table with an initializer (0x40 0x00 form).
  B tables = bytes({0x02, 0x6F, 0x00, 0x03, 0x40, 0x00, 0x64, 0x70, 0x00, 0x01, 0xD2, 0x00, 0x0B});
  auto r = decode(ModuleBuilder().section(4, tables).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->defined_tables.size(), 2u);
  EXPECT_EQ(r->tables[0].elem, ValType::externref());
  EXPECT_EQ(r->tables[0].limits.min, 3u);
  EXPECT_FALSE(r->defined_tables[0].init.has_value());
  ASSERT_TRUE(r->defined_tables[1].init.has_value());
  EXPECT_EQ(r->defined_tables[1].type.elem, ValType::ref(HeapKind::Func, false));
  EXPECT_EQ(r->defined_tables[1].init->size(), 3u);  // ref.func 0, end
  EXPECT_EQ(r->bytes[r->defined_tables[1].init->end - 1], 0x0B);

  B mems = bytes({0x04, 0x00, 0x01, 0x01, 0x01, 0x02, 0x04, 0x80, 0x80, 0x04, 0x05, 0x00, 0x00});
  r = decode(ModuleBuilder().section(5, mems).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->memories.size(), 4u);
  EXPECT_EQ(r->memories[0].limits.min, 1u);
  EXPECT_FALSE(r->memories[0].limits.max);
  EXPECT_EQ(r->memories[1].limits.max, std::optional<uint64_t>(2));
  EXPECT_TRUE(r->memories[2].limits.is64);
  EXPECT_EQ(r->memories[2].limits.min, 65536u);
  EXPECT_TRUE(r->memories[3].limits.is64);
  EXPECT_EQ(r->memories[3].page_size_log2, 16u);

  EXPECT_EQ(error_of(ModuleBuilder().section(5, bytes({0x01, 0x10, 0x00})).out),
            "malformed limits flags");
  EXPECT_EQ(error_of(ModuleBuilder().section(4, bytes({0x01, 0x70, 0x02, 0x00})).out),
            "malformed limits flags");  // tables cannot be shared
  EXPECT_EQ(error_of(ModuleBuilder().section(4, bytes({0x01, 0x70, 0x08, 0x00, 0x00})).out),
            "malformed limits flags");  // nor have a page size
  EXPECT_EQ(error_of(ModuleBuilder().section(4, bytes({0x01, 0x40, 0x01, 0x70, 0x00, 0x00,
                                                        0x0B})).out),
            "malformed reference type");
  // Memory limits are u64 even for 32-bit memories (range checks are validation).
  r = decode(ModuleBuilder().section(5, bytes({0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10})).out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->memories[0].limits.min, uint64_t(1) << 32);
}

// custom-page-sizes: limits flag 0x08, then the page size's exponent (u32) after the limits.
TEST(Decoder, MemoryPageSizes) {
  auto r = decode(ModuleBuilder()
                      .section(5, bytes({0x03, 0x08, 0x02, 0x00,          // 2 pages of 1 byte
                                         0x09, 0x01, 0x05, 0x10,          // 1..5 of 64 KiB
                                         0x0C, 0x00, 0x85, 0x80, 0x00}))  // i64, 2^5 (overlong)
                      .out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->memories.size(), 3u);
  EXPECT_EQ(r->memories[0].page_size_log2, 0u);
  EXPECT_EQ(r->memories[0].limits.min, 2u);
  EXPECT_EQ(r->memories[1].page_size_log2, 16u);
  EXPECT_EQ(r->memories[1].limits.max, std::optional<uint64_t>(5));
  EXPECT_TRUE(r->memories[2].limits.is64);
  EXPECT_EQ(r->memories[2].page_size_log2, 5u);  // decodes; validation allows only 0 and 16

  // An exponent of 64 or more is no page size at all: malformed, at the exponent's offset.
  // Header (8) + section id and size (2) + count (1) + flags and minimum (2) = 13.
  r = decode(ModuleBuilder().section(5, bytes({0x01, 0x08, 0x00, 0x40})).out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(r.error().message, "invalid custom page size");
  EXPECT_EQ(r.error().offset, 13u);
  EXPECT_EQ(error_of(ModuleBuilder().section(5, bytes({0x01, 0x08, 0x00, 0x41})).out),
            "invalid custom page size");
  // 2^63 bytes is a size, if not an allowed one: exponent 63 decodes (validation rejects it).
  EXPECT_EQ(error_of(ModuleBuilder().section(5, bytes({0x01, 0x08, 0x00, 0x3F})).out), "<ok>");
  // The flag promises a page size: a missing one is the end of the section.
  EXPECT_EQ(error_of(ModuleBuilder().section(5, bytes({0x01, 0x08, 0x00})).out),
            "unexpected end of section or function");
  // An entry that ends right after the flag names it (core binary.wast predates the flag).
  EXPECT_EQ(error_of(ModuleBuilder().section(5, bytes({0x01, 0x08})).out),
            "unexpected end of section or function: memory limits flag 0x08 (custom page size) "
            "announces a minimum and a page size");
}

TEST(Decoder, GlobalsAndConstExprs) {
  B globals = bytes({
      0x04,
      0x7F, 0x00, 0x41, 0x7F, 0x0B,                    // i32 const: i32.const -1
      0x7E, 0x01, 0x42, 0x01, 0x42, 0x02, 0x7C, 0x0B,  // mut i64: 1 + 2
      0x7B, 0x00, 0xFD, 0x0C,                          // v128.const ...
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x0B,
      0x63, 0x00, 0x00, 0xFB, 0x01, 0x00, 0x0B,        // (ref null 0): struct.new_default 0
  });
  auto r = decode(ModuleBuilder().section(1, bytes({0x01, 0x5F, 0x00})).section(6, globals).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->defined_globals.size(), 4u);
  EXPECT_EQ(r->defined_globals[0].init.size(), 3u);
  EXPECT_EQ(r->defined_globals[1].init.size(), 6u);
  EXPECT_TRUE(r->defined_globals[1].type.mut);
  EXPECT_EQ(r->defined_globals[2].init.size(), 19u);
  EXPECT_EQ(r->defined_globals[3].init.size(), 4u);
  EXPECT_EQ(r->globals.size(), 4u);

  EXPECT_EQ(error_of(ModuleBuilder().section(6, bytes({0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B})).out),
            "malformed mutability");
  EXPECT_EQ(error_of(ModuleBuilder().section(6, bytes({0x01, 0x7F, 0x00, 0x41, 0x00})).out)
                .substr(0, 14),
            "unexpected end");
  EXPECT_EQ(error_of(ModuleBuilder().section(6, bytes({0x01, 0x7F, 0x00, 0xFF, 0x0B})).out),
            "illegal opcode ff");
  EXPECT_EQ(error_of(ModuleBuilder().section(6, bytes({0x01, 0x7F, 0x00, 0x05, 0x0B})).out),
            "END opcode expected");
  // A nested block (not constant, but the decoder only finds the extent).
  r = decode(ModuleBuilder()
                 .section(6, bytes({0x01, 0x7F, 0x00, 0x02, 0x7F, 0x41, 0x00, 0x0B, 0x0B}))
                 .out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->defined_globals[0].init.size(), 6u);
}

TEST(Decoder, ExportsAndStart) {
  B exps = bytes({0x02});
  append(&exps, str("f"));
  append(&exps, bytes({0x00, 0x00}));
  append(&exps, str("tag"));
  append(&exps, bytes({0x04, 0x03}));
  auto r = decode(ModuleBuilder().section(7, exps).section(8, bytes({0x05})).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->exports.size(), 2u);
  EXPECT_EQ(r->exports[1].name, "tag");
  EXPECT_EQ(r->exports[1].kind, ExternKind::Tag);
  EXPECT_EQ(r->exports[1].index, 3u);
  EXPECT_EQ(r->start, std::optional<uint32_t>(5));
  B bad = bytes({0x01});
  append(&bad, str("f"));
  append(&bad, bytes({0x05, 0x00}));
  EXPECT_EQ(error_of(ModuleBuilder().section(7, bad).out), "malformed export kind");
}

TEST(Decoder, ElemSegmentsAllEncodings) {
  B elems = bytes({
      0x08,
      0x00, 0x41, 0x00, 0x0B, 0x02, 0x00, 0x01,              // 0: active t0, funcs
      0x01, 0x00, 0x01, 0x02,                                // 1: passive, elemkind, funcs
      0x02, 0x01, 0x41, 0x01, 0x0B, 0x00, 0x01, 0x00,        // 2: active t1, elemkind, funcs
      0x03, 0x00, 0x00,                                      // 3: declarative, no funcs
      0x04, 0x41, 0x00, 0x0B, 0x01, 0xD0, 0x70, 0x0B,        // 4: active t0, exprs
      0x05, 0x6F, 0x01, 0xD0, 0x6F, 0x0B,                    // 5: passive externref exprs
      0x06, 0x02, 0x41, 0x00, 0x0B, 0x70, 0x01, 0xD2, 0x00, 0x0B,  // 6: active t2, exprs
      0x07, 0x64, 0x70, 0x00,                                // 7: declarative (ref func)
  });
  auto r = decode(ModuleBuilder().section(9, elems).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->elems.size(), 8u);
  const auto& e = r->elems;
  EXPECT_EQ(e[0].mode, SegmentMode::Active);
  EXPECT_EQ(e[0].table, 0u);
  EXPECT_EQ(e[0].offset.size(), 3u);
  EXPECT_EQ(e[0].func_indices, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(e[0].type, ValType::ref(HeapKind::Func, false));
  EXPECT_EQ(e[1].mode, SegmentMode::Passive);
  EXPECT_EQ(e[1].func_indices, (std::vector<uint32_t>{2}));
  EXPECT_EQ(e[2].mode, SegmentMode::Active);
  EXPECT_EQ(e[2].table, 1u);
  EXPECT_EQ(e[3].mode, SegmentMode::Declarative);
  EXPECT_EQ(e[3].count(), 0u);
  EXPECT_TRUE(e[4].uses_exprs);
  EXPECT_EQ(e[4].type, ValType::funcref());
  EXPECT_EQ(e[4].exprs.size(), 1u);
  EXPECT_EQ(e[4].exprs[0].size(), 3u);
  EXPECT_EQ(e[5].mode, SegmentMode::Passive);
  EXPECT_EQ(e[5].type, ValType::externref());
  EXPECT_EQ(e[6].table, 2u);
  EXPECT_EQ(e[6].type, ValType::funcref());
  EXPECT_EQ(e[7].mode, SegmentMode::Declarative);
  EXPECT_EQ(e[7].type, ValType::ref(HeapKind::Func, false));

  EXPECT_EQ(error_of(ModuleBuilder().section(9, bytes({0x01, 0x08})).out),
            "malformed elements segment kind");
  EXPECT_EQ(error_of(ModuleBuilder().section(9, bytes({0x01, 0x01, 0x01, 0x00})).out),
            "malformed element kind");
  EXPECT_EQ(error_of(ModuleBuilder().section(9, bytes({0x01, 0x05, 0x7F, 0x00})).out),
            "malformed reference type");
}

TEST(Decoder, DataSegmentsAndCount) {
  B datas = bytes({
      0x03,
      0x00, 0x41, 0x08, 0x0B, 0x02, 'h', 'i',   // active mem 0
      0x01, 0x03, 'a', 'b', 'c',                // passive
      0x02, 0x01, 0x41, 0x00, 0x0B, 0x00,       // active mem 1, empty
  });
  auto r = decode(ModuleBuilder().section(12, bytes({0x03})).section(11, datas).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->datas.size(), 3u);
  EXPECT_EQ(r->data_count, std::optional<uint32_t>(3));
  EXPECT_EQ(r->datas[0].mode, SegmentMode::Active);
  EXPECT_EQ(r->datas[0].init.size(), 2u);
  EXPECT_EQ(r->bytes[r->datas[0].init.begin], 'h');
  EXPECT_EQ(r->datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(r->datas[1].init.size(), 3u);
  EXPECT_EQ(r->datas[2].memory, 1u);
  EXPECT_EQ(r->datas[2].init.size(), 0u);

  EXPECT_EQ(error_of(ModuleBuilder().section(12, bytes({0x02})).section(11, datas).out),
            "data count and data section have inconsistent lengths");
  EXPECT_EQ(error_of(ModuleBuilder().section(12, bytes({0x01})).out),
            "data count and data section have inconsistent lengths");
  EXPECT_EQ(error_of(ModuleBuilder().section(11, bytes({0x01, 0x03})).out),
            "malformed data segment kind");
  // No data count section: fine for the decoder (memory.init's rule is the validator's).
  EXPECT_TRUE(decode(ModuleBuilder().section(11, datas).out).ok());
}

TEST(Decoder, CodeSection) {
  B code = bytes({
      0x02,
      0x07, 0x02, 0x02, 0x7F, 0x01, 0x7E, 0x01, 0x0B,  // locals 2 x i32, 1 x i64; nop end
      0x02, 0x00, 0x0B,                                // no locals; end
  });
  auto r = decode(ModuleBuilder()
                      .section(1, kType0)
                      .section(3, bytes({0x02, 0x00, 0x00}))
                      .section(10, code)
                      .out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->bodies.size(), 2u);
  const FuncBody& b = r->bodies[0];
  ASSERT_EQ(b.locals.size(), 2u);
  EXPECT_EQ(b.locals[0].count, 2u);
  EXPECT_EQ(b.locals[0].type, ValType::i32());
  EXPECT_EQ(b.locals[1].type, ValType::i64());
  EXPECT_EQ(b.num_locals, 3u);
  EXPECT_EQ(b.code.size(), 2u);
  EXPECT_EQ(r->bytes[b.code.begin], 0x01);
  EXPECT_EQ(b.whole.size(), 7u);
  EXPECT_EQ(b.whole.end, b.code.end);
  EXPECT_EQ(r->bodies[1].code.size(), 1u);
  EXPECT_EQ(r->num_funcs(), 2u);
  EXPECT_EQ(r->func_type(1).params.size(), 0u);

  // Function and code counts must agree.
  EXPECT_EQ(error_of(ModuleBuilder().section(1, kType0).section(3, bytes({0x01, 0x00})).out),
            "function and code section have inconsistent lengths");
  EXPECT_EQ(error_of(ModuleBuilder().section(10, bytes({0x01, 0x02, 0x00, 0x0B})).out),
            "function and code section have inconsistent lengths");
  // Too many locals.
  B many = bytes({0x01, 0x08, 0x02, 0xC0, 0xBB, 0x01, 0x7F, 0x01, 0x7F, 0x0B});  // 24000+1
  EXPECT_TRUE(decode(ModuleBuilder().section(3, bytes({0x01, 0x00})).section(10, many).out).ok());
  B too_many = bytes({0x01, 0x08, 0x02, 0xD1, 0x86, 0x03, 0x7F, 0x01, 0x7F, 0x0B});  // 50001+1
  EXPECT_EQ(error_of(ModuleBuilder().section(3, bytes({0x01, 0x00})).section(10, too_many).out),
            "too many locals");
  // Missing final end.
  EXPECT_EQ(error_of(ModuleBuilder()
                         .section(3, bytes({0x01, 0x00}))
                         .section(10, bytes({0x01, 0x02, 0x00, 0x01}))
                         .out)
                .substr(0, 14),
            "unexpected end");
  // Missing end followed by more input: the reference decodes on into the next bytes.
  EXPECT_EQ(error_of(ModuleBuilder()
                         .section(3, bytes({0x02, 0x00, 0x00}))
                         .section(10, bytes({0x02, 0x02, 0x00, 0x01,  // body 0: nop, no end
                                             0x05, 0x00, 0x01, 0x01, 0x01, 0x0B}))
                         .out),
            "END opcode expected");
  EXPECT_EQ(error_of(ModuleBuilder()
                         .section(3, bytes({0x01, 0x00}))
                         .section(10, bytes({0x01, 0x02, 0x00, 0x01}))
                         .section(11, bytes({0x00}))
                         .out),
            "section size mismatch");
  // Local declarations running past the body.
  EXPECT_EQ(error_of(ModuleBuilder()
                         .section(3, bytes({0x01, 0x00}))
                         .section(10, bytes({0x01, 0x01, 0x01, 0x01, 0x7F, 0x0B}))
                         .out),
            "section size mismatch");
}

TEST(Decoder, TagSection) {
  auto r = decode(ModuleBuilder().section(1, kType0).section(13, bytes({0x02, 0x00, 0x00, 0x00,
                                                                        0x00})).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->tags, (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(error_of(ModuleBuilder().section(13, bytes({0x01, 0x01, 0x00})).out),
            "zero byte expected");
}

TEST(Decoder, LyingCountsDoNotAllocate) {
  // Counts far beyond the input must be rejected before any large reservation.
  for (int id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13}) {
    B contents = leb(0xFFFFFFFF);
    EXPECT_EQ(error_of(ModuleBuilder().section(id, contents).out), "length out of bounds") << id;
  }
  // A count that fits the remaining bytes but whose elements are absent.
  B contents = leb(2);
  append(&contents, bytes({0x60}));
  EXPECT_EQ(error_of(ModuleBuilder().section(1, contents).out).substr(0, 14), "unexpected end");
}

TEST(Decoder, DeepNestingDoesNotRecurse) {
  // A global initializer with 100000 nested blocks: no native recursion on input nesting.
  B g = bytes({0x01, 0x7F, 0x00});
  const int depth = 100000;
  for (int i = 0; i < depth; ++i) append(&g, bytes({0x02, 0x40}));
  for (int i = 0; i < depth; ++i) g.push_back(0x0B);
  g.push_back(0x0B);
  auto r = decode(ModuleBuilder().section(6, g).out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->defined_globals[0].init.size(), size_t(3 * depth + 1));
}

TEST(Decoder, MutatedInputsNeverCrash) {
  // A module touching most sections, then random byte edits, truncations and insertions.
  B exps = bytes({0x01});
  append(&exps, str("f"));
  append(&exps, bytes({0x00, 0x00}));
  ModuleBuilder mb;
  mb.section(1, bytes({0x02, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x4E, 0x01, 0x5F, 0x01, 0x78, 0x01}))
      .section(3, bytes({0x01, 0x00}))
      .section(4, bytes({0x01, 0x70, 0x00, 0x01}))
      .section(5, bytes({0x01, 0x01, 0x01, 0x02}))
      .section(6, bytes({0x01, 0x7F, 0x01, 0x41, 0x05, 0x0B}))
      .section(7, exps)
      .section(9, bytes({0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00}))
      .section(12, bytes({0x01}))
      .section(10, bytes({0x01, 0x06, 0x01, 0x01, 0x7F, 0x20, 0x00, 0x0B}))
      .section(11, bytes({0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x61}));
  const B base = mb.out;
  ASSERT_TRUE(decode(base).ok()) << decode(base).error().to_string();
  std::mt19937 rng(12345);
  int ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    B m = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      size_t pos = 8 + rng() % (m.size() - 8);
      switch (rng() % 4) {
        case 0: m[pos] = static_cast<uint8_t>(rng()); break;
        case 1: m[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 2: m.insert(m.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng())); break;
        case 3: m.resize(pos); break;
      }
      if (m.size() <= 8) break;
    }
    auto r = decode(m);
    if (r.ok()) {
      ++ok;
      // Every recorded range lies inside the bytes.
      for (const FuncBody& b : r->bodies) EXPECT_LE(b.code.end, r->bytes.size());
      for (const DataDesc& d : r->datas) EXPECT_LE(d.init.end, r->bytes.size());
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace hull
