// libFuzzer target: decode_component on arbitrary bytes must never crash, hang or
// over-allocate; a decoded component's byte ranges must lie inside the buffer (nested ones
// inside their parent) and its definition order must index existing definitions. A decoded
// component is then validated, and one that validates and imports nothing is instantiated
// and each exported function called with default arguments, under fuel.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "component/binary/decoder.h"
#include "hull/component.hh"

namespace {

using namespace hull::component;

void check(bool ok) {
  if (!ok) std::abort();
}

template <class V>
bool in(const V& v, uint32_t i) {
  return i < v.size();
}

void check_component(const ComponentDesc& c, size_t begin, size_t end, int depth) {
  check(depth <= kMaxNestingDepth + 1);
  check(c.bytes != nullptr && c.begin >= begin && c.begin <= c.end && c.end <= end);
  for (const auto& m : c.core_modules) {
    check(m.begin >= c.begin && m.begin <= m.end && m.end <= c.end && m.module != nullptr);
    check(m.module->bytes.size() == m.end - m.begin);
  }
  for (const auto& cs : c.customs)
    check(cs.begin >= c.begin && cs.begin <= cs.end && cs.end <= c.end);
  for (const auto& d : c.order) {
    switch (d.kind) {
      case Definition::Kind::CoreModule: check(in(c.core_modules, d.index)); break;
      case Definition::Kind::CoreInstance: check(in(c.core_instances, d.index)); break;
      case Definition::Kind::CoreType: check(in(c.core_types, d.index)); break;
      case Definition::Kind::Component: check(in(c.components, d.index)); break;
      case Definition::Kind::Instance: check(in(c.instances, d.index)); break;
      case Definition::Kind::Alias: check(in(c.aliases, d.index)); break;
      case Definition::Kind::Type: check(in(c.types, d.index)); break;
      case Definition::Kind::Canon: check(in(c.canons, d.index)); break;
      case Definition::Kind::Start: check(in(c.starts, d.index)); break;
      case Definition::Kind::Import: check(in(c.imports, d.index)); break;
      case Definition::Kind::Export: check(in(c.exports, d.index)); break;
      case Definition::Kind::Value: check(in(c.values, d.index)); break;
    }
  }
  for (const auto& k : c.components) {
    check(k != nullptr && k->bytes == c.bytes);
    check_component(*k, c.begin, c.end, depth + 1);
  }
}

namespace ac = hull::api::component;

// A value of type `t` made of zeros and empty strings/lists (the first case of variants).
ac::Val default_val(const ac::Type& t) {
  using K = ac::TypeKind;
  const ac::TypeNode& n = t.node();
  switch (n.kind) {
    case K::Bool: return ac::Val::boolean(false);
    case K::S8: return ac::Val::s8(0);
    case K::U8: return ac::Val::u8(0);
    case K::S16: return ac::Val::s16(0);
    case K::U16: return ac::Val::u16(0);
    case K::S32: return ac::Val::s32(0);
    case K::U32: return ac::Val::u32(0);
    case K::S64: return ac::Val::s64(0);
    case K::U64: return ac::Val::u64(0);
    case K::F32: return ac::Val::f32(0);
    case K::F64: return ac::Val::f64(0);
    case K::Char: return ac::Val::character(U'a');
    case K::String: return ac::Val::string("fuzz");
    case K::List: return ac::Val::list({});
    case K::FixedList: {
      std::vector<ac::Val> items;
      for (uint32_t i = 0; i < n.length && i < 64; ++i) items.push_back(default_val(n.elems[0]));
      return ac::Val::fixed_list(std::move(items));
    }
    case K::Record: {
      std::vector<std::pair<std::string, ac::Val>> fields;
      for (const ac::Field& f : n.fields) fields.push_back({f.name, default_val(f.type)});
      return ac::Val::record(std::move(fields));
    }
    case K::Tuple: {
      std::vector<ac::Val> items;
      for (const ac::Type& e : n.elems) items.push_back(default_val(e));
      return ac::Val::tuple(std::move(items));
    }
    case K::Variant:
      if (n.fields[0].type.empty()) return ac::Val::variant(n.fields[0].name);
      return ac::Val::variant(n.fields[0].name, default_val(n.fields[0].type));
    case K::Enum: return ac::Val::enumeration(n.names[0]);
    case K::Option: return ac::Val::none();
    case K::Result: return n.ok.empty() ? ac::Val::ok() : ac::Val::ok(default_val(n.ok));
    case K::Flags: return ac::Val::flags({});
    default: return ac::Val();  // handles, streams: the call fails with a usage error
  }
}

void run_component(std::span<const uint8_t> bytes) {
  static hull::api::Engine engine = [] {
    hull::api::Config config;
    config.consume_fuel = true;
    config.limits.max_memory_bytes = 64 << 20;
    return *hull::api::Engine::create(config);
  }();
  auto comp = ac::Component::compile(engine, bytes);
  if (!comp) {
    check(!comp.error().message.empty());
    return;
  }
  if (!comp->imports().empty()) return;
  hull::api::Store store(engine);
  (void)store.set_fuel(100000);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, *comp);
  if (!inst) return;
  for (const auto& [name, info] : comp->exports()) {
    if (info.kind != ac::ExternInfo::Kind::Func) continue;
    auto f = inst->get_func(name);
    check(f.has_value());
    std::vector<ac::Val> args;
    for (const ac::Field& p : f->type().params) args.push_back(default_val(p.type));
    (void)store.set_fuel(100000);
    (void)f->call(args);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto result = decode_component(bytes);
  if (!result.ok()) {
    check(!result.error().message.empty());
    // Every decoder error names the offending byte (none falls back to "no location").
    check(result.error().offset <= size);
    return 0;
  }
  check(is_component(bytes));
  const ComponentDesc& c = **result;
  check(c.bytes->size() == size && c.begin == 0 && c.end == size);
  check_component(c, 0, size, 0);
  run_component(bytes);
  return 0;
}
