// Binary writer helpers: LEB128 integers, names, sections and core type encodings.
#include "text/binary_writer.h"

namespace hull::text {

void put_u64(Bytes& b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v) byte |= 0x80;
    b.push_back(byte);
  } while (v);
}
void put_s64(Bytes& b, int64_t v) {
  while (true) {
    uint8_t byte = v & 0x7F;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    b.push_back(byte);
    if (done) break;
  }
}
void put_name(Bytes& b, std::string_view s) {
  put_u32(b, uint32_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

void raw_section(Bytes& out, uint8_t id, const Bytes& body) {
  out.push_back(id);
  put_u32(out, uint32_t(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

void put_heap(Bytes& b, const ValType& vt) {
  switch (vt.heap) {
    case HeapKind::Func: b.push_back(0x70); break;
    case HeapKind::Extern: b.push_back(0x6F); break;
    case HeapKind::Any: b.push_back(0x6E); break;
    case HeapKind::Eq: b.push_back(0x6D); break;
    case HeapKind::I31: b.push_back(0x6C); break;
    case HeapKind::Struct: b.push_back(0x6B); break;
    case HeapKind::Array: b.push_back(0x6A); break;
    case HeapKind::Exn: b.push_back(0x69); break;
    case HeapKind::None: b.push_back(0x71); break;
    case HeapKind::NoFunc: b.push_back(0x73); break;
    case HeapKind::NoExtern: b.push_back(0x72); break;
    case HeapKind::NoExn: b.push_back(0x74); break;
    case HeapKind::Concrete: put_s64(b, vt.index); break;
    case HeapKind::Bot: b.push_back(0x70); break;
  }
}

void put_valtype(Bytes& b, const ValType& vt) {
  switch (vt.kind) {
    case ValKind::I32: b.push_back(0x7F); return;
    case ValKind::I64: b.push_back(0x7E); return;
    case ValKind::F32: b.push_back(0x7D); return;
    case ValKind::F64: b.push_back(0x7C); return;
    case ValKind::V128: b.push_back(0x7B); return;
    default: break;
  }
  if (vt.nullable && vt.heap != HeapKind::Concrete) {
    put_heap(b, vt);
    return;
  }
  b.push_back(vt.nullable ? 0x63 : 0x64);
  put_heap(b, vt);
}

void put_functype(Bytes& b, const FuncType& ft) {
  b.push_back(0x60);
  put_u32(b, uint32_t(ft.params.size()));
  for (auto& t : ft.params) put_valtype(b, t);
  put_u32(b, uint32_t(ft.results.size()));
  for (auto& t : ft.results) put_valtype(b, t);
}

void put_field(Bytes& b, const FieldType& f) {
  if (f.packed == Packed::I8)
    b.push_back(0x78);
  else if (f.packed == Packed::I16)
    b.push_back(0x77);
  else
    put_valtype(b, f.type);
  b.push_back(f.mut ? 1 : 0);
}

void put_limits(Bytes& b, const Limits& l, uint8_t extra_flags) {
  uint8_t flags = extra_flags | (l.max ? 1 : 0) | (l.is64 ? 4 : 0) | (l.shared ? 2 : 0);
  b.push_back(flags);
  put_u64(b, l.min);
  if (l.max) put_u64(b, *l.max);
}

void section(Bytes& out, uint8_t id, uint32_t count, const Bytes& body) {
  Bytes tmp;
  put_u32(tmp, count);
  out.push_back(id);
  put_u32(out, uint32_t(tmp.size() + body.size()));
  out.insert(out.end(), tmp.begin(), tmp.end());
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace hull::text
