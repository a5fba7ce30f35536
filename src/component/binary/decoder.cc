// Component decoder, part 1: the preamble, the section loop, and the definitions of each
// section (core modules, core instances, components, instances, canon built-ins, start,
// imports, exports, values, custom sections). Types live in decode_types.cc.
//
// Unlike core modules, components have no section order: any section may appear any number of
// times, and each definition extends its index space in binary order (ComponentDesc::order).
#include "component/binary/decoder.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "binary/decoder.h"
#include "binary/types_decode.h"
#include "component/binary/decoder_internal.h"

namespace hull::component {

namespace detail {

namespace {

// clang-format off
enum SectionId : uint8_t {
  kCustom = 0, kCoreModule = 1, kCoreInstance = 2, kCoreType = 3, kComponent = 4,
  kInstance = 5, kAlias = 6, kType = 7, kCanon = 8, kStart = 9, kImport = 10, kExport = 11,
  kValue = 12,
};
// clang-format on
constexpr uint8_t kMaxSectionId = kValue;

constexpr uint32_t kComponentVersion = 0x0001000d;  // version 0x0d 0x00, layer 0x01 0x00
constexpr uint32_t kModuleVersion = 0x00000001;     // version 0x01 0x00, layer 0x00 0x00
constexpr const char* kSizeMismatch =
    "section size mismatch: unexpected data at the end of the section";

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// The core decoder words errors as the reference interpreter does; say them as wasmparser
// does where the component testsuite expects its wording.
std::string module_error_text(const std::string& m) {
  if (m == msg::kUnexpectedEnd || m == msg::kLengthOutOfBounds || m == "unexpected end") {
    return "unexpected end-of-file";
  }
  // A known section after a later one, or twice.
  if (m == "unexpected content after last section") return "section out of order";
  return m;
}

template <class T>
void define(ComponentDesc* c, std::vector<T>& v, Definition::Kind kind, T&& item) {
  c->order.push_back({kind, static_cast<uint32_t>(v.size())});
  v.push_back(std::forward<T>(item));
}

}  // namespace

Error Parser::error() const {
  return err_ ? *err_ : Error::malformed("malformed component", SIZE_MAX);
}

bool Parser::preamble(Reader& r, size_t begin, bool nested) {
  if (r.remaining() < 4) return fail("unexpected end-of-file", r.end_offset());
  const uint8_t* p;
  r.bytes(4, &p);
  if (!(p[0] == 0 && p[1] == 'a' && p[2] == 's' && p[3] == 'm')) {
    return fail("magic header not detected: bad magic number", begin);
  }
  if (r.remaining() < 4) return fail("unexpected end-of-file", r.end_offset());
  r.bytes(4, &p);
  uint32_t v = le32(p);
  if (v == kComponentVersion) return true;
  if (v == kModuleVersion) {
    return fail(nested ? "expected a version header for a component"
                       : "expected a version header for a component, found a core module",
                begin + 4);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "unknown binary version: 0x%x", v);
  return fail(buf, begin + 4);
}

bool Parser::component(size_t begin, size_t end, ComponentDesc* c) {
  c->bytes = bytes_;
  c->begin = begin;
  c->end = end;
  Reader r(bytes_->data() + begin, end - begin, begin);
  if (!preamble(r, begin, begin != 0)) return false;
  bool seen_start = false;
  while (!r.at_end()) {
    size_t id_at = r.offset();
    uint8_t id;
    r.u8(&id);
    if (id > kMaxSectionId) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "malformed section id: %u", id);
      return fail(buf, id_at);
    }
    uint32_t size;
    Reader s;
    if (!r.u32(&size) || !r.sub(size, &s)) return take(r);
    const size_t begin_at = s.offset();
    // Sections holding one item (custom, module, component, start) are not vectors.
    if (id == kCustom) {
      if (!custom(s, c)) return take(s);
      continue;
    }
    if (id == kCoreModule) {
      if (!item(id_at) || !core_module_section(begin_at, begin_at + size, c)) return false;
      continue;
    }
    if (id == kComponent) {
      if (!enter(id_at) || !item(id_at)) return false;
      auto child = std::make_shared<ComponentDesc>();
      if (!component(begin_at, begin_at + size, child.get())) return false;
      leave();
      define(c, c->components, Definition::Kind::Component, std::move(child));
      continue;
    }
    if (id == kStart) {
      if (seen_start) return fail("component cannot have more than one start function", begin_at);
      seen_start = true;
      StartDef sd;
      if (!start(s, &sd)) return take(s);
      if (!s.at_end()) return fail("unexpected content in the component start section", s.offset());
      define(c, c->starts, Definition::Kind::Start, std::move(sd));
      continue;
    }
    uint32_t n;
    if (!s.count(&n)) return take(s);
    for (uint32_t i = 0; i < n; ++i) {
      if (!item(s.offset())) return false;
      bool ok = false;
      switch (id) {
        case kCoreInstance: {
          CoreInstanceDef d;
          ok = core_instance(s, &d);
          if (ok) define(c, c->core_instances, Definition::Kind::CoreInstance, std::move(d));
          break;
        }
        case kCoreType: {
          auto d = std::make_shared<CoreTypeDef>();
          ok = core_type(s, d.get());
          if (ok) define(c, c->core_types, Definition::Kind::CoreType, std::move(d));
          break;
        }
        case kInstance: {
          InstanceDef d;
          ok = instance(s, &d);
          if (ok) define(c, c->instances, Definition::Kind::Instance, std::move(d));
          break;
        }
        case kAlias: {
          Alias d;
          ok = alias(s, &d);
          if (ok) define(c, c->aliases, Definition::Kind::Alias, std::move(d));
          break;
        }
        case kType: {
          auto d = std::make_shared<TypeDef>();
          ok = type(s, d.get());
          if (ok) define(c, c->types, Definition::Kind::Type, std::move(d));
          break;
        }
        case kCanon: {
          Canon d;
          ok = canon(s, &d);
          if (ok) define(c, c->canons, Definition::Kind::Canon, std::move(d));
          break;
        }
        case kImport: {
          ImportDef d;
          ok = import(s, &d);
          if (ok) define(c, c->imports, Definition::Kind::Import, std::move(d));
          break;
        }
        case kExport: {
          ExportDef d;
          ok = export_(s, &d);
          if (ok) define(c, c->exports, Definition::Kind::Export, std::move(d));
          break;
        }
        case kValue: {
          size_t at;
          ok = value(s, &at);
          if (ok) define(c, c->values, Definition::Kind::Value, std::move(at));
          break;
        }
        default: break;
      }
      if (!ok) return take(s);
    }
    if (!s.at_end()) return fail(kSizeMismatch, s.offset());
  }
  return true;
}

// ---- core modules ----

bool Parser::core_module_section(size_t begin, size_t end, ComponentDesc* c) {
  const uint8_t* p = bytes_->data() + begin;
  size_t size = end - begin;
  if (size >= 8 && p[0] == 0 && p[1] == 'a' && p[2] == 's' && p[3] == 'm' &&
      le32(p + 4) == kComponentVersion) {
    return fail("expected a version header for a module", begin + 4);
  }
  auto m = decode_module(std::span<const uint8_t>(p, size));
  if (!m.ok()) {
    const Error& e = m.error();
    // The core decoder may name a declared end past the module (a body whose size overruns
    // it); keep offsets inside the module's range.
    size_t at = e.offset == SIZE_MAX ? begin : begin + std::min(e.offset, size);
    return fail(module_error_text(e.message), at);
  }
  CoreModuleDef d;
  d.begin = begin;
  d.end = end;
  d.module = std::make_shared<const ModuleDesc>(std::move(m).value());
  define(c, c->core_modules, Definition::Kind::CoreModule, std::move(d));
  return true;
}

// ---- instances ----

// core:instance: 0x00 moduleidx vec(name 0x12 instanceidx) | 0x01 vec(name core:sortidx).
bool Parser::core_instance(Reader& r, CoreInstanceDef* out) {
  out->at = r.offset();
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  uint32_t n;
  if (b == 0x00) {
    out->instantiate = true;
    if (!r.u32(&out->module) || !r.count(&n)) return take(r);
    out->args.reserve(capped(n, r, 3));
    for (uint32_t i = 0; i < n; ++i) {
      CoreInstantiateArg a;
      if (!name(r, &a.name) || !byte(r, &b, &at)) return false;
      if (b != 0x12) return bad_byte(b, "instantiation arg kind", at);
      if (!r.u32(&a.instance)) return take(r);
      out->args.push_back(std::move(a));
    }
    return true;
  }
  if (b != 0x01) return bad_byte(b, "core instance", at);
  out->instantiate = false;
  if (!r.count(&n)) return take(r);
  out->exports.reserve(capped(n, r, 3));
  for (uint32_t i = 0; i < n; ++i) {
    CoreInlineExport e;
    if (!name(r, &e.name) || !byte(r, &b, &at)) return false;
    // A core instance exports only what a core module can: func, table, memory, global, tag.
    if (b > 0x04) return bad_byte(b, "external kind", at);
    e.sort = static_cast<CoreSort>(b);
    if (!r.u32(&e.index)) return take(r);
    out->exports.push_back(std::move(e));
  }
  return true;
}

// instance: 0x00 componentidx vec(name sortidx) | 0x01 vec(nameattributes sortidx).
bool Parser::instance(Reader& r, InstanceDef* out) {
  out->at = r.offset();
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  uint32_t n;
  if (b == 0x00) {
    out->instantiate = true;
    if (!r.u32(&out->component) || !r.count(&n)) return take(r);
    out->args.reserve(capped(n, r, 3));
    for (uint32_t i = 0; i < n; ++i) {
      InstantiateArg a;
      if (!name(r, &a.name) || !component_sort(r, &a.item)) return false;
      if (!r.u32(&a.item.index)) return take(r);
      out->args.push_back(std::move(a));
    }
    return true;
  }
  if (b != 0x01) return bad_byte(b, "instance", at);
  out->instantiate = false;
  if (!r.count(&n)) return take(r);
  out->exports.reserve(capped(n, r, 4));
  for (uint32_t i = 0; i < n; ++i) {
    InlineExport e;
    if (!extern_name(r, &e.name) || !component_sort(r, &e.item)) return false;
    if (!r.u32(&e.item.index)) return take(r);
    out->exports.push_back(std::move(e));
  }
  return true;
}

// ---- canonical definitions ----

bool Parser::canon_opts(Reader& r, std::vector<CanonOpt>* out) {
  uint32_t n;
  if (!r.count(&n)) return take(r);
  out->reserve(capped(n, r));
  for (uint32_t i = 0; i < n; ++i) {
    CanonOpt o;
    uint8_t b;
    if (!byte(r, &b, &o.at)) return false;
    switch (b) {
      case 0x00:
      case 0x01:
      case 0x02:
      case 0x06:
      case 0x09: break;
      case 0x03:
      case 0x04:
      case 0x05:
      case 0x07:
      case 0x08:
        if (!r.u32(&o.index)) return take(r);
        break;
      default: return bad_byte(b, "canonical option", o.at);
    }
    o.kind = static_cast<CanonOpt::Kind>(b);
    out->push_back(o);
  }
  return true;
}

bool Parser::canon(Reader& r, Canon* out) {
  out->at = r.offset();
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  out->opcode = b;
  auto u32 = [&](uint32_t* v) { return r.u32(v) || take(r); };
  switch (b) {
    case 0x00:    // lift: 0x00 (the core func sort) core-funcidx opts typeidx
    case 0x01: {  // lower: 0x00 (the func sort) funcidx opts
      uint8_t sort;
      if (!byte(r, &sort, &at)) return false;
      if (sort != 0x00) {
        return bad_byte(sort, b == 0x00 ? "canonical function lift" : "canonical function lower",
                        at);
      }
      out->kind = b == 0x00 ? Canon::Kind::Lift : Canon::Kind::Lower;
      if (!u32(&out->func) || !canon_opts(r, &out->opts)) return false;
      return b == 0x01 || u32(&out->type);
    }
    case 0x02:
    case 0x03:
    case 0x04:  // resource.new / resource.drop / resource.rep: typeidx
      out->kind = static_cast<Canon::Kind>(b);
      return u32(&out->type);
    default: break;
  }
  // Everything else: parsed (so the section stays in sync), kept by opcode.
  out->kind = Canon::Kind::Other;
  switch (b) {
    // No immediates: backpressure.inc/dec, task.cancel, subtask.drop, error-context.drop,
    // waitable-set.new/drop, waitable.join, thread.index, thread.resume-later.
    case 0x24:
    case 0x25:
    case 0x05:
    case 0x0d:
    case 0x1e:
    case 0x1f:
    case 0x22:
    case 0x23:
    case 0x26:
    case 0x28: return true;
    case 0x09:  // task.return: resultlist opts
      return resultlist(r, &out->result) && canon_opts(r, &out->opts);
    case 0x0a:
    case 0x0b:  // context.get/set: core valtype, slot
      if (!read_valtype(r, &out->core_type)) return take(r);
      return u32(&out->index);
    // async? / cancel?: subtask.cancel, thread.yield, thread.suspend and the
    // suspend/yield-then-resume/promote family.
    case 0x06:
    case 0x0c:
    case 0x29:
    case 0x2a:
    case 0x2b:
    case 0x2c:
    case 0x2d: return boolean(r, &out->flag);
    // typeidx: stream/future new and drop-readable/writable.
    case 0x0e:
    case 0x13:
    case 0x14:
    case 0x15:
    case 0x1a:
    case 0x1b: return u32(&out->type);
    // typeidx opts: stream/future read/write.
    case 0x0f:
    case 0x10:
    case 0x16:
    case 0x17: return u32(&out->type) && canon_opts(r, &out->opts);
    // typeidx async?: stream/future cancel-read/write.
    case 0x11:
    case 0x12:
    case 0x18:
    case 0x19: return u32(&out->type) && boolean(r, &out->flag);
    case 0x1c:
    case 0x1d:  // error-context.new / debug-message: opts
      return canon_opts(r, &out->opts);
    case 0x20:
    case 0x21:  // waitable-set.wait/poll: cancel? memidx
      return boolean(r, &out->flag) && u32(&out->index);
    case 0x27:  // thread.new-indirect: core typeidx, tableidx
      return u32(&out->type) && u32(&out->index);
    case 0x40:  // thread.spawn-ref: shared? core typeidx
      return boolean(r, &out->flag) && u32(&out->type);
    case 0x41:  // thread.spawn-indirect: shared? core typeidx tableidx
      return boolean(r, &out->flag) && u32(&out->type) && u32(&out->index);
    case 0x42:  // thread.available-parallelism: shared?
      return boolean(r, &out->flag);
    default: return bad_byte(b, "canonical function", at);
  }
}

// ---- start, imports, exports, values ----

bool Parser::start(Reader& r, StartDef* out) {
  out->at = r.offset();
  uint32_t n;
  if (!r.u32(&out->func) || !r.count(&n)) return take(r);
  out->args.reserve(capped(n, r));
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t v;
    if (!r.u32(&v)) return take(r);
    out->args.push_back(v);
  }
  return r.u32(&out->results) || take(r);
}

bool Parser::import(Reader& r, ImportDef* out) {
  out->at = r.offset();
  return extern_name(r, &out->name) && extern_desc(r, &out->desc);
}

bool Parser::export_(Reader& r, ExportDef* out) {
  out->at = r.offset();
  if (!extern_name(r, &out->name) || !component_sort(r, &out->item)) return false;
  if (!r.u32(&out->item.index)) return take(r);
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  if (b == 0x00) return true;
  if (b != 0x01) return bad_byte(b, "optional component export type", at);
  out->desc.emplace();
  return extern_desc(r, &*out->desc);
}

// value: valtype len:u32 bytes[len]. 🪙 The validator rejects values, so the encoded value
// itself is only skipped.
bool Parser::value(Reader& r, size_t* at) {
  *at = r.offset();
  ValTypeUse t;
  uint32_t len;
  if (!valtype(r, &t)) return false;
  return (r.count(&len) && r.skip(len)) || take(r);
}

bool Parser::custom(Reader& r, ComponentDesc* c) {
  CustomSectionDef cs;
  if (!r.name(&cs.name)) return false;
  cs.begin = r.offset();
  cs.end = r.end_offset();
  r.skip(r.remaining());
  if (cs.name == "component-name") name_section(cs.begin, cs.end, c);
  c->customs.push_back(std::move(cs));
  return true;
}

}  // namespace detail

Result<std::shared_ptr<ComponentDesc>> decode_component(std::span<const uint8_t> bytes) {
  auto buf = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  detail::Parser p(buf);
  auto c = std::make_shared<ComponentDesc>();
  if (!p.component(0, buf->size(), c.get())) return p.error();
  return c;
}

bool is_component(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kPreamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  if (bytes.size() < 8) return false;
  for (size_t i = 0; i < 8; ++i) {
    if (bytes[i] != kPreamble[i]) return false;
  }
  return true;
}

}  // namespace hull::component
