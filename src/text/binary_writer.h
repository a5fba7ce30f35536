// Binary writer helpers shared by the module and component encoders: LEB128, names, sections,
// core value/heap/function types.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "spec/types.h"

namespace hull::text {

using Bytes = std::vector<uint8_t>;

void put_u64(Bytes& b, uint64_t v);
inline void put_u32(Bytes& b, uint32_t v) { put_u64(b, v); }
void put_s64(Bytes& b, int64_t v);
// A length-prefixed name.
void put_name(Bytes& b, std::string_view s);
// A section: id, size, count, body.
void section(Bytes& out, uint8_t id, uint32_t count, const Bytes& body);
// A section whose body already holds everything (no count): id, size, body.
void raw_section(Bytes& out, uint8_t id, const Bytes& body);

void put_heap(Bytes& b, const ValType& vt);
void put_valtype(Bytes& b, const ValType& vt);
void put_functype(Bytes& b, const FuncType& ft);
void put_field(Bytes& b, const FieldType& f);
void put_limits(Bytes& b, const Limits& l, uint8_t extra_flags);

}  // namespace hull::text
