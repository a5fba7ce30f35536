// The component paths of `hull run` and `hull inspect`: recognising a component file, loading
// it, and the run and inspect commands for it (core modules take the paths in
// run_command.cc and inspect_command.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace hull::cli {

// Whether FILE holds a component rather than a core module: a binary with the component
// preamble, or text whose first token (after comments) is `(component`. Reads only the start
// of the file; false if it cannot be read (the core-module path reports that).
bool is_component_file(const std::string& path);

// FILE's component binary: a binary as it is, text encoded. Errors name the file (and the
// line:column of a text error).
Result<std::vector<uint8_t>> read_component_bytes(const std::string& path);

// The sandbox settings of `hull run` that apply to components too.
struct ComponentRunLimits {
  std::optional<uint64_t> fuel;
  std::optional<uint64_t> timeout_ns;
  std::optional<uint64_t> max_memory;
  std::optional<bool> guard_pages;
  std::optional<uint64_t> max_table_elements;
  std::optional<uint32_t> max_instances;
  std::optional<uint64_t> max_wasm_stack;
};

// `hull run COMPONENT --invoke 'NAME(ARGS)'` (or `--invoke NAME ARGS...`, joined as WAVE
// arguments). Returns the exit status.
int run_component(const std::string& file, const std::string& invoke,
                  const std::vector<std::string>& args, const ComponentRunLimits& limits);

// `hull inspect [--json] COMPONENT`. Returns the exit status.
int inspect_component(const std::string& file, bool json);

}  // namespace hull::cli
