// `hull run FILE --invoke NAME [ARGS...]`: compile a module (binary or text), instantiate it
// and call one export, printing each result on its own line. WASI arrives with its own issue.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "engine/engine.h"
#include "file_util.h"
#include "text/wat.h"
#include "values.h"

namespace hull::cli {

namespace {

constexpr int kExitTrap = 134;   // like wasmtime: a trap exits as if aborted
constexpr int kExitError = 1;    // compile/link errors and bad usage
constexpr int kExitUsage = 2;

void print_run_help(FILE* out) {
  std::fputs(
      "usage: hull run [OPTIONS] FILE.wasm|FILE.wat [ARGS...]\n"
      "\n"
      "Compiles FILE (binary or text format), instantiates it and calls an export.\n"
      "\n"
      "options:\n"
      "  --invoke NAME   call the exported function NAME with ARGS converted to its\n"
      "                  parameter types; print each result on its own line\n"
      "  --              end of options\n"
      "  -h, --help      show this text\n"
      "\n"
      "exit status: 0 on success, 1 on a compile/link error, 2 on bad usage,\n"
      "134 when the guest traps (the trap and its wasm backtrace go to stderr).\n",
      out);
}

bool looks_binary(const std::string& data) {
  return data.size() >= 4 && data.compare(0, 4, std::string("\0asm", 4)) == 0;
}

}  // namespace

int run_command(int argc, char** argv) {
  std::string invoke;
  std::string file;
  std::vector<std::string> args;
  bool options_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    // Before FILE every option is ours; after FILE only `--invoke NAME` is (the documented
    // `hull run FILE --invoke NAME ARGS` form), everything else is an argument.
    if (!options_done && !file.empty() && invoke.empty() &&
        (a == "--invoke" || a.rfind("--invoke=", 0) == 0)) {
      if (a == "--invoke") {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "error: --invoke needs a function name\n");
          return kExitUsage;
        }
        invoke = argv[++i];
      } else {
        invoke = a.substr(9);
      }
      continue;
    }
    if (!options_done && file.empty()) {
      if (a == "--") { options_done = true; continue; }
      if (a == "-h" || a == "--help") { print_run_help(stdout); return 0; }
      if (a == "--invoke") {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "error: --invoke needs a function name\n");
          return kExitUsage;
        }
        invoke = argv[++i];
        continue;
      }
      if (a.rfind("--invoke=", 0) == 0) { invoke = a.substr(9); continue; }
      if (a.size() > 1 && a[0] == '-') {
        std::fprintf(stderr, "error: unknown option '%s' (see hull run --help)\n", a.c_str());
        return kExitUsage;
      }
    }
    if (file.empty()) file = a; else args.push_back(a);
  }
  if (file.empty()) {
    std::fprintf(stderr, "error: no module file given (see hull run --help)\n");
    return kExitUsage;
  }
  auto data = read_file(file);
  if (!data) {
    std::fprintf(stderr, "error: %s\n", data.error().message.c_str());
    return kExitError;
  }
  std::vector<uint8_t> bytes;
  if (looks_binary(*data)) {
    bytes.assign(data->begin(), data->end());
  } else {
    auto enc = text::wat_to_binary(*data);
    if (!enc) {
      std::fprintf(stderr, "error: %s:%s\n", file.c_str(), enc.error().to_string().c_str());
      return kExitError;
    }
    bytes = std::move(*enc);
  }
  auto mod = compile(bytes);
  if (!mod) {
    std::fprintf(stderr, "error: %s: %s module: %s\n", file.c_str(),
                 error_kind_name(mod.error().kind), mod.error().to_string().c_str());
    return kExitError;
  }
  Store store;
  Linker linker;
  auto inst = linker.instantiate(store, *mod);
  if (!inst) {
    std::fprintf(stderr, "error: %s: %s\n", file.c_str(), inst.error().to_string().c_str());
    return inst.error().kind == ErrorKind::Uninstantiable ? kExitTrap : kExitError;
  }
  if (invoke.empty()) {
    if (!args.empty()) {
      std::fprintf(stderr, "error: arguments given but no --invoke NAME\n");
      return kExitUsage;
    }
    return 0;  // instantiation (and the start function) ran
  }
  auto it = (*inst)->exports.find(invoke);
  if (it == (*inst)->exports.end() || it->second.kind != ExternKind::Func) {
    std::fprintf(stderr, "error: %s: no exported function '%s'\n", file.c_str(), invoke.c_str());
    return kExitError;
  }
  Function* f = it->second.func;
  const FuncType& type = *f->type;
  if (args.size() != type.params.size()) {
    std::fprintf(stderr, "error: '%s' takes %zu argument(s), %zu given\n", invoke.c_str(),
                 type.params.size(), args.size());
    return kExitUsage;
  }
  std::vector<Val> vals;
  for (size_t i = 0; i < args.size(); ++i) {
    auto v = parse_value(type.params[i], args[i]);
    if (!v) {
      std::fprintf(stderr, "error: %s\n", v.error().message.c_str());
      return kExitUsage;
    }
    vals.push_back(*v);
  }
  auto r = hull::invoke(store, f, vals);
  if (!r) {
    std::fprintf(stderr, "error: %s\n", r.error().to_string().c_str());
    return kExitError;
  }
  if (r->trapped()) {
    std::fprintf(stderr, "error: %s\n", r->trap->to_string().c_str());
    return kExitTrap;
  }
  for (const Val& v : r->values) std::printf("%s\n", format_value(v).c_str());
  return 0;
}

}  // namespace hull::cli
