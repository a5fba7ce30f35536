// Unit tests of the component binary decoder: hand-assembled components for each section and
// production of Binary.md, and malformed inputs with their exact message and byte offset.
#include "component/binary/decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace hull::component {
namespace {

using Bytes = std::vector<uint8_t>;

// ---- builders ----

Bytes leb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(b | (v ? 0x80 : 0));
  } while (v);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A name: LEB128 length + bytes.
Bytes str(const std::string& s) {
  Bytes out = leb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

Bytes section(uint8_t id, const Bytes& contents) {
  return cat({{id}, leb(contents.size()), contents});
}

// A vector section: count + items.
Bytes vec_section(uint8_t id, std::initializer_list<Bytes> items) {
  Bytes body = leb(items.size());
  for (const auto& i : items) body.insert(body.end(), i.begin(), i.end());
  return section(id, body);
}

const Bytes kPreamble = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
const Bytes kModulePreamble = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

Bytes component(std::initializer_list<Bytes> sections) {
  Bytes out = kPreamble;
  for (const auto& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// A core module exporting func "f" () -> ().
Bytes core_module_f() {
  return cat({kModulePreamble,
              {0x01, 0x04, 0x01, 0x60, 0x00, 0x00},
              {0x03, 0x02, 0x01, 0x00},
              {0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00},
              {0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b}});
}

std::shared_ptr<ComponentDesc> decode_ok(const Bytes& b) {
  auto r = decode_component(b);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : std::make_shared<ComponentDesc>();
}

void expect_error(const Bytes& b, const std::string& message, size_t offset) {
  auto r = decode_component(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(r.error().message, message);
  EXPECT_EQ(r.error().offset, offset) << r.error().to_string();
}

// ---- preamble ----

TEST(ComponentDecoder, Preamble) {
  EXPECT_TRUE(is_component(kPreamble));
  EXPECT_FALSE(is_component(kModulePreamble));
  EXPECT_FALSE(is_component(Bytes{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01}));
  auto c = decode_ok(kPreamble);
  EXPECT_TRUE(c->order.empty());
  EXPECT_EQ(c->begin, 0u);
  EXPECT_EQ(c->end, 8u);
  EXPECT_EQ(c->bytes->size(), 8u);

  expect_error({}, "unexpected end-of-file", 0);
  expect_error({0x00, 0x61, 0x73}, "unexpected end-of-file", 3);
  expect_error({0x00, 0x61, 0x73, 0x6d, 0x0d}, "unexpected end-of-file", 5);
  expect_error({0x00, 0x41, 0x53, 0x4d, 0x0d, 0x00, 0x01, 0x00},
               "magic header not detected: bad magic number", 0);
  expect_error({0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00}, "unknown binary version: 0x1000c",
               4);
  expect_error({0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x01},
               "unknown binary version: 0x101000d", 4);
  expect_error(kModulePreamble, "expected a version header for a component, found a core module",
               4);
}

// ---- sections in general ----

TEST(ComponentDecoder, SectionErrors) {
  expect_error(component({{0x0d, 0x00}}), "malformed section id: 13", 8);
  expect_error(component({{0xff}}), "malformed section id: 255", 8);
  expect_error(component({{0x00}}), "unexpected end-of-file", 9);
  expect_error(component({{0x07, 0x03, 0x00}}), "unexpected end-of-file", 11);
  // Section of 1 byte holding a count of 1 and nothing else: reading stops at its end.
  expect_error(component({{0x07, 0x01, 0x01, 0x73}}), "unexpected end-of-file", 11);
  // Trailing bytes after the last item.
  expect_error(component({{0x07, 0x03, 0x01, 0x73, 0x73}}),
               "section size mismatch: unexpected data at the end of the section", 12);
  expect_error(component({{0x07, 0x81, 0x80, 0x80, 0x80, 0x70, 0x00}}), "integer too large", 13);
  // A count larger than the section: out of input.
  expect_error(component({{0x07, 0x04, 0xbf, 0x84, 0x3d, 0x73}}), "unexpected end-of-file", 10);
  // Overlong but valid LEB128 section size.
  decode_ok(component({{0x07, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00}}));
}

TEST(ComponentDecoder, DefinitionOrderAcrossSections) {
  auto c =
      decode_ok(component({vec_section(7, {{0x73}}), vec_section(6, {{0x03, 0x02, 0x00, 0x00}}),
                           section(0, str("between")), vec_section(7, {{0x70, 0x01}})}));
  ASSERT_EQ(c->order.size(), 3u);
  EXPECT_EQ(c->order[0].kind, Definition::Kind::Type);
  EXPECT_EQ(c->order[0].index, 0u);
  EXPECT_EQ(c->order[1].kind, Definition::Kind::Alias);
  EXPECT_EQ(c->order[2].kind, Definition::Kind::Type);
  EXPECT_EQ(c->order[2].index, 1u);
  ASSERT_EQ(c->customs.size(), 1u);
  EXPECT_EQ(c->customs[0].name, "between");
}

// ---- custom sections and the name section ----

TEST(ComponentDecoder, CustomSections) {
  auto c = decode_ok(component({section(0, cat({str("hi"), {1, 2, 3}}))}));
  ASSERT_EQ(c->customs.size(), 1u);
  EXPECT_EQ(c->customs[0].name, "hi");
  EXPECT_EQ(c->customs[0].begin, 13u);
  EXPECT_EQ(c->customs[0].end, 16u);
  // A length running past the end is reported at the length.
  expect_error(component({{0x00, 0x03, 0x05, 0x61, 0x62}}), "unexpected end-of-file", 10);
  expect_error(component({{0x00, 0x03, 0x02, 0xff, 0xfe}}), "malformed UTF-8 encoding", 10);
}

TEST(ComponentDecoder, NameSection) {
  Bytes names = cat({str("component-name"), section(0, str("my-comp")),
                     section(1, cat({{0x01}, {0x02}, {0x00}, str("f0"), {0x03}, str("f3")})),
                     section(1, cat({{0x00, 0x11}, {0x01}, {0x00}, str("m")}))});
  auto c = decode_ok(component({section(0, names)}));
  EXPECT_EQ(c->name, "my-comp");
  ASSERT_EQ(c->sort_names.size(), 2u);
  EXPECT_EQ(c->sort_names[0].sort.sort, Sort::Func);
  ASSERT_EQ(c->sort_names[0].names.size(), 2u);
  EXPECT_EQ(c->sort_names[0].names[1].first, 3u);
  EXPECT_EQ(c->sort_names[0].names[1].second, "f3");
  EXPECT_EQ(c->sort_names[1].sort.sort, Sort::Core);
  EXPECT_EQ(c->sort_names[1].sort.core, CoreSort::Module);
  // Garbage is no error, it just names nothing.
  c = decode_ok(component({section(0, cat({str("component-name"), {0xff, 0xfe, 0x01}})),
                           section(0, cat({str("component-name"), {0x99}}))}));
  EXPECT_EQ(c->name, "");
  EXPECT_EQ(c->customs.size(), 2u);
}

// ---- core modules ----

TEST(ComponentDecoder, CoreModuleSection) {
  Bytes m = core_module_f();
  auto c = decode_ok(component({section(1, m)}));
  ASSERT_EQ(c->core_modules.size(), 1u);
  EXPECT_EQ(c->core_modules[0].begin, 10u);
  EXPECT_EQ(c->core_modules[0].end, 10u + m.size());
  ASSERT_NE(c->core_modules[0].module, nullptr);
  EXPECT_EQ(c->core_modules[0].module->exports.size(), 1u);
  EXPECT_EQ(c->core_modules[0].module->exports[0].name, "f");
  EXPECT_EQ(c->order[0].kind, Definition::Kind::CoreModule);

  expect_error(component({section(1, kPreamble)}), "expected a version header for a module", 14);
  // Type, data, then type again: wasmparser's wording, at the module offset + the section's.
  expect_error(
      component({section(
          1, cat({kModulePreamble, {0x01, 0x01, 0x00}, {0x0b, 0x01, 0x00}, {0x01, 0x01, 0x00}}))}),
      "section out of order", 10 + 14);
  expect_error(component({section(1, {0x00, 0x61})}), "unexpected end-of-file", 10 + 2);
}

// ---- core instances ----

TEST(ComponentDecoder, CoreInstanceSection) {
  auto c = decode_ok(component(
      {vec_section(2, {cat({{0x00, 0x00, 0x01}, str("env"), {0x12, 0x03}}),
                       cat({{0x01, 0x02}, str("f"), {0x00, 0x05}, str("m"), {0x02, 0x00}})})}));
  ASSERT_EQ(c->core_instances.size(), 2u);
  const auto& a = c->core_instances[0];
  EXPECT_TRUE(a.instantiate);
  EXPECT_EQ(a.module, 0u);
  ASSERT_EQ(a.args.size(), 1u);
  EXPECT_EQ(a.args[0].name, "env");
  EXPECT_EQ(a.args[0].instance, 3u);
  EXPECT_EQ(a.at, 11u);
  const auto& b = c->core_instances[1];
  EXPECT_FALSE(b.instantiate);
  ASSERT_EQ(b.exports.size(), 2u);
  EXPECT_EQ(b.exports[0].sort, CoreSort::Func);
  EXPECT_EQ(b.exports[0].index, 5u);
  EXPECT_EQ(b.exports[1].sort, CoreSort::Memory);

  expect_error(component({vec_section(2, {{0x02}})}),
               "invalid leading byte (0x2) for core instance", 11);
  expect_error(component({vec_section(2, {cat({{0x00, 0x00, 0x01}, str("a"), {0x00, 0x00}})})}),
               "invalid leading byte (0x0) for instantiation arg kind", 16);
  expect_error(component({vec_section(2, {cat({{0x01, 0x01}, str("a"), {0x11, 0x00}})})}),
               "invalid leading byte (0x11) for external kind", 15);
}

// ---- core types ----

TEST(ComponentDecoder, CoreTypeSection) {
  auto c = decode_ok(component({vec_section(3, {{0x60, 0x01, 0x7f, 0x00},
                                                {0x00, 0x50, 0x00, 0x60, 0x00, 0x00},
                                                {0x4e, 0x02, 0x5f, 0x00, 0x5e, 0x78, 0x01}})}));
  ASSERT_EQ(c->core_types.size(), 3u);
  EXPECT_EQ(c->core_types[0]->kind, CoreTypeDef::Kind::Rec);
  ASSERT_EQ(c->core_types[0]->rec.size(), 1u);
  EXPECT_EQ(c->core_types[0]->rec[0].func.params.size(), 1u);
  EXPECT_FALSE(c->core_types[1]->rec[0].final);
  ASSERT_EQ(c->core_types[2]->rec.size(), 2u);
  EXPECT_EQ(c->core_types[2]->rec[1].rec_group, 0u);
  EXPECT_EQ(c->core_types[2]->rec[1].rec_size, 2u);
  EXPECT_EQ(c->core_types[2]->rec[1].kind, CompositeKind::Array);

  expect_error(component({vec_section(3, {{0x00, 0x60, 0x00, 0x00}})}),
               "invalid leading byte (0x60) for non-final sub type", 12);
}

TEST(ComponentDecoder, CoreModuleType) {
  Bytes mt = cat({{0x50, 0x05},
                  {0x01, 0x60, 0x00, 0x00},                         // type: () -> ()
                  cat({{0x00}, str("a"), str("b"), {0x00, 0x00}}),  // import a.b (func 0)
                  cat({{0x00}, str("a"), str("m"), {0x02, 0x01, 0x01, 0x02}}),  // memory 1..2
                  {0x02, 0x10, 0x01, 0x01, 0x00},                 // outer alias type 1 0
                  cat({{0x03}, str("g"), {0x03, 0x7f, 0x01}})});  // export global (mut i32)
  auto c = decode_ok(component({vec_section(3, {mt})}));
  ASSERT_EQ(c->core_types.size(), 1u);
  const auto& t = *c->core_types[0];
  EXPECT_EQ(t.kind, CoreTypeDef::Kind::Module);
  ASSERT_EQ(t.module_decls.size(), 5u);
  EXPECT_EQ(t.module_decls[0].kind, CoreTypeDecl::Kind::Type);
  EXPECT_EQ(t.module_decls[0].type->rec[0].kind, CompositeKind::Func);
  EXPECT_EQ(t.module_decls[1].kind, CoreTypeDecl::Kind::Import);
  EXPECT_EQ(t.module_decls[1].module, "a");
  EXPECT_EQ(t.module_decls[1].name, "b");
  EXPECT_EQ(t.module_decls[1].extern_kind, ExternKind::Func);
  EXPECT_EQ(t.module_decls[2].extern_kind, ExternKind::Memory);
  EXPECT_EQ(t.module_decls[2].memory.limits.min, 1u);
  EXPECT_EQ(*t.module_decls[2].memory.limits.max, 2u);
  EXPECT_EQ(t.module_decls[3].kind, CoreTypeDecl::Kind::Alias);
  EXPECT_EQ(t.module_decls[3].outer_count, 1u);
  EXPECT_EQ(t.module_decls[4].kind, CoreTypeDecl::Kind::Export);
  EXPECT_EQ(t.module_decls[4].name, "g");
  EXPECT_TRUE(t.module_decls[4].global.mut);
  EXPECT_EQ(t.module_decls[4].at, 11u + 2 + 4 + 7 + 9 + 5);

  // Binary.md allows any core:type here; the validator rejects nested module types.
  c = decode_ok(component({vec_section(3, {{0x50, 0x01, 0x01, 0x50, 0x00}})}));
  EXPECT_EQ(c->core_types[0]->module_decls[0].type->kind, CoreTypeDef::Kind::Module);

  expect_error(component({vec_section(3, {{0x50, 0x01, 0x04, 0x60, 0x00, 0x00}})}),
               "invalid leading byte (0x4) for type definition", 13);
  expect_error(component({vec_section(3, {{0x50, 0x01, 0x02, 0x00, 0x01, 0x01, 0x00}})}),
               "invalid leading byte (0x0) for outer alias kind", 14);
  expect_error(component({vec_section(3, {{0x50, 0x01, 0x02, 0x10, 0x00, 0x01, 0x00}})}),
               "invalid leading byte (0x0) for outer alias target", 15);
  expect_error(component({vec_section(3, {cat({{0x50, 0x01, 0x00}, str("a"), str("b"), {0x07}})})}),
               "malformed import kind", 18);
}

// ---- nested components ----

TEST(ComponentDecoder, NestedComponents) {
  Bytes inner = component({vec_section(7, {{0x73}})});
  Bytes middle = component({section(4, inner)});
  auto c = decode_ok(component({section(4, middle), section(4, kPreamble)}));
  ASSERT_EQ(c->components.size(), 2u);
  const auto& m = *c->components[0];
  EXPECT_EQ(m.bytes, c->bytes);
  EXPECT_EQ(m.begin, 10u);
  EXPECT_EQ(m.end, 10u + middle.size());
  ASSERT_EQ(m.components.size(), 1u);
  EXPECT_EQ(m.components[0]->begin, 20u);
  EXPECT_EQ(m.components[0]->types.size(), 1u);
  EXPECT_EQ(c->components[1]->order.size(), 0u);

  expect_error(component({section(4, {0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00})}),
               "unknown binary version: 0x1000c", 14);
  expect_error(component({section(4, kModulePreamble)}),
               "expected a version header for a component", 14);
  // A nested component's sections end where the component section ends.
  expect_error(component({section(4, cat({kPreamble, {0x07, 0x02}})), {0x01, 0x73}}),
               "unexpected end-of-file", 20);
}

TEST(ComponentDecoder, NestingDepthIsBounded) {
  Bytes c = kPreamble;
  for (int i = 0; i < kMaxNestingDepth + 5; ++i) c = component({section(4, c)});
  auto r = decode_component(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_EQ(r.error().message, "nesting too deep");
  // Instance types nested in instance types: one level per type.
  Bytes t = {0x42, 0x00};
  for (int i = 0; i < kMaxNestingDepth + 5; ++i) t = cat({{0x42, 0x01, 0x01}, t});
  r = decode_component(component({vec_section(7, {t})}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_EQ(r.error().message, "nesting too deep");
  // Deep but allowed.
  t = {0x42, 0x00};
  for (int i = 0; i < 50; ++i) t = cat({{0x42, 0x01, 0x01}, t});
  decode_ok(component({vec_section(7, {t})}));
}

TEST(ComponentDecoder, ItemCountIsBounded) {
  Bytes types = leb(kMaxItems + 1);
  types.resize(types.size() + kMaxItems + 1, 0x73);
  auto r = decode_component(component({section(7, types)}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_EQ(r.error().message, "too many definitions");
}

// ---- instances ----

TEST(ComponentDecoder, InstanceSection) {
  auto c = decode_ok(component({vec_section(
      5, {cat({{0x00, 0x02, 0x02}, str("a"), {0x01, 0x07}, str("m"), {0x00, 0x11, 0x01}}),
          cat({{0x01, 0x01}, {0x00}, str("t"), {0x03, 0x04}})})}));
  ASSERT_EQ(c->instances.size(), 2u);
  const auto& a = c->instances[0];
  EXPECT_TRUE(a.instantiate);
  EXPECT_EQ(a.component, 2u);
  ASSERT_EQ(a.args.size(), 2u);
  EXPECT_EQ(a.args[0].item.sort, Sort::Func);
  EXPECT_EQ(a.args[0].item.index, 7u);
  EXPECT_EQ(a.args[1].item.sort, Sort::Core);
  EXPECT_EQ(a.args[1].item.core, CoreSort::Module);
  const auto& b = c->instances[1];
  EXPECT_FALSE(b.instantiate);
  ASSERT_EQ(b.exports.size(), 1u);
  EXPECT_EQ(b.exports[0].name.name, "t");
  EXPECT_EQ(b.exports[0].item.sort, Sort::Type);
  EXPECT_EQ(b.exports[0].item.index, 4u);

  expect_error(component({vec_section(5, {{0x02}})}), "invalid leading byte (0x2) for instance",
               11);
  expect_error(
      component({vec_section(5, {cat({{0x00, 0x00, 0x01}, str("a"), {0x00, 0x00, 0x00}})})}),
      "invalid leading byte (0x0) for component external kind", 17);
}

// ---- aliases ----

TEST(ComponentDecoder, AliasSection) {
  auto c = decode_ok(component({vec_section(6, {cat({{0x01, 0x00, 0x02}, str("f")}),
                                                cat({{0x00, 0x11, 0x00, 0x01}, str("m")}),
                                                cat({{0x00, 0x02, 0x01, 0x00}, str("mem")}),
                                                {0x00, 0x10, 0x02, 0x01, 0x03},
                                                {0x04, 0x02, 0x02, 0x05}})}));
  ASSERT_EQ(c->aliases.size(), 5u);
  EXPECT_EQ(c->aliases[0].target, Alias::Target::Export);
  EXPECT_EQ(c->aliases[0].sort.sort, Sort::Func);
  EXPECT_EQ(c->aliases[0].instance, 2u);
  EXPECT_EQ(c->aliases[0].name, "f");
  EXPECT_EQ(c->aliases[1].sort.core, CoreSort::Module);
  EXPECT_EQ(c->aliases[2].target, Alias::Target::CoreExport);
  EXPECT_EQ(c->aliases[2].sort.core, CoreSort::Memory);
  EXPECT_EQ(c->aliases[3].target, Alias::Target::Outer);
  EXPECT_EQ(c->aliases[3].sort.core, CoreSort::Type);
  EXPECT_EQ(c->aliases[3].outer_count, 1u);
  EXPECT_EQ(c->aliases[3].outer_index, 3u);
  EXPECT_EQ(c->aliases[4].sort.sort, Sort::Component);
  EXPECT_EQ(c->aliases[4].at, 11u + 5 + 6 + 8 + 5);

  expect_error(component({vec_section(6, {{0x03, 0x03, 0x00, 0x00}})}),
               "invalid leading byte (0x3) for alias", 12);
  expect_error(component({vec_section(6, {{0x06, 0x02, 0x00, 0x00}})}),
               "invalid leading byte (0x6) for component outer alias kind", 11);
  expect_error(component({vec_section(6, {{0x00, 0x13, 0x02, 0x00, 0x00}})}),
               "invalid leading byte (0x13) for component outer alias kind", 12);
  expect_error(component({vec_section(6, {{0x01, 0x02, 0x00, 0x00}})}),
               "invalid leading byte (0x1) for component outer alias kind", 11);
  expect_error(component({vec_section(6, {cat({{0x01, 0x01, 0x00}, str("f")})})}),
               "invalid leading byte (0x1) for core instance export kind", 11);
  expect_error(component({vec_section(6, {cat({{0x00, 0x05, 0x01, 0x00}, str("f")})})}),
               "invalid leading byte (0x5) for external kind", 12);
  expect_error(component({vec_section(6, {cat({{0x00, 0x00, 0x00, 0x00}, str("f")})})}),
               "invalid leading byte (0x0) for component external kind", 12);
}

// ---- types ----

TEST(ComponentDecoder, DefinedValueTypes) {
  auto c = decode_ok(component(
      {vec_section(7, {{0x7f},
                       {0x73},
                       {0x64},
                       cat({{0x72, 0x02}, str("a"), {0x7f}, str("b"), {0x05}}),
                       cat({{0x71, 0x02}, str("x"), {0x01, 0x7e, 0x00}, str("y"), {0x00, 0x00}}),
                       {0x70, 0x7b},
                       {0x67, 0x7d, 0x03},
                       {0x6f, 0x02, 0x7c, 0x79},
                       cat({{0x6e, 0x02}, str("f1"), str("f2")}),
                       cat({{0x6d, 0x01}, str("e")}),
                       {0x6b, 0x7a},
                       {0x6a, 0x01, 0x77, 0x00},
                       {0x6a, 0x00, 0x01, 0x78},
                       {0x69, 0x00},
                       {0x68, 0x01},
                       {0x66, 0x01, 0x7d},
                       {0x66, 0x00},
                       {0x65, 0x00},
                       {0x63, 0x73, 0x79},
                       {0x70, 0x80, 0x01}})}));
  using K = DefValType::Kind;
  const auto& t = c->types;
  ASSERT_EQ(t.size(), 20u);
  for (const auto& x : t) EXPECT_EQ(x->kind, TypeDef::Kind::Val);
  EXPECT_EQ(t[0]->val.prim, PrimValType::Bool);
  EXPECT_EQ(t[2]->val.prim, PrimValType::ErrorContext);
  EXPECT_EQ(t[3]->val.kind, K::Record);
  ASSERT_EQ(t[3]->val.fields.size(), 2u);
  EXPECT_FALSE(t[3]->val.fields[1].type.is_prim);
  EXPECT_EQ(t[3]->val.fields[1].type.index, 5u);
  EXPECT_EQ(t[4]->val.kind, K::Variant);
  EXPECT_EQ(t[4]->val.cases[0].type->prim, PrimValType::S8);
  EXPECT_FALSE(t[4]->val.cases[1].type.has_value());
  EXPECT_EQ(t[5]->val.kind, K::List);
  EXPECT_EQ(t[6]->val.kind, K::FixedList);
  EXPECT_EQ(t[6]->val.length, 3u);
  EXPECT_EQ(t[7]->val.types.size(), 2u);
  EXPECT_EQ(t[8]->val.labels.size(), 2u);
  EXPECT_EQ(t[9]->val.kind, K::Enum);
  EXPECT_EQ(t[10]->val.kind, K::Option);
  EXPECT_EQ(t[11]->val.ok->prim, PrimValType::U64);
  EXPECT_FALSE(t[11]->val.err.has_value());
  EXPECT_EQ(t[12]->val.err->prim, PrimValType::S64);
  EXPECT_EQ(t[13]->val.kind, K::Own);
  EXPECT_EQ(t[14]->val.kind, K::Borrow);
  EXPECT_EQ(t[14]->val.resource, 1u);
  EXPECT_EQ(t[15]->val.kind, K::Stream);
  EXPECT_EQ(t[15]->val.ok->prim, PrimValType::U8);
  EXPECT_FALSE(t[16]->val.ok.has_value());
  EXPECT_EQ(t[17]->val.kind, K::Future);
  EXPECT_EQ(t[18]->val.kind, K::Map);
  EXPECT_EQ(t[18]->val.types[1].prim, PrimValType::U32);
  EXPECT_EQ(t[19]->val.types[0].index, 128u);  // a multi-byte type index

  expect_error(component({vec_section(7, {{0x62}})}),
               "invalid leading byte (0x62) for component defined type", 11);
  expect_error(component({vec_section(7, {{0x3e}})}),
               "invalid leading byte (0x3e) for component defined type", 11);
  expect_error(component({vec_section(7, {cat({{0x71, 0x01}, str("c"), {0x00, 0x01}})})}),
               "invalid leading byte (0x1) for zero byte required", 16);
  expect_error(component({vec_section(7, {{0x6a, 0x02}})}),
               "invalid leading byte (0x2) for optional component value type", 12);
  // A negative s33 that is no primitive type.
  expect_error(component({vec_section(7, {{0x70, 0x50}})}),
               "invalid leading byte (0x50) for component value type", 12);
}

TEST(ComponentDecoder, FuncAndResourceTypes) {
  auto c = decode_ok(component({vec_section(7, {{0x40, 0x00, 0x01, 0x00},
                                                cat({{0x40, 0x01}, str("p"), {0x7f, 0x00, 0x79}}),
                                                {0x43, 0x00, 0x01, 0x00},
                                                {0x3f, 0x7f, 0x00},
                                                {0x3f, 0x7e, 0x01, 0x05}})}));
  const auto& t = c->types;
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0]->kind, TypeDef::Kind::Func);
  EXPECT_FALSE(t[0]->func.result.has_value());
  ASSERT_EQ(t[1]->func.params.size(), 1u);
  EXPECT_EQ(t[1]->func.params[0].label, "p");
  EXPECT_EQ(t[1]->func.result->prim, PrimValType::U32);
  EXPECT_TRUE(t[2]->func.async);
  EXPECT_EQ(t[3]->kind, TypeDef::Kind::Resource);
  EXPECT_FALSE(t[3]->resource.dtor.has_value());
  EXPECT_EQ(t[4]->resource.rep, ValType::i64());
  EXPECT_EQ(*t[4]->resource.dtor, 5u);

  expect_error(component({vec_section(7, {{0x40, 0x00, 0x01, 0x01}})}),
               "invalid leading byte (0x1) for number of results", 14);
  expect_error(component({vec_section(7, {{0x40, 0x00, 0x02, 0x00}})}),
               "invalid leading byte (0x2) for component function results", 13);
  expect_error(component({vec_section(7, {{0x3f, 0x7f, 0x02}})}),
               "invalid leading byte (0x2) for resource destructor", 13);
}

TEST(ComponentDecoder, ComponentAndInstanceTypes) {
  Bytes ct = cat({{0x41, 0x05},
                  {0x00, 0x60, 0x00, 0x00},                           // core type
                  {0x01, 0x73},                                       // type string
                  {0x02, 0x03, 0x02, 0x01, 0x00},                     // outer alias type 1 0
                  cat({{0x03, 0x00}, str("a"), {0x03, 0x00, 0x00}}),  // import a (type (eq 0))
                  cat({{0x04, 0x00}, str("b"), {0x03, 0x01}})});      // export b (sub resource)
  Bytes it = cat({{0x42, 0x01}, cat({{0x04, 0x00}, str("f"), {0x01, 0x02}})});
  auto c = decode_ok(component({vec_section(7, {ct, it})}));
  const auto& t = c->types;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0]->kind, TypeDef::Kind::Component);
  ASSERT_EQ(t[0]->decls.size(), 5u);
  EXPECT_EQ(t[0]->decls[0].kind, Decl::Kind::CoreType);
  EXPECT_EQ(t[0]->decls[0].core_type->rec[0].kind, CompositeKind::Func);
  EXPECT_EQ(t[0]->decls[1].type->val.prim, PrimValType::String);
  EXPECT_EQ(t[0]->decls[2].alias.outer_count, 1u);
  EXPECT_EQ(t[0]->decls[3].kind, Decl::Kind::Import);
  EXPECT_EQ(t[0]->decls[3].name.name, "a");
  EXPECT_EQ(t[0]->decls[3].desc.kind, ExternDesc::Kind::Type);
  EXPECT_FALSE(t[0]->decls[3].desc.type_bound.sub_resource);
  EXPECT_EQ(t[0]->decls[4].kind, Decl::Kind::Export);
  EXPECT_TRUE(t[0]->decls[4].desc.type_bound.sub_resource);
  EXPECT_EQ(t[1]->kind, TypeDef::Kind::Instance);
  EXPECT_EQ(t[1]->decls[0].desc.kind, ExternDesc::Kind::Func);
  EXPECT_EQ(t[1]->decls[0].desc.index, 2u);

  expect_error(component({vec_section(7, {{0x41, 0x01, 0x05, 0x73}})}),
               "invalid leading byte (0x5) for component or instance type declaration", 13);
  expect_error(
      component({vec_section(7, {cat({{0x42, 0x01, 0x03, 0x00}, str("a"), {0x03, 0x01}})})}),
      "invalid leading byte (0x3) for component or instance type declaration", 13);
}

// ---- canonical definitions ----

TEST(ComponentDecoder, CanonLiftLowerResource) {
  auto c = decode_ok(
      component({vec_section(8, {{0x00, 0x00, 0x01, 0x03, 0x00, 0x03, 0x00, 0x04, 0x05, 0x02},
                                 {0x00, 0x00, 0x02, 0x03, 0x06, 0x07, 0x03, 0x05, 0x01, 0x02},
                                 {0x01, 0x00, 0x04, 0x02, 0x01, 0x02},
                                 {0x01, 0x00, 0x00, 0x02, 0x08, 0x01, 0x09},
                                 {0x02, 0x05},
                                 {0x03, 0x06},
                                 {0x04, 0x07}})}));
  const auto& k = c->canons;
  ASSERT_EQ(k.size(), 7u);
  EXPECT_EQ(k[0].kind, Canon::Kind::Lift);
  EXPECT_EQ(k[0].func, 1u);
  EXPECT_EQ(k[0].type, 2u);
  ASSERT_EQ(k[0].opts.size(), 3u);
  EXPECT_EQ(k[0].opts[0].kind, CanonOpt::Kind::Utf8);
  EXPECT_EQ(k[0].opts[1].kind, CanonOpt::Kind::Memory);
  EXPECT_EQ(k[0].opts[2].kind, CanonOpt::Kind::Realloc);
  EXPECT_EQ(k[0].opts[2].index, 5u);
  EXPECT_EQ(k[1].opts[0].kind, CanonOpt::Kind::Async);
  EXPECT_EQ(k[1].opts[1].kind, CanonOpt::Kind::Callback);
  EXPECT_EQ(k[1].opts[2].kind, CanonOpt::Kind::PostReturn);
  EXPECT_EQ(k[2].kind, Canon::Kind::Lower);
  EXPECT_EQ(k[2].func, 4u);
  EXPECT_EQ(k[2].opts[1].kind, CanonOpt::Kind::Latin1Utf16);
  EXPECT_EQ(k[3].opts[0].kind, CanonOpt::Kind::CoreType);
  EXPECT_EQ(k[3].opts[1].kind, CanonOpt::Kind::Gc);
  EXPECT_EQ(k[4].kind, Canon::Kind::ResourceNew);
  EXPECT_EQ(k[4].type, 5u);
  EXPECT_EQ(k[5].kind, Canon::Kind::ResourceDrop);
  EXPECT_EQ(k[6].kind, Canon::Kind::ResourceRep);
  EXPECT_EQ(k[6].type, 7u);

  expect_error(component({vec_section(8, {{0x00, 0x01, 0x00, 0x00, 0x00}})}),
               "invalid leading byte (0x1) for canonical function lift", 12);
  expect_error(component({vec_section(8, {{0x01, 0x01, 0x00, 0x00}})}),
               "invalid leading byte (0x1) for canonical function lower", 12);
  expect_error(component({vec_section(8, {{0x01, 0x00, 0x00, 0x01, 0x0a}})}),
               "invalid leading byte (0xa) for canonical option", 15);
}

TEST(ComponentDecoder, CanonOtherBuiltinsConsumeTheirImmediates) {
  // Each built-in with its immediates, followed by resource.rep 9 to prove the section stays in
  // sync.
  const std::vector<Bytes> builtins = {{0x24},
                                       {0x25},
                                       {0x09, 0x01, 0x00, 0x00},
                                       {0x09, 0x00, 0x79, 0x01, 0x03, 0x00},
                                       {0x05},
                                       {0x0a, 0x7f, 0x00},
                                       {0x0b, 0x7f, 0x01},
                                       {0x06, 0x01},
                                       {0x0d},
                                       {0x0e, 0x03},
                                       {0x0f, 0x03, 0x02, 0x03, 0x00, 0x04, 0x05},
                                       {0x10, 0x03, 0x00},
                                       {0x11, 0x03, 0x00},
                                       {0x12, 0x03, 0x01},
                                       {0x13, 0x03},
                                       {0x14, 0x03},
                                       {0x15, 0x04},
                                       {0x16, 0x04, 0x00},
                                       {0x17, 0x04, 0x00},
                                       {0x18, 0x04, 0x00},
                                       {0x19, 0x04, 0x01},
                                       {0x1a, 0x04},
                                       {0x1b, 0x04},
                                       {0x1c, 0x01, 0x00},
                                       {0x1d, 0x00},
                                       {0x1e},
                                       {0x1f},
                                       {0x20, 0x00, 0x00},
                                       {0x21, 0x01, 0x02},
                                       {0x22},
                                       {0x23},
                                       {0x26},
                                       {0x27, 0x00, 0x01},
                                       {0x28},
                                       {0x29, 0x00},
                                       {0x0c, 0x01},
                                       {0x2a, 0x00},
                                       {0x2b, 0x01},
                                       {0x2c, 0x00},
                                       {0x2d, 0x01},
                                       {0x40, 0x01, 0x02},
                                       {0x41, 0x00, 0x02, 0x03},
                                       {0x42, 0x01}};
  for (const auto& b : builtins) {
    SCOPED_TRACE(testing::Message() << "opcode 0x" << std::hex << int(b[0]));
    auto c = decode_ok(component({vec_section(8, {b, {0x04, 0x09}})}));
    ASSERT_EQ(c->canons.size(), 2u);
    EXPECT_EQ(c->canons[0].kind, Canon::Kind::Other);
    EXPECT_EQ(c->canons[0].opcode, b[0]);
    EXPECT_EQ(c->canons[1].kind, Canon::Kind::ResourceRep);
    EXPECT_EQ(c->canons[1].type, 9u);
  }
  auto c = decode_ok(component({vec_section(8, {{0x09, 0x00, 0x79, 0x01, 0x03, 0x00},
                                                {0x0a, 0x7e, 0x02},
                                                {0x21, 0x01, 0x02},
                                                {0x41, 0x01, 0x02, 0x03}})}));
  EXPECT_EQ(c->canons[0].result->prim, PrimValType::U32);
  EXPECT_EQ(c->canons[0].opts.size(), 1u);
  EXPECT_EQ(c->canons[1].core_type, ValType::i64());
  EXPECT_EQ(c->canons[1].index, 2u);
  EXPECT_TRUE(c->canons[2].flag);
  EXPECT_EQ(c->canons[2].index, 2u);
  EXPECT_TRUE(c->canons[3].flag);
  EXPECT_EQ(c->canons[3].type, 2u);
  EXPECT_EQ(c->canons[3].index, 3u);

  for (uint8_t op : {0x07, 0x08, 0x2e, 0x3f, 0x43, 0xff}) {
    expect_error(
        component({vec_section(8, {{op}})}),
        "invalid leading byte (0x" +
            [&] {
              char buf[8];
              std::snprintf(buf, sizeof buf, "%x", op);
              return std::string(buf);
            }() +
            ") for canonical function",
        11);
  }
  expect_error(component({vec_section(8, {{0x0c, 0x02}})}), "invalid boolean value", 12);
  expect_error(component({vec_section(8, {{0x20, 0x02, 0x00}})}), "invalid boolean value", 12);
}

// ---- start, imports, exports, values ----

TEST(ComponentDecoder, StartSection) {
  auto c = decode_ok(component({section(9, {0x03, 0x02, 0x00, 0x01, 0x01})}));
  ASSERT_EQ(c->starts.size(), 1u);
  EXPECT_EQ(c->starts[0].func, 3u);
  EXPECT_EQ(c->starts[0].args, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(c->starts[0].results, 1u);
  EXPECT_EQ(c->order[0].kind, Definition::Kind::Start);
  expect_error(component({section(9, {0x00, 0x00, 0x00}), section(9, {0x00, 0x00, 0x00})}),
               "component cannot have more than one start function", 15);
  expect_error(component({section(9, {0x00, 0x00, 0x00, 0x00})}),
               "unexpected content in the component start section", 13);
}

TEST(ComponentDecoder, ImportSectionAndNames) {
  auto c = decode_ok(component({vec_section(
      10,
      {cat({{0x00}, str("a"), {0x01, 0x00}}), cat({{0x01}, str("b"), {0x05, 0x01}}),
       cat({{0x02},
            str("c"),
            {0x03},
            {0x00},
            str("x:y/z"),
            {0x01},
            str("-rc"),
            {0x02},
            str("id"),
            {0x00, 0x11, 0x02}}),
       cat({{0x02}, str("d"), {0x02}, {0x00}, str("p:q/r"), {0x00}, str("p:q/s"), {0x04, 0x03}}),
       cat({{0x00}, str("v"), {0x02, 0x00, 0x04}}), cat({{0x00}, str("w"), {0x02, 0x01, 0x73}}),
       cat({{0x00}, str("t"), {0x03, 0x01}})})}));
  const auto& im = c->imports;
  ASSERT_EQ(im.size(), 7u);
  EXPECT_EQ(im[0].name.name, "a");
  EXPECT_EQ(im[0].desc.kind, ExternDesc::Kind::Func);
  EXPECT_EQ(im[0].at, 11u);
  EXPECT_EQ(im[1].desc.kind, ExternDesc::Kind::Instance);
  EXPECT_EQ(im[1].desc.index, 1u);
  EXPECT_EQ(*im[2].name.implements, "x:y/z");
  EXPECT_EQ(*im[2].name.version_suffix, "-rc");
  EXPECT_EQ(*im[2].name.external_id, "id");
  EXPECT_TRUE(im[2].name.duplicate_attribute.empty());
  EXPECT_EQ(im[2].desc.kind, ExternDesc::Kind::CoreModule);
  EXPECT_EQ(im[2].desc.index, 2u);
  EXPECT_EQ(*im[3].name.implements, "p:q/r");
  EXPECT_EQ(im[3].name.duplicate_attribute, "implements");
  EXPECT_EQ(im[3].desc.kind, ExternDesc::Kind::Component);
  EXPECT_TRUE(im[4].desc.value_eq);
  EXPECT_EQ(im[4].desc.value_index, 4u);
  EXPECT_FALSE(im[5].desc.value_eq);
  EXPECT_EQ(im[5].desc.value_type.prim, PrimValType::String);
  EXPECT_TRUE(im[6].desc.type_bound.sub_resource);

  expect_error(component({vec_section(10, {cat({{0x03}, str("a"), {0x01, 0x00}})})}),
               "invalid leading byte (0x3) for component name", 11);
  expect_error(
      component({vec_section(10, {cat({{0x02}, str("a"), {0x01, 0x03}, str("x"), {0x01, 0x00}})})}),
      "invalid leading byte (0x3) for name option", 15);
  expect_error(component({vec_section(10, {cat({{0x00}, str("t"), {0x03, 0x02}})})}),
               "invalid leading byte (0x2) for type bound", 15);
  expect_error(component({vec_section(10, {cat({{0x00}, str("x"), {0x06, 0x00}})})}),
               "invalid leading byte (0x6) for component external kind", 14);
  expect_error(component({vec_section(10, {cat({{0x00}, str("m"), {0x00, 0x00}})})}),
               "invalid leading byte (0x0) for component external kind", 15);
  expect_error(component({vec_section(10, {cat({{0x00}, str("v"), {0x02, 0x02}})})}),
               "invalid leading byte (0x2) for value bound", 15);
  expect_error(component({{0x0a, 0x05, 0x01, 0x00, 0x7f, 0x61, 0x62}}), "unexpected end-of-file",
               12);
  expect_error(component({{0x0a, 0x07, 0x01, 0x00, 0x02, 0xff, 0xfe, 0x01, 0x00}}),
               "malformed UTF-8 encoding", 12);
}

TEST(ComponentDecoder, ExportSection) {
  auto c = decode_ok(
      component({vec_section(11, {cat({{0x00}, str("e1"), {0x01, 0x00, 0x00}}),
                                  cat({{0x00}, str("e2"), {0x01, 0x00, 0x01, 0x01, 0x00}}),
                                  cat({{0x00}, str("m"), {0x00, 0x11, 0x00, 0x00}})})}));
  const auto& ex = c->exports;
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].item.sort, Sort::Func);
  EXPECT_FALSE(ex[0].desc.has_value());
  ASSERT_TRUE(ex[1].desc.has_value());
  EXPECT_EQ(ex[1].desc->kind, ExternDesc::Kind::Func);
  EXPECT_EQ(ex[2].item.sort, Sort::Core);
  EXPECT_EQ(ex[2].item.core, CoreSort::Module);

  expect_error(component({vec_section(11, {cat({{0x00}, str("e"), {0x01, 0x00, 0x02}})})}),
               "invalid leading byte (0x2) for optional component export type", 16);
  expect_error(component({vec_section(11, {cat({{0x00}, str("e"), {0x06, 0x00, 0x00}})})}),
               "invalid leading byte (0x6) for component external kind", 14);
}

TEST(ComponentDecoder, ValueSection) {
  auto c =
      decode_ok(component({vec_section(12, {{0x7f, 0x01, 0x01}, {0x73, 0x03, 0x02, 'h', 'i'}})}));
  ASSERT_EQ(c->values.size(), 2u);
  EXPECT_EQ(c->values[0], 11u);
  EXPECT_EQ(c->values[1], 14u);
  EXPECT_EQ(c->order[1].kind, Definition::Kind::Value);
  expect_error(component({vec_section(12, {{0x7f, 0x05, 0x01}})}), "unexpected end-of-file", 12);
}

}  // namespace
}  // namespace hull::component
