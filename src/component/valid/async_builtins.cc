// Validation of the component-model async built-ins (Explainer.md 🔀, CanonicalABI.md
// "Canonical Definitions"): task, context, waitable-set, subtask, stream and future built-ins,
// and the cooperative thread built-ins (🧵) whose types binary.wast checks. Each gets the core
// function type the spec gives it; the built-ins that touch guest memory check their options.
#include <cstdio>

#include "component/abi/canon_abi.h"
#include "component/valid/validator_impl.h"

namespace hull::component {

namespace {

using VT = api::ValType;

const char* builtin_name(uint8_t opcode) {
  switch (opcode) {
    case 0x05: return "task.cancel";
    case 0x06: return "subtask.cancel";
    case 0x09: return "task.return";
    case 0x0a: return "context.get";
    case 0x0b: return "context.set";
    case 0x0c: return "thread.yield";
    case 0x0d: return "subtask.drop";
    case 0x0e: return "stream.new";
    case 0x0f: return "stream.read";
    case 0x10: return "stream.write";
    case 0x11: return "stream.cancel-read";
    case 0x12: return "stream.cancel-write";
    case 0x13: return "stream.drop-readable";
    case 0x14: return "stream.drop-writable";
    case 0x15: return "future.new";
    case 0x16: return "future.read";
    case 0x17: return "future.write";
    case 0x18: return "future.cancel-read";
    case 0x19: return "future.cancel-write";
    case 0x1a: return "future.drop-readable";
    case 0x1b: return "future.drop-writable";
    case 0x1c: return "error-context.new";
    case 0x1d: return "error-context.debug-message";
    case 0x1e: return "error-context.drop";
    case 0x1f: return "waitable-set.new";
    case 0x20: return "waitable-set.wait";
    case 0x21: return "waitable-set.poll";
    case 0x22: return "waitable-set.drop";
    case 0x23: return "waitable.join";
    case 0x24: return "backpressure.inc";
    case 0x25: return "backpressure.dec";
    case 0x26: return "thread.index";
    case 0x27: return "thread.new-indirect";
    case 0x28: return "thread.resume-later";
    case 0x29: return "thread.suspend";
    case 0x2a: return "thread.suspend-then-resume";
    case 0x2b: return "thread.yield-then-resume";
    case 0x2c: return "thread.suspend-then-promote";
    case 0x2d: return "thread.yield-then-promote";
    case 0x40: return "thread.spawn-ref";
    case 0x41: return "thread.spawn-indirect";
    case 0x42: return "thread.available-parallelism";
    default: return nullptr;
  }
}

bool is_stream_op(uint8_t op) { return op >= 0x0e && op <= 0x14; }

}  // namespace

api::Result<void> Validator::async_builtin(Scope& s, const Canon& c) {
  ComponentInfo& info = *s.info;
  const char* name = builtin_name(c.opcode);
  std::string what = name ? std::string("`canon ") + name + "`" : "canonical built-in";
  if (!name) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", c.opcode);
    return invalid_at(std::string("unknown canonical built-in ") + buf, c.at);
  }
  if (c.opcode >= 0x1c && c.opcode <= 0x1e) {
    return invalid_at(what +
                          " requires the component-model error-context feature, which Hull "
                          "does not support yet",
                      c.at);
  }
  if (c.opcode >= 0x40) {
    return invalid_at(what +
                          " requires the shared-everything-threads feature, which Hull does not "
                          "support yet",
                      c.at);
  }
  if (!engine_.config().component_model_async) {
    return invalid_at(what +
                          " requires the component-model-async feature, which is not enabled "
                          "(Config::component_model_async)",
                      c.at);
  }

  // The runtime finds the value type of task.return and stream/future built-ins here.
  auto record_type = [&](const ac::Type& t) {
    size_t idx = static_cast<size_t>(&c - info.desc->canons.data());
    if (idx >= info.canon_types.size()) info.canon_types.resize(info.desc->canons.size());
    info.canon_types.at(idx) = t;
  };
  auto give = [&](std::vector<VT> params, std::vector<VT> results) -> api::Result<void> {
    info.core_funcs.push_back(api::FuncType{std::move(params), std::move(results)});
    return {};
  };
  // The stream or future type a stream.* / future.* built-in names, and its element (if any).
  auto payload_type = [&](ac::TypeKind want) -> api::Result<ac::Type> {
    const char* kind = want == ac::TypeKind::Stream ? "stream" : "future";
    if (c.type >= info.types.size()) {
      return invalid_at(index_oob("type", c.type, "type"), c.at);
    }
    const TypeEntry& e = info.types[c.type];
    if (e.kind != TypeEntry::Kind::Value || e.value.kind() != want) {
      return invalid_at("type index " + std::to_string(c.type) + " is not a " + kind + " type",
                        c.at);
    }
    record_type(e.value);
    return e.value;
  };
  // The options of the built-ins that copy values through guest memory (task.return,
  // stream/future read and write): no post-return or callback; `lifting` (reading values out
  // of the guest) needs a memory for strings and lists, lowering also a realloc.
  auto copy_opts = [&](const ac::Type& payload, bool lowering, bool allow_async,
                       bool allow_realloc) -> api::Result<CanonOptsInfo> {
    auto o = check_canon_opts(info, c.opts, c.at);
    if (!o) return o;
    if (o->post_return) {
      return invalid_at("canonical option `post-return` is not allowed on " + what, c.at);
    }
    if (o->callback)
      return invalid_at("canonical option `callback` is not allowed on " + what, c.at);
    if (o->async && !allow_async) {
      return invalid_at("canonical option `async` is not allowed on " + what, c.at);
    }
    if (o->realloc && !allow_realloc) {
      return invalid_at("canonical option `realloc` is not allowed on " + what, c.at);
    }
    if (!payload.empty()) {
      bool strings = type_needs_memory(payload);
      if ((strings || allow_async) && !o->memory) {
        // stream/future copies always address a buffer; task.return only for strings/lists.
        return invalid_at("canonical option `memory` is required", c.at);
      }
      if (strings && lowering && !o->realloc) {
        return invalid_at("canonical option `realloc` is required", c.at);
      }
    }
    return o;
  };

  switch (c.opcode) {
    case 0x24:  // backpressure.inc
    case 0x25:  // backpressure.dec
    case 0x05:  // task.cancel
      return give({}, {});
    case 0x09: {  // task.return: the lifted function's result as flat params
      ac::FuncType ft;
      if (c.result) {
        auto t = valtype(s, *c.result, c.at);
        if (!t) return std::move(t).error();
        ft.params.push_back({"result", *t});
      }
      ac::Type result = ft.params.empty() ? ac::Type() : ft.params[0].type;
      record_type(result);
      std::vector<VT> flat;
      if (!result.empty()) flatten_type(result, &flat);
      auto o = copy_opts(result, /*lowering=*/false, /*allow_async=*/false,
                         /*allow_realloc=*/false);
      if (!o) return std::move(o).error();
      if (flat.size() > kMaxFlatParams && !o->memory) {
        return invalid_at("canonical option `memory` is required", c.at);
      }
      CoreSignature sig = flatten_functype(ft, FlattenFor::Lower, CallAbi::Sync);
      return give(sig.params, sig.results);
    }
    case 0x0a:    // context.get
    case 0x0b: {  // context.set
      if (c.core_type.kind != ValKind::I32) {
        return invalid_at(what + " only supports the `i32` type", c.at);
      }
      if (c.index >= 2) {
        return invalid_at(what + " slot index " + std::to_string(c.index) + " is out of bounds",
                          c.at);
      }
      return c.opcode == 0x0a ? give({}, {VT::I32}) : give({VT::I32}, {});
    }
    case 0x06:  // subtask.cancel async?
      return give({VT::I32}, {VT::I32});
    case 0x0d:  // subtask.drop
      return give({VT::I32}, {});
    case 0x0e:    // stream.new
    case 0x15: {  // future.new
      auto t = payload_type(c.opcode == 0x0e ? ac::TypeKind::Stream : ac::TypeKind::Future);
      if (!t) return std::move(t).error();
      return give({}, {VT::I64});
    }
    case 0x0f:    // stream.read
    case 0x10:    // stream.write
    case 0x16:    // future.read
    case 0x17: {  // future.write
      bool stream = is_stream_op(c.opcode);
      auto t = payload_type(stream ? ac::TypeKind::Stream : ac::TypeKind::Future);
      if (!t) return std::move(t).error();
      const ac::Type elem = t->node().elems.empty() ? ac::Type() : t->node().elems[0];
      bool reading = c.opcode == 0x0f || c.opcode == 0x16;
      auto o = copy_opts(elem, /*lowering=*/reading, /*allow_async=*/true, /*allow_realloc=*/true);
      if (!o) return std::move(o).error();
      return stream ? give({VT::I32, VT::I32, VT::I32}, {VT::I32})
                    : give({VT::I32, VT::I32}, {VT::I32});
    }
    case 0x11:    // stream.cancel-read
    case 0x12:    // stream.cancel-write
    case 0x13:    // stream.drop-readable
    case 0x14:    // stream.drop-writable
    case 0x18:    // future.cancel-read
    case 0x19:    // future.cancel-write
    case 0x1a:    // future.drop-readable
    case 0x1b: {  // future.drop-writable
      auto t = payload_type(is_stream_op(c.opcode) ? ac::TypeKind::Stream : ac::TypeKind::Future);
      if (!t) return std::move(t).error();
      bool cancel =
          (c.opcode >= 0x11 && c.opcode <= 0x12) || (c.opcode >= 0x18 && c.opcode <= 0x19);
      return cancel ? give({VT::I32}, {VT::I32}) : give({VT::I32}, {});
    }
    case 0x1f:  // waitable-set.new
      return give({}, {VT::I32});
    case 0x20:    // waitable-set.wait
    case 0x21: {  // waitable-set.poll
      if (c.index >= info.core_memories.size()) {
        return invalid_at(index_oob("memory", c.index, "memory"), c.at);
      }
      if (info.core_memories[c.index].limits.is64) {
        return invalid_at(
            "64-bit memories in canonical options require the memory64 component feature, "
            "which Hull does not support yet",
            c.at);
      }
      return give({VT::I32, VT::I32}, {VT::I32});
    }
    case 0x22:  // waitable-set.drop
      return give({VT::I32}, {});
    case 0x23:  // waitable.join
      return give({VT::I32, VT::I32}, {});
    case 0x26:  // thread.index
      return give({}, {VT::I32});
    case 0x27: {  // thread.new-indirect (core type of the start function, funcref table)
      if (c.type >= info.core_types.size()) {
        return invalid_at(index_oob("core type", c.type, "type"), c.at);
      }
      const CoreTypeEntry& ct = info.core_types[c.type];
      api::FuncType want{{VT::I32}, {}};
      if (ct.is_module || !(ct.func == want)) {
        return invalid_at(what + " start function type must be `(func (param i32))`", c.at);
      }
      if (c.index >= info.core_tables.size()) {
        return invalid_at(index_oob("table", c.index, "table"), c.at);
      }
      if (info.core_tables[c.index].elem != VT::FuncRef) {
        return invalid_at(what + " table must hold `funcref`", c.at);
      }
      return give({VT::I32, VT::I32}, {VT::I32});
    }
    case 0x28:  // thread.resume-later
      return give({VT::I32}, {});
    case 0x29:  // thread.suspend
    case 0x0c:  // thread.yield
      return give({}, {VT::I32});
    case 0x2a:  // thread.suspend-then-resume
    case 0x2b:  // thread.yield-then-resume
    case 0x2c:  // thread.suspend-then-promote
    case 0x2d:  // thread.yield-then-promote
      return give({VT::I32}, {VT::I32});
    default: break;
  }
  return invalid_at("unknown " + what, c.at);
}

}  // namespace hull::component
