// `hull run COMPONENT [ARGS]`: run a WASI 0.2 command (its `wasi:cli/run` export) with the
// WASI grants of the command line, as `wasmtime run` does; or, with --invoke 'NAME(ARGS)',
// call one exported function with arguments written in WAVE (component/abi/wave.h) and print
// its result in WAVE. WASI 0.2 satisfies the component's wasi:* imports either way.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "component/abi/wave.h"
#include "component_cli.h"
#include "component_wit.h"
#include "hull/wasi.hh"

namespace hull::cli {

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTrap = 134;  // as for core modules: a trap exits as if aborted

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// `--invoke` split into the export's name and the WAVE text of its arguments.
struct Invocation {
  std::string name;
  std::string args;
};

// `NAME(ARGS)`: names never contain '(' (they may contain ':' '/' '@' '#' '.' and
// `[method]`-style brackets), so the first '(' starts the arguments, which run to the final ')'.
// Without parentheses, NAME alone, and the words after FILE are its arguments, one each
// (`--invoke div 8 2`), as for core modules.
std::optional<Invocation> parse_invocation(const std::string& invoke,
                                           const std::vector<std::string>& words,
                                           std::string* why) {
  std::string_view s = trim(invoke);
  size_t open = s.find('(');
  Invocation inv;
  if (open == std::string_view::npos) {
    inv.name = std::string(s);
    for (size_t i = 0; i < words.size(); ++i) inv.args += (i ? ", " : "") + words[i];
  } else {
    if (s.back() != ')') {
      *why = "--invoke '" + invoke + "': the arguments must end with ')': NAME(ARGS)";
      return std::nullopt;
    }
    if (!words.empty()) {
      *why = "--invoke '" + invoke + "' already has its arguments in parentheses; unexpected '" +
             words[0] + "' after FILE";
      return std::nullopt;
    }
    inv.name = std::string(trim(s.substr(0, open)));
    inv.args = std::string(s.substr(open + 1, s.size() - open - 2));
  }
  if (inv.name.empty()) {
    *why = "--invoke '" + invoke + "': no function name (expected NAME(ARGS))";
    return std::nullopt;
  }
  return inv;
}

// The exported functions, with `iface#name` for those of exported instances (nested
// instances as `a#b#name`), and their types.
void list_functions(const std::string& prefix, const std::vector<std::string>& names,
                    const std::vector<ac::ExternInfo>& infos,
                    std::vector<std::pair<std::string, ac::FuncType>>* out) {
  for (size_t i = 0; i < names.size() && i < infos.size(); ++i) {
    if (infos[i].kind == ac::ExternInfo::Kind::Func)
      out->push_back({prefix + names[i], infos[i].func});
    if (infos[i].kind == ac::ExternInfo::Kind::Instance)
      list_functions(prefix + names[i] + "#", infos[i].export_names, infos[i].export_types, out);
  }
}

std::vector<std::pair<std::string, ac::FuncType>> exported_functions(
    const ComponentItems& exports) {
  std::vector<std::string> names;
  std::vector<ac::ExternInfo> infos;
  for (const auto& [n, x] : exports) {
    names.push_back(n);
    infos.push_back(x);
  }
  std::vector<std::pair<std::string, ac::FuncType>> out;
  list_functions("", names, infos, &out);
  return out;
}

// The top-level pieces of a WAVE argument list, split at commas outside brackets, strings,
// chars and comments. Only used to say which argument an error is in: parse_wave_args is the
// parser; a trailing comma ends the list.
std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' && s.substr(i, 3) == "\"\"\"") {
      size_t end = s.find("\"\"\"", i + 3);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '"' || c == '\'') {
      for (++i; i < s.size() && s[i] != c; ++i)
        if (s[i] == '\\') ++i;
    } else if (c == '/' && s.substr(i, 2) == "//") {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  std::string_view last = trim(s.substr(std::min(start, s.size())));
  if (!last.empty() || !out.empty()) out.push_back(last);
  if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();
  return out;
}

std::string param_list(const WitPrinter& wit, const ac::FuncType& f) {
  std::string s;
  for (size_t i = 0; i < f.params.size(); ++i)
    s += (i ? ", " : "") + f.params[i].name + ": " + wit.type(f.params[i].type, nullptr);
  return s;
}

// Parses the arguments of `name`; on failure prints which argument is wrong and what it
// needed.
std::optional<std::vector<ac::Val>> parse_args(const WitPrinter& wit, const std::string& name,
                                               const ac::FuncType& f, const std::string& text) {
  std::vector<ac::Type> types;
  for (const ac::Field& p : f.params) types.push_back(p.type);
  auto vals = hull::component::parse_wave_args(text, types);
  if (vals) return std::move(*vals);
  // Find the piece that does not parse alone, to name its parameter.
  std::vector<std::string_view> pieces = split_args(text);
  size_t required = types.size();
  while (required > 0 && types[required - 1].kind() == ac::TypeKind::Option) --required;
  if (pieces.size() > types.size() || pieces.size() < required) {
    std::fprintf(stderr, "error: '%s' takes %zu argument(s) (%s), %zu given\n", name.c_str(),
                 types.size(), param_list(wit, f).c_str(), pieces.size());
    return std::nullopt;
  }
  for (size_t k = 0; k < pieces.size(); ++k) {
    auto v = hull::component::parse_wave(pieces[k], types[k]);
    if (v) continue;
    // "invalid WAVE value at column N: ..." -> "... at column N of `PIECE`: ...": the column
    // counts within this argument.
    std::string msg = v.error().message;
    const std::string piece = "`" + std::string(pieces[k]) + "`";
    size_t colon = msg.rfind("invalid WAVE value at ", 0) == 0 ? msg.find(": ") : std::string::npos;
    if (colon != std::string::npos) {
      msg.insert(colon, " of " + piece);
    } else {
      msg = piece + ": " + msg;
    }
    std::fprintf(stderr, "error: '%s' argument %zu (%s: %s): %s\n", name.c_str(), k + 1,
                 f.params[k].name.c_str(), wit.type(types[k], nullptr).c_str(), msg.c_str());
    return std::nullopt;
  }
  std::fprintf(stderr, "error: arguments of '%s' (%s): %s\n", name.c_str(),
               param_list(wit, f).c_str(), vals.error().message.c_str());
  return std::nullopt;
}

bool is_wasi_command(const ComponentItems& exports) {
  for (const auto& [n, x] : exports)
    if (n == "wasi:cli/run" || n.rfind("wasi:cli/run@", 0) == 0) return true;
  return false;
}

void print_functions(FILE* out, const WitPrinter& wit,
                     const std::vector<std::pair<std::string, ac::FuncType>>& funcs) {
  for (const auto& [n, f] : funcs)
    std::fprintf(out, "  %s: %s\n", n.c_str(), wit.func(f, nullptr).c_str());
}

// The exit status for a call that failed: the guest's wasi:cli/exit status, or a trap.
int report_trap(const api::Store& store, const api::Error& e) {
  std::fflush(stdout);
  if (auto status = api::wasi::exit_status(store)) return *status;
  std::fprintf(stderr, "error: %s\n", e.trap ? e.trap->to_string().c_str() : e.message.c_str());
  return kExitTrap;
}

api::wasi::Config wasi_config(const ComponentWasi& w) {
  api::wasi::Config c;
  c.args = w.args;
  for (const std::string& kv : w.env) {
    size_t eq = kv.find('=');
    c.env.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  for (const auto& d : w.preopens) c.preopens.push_back({d.host_path, d.guest_path, d.readonly});
  c.inherit_network = w.inherit_network;
  c.allow_ip_name_lookup = w.allow_ip_name_lookup;
  c.allow_tcp = w.tcp;
  c.allow_udp = w.udp;
  c.allowed_outbound_hosts = w.allowed_outbound_hosts;
  return c;
}

// A store and an instance of the component with WASI 0.2 linked and granted; nullopt after
// printing why not (and setting *status).
struct Running {
  std::unique_ptr<api::Store> store;  // not moved: instances point to their store
  ac::Instance instance;
};
std::optional<Running> instantiate_with_wasi(const api::Engine& engine, const ac::Component& comp,
                                             const std::string& file,
                                             const ComponentRunLimits& limits, int* status) {
  Running run{std::make_unique<api::Store>(engine), {}};
  api::Store& store = *run.store;
  if (limits.fuel) (void)store.set_fuel(*limits.fuel);
  // The deadline covers instantiation (core start functions) too.
  if (limits.timeout_ns) {
    (void)store.set_deadline(std::chrono::nanoseconds(*limits.timeout_ns));
  }
  ac::Linker linker(engine);
  if (auto r = api::wasi::add_to_linker(linker); !r) {
    std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
    *status = kExitError;
    return std::nullopt;
  }
  if (auto r = api::wasi::attach(store, wasi_config(limits.wasi)); !r) {
    std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
    *status = kExitError;
    return std::nullopt;
  }
  auto inst = linker.instantiate(store, comp);
  if (!inst) {
    if (inst.error().trap) {
      *status = report_trap(store, inst.error());
      return std::nullopt;
    }
    const char* hint = inst.error().kind == api::ErrorKind::Unlinkable
                           ? " (hull run provides WASI 0.2 interfaces to components, nothing "
                             "else)"
                           : "";
    std::fprintf(stderr, "error: %s: %s%s\n", file.c_str(), inst.error().message.c_str(), hint);
    *status = kExitError;
    return std::nullopt;
  }
  run.instance = *inst;
  return run;
}

// The `run` function of the component's wasi:cli/run export (any 0.2 version).
std::optional<ac::Func> wasi_run_func(const ac::Instance& inst, const ComponentItems& exports) {
  for (const auto& [n, x] : exports) {
    if (n != "wasi:cli/run" && n.rfind("wasi:cli/run@", 0) != 0) continue;
    if (auto f = inst.get_func(n + "#run")) return f;
  }
  return std::nullopt;
}

}  // namespace

int run_component(const std::string& file, const std::string& invoke,
                  const std::vector<std::string>& args, const ComponentRunLimits& limits) {
  auto bytes = read_component_bytes(file);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().message.c_str());
    return kExitError;
  }
  api::Config config;
  config.tier = limits.tier;
  config.native_opt_level = limits.native_opt_level;
  config.consume_fuel = limits.fuel.has_value();
  config.epoch_interruption = limits.timeout_ns.has_value();
  if (limits.guard_pages)
    config.bounds_checks =
        *limits.guard_pages ? api::BoundsChecks::Guard : api::BoundsChecks::Explicit;
  if (limits.max_memory) config.limits.max_memory_bytes = *limits.max_memory;
  if (limits.max_table_elements) config.limits.max_table_elements = *limits.max_table_elements;
  if (limits.max_instances) config.limits.max_instances = *limits.max_instances;
  if (limits.max_wasm_stack) config.limits.max_wasm_stack_bytes = *limits.max_wasm_stack;
  apply_to(limits.features, &config);
  auto engine = api::Engine::create(config);
  if (!engine) {
    std::fprintf(stderr, "error: %s\n", engine.error().message.c_str());
    return kExitError;
  }
  auto comp = ac::Component::compile(*engine, *bytes);
  if (!comp) {
    std::fprintf(stderr, "error: %s: %s component: %s\n", file.c_str(),
                 comp.error().kind == api::ErrorKind::Malformed ? "malformed" : "invalid",
                 comp.error().message.c_str());
    return kExitError;
  }
  const ComponentItems imports = comp->imports();
  const ComponentItems exports = comp->exports();
  const WitPrinter wit(imports, exports, resource_names(*comp));
  const auto funcs = exported_functions(exports);

  if (invoke.empty()) {
    if (is_wasi_command(exports)) {
      int status = 0;
      auto run = instantiate_with_wasi(*engine, *comp, file, limits, &status);
      if (!run) return status;
      auto fn = wasi_run_func(run->instance, exports);
      if (!fn) {
        std::fprintf(stderr, "error: %s: its wasi:cli/run export has no `run` function\n",
                     file.c_str());
        return kExitError;
      }
      auto result = fn->call({});
      std::fflush(stdout);
      if (!result) {
        if (result.error().kind == api::ErrorKind::Trap)
          return report_trap(*run->store, result.error());
        std::fprintf(stderr, "error: %s\n", result.error().message.c_str());
        return kExitError;
      }
      // run: func() -> result: err is a failure without a code (wasmtime exits 1).
      return !result->empty() && !result->front().is_ok() ? 1 : 0;
    }
    std::fprintf(stderr,
                 "error: %s is a component without wasi:cli/run: choose the export to call with "
                 "--invoke 'NAME(ARGS)', arguments in WAVE, e.g. --invoke 'f(1, \"text\")'\n",
                 file.c_str());
    if (funcs.empty()) {
      std::fprintf(stderr, "it exports no functions\n");
    } else {
      std::fprintf(stderr, "its exported functions:\n");
      print_functions(stderr, wit, funcs);
    }
    return kExitUsage;
  }

  std::string why;
  auto inv = parse_invocation(invoke, args, &why);
  if (!inv) {
    std::fprintf(stderr, "error: %s\n", why.c_str());
    return kExitUsage;
  }
  const ac::FuncType* type = nullptr;
  for (const auto& [n, f] : funcs)
    if (n == inv->name) type = &f;
  if (!type) {
    for (const auto& [n, x] : exports) {
      if (n == inv->name && x.kind == ac::ExternInfo::Kind::Instance) {
        std::fprintf(stderr,
                     "error: %s: '%s' is an instance; call its functions as '%s#NAME(ARGS)':\n",
                     file.c_str(), n.c_str(), n.c_str());
        print_functions(stderr, wit, funcs);
        return kExitError;
      }
    }
    std::fprintf(stderr, "error: %s: no exported function '%s'; it exports:\n", file.c_str(),
                 inv->name.c_str());
    print_functions(stderr, wit, funcs);
    return kExitError;
  }
  // Arguments are checked before anything runs: a typo costs no instantiation.
  auto vals = parse_args(wit, inv->name, *type, inv->args);
  if (!vals) return kExitUsage;

  int status = 0;
  auto run = instantiate_with_wasi(*engine, *comp, file, limits, &status);
  if (!run) return status;
  auto fn = run->instance.get_func(inv->name);
  if (!fn) {
    std::fprintf(stderr, "error: %s: no exported function '%s'\n", file.c_str(), inv->name.c_str());
    return kExitError;
  }
  auto result = fn->call(*vals);
  if (!result) {
    if (result.error().kind == api::ErrorKind::Trap)
      return report_trap(*run->store, result.error());
    std::fprintf(stderr, "error: %s\n", result.error().message.c_str());
    return result.error().kind == api::ErrorKind::Usage ? kExitUsage : kExitError;
  }
  if (!result->empty() && type->result)
    std::printf("%s\n", hull::component::to_wave(result->front(), type->result).c_str());
  return 0;
}

}  // namespace hull::cli
