// Type section validation, iso-recursive type canonicalization and the subtype relation.
#include "valid/subtyping.h"

#include <string>
#include <unordered_map>

namespace hull {

namespace {

bool ref_index_ok(const ValType& t, uint64_t limit) {
  return !t.is_ref() || t.heap != HeapKind::Concrete || t.index < limit;
}

// All type references inside `st` are below `limit`.
bool subtype_refs_ok(const SubType& st, uint64_t limit) {
  for (const ValType& t : st.func.params)
    if (!ref_index_ok(t, limit)) return false;
  for (const ValType& t : st.func.results)
    if (!ref_index_ok(t, limit)) return false;
  for (const FieldType& f : st.fields)
    if (!ref_index_ok(f.type, limit)) return false;
  return true;
}

// Maps a type index for structural comparison of recursion groups: indices inside the group
// become (1, relative position), outer ones (0, canonical id).
struct GroupMap {
  const std::vector<uint32_t>& canon;
  uint32_t start, size;
  uint64_t map(uint32_t idx) const {
    if (idx >= start && idx < start + size) return (uint64_t(1) << 32) | (idx - start);
    return canon[idx];
  }
};

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

uint64_t hash_val(uint64_t h, const ValType& t, const GroupMap& g) {
  h = mix(h, static_cast<uint64_t>(t.kind));
  if (t.is_ref()) {
    h = mix(h, t.nullable);
    h = mix(h, static_cast<uint64_t>(t.heap));
    if (t.heap == HeapKind::Concrete) h = mix(h, g.map(t.index));
  }
  return h;
}

uint64_t hash_sub(uint64_t h, const SubType& st, const GroupMap& g) {
  h = mix(h, static_cast<uint64_t>(st.kind));
  h = mix(h, st.final);
  h = mix(h, st.supers.size());
  for (uint32_t s : st.supers) h = mix(h, g.map(s));
  h = mix(h, st.func.params.size());
  for (const ValType& t : st.func.params) h = hash_val(h, t, g);
  h = mix(h, st.func.results.size());
  for (const ValType& t : st.func.results) h = hash_val(h, t, g);
  h = mix(h, st.fields.size());
  for (const FieldType& f : st.fields) {
    h = mix(h, static_cast<uint64_t>(f.packed) * 2 + f.mut);
    h = hash_val(h, f.type, g);
  }
  return h;
}

bool val_eq(const ValType& a, const GroupMap& ga, const ValType& b, const GroupMap& gb) {
  if (a.kind != b.kind) return false;
  if (!a.is_ref()) return true;
  if (a.nullable != b.nullable || a.heap != b.heap) return false;
  return a.heap != HeapKind::Concrete || ga.map(a.index) == gb.map(b.index);
}

bool vals_eq(const std::vector<ValType>& a, const GroupMap& ga, const std::vector<ValType>& b,
             const GroupMap& gb) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!val_eq(a[i], ga, b[i], gb)) return false;
  return true;
}

bool sub_eq(const SubType& a, const GroupMap& ga, const SubType& b, const GroupMap& gb) {
  if (a.kind != b.kind || a.final != b.final || a.supers.size() != b.supers.size()) return false;
  for (size_t i = 0; i < a.supers.size(); ++i)
    if (ga.map(a.supers[i]) != gb.map(b.supers[i])) return false;
  if (!vals_eq(a.func.params, ga, b.func.params, gb)) return false;
  if (!vals_eq(a.func.results, ga, b.func.results, gb)) return false;
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    if (a.fields[i].packed != b.fields[i].packed || a.fields[i].mut != b.fields[i].mut)
      return false;
    if (!val_eq(a.fields[i].type, ga, b.fields[i].type, gb)) return false;
  }
  return true;
}

bool is_abstract_sub(HeapKind sub, HeapKind super) {
  if (sub == super) return true;
  switch (super) {
    case HeapKind::Any:
      return sub == HeapKind::Eq || sub == HeapKind::I31 || sub == HeapKind::Struct ||
             sub == HeapKind::Array || sub == HeapKind::None;
    case HeapKind::Eq:
      return sub == HeapKind::I31 || sub == HeapKind::Struct || sub == HeapKind::Array ||
             sub == HeapKind::None;
    case HeapKind::I31:
    case HeapKind::Struct:
    case HeapKind::Array: return sub == HeapKind::None;
    case HeapKind::Func: return sub == HeapKind::NoFunc;
    case HeapKind::Extern: return sub == HeapKind::NoExtern;
    case HeapKind::Exn: return sub == HeapKind::NoExn;
    default: return false;
  }
}

// The abstract heap type a concrete type index belongs directly under.
HeapKind concrete_kind(const ModuleDesc& m, uint32_t idx) {
  switch (m.types[idx].kind) {
    case CompositeKind::Func: return HeapKind::Func;
    case CompositeKind::Struct: return HeapKind::Struct;
    case CompositeKind::Array: return HeapKind::Array;
  }
  return HeapKind::Func;
}

bool field_subtype(const ModuleDesc& m, const ModuleInfo& info, const FieldType& sub,
                   const FieldType& super) {
  if (sub.mut != super.mut || sub.packed != super.packed) return false;
  if (sub.packed != Packed::NotPacked) return true;
  if (!is_subtype(m, info, sub.type, super.type)) return false;
  // Mutable fields are invariant.
  return !sub.mut || is_subtype(m, info, super.type, sub.type);
}

bool composite_subtype(const ModuleDesc& m, const ModuleInfo& info, const SubType& sub,
                       const SubType& super) {
  if (sub.kind != super.kind) return false;
  switch (sub.kind) {
    case CompositeKind::Func: return func_type_matches(m, info, sub.func, super.func);
    case CompositeKind::Struct:
    case CompositeKind::Array:
      if (sub.fields.size() < super.fields.size()) return false;
      if (sub.kind == CompositeKind::Array && sub.fields.size() != super.fields.size())
        return false;
      for (size_t i = 0; i < super.fields.size(); ++i)
        if (!field_subtype(m, info, sub.fields[i], super.fields[i])) return false;
      return true;
  }
  return false;
}

}  // namespace

bool valid_val_type(const ModuleDesc& m, const ValType& t) {
  if (t.kind == ValKind::Bot) return false;
  return ref_index_ok(t, m.types.size());
}

Status validate_types(const ModuleDesc& m, ModuleInfo* info) {
  const uint32_t n = static_cast<uint32_t>(m.types.size());
  info->canon.assign(n, 0);
  // Recursion groups already canonicalized, by structural hash.
  std::unordered_multimap<uint64_t, uint32_t> groups;
  uint32_t i = 0;
  while (i < n) {
    const uint32_t start = i;
    uint32_t size = m.types[i].rec_size;
    const size_t group_at = EntryOffsets::of(m.at.types, start);
    if (size == 0 || m.types[i].rec_group != start || uint64_t(start) + size > n)
      return Error::invalid("malformed recursion group", group_at);
    for (uint32_t k = 0; k < size; ++k) {
      const SubType& st = m.types[start + k];
      const size_t at = EntryOffsets::of(m.at.types, start + k);
      if (st.rec_group != start || st.rec_size != size)
        return Error::invalid("malformed recursion group", group_at);
      // Spec: types may refer forward only within their own recursion group.
      if (!subtype_refs_ok(st, uint64_t(start) + size)) return Error::invalid("unknown type", at);
      if (st.supers.size() > 1) return Error::invalid("multiple supertypes", at);
      for (uint32_t s : st.supers)
        if (s >= start + k) return Error::invalid("unknown type " + std::to_string(s), at);
      if (st.kind == CompositeKind::Array && st.fields.size() != 1)
        return Error::invalid("malformed array type", at);
    }
    GroupMap g{info->canon, start, size};
    uint64_t h = mix(0, size);
    for (uint32_t k = 0; k < size; ++k) h = hash_sub(h, m.types[start + k], g);
    bool found = false;
    auto range = groups.equal_range(h);
    for (auto it = range.first; it != range.second && !found; ++it) {
      uint32_t other = it->second;
      if (m.types[other].rec_size != size) continue;
      GroupMap go{info->canon, other, size};
      bool same = true;
      for (uint32_t k = 0; k < size && same; ++k)
        same = sub_eq(m.types[start + k], g, m.types[other + k], go);
      if (same) {
        for (uint32_t k = 0; k < size; ++k) info->canon[start + k] = info->canon[other + k];
        found = true;
      }
    }
    if (!found) {
      for (uint32_t k = 0; k < size; ++k) info->canon[start + k] = start + k;
      groups.emplace(h, start);
    }
    // Declared supertypes: not final, same shape, structurally a supertype.
    for (uint32_t k = 0; k < size; ++k) {
      const SubType& st = m.types[start + k];
      for (uint32_t s : st.supers) {
        const SubType& sup = m.types[s];
        if (sup.final || !composite_subtype(m, *info, st, sup))
          return Error::invalid("sub type " + std::to_string(start + k) +
                                    " does not match super type " + std::to_string(s),
                                EntryOffsets::of(m.at.types, start + k));
      }
    }
    i = start + size;
  }
  return {};
}

bool type_index_subtype(const ModuleDesc& m, const ModuleInfo& info, uint32_t sub, uint32_t super) {
  const uint32_t target = info.canon[super];
  uint32_t x = sub;
  // Declared supertypes have strictly smaller indices, so this walk terminates.
  for (;;) {
    if (info.canon[x] == target) return true;
    const SubType& st = m.types[x];
    if (st.supers.empty()) return false;
    x = st.supers[0];
  }
}

bool heap_subtype(const ModuleDesc& m, const ModuleInfo& info, const ValType& sub,
                  const ValType& super) {
  if (sub.heap == HeapKind::Bot) return true;
  if (sub.heap == HeapKind::Concrete) {
    if (super.heap == HeapKind::Concrete)
      return type_index_subtype(m, info, sub.index, super.index);
    return is_abstract_sub(concrete_kind(m, sub.index), super.heap);
  }
  if (super.heap == HeapKind::Concrete) {
    HeapKind k = concrete_kind(m, super.index);
    if (k == HeapKind::Func) return sub.heap == HeapKind::NoFunc;
    return sub.heap == HeapKind::None;
  }
  return is_abstract_sub(sub.heap, super.heap);
}

bool is_subtype(const ModuleDesc& m, const ModuleInfo& info, const ValType& sub,
                const ValType& super) {
  if (sub.kind == ValKind::Bot) return true;
  if (sub.kind != super.kind) return false;
  if (sub.kind != ValKind::Ref) return true;
  if (sub.nullable && !super.nullable) return false;
  return heap_subtype(m, info, sub, super);
}

bool is_subtype(const ModuleDesc& m, const ValType& sub, const ValType& super) {
  ModuleInfo info;
  if (!validate_types(m, &info).ok()) return false;
  return is_subtype(m, info, sub, super);
}

bool func_type_matches(const ModuleDesc& m, const ModuleInfo& info, const FuncType& sub,
                       const FuncType& super) {
  if (sub.params.size() != super.params.size() || sub.results.size() != super.results.size())
    return false;
  for (size_t i = 0; i < sub.params.size(); ++i)
    if (!is_subtype(m, info, super.params[i], sub.params[i])) return false;
  for (size_t i = 0; i < sub.results.size(); ++i)
    if (!is_subtype(m, info, sub.results[i], super.results[i])) return false;
  return true;
}

HeapKind heap_top(const ModuleDesc& m, const ValType& t) {
  HeapKind h = t.heap;
  if (h == HeapKind::Concrete) h = concrete_kind(m, t.index);
  return abstract_top(h);
}

}  // namespace hull
