// Streams and futures (CanonicalABI.md "Buffer State", "Stream State", "Future State" and the
// stream.* / future.* built-ins): both ends live in handle tables of one store; a copy meets
// the other end's pending buffer, or waits for it. Values move through the canonical ABI
// (load from the writer's memory, store into the reader's).
#include <algorithm>

#include "component/runtime/async.h"

namespace hull::component {

namespace {

api::Error trap_error(std::string msg) { return api::Error(abi_trap(std::move(msg))); }
api::Trap to_trap(const api::Error& e) { return e.trap ? *e.trap : api::Trap::host(e.message); }

constexpr uint32_t kMaxBufferLength = (uint32_t{1} << 28) - 1;
enum class CopyResult : uint32_t { Completed = 0, Dropped = 1, Cancelled = 2 };

// A guest's read or write buffer: `length` elements at `ptr`, `progress` of them copied.
struct GuestBuffer {
  ComponentInstance* inst = nullptr;
  CanonOptions opts;
  uint32_t ptr = 0, length = 0, progress = 0;
  uint32_t remain() const { return length - progress; }
};

struct CopyEnd;

// What the two ends of one stream or future share.
struct Channel {
  bool is_future = false;
  ac::Type elem;  // empty: no payload
  bool dropped = false;
  CopyEnd* pending = nullptr;  // the end whose copy waits for the other side
};

struct CopyEnd : Waitable {
  enum class State : uint8_t { Idle, Copying, Cancelling, Done };
  CopyEnd(bool future, bool readable_end, std::shared_ptr<Channel> ch)
      : Waitable(future ? Kind::FutureEnd : Kind::StreamEnd),
        readable(readable_end),
        channel(std::move(ch)) {}
  bool readable;
  State state = State::Idle;
  std::shared_ptr<Channel> channel;
  GuestBuffer buffer;
  bool copying() const { return state == State::Copying || state == State::Cancelling; }
  EventCode code() const {
    if (channel->is_future) return readable ? EventCode::FutureRead : EventCode::FutureWrite;
    return readable ? EventCode::StreamRead : EventCode::StreamWrite;
  }
};

bool none_or_number(const ac::Type& t) {
  if (t.empty()) return true;
  switch (t.kind()) {
    case ac::TypeKind::U8:
    case ac::TypeKind::U16:
    case ac::TypeKind::U32:
    case ac::TypeKind::U64:
    case ac::TypeKind::S8:
    case ac::TypeKind::S16:
    case ac::TypeKind::S32:
    case ac::TypeKind::S64:
    case ac::TypeKind::F32:
    case ac::TypeKind::F64: return true;
    default: return false;
  }
}

// Sets the event `e` reports: the copy's result and, for streams, how many elements moved.
// `reclaim`: the end was still the channel's pending one (a partial copy): delivering the
// event takes its buffer back, so no later copy fills it.
void set_copy_event(CopyEnd* e, CopyResult result, bool reclaim) {
  e->pending = [e, result, reclaim]() {
    if (reclaim && e->channel->pending == e) e->channel->pending = nullptr;
    bool done =
        result == CopyResult::Dropped || (e->channel->is_future && result == CopyResult::Completed);
    e->state = done ? CopyEnd::State::Done : CopyEnd::State::Idle;
    uint32_t payload = static_cast<uint32_t>(result);
    if (!e->channel->is_future) payload |= e->buffer.progress << 4;
    return Event{e->code(), e->handle, payload};
  };
}

// The pending end's copy ends with `result` (it is no longer pending).
void notify_pending(Channel& ch, CopyResult result) {
  CopyEnd* p = ch.pending;
  ch.pending = nullptr;
  if (p) set_copy_event(p, result, false);
}

// Moves `n` elements from `src` to `dst` through the canonical ABI.
api::Result<void> transfer(const ac::Type& elem, GuestBuffer& src, GuestBuffer& dst, uint32_t n) {
  if (!elem.empty()) {
    uint32_t size = elem_size(elem);
    InstanceContext scx(src.inst, src.opts, nullptr);
    InstanceContext dcx(dst.inst, dst.opts, nullptr);
    scx.wording = dcx.wording = TrapWording::Adapter;
    for (uint32_t k = 0; k < n; ++k) {
      auto v = load(scx, src.ptr + (src.progress + k) * size, elem);
      if (!v) return std::move(v).error();
      if (auto r = store(dcx, *v, elem, dst.ptr + (dst.progress + k) * size); !r) return r;
    }
  }
  src.progress += n;
  dst.progress += n;
  return {};
}

// The spec's SharedStreamImpl/SharedFutureImpl read and write: `e` starts a copy.
api::Result<void> start_copy(CopyEnd* e) {
  Channel& ch = *e->channel;
  if (ch.dropped) {
    set_copy_event(e, CopyResult::Dropped, false);
    return {};
  }
  CopyEnd* p = ch.pending;
  if (!p) {
    ch.pending = e;
    return {};
  }
  if (p->buffer.inst == e->buffer.inst && !none_or_number(ch.elem)) {
    return trap_error(std::string("cannot read from and write to intra-component ") +
                      (ch.is_future ? "future" : "stream") + " with non-numeric payload");
  }
  GuestBuffer& src = e->readable ? p->buffer : e->buffer;
  GuestBuffer& dst = e->readable ? e->buffer : p->buffer;
  if (ch.is_future) {
    if (auto r = transfer(ch.elem, src, dst, 1); !r) return r;
    notify_pending(ch, CopyResult::Completed);
    set_copy_event(e, CopyResult::Completed, false);
    return {};
  }
  if (p->buffer.remain() > 0) {
    if (e->buffer.remain() > 0) {
      uint32_t n = std::min(e->buffer.remain(), p->buffer.remain());
      if (auto r = transfer(ch.elem, src, dst, n); !r) return r;
      // The pending end stays pending until its event is delivered (it may fill up more).
      set_copy_event(p, CopyResult::Completed, true);
    }
    set_copy_event(e, CopyResult::Completed, false);
    return {};
  }
  if (!e->readable && e->buffer.length == 0 && p->buffer.length == 0) {
    set_copy_event(e, CopyResult::Completed, false);
    return {};
  }
  notify_pending(ch, CopyResult::Completed);
  ch.pending = e;
  return {};
}

// Finds end `index` of the right direction and element type.
api::Result<CopyEnd*> end_at(ComponentInstance* inst, uint32_t index, bool future, bool readable,
                             const ac::Type& elem) {
  const char* what = future ? (readable ? "readable future end" : "writable future end")
                            : (readable ? "readable stream end" : "writable stream end");
  auto o = async_object(inst, index,
                        future ? AsyncObject::Kind::FutureEnd : AsyncObject::Kind::StreamEnd, what);
  if (!o) return std::move(o).error();
  auto* e = static_cast<CopyEnd*>(*o);
  if (e->readable != readable) {
    return trap_error("handle index " + std::to_string(index) + " is not a " + what);
  }
  bool same = e->channel->elem.empty() ? elem.empty() : (!elem.empty() && e->channel->elem == elem);
  if (!same) {
    return trap_error("handle index " + std::to_string(index) + " has another element type");
  }
  return e;
}

// Waits synchronously for `e`'s event, or reports BLOCKED to an async caller.
api::Result<uint32_t> finish_copy(ComponentInstance* inst, CopyEnd* e, bool async) {
  if (!e->has_event()) {
    if (async) return kBlocked;
    e->has_sync_waiter = true;
    auto b = block_until(inst, [e] { return e->has_event(); });
    e->has_sync_waiter = false;
    if (!b) return std::move(b).error();
  }
  return e->take_event().payload;
}

const char* noun(bool future) { return future ? "future" : "stream"; }

api::Result<uint32_t> copy_builtin(ComponentInstance* inst, const CanonOptions& opts, bool future,
                                   bool reading, const ac::Type& elem, uint32_t index, uint32_t ptr,
                                   uint32_t length) {
  auto found = end_at(inst, index, future, reading, elem);
  if (!found) return std::move(found).error();
  CopyEnd* e = *found;
  if (e->state == CopyEnd::State::Done) {
    if (future) {
      return trap_error(reading ? "cannot read from future after previous read succeeded"
                                : "cannot write to future after previous write succeeded or "
                                  "readable end dropped");
    }
    return trap_error(reading ? "cannot read from stream after being notified that the writable "
                                "end dropped"
                              : "cannot write to stream after being notified that the readable end "
                                "dropped");
  }
  if (e->state != CopyEnd::State::Idle) {
    return trap_error(std::string("cannot start a ") + noun(future) +
                      " copy while one is in progress");
  }
  if (e->set && !opts.async) {
    return trap_error("waitable cannot be used synchronously while added to a waitable set");
  }
  // Spec: Buffer's constructor checks the whole range up front.
  if (length > kMaxBufferLength) return trap_error("buffer length is too large");
  if (!elem.empty() && length > 0) {
    if (ptr % alignment(elem) != 0) return trap_error("unaligned pointer");
    uint64_t end = uint64_t{ptr} + uint64_t{length} * elem_size(elem);
    if (!opts.memory || end > opts.memory->size()) {
      return trap_error("buffer out of bounds of memory");
    }
  }
  e->buffer = GuestBuffer{inst, opts, ptr, length, 0};
  e->state = CopyEnd::State::Copying;
  if (auto r = start_copy(e); !r) return std::move(r).error();
  return finish_copy(inst, e, opts.async);
}

api::Result<uint32_t> cancel_builtin(ComponentInstance* inst, bool future, bool reading,
                                     const ac::Type& elem, uint32_t index, bool async) {
  auto found = end_at(inst, index, future, reading, elem);
  if (!found) return std::move(found).error();
  CopyEnd* e = *found;
  if (e->state != CopyEnd::State::Copying || e->has_sync_waiter) {
    return trap_error(std::string("no ") + noun(future) + " copy in progress to cancel");
  }
  if (e->set && !async) {
    return trap_error("waitable cannot be used synchronously while added to a waitable set");
  }
  e->state = CopyEnd::State::Cancelling;
  if (!e->has_event() && e->channel->pending == e)
    notify_pending(*e->channel, CopyResult::Cancelled);
  return finish_copy(inst, e, async);
}

api::Result<void> drop_builtin(ComponentInstance* inst, bool future, bool readable,
                               const ac::Type& elem, uint32_t index) {
  auto found = end_at(inst, index, future, readable, elem);
  if (!found) return std::move(found).error();
  CopyEnd* e = *found;
  if (e->copying()) return trap_error(std::string("cannot drop busy ") + noun(future));
  if (future && !readable && e->state != CopyEnd::State::Done) {
    return trap_error("cannot drop future write end without first writing a value");
  }
  Channel& ch = *e->channel;
  if (!ch.dropped) {
    ch.dropped = true;
    if (ch.pending) notify_pending(ch, CopyResult::Dropped);
  }
  e->join(nullptr);
  auto h = inst->handles.remove(index);  // destroys `e`
  if (!h) return std::move(h).error();
  return {};
}

}  // namespace

api::Func stream_builtin_func(ComponentInstance* inst, const Canon& c, const ac::Type& type,
                              CanonOptions opts) {
  using VT = api::ValType;
  bool future = c.opcode >= 0x15;
  uint8_t op = future ? c.opcode - 0x15 + 0x0e : c.opcode;  // stream.* opcode of the same op
  ac::Type elem = type.node().elems.empty() ? ac::Type() : type.node().elems[0];
  auto make = [&](api::FuncType t, auto body) {
    return api::make_func_generic(
        *inst->store, std::move(t),
        [inst, body = std::move(body)](api::Caller&, std::span<const api::Val> a,
                                       std::span<api::Val> r) -> std::optional<api::Trap> {
          if (!inst->may_leave) return abi_trap("cannot leave component instance");
          auto res = body(a, r);
          if (!res) return to_trap(res.error());
          return std::nullopt;
        });
  };
  auto arg = [](std::span<const api::Val> a, size_t i) {
    return static_cast<uint32_t>(a[i].i32());
  };
  switch (op) {
    case 0x0e:  // new
      return make({{}, {VT::I64}},
                  [inst, future, elem](auto, std::span<api::Val> r) -> api::Result<void> {
                    auto ch = std::make_shared<Channel>();
                    ch->is_future = future;
                    ch->elem = elem;
                    auto readable = std::make_shared<CopyEnd>(future, true, ch);
                    auto writable = std::make_shared<CopyEnd>(future, false, ch);
                    HandleEntry re, we;
                    re.object = readable;
                    we.object = writable;
                    auto ri = inst->handles.add(re);
                    if (!ri) return std::move(ri).error();
                    auto wi = inst->handles.add(we);
                    if (!wi) return std::move(wi).error();
                    readable->handle = *ri;
                    writable->handle = *wi;
                    r[0] = api::Val(static_cast<int64_t>(uint64_t{*ri} | (uint64_t{*wi} << 32)));
                    return {};
                  });
    case 0x0f:    // read
    case 0x10: {  // write
      bool reading = op == 0x0f;
      api::FuncType t = future ? api::FuncType{{VT::I32, VT::I32}, {VT::I32}}
                               : api::FuncType{{VT::I32, VT::I32, VT::I32}, {VT::I32}};
      return make(t,
                  [inst, opts, future, reading, elem, arg](
                      std::span<const api::Val> a, std::span<api::Val> r) -> api::Result<void> {
                    uint32_t length = future ? 1 : arg(a, 2);
                    auto p = copy_builtin(inst, opts, future, reading, elem, arg(a, 0), arg(a, 1),
                                          length);
                    if (!p) return std::move(p).error();
                    r[0] = api::Val(*p);
                    return {};
                  });
    }
    case 0x11:    // cancel-read
    case 0x12: {  // cancel-write
      bool reading = op == 0x11;
      return make({{VT::I32}, {VT::I32}},
                  [inst, future, reading, elem, async = c.flag, arg](
                      std::span<const api::Val> a, std::span<api::Val> r) -> api::Result<void> {
                    auto p = cancel_builtin(inst, future, reading, elem, arg(a, 0), async);
                    if (!p) return std::move(p).error();
                    r[0] = api::Val(*p);
                    return {};
                  });
    }
    default: {  // drop-readable / drop-writable
      bool readable = op == 0x13;
      return make({{VT::I32}, {}},
                  [inst, future, readable, elem, arg](std::span<const api::Val> a,
                                                      auto) -> api::Result<void> {
                    return drop_builtin(inst, future, readable, elem, arg(a, 0));
                  });
    }
  }
}

}  // namespace hull::component
