// Layouts of struct/array types, allocation, casts and the mark-sweep collector (gc_heap.h).
#include "runtime/gc_heap.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

#include "runtime/exception.h"
#include "runtime/store.h"
#include "runtime/type_registry.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HULL_GC_ASAN 1
#endif
#endif
#if !defined(HULL_GC_ASAN) && defined(__SANITIZE_ADDRESS__)
#define HULL_GC_ASAN 1
#endif
#ifdef HULL_GC_ASAN
#include <sanitizer/asan_interface.h>
#endif

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

// The chunk header. Slot i starts at `first + i * slot_size` from the chunk's base; slots are
// 16-aligned (v128 fields), as chunks and slot sizes are.
struct GcHeap::Chunk {
  static constexpr size_t kMaxSlots = kChunkBytes / 16;
  static constexpr uint8_t kNoClass = 0xFF;  // empty, in the pool
  uint32_t slot_size = 0;
  uint32_t nslots = 0;  // 0 in the pool: find() matches nothing in it
  uint32_t first = 0;
  // (offset - first) * magic >> 32 is the slot index of an offset on the slot grid, without a
  // division: with magic = floor(2^32 / slot_size) + 1, it is exact for multiples of slot_size
  // below 2^32 (the error is offset * (magic - 2^32 / slot_size) / 2^32 < 1).
  uint32_t magic = 0;
  uint32_t nwords = 0;       // bitmap words covering nslots
  uint32_t live = 0;         // slots in use
  uint32_t alloc_word = 0;   // words before it have no free slot
  uint32_t swept_words = 0;  // the sweep has done words [0, swept_words) (nwords: not sweeping)
  uint8_t cls = kNoClass;
  // One bit per slot, set while it holds an object. Bits past nslots in the last word are set,
  // so that allocation never takes them (find() and the sweep stop at nslots).
  uint64_t bits[kMaxSlots / 64];

  uint8_t* base() { return reinterpret_cast<uint8_t*>(this); }
  GcObject* slot(size_t i) {
    return reinterpret_cast<GcObject*>(base() + first + i * size_t(slot_size));
  }
  uint64_t word_mask(uint32_t w) const {  // the bits of word w that are slots
    const uint32_t n = nslots - w * 64;
    return n >= 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1;
  }
};

namespace {

using Chunk = GcHeap::Chunk;

// The slot sizes: 16-byte steps up to 256 bytes (most structs), then eight classes per
// doubling, so that rounding up wastes at most 1/8 of a slot.
constexpr std::array<uint16_t, GcHeap::kNumClasses> kClassSizes = [] {
  std::array<uint16_t, GcHeap::kNumClasses> sizes{};
  size_t n = 0;
  for (uint16_t s = 16; s <= 256; s += 16) sizes[n++] = s;
  for (uint32_t lo = 256; lo < GcHeap::kMaxSmallBytes; lo *= 2)
    for (uint32_t i = 1; i <= 8; ++i) sizes[n++] = static_cast<uint16_t>(lo + lo / 8 * i);
  return sizes;
}();
static_assert(kClassSizes.back() == GcHeap::kMaxSmallBytes);

// The class of an object of `bytes`, by (bytes + 15) / 16.
constexpr std::array<uint8_t, GcHeap::kMaxSmallBytes / 16 + 1> kClassOf = [] {
  std::array<uint8_t, GcHeap::kMaxSmallBytes / 16 + 1> of{};
  size_t c = 0;
  for (size_t units = 0; units < of.size(); ++units) {
    while (kClassSizes[c] < units * 16) ++c;
    of[units] = static_cast<uint8_t>(c);
  }
  return of;
}();

size_t object_bytes(const GcObject* o) {
  if (o->kind == RefObjectKind::Host) return sizeof(ExternObject);
  const size_t payload = o->layout->kind == CompositeKind::Array
                             ? size_t(o->length) * o->layout->payload_size
                             : o->layout->payload_size;
  return GcObject::kHeaderSize + payload;
}

// Freed slots (and cached large blocks) are poisoned under ASan, so that a missed root
// (HULL_GC_STRESS frees at once) is reported at its first use rather than when the slot is reused.
void poison(void* p, size_t n) {
#ifdef HULL_GC_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#else
  (void)p, (void)n;
#endif
}
void unpoison(void* p, size_t n) {
#ifdef HULL_GC_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p, (void)n;
#endif
}

// A zeroed chunk of kChunkBytes aligned to its size, or nullptr.
Chunk* map_chunk() {
  constexpr size_t kBytes = GcHeap::kChunkBytes;
  void* raw = mmap(nullptr, 2 * kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t base = (start + kBytes - 1) & ~(kBytes - 1);
  if (base > start) munmap(raw, base - start);
  if (base + kBytes < start + 2 * kBytes)
    munmap(reinterpret_cast<void*>(base + kBytes), start + 2 * kBytes - base - kBytes);
  return new (reinterpret_cast<void*>(base)) Chunk;  // the bitmap stays as mmap made it: zero
}

void unmap_chunk(Chunk* c) {
  unpoison(c, GcHeap::kChunkBytes);
  munmap(c, GcHeap::kChunkBytes);
}

bool chunk_before(const Chunk* c, uintptr_t base) { return reinterpret_cast<uintptr_t>(c) < base; }

}  // namespace

GcHeap::GcHeap() {
  static const bool stress = std::getenv("HULL_GC_STRESS") != nullptr;
  stress_ = stress;
}

GcHeap::~GcHeap() {
  finish_sweep();
  for (Chunk* c : chunks_) {
    const uint32_t nwords = c->cls == Chunk::kNoClass ? 0 : c->nwords;
    for (uint32_t w = 0; w < nwords; ++w) {
      for (uint64_t bits = c->bits[w] & c->word_mask(w); bits; bits &= bits - 1) {
        const GcObject* o = c->slot(w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits)));
        if (o->kind != RefObjectKind::Host) continue;
        const auto* h = reinterpret_cast<const ExternObject*>(o);
        if (h->finalizer) h->finalizer(h->host_value);
      }
    }
    unmap_chunk(c);
  }
  for (const GcObject* o : large_objects_) std::free(const_cast<GcObject*>(o));
  for (auto& [size, blocks] : free_blocks_) {
    for (void* b : blocks) {
      unpoison(b, size);
      std::free(b);
    }
  }
}

GcObject* GcHeap::find(uintptr_t w) const {
  if (!w || (w & 7) != 0) return nullptr;  // null, i31 or not a pointer we hand out
  const uintptr_t base = w & ~(kChunkBytes - 1);
  auto it = std::lower_bound(chunks_.begin(), chunks_.end(), base, chunk_before);
  if (it != chunks_.end() && reinterpret_cast<uintptr_t>(*it) == base) {
    const Chunk* c = *it;
    const uintptr_t off = w - base;
    if (off < c->first) return nullptr;  // the header
    const uint64_t idx = (uint64_t(off - c->first) * c->magic) >> 32;
    if (idx >= c->nslots || idx * c->slot_size != off - c->first) return nullptr;  // interior
    if (!(c->bits[idx / 64] >> (idx % 64) & 1)) return nullptr;                    // free
    return reinterpret_cast<GcObject*>(w);
  }
  auto lit = large_.find(reinterpret_cast<const GcObject*>(w));
  return lit == large_.end() ? nullptr : const_cast<GcObject*>(*lit);
}

GcHeap::Chunk* GcHeap::new_chunk(size_t cls) {
  Chunk* c;
  if (!pool_.empty()) {
    c = pool_.back();
    pool_.pop_back();
  } else {
    c = map_chunk();
    if (!c) return nullptr;
    const auto base = reinterpret_cast<uintptr_t>(c);
    chunks_.insert(std::lower_bound(chunks_.begin(), chunks_.end(), base, chunk_before), c);
  }
  const uint32_t size = kClassSizes[cls];
  const size_t header = (sizeof(Chunk) + 15) & ~size_t(15);
  c->slot_size = size;
  c->nslots = static_cast<uint32_t>((kChunkBytes - header) / size);
  // The slots end at the chunk's end; the header takes what is left at its start.
  c->first = static_cast<uint32_t>(kChunkBytes - size_t(c->nslots) * size);
  c->magic = static_cast<uint32_t>((uint64_t(1) << 32) / size + 1);
  c->nwords = (c->nslots + 63) / 64;
  c->live = 0;
  c->alloc_word = 0;
  c->swept_words = c->nwords;
  c->cls = static_cast<uint8_t>(cls);
  std::memset(c->bits, 0, sizeof c->bits);
  c->bits[c->nwords - 1] = ~c->word_mask(c->nwords - 1);
  poison(c->base() + c->first, kChunkBytes - c->first);
  return c;
}

void GcHeap::release_chunk(Chunk* c) {
  c->cls = Chunk::kNoClass;
  c->nslots = 0;
  if (pool_.size() < kMaxPooledChunks) {
    pool_.push_back(c);
    return;
  }
  const auto base = reinterpret_cast<uintptr_t>(c);
  chunks_.erase(std::lower_bound(chunks_.begin(), chunks_.end(), base, chunk_before));
  unmap_chunk(c);
}

void* GcHeap::allocate_small(size_t cls) {
  if (!classes_) classes_ = std::make_unique<std::array<SizeClass, kNumClasses>>();
  SizeClass& sc = (*classes_)[cls];
  for (;;) {
    if (Chunk* c = sc.current) {
      // The next free slot among the swept words: an object put where the sweep has not been
      // yet would be unmarked when it gets there, and freed.
      for (uint32_t w = c->alloc_word; w < c->swept_words; ++w) {
        if (const uint64_t free = ~c->bits[w]) {
          const uint64_t bit = free & (0 - free);
          c->bits[w] |= bit;
          c->alloc_word = w;
          ++c->live;
          return c->slot(w * 64 + static_cast<uint32_t>(__builtin_ctzll(bit)));
        }
      }
      c->alloc_word = c->swept_words;
      if (c->swept_words < c->nwords) {
        sweep_chunk(c, 1);  // one more word
        continue;
      }
      sc.current = nullptr;  // full; the next collection's sweep finds it in chunks_
    }
    if (!sc.ready.empty()) {
      sc.current = sc.ready.back();
      sc.ready.pop_back();
    } else if (!sc.unswept.empty()) {
      sc.current = sc.unswept.back();
      sc.unswept.pop_back();
    } else {
      sc.current = new_chunk(cls);
      if (!sc.current) return nullptr;
    }
  }
}

void* GcHeap::allocate_large(size_t bytes) {
  const size_t block = (bytes + 15) & ~size_t(15);
  void* mem = nullptr;
  if (auto it = free_blocks_.find(block); it != free_blocks_.end() && !it->second.empty()) {
    mem = it->second.back();
    it->second.pop_back();
    cached_bytes_ -= block;
    unpoison(mem, block);
    std::memset(mem, 0, bytes);
  } else {
    // calloc: large blocks come zeroed from fresh pages without a memset.
    mem = std::calloc(1, block);
    if (!mem) return nullptr;
  }
  auto* o = static_cast<GcObject*>(mem);
  large_.insert(o);
  large_objects_.push_back(o);
  return mem;
}

void* GcHeap::allocate_memory(size_t bytes) {
  if (bytes > kMaxSmallBytes) return allocate_large(bytes);
  void* mem = allocate_small(kClassOf[(bytes + 15) / 16]);
  if (!mem) return nullptr;
  // Zeroed in whole 16-byte units (the slot has them): sizes known here inline the stores of
  // the common small structs instead of calling memset.
  const size_t n = (bytes + 15) & ~size_t(15);
  unpoison(mem, n);
  switch (n) {
    case 16: std::memset(mem, 0, 16); break;
    case 32: std::memset(mem, 0, 32); break;
    case 48: std::memset(mem, 0, 48); break;
    case 64: std::memset(mem, 0, 64); break;
    default: std::memset(mem, 0, n); break;
  }
  return mem;
}

GcObject* GcHeap::allocate(const GcLayout& layout, uint32_t length, size_t payload,
                           uint64_t limit) {
  const size_t bytes = GcObject::kHeaderSize + payload;
  if (sweeping_) {
    sweep_some(sweep_slice(bytes));
    if (live_bytes_ + bytes > limit) finish_sweep();  // garbage not swept yet counts until it is
  }
  if (live_bytes_ + bytes > limit) return nullptr;
  void* mem = allocate_memory(bytes);
  if (!mem) return nullptr;
  auto* o = static_cast<GcObject*>(mem);
  o->kind = layout.kind == CompositeKind::Array ? RefObjectKind::Array : RefObjectKind::Struct;
  o->length = length;
  o->layout = &layout;
  ++live_objects_;
  live_bytes_ += bytes;
  allocated_since_ += bytes;
  total_allocated_ += bytes;
  return o;
}

ExternObject* GcHeap::allocate_host(uint64_t host_value, void (*finalizer)(uint64_t)) {
  if (sweeping_) sweep_some(sweep_slice(sizeof(ExternObject)));
  void* mem = allocate_memory(sizeof(ExternObject));
  if (!mem) return nullptr;
  auto* h = new (mem) ExternObject;
  h->host_value = host_value;
  h->finalizer = finalizer;
  ++live_objects_;
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

// The accounting of freeing `o` (of `bytes`), and its finalizer.
void GcHeap::release_object(GcObject* o, size_t bytes) {
  live_bytes_ -= bytes;
  --live_objects_;
  if (o->kind == RefObjectKind::Host) {
    --live_host_;
    const auto* h = reinterpret_cast<const ExternObject*>(o);
    if (h->finalizer) h->finalizer(h->host_value);
  }
}

void GcHeap::free_small(Chunk* c, GcObject* o) {
  const size_t bytes = object_bytes(o);
  release_object(o, bytes);
  const size_t idx = size_t(reinterpret_cast<uint8_t*>(o) - c->base() - c->first) / c->slot_size;
  c->bits[idx / 64] &= ~(uint64_t(1) << (idx % 64));
  --c->live;
  poison(o, c->slot_size);
}

void GcHeap::free_large(GcObject* o) {
  const size_t bytes = object_bytes(o);
  release_object(o, bytes);
  large_.erase(o);
  const size_t block = (bytes + 15) & ~size_t(15);
  if (block <= kMaxCachedBlock && cached_bytes_ + block <= kMaxCachedBytes) {
    free_blocks_[block].push_back(o);
    cached_bytes_ += block;
    poison(o, block);
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

size_t GcHeap::sweep_chunk(Chunk* c, size_t budget) {
  size_t cost = 0;
  while (c->swept_words < c->nwords && cost < budget) {
    const uint32_t w = c->swept_words++;
    ++cost;
    for (uint64_t bits = c->bits[w] & c->word_mask(w); bits; bits &= bits - 1) {
      GcObject* o = c->slot(w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits)));
      ++cost;
      if (o->marked) {
        o->marked = false;
      } else {
        free_small(c, o);
      }
    }
  }
  return cost;
}

void GcHeap::chunk_swept(Chunk* c) {
  if (c->live == 0) {
    release_chunk(c);
  } else if (c->live < c->nslots) {
    (*classes_)[c->cls].ready.push_back(c);
  }  // else full: in no list until the next collection
}

void GcHeap::sweep_some(size_t n) {
  if (!sweeping_) return;
  size_t budget = n;
  // The chunks of each class: the current one (an allocation may have taken it before the sweep
  // got to it), then the others.
  // (No table of classes: no chunk either.)
  while (classes_ && sweep_class_ < kNumClasses) {
    SizeClass& sc = (*classes_)[sweep_class_];
    Chunk* c = sc.current && sc.current->swept_words < sc.current->nwords ? sc.current
               : !sc.unswept.empty()                                      ? sc.unswept.back()
                                                                          : nullptr;
    if (!c) {
      ++sweep_class_;
      continue;
    }
    if (budget == 0) return;
    budget -= std::min(budget, sweep_chunk(c, budget));
    if (c != sc.current && c->swept_words == c->nwords) {
      sc.unswept.pop_back();
      chunk_swept(c);
    }
  }
  const size_t stop = sweep_end_ - sweep_cursor_ < budget ? sweep_end_ : sweep_cursor_ + budget;
  for (; sweep_cursor_ < stop; ++sweep_cursor_) {
    GcObject* o = large_objects_[sweep_cursor_];
    if (o->marked) {
      o->marked = false;
      large_objects_[sweep_kept_++] = o;
    } else {
      free_large(o);
    }
  }
  if (sweep_cursor_ < sweep_end_) return;
  // Done: the large objects allocated during the sweep follow the survivors.
  const size_t tail = large_objects_.size() - sweep_end_;
  std::move(large_objects_.begin() + static_cast<ptrdiff_t>(sweep_end_), large_objects_.end(),
            large_objects_.begin() + static_cast<ptrdiff_t>(sweep_kept_));
  large_objects_.resize(sweep_kept_ + tail);
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
    if (GcObject* o = find(static_cast<uintptr_t>(word))) {
      if (!o->marked) {
        o->marked = true;
        marked_bytes += object_bytes(o);
        objects.push_back(o);
      }
      return;
    }
    if (!word || (word & 7) != 0) return;
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
  // that a missing root frees a live object right away). Every chunk in use is to be swept, and
  // no slot of one is free for allocation until the sweep has passed it.
  if (classes_) {
    for (SizeClass& sc : *classes_) {
      sc.current = nullptr;
      sc.ready.clear();
      sc.unswept.clear();
    }
  }
  for (Chunk* c : chunks_) {
    if (c->cls == Chunk::kNoClass) continue;
    c->alloc_word = c->swept_words = 0;
    (*classes_)[c->cls].unswept.push_back(c);
  }
  sweep_class_ = 0;
  sweeping_ = true;
  sweep_cursor_ = sweep_kept_ = 0;
  sweep_end_ = large_objects_.size();
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
