// The component-model .wast runner (see component_wast_runner.h).
#include "component_wast_runner.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "overloaded.h"
#include "text/component.h"

namespace hull::cli {

namespace ac = hull::api::component;

namespace {

// Wasmtime's rule for component scripts: the expected text appears in the actual message.
bool message_matches(const std::string& actual, const std::string& expected) {
  return actual.find(expected) != std::string::npos;
}

// Core traps keep the core spec's wording ("unreachable"); Wasmtime's component scripts
// spell a few of them its own way. The mapping, documented in docs/CONFORMANCE.md:
//   every trap            "wasm trap: <message>"  (how Wasmtime displays a trap)
//   unreachable           "wasm `unreachable` instruction executed"
bool trap_matches(const api::Trap& t, const std::string& expected) {
  if (message_matches(t.message, expected) ||
      message_matches("wasm trap: " + t.message, expected)) {
    return true;
  }
  if (t.code == api::TrapCode::Unreachable || t.message == "unreachable") {
    return message_matches("wasm trap: wasm `unreachable` instruction executed", expected);
  }
  return false;
}

ac::Val to_val(const text::ComponentValue& v) {
  using K = text::ComponentValue;
  switch (v.kind) {
    case K::Bool: return ac::Val::boolean(v.bits != 0);
    case K::S8: return ac::Val::s8(static_cast<int8_t>(v.bits));
    case K::U8: return ac::Val::u8(static_cast<uint8_t>(v.bits));
    case K::S16: return ac::Val::s16(static_cast<int16_t>(v.bits));
    case K::U16: return ac::Val::u16(static_cast<uint16_t>(v.bits));
    case K::S32: return ac::Val::s32(static_cast<int32_t>(v.bits));
    case K::U32: return ac::Val::u32(static_cast<uint32_t>(v.bits));
    case K::S64: return ac::Val::s64(static_cast<int64_t>(v.bits));
    case K::U64: return ac::Val::u64(v.bits);
    case K::F32: return ac::Val::f32_bits(static_cast<uint32_t>(v.bits));
    case K::F64: return ac::Val::f64_bits(v.bits);
    case K::Char: return ac::Val::character(static_cast<char32_t>(v.bits));
    case K::String: return ac::Val::string(v.text);
    case K::List:
    case K::Tuple: {
      std::vector<ac::Val> items;
      for (const auto& x : v.items) items.push_back(to_val(x));
      return v.kind == K::List ? ac::Val::list(std::move(items)) : ac::Val::tuple(std::move(items));
    }
    case K::Record: {
      std::vector<std::pair<std::string, ac::Val>> fields;
      for (size_t i = 0; i < v.items.size(); ++i) {
        fields.push_back({i < v.names.size() ? v.names[i] : "", to_val(v.items[i])});
      }
      return ac::Val::record(std::move(fields));
    }
    case K::Variant:
      if (v.items.empty()) return ac::Val::variant(v.text);
      return ac::Val::variant(v.text, to_val(v.items[0]));
    case K::Enum: return ac::Val::enumeration(v.text);
    case K::Option: return v.items.empty() ? ac::Val::none() : ac::Val::some(to_val(v.items[0]));
    case K::Result: {
      std::optional<ac::Val> p;
      if (!v.items.empty()) p = to_val(v.items[0]);
      return v.ok ? ac::Val::ok(p) : ac::Val::err(p);
    }
    case K::Flags: return ac::Val::flags(v.names);
  }
  return ac::Val();
}

bool f32_matches(uint32_t got, uint32_t want, text::NanKind nan) {
  if (nan != text::NanKind::None)
    return (got & 0x7F800000u) == 0x7F800000u && (got & 0x7FFFFFu) != 0;
  return got == want;
}
bool f64_matches(uint64_t got, uint64_t want, text::NanKind nan) {
  if (nan != text::NanKind::None) {
    return (got & 0x7FF0000000000000ull) == 0x7FF0000000000000ull &&
           (got & 0xFFFFFFFFFFFFFull) != 0;
  }
  return got == want;
}

std::string describe(const ac::Val& v);

bool matches(const text::ComponentValue& e, const ac::Val& packed) {
  // Scripts spell byte lists element by element.
  const ac::Val expanded = packed.is_bytes() ? packed.expand_bytes() : ac::Val();
  const ac::Val& v = packed.is_bytes() ? expanded : packed;
  using K = text::ComponentValue;
  switch (e.kind) {
    case K::F32:
      return v.kind() == ac::TypeKind::F32 &&
             f32_matches(static_cast<uint32_t>(v.raw_bits()), static_cast<uint32_t>(e.bits), e.nan);
    case K::F64: return v.kind() == ac::TypeKind::F64 && f64_matches(v.raw_bits(), e.bits, e.nan);
    case K::List:
    case K::Tuple:
    case K::Record:
    case K::Variant:
    case K::Option:
    case K::Result: {
      ac::Val want = to_val(e);
      if (want.kind() != v.kind() || want.case_name() != v.case_name() ||
          want.names() != v.names() || want.raw_bits() != v.raw_bits() ||
          e.items.size() != v.items().size()) {
        return false;
      }
      for (size_t i = 0; i < e.items.size(); ++i) {
        if (!matches(e.items[i], v.items()[i])) return false;
      }
      return true;
    }
    case K::Flags: {
      if (v.kind() != ac::TypeKind::Flags) return false;
      std::vector<std::string> a = e.names, b = v.names();
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      return a == b;
    }
    default: return to_val(e) == v;
  }
}

std::string describe(const ac::Val& packed) {
  const ac::Val expanded = packed.is_bytes() ? packed.expand_bytes() : ac::Val();
  const ac::Val& v = packed.is_bytes() ? expanded : packed;
  using T = ac::TypeKind;
  char buf[64];
  switch (v.kind()) {
    case T::Bool: return v.as_bool() ? "true" : "false";
    case T::S8:
    case T::S16:
    case T::S32:
    case T::S64: return std::to_string(v.as_s64());
    case T::U8:
    case T::U16:
    case T::U32:
    case T::U64: return std::to_string(v.as_u64());
    case T::F32: std::snprintf(buf, sizeof buf, "f32:0x%08" PRIx64, v.raw_bits()); return buf;
    case T::F64: std::snprintf(buf, sizeof buf, "f64:0x%016" PRIx64, v.raw_bits()); return buf;
    case T::Char:
      std::snprintf(buf, sizeof buf, "char:U+%04X", static_cast<unsigned>(v.as_char()));
      return buf;
    case T::String: return "\"" + v.as_string() + "\"";
    case T::Enum: return v.case_name();
    case T::Variant: return v.case_name() + (v.payload() ? "(" + describe(*v.payload()) + ")" : "");
    case T::Option: return v.is_some() ? "some(" + describe(*v.payload()) + ")" : "none";
    case T::Result:
      return std::string(v.is_ok() ? "ok" : "err") +
             (v.payload() ? "(" + describe(*v.payload()) + ")" : "");
    case T::Flags: {
      std::string s = "{";
      for (size_t i = 0; i < v.names().size(); ++i) s += (i ? ", " : "") + v.names()[i];
      return s + "}";
    }
    case T::Record: {
      std::string s = "{";
      for (size_t i = 0; i < v.items().size(); ++i) {
        s += (i ? ", " : "") + (i < v.names().size() ? v.names()[i] : "") + ": " +
             describe(v.items()[i]);
      }
      return s + "}";
    }
    case T::List:
    case T::Tuple:
    case T::FixedList: {
      std::string s = v.kind() == T::Tuple ? "(" : "[";
      for (size_t i = 0; i < v.items().size(); ++i) s += (i ? ", " : "") + describe(v.items()[i]);
      return s + (v.kind() == T::Tuple ? ")" : "]");
    }
    case T::Own:
    case T::Borrow: return "resource";
    default: return "?";
  }
}

std::string describe(const text::ComponentValue& e) {
  using K = text::ComponentValue;
  if (e.kind == K::F32 && e.nan != text::NanKind::None) return "f32:nan";
  if (e.kind == K::F64 && e.nan != text::NanKind::None) return "f64:nan";
  return describe(to_val(e));
}

}  // namespace

bool is_component_command(const text::Command& c) {
  return std::visit(Overloaded{
                        [](const text::ModuleCommand& m) { return m.module.component; },
                        [](const text::ModuleInstanceCommand& m) { return m.component; },
                        [](const text::AssertModule& m) { return m.module.component; },
                        [](const text::AssertTrap& m) {
                          return (m.instance && m.instance->component) ||
                                 (m.module && m.module->component) ||
                                 (m.action && m.action->component);
                        },
                        [](const text::AssertReturn& m) { return m.action.component; },
                        [](const text::ActionCommand& m) { return m.action.component; },
                        [](const auto&) { return false; },
                    },
                    c.body);
}

bool script_uses_components(const text::Script& script) {
  for (const text::Command& c : script.commands) {
    if (is_component_command(c)) return true;
  }
  return false;
}

namespace {
// An engine for CONFIG (the default one if CONFIG is refused).
api::Engine script_engine(const api::Config& config) {
  auto e = api::Engine::create(config);
  return e ? *e : api::Engine();
}
}  // namespace

ComponentWastRunner::ComponentWastRunner(const api::Config& config)
    : engine_(script_engine(config)), store_(engine_), linker_(engine_) {}

// As Wasmtime's runner does, a named instance is also defined in the linker under its name, so
// later components can import it.
void ComponentWastRunner::name_instance(const std::string& id, const ac::Instance& inst) {
  named_[id] = inst;
  (void)linker_.instance(id, inst);
}

api::Result<ac::Component> ComponentWastRunner::compile(const text::ScriptModule& m) {
  if (m.encode_error) return api::Error(api::ErrorKind::Malformed, m.encode_error->to_string());
  if (!m.component)
    return api::Error(api::ErrorKind::Usage, "a core module where a component was expected");
  if (m.kind == text::ScriptModule::Quote) {
    auto bytes = text::component_to_binary(m.quote);
    if (!bytes) return api::Error(api::ErrorKind::Malformed, bytes.error().to_string());
    return ac::Component::compile(engine_, *bytes);
  }
  return ac::Component::compile(engine_, m.bytes);
}

api::Result<ac::Instance> ComponentWastRunner::instantiate(const ac::Component& c) {
  return linker_.instantiate(store_, c);
}

ComponentWastRunner::Outcome ComponentWastRunner::perform(const text::Action& a) {
  Outcome out;
  std::optional<ac::Instance> inst;
  if (a.module_id.empty()) {
    inst = current_;
  } else {
    auto it = named_.find(a.module_id);
    if (it != named_.end()) inst = it->second;
  }
  if (!inst) {
    out.error =
        a.module_id.empty() ? "no component instantiated" : "unknown component $" + a.module_id;
    return out;
  }
  if (a.kind != text::Action::Invoke) {
    out.error = "`get` is not defined for components";
    return out;
  }
  auto f = inst->get_func(a.name);
  if (!f) {
    out.error = "no exported function \"" + a.name + "\"";
    return out;
  }
  out.type = f->type();
  std::vector<ac::Val> args;
  for (const auto& v : a.component_args) args.push_back(to_val(v));
  auto r = f->call(args);
  out.ran = true;
  if (!r) {
    if (r.error().trap) {
      out.trap = *r.error().trap;
    } else {
      out.ran = false;
      out.error = r.error().to_string();
    }
    return out;
  }
  out.values = std::move(*r);
  return out;
}

WastFileResult ComponentWastRunner::run(const text::Script& script) {
  for (const text::Command& cmd : script.commands) {
    const uint32_t line = cmd.line;
    auto instance_of_definition =
        [&](const text::ModuleInstanceCommand& c) -> api::Result<ac::Instance> {
      auto it = definitions_.find(c.module_id);
      if (it == definitions_.end()) {
        return api::Error(api::ErrorKind::Usage, "unknown component definition $" + c.module_id);
      }
      return instantiate(it->second);
    };
    std::visit(
        Overloaded{
            [&](const text::ModuleCommand& c) {
              auto comp = compile(c.module);
              if (!comp) {
                current_.reset();
                return fail(line, "component failed to compile: " + comp.error().to_string());
              }
              if (c.module.definition) {
                definitions_.emplace(c.module.id, *comp);
                return;
              }
              auto inst = instantiate(*comp);
              if (!inst) {
                current_.reset();
                return fail(line, "component failed to instantiate: " + inst.error().to_string());
              }
              current_ = *inst;
              if (!c.module.id.empty()) name_instance(c.module.id, *inst);
            },
            [&](const text::ModuleInstanceCommand& c) {
              auto inst = instance_of_definition(c);
              if (!inst) {
                current_.reset();
                return fail(line, "component instance failed: " + inst.error().to_string());
              }
              current_ = *inst;
              if (!c.instance_id.empty()) name_instance(c.instance_id, *inst);
            },
            [&](const text::RegisterCommand& c) {
              std::optional<ac::Instance> inst = current_;
              if (!c.module_id.empty()) {
                auto it = named_.find(c.module_id);
                inst = it == named_.end() ? std::nullopt : std::optional<ac::Instance>(it->second);
              }
              if (!inst) return fail(line, "register: no such component instance");
              auto r = linker_.instance(c.name, *inst);
              if (!r) fail(line, "register: " + r.error().to_string());
            },
            [&](const text::ActionCommand& c) {
              auto out = perform(c.action);
              if (!out.ran) return fail(line, "action failed: " + out.error);
              if (out.trap) return fail(line, "action trapped: " + out.trap->message);
            },
            [&](const text::AssertReturn& c) {
              auto out = perform(c.action);
              if (!out.ran) return fail(line, "assert_return: " + out.error);
              if (out.trap)
                return fail(line, "assert_return: unexpected trap: " + out.trap->message);
              if (out.values.size() != c.component_expected.size()) {
                return fail(line, "assert_return: expected " +
                                      std::to_string(c.component_expected.size()) +
                                      " results, got " + std::to_string(out.values.size()));
              }
              for (size_t i = 0; i < out.values.size(); ++i) {
                if (!matches(c.component_expected[i], out.values[i])) {
                  return fail(line, "assert_return: expected " + describe(c.component_expected[i]) +
                                        ", got " + describe(out.values[i]));
                }
              }
              pass();
            },
            [&](const text::AssertTrap& c) {
              std::optional<api::Error> err;
              if (c.instance) {
                auto inst = instance_of_definition(*c.instance);
                if (inst) return fail(line, "assert_trap: component instantiated without a trap");
                err = inst.error();
              } else if (c.module) {
                auto comp = compile(*c.module);
                if (!comp)
                  return fail(line, "assert_trap: component failed to compile: " +
                                        comp.error().to_string());
                auto inst = instantiate(*comp);
                if (inst) return fail(line, "assert_trap: component instantiated without a trap");
                err = inst.error();
              } else {
                auto out = perform(*c.action);
                if (!out.ran) return fail(line, "assert_trap: " + out.error);
                if (!out.trap)
                  return fail(line,
                              "assert_trap: expected trap \"" + c.message + "\", got a result");
                if (!trap_matches(*out.trap, c.message)) {
                  return fail(line, "assert_trap: expected trap \"" + c.message + "\", got \"" +
                                        out.trap->message + "\"");
                }
                return pass();
              }
              if (!err->trap)
                return fail(line, "assert_trap: expected a trap, got " + err->to_string());
              if (!trap_matches(*err->trap, c.message)) {
                return fail(line, "assert_trap: expected trap \"" + c.message + "\", got \"" +
                                      err->trap->message + "\"");
              }
              pass();
            },
            [&](const text::AssertExhaustion&) { fail(line, "assert_exhaustion on a component"); },
            [&](const text::AssertException&) { fail(line, "assert_exception on a component"); },
            [&](const text::AssertModule& c) {
              using K = text::AssertModule;
              if (c.kind == K::MalformedCustom || c.kind == K::InvalidCustom)
                return fail(line,
                            "assert_*_custom: custom sections of core modules are checked "
                            "by the core runner");
              auto comp = compile(c.module);
              if (c.kind == K::Malformed || c.kind == K::Invalid) {
                const char* what = c.kind == K::Malformed ? "assert_malformed" : "assert_invalid";
                if (comp) {
                  return fail(line, std::string(what) + ": component was accepted (expected \"" +
                                        c.message + "\")");
                }
                if (!message_matches(comp.error().message, c.message)) {
                  return fail(line, std::string(what) + ": expected \"" + c.message + "\", got \"" +
                                        comp.error().message + "\"");
                }
                return pass();
              }
              const char* what =
                  c.kind == K::Unlinkable ? "assert_unlinkable" : "assert_uninstantiable";
              if (!comp) {
                return fail(line, std::string(what) +
                                      ": component failed to compile: " + comp.error().to_string());
              }
              auto inst = instantiate(*comp);
              if (inst) return fail(line, std::string(what) + ": component was instantiated");
              if (!message_matches(inst.error().message, c.message)) {
                return fail(line, std::string(what) + ": expected \"" + c.message + "\", got \"" +
                                      inst.error().message + "\"");
              }
              pass();
            },
            [&](const text::SkippedCommand& c) {
              fail(line, "unsupported command (" + c.head + ")");
            },
        },
        cmd.body);
  }
  return std::move(result_);
}

}  // namespace hull::cli
