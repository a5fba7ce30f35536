// The engine-wide canonicalizing type registry (iso-recursive type equivalence).
#include "runtime/type_registry.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hull {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

struct Entry {
  SubType type;         // canonical form
  uint32_t super = kNone;  // direct declared supertype (canonical id)
  uint32_t depth = 0;      // length of the supertype chain above this type
};

// Entries live in fixed-size chunks that never move, indexed through an array of atomic chunk
// pointers: readers holding an id (published under the mutex) need no lock.
constexpr uint32_t kChunkBits = 10;
constexpr uint32_t kChunkSize = 1u << kChunkBits;
constexpr uint32_t kMaxChunks = 1u << 14;  // 16 Mi types

struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, uint32_t> groups;  // encoded rec group -> first id
  std::atomic<Entry*> chunks[kMaxChunks] = {};
  std::atomic<uint32_t> count{0};

  Entry& at(uint32_t id) {
    return chunks[id >> kChunkBits].load(std::memory_order_acquire)[id & (kChunkSize - 1)];
  }
  // Called with `mu` held.
  Entry& append() {
    uint32_t id = count.load(std::memory_order_relaxed);
    uint32_t c = id >> kChunkBits;
    if (c >= kMaxChunks) __builtin_trap();  // 16 Mi distinct types: beyond any sane use
    if (!chunks[c].load(std::memory_order_relaxed)) {
      chunks[c].store(new Entry[kChunkSize], std::memory_order_release);
    }
    count.store(id + 1, std::memory_order_release);
    return at(id);
  }
};

// Leaked on purpose: ids must stay valid during static destruction of other objects.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// How a type index inside a group being canonicalized resolves: a position in the group
// (internal) or an already-canonical id (external).
struct Ref {
  bool internal;
  uint32_t value;
};

// Encodes a rec group into a byte key, resolving references with `resolve`.
template <class Resolve>
class KeyWriter {
 public:
  explicit KeyWriter(Resolve r) : resolve_(r) {}
  void word(uint32_t w) { key_.append(reinterpret_cast<const char*>(&w), sizeof w); }
  void ref(uint32_t index) {
    Ref r = resolve_(index);
    word(r.internal ? 1 : 2);
    word(r.value);
  }
  void val_type(const ValType& t) {
    word(static_cast<uint32_t>(t.kind));
    if (t.kind != ValKind::Ref) return;
    word(t.nullable ? 1 : 0);
    word(static_cast<uint32_t>(t.heap));
    if (t.heap == HeapKind::Concrete) ref(t.index);
  }
  void sub_type(const SubType& s) {
    word(static_cast<uint32_t>(s.kind));
    word(s.final ? 1 : 0);
    word(static_cast<uint32_t>(s.supers.size()));
    for (uint32_t sup : s.supers) ref(sup);
    switch (s.kind) {
      case CompositeKind::Func:
        word(static_cast<uint32_t>(s.func.params.size()));
        for (const ValType& t : s.func.params) val_type(t);
        word(static_cast<uint32_t>(s.func.results.size()));
        for (const ValType& t : s.func.results) val_type(t);
        break;
      case CompositeKind::Struct:
      case CompositeKind::Array:
        word(static_cast<uint32_t>(s.fields.size()));
        for (const FieldType& f : s.fields) {
          val_type(f.type);
          word(static_cast<uint32_t>(f.packed) | (f.mut ? 0x100 : 0));
        }
        break;
    }
  }
  std::string take() { return std::move(key_); }

 private:
  Resolve resolve_;
  std::string key_;
};

// Rewrites the references of `s` to canonical ids, given the group's first id.
template <class Resolve>
SubType to_canonical(const SubType& s, uint32_t first, uint32_t size, Resolve resolve) {
  auto id_of = [&](uint32_t index) {
    Ref r = resolve(index);
    return r.internal ? first + r.value : r.value;
  };
  auto fix = [&](ValType& t) {
    if (t.kind == ValKind::Ref && t.heap == HeapKind::Concrete) t.index = id_of(t.index);
  };
  SubType c = s;
  for (uint32_t& sup : c.supers) sup = id_of(sup);
  for (ValType& t : c.func.params) fix(t);
  for (ValType& t : c.func.results) fix(t);
  for (FieldType& f : c.fields) fix(f.type);
  c.rec_group = first;
  c.rec_size = size;
  return c;
}

// Interns the rec group `group[0..n)`; returns the id of its first type (the others follow).
template <class Resolve>
uint32_t intern_group(const SubType* group, uint32_t n, Resolve resolve) {
  KeyWriter<Resolve> w(resolve);
  w.word(n);
  for (uint32_t i = 0; i < n; ++i) w.sub_type(group[i]);
  std::string key = w.take();

  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.groups.find(key);
  if (it != r.groups.end()) return it->second;
  const uint32_t first = r.count.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < n; ++i) {
    Entry& e = r.append();
    e.type = to_canonical(group[i], first, n, resolve);
    if (!e.type.supers.empty()) {
      uint32_t sup = e.type.supers[0];
      // Valid modules only name earlier types as supertypes.
      if (sup < first + i) {
        e.super = sup;
        e.depth = r.at(sup).depth + 1;
      }
    }
  }
  r.groups.emplace(std::move(key), first);
  return first;
}

bool is_any_hierarchy(HeapKind h) {
  return h == HeapKind::Any || h == HeapKind::Eq || h == HeapKind::I31 ||
         h == HeapKind::Struct || h == HeapKind::Array || h == HeapKind::None;
}

bool heap_is_subtype(HeapKind a, uint32_t ai, HeapKind b, uint32_t bi) {
  if (a == HeapKind::Bot) return true;
  if (a == HeapKind::Concrete && b == HeapKind::Concrete) return type_id_is_subtype(ai, bi);
  if (a == HeapKind::Concrete) {
    CompositeKind k = type_by_id(ai).kind;
    switch (b) {
      case HeapKind::Func: return k == CompositeKind::Func;
      case HeapKind::Struct: return k == CompositeKind::Struct;
      case HeapKind::Array: return k == CompositeKind::Array;
      case HeapKind::Eq:
      case HeapKind::Any: return k != CompositeKind::Func;
      default: return false;
    }
  }
  if (b == HeapKind::Concrete) {
    CompositeKind k = type_by_id(bi).kind;
    return k == CompositeKind::Func ? a == HeapKind::NoFunc : a == HeapKind::None;
  }
  if (a == b) return true;
  switch (b) {
    case HeapKind::Any: return is_any_hierarchy(a);
    case HeapKind::Eq:
      return a == HeapKind::I31 || a == HeapKind::Struct || a == HeapKind::Array ||
             a == HeapKind::None;
    case HeapKind::I31:
    case HeapKind::Struct:
    case HeapKind::Array: return a == HeapKind::None;
    case HeapKind::Func: return a == HeapKind::NoFunc;
    case HeapKind::Extern: return a == HeapKind::NoExtern;
    case HeapKind::Exn: return a == HeapKind::NoExn;
    default: return false;
  }
}

}  // namespace

std::vector<uint32_t> canonicalize_types(const std::vector<SubType>& types) {
  std::vector<uint32_t> ids(types.size(), kNone);
  const uint32_t n = static_cast<uint32_t>(types.size());
  uint32_t start = 0;
  while (start < n) {
    uint32_t size = types[start].rec_size;
    if (size == 0 || start + size > n) size = 1;  // defensive: malformed group bounds
    auto resolve = [&, start, size](uint32_t index) -> Ref {
      if (index >= start && index < start + size) return Ref{true, index - start};
      if (index < start) return Ref{false, ids[index]};
      return Ref{false, kNone};  // forward reference: invalid, never equal to a real id
    };
    uint32_t first = intern_group(&types[start], size, resolve);
    for (uint32_t i = 0; i < size; ++i) ids[start + i] = first + i;
    start += size;
  }
  return ids;
}

uint32_t canonicalize_func_type(const FuncType& ft) {
  SubType s;
  s.kind = CompositeKind::Func;
  s.final = true;
  s.func = ft;
  return intern_group(&s, 1, [](uint32_t index) { return Ref{false, index}; });
}

const SubType& type_by_id(uint32_t id) { return registry().at(id).type; }

bool type_id_is_subtype(uint32_t sub, uint32_t super) {
  if (sub == super) return true;
  Registry& r = registry();
  const uint32_t count = r.count.load(std::memory_order_acquire);
  if (sub >= count || super >= count) return false;
  const uint32_t target_depth = r.at(super).depth;
  const Entry* e = &r.at(sub);
  if (e->depth <= target_depth) return false;
  while (e->depth > target_depth) {
    sub = e->super;
    e = &r.at(sub);
  }
  return sub == super;
}

ValType canonical_val_type(const ValType& t, const std::vector<uint32_t>& type_ids) {
  ValType c = t;
  if (c.kind == ValKind::Ref && c.heap == HeapKind::Concrete && c.index < type_ids.size()) {
    c.index = type_ids[c.index];
  }
  return c;
}

bool canonical_val_type_is_subtype(const ValType& sub, const ValType& super) {
  if (sub.kind == ValKind::Bot) return true;
  if (sub.kind != super.kind) return false;
  if (sub.kind != ValKind::Ref) return true;
  if (sub.nullable && !super.nullable) return false;
  return heap_is_subtype(sub.heap, sub.index, super.heap, super.index);
}

}  // namespace hull
