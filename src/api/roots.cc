// References held by the host: RootScope, OwnedRef, and the check that every reference the
// host hands to wasm is one of the store's, of the right type.
#include "api/internal.h"
#include "runtime/gc_heap.h"
#include "runtime/type_registry.h"

namespace hull::api {

using namespace detail;

namespace detail {

namespace {

// The top of the hierarchy canonical reference type `t` belongs to.
HeapKind hierarchy_of(const hull::ValType& t) {
  if (t.heap != HeapKind::Concrete) return abstract_top(t.heap);
  return type_by_id(t.index).kind == CompositeKind::Func ? HeapKind::Func : HeapKind::Any;
}

}  // namespace

std::optional<std::string> check_ref(const hull::Store& st, const hull::ValType& t, RefBits r) {
  if (!t.is_ref()) return std::nullopt;
  if (r == 0) {
    if (t.nullable) return std::nullopt;
    return "is null, but the type is " + to_string(t);
  }
  const HeapKind top = hierarchy_of(t);
  const void* p = reinterpret_cast<const void*>(r);
  bool in_store = true;  // functions carry no store to check
  if (top == HeapKind::Exn) in_store = st.exceptions.contains(p);
  if (top == HeapKind::Any || top == HeapKind::Extern) in_store = is_i31(r) || st.gc.contains(p);
  if (!in_store) {
    return std::string("is not a live reference of this store's ") + heap_kind_name(top) +
           " hierarchy";
  }
  if (!ref_matches_heap_type(r, top, t.heap, t.index)) return "does not match type " + to_string(t);
  return std::nullopt;
}

}  // namespace detail

// ---- RootScope ----

RootScope::RootScope(Store& store) : s_(store.impl()), depth_(s_->store.host_roots.size()) {}

RootScope::~RootScope() {
  std::vector<RefBits>& roots = s_->store.host_roots;
  if (roots.size() > depth_) roots.resize(depth_);
}

// ---- OwnedRef ----

OwnedRef::OwnedRef(Store& store, const Val& ref) : s_(store.impl()), v_(ref) {
  store_alive_ = s_->alive;
  pin();
}

void OwnedRef::pin() {
  pinned_ = s_ && v_.type() != ValType::I32 && is_collectable_ref(s_->store, v_.ref_bits());
  if (pinned_) s_->store.gc.pin(v_.ref_bits());
}

OwnedRef::OwnedRef(const OwnedRef& o) : store_alive_(o.store_alive_), s_(o.s_), v_(o.v_) {
  if (o.pinned_ && !store_alive_.expired()) pin();
}

OwnedRef::OwnedRef(OwnedRef&& o) noexcept
    : store_alive_(std::move(o.store_alive_)), s_(o.s_), v_(o.v_), pinned_(o.pinned_) {
  o.s_ = nullptr;
  o.v_ = Val();
  o.pinned_ = false;
}

OwnedRef& OwnedRef::operator=(OwnedRef o) noexcept {
  reset();
  store_alive_ = std::move(o.store_alive_);
  s_ = o.s_;
  v_ = o.v_;
  pinned_ = o.pinned_;
  o.s_ = nullptr;
  o.v_ = Val();
  o.pinned_ = false;
  return *this;
}

OwnedRef::~OwnedRef() { reset(); }

void OwnedRef::reset() {
  if (pinned_ && !store_alive_.expired()) s_->store.gc.unpin(v_.ref_bits());
  pinned_ = false;
  store_alive_.reset();
  s_ = nullptr;
  v_ = Val();
}

}  // namespace hull::api
