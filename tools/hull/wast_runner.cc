// The wast script runner: modules, register, actions and every assertion kind.
#include "wast_runner.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "binary/expr_scan.h"
#include "component_wast_runner.h"
#include "overloaded.h"
#include "text/wat.h"
#include "valid/custom_sections.h"
#include "valid/subtyping.h"
#include "values.h"
#include "wast_messages.h"

namespace hull::cli {

namespace {

bool f32_matches(uint32_t got, uint32_t want, text::NanKind nan) {
  switch (nan) {
    case text::NanKind::Canonical: return (got & 0x7FFFFFFFu) == 0x7FC00000u;
    case text::NanKind::Arithmetic: return (got & 0x7FC00000u) == 0x7FC00000u;
    case text::NanKind::None: return got == want;
  }
  return false;
}

bool f64_matches(uint64_t got, uint64_t want, text::NanKind nan) {
  constexpr uint64_t kQuiet = 0x7FF8000000000000ull;
  switch (nan) {
    case text::NanKind::Canonical: return (got & 0x7FFFFFFFFFFFFFFFull) == kQuiet;
    case text::NanKind::Arithmetic: return (got & kQuiet) == kQuiet;
    case text::NanKind::None: return got == want;
  }
  return false;
}

// The proposal Hull lacks that an instruction belongs to: "gc". Any other
// instruction names no missing feature, so a failure over it stays a failure.
std::optional<std::string> feature_of(std::string_view op) {
  static constexpr std::string_view kGc[] = {"struct.",           "array.",   "i31.",
                                             "ref.i31",           "ref.test", "ref.cast",
                                             "br_on_cast",        "ref.eq",   "any.convert_extern",
                                             "extern.convert_any"};
  for (std::string_view p : kGc)
    if (op.starts_with(p)) return "gc";
  return std::nullopt;
}

// The feature a module needs that Hull lacks, read from Hull's own error: the interpreter
// names the first instruction it cannot lower ("interpreter: unsupported instruction
// struct.new").
std::optional<std::string> missing_feature(const Error& e) {
  static constexpr std::string_view kMarker = "unsupported instruction ";
  const std::string_view msg = e.message;
  const size_t at = msg.find(kMarker);
  if (e.kind != ErrorKind::Limit || at == std::string_view::npos) return std::nullopt;
  std::string_view op = msg.substr(at + kMarker.size());
  return feature_of(op.substr(0, op.find(' ')));
}

// Instantiation evaluates constant expressions, and Hull's evaluator refuses GC instructions
// there without naming them ("unsupported constant expression: instruction"). Then the
// module's own initializers say which: the first GC or EH instruction among them.
std::optional<std::string> const_expr_skip_reason(const ModuleDesc& m, const Error& e) {
  if (e.kind != ErrorKind::Uninstantiable ||
      !e.message.starts_with("unsupported constant expression"))
    return std::nullopt;
  std::vector<ByteRange> exprs;
  for (const GlobalDesc& g : m.defined_globals) exprs.push_back(g.init);
  for (const TableDesc& t : m.defined_tables)
    if (t.init) exprs.push_back(*t.init);
  for (const ElemDesc& el : m.elems) {
    exprs.push_back(el.offset);
    exprs.insert(exprs.end(), el.exprs.begin(), el.exprs.end());
  }
  for (const DataDesc& d : m.datas) exprs.push_back(d.offset);
  for (const ByteRange& x : exprs) {
    if (x.end <= x.begin || x.end > m.bytes.size()) continue;
    Reader r(m.bytes.data() + x.begin, x.end - x.begin);
    Op op;
    while (!r.at_end() && read_opcode(r, &op) && skip_immediates(r, op)) {
      const std::string_view name = op_info(op).name;
      if (auto f = feature_of(name))
        return "needs " + *f + ": " + e.message + " (" + std::string(name) +
               " in a constant expression)";
    }
  }
  return std::nullopt;
}

// "needs gc: interpreter: unsupported instruction struct.new (at byte 0x2c)", or nothing.
std::optional<std::string> skip_reason(const Error& e) {
  auto f = missing_feature(e);
  if (!f) return std::nullopt;
  return "needs " + *f + ": " + e.to_string();
}

// The heap type's name in the text format ("concrete" for a defined type).
const char* heap_name(HeapKind h) {
  const char* name = heap_kind_name(h);
  return *name ? name : "concrete";
}

// The message check of every assertion that names one: `what: expected "X", got "Y"`, or
// nothing when Y satisfies X (wast_messages.h).
std::optional<std::string> message_mismatch(const char* what, const std::string& expected,
                                            const Error& got) {
  // Only errors of the text format carry a line (base/result.h).
  if (message_satisfies(got.message, expected, got.line != 0)) return std::nullopt;
  return std::string(what) + ": expected \"" + expected + "\", got \"" + got.to_string() + "\"";
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string v128_hex(const V128& v) {
  std::string s = "i32x4";
  for (int i = 0; i < 4; ++i) s += " " + hex(v.lane<uint32_t>(i));
  return s;
}

const char* nan_name(text::NanKind k) {
  return k == text::NanKind::Canonical ? "nan:canonical" : "nan:arithmetic";
}

}  // namespace

WastRunner::WastRunner(FeatureSet features, bool native, bool background, uint8_t opt_level,
                       bool baseline)
    : features_(features),
      native_(native),
      background_(background),
      baseline_(baseline),
      opt_level_(opt_level) {
  define_spectest(linker_, store_);
}

Result<std::shared_ptr<const CompiledModule>> WastRunner::compile_module(
    const text::ScriptModule& m) {
  if (m.encode_error) return *m.encode_error;
  if (m.kind == text::ScriptModule::Quote) {
    text::WatOptions wat;
    wat.u32_limits = !features_.has(Feature::Memory64);  // the text format before memory64
    auto bytes = text::wat_to_binary(m.quote, wat);
    if (!bytes) return std::move(bytes).error();
    return compile(*bytes, options());
  }
  return compile(m.bytes, options());
}

Result<Instance*> WastRunner::instantiate(std::shared_ptr<const CompiledModule> mod) {
  return linker_.instantiate(store_, std::move(mod));
}

Instance* WastRunner::find_instance(const std::string& id, std::string* error) {
  if (id.empty()) {
    if (!current_) *error = "no module instantiated";
    return current_;
  }
  auto it = named_.find(id);
  if (it == named_.end()) {
    *error = "unknown module $" + id;
    return nullptr;
  }
  return it->second;
}

Result<Val> WastRunner::to_val(const text::Value& v, const ValType& type) {
  switch (v.kind) {
    case text::Value::I32: return Val::from_i32(uint32_t(v.bits));
    case text::Value::I64: return Val::from_i64(v.bits);
    case text::Value::F32: return Val::from_f32_bits(uint32_t(v.bits));
    case text::Value::F64: return Val::from_f64_bits(v.bits);
    case text::Value::V128: return Val::from_v128(v.v128);
    case text::Value::RefNull: return Val::from_ref(type, 0);
    case text::Value::RefExtern:
    case text::Value::RefHost: {
      // One host object per payload, so that results compare by identity; rooted for the
      // whole script (new_extern_ref roots it in store.host_roots, which nothing truncates).
      auto it = extern_refs_.find(v.bits);
      if (it == extern_refs_.end())
        it = extern_refs_.emplace(v.bits, new_extern_ref(store_, v.bits)).first;
      return Val::from_ref(type, it->second);
    }
    case text::Value::RefFunc:
      return Error::make(ErrorKind::Usage, "ref.func arguments are not supported");
  }
  return Error::make(ErrorKind::Usage, "unknown argument kind");
}

WastRunner::ActionOutcome WastRunner::perform(const text::Action& a) {
  ActionOutcome out;
  out.skipped = skipped_target(a.module_id);
  if (out.skipped) return out;
  Instance* inst = find_instance(a.module_id, &out.error);
  if (!inst) return out;
  auto it = inst->exports.find(a.name);
  if (it == inst->exports.end()) {
    out.error = "unknown export \"" + a.name + "\"";
    return out;
  }
  if (a.kind == text::Action::Get) {
    if (it->second.kind != ExternKind::Global) {
      out.error = "export \"" + a.name + "\" is not a global";
      return out;
    }
    Global* g = it->second.global;
    out.ran = true;
    out.desc = &inst->module->desc;
    out.values.push_back(Val::load_slots(g->type.type, g->value));
    return out;
  }
  if (it->second.kind != ExternKind::Func) {
    out.error = "export \"" + a.name + "\" is not a function";
    return out;
  }
  Function* f = it->second.func;
  const FuncType& type = *f->type;
  if (a.args.size() != type.params.size()) {
    out.error = "wrong number of arguments for \"" + a.name + "\"";
    return out;
  }
  std::vector<Val> args;
  args.reserve(a.args.size());
  for (size_t i = 0; i < a.args.size(); ++i) {
    auto v = to_val(a.args[i], type.params[i]);
    if (!v) {
      out.error = v.error().message;
      return out;
    }
    args.push_back(*v);
  }
  auto r = invoke(store_, f, args);
  if (!r) {
    out.error = r.error().to_string();
    return out;
  }
  out.ran = true;
  if (f->instance) out.desc = &f->instance->module->desc;
  out.trap = std::move(r->trap);
  out.values = std::move(r->values);
  return out;
}

bool WastRunner::is_function(RefBits r) const {
  for (const Function& f : store_.funcs)
    if (reinterpret_cast<RefBits>(&f) == r) return true;
  return false;
}

bool WastRunner::is_extern_object(RefBits r) const {
  return r && !is_i31(r) && store_.gc.contains(reinterpret_cast<const void*>(r)) &&
         ref_object_kind(r) == RefObjectKind::Host;
}

bool WastRunner::matches(const text::Expected& e, const Val& v, const ModuleDesc* m,
                         std::string* why) const {
  using E = text::Expected;
  switch (e.kind) {
    case E::I32: return v.type.kind == ValKind::I32 && v.i32 == uint32_t(e.bits);
    case E::I64: return v.type.kind == ValKind::I64 && v.i64 == e.bits;
    case E::F32: {
      if (v.type.kind != ValKind::F32) return false;
      uint32_t got;
      std::memcpy(&got, &v.f32, 4);
      return f32_matches(got, uint32_t(e.bits), e.nan);
    }
    case E::F64: {
      if (v.type.kind != ValKind::F64) return false;
      uint64_t got;
      std::memcpy(&got, &v.f64, 8);
      return f64_matches(got, e.bits, e.nan);
    }
    case E::V128: {
      if (v.type.kind != ValKind::V128) return false;
      // Per lane: a float lane is checked against its own pattern (nan:canonical,
      // nan:arithmetic or exact bits); integer shapes compare all 128 bits.
      if (e.shape == text::LaneShape::F32x4) {
        for (unsigned i = 0; i < 4; ++i)
          if (!f32_matches(v.v128.lane<uint32_t>(i), e.v128.lane<uint32_t>(i), e.lane_nan[i]))
            return false;
        return true;
      }
      if (e.shape == text::LaneShape::F64x2) {
        for (unsigned i = 0; i < 2; ++i)
          if (!f64_matches(v.v128.lane<uint64_t>(i), e.v128.lane<uint64_t>(i), e.lane_nan[i]))
            return false;
        return true;
      }
      return v.v128 == e.v128;
    }
    case E::Either:
      for (const auto& alt : e.alternatives)
        if (matches(alt, v, m, why)) return true;
      return false;
    default: break;
  }
  // Reference patterns. The value's hierarchy comes from its static type (the function's
  // result type); a concrete heap type resolves in the module that declared it.
  if (!v.type.is_ref()) return false;
  HeapKind top = abstract_top(v.type.heap);
  if (v.type.heap == HeapKind::Concrete && m) top = heap_top(*m, v.type);
  if (top == HeapKind::Bot) {
    *why = "cannot tell the hierarchy of the result's type";
    return false;
  }
  switch (e.kind) {
    case E::RefNull:
      // (ref.null) matches any null; (ref.null ht) only a null of ht's hierarchy (the
      // reference interpreter keeps nulls at the bottom type of their hierarchy).
      return v.ref == 0 && (!e.typed_null || abstract_top(e.heap) == top);
    case E::RefFunc: return v.ref != 0 && top == HeapKind::Func && is_function(v.ref);
    case E::RefExtern:
    case E::RefHost: {
      // A host reference, also after any.convert_extern (the same word in the any hierarchy);
      // (ref.extern) without a payload: any non-null externref, also an externalized object.
      if (v.ref == 0 || (top != HeapKind::Extern && top != HeapKind::Any)) return false;
      if (!e.has_payload) return top == HeapKind::Extern;
      auto it = extern_refs_.find(e.bits);
      return it != extern_refs_.end() && it->second == v.ref;
    }
    case E::RefExn:
      return v.ref != 0 && top == HeapKind::Exn &&
             store_.exceptions.contains(reinterpret_cast<const void*>(v.ref));
    case E::RefAny:
    case E::RefEq:
    case E::RefI31:
    case E::RefStruct:
    case E::RefArray: {
      if (v.ref == 0 || top != HeapKind::Any) return false;
      if (is_i31(v.ref)) return e.kind == E::RefAny || e.kind == E::RefEq || e.kind == E::RefI31;
      if (is_extern_object(v.ref)) return e.kind == E::RefAny;  // after any.convert_extern
      if (!store_.gc.contains(reinterpret_cast<const void*>(v.ref))) return false;
      const RefObjectKind k = ref_object_kind(v.ref);
      switch (e.kind) {
        case E::RefAny:
        case E::RefEq: return true;
        case E::RefStruct: return k == RefObjectKind::Struct;
        case E::RefArray: return k == RefObjectKind::Array;
        default: return false;
      }
    }
    default: return false;
  }
}

std::string WastRunner::describe(const Val& v) const {
  switch (v.type.kind) {
    case ValKind::I32: return "i32:" + hex(v.i32);
    case ValKind::I64: return "i64:" + hex(v.i64);
    case ValKind::F32: {
      uint32_t b;
      std::memcpy(&b, &v.f32, 4);
      return "f32:" + hex(b) + " (" + format_value(v) + ")";
    }
    case ValKind::F64: {
      uint64_t b;
      std::memcpy(&b, &v.f64, 8);
      return "f64:" + hex(b) + " (" + format_value(v) + ")";
    }
    case ValKind::V128: return "v128:" + v128_hex(v.v128);
    case ValKind::Ref: {
      // In the script's own syntax, with the static type of the result.
      const std::string heap = v.type.heap == HeapKind::Concrete
                                   ? "$" + std::to_string(v.type.index)
                                   : std::string(heap_name(v.type.heap));
      if (v.ref == 0) return "ref.null " + heap;
      if (is_function(v.ref)) return "ref.func (type " + heap + ")";
      for (const auto& [n, obj] : extern_refs_)
        if (obj == v.ref) return "ref.extern " + std::to_string(n) + " (type " + heap + ")";
      if (is_i31(v.ref))
        return "ref.i31 " + std::to_string(static_cast<int32_t>(i31_get_s(v.ref))) + " (type " +
               heap + ")";
      if (store_.gc.contains(reinterpret_cast<const void*>(v.ref)))
        return std::string(ref_object_kind(v.ref) == RefObjectKind::Array ? "ref.array"
                                                                          : "ref.struct") +
               " (type " + heap + ")";
      return "ref " + hex(v.ref) + " (type " + heap + ")";
    }
    default: return "?";
  }
}

std::string WastRunner::describe(const text::Expected& e) const {
  using E = text::Expected;
  switch (e.kind) {
    case E::I32: return "i32:" + hex(uint32_t(e.bits));
    case E::I64: return "i64:" + hex(e.bits);
    case E::F32:
      return e.nan != text::NanKind::None ? std::string("f32:") + nan_name(e.nan)
                                          : "f32:" + hex(e.bits);
    case E::F64:
      return e.nan != text::NanKind::None ? std::string("f64:") + nan_name(e.nan)
                                          : "f64:" + hex(e.bits);
    case E::V128: {
      // Float lanes may carry a NaN pattern each: print them lane by lane.
      if (e.shape == text::LaneShape::F32x4 || e.shape == text::LaneShape::F64x2) {
        const bool f32 = e.shape == text::LaneShape::F32x4;
        std::string s = f32 ? "v128:f32x4" : "v128:f64x2";
        for (unsigned i = 0; i < (f32 ? 4u : 2u); ++i)
          s += " " + (e.lane_nan[i] != text::NanKind::None
                          ? std::string(nan_name(e.lane_nan[i]))
                          : hex(f32 ? e.v128.lane<uint32_t>(i) : e.v128.lane<uint64_t>(i)));
        return s;
      }
      return "v128:" + v128_hex(e.v128);
    }
    case E::RefNull:
      return e.typed_null ? std::string("ref.null ") + heap_name(e.heap) : "ref.null";
    case E::RefExtern: return e.has_payload ? "ref.extern " + std::to_string(e.bits) : "ref.extern";
    case E::RefHost: return "ref.host " + std::to_string(e.bits);
    case E::RefFunc: return "ref.func";
    case E::Either: {
      std::string s = "either(";
      for (size_t i = 0; i < e.alternatives.size(); ++i)
        s += (i ? " | " : "") + describe(e.alternatives[i]);
      return s + ")";
    }
    case E::RefAny: return "ref.any";
    case E::RefEq: return "ref.eq";
    case E::RefI31: return "ref.i31";
    case E::RefStruct: return "ref.struct";
    case E::RefArray: return "ref.array";
    case E::RefExn: return "ref.exn";
  }
  return "?";
}

std::optional<std::string> WastRunner::skipped_target(const std::string& module_id) const {
  if (module_id.empty()) return current_ ? std::nullopt : current_skipped_;
  auto it = skipped_named_.find(module_id);
  if (it == skipped_named_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WastRunner::skipped_import(const ModuleDesc& m) const {
  for (const Import& imp : m.imports) {
    auto it = skipped_registered_.find(imp.module);
    if (it != skipped_registered_.end())
      return "imports from \"" + imp.module + "\", which was skipped (" + it->second + ")";
  }
  return std::nullopt;
}

void WastRunner::note_skipped_module(const std::string& id, std::string reason) {
  if (!id.empty()) {
    named_.erase(id);
    skipped_named_[id] = reason;
  }
}

namespace {}  // namespace

WastFileResult WastRunner::run(const text::Script& script) {
  for (const text::Command& cmd : script.commands) {
    const uint32_t line = cmd.line;
    if (is_component_command(cmd)) {
      fail(line, "a component-model command: the core runner runs core modules only");
      continue;
    }
    // A module that needs a missing feature, or imports from one that did, is skipped along
    // with everything that uses it; any other failure to load is a failure.
    auto load = [&](const text::ScriptModule& m, const char* what) {
      current_ = nullptr;
      current_skipped_.reset();
      auto mod = compile_module(m);
      if (!mod) {
        if (auto why = skip_reason(mod.error())) {
          current_skipped_ = *why;
          note_skipped_module(m.id, *why);
          return skip(line, std::string(what) + ": " + *why);
        }
        named_.erase(m.id);
        return fail(line, std::string(what) + " failed to compile: " + mod.error().to_string());
      }
      if (m.definition) {
        definitions_[m.id] = *mod;
        skipped_named_.erase(m.id);
        return;
      }
      auto inst = instantiate(*mod);
      if (!inst) {
        auto why = skipped_import((*mod)->desc);
        if (!why) why = const_expr_skip_reason((*mod)->desc, inst.error());
        if (why) {
          current_skipped_ = *why;
          note_skipped_module(m.id, *why);
          return skip(line, std::string(what) + ": " + *why);
        }
        named_.erase(m.id);
        return fail(line,
                    std::string(what) + " failed to instantiate: " + inst.error().to_string());
      }
      current_ = *inst;
      if (!m.id.empty()) {
        named_[m.id] = current_;
        skipped_named_.erase(m.id);
      }
    };
    std::visit(
        Overloaded{
            [&](const text::ModuleCommand& c) { load(c.module, "module"); },
            [&](const text::ModuleInstanceCommand& c) {
              current_ = nullptr;
              current_skipped_.reset();
              if (auto why = skipped_target(c.module_id)) {
                current_skipped_ = *why;
                note_skipped_module(c.instance_id, *why);
                return skip(line, "module instance: " + *why);
              }
              auto it = definitions_.find(c.module_id);
              if (it == definitions_.end())
                return fail(line, "module instance: unknown module definition $" + c.module_id);
              auto inst = instantiate(it->second);
              if (!inst) {
                auto why = skipped_import(it->second->desc);
                if (!why) why = const_expr_skip_reason(it->second->desc, inst.error());
                if (why) {
                  current_skipped_ = *why;
                  note_skipped_module(c.instance_id, *why);
                  return skip(line, "module instance: " + *why);
                }
                return fail(line, "module instance failed: " + inst.error().to_string());
              }
              current_ = *inst;
              if (!c.instance_id.empty()) {
                named_[c.instance_id] = current_;
                skipped_named_.erase(c.instance_id);
              }
            },
            [&](const text::RegisterCommand& c) {
              if (auto why = skipped_target(c.module_id)) {
                skipped_registered_[c.name] = *why;
                return skip(line, "register: " + *why);
              }
              std::string err;
              Instance* inst = find_instance(c.module_id, &err);
              if (!inst) return fail(line, "register: " + err);
              linker_.define_instance(c.name, *inst);
              skipped_registered_.erase(c.name);
            },
            [&](const text::ActionCommand& c) {
              auto out = perform(c.action);
              if (out.skipped) return skip(line, "action: " + *out.skipped);
              if (!out.ran) return fail(line, "action failed: " + out.error);
              if (out.trap) return fail(line, "action trapped: " + out.trap->message);
            },
            [&](const text::AssertReturn& c) {
              auto out = perform(c.action);
              if (out.skipped) return skip(line, "assert_return: " + *out.skipped);
              if (!out.ran) return fail(line, "assert_return: " + out.error);
              if (out.trap)
                return fail(line, "assert_return: unexpected trap: " + out.trap->message);
              if (out.values.size() != c.expected.size())
                return fail(line, "assert_return: expected " + std::to_string(c.expected.size()) +
                                      " results, got " + std::to_string(out.values.size()));
              for (size_t i = 0; i < out.values.size(); ++i) {
                std::string why;
                if (!matches(c.expected[i], out.values[i], out.desc, &why))
                  return fail(line, "assert_return: result " + std::to_string(i) + ": expected " +
                                        describe(c.expected[i]) + ", got " +
                                        describe(out.values[i]) +
                                        (why.empty() ? "" : " (" + why + ")"));
              }
              pass();
            },
            [&](const text::AssertTrap& c) {
              if (c.instance) {
                // (assert_trap (module instance $I $D) "...") traps while instantiating $D.
                if (auto why = skipped_target(c.instance->module_id))
                  return skip(line, "assert_trap: " + *why);
                auto it = definitions_.find(c.instance->module_id);
                if (it == definitions_.end())
                  return fail(line,
                              "assert_trap: unknown module definition $" + c.instance->module_id);
                auto inst = instantiate(it->second);
                if (inst) return fail(line, "assert_trap: module instantiated without a trap");
                auto why = skipped_import(it->second->desc);
                if (!why) why = const_expr_skip_reason(it->second->desc, inst.error());
                if (why) return skip(line, "assert_trap: " + *why);
                if (inst.error().kind != ErrorKind::Uninstantiable)
                  return fail(line,
                              "assert_trap: expected a trap, got " + inst.error().to_string());
                if (auto bad = message_mismatch("assert_trap", c.message, inst.error()))
                  return fail(line, *bad);
                return pass();
              }
              if (c.module) {
                auto mod = compile_module(*c.module);
                if (!mod) {
                  if (auto why = skip_reason(mod.error()))
                    return skip(line, "assert_trap: " + *why);
                  return fail(line,
                              "assert_trap: module failed to compile: " + mod.error().to_string());
                }
                auto inst = instantiate(*mod);
                if (inst) return fail(line, "assert_trap: module instantiated without a trap");
                if (auto why = skipped_import((*mod)->desc))
                  return skip(line, "assert_trap: " + *why);
                if (auto why = const_expr_skip_reason((*mod)->desc, inst.error()))
                  return skip(line, "assert_trap: " + *why);
                if (inst.error().kind != ErrorKind::Uninstantiable)
                  return fail(line,
                              "assert_trap: expected a trap, got " + inst.error().to_string());
                if (auto bad = message_mismatch("assert_trap", c.message, inst.error()))
                  return fail(line, *bad);
                return pass();
              }
              auto out = perform(*c.action);
              if (out.skipped) return skip(line, "assert_trap: " + *out.skipped);
              if (!out.ran) return fail(line, "assert_trap: " + out.error);
              if (!out.trap)
                return fail(line, "assert_trap: expected trap \"" + c.message + "\", got a result");
              if (!message_satisfies(out.trap->message, c.message))
                return fail(line, "assert_trap: expected trap \"" + c.message + "\", got \"" +
                                      out.trap->message + "\"");
              pass();
            },
            [&](const text::AssertExhaustion& c) {
              auto out = perform(c.action);
              if (out.skipped) return skip(line, "assert_exhaustion: " + *out.skipped);
              if (!out.ran) return fail(line, "assert_exhaustion: " + out.error);
              if (!out.trap || out.trap->kind != TrapKind::StackExhausted)
                return fail(line, "assert_exhaustion: expected stack exhaustion, got " +
                                      (out.trap ? out.trap->message : std::string("a result")));
              if (!message_satisfies(out.trap->message, c.message))
                return fail(line, "assert_exhaustion: expected \"" + c.message + "\", got \"" +
                                      out.trap->message + "\"");
              pass();
            },
            [&](const text::AssertException& c) {
              auto out = perform(c.action);
              if (out.skipped) return skip(line, "assert_exception: " + *out.skipped);
              if (!out.ran) return fail(line, "assert_exception: " + out.error);
              if (!out.trap)
                return fail(line, "assert_exception: expected an uncaught exception, got a result");
              if (out.trap->kind != TrapKind::Exception || !out.trap->exception)
                return fail(line, "assert_exception: expected an uncaught exception, got trap \"" +
                                      out.trap->message + "\"");
              pass();
            },
            [&](const text::AssertModule& c) {
              using K = text::AssertModule;
              auto mod = compile_module(c.module);
              if (c.kind == K::MalformedCustom || c.kind == K::InvalidCustom) {
                // A malformed annotation fails the text format (as the reference interpreter's
                // parser does); the binary's custom sections are checked beside compilation,
                // since they never make the module itself invalid.
                const bool malformed = c.kind == K::MalformedCustom;
                const char* what = malformed ? "assert_malformed_custom" : "assert_invalid_custom";
                Status custom = mod ? check_custom_sections((*mod)->desc) : Status(mod.error());
                if (custom.ok())
                  return fail(line, std::string(what) +
                                        ": module and custom sections were "
                                        "accepted (expected \"" +
                                        c.message + "\")");
                const ErrorKind want = malformed ? ErrorKind::Malformed : ErrorKind::Invalid;
                if (custom.error().kind != want)
                  return fail(line,
                              std::string(what) + ": wrong failure: " + custom.error().to_string());
                if (auto bad = message_mismatch(what, c.message, custom.error()))
                  return fail(line, *bad);
                return pass();
              }
              if (c.kind == K::Malformed || c.kind == K::Invalid) {
                const bool malformed = c.kind == K::Malformed;
                const char* what = malformed ? "assert_malformed" : "assert_invalid";
                if (mod)
                  return fail(line, std::string(what) + ": module was accepted (expected \"" +
                                        c.message + "\")");
                // Decoding and validation finished, only lowering refused a GC or EH
                // instruction: the module was accepted as valid, which is the failure.
                if (missing_feature(mod.error()))
                  return fail(line, std::string(what) + ": module was validated (expected \"" +
                                        c.message + "\"), then " + mod.error().to_string());
                const ErrorKind want = malformed ? ErrorKind::Malformed : ErrorKind::Invalid;
                if (mod.error().kind != want)
                  return fail(line, std::string(what) + ": expected " +
                                        (malformed ? "a malformed" : "an invalid") + " module (\"" +
                                        c.message + "\"), got " +
                                        error_kind_name(mod.error().kind) + ": " +
                                        mod.error().to_string());
                if (auto bad = message_mismatch(what, c.message, mod.error()))
                  return fail(line, *bad);
                return pass();
              }
              const char* what =
                  c.kind == K::Unlinkable ? "assert_unlinkable" : "assert_uninstantiable";
              if (!mod) {
                if (auto why = skip_reason(mod.error()))
                  return skip(line, std::string(what) + ": " + *why);
                return fail(line, std::string(what) +
                                      ": module failed to compile: " + mod.error().to_string());
              }
              if (auto why = skipped_import((*mod)->desc))
                return skip(line, std::string(what) + ": " + *why);
              auto inst = instantiate(*mod);
              if (inst) return fail(line, std::string(what) + ": module was instantiated");
              if (auto why = const_expr_skip_reason((*mod)->desc, inst.error()))
                return skip(line, std::string(what) + ": " + *why);
              ErrorKind want =
                  c.kind == K::Unlinkable ? ErrorKind::Unlinkable : ErrorKind::Uninstantiable;
              if (inst.error().kind != want)
                return fail(line,
                            std::string(what) + ": wrong failure: " + inst.error().to_string());
              if (auto bad = message_mismatch(what, c.message, inst.error()))
                return fail(line, *bad);
              pass();
            },
            [&](const text::SkippedCommand& c) {
              // A form this runner does not model (thread, wait, bare module fields, ...)
              // cannot have passed.
              fail(line, "unsupported command (" + c.head + ")");
            },
        },
        cmd.body);
  }
  return std::move(result_);
}

}  // namespace hull::cli
