// Fuzz target: bytes a client might send `hull serve`, through the front end's request parsing
// (Beast's parser with the server's header and body limits, then the HttpRequest the handler
// sees), pipelined requests one after another. Must never crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/request_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small limits so the fuzzer reaches the limit paths too.
  for (int i = 0; i < 16 && !bytes.empty(); ++i) {
    auto r = hull::server::parse_request(bytes, 4096, 64 << 10);
    if (r.kind != hull::server::ParsedRequest::Kind::complete || r.consumed == 0) break;
    // What the handler reads: every header, the target, the body.
    size_t total = r.request.target.size() + r.request.body.size();
    for (const auto& [n, v] : r.request.headers) total += n.size() + v.size();
    if (total > size + 64) __builtin_trap();  // a request can never hold more than was sent
    bytes.remove_prefix(r.consumed);
  }
  return 0;
}
