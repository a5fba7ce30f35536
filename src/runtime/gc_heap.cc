// Layouts of struct/array types, allocation, casts and the mark-sweep collector (gc_heap.h).
#include "runtime/gc_heap.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

#include "runtime/exception.h"
#include "runtime/store.h"
#include "runtime/type_registry.h"

namespace hull {

namespace {

uint8_t storage_size(const FieldType& f) {
  switch (f.packed) {
    case Packed::I8: return 1;
    case Packed::I16: return 2;
    case Packed::NotPacked: break;
  }
  switch (f.type.kind) {
    case ValKind::I32:
    case ValKind::F32: return 4;
    case ValKind::V128: return 16;
    default: return 8;  // i64, f64, references
  }
}

FieldRefs refs_of(const FieldType& f) {
  if (f.packed != Packed::NotPacked || !f.type.is_ref()) return FieldRefs::None;
  HeapKind top = abstract_top(f.type.heap);
  if (f.type.heap == HeapKind::Concrete)
    top = type_by_id(f.type.index).kind == CompositeKind::Func ? HeapKind::Func : HeapKind::Any;
  if (top == HeapKind::Func) return FieldRefs::Func;
  if (top == HeapKind::Exn) return FieldRefs::Exn;
  return FieldRefs::Gc;  // any, extern
}

std::unique_ptr<GcLayout> make_layout(uint32_t type_id) {
  const SubType& st = type_by_id(type_id);
  auto l = std::make_unique<GcLayout>();
  l->type_id = type_id;
  l->kind = st.kind;
  if (st.kind == CompositeKind::Array) {
    GcField f;
    f.size = storage_size(st.fields[0]);
    f.is_ref = st.fields[0].packed == Packed::NotPacked && st.fields[0].type.is_ref();
    f.refs = refs_of(st.fields[0]);
    l->fields.push_back(f);
    l->payload_size = f.size;
    l->elem_refs = f.refs;
    return l;
  }
  // Fields in declaration order, each aligned to its size (v128 to 16): no reordering, so
  // offsets are easy to check against a debugger's view of the type.
  uint32_t off = 0;
  for (const FieldType& ft : st.fields) {
    GcField f;
    f.size = storage_size(ft);
    f.is_ref = ft.packed == Packed::NotPacked && ft.type.is_ref();
    f.refs = refs_of(ft);
    off = (off + f.size - 1) & ~uint32_t(f.size - 1);
    f.offset = off;
    off += f.size;
    if (f.refs == FieldRefs::Gc) l->gc_offsets.push_back(f.offset);
    if (f.refs == FieldRefs::Exn) l->exn_offsets.push_back(f.offset);
    l->fields.push_back(f);
  }
  l->payload_size = off;
  return l;
}

}  // namespace

const GcLayout& gc_layout(uint32_t type_id) {
  static std::mutex mu;
  static std::unordered_map<uint32_t, std::unique_ptr<GcLayout>> layouts;
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<GcLayout>& slot = layouts[type_id];
  if (!slot) slot = make_layout(type_id);
  return *slot;
}

GcHeap::GcHeap() {
  static const bool stress = std::getenv("HULL_GC_STRESS") != nullptr;
  stress_ = stress;
}

namespace {

size_t object_bytes(const GcObject* o) {
  if (o->kind == RefObjectKind::Host) return sizeof(ExternObject);
  const size_t payload = o->layout->kind == CompositeKind::Array
                             ? size_t(o->length) * o->layout->payload_size
                             : o->layout->payload_size;
  return GcObject::kHeaderSize + payload;
}

}  // namespace

GcHeap::~GcHeap() {
  finish_sweep();  // objects_ is consistent only between sweeps
  for (const GcObject* o : objects_) {
    if (o->kind == RefObjectKind::Host) {
      const auto* h = reinterpret_cast<const ExternObject*>(o);
      if (h->finalizer) h->finalizer(h->host_value);
    }
    std::free(const_cast<GcObject*>(o));
  }
  for (auto& [size, blocks] : free_blocks_)
    for (void* b : blocks) std::free(b);
}

void* GcHeap::allocate_block(size_t bytes) {
  const size_t block = (bytes + 15) & ~size_t(15);
  if (auto it = free_blocks_.find(block); it != free_blocks_.end() && !it->second.empty()) {
    void* mem = it->second.back();
    it->second.pop_back();
    cached_bytes_ -= block;
    std::memset(mem, 0, bytes);
    return mem;
  }
  // calloc: large blocks come zeroed from fresh pages without a memset.
  return std::calloc(1, block);
}

GcObject* GcHeap::allocate(const GcLayout& layout, uint32_t length, size_t payload,
                           uint64_t limit) {
  const size_t bytes = GcObject::kHeaderSize + payload;
  if (sweeping_) {
    sweep_some(sweep_slice(bytes));
    if (live_bytes_ + bytes > limit) finish_sweep();  // garbage not swept yet counts until it is
  }
  if (live_bytes_ + bytes > limit) return nullptr;
  void* mem = allocate_block(bytes);
  if (!mem) return nullptr;
  auto* o = static_cast<GcObject*>(mem);
  o->kind = layout.kind == CompositeKind::Array ? RefObjectKind::Array : RefObjectKind::Struct;
  o->length = length;
  o->layout = &layout;
  live_.insert(o);
  objects_.push_back(o);
  live_bytes_ += bytes;
  allocated_since_ += bytes;
  total_allocated_ += bytes;
  return o;
}

ExternObject* GcHeap::allocate_host(uint64_t host_value, void (*finalizer)(uint64_t)) {
  if (sweeping_) sweep_some(sweep_slice(sizeof(ExternObject)));
  void* mem = allocate_block(sizeof(ExternObject));
  if (!mem) return nullptr;
  auto* h = new (mem) ExternObject;
  h->host_value = host_value;
  h->finalizer = finalizer;
  live_.insert(reinterpret_cast<const GcObject*>(h));
  objects_.push_back(reinterpret_cast<GcObject*>(h));
  ++live_host_;
  live_bytes_ += sizeof(ExternObject);
  allocated_since_ += sizeof(ExternObject);
  total_allocated_ += sizeof(ExternObject);
  return h;
}

GcObject* GcHeap::allocate_struct(const GcLayout& layout, uint64_t limit_bytes) {
  return allocate(layout, 0, layout.payload_size, limit_bytes);
}

GcObject* GcHeap::allocate_array(const GcLayout& layout, uint32_t length, uint64_t limit_bytes) {
  const uint64_t payload = uint64_t(length) * layout.payload_size;
  if (payload > limit_bytes || payload > kMaxArrayBytes) return nullptr;
  return allocate(layout, length, static_cast<size_t>(payload), limit_bytes);
}

void GcHeap::free_object(GcObject* o) {
  const size_t bytes = object_bytes(o);
  live_bytes_ -= bytes;
  live_.erase(o);
  if (o->kind == RefObjectKind::Host) {
    --live_host_;
    const auto* h = reinterpret_cast<const ExternObject*>(o);
    if (h->finalizer) h->finalizer(h->host_value);
  }
  const size_t block = (bytes + 15) & ~size_t(15);
  if (block <= kMaxCachedBlock && cached_bytes_ + block <= kMaxCachedBytes) {
    free_blocks_[block].push_back(o);
    cached_bytes_ += block;
  } else {
    std::free(o);
  }
}

void GcHeap::pin(RefBits r) {
  if (r) ++pinned_[r];
}

void GcHeap::unpin(RefBits r) {
  auto it = pinned_.find(r);
  if (it != pinned_.end() && --it->second == 0) pinned_.erase(it);
}

void GcHeap::sweep_some(size_t n) {
  if (!sweeping_) return;
  const size_t stop = sweep_end_ - sweep_cursor_ < n ? sweep_end_ : sweep_cursor_ + n;
  for (; sweep_cursor_ < stop; ++sweep_cursor_) {
    GcObject* o = objects_[sweep_cursor_];
    if (o->marked) {
      o->marked = false;
      objects_[sweep_kept_++] = o;
    } else {
      free_object(o);
    }
  }
  if (sweep_cursor_ < sweep_end_) return;
  // Done: the objects allocated during the sweep follow the survivors.
  const size_t tail = objects_.size() - sweep_end_;
  std::move(objects_.begin() + static_cast<ptrdiff_t>(sweep_end_), objects_.end(),
            objects_.begin() + static_cast<ptrdiff_t>(sweep_kept_));
  objects_.resize(sweep_kept_ + tail);
  sweeping_ = false;
}

void GcHeap::collect(ExceptionHeap& exceptions, const RootVisitor& visit_roots) {
  const auto started = std::chrono::steady_clock::now();
  finish_sweep();  // marking starts from a heap with every mark clear
  ++collections_;
  std::vector<GcObject*> objects;
  std::vector<Exception*> exns;
  uint64_t marked_bytes = 0;  // what survives: the next collection is due after as much again
  auto mark = [&](uint64_t word) {
    if (!word || (word & 7) != 0) return;  // null, i31 or not a pointer we hand out
    auto it = live_.find(reinterpret_cast<const GcObject*>(word));
    if (it != live_.end()) {
      auto* o = const_cast<GcObject*>(*it);
      if (!o->marked) {
        o->marked = true;
        marked_bytes += object_bytes(o);
        objects.push_back(o);
      }
      return;
    }
    if (Exception* e = exceptions.find(reinterpret_cast<const void*>(word)); e && !e->marked) {
      e->marked = true;
      exns.push_back(e);
    }
  };
  // Typed fields hold what their type says (wasm code and the host API write only values of
  // the field's type), so they are followed without a lookup.
  auto mark_gc_field = [&](uint64_t word) {
    if (!word || (word & 1) != 0) return;         // null, i31
    auto* o = reinterpret_cast<GcObject*>(word);  // a struct, array or host object
    if (!o->marked) {
      o->marked = true;
      marked_bytes += object_bytes(o);
      objects.push_back(o);
    }
  };
  auto mark_exn_field = [&](uint64_t word) {
    auto* e = reinterpret_cast<Exception*>(word);
    if (e && !e->marked) {
      e->marked = true;
      exns.push_back(e);
    }
  };
  auto mark_fields = [](const uint8_t* p, const std::vector<uint32_t>& offsets, auto&& mark_one) {
    for (uint32_t off : offsets) {
      uint64_t w;
      std::memcpy(&w, p + off, 8);
      mark_one(w);
    }
  };
  auto mark_elems = [](const GcObject* o, auto&& mark_one) {
    const uint8_t* p = o->payload();
    for (uint32_t i = 0; i < o->length; ++i) {
      uint64_t w;
      std::memcpy(&w, p + size_t(i) * 8, 8);
      mark_one(w);
    }
  };
  for (const auto& [r, n] : pinned_) mark(r);
  exceptions.mark_roots(mark);
  visit_roots(mark);
  while (!objects.empty() || !exns.empty()) {
    if (!objects.empty()) {
      GcObject* o = objects.back();
      objects.pop_back();
      if (o->kind == RefObjectKind::Host) continue;  // no references inside
      const GcLayout& l = *o->layout;
      if (l.kind == CompositeKind::Struct) {
        mark_fields(o->payload(), l.gc_offsets, mark_gc_field);
        mark_fields(o->payload(), l.exn_offsets, mark_exn_field);
      } else if (l.elem_refs == FieldRefs::Gc) {
        mark_elems(o, mark_gc_field);
      } else if (l.elem_refs == FieldRefs::Exn) {
        mark_elems(o, mark_exn_field);
      }
      continue;
    }
    Exception* e = exns.back();
    exns.pop_back();
    for (uint64_t w : e->payload) mark(w);
  }
  exceptions.sweep();
  // The objects are swept lazily by the allocations that follow (in stress mode at once, so
  // that a missing root frees a live object right away).
  sweeping_ = true;
  sweep_cursor_ = sweep_kept_ = 0;
  sweep_end_ = objects_.size();
  if (stress_) finish_sweep();
  allocated_since_ = 0;
  next_collection_ = std::max<uint64_t>(kMinCollectBytes, marked_bytes);
  const auto pause = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::steady_clock::now() - started)
                                               .count());
  pause_total_ns_ += pause;
  pause_max_ns_ = std::max(pause_max_ns_, pause);
}

bool ref_matches_heap_type(RefBits r, HeapKind top, HeapKind target, uint32_t type_id) {
  if (!r) return false;
  switch (target) {
    case HeapKind::Any:
    case HeapKind::Func:
    case HeapKind::Extern:
    case HeapKind::Exn: return true;  // validation put r in this hierarchy
    case HeapKind::None:
    case HeapKind::NoFunc:
    case HeapKind::NoExtern:
    case HeapKind::NoExn:
    case HeapKind::Bot: return false;
    default: break;
  }
  if (top == HeapKind::Func) {
    // A concrete function type: the function's declared type or a subtype of it.
    return target == HeapKind::Concrete &&
           type_id_is_subtype(reinterpret_cast<const Function*>(r)->type_id, type_id);
  }
  if (is_i31(r)) return target == HeapKind::Eq || target == HeapKind::I31;
  const RefObjectKind k = ref_object_kind(r);
  if (k == RefObjectKind::Host) return false;  // only `any` holds host objects
  switch (target) {
    case HeapKind::Eq: return true;
    case HeapKind::Struct: return k == RefObjectKind::Struct;
    case HeapKind::Array: return k == RefObjectKind::Array;
    case HeapKind::Concrete:
      return type_id_is_subtype(reinterpret_cast<const GcObject*>(r)->layout->type_id, type_id);
    default: return false;
  }
}

}  // namespace hull
