// The component paths of `hull run` and `hull inspect`: recognising a component file, loading
// it, and the run and inspect commands for it (core modules take the paths in
// run_command.cc and inspect_command.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "feature_flags.h"
#include "hull/hull.hh"

namespace hull::cli {

// Whether FILE holds a component rather than a core module: a binary with the component
// preamble, or text whose first token (after comments) is `(component`. Reads only the start
// of the file; false if it cannot be read (the core-module path reports that).
bool is_component_file(const std::string& path);

// FILE's component binary: a binary as it is, text encoded. Errors name the file (and the
// line:column of a text error).
Result<std::vector<uint8_t>> read_component_bytes(const std::string& path);

// What `hull run` grants a WASI 0.2 component.
struct ComponentWasi {
  std::vector<std::string> args;  // FILE and the guest's arguments
  std::vector<std::string> env;   // NAME=VALUE
  struct Dir {
    std::string host_path, guest_path;
    bool readonly = false;
  };
  std::vector<Dir> preopens;
  bool inherit_network = false;
  bool allow_ip_name_lookup = false;
  bool tcp = true;
  bool udp = true;
  std::vector<std::string> allowed_outbound_hosts;  // -S allow-outbound=URL (wasi:http)
};

// The sandbox settings of `hull run` that apply to components too, and WASI's grants.
struct ComponentRunLimits {
  ComponentWasi wasi;
  std::optional<uint64_t> fuel;
  std::optional<uint64_t> timeout_ns;
  std::optional<uint64_t> max_memory;
  std::optional<bool> guard_pages;
  std::optional<uint64_t> max_table_elements;
  std::optional<uint32_t> max_instances;
  std::optional<uint64_t> max_wasm_stack;
  WasmFeatures features;  // -W FEATURE=y|n
  api::Tier tier = api::Tier::Interpreter;  // --tier (hull-native's default: Auto)
  uint8_t native_opt_level = 2;             // --opt-level
};

// `hull run COMPONENT [ARGS]`: a WASI 0.2 command (wasi:cli/run) runs with WASI; with
// `--invoke 'NAME(ARGS)'` (or `--invoke NAME ARGS...`, joined as WAVE arguments) one export is
// called instead (WASI imports are satisfied then too). Returns the exit status.
int run_component(const std::string& file, const std::string& invoke,
                  const std::vector<std::string>& args, const ComponentRunLimits& limits);

// `hull inspect [--json] COMPONENT`. Returns the exit status.
int inspect_component(const std::string& file, bool json, const WasmFeatures& features = {});

}  // namespace hull::cli
