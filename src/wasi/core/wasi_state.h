// The ABI-independent WASI state of one guest: arguments, environment, fd table, exit status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "wasi/core/fd_table.h"
#include "wasi/core/reactor.h"

namespace hull::wasi {

struct PreopenSpec {
  std::string host_path;
  std::string guest_path;
  bool readonly = false;
};

struct WasiConfig {
  std::vector<std::string> args;  // argv, argv[0] included
  std::vector<std::string> env;   // "NAME=VALUE"
  std::vector<PreopenSpec> preopens;
  std::vector<std::string> tcp_listen;  // "ADDR:PORT"
};

struct WasiState {
  std::vector<std::string> args;
  std::vector<std::string> env;
  FdTable fds;
  Reactor reactor;  // blocking reads and poll_oneoff wait here
  std::optional<uint32_t> exit_code;  // set by proc_exit
};

// Builds the state: stdio on 0-2 (the host's own, as stream fds), then each preopen (opened
// now; a missing or non-directory host path is an Io error naming it), then each listening
// socket.
Status init_wasi_state(const WasiConfig& config, WasiState* state);

}  // namespace hull::wasi
