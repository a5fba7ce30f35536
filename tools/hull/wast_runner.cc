// The wast script runner: modules, register, actions and every assertion kind.
#include "wast_runner.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "overloaded.h"
#include "text/wat.h"
#include "values.h"

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

// The reference interpreter's rule: the actual message must start with the expected one.
bool message_matches(const std::string& actual, const std::string& expected) {
  return actual.compare(0, expected.size(), expected) == 0;
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

WastRunner::WastRunner() { define_spectest(linker_, store_); }

Result<std::shared_ptr<const CompiledModule>> WastRunner::compile_module(
    const text::ScriptModule& m) {
  if (m.encode_error) return *m.encode_error;
  if (m.kind == text::ScriptModule::Quote) {
    auto bytes = text::wat_to_binary(m.quote);
    if (!bytes) return std::move(bytes).error();
    return compile(*bytes);
  }
  return compile(m.bytes);
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
      auto it = extern_refs_.find(v.bits);
      if (it == extern_refs_.end()) {
        store_.extern_objects.push_back(ExternObject{v.bits});
        it = extern_refs_.emplace(v.bits, &store_.extern_objects.back()).first;
      }
      return Val::from_ref(type, reinterpret_cast<RefBits>(it->second));
    }
    case text::Value::RefFunc:
      return Error::make(ErrorKind::Usage, "ref.func arguments are not supported");
  }
  return Error::make(ErrorKind::Usage, "unknown argument kind");
}

WastRunner::ActionOutcome WastRunner::perform(const text::Action& a) {
  ActionOutcome out;
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
  out.trap = std::move(r->trap);
  out.values = std::move(r->values);
  return out;
}

bool WastRunner::matches(const text::Expected& e, const Val& v) const {
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
    case E::RefNull: return v.type.is_ref() && v.ref == 0;
    case E::RefExtern:
    case E::RefHost: {
      if (!v.type.is_ref() || v.ref == 0) return false;
      if (!e.has_payload) return true;
      auto it = extern_refs_.find(e.bits);
      return it != extern_refs_.end() && reinterpret_cast<RefBits>(it->second) == v.ref;
    }
    case E::RefFunc:
    case E::RefAny:
    case E::RefEq:
    case E::RefI31:
    case E::RefStruct:
    case E::RefArray:
    case E::RefExn: return v.type.is_ref() && v.ref != 0;
    case E::Either:
      for (const auto& alt : e.alternatives)
        if (matches(alt, v)) return true;
      return false;
  }
  return false;
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
    case ValKind::Ref: return v.ref ? "ref:" + hex(v.ref) : "ref.null";
    default: return "?";
  }
}

std::string WastRunner::describe(const text::Expected& e) const {
  using E = text::Expected;
  switch (e.kind) {
    case E::I32: return "i32:" + hex(uint32_t(e.bits));
    case E::I64: return "i64:" + hex(e.bits);
    case E::F32: return e.nan != text::NanKind::None ? std::string("f32:") + nan_name(e.nan)
                                                      : "f32:" + hex(e.bits);
    case E::F64: return e.nan != text::NanKind::None ? std::string("f64:") + nan_name(e.nan)
                                                      : "f64:" + hex(e.bits);
    case E::V128: return "v128:" + v128_hex(e.v128);
    case E::RefNull: return "ref.null";
    case E::RefExtern: return e.has_payload ? "ref.extern " + std::to_string(e.bits) : "ref.extern";
    case E::RefHost: return "ref.host " + std::to_string(e.bits);
    case E::RefFunc: return "ref.func";
    case E::Either: {
      std::string s = "either(";
      for (size_t i = 0; i < e.alternatives.size(); ++i)
        s += (i ? " | " : "") + describe(e.alternatives[i]);
      return s + ")";
    }
    default: return "non-null ref";
  }
}

WastFileResult WastRunner::run(const text::Script& script) {
  for (const text::Command& cmd : script.commands) {
    const uint32_t line = cmd.line;
    std::visit(
        Overloaded{
            [&](const text::ModuleCommand& c) {
              auto mod = compile_module(c.module);
              if (!mod) {
                result_.errors.push_back({line, "module failed to compile: " +
                                                    mod.error().to_string()});
                current_ = nullptr;
                return;
              }
              if (c.module.definition) {
                definitions_[c.module.id] = *mod;
                return;
              }
              auto inst = instantiate(*mod);
              if (!inst) {
                result_.errors.push_back({line, "module failed to instantiate: " +
                                                    inst.error().to_string()});
                current_ = nullptr;
                return;
              }
              current_ = *inst;
              if (!c.module.id.empty()) named_[c.module.id] = current_;
            },
            [&](const text::ModuleInstanceCommand& c) {
              auto it = definitions_.find(c.module_id);
              if (it == definitions_.end()) {
                result_.errors.push_back({line, "unknown module definition $" + c.module_id});
                return;
              }
              auto inst = instantiate(it->second);
              if (!inst) {
                result_.errors.push_back({line, "module instance failed: " +
                                                    inst.error().to_string()});
                current_ = nullptr;
                return;
              }
              current_ = *inst;
              if (!c.instance_id.empty()) named_[c.instance_id] = current_;
            },
            [&](const text::RegisterCommand& c) {
              std::string err;
              Instance* inst = find_instance(c.module_id, &err);
              if (!inst) {
                result_.errors.push_back({line, "register: " + err});
                return;
              }
              linker_.define_instance(c.name, *inst);
            },
            [&](const text::ActionCommand& c) {
              auto out = perform(c.action);
              if (!out.ran) result_.errors.push_back({line, "action failed: " + out.error});
              else if (out.trap)
                result_.errors.push_back({line, "action trapped: " + out.trap->message});
            },
            [&](const text::AssertReturn& c) {
              auto out = perform(c.action);
              if (!out.ran) return fail(line, "assert_return: " + out.error);
              if (out.trap) return fail(line, "assert_return: unexpected trap: " + out.trap->message);
              if (out.values.size() != c.expected.size())
                return fail(line, "assert_return: expected " + std::to_string(c.expected.size()) +
                                      " results, got " + std::to_string(out.values.size()));
              for (size_t i = 0; i < out.values.size(); ++i) {
                if (!matches(c.expected[i], out.values[i]))
                  return fail(line, "assert_return: result " + std::to_string(i) + ": expected " +
                                        describe(c.expected[i]) + ", got " +
                                        describe(out.values[i]));
              }
              pass();
            },
            [&](const text::AssertTrap& c) {
              if (c.module) {
                auto mod = compile_module(*c.module);
                if (!mod) return fail(line, "assert_trap: module failed to compile: " +
                                                mod.error().to_string());
                auto inst = instantiate(*mod);
                if (inst) return fail(line, "assert_trap: module instantiated without a trap");
                if (inst.error().kind != ErrorKind::Uninstantiable)
                  return fail(line, "assert_trap: expected a trap, got " +
                                        inst.error().to_string());
                if (!message_matches(inst.error().message, c.message))
                  return fail(line, "assert_trap: expected trap \"" + c.message + "\", got \"" +
                                        inst.error().message + "\"");
                return pass();
              }
              auto out = perform(*c.action);
              if (!out.ran) return fail(line, "assert_trap: " + out.error);
              if (!out.trap) return fail(line, "assert_trap: expected trap \"" + c.message +
                                                   "\", got a result");
              if (!message_matches(out.trap->message, c.message))
                return fail(line, "assert_trap: expected trap \"" + c.message + "\", got \"" +
                                      out.trap->message + "\"");
              pass();
            },
            [&](const text::AssertExhaustion& c) {
              auto out = perform(c.action);
              if (!out.ran) return fail(line, "assert_exhaustion: " + out.error);
              if (!out.trap || out.trap->kind != TrapKind::StackExhausted)
                return fail(line, "assert_exhaustion: expected stack exhaustion, got " +
                                      (out.trap ? out.trap->message : std::string("a result")));
              pass();
            },
            [&](const text::AssertException& c) {
              fail(line, "assert_exception: exception handling is not supported yet");
            },
            [&](const text::AssertModule& c) {
              using K = text::AssertModule;
              auto mod = compile_module(c.module);
              if (c.kind == K::Malformed || c.kind == K::Invalid) {
                const char* what = c.kind == K::Malformed ? "assert_malformed" : "assert_invalid";
                if (mod) return fail(line, std::string(what) + ": module was accepted (expected \"" +
                                               c.message + "\")");
                return pass();
              }
              const char* what = c.kind == K::Unlinkable ? "assert_unlinkable"
                                                         : "assert_uninstantiable";
              if (!mod)
                return fail(line, std::string(what) + ": module failed to compile: " +
                                      mod.error().to_string());
              auto inst = instantiate(*mod);
              if (inst) return fail(line, std::string(what) + ": module was instantiated");
              ErrorKind want = c.kind == K::Unlinkable ? ErrorKind::Unlinkable
                                                       : ErrorKind::Uninstantiable;
              if (inst.error().kind != want)
                return fail(line, std::string(what) + ": wrong failure: " +
                                      inst.error().to_string());
              if (!message_matches(inst.error().message, c.message))
                return fail(line, std::string(what) + ": expected \"" + c.message + "\", got \"" +
                                      inst.error().message + "\"");
              pass();
            },
            [&](const text::SkippedCommand& c) {
              result_.errors.push_back({line, "unsupported command (" + c.head + ")"});
            },
        },
        cmd.body);
  }
  return std::move(result_);
}

}  // namespace hull::cli
