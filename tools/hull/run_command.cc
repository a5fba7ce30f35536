// `hull run [OPTIONS] FILE [ARGS...]`: compile a module (binary or text), link WASI preview 1,
// instantiate it and run `_start` (a WASI command) or the export named by --invoke. Components
// take their own path (component_run.cc).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "component_cli.h"
#include "engine/engine.h"
#include "engine/precompiled.h"
#include "engine/tiers.h"
#include "feature_flags.h"
#include "file_util.h"
#include "runtime/signals.h"
#include "tier_flag.h"
#include "values.h"
#include "wasi/preview1/threads.h"
#include "wasi/preview1/wasi_preview1.h"

extern char** environ;

namespace hull::cli {

namespace {

constexpr int kExitError = 1;   // missing/unreadable/invalid module, unknown import, bad --dir
constexpr int kExitUsage = 2;   // bad command line
constexpr int kExitTrap = 134;  // like wasmtime: a trap exits as if aborted

void print_run_help(FILE* out) {
  std::fputs(
      "usage: hull run [OPTIONS] FILE.wasm|FILE.wat [ARGS...]\n"
      "\n"
      "Compiles FILE (binary or text format), links WASI preview 1 (wasi_snapshot_preview1)\n"
      "and runs it: the export `_start` of a WASI command, or the export named by --invoke.\n"
      "The guest's argv is FILE followed by ARGS; stdin, stdout and stderr pass through.\n"
      "Options come before FILE; everything after FILE goes to the guest.\n"
      "A component (binary, or text starting with `(component`) is instantiated without\n"
      "imports instead, and --invoke calls one of its exports; a WASI 0.2 command component\n"
      "(wasi:cli/run) is not supported yet.\n"
      "\n"
      "options:\n"
      "  --dir HOST[::GUEST]     preopen host directory HOST for the guest as GUEST (default:\n"
      "                          HOST); repeatable. The guest reaches nothing outside its\n"
      "                          preopens (no `..`, absolute paths or symlinks out of them)\n"
      "  --dir HOST::GUEST:ro    the same, read-only: the guest cannot modify anything in it\n"
      "  --dir-ro HOST[::GUEST]  the same as `--dir HOST::GUEST:ro`\n"
      "  --env NAME=VALUE        set an environment variable for the guest; repeatable\n"
      "  --env NAME              pass the host's value of NAME (if set) to the guest\n"
      "  --inherit-env           pass the whole host environment (--env entries override)\n"
      "  --tcplisten ADDR:PORT   listen on ADDR:PORT (IPv4, or [IPv6]) and give the guest the\n"
      "                          listening socket as a preopened fd (after the directories) for\n"
      "                          sock_accept; repeatable\n"
      "  --invoke NAME           instead of `_start`, call the exported function NAME with ARGS\n"
      "                          converted to its parameter types and print each result on its\n"
      "                          own line (`_initialize` runs first if exported). Also accepted\n"
      "                          right after FILE: `hull run FILE --invoke NAME ARGS...`\n"
      "  --invoke 'NAME(ARGS)'   for a component: call its exported function NAME (`iface#name`\n"
      "                          for one of an exported instance) with ARGS in WAVE, e.g.\n"
      "                          'greet(\"x\")', 'sum([1, 2])', 'f({a: 1}, some(2), ok(3))', and\n"
      "                          print the result in WAVE. `--invoke NAME ARGS...` takes one\n"
      "                          WAVE value per word after FILE\n"
      "  --fuel N                give the guest N units of fuel (one per wasm instruction, "
      "charged\n"
      "                          per basic block); running out traps: `all fuel consumed`\n"
      "  --timeout DURATION      trap (`interrupt`) when the guest still runs after DURATION, "
      "e.g.\n"
      "                          500ms or 2s (units ms and s); checked at function entries and\n"
      "                          loop headers, also during the start function\n"
      "  --max-memory SIZE       cap each linear memory at SIZE bytes (suffixes K, M, G, KiB, "
      "MiB,\n"
      "                          GiB); memory.grow past it returns -1\n"
      "  --max-table-elements N  cap each table at N elements; table.grow past it returns -1\n"
      "  --max-instances N       allow at most N instances in the store (hull run creates one;\n"
      "                          WASI adds none), so only 0 makes a difference here\n"
      "  --max-wasm-stack SIZE   the guest's value stack (locals and operands of every active\n"
      "                          call), 8KiB to 1GiB, default 1MiB; deeper recursion traps:\n"
      "                          `call stack exhausted`\n"
      "                          A module whose memory or table minimum exceeds a limit fails to\n"
      "                          instantiate (exit 1) with a message naming the limit.\n"
      "  -W KEY=VAL[,KEY=VAL...] Wasmtime's spellings: fuel=N, timeout=DURATION,\n"
      "                          max-memory-size=SIZE, max-table-elements=N, max-instances=N,\n"
      "                          max-wasm-stack=SIZE; any other KEY is a usage error\n"
      "  -W FEATURE[=y|n][,...]  switch a Wasm feature on (y, the default for all) or off (n);\n"
      "                          a module using one that is off is invalid (exit 1). FEATURE:\n"
      "                          simd, relaxed-simd, multi-memory, memory64, reference-types,\n"
      "                          bulk-memory, multi-value, tail-call, function-references,\n"
      "                          extended-const, wide-arithmetic, custom-page-sizes, gc,\n"
      "                          exceptions, threads\n"
      "                          component-model-async (off by default) for components\n"
      "  -S KEY[=y|n][,...]      WASI 0.2 grants (Wasmtime's spellings): inherit-network,\n"
      "                          allow-ip-name-lookup, tcp, udp, inherit-env; http is always on\n"
      "  -S allow-outbound=URL   let wasi:http requests reach URL's scheme, host and port (Spin's\n"
      "                          allowed_outbound_hosts: http://127.0.0.1:8080,\n"
      "                          http://*.example.com, *://localhost:*); repeatable. Without it\n"
      "                          every outgoing request is denied (HTTP-request-denied)\n"
      "  -S threads[=y|n]        wasi-threads (off by default): a module importing\n"
      "                          wasi::thread-spawn gets it, and each imported shared memory\n"
      "                          is created for it; every spawned thread runs the module's\n"
      "                          `wasi_thread_start` in a new instance sharing that memory\n"
      "                          and the WASI state. A trap or proc_exit in any thread ends\n"
      "                          the program; when `_start` returns, the program exits without\n"
      "                          waiting for the other threads. --fuel is each thread's\n"
      "                          budget, --timeout the whole program's\n",
      out);
  std::fputs(
      "  --tier interp|baseline|native|auto  native: compile the module's functions (a\n"
      "                          component's: those of its core modules) to machine code\n"
      "                          with LLVM first; auto (tier-up; hull-native's default): start\n"
      "                          with the baseline tier's code (interpreted where it has none),\n"
      "                          compile each function that runs hot (10,000 calls and loop\n"
      "                          iterations; HULL_TIER_UP_THRESHOLD) on a background thread,\n"
      "                          switch at its next call or at the loop it is in. baseline:\n"
      "                          machine code copied from the interpreter's handlers in one\n"
      "                          pass (tens of MB of wasm a second; code about 2x faster than\n"
      "                          the interpreter; x86-64 Linux). interp: hull's default\n"
      "                          (native and auto: hull-native only; functions the native tier\n"
      "                          cannot compile yet stay interpreted:\n"
      "                          `hull-native inspect --tiers FILE`).\n"
      "                          hull-native keeps compiled code in $HULL_CACHE_DIR or\n"
      "                          ~/.cache/hull/native for the next run of the same module\n"
      "                          (HULL_NATIVE_CACHE=0: off)\n",
      out);
  std::fputs(kOptLevelHelp, out);
  std::fprintf(
      out,
      "  --bounds-checks MODE    `guard`: accesses to 32-bit memories are not checked one by one;\n"
      "                          one out of bounds hits a guard region and traps (each such\n"
      "                          memory reserves 8 GiB of address space); a memory that cannot\n"
      "                          get its guard regions (e.g. under `ulimit -v`) then fails to\n"
      "                          instantiate (exit 1). `explicit`: every access is checked in\n"
      "                          code (memory64 always is). Default here: %s%s\n",
      CompileOptions{}.guard_pages ? "guard" : "explicit",
      guard_pages_supported() ? "" : " (guard is not supported on this platform)");
  std::fputs(
      "  --                      end of options\n"
      "  -h, --help              show this text\n"
      "\n"
      "exit status:\n"
      "  the guest's proc_exit code (0 when `_start` or the --invoke call returns; a code is\n"
      "  reported modulo 256, as the OS does)\n"
      "  1    the file is missing, unreadable or not a valid module or component; an import\n"
      "       Hull lacks (unknown import module/name; any component import); a --dir that\n"
      "       does not exist; --tcplisten failed; --invoke names no exported function; a\n"
      "       memory or table minimum, or the instance, beyond a --max-* limit; a WASI 0.2\n"
      "       component (wasi:cli/run), which Hull does not support yet; a module importing\n"
      "       wasi::thread-spawn without -S threads\n"
      "  2    bad usage (unknown option, missing FILE or option value, wrong --invoke ARGS; a\n"
      "       component without --invoke)\n"
      "  134  the guest trapped (`error: wasm trap: ...` and its wasm backtrace on stderr); with\n"
      "       -S threads, in whichever thread trapped first\n",
      out);
}

// HOST[::GUEST[:ro]] -> preopen.
wasi::PreopenSpec parse_dir(const std::string& spec, bool readonly) {
  wasi::PreopenSpec p;
  size_t sep = spec.find("::");
  if (sep == std::string::npos) {
    p.host_path = spec;
    p.guest_path = spec;
  } else {
    p.host_path = spec.substr(0, sep);
    p.guest_path = spec.substr(sep + 2);
    if (p.guest_path.size() >= 3 && p.guest_path.compare(p.guest_path.size() - 3, 3, ":ro") == 0) {
      p.guest_path.resize(p.guest_path.size() - 3);
      readonly = true;
    }
  }
  p.readonly = readonly;
  return p;
}

void set_env(std::vector<std::string>& env, const std::string& entry) {
  size_t eq = entry.find('=');
  std::string name = entry.substr(0, eq);
  for (auto& e : env) {
    if (e.compare(0, name.size() + 1, name + "=") == 0) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

struct RunOptions {
  std::string file;
  std::string invoke;
  std::vector<std::string> args;
  wasi::WasiConfig wasi;
  std::vector<std::string> env_flags;
  bool inherit_env = false;
  std::optional<uint64_t> fuel;
  std::optional<uint64_t> timeout_ns;
  std::optional<uint64_t> max_memory;
  std::optional<bool> guard_pages;  // --bounds-checks (unset: CompileOptions' default)
  bool native = false;              // --tier native|auto
  bool native_background = false;   // --tier auto
  bool baseline = false;            // --tier baseline
  bool tier_given = false;          // --tier (else: auto where there is a native tier)
  uint8_t opt_level = kMaxNativeOptLevel;  // --opt-level
  std::optional<uint64_t> max_table_elements;
  std::optional<uint32_t> max_instances;
  std::optional<uint64_t> max_wasm_stack;
  ComponentWasi sockets;  // -S grants (WASI 0.2 components)
  bool threads = false;   // -S threads: wasi-threads for modules
  WasmFeatures features;  // -W FEATURE=y|n
};

// The interpreter's value stack: below 8 KiB not even small programs run, and the whole
// budget is allocated (lazily committed) per store, so it is capped at 1 GiB.
constexpr uint64_t kMinWasmStack = 8 << 10;
constexpr uint64_t kMaxWasmStack = 1 << 30;

// "500ms" / "2s" -> nanoseconds.
std::optional<uint64_t> parse_duration(const std::string& v) {
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  if (i == 0 || i > 12) return std::nullopt;
  uint64_t n = std::strtoull(v.substr(0, i).c_str(), nullptr, 10);
  std::string unit = v.substr(i);
  if (unit == "ms") return n * 1'000'000;
  if (unit == "s") return n * 1'000'000'000;
  return std::nullopt;
}

std::optional<uint64_t> parse_u64(const std::string& v) {
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::strtoull(v.c_str(), nullptr, 10);
}

// "64MiB" / "65536" / "1G" -> bytes.
std::optional<uint64_t> parse_size(const std::string& v) {
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  auto n = parse_u64(v.substr(0, i));
  if (!n) return std::nullopt;
  std::string unit = v.substr(i);
  uint64_t mul = 0;
  if (unit.empty() || unit == "B")
    mul = 1;
  else if (unit == "K" || unit == "KiB" || unit == "k")
    mul = 1ull << 10;
  else if (unit == "M" || unit == "MiB")
    mul = 1ull << 20;
  else if (unit == "G" || unit == "GiB")
    mul = 1ull << 30;
  if (mul == 0 || *n > UINT64_MAX / mul) return std::nullopt;
  return *n * mul;
}

// Whether KEY is a sandbox setting of `-W KEY=VALUE` (set_limit).
bool is_limit_key(const std::string& key) {
  return key == "fuel" || key == "timeout" || key == "max-memory-size" || key == "max-memory" ||
         key == "max-table-elements" || key == "max-instances" || key == "max-wasm-stack";
}

// One sandbox setting (--fuel/-W fuel=...); false after printing an error.
bool set_limit(RunOptions* o, const std::string& key, const std::string& v) {
  if (key == "fuel") {
    o->fuel = parse_u64(v);
    if (!o->fuel) std::fprintf(stderr, "error: fuel: '%s' is not a number\n", v.c_str());
    return o->fuel.has_value();
  }
  if (key == "timeout") {
    o->timeout_ns = parse_duration(v);
    if (!o->timeout_ns)
      std::fprintf(stderr, "error: timeout: '%s' is not a duration like 500ms or 2s\n", v.c_str());
    return o->timeout_ns.has_value();
  }
  if (key == "max-memory-size" || key == "max-memory") {
    o->max_memory = parse_size(v);
    if (!o->max_memory)
      std::fprintf(stderr, "error: %s: '%s' is not a size like 65536 or 64MiB\n", key.c_str(),
                   v.c_str());
    return o->max_memory.has_value();
  }
  if (key == "max-table-elements") {
    o->max_table_elements = parse_u64(v);
    if (!o->max_table_elements)
      std::fprintf(stderr, "error: %s: '%s' is not a number of elements\n", key.c_str(), v.c_str());
    return o->max_table_elements.has_value();
  }
  if (key == "max-instances") {
    auto n = parse_u64(v);
    if (!n || *n > UINT32_MAX) {
      std::fprintf(stderr, "error: %s: '%s' is not a number from 0 to %u\n", key.c_str(), v.c_str(),
                   UINT32_MAX);
      return false;
    }
    o->max_instances = static_cast<uint32_t>(*n);
    return true;
  }
  if (key == "max-wasm-stack") {
    auto n = parse_size(v);
    if (!n) {
      std::fprintf(stderr, "error: %s: '%s' is not a size like 65536 or 1MiB\n", key.c_str(),
                   v.c_str());
      return false;
    }
    if (*n < kMinWasmStack || *n > kMaxWasmStack) {
      std::fprintf(stderr, "error: %s: %s is out of range (8KiB to 1GiB)\n", key.c_str(),
                   v.c_str());
      return false;
    }
    o->max_wasm_stack = *n;
    return true;
  }
  std::fprintf(stderr,
               "error: unsupported -W option '%s' (supported: fuel, timeout, "
               "max-memory-size, max-table-elements, max-instances, max-wasm-stack)\n",
               key.c_str());
  return false;
}

// `-S KEY[=y|n],...`: Wasmtime's WASI switches; false after printing an error.
bool set_wasi_option(RunOptions* o, const std::string& spec) {
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string kv =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t e = kv.find('=');
    std::string key = kv.substr(0, e);
    std::string val = e == std::string::npos ? "y" : kv.substr(e + 1);
    if (key == "allow-outbound" && e != std::string::npos) {  // a URL pattern, not y/n
      o->sockets.allowed_outbound_hosts.push_back(val);
      if (comma == std::string::npos) break;
      start = comma + 1;
      continue;
    }
    bool on;
    if (val == "y" || val == "yes" || val == "true") {
      on = true;
    } else if (val == "n" || val == "no" || val == "false") {
      on = false;
    } else {
      std::fprintf(stderr, "error: -S %s: expected y or n after '='\n", kv.c_str());
      return false;
    }
    if (key == "inherit-network") {
      o->sockets.inherit_network = on;
    } else if (key == "allow-ip-name-lookup") {
      o->sockets.allow_ip_name_lookup = on;
    } else if (key == "tcp") {
      o->sockets.tcp = on;
    } else if (key == "udp") {
      o->sockets.udp = on;
    } else if (key == "inherit-env") {
      o->inherit_env = on;
    } else if (key == "threads") {
      o->threads = on;
    } else if (key == "cli" || key == "preview2" || key == "http") {
      // Always on in Hull: components get WASI 0.2, modules preview 1.
      if (!on) {
        std::fprintf(stderr, "error: -S %s=n: Hull cannot turn WASI off\n", key.c_str());
        return false;
      }
    } else {
      std::fprintf(stderr,
                   "error: -S %s: unknown WASI option (known: inherit-network, "
                   "allow-ip-name-lookup, tcp, udp, inherit-env, threads, http, "
                   "allow-outbound=URL)\n",
                   key.c_str());
      return false;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

// Parses argv; returns -1 to continue or an exit status.
int parse_options(int argc, char** argv, RunOptions* o) {
  bool options_done = false;
  auto value = [&](int& i, const std::string& a, std::string* out) {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "error: %s needs a value (see hull run --help)\n", a.c_str());
      return false;
    }
    *out = argv[++i];
    return true;
  };
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    // After FILE only `--invoke NAME` directly following it is ours (the older
    // `hull run FILE --invoke NAME ARGS` form); everything else is a guest argument.
    if (!o->file.empty()) {
      if (o->args.empty() && o->invoke.empty() && a == "--invoke") {
        if (!value(i, a, &o->invoke)) return kExitUsage;
        continue;
      }
      if (o->args.empty() && o->invoke.empty() && a.rfind("--invoke=", 0) == 0) {
        o->invoke = a.substr(9);
        continue;
      }
      o->args.push_back(a);
      continue;
    }
    if (options_done || a.empty() || a[0] != '-' || a == "-") {
      o->file = a;
      continue;
    }
    // Accept both `--opt VALUE` and `--opt=VALUE`.
    std::string name = a, val;
    bool has_val = false;
    size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      val = a.substr(eq + 1);
      has_val = true;
    }
    auto need = [&](std::string* out) {
      if (has_val) {
        *out = val;
        return true;
      }
      return value(i, name, out);
    };
    if (name == "--") {
      options_done = true;
    } else if (name == "-h" || name == "--help") {
      print_run_help(stdout);
      return 0;
    } else if (name == "--dir" || name == "--dir-ro" || name == "--mapdir") {
      std::string v;
      if (!need(&v)) return kExitUsage;
      if (v.empty()) {
        std::fprintf(stderr, "error: %s needs a directory\n", name.c_str());
        return kExitUsage;
      }
      o->wasi.preopens.push_back(parse_dir(v, name == "--dir-ro"));
    } else if (name == "--env") {
      std::string v;
      if (!need(&v)) return kExitUsage;
      o->env_flags.push_back(v);
    } else if (name == "--inherit-env") {
      o->inherit_env = true;
    } else if (name == "--tcplisten") {
      std::string v;
      if (!need(&v)) return kExitUsage;
      o->wasi.tcp_listen.push_back(v);
    } else if (name == "--invoke") {
      if (!need(&o->invoke)) return kExitUsage;
    } else if (name == "--fuel" || name == "--timeout" || name == "--max-memory" ||
               name == "--max-table-elements" || name == "--max-instances" ||
               name == "--max-wasm-stack") {
      std::string v;
      if (!need(&v)) return kExitUsage;
      if (!set_limit(o, name.substr(2), v)) return kExitUsage;
    } else if (name == "--tier") {
      std::string v;
      if (!need(&v)) return kExitUsage;
      if (!parse_tier(v, &o->native, &o->native_background, &o->baseline)) return kExitUsage;
      o->tier_given = true;
    } else if (name == "--opt-level") {
      std::string v;
      if (!need(&v) || !parse_opt_level(v, &o->opt_level)) return kExitUsage;
    } else if (name == "--bounds-checks") {
      std::string v;
      bool guard = false;
      if (!need(&v) || !parse_bounds_checks(v, &guard)) return kExitUsage;
      o->guard_pages = guard;
    } else if (name == "-S" || (a.rfind("-S", 0) == 0 && a.size() > 2)) {
      std::string v;
      if (a.size() > 2) {
        v = a.substr(2);
      } else if (!value(i, name, &v)) {
        return kExitUsage;
      }
      if (!set_wasi_option(o, v)) return kExitUsage;
    } else if (name == "-W" || (a.rfind("-W", 0) == 0 && a.size() > 2)) {
      std::string v;
      if (a.size() > 2) {
        v = a.substr(2);
      } else if (!value(i, name, &v)) {
        return kExitUsage;
      }
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string kv =
            v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        std::string error;
        const FeatureFlag flag = apply_feature_flag(kv, &o->features, &error);
        if (flag == FeatureFlag::Bad) {
          std::fprintf(stderr, "error: %s\n", error.c_str());
          return kExitUsage;
        }
        if (flag == FeatureFlag::Set) {
          if (comma == std::string::npos) break;
          start = comma + 1;
          continue;
        }
        size_t e = kv.find('=');
        if (!is_limit_key(kv.substr(0, e))) {
          std::fprintf(stderr,
                       "error: unsupported -W option '%s' (supported: fuel, timeout, "
                       "max-memory-size, max-table-elements, max-instances, max-wasm-stack; "
                       "the Wasm features %s)\n",
                       kv.substr(0, e).c_str(), known_features().c_str());
          return kExitUsage;
        }
        if (e == std::string::npos) {
          std::fprintf(stderr, "error: -W %s: expected KEY=VALUE\n", kv.c_str());
          return kExitUsage;
        }
        if (!set_limit(o, kv.substr(0, e), kv.substr(e + 1))) return kExitUsage;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else {
      std::fprintf(stderr, "error: unknown option '%s' (see hull run --help)\n", a.c_str());
      return kExitUsage;
    }
  }
  if (o->file.empty()) {
    std::fprintf(stderr, "error: no module file given (see hull run --help)\n");
    return kExitUsage;
  }
  std::vector<std::string>& env = o->wasi.env;
  if (o->inherit_env) {
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  }
  for (const std::string& f : o->env_flags) {
    if (f.find('=') != std::string::npos) {
      set_env(env, f);
    } else if (const char* v = std::getenv(f.c_str())) {
      set_env(env, f + "=" + v);
    }
  }
  o->wasi.args.push_back(o->file);
  for (const auto& s : o->args) o->wasi.args.push_back(s);
  return -1;
}

// Whether the program's end was reported: by the main thread, or by the watchdog of a threaded
// program whose main thread did not return in time (main_watchdog).
std::atomic<bool> g_reported{false};
std::thread::id g_main_thread;  // the thread running run_command

// The exit status of a program's end; prints its trap. Only the first call (of the main thread
// and the watchdog) reports; a main thread coming second waits for the watchdog's exit.
int report(const wasi::ProgramExit& end) {
  if (g_reported.exchange(true)) {
    for (;;) ::pause();
  }
  if (!end.trap) return static_cast<int>(end.code.value_or(0) & 0xff);
  std::fflush(stdout);
  std::fprintf(stderr, "error: %s\n", end.trap->to_string().c_str());
  return kExitTrap;
}

// The main thread's end (no trap: it returned). With threads (`threads` set) the program's
// end is the first of any thread's, so this one may give way: the "interrupt" of a main thread
// stopped because another trapped or called proc_exit reports that other end.
int finish(const Trap* trap, wasi::Preview1Ctx& ctx, wasi::ThreadGroup* threads) {
  wasi::ProgramExit end;
  if (!trap) {
    end.code = 0;
  } else if (wasi::is_proc_exit(*trap)) {
    std::lock_guard<std::mutex> lock(ctx.lock);  // other threads' proc_exit write it too
    end.code = ctx.state.exit_code.value_or(0);
  } else {
    end.trap = *trap;
  }
  return report(threads ? threads->end(std::move(end)) : end);
}

// Prints a trap (or turns proc_exit into its code); returns the exit status.
int finish_trap(const Trap& trap, wasi::Preview1Ctx& ctx, wasi::ThreadGroup* threads) {
  return finish(&trap, ctx, threads);
}

int invoke_export(Store& store, Instance* inst, const RunOptions& o, wasi::Preview1Ctx& ctx,
                  wasi::ThreadGroup* threads) {
  auto it = inst->exports.find(o.invoke);
  if (it == inst->exports.end() || it->second.kind != ExternKind::Func) {
    std::fprintf(stderr, "error: %s: no exported function '%s'\n", o.file.c_str(),
                 o.invoke.c_str());
    return kExitError;
  }
  Function* f = it->second.func;
  const FuncType& type = *f->type;
  if (o.args.size() != type.params.size()) {
    std::fprintf(stderr, "error: '%s' takes %zu argument(s), %zu given\n", o.invoke.c_str(),
                 type.params.size(), o.args.size());
    return kExitUsage;
  }
  std::vector<Val> vals;
  for (size_t i = 0; i < o.args.size(); ++i) {
    auto v = parse_value(type.params[i], o.args[i]);
    if (!v) {
      std::fprintf(stderr, "error: %s\n", v.error().message.c_str());
      return kExitUsage;
    }
    vals.push_back(*v);
  }
  // A WASI reactor initialises itself through `_initialize` before any other export runs.
  auto init = inst->exports.find("_initialize");
  if (init != inst->exports.end() && init->second.kind == ExternKind::Func &&
      o.invoke != "_initialize") {
    auto r = hull::invoke(store, init->second.func, {});
    if (r && r->trapped()) return finish_trap(*r->trap, ctx, threads);
  }
  auto r = hull::invoke(store, f, vals);
  if (!r) {
    std::fprintf(stderr, "error: %s\n", r.error().to_string().c_str());
    return kExitError;
  }
  if (r->trapped()) return finish_trap(*r->trap, ctx, threads);
  for (const Val& v : r->values) std::printf("%s\n", format_value(v).c_str());
  return finish(nullptr, ctx, threads);
}

// A component: WASI 0.2 from the same options, the sandbox limits as for modules.
int run_component_file(const RunOptions& o) {
  if (o.threads) {
    std::fprintf(stderr,
                 "error: %s is a component: -S threads (wasi-threads) is for core modules\n",
                 o.file.c_str());
    return kExitUsage;
  }
  if (!o.wasi.tcp_listen.empty()) {
    std::fprintf(stderr,
                 "error: %s is a component: --tcplisten hands a socket to WASI preview 1; a "
                 "WASI 0.2 component opens its own (grant it with -S inherit-network)\n",
                 o.file.c_str());
    return kExitUsage;
  }
  ComponentRunLimits limits;
  limits.wasi = o.sockets;
  limits.wasi.args = o.wasi.args;
  limits.wasi.env = o.wasi.env;
  for (const auto& p : o.wasi.preopens) {
    limits.wasi.preopens.push_back({p.host_path, p.guest_path, p.readonly});
  }
  limits.fuel = o.fuel;
  limits.timeout_ns = o.timeout_ns;
  limits.max_memory = o.max_memory;
  limits.guard_pages = o.guard_pages;
  limits.max_table_elements = o.max_table_elements;
  limits.max_instances = o.max_instances;
  limits.max_wasm_stack = o.max_wasm_stack;
  limits.features = o.features;
  limits.native_opt_level = o.opt_level;
  // As for a module: the tier asked for, else tier-up where there is a native tier.
  if (o.tier_given)
    limits.tier = o.baseline            ? api::Tier::Baseline
                  : !o.native           ? api::Tier::Interpreter
                  : o.native_background ? api::Tier::Auto
                                        : api::Tier::Native;
  else if (native_tier())
    limits.tier = api::Tier::Auto;
  return run_component(o.file, o.invoke, o.args, limits);
}

// With threads, a trap or proc_exit in another thread interrupts the main thread, which then
// reports the end and exits; but a main thread inside a blocking host call (a read from a
// terminal or pipe) only returns when that call does. So the thread that ended the program
// also starts this: if the main thread has not reported within a second, it reports and exits
// the process itself, as Wasmtime's threads do at once.
void main_watchdog(const wasi::ProgramExit& end) {
  if (std::this_thread::get_id() == g_main_thread) return;  // it is reporting already
  std::thread([end] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (g_reported.load()) return;  // the main thread is exiting
    const int status = report(end);
    std::fflush(nullptr);
    std::_Exit(status);
  }).detach();
}

// Links and runs a compiled module; `threads` receives the program's ThreadGroup with -S threads.
int run_module(const RunOptions& o, const std::shared_ptr<const CompiledModule>& mod,
               std::shared_ptr<wasi::ThreadGroup>* threads_out) {
  if (!o.threads && wasi::imports_thread_spawn(*mod)) {
    std::fprintf(stderr,
                 "error: %s: the module imports wasi::thread-spawn (wasi-threads), which is off; "
                 "enable it with `-S threads`\n",
                 o.file.c_str());
    return kExitError;
  }
  auto ctx = std::make_shared<wasi::Preview1Ctx>();
  if (auto st = wasi::init_wasi_state(o.wasi, &ctx->state); !st) {
    std::fprintf(stderr, "error: %s\n", st.error().message.c_str());
    return st.error().kind == ErrorKind::Usage ? kExitUsage : kExitError;
  }
  Store store;
  if (o.max_memory) store.limits.max_memory_bytes = *o.max_memory;
  if (o.max_table_elements) store.limits.max_table_elements = *o.max_table_elements;
  if (o.max_instances) store.limits.max_instances = *o.max_instances;
  if (o.max_wasm_stack) store.limits.max_wasm_stack_bytes = *o.max_wasm_stack;
  if (o.fuel) store.set_fuel(*o.fuel);
  Linker linker;
  wasi::define_preview1(linker, store, *ctx);
  if (o.threads) *threads_out = wasi::ThreadGroup::create(ctx, {o.fuel, main_watchdog});
  wasi::ThreadGroup* const threads = threads_out->get();
  // However this function returns, the other threads stop, and they stop using `store` before
  // it goes away (declared after it, so destroyed first).
  struct MainThread {
    wasi::ThreadGroup* group;
    Store* store;
    ~MainThread() {
      if (!group) return;
      group->end(wasi::ProgramExit{0, std::nullopt});  // keeps an earlier end
      group->remove_store(*store);
    }
  } main_thread{threads, &store};
  if (threads) {
    threads->define(linker, store);
    if (auto st = threads->define_shared_memories(linker, store, *mod); !st) {
      std::fprintf(stderr, "error: %s: shared memory: %s%s\n", o.file.c_str(),
                   st.error().to_string().c_str(),
                   st.error().message.find("max_memory_bytes") != std::string::npos
                       ? " (--max-memory)"
                       : "");
      return kExitError;
    }
  }
  // The deadline covers the start function too.
  if (o.timeout_ns) store.set_deadline_ns(*o.timeout_ns);
  auto inst = linker.instantiate(store, mod);
  if (!inst) {
    // A trap in the start function (or proc_exit from it) surfaces as Uninstantiable.
    if (ctx->state.exit_code) return static_cast<int>(*ctx->state.exit_code & 0xff);
    // A segment out of bounds or a trapping start function: reported like any other trap
    // (with the start function's backtrace).
    if (store.instantiation_trap) return finish_trap(*store.instantiation_trap, *ctx, threads);
    const std::string& msg = inst.error().message;
    const char* hint =
        inst.error().kind == ErrorKind::Unlinkable
            ? (threads ? " (hull run provides the wasi_snapshot_preview1 functions, "
                         "wasi::thread-spawn and imported shared memories only)"
                       : " (hull run provides the wasi_snapshot_preview1 functions only)")
        : msg.find("max_memory_bytes") != std::string::npos   ? " (--max-memory)"
        : msg.find("max_table_elements") != std::string::npos ? " (--max-table-elements)"
        : msg.find("max_instances") != std::string::npos      ? " (--max-instances)"
                                                              : "";
    std::fprintf(stderr, "error: %s: %s%s\n", o.file.c_str(), inst.error().to_string().c_str(),
                 hint);
    return kExitError;
  }
  ctx->instance = *inst;
  if (!o.invoke.empty()) return invoke_export(store, *inst, o, *ctx, threads);

  auto start = (*inst)->exports.find("_start");
  if (start == (*inst)->exports.end() || start->second.kind != ExternKind::Func) {
    if (!o.args.empty()) {
      std::fprintf(stderr, "error: %s: no `_start` to pass arguments to (use --invoke NAME)\n",
                   o.file.c_str());
      return kExitUsage;
    }
    return 0;  // instantiation (and the start function) ran
  }
  auto r = hull::invoke(store, start->second.func, {});
  if (!r) {
    std::fprintf(stderr, "error: %s\n", r.error().to_string().c_str());
    return kExitError;
  }
  std::fflush(stdout);
  return finish(r->trapped() ? &*r->trap : nullptr, *ctx, threads);
}

// Replaces this process with `hull-native run ARGS` when hull-native is in this executable's
// directory (plain `hull` cannot load machine code); returns if it is not there.
void exec_hull_native(int argc, char** argv) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = 0;
  std::string path(self);
  path = path.substr(0, path.rfind('/') + 1) + "hull-native";
  if (access(path.c_str(), X_OK) != 0) return;
  std::vector<char*> args{path.data(), const_cast<char*>("run")};
  for (int i = 0; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  std::fflush(nullptr);
  execv(path.c_str(), args.data());
}

}  // namespace

int run_command(int argc, char** argv) {
  // A guest writing to a closed pipe gets the `pipe` errno, as natively with SIGPIPE ignored,
  // instead of the signal killing Hull.
  std::signal(SIGPIPE, SIG_IGN);
  g_main_thread = std::this_thread::get_id();
  RunOptions o;
  int status = parse_options(argc, argv, &o);
  if (status >= 0) return status;
  if (is_component_file(o.file)) return run_component_file(o);

  auto bytes = read_module_bytes(o.file);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().message.c_str());
    return kExitError;
  }
  CompileOptions copts;
  copts.fuel = o.fuel.has_value();
  // Threads are stopped through the deadline check points (wasi/preview1/threads.h).
  copts.epochs = o.timeout_ns.has_value() || o.threads;
  if (o.guard_pages) copts.guard_pages = *o.guard_pages;
  copts.features = o.features.core;
  copts.native = o.native;
  copts.native_background = o.native_background;
  copts.baseline = o.baseline;
  copts.native_opt_level = o.opt_level;
  // A precompiled module brings its machine code (`hull-native compile`); an executable
  // without the native tier hands it to the hull-native beside it.
  const bool precompiled = is_precompiled(*bytes);
  if (!o.tier_given && native_tier() && !precompiled) {
    // hull-native: tier-up by default. The counting costs code while it runs interpreted 0-6 %
    // (bench/native/tier_up.sh), and what runs hot long enough runs as machine code.
    copts.native = true;
    copts.native_background = true;
  }
  if (precompiled && !native_tier()) exec_hull_native(argc, argv);
  auto mod = precompiled ? load_precompiled(*bytes, copts) : compile(*bytes, copts);
  if (!mod && precompiled) {
    std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), mod.error().to_string().c_str());
    return kExitError;
  }
  if (!mod) {
    std::fprintf(stderr, "error: %s: %s module: %s\n", o.file.c_str(),
                 error_kind_name(mod.error().kind), mod.error().to_string().c_str());
    return kExitError;
  }
  std::shared_ptr<wasi::ThreadGroup> threads;
  status = run_module(o, *mod, &threads);
  if (threads && threads->spawned() > 0) {
    // Other threads may still be running (until their next check point, or for as long as a
    // blocking host call lasts): like Wasmtime, the process does not wait for them, and exits
    // without the static destructors they could race with.
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}

}  // namespace hull::cli
