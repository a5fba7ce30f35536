// The module decoder: header, sections in the spec's order, custom sections anywhere.
//
// Like the reference interpreter, sections are read from one reader over the whole binary and
// a section's declared size is checked after its contents are parsed ("section size mismatch");
// this keeps the error messages identical to the ones the spec testsuite expects (a section
// that is short reads into the next one instead of stopping at its own end).
#include "binary/decoder.h"

#include <algorithm>
#include <string_view>

#include "base/reader.h"
#include "binary/expr_scan.h"
#include "binary/types_decode.h"

namespace hull {

namespace {

constexpr uint32_t kMagic = 0x6D736100;  // "\0asm"
constexpr uint32_t kVersion = 1;

enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElem = 9, kCode = 10, kData = 11, kDataCount = 12, kTag = 13,
};
constexpr uint8_t kMaxSectionId = kTag;

// Position of each non-custom section in the required order (tag sits between memory and
// global, data count between elem and code).
constexpr uint8_t kSectionOrder[] = {
    0,   // custom (anywhere)
    1,   // type
    2,   // import
    3,   // function
    4,   // table
    5,   // memory
    7,   // global
    8,   // export
    9,   // start
    10,  // elem
    12,  // code
    13,  // data
    11,  // data count
    6,   // tag
};

constexpr const char* kSizeMismatch = "section size mismatch";
constexpr const char* kAfterLast = "unexpected content after last section";

class Decoder {
 public:
  explicit Decoder(ModuleDesc& m) : m_(m), r_(m.bytes.data(), m.bytes.size()) {}

  Status run() {
    if (!decode()) return r_.error();
    return {};
  }

 private:
  // How many elements to reserve for a vector of n whose elements take at least
  // `min_bytes` each in the binary: never more than the remaining input could hold, so a
  // lying count cannot reserve more than a decode that succeeded would allocate anyway.
  size_t cap(uint32_t n, size_t min_bytes) const {
    return std::min<size_t>(n, r_.remaining() / min_bytes);
  }

  bool decode() {
    if (!header()) return false;
    uint8_t last = 0;  // order of the last non-custom section seen
    uint32_t defined_funcs = 0;
    while (!r_.at_end()) {
      size_t id_at = r_.offset();
      uint8_t id;
      r_.u8(&id);
      if (id > kMaxSectionId) return r_.fail("malformed section id", id_at);
      if (id != kCustom) {
        // Spec: each known section at most once, in order. The reference interpreter stops
        // at the first section that does not fit and reports the rest as trailing content.
        if (kSectionOrder[id] <= last) return r_.fail(kAfterLast, id_at);
        last = kSectionOrder[id];
      }
      uint32_t size;
      if (!r_.count(&size)) return false;
      size_t start = r_.offset();
      bool ok = true;
      switch (id) {
        case kCustom: ok = custom_section(start, size); break;
        case kType: ok = type_section(); break;
        case kImport: ok = import_section(); break;
        case kFunction: ok = function_section(&defined_funcs); break;
        case kTable: ok = table_section(); break;
        case kMemory: ok = memory_section(); break;
        case kGlobal: ok = global_section(); break;
        case kExport: ok = export_section(); break;
        case kStart: ok = start_section(); break;
        case kElem: ok = elem_section(); break;
        case kCode: ok = code_section(); break;
        case kData: ok = data_section(); break;
        case kDataCount: ok = datacount_section(); break;
        case kTag: ok = tag_section(); break;
      }
      if (!ok) return false;
      if (r_.offset() != start + size) return r_.fail(kSizeMismatch, start);
    }
    if (m_.bodies.size() != defined_funcs) {
      return r_.fail("function and code section have inconsistent lengths", r_.offset());
    }
    if (m_.data_count && *m_.data_count != m_.datas.size()) {
      return r_.fail("data count and data section have inconsistent lengths", r_.offset());
    }
    return true;
  }

  bool header() {
    uint32_t magic, version;
    if (r_.remaining() < 4) return r_.fail("unexpected end", r_.end_offset());
    r_.fixed32(&magic);
    if (magic != kMagic) return r_.fail("magic header not detected", 0);
    if (r_.remaining() < 4) return r_.fail("unexpected end", r_.end_offset());
    r_.fixed32(&version);
    if (version != kVersion) return r_.fail("unknown binary version", 4);
    return true;
  }

  // ---- types ----

  bool type_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.types.reserve(m_.types.size() + cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      if (!read_rectype(r_, &m_.types, &m_.at.types)) return false;
    }
    return true;
  }

  bool tabletype(TableType* tt) { return read_tabletype(r_, tt); }
  bool memorytype(MemoryType* mt) { return read_memorytype(r_, mt); }
  bool globaltype(GlobalType* gt) { return read_globaltype(r_, gt); }
  bool tagtype(uint32_t* type_index) { return read_tagtype(r_, type_index); }

  bool const_expr(ByteRange* range) {
    range->begin = r_.offset();
    if (!skip_const_expr(r_)) return false;
    range->end = r_.offset();
    return true;
  }

  // ---- imports and definitions ----

  bool import_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.imports.reserve(cap(n, 4));
    for (uint32_t i = 0; i < n; ++i) {
      Import im;
      if (!r_.name(&im.module) || !r_.name(&im.name)) return false;
      const size_t desc_at = r_.offset() + 1;  // after the kind byte
      if (!read_import_desc(r_, &im)) return false;
      switch (im.kind) {
        case ExternKind::Func:
          m_.at.funcs.push_back(desc_at);
          m_.func_types.push_back(im.type_index);
          ++m_.num_imported_funcs;
          break;
        case ExternKind::Table:
          m_.at.tables.push_back(desc_at);
          m_.tables.push_back(im.table);
          ++m_.num_imported_tables;
          break;
        case ExternKind::Memory:
          m_.at.memories.push_back(desc_at);
          m_.memories.push_back(im.memory);
          ++m_.num_imported_memories;
          break;
        case ExternKind::Global:
          m_.at.globals.push_back(desc_at);
          m_.globals.push_back(im.global);
          ++m_.num_imported_globals;
          break;
        case ExternKind::Tag:
          m_.at.tags.push_back(desc_at);
          m_.tags.push_back(im.type_index);
          ++m_.num_imported_tags;
          break;
      }
      m_.imports.push_back(std::move(im));
    }
    return true;
  }

  bool function_section(uint32_t* defined) {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.func_types.reserve(m_.func_types.size() + cap(n, 1));
    for (uint32_t i = 0; i < n; ++i) {
      m_.at.funcs.push_back(r_.offset());
      uint32_t t;
      if (!r_.u32(&t)) return false;
      m_.func_types.push_back(t);
    }
    *defined = n;
    return true;
  }

  bool table_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.defined_tables.reserve(cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      TableDesc td;
      size_t at = r_.offset();
      uint8_t b;
      if (r_.peek(&b) && b == 0x40) {
        // 0x40 0x00 tabletype expr. If anything in this form fails, the reference retries
        // the plain form, which rejects 0x40 as a reference type.
        uint8_t zero;
        ByteRange init;
        r_.skip(1);
        if (!r_.u8(&zero) || zero != 0 || !tabletype(&td.type) || !const_expr(&init)) {
          r_.clear_error();
          r_.seek(at);
          return r_.fail("malformed reference type", at);
        }
        td.init = init;
      } else if (!tabletype(&td.type)) {
        return false;
      }
      m_.at.tables.push_back(at);
      m_.tables.push_back(td.type);
      m_.defined_tables.push_back(td);
    }
    return true;
  }

  bool memory_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      m_.at.memories.push_back(r_.offset());
      MemoryType mt;
      if (!memorytype(&mt)) return false;
      m_.memories.push_back(mt);
    }
    return true;
  }

  bool tag_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      m_.at.tags.push_back(r_.offset());
      uint32_t t;
      if (!tagtype(&t)) return false;
      m_.tags.push_back(t);
    }
    return true;
  }

  bool global_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.defined_globals.reserve(cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      m_.at.globals.push_back(r_.offset());
      GlobalDesc g;
      if (!globaltype(&g.type) || !const_expr(&g.init)) return false;
      m_.globals.push_back(g.type);
      m_.defined_globals.push_back(g);
    }
    return true;
  }

  bool export_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.exports.reserve(cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      Export ex;
      ex.at = r_.offset();
      if (!r_.name(&ex.name)) return false;
      size_t at = r_.offset();
      uint8_t kind;
      if (!r_.u8(&kind)) return false;
      if (kind > 4) return r_.fail("malformed export kind", at);
      ex.kind = static_cast<ExternKind>(kind);
      if (!r_.u32(&ex.index)) return false;
      m_.exports.push_back(std::move(ex));
    }
    return true;
  }

  bool start_section() {
    m_.at.start = r_.offset();
    uint32_t f;
    if (!r_.u32(&f)) return false;
    m_.start = f;
    return true;
  }

  bool elem_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.elems.reserve(cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r_.offset();
      uint32_t flags;
      if (!r_.u32(&flags)) return false;
      if (flags > 7) return r_.fail("malformed elements segment kind", at);
      ElemDesc e;
      e.at = at;
      // Bit 0: passive/declarative (else active); bit 1: explicit table (active) or
      // declarative (non-active); bit 2: expressions instead of function indices.
      bool non_active = flags & 1;
      bool bit1 = flags & 2;
      e.uses_exprs = flags & 4;
      e.mode = !non_active ? SegmentMode::Active
                           : (bit1 ? SegmentMode::Declarative : SegmentMode::Passive);
      if (e.mode == SegmentMode::Active) {
        if (bit1 && !r_.u32(&e.table)) return false;
        if (!const_expr(&e.offset)) return false;
      }
      if (flags == 0) {
        e.type = ValType::ref(HeapKind::Func, false);
      } else if (flags == 4) {
        e.type = ValType::funcref();
      } else if (!e.uses_exprs) {
        size_t kat = r_.offset();
        uint8_t kind;
        if (!r_.u8(&kind)) return false;
        if (kind != 0) return r_.fail("malformed element kind", kat);
        e.type = ValType::ref(HeapKind::Func, false);
      } else if (!read_reftype(r_, &e.type)) {
        return false;
      }
      uint32_t count;
      if (!r_.count(&count)) return false;
      if (e.uses_exprs) {
        e.exprs.reserve(cap(count, 1));
        for (uint32_t k = 0; k < count; ++k) {
          ByteRange expr;
          if (!const_expr(&expr)) return false;
          e.exprs.push_back(expr);
        }
      } else {
        e.func_indices.reserve(cap(count, 1));
        for (uint32_t k = 0; k < count; ++k) {
          uint32_t f;
          if (!r_.u32(&f)) return false;
          e.func_indices.push_back(f);
        }
      }
      m_.elems.push_back(std::move(e));
    }
    return true;
  }

  bool datacount_section() {
    uint32_t n;
    if (!r_.u32(&n)) return false;
    m_.data_count = n;
    return true;
  }

  bool code_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.bodies.reserve(cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t size;
      if (!r_.count(&size)) return false;
      FuncBody body;
      body.whole.begin = r_.offset();
      body.whole.end = body.whole.begin + size;
      uint32_t groups;
      if (!r_.count(&groups)) return false;
      size_t locals_at = r_.offset();
      for (uint32_t g = 0; g < groups; ++g) {
        LocalDecl d;
        if (!r_.u32(&d.count) || !read_valtype(r_, &d.type)) return false;
        body.num_locals += d.count;
        body.locals.push_back(d);
      }
      // Spec: at most 2^32-1 locals; Hull's implementation limit is far lower.
      if (body.num_locals > kMaxFunctionLocals) return r_.fail("too many locals", locals_at);
      body.code.begin = r_.offset();
      body.code.end = body.whole.end;
      if (body.code.begin > body.code.end) return r_.fail(kSizeMismatch, body.whole.begin);
      // Spec: a body's last byte is its final `end`. The instructions themselves are left
      // to the validator.
      if (body.code.end > m_.bytes.size() || body.code.size() == 0 ||
          m_.bytes[body.code.end - 1] != 0x0B) {
        return bad_body_end(body.code);
      }
      r_.skip(body.code.size());
      m_.bodies.push_back(std::move(body));
    }
    return true;
  }

  // A body that does not end with `end` (or runs past the input) is malformed. To report
  // what the reference interpreter reports, decode its instructions the way it does: from
  // the body's start, through its declared end, until the `end` closing the body; then the
  // error is the one found on the way, or a size mismatch.
  bool bad_body_end(ByteRange code) {
    Reader scan = r_;
    scan.seek(code.begin);
    if (!skip_const_expr(scan)) {
      r_ = scan;
      return false;
    }
    return r_.fail(kSizeMismatch, code.end);
  }

  bool data_section() {
    uint32_t n;
    if (!r_.count(&n)) return false;
    m_.datas.reserve(cap(n, 3));
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r_.offset();
      uint32_t flags;
      if (!r_.u32(&flags)) return false;
      DataDesc d;
      d.at = at;
      switch (flags) {
        case 0: d.mode = SegmentMode::Active; break;
        case 1: d.mode = SegmentMode::Passive; break;
        case 2:
          d.mode = SegmentMode::Active;
          if (!r_.u32(&d.memory)) return false;
          break;
        default: return r_.fail("malformed data segment kind", at);
      }
      if (d.mode == SegmentMode::Active && !const_expr(&d.offset)) return false;
      uint32_t len;
      if (!r_.count(&len)) return false;
      d.init.begin = r_.offset();
      if (!r_.skip(len)) return false;
      d.init.end = r_.offset();
      m_.datas.push_back(d);
    }
    return true;
  }

  // ---- custom sections ----

  bool custom_section(size_t start, uint32_t size) {
    CustomSection cs;
    if (!r_.name(&cs.name)) return false;
    size_t consumed = r_.offset() - start;
    // The name may run past the declared size: then the contents length is negative.
    if (consumed > size) return r_.fail(msg::kUnexpectedEnd, r_.offset());
    cs.contents.begin = r_.offset();
    if (!r_.skip(size - consumed)) return false;
    cs.contents.end = r_.offset();
    if (cs.name == "name") parse_name_section(cs.contents);
    m_.customs.push_back(std::move(cs));
    return true;
  }

  // The "name" section is advisory: a malformed one is ignored entirely.
  void parse_name_section(ByteRange range) {
    Reader r(m_.bytes.data() + range.begin, range.size(), range.begin);
    std::string module_name;
    std::unordered_map<uint32_t, std::string> func_names;
    while (!r.at_end()) {
      uint8_t id;
      uint32_t size;
      Reader sub;
      if (!r.u8(&id) || !r.u32(&size) || !r.sub(size, &sub)) return;
      if (id == 0) {
        if (!sub.name(&module_name) || !sub.at_end()) return;
      } else if (id == 1) {
        uint32_t n;
        if (!sub.count(&n)) return;
        for (uint32_t i = 0; i < n; ++i) {
          uint32_t idx;
          std::string_view name;
          if (!sub.u32(&idx) || !sub.name(&name)) return;
          func_names.emplace(idx, std::string(name));
        }
        if (!sub.at_end()) return;
      }
    }
    m_.module_name = std::move(module_name);
    m_.func_names = std::move(func_names);
  }

  ModuleDesc& m_;
  Reader r_;
};

}  // namespace

Result<ModuleDesc> decode_module(std::vector<uint8_t>&& bytes) {
  ModuleDesc m;
  m.bytes = std::move(bytes);
  Status st = Decoder(m).run();
  if (!st.ok()) return std::move(st).error();
  return m;
}

Result<ModuleDesc> decode_module(std::span<const uint8_t> bytes) {
  return decode_module(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

}  // namespace hull
