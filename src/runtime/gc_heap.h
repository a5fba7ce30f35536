// The garbage-collected heap of Wasm GC (Wasm 3.0): struct and array objects, i31 references,
// and the store's mark-sweep collector.
//
// Reference words. Every reference is one pointer-sized word (RefBits), null is 0:
//   * i31ref: (value << 1) | 1 -- the only odd words, so never confused with a pointer;
//   * a struct or array: a GcObject* (allocated here, 8-aligned);
//   * a host object: an ExternObject* (runtime/value.h), also allocated and collected here;
//   * funcref: a Function*; exnref: an Exception* (runtime/exception.h).
// GcObject and ExternObject begin with the same `RefObjectKind` byte, so a word of the any
// hierarchy (which may hold a host object after any.convert_extern) tells them apart;
// any.convert_extern and extern.convert_any are therefore the identity on words, which makes
// their round trips exact (ref.eq holds) with no allocation.
//
// Objects never move. The collector (GcHeap::collect) marks from the roots its caller visits
// -- the interpreter's frames (their stack maps' reference slots, or every slot of a frame
// without one), globals, tables, element segments, exception payloads and the
// host's handles (Store::host_roots, pinned words) -- and through object fields (each object's
// layout says which fields are references), then frees everything unmarked. Every root word is
// looked up among the live objects and exceptions before it is followed, so a word that is not a
// reference is ignored. Collections start when the bytes allocated since the last one exceed the
// bytes that survived it (at least kMinCollectBytes): amortized linear work, a heap at most about
// twice its live size.
//
// Memory. Objects up to kMaxSmallBytes live in slots of a size class (16-byte steps up to 256,
// then eight classes per doubling: at most 1/8 wasted), carved from chunks of kChunkBytes aligned
// to their size. A chunk begins with a header: its class, and a bitmap with one bit per slot,
// set while the slot holds an object. Allocation takes the next clear bit of a class's current
// chunk and the sweep clears the bits of dead objects, a word of the bitmap at a time: no hash
// set to update per object (which took most of an allocating program's time). A word is checked
// by clearing its low bits, which names its chunk if it is in one (looked up among the heap's
// chunks, a sorted vector); it must then fall on the slot grid and its slot's bit be set.
// Larger objects are individual blocks, tracked in a hash set (they are few, and each costs far
// more to fill than its lookups).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/value.h"
#include "spec/types.h"

namespace hull {

class ExceptionHeap;

// Storage of one struct field or array element.
// What a reference field holds, for the collector: GC heap objects (the any and extern
// hierarchies: structs, arrays, host objects, i31s), exceptions, or functions (never collected).
enum class FieldRefs : uint8_t { None, Gc, Exn, Func };

struct GcField {
  uint32_t offset = 0;  // from the start of the payload (struct); 0 for array elements
  uint8_t size = 8;     // 1, 2, 4, 8 or 16 bytes
  bool is_ref = false;
  FieldRefs refs = FieldRefs::None;
};

// The runtime layout of a struct or array type, one per canonical type id, process-wide.
struct GcLayout {
  uint32_t type_id = 0;
  CompositeKind kind = CompositeKind::Struct;
  uint32_t payload_size = 0;    // struct: bytes of all fields; array: element size
  std::vector<GcField> fields;  // struct: one per field; array: the element
  // Marking follows typed fields without looking them up: a field's type says what it holds.
  std::vector<uint32_t> gc_offsets;       // struct: offsets of fields with FieldRefs::Gc
  std::vector<uint32_t> exn_offsets;      // struct: offsets of fields with FieldRefs::Exn
  FieldRefs elem_refs = FieldRefs::None;  // array: what its elements hold
};

// The layout of struct/array type `type_id` (canonical). Thread-safe; the reference is stable.
const GcLayout& gc_layout(uint32_t type_id);

struct GcObject {
  RefObjectKind kind;  // Struct or Array; first, like ExternObject's
  bool marked = false;
  uint32_t length = 0;  // arrays: number of elements
  const GcLayout* layout = nullptr;
  // Payload follows, 16-aligned (v128 fields).
  uint8_t* payload() { return reinterpret_cast<uint8_t*>(this) + kHeaderSize; }
  const uint8_t* payload() const { return reinterpret_cast<const uint8_t*>(this) + kHeaderSize; }
  static constexpr size_t kHeaderSize = 16;
};
static_assert(sizeof(GcObject) <= GcObject::kHeaderSize);
// The collector reads `kind` and sets `marked` through a GcObject* for host objects too.
static_assert(offsetof(GcObject, kind) == offsetof(ExternObject, kind) &&
              offsetof(GcObject, marked) == offsetof(ExternObject, marked));

// i31 references.
inline RefBits i31_ref(uint32_t v) { return (RefBits(v & 0x7FFFFFFFu) << 1) | 1; }
inline bool is_i31(RefBits r) { return (r & 1) != 0; }
inline uint32_t i31_get_u(RefBits r) { return static_cast<uint32_t>(r >> 1) & 0x7FFFFFFFu; }
inline uint32_t i31_get_s(RefBits r) {
  const uint32_t v = static_cast<uint32_t>(r >> 1);  // bit 30 is the sign
  return static_cast<uint32_t>(static_cast<int32_t>(v << 1) >> 1);
}

// The kind of object a non-null, non-i31 word of the any hierarchy points at.
inline RefObjectKind ref_object_kind(RefBits r) {
  return *reinterpret_cast<const RefObjectKind*>(r);
}

class GcHeap {
 public:
  static constexpr size_t kMinCollectBytes = size_t(4) << 20;
  // The largest array payload, whatever the store's limit: array.new fills its elements in one
  // instruction that neither fuel nor a deadline interrupts, so its length must stay bounded
  // (2 GiB: about a second of filling).
  static constexpr uint64_t kMaxArrayBytes = uint64_t(2) << 30;
  // The memory of small objects (see above): chunks, the largest slot, the number of classes.
  static constexpr size_t kChunkBytes = size_t(256) << 10;
  static constexpr size_t kMaxSmallBytes = 8192;
  static constexpr size_t kNumClasses = 56;  // kClassSizes in gc_heap.cc
  struct Chunk;                              // the header at the start of a chunk (gc_heap.cc)

  GcHeap();
  GcHeap(const GcHeap&) = delete;
  GcHeap& operator=(const GcHeap&) = delete;
  ~GcHeap();

  // A zeroed struct/array of `layout`; nullptr if it would pass `limit_bytes` of live heap.
  GcObject* allocate_struct(const GcLayout& layout, uint64_t limit_bytes);
  GcObject* allocate_array(const GcLayout& layout, uint32_t length, uint64_t limit_bytes);
  // A host object (externref) wrapping `host_value`; `finalizer` runs when it is freed. Host
  // objects are made by the embedder, so no store limit applies (nullptr only if malloc fails).
  ExternObject* allocate_host(uint64_t host_value, void (*finalizer)(uint64_t));
  // Whether the allocations since the last collection call for one now.
  // With HULL_GC_STRESS set in the environment, every allocation by guest code collects first:
  // a testing mode in which a root the interpreter fails to report frees a live object at
  // once (ASan then names it) instead of once in a while.
  bool should_collect() const { return stress_ || allocated_since_ >= next_collection_; }
  // Whether `p` is a live object of this heap (every root word is checked with it). Any word
  // is fine: interior pointers, freed objects and pointers elsewhere are not objects.
  bool contains(const void* p) const { return find(reinterpret_cast<uintptr_t>(p)) != nullptr; }

  // Handles held by the embedder (api::OwnedRef, the C API's reference handles): pinned words
  // are roots (counted; pin twice, unpin twice). The caller pins only live objects and
  // exceptions (a pinned word that is neither is ignored by collections).
  void pin(RefBits r);
  void unpin(RefBits r);
  size_t pinned_count() const { return pinned_.size(); }

  // One collection of this heap and `exceptions` together (either may hold references into
  // the other). `visit_roots` calls its argument once per root word; any word is fine
  // (words that are not live objects or exceptions are ignored).
  // The mark phase stops the world; the sweep is lazy: each later allocation sweeps a slice
  // of the objects (finish_sweep does the rest at once; the next collection starts with it).
  using RootVisitor = std::function<void(const std::function<void(uint64_t)>&)>;
  void collect(ExceptionHeap& exceptions, const RootVisitor& visit_roots);
  void finish_sweep() { sweep_some(SIZE_MAX); }
  bool sweeping() const { return sweeping_; }

  // Structs, arrays and host objects not freed yet (while a sweep is under way, this includes
  // garbage it has not reached).
  size_t live_objects() const { return live_objects_; }
  size_t live_host_objects() const { return live_host_; }
  uint64_t live_bytes() const { return live_bytes_; }
  uint64_t collections() const { return collections_; }
  // Stop-the-world time of the collections so far: all of them, and the longest.
  uint64_t pause_total_ns() const { return pause_total_ns_; }
  uint64_t pause_max_ns() const { return pause_max_ns_; }
  uint64_t total_allocated_bytes() const { return total_allocated_; }

 private:
  struct SizeClass {
    // Allocations take slots from `current`; then from `ready` (swept chunks with a free slot),
    // then from `unswept` (chunks the current sweep has not reached; allocation sweeps them
    // itself), then from a new chunk.
    Chunk* current = nullptr;
    std::vector<Chunk*> ready;
    std::vector<Chunk*> unswept;
  };

  // The object of this heap starting at word `w`, or nullptr.
  GcObject* find(uintptr_t w) const;
  GcObject* allocate(const GcLayout& layout, uint32_t length, size_t payload, uint64_t limit);
  // `bytes` of zeroed memory, 16-aligned: a slot, or a large block.
  void* allocate_memory(size_t bytes);
  void* allocate_small(size_t cls);
  void* allocate_large(size_t bytes);
  Chunk* new_chunk(size_t cls);
  void release_chunk(Chunk* c);
  // Sweeps bitmap words of `c` until `budget` (objects plus words) is spent; returns the cost.
  size_t sweep_chunk(Chunk* c, size_t budget);
  // Where a chunk goes once swept (unless it is a class's current one).
  void chunk_swept(Chunk* c);
  void free_small(Chunk* c, GcObject* o);
  void free_large(GcObject* o);
  void release_object(GcObject* o, size_t bytes);
  // Sweeps about `n` objects of the current sweep (nothing when none is under way).
  void sweep_some(size_t n);
  // Objects an allocation of `bytes` sweeps first: enough that a sweep ends before the next
  // collection is due (which happens after at least as many bytes as survived).
  static size_t sweep_slice(size_t bytes) { return 32 + bytes / 16; }

  // Made by the first small allocation: most stores never allocate a GC object, and a store is
  // made per request by servers (`hull serve`), where a table of 56 classes built and torn
  // down each time would cost thousands of instructions for nothing.
  std::unique_ptr<std::array<SizeClass, kNumClasses>> classes_;
  // Every chunk mapped, sorted by address (find() searches it). Empty ones wait in `pool_` (at
  // most kMaxPooledChunks) for any class, so that a heap that shrinks and grows again with each
  // collection does not map and fault in fresh memory every time.
  std::vector<Chunk*> chunks_;
  std::vector<Chunk*> pool_;
  static constexpr size_t kMaxPooledChunks = 64;
  size_t sweep_class_ = 0;  // the lazy sweep has finished the classes before this one

  // Large objects: a set, to check root words, and a vector, which the sweep walks (a dense
  // array instead of hash nodes: one cache miss per object, not two).
  std::unordered_set<const GcObject*> large_;
  std::vector<GcObject*> large_objects_;
  // The lazy sweep of large objects: large_objects_[cursor, end) are still to be swept (marked
  // ones survive, their mark cleared, compacted to [.., kept)); [end, ..) were allocated since.
  size_t sweep_cursor_ = 0, sweep_end_ = 0, sweep_kept_ = 0;
  // Large blocks freed by a sweep, by size, for the allocations after it: handing them back to
  // malloc made it return the heap's top to the kernel and fault it in again (most of the time
  // of a program churning short-lived arrays). At most kMaxCachedBytes in all.
  static constexpr size_t kMaxCachedBytes = size_t(16) << 20;
  static constexpr size_t kMaxCachedBlock = size_t(1) << 20;
  std::unordered_map<size_t, std::vector<void*>> free_blocks_;
  size_t cached_bytes_ = 0;

  bool sweeping_ = false;
  std::unordered_map<RefBits, uint32_t> pinned_;
  size_t live_objects_ = 0;
  uint64_t live_bytes_ = 0;
  size_t live_host_ = 0;
  uint64_t allocated_since_ = 0;
  uint64_t next_collection_ = kMinCollectBytes;
  uint64_t collections_ = 0;
  uint64_t pause_total_ns_ = 0;
  uint64_t pause_max_ns_ = 0;
  uint64_t total_allocated_ = 0;
  bool stress_ = false;
};

// Whether reference `r` (a value of the hierarchy whose top is `top`: Any, Func, Extern or Exn)
// belongs to heap type `target` (abstract kind; for Concrete, `type_id` is canonical). Null
// matches no heap type here: the caller applies the cast's nullability.
bool ref_matches_heap_type(RefBits r, HeapKind top, HeapKind target, uint32_t type_id);

}  // namespace hull
