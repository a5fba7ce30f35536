// WASI 0.2 for components: the host side of every wasi:cli, wasi:io, wasi:clocks,
// wasi:random, wasi:filesystem, wasi:sockets and wasi:http (types, outgoing-handler) interface,
// added to a component Linker once and given per-store state (arguments, environment,
// preopened directories, stdio, network grants, outbound HTTP hosts). A guest gets nothing it
// is not granted: no directory but the preopens, no network unless allowed. See
// docs/EMBEDDING.md, "WASI 0.2"; hull/wasi_http.hh hands requests to wasi:http handlers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hull/component.hh"

namespace hull::api::wasi {

struct Preopen {
  std::string host_path;   // an existing host directory
  std::string guest_path;  // the name the guest sees it under ("/", "data", ...)
  bool readonly = false;   // no writes, no directory changes through it
};

// One store's WASI configuration.
struct Config {
  std::vector<std::string> args;  // what wasi:cli/environment get-arguments returns
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<Preopen> preopens;
  std::optional<std::string> initial_cwd;

  // Standard input: the host's (inherit) or these bytes (then end of stream). Standard
  // output and error: the host's, or appended to the given strings when set.
  bool inherit_stdin = true;
  std::string stdin_bytes;
  std::shared_ptr<std::string> stdout_capture, stderr_capture;

  // Sockets (wasi:sockets): nothing unless granted. `inherit_network` lets the guest bind and
  // connect anywhere the host can; tcp/udp switch the protocols off even then; name lookup is
  // its own grant (Wasmtime's -S inherit-network, -S tcp, -S udp, -S allow-ip-name-lookup).
  bool inherit_network = false;
  bool allow_tcp = true;
  bool allow_udp = true;
  bool allow_ip_name_lookup = false;

  // wasi:http/outgoing-handler: the hosts a guest may send requests to, in Spin's
  // allowed_outbound_hosts syntax ("http://127.0.0.1:8080", "http://*.example.com",
  // "*://localhost:*"; no port means the scheme's default). Empty: every request is denied
  // (error-code HTTP-request-denied). https is not supported yet.
  std::vector<std::string> allowed_outbound_hosts;
};

// Defines every WASI 0.2 interface (version 0.2.12; imports of any 0.2.x bind to it) in
// `linker`. Host functions find their state through the calling store (attach below).
Result<void> add_to_linker(component::Linker& linker);

// Gives `store` its WASI state: opens the preopens now (an Io error names a missing or
// non-directory host path). Replaces earlier state.
Result<void> attach(Store& store, const Config& config);

// The status a guest passed to wasi:cli/exit (exit(ok) = 0, exit(err) = 1,
// exit-with-code(n) = n), if it called it. A call that ends with such an exit returns an
// error holding a trap; this tells the two apart.
std::optional<int> exit_status(const Store& store);

}  // namespace hull::api::wasi
