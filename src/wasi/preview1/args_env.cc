// args_* and environ_*: NUL-terminated strings packed into a guest buffer plus a pointer array.
#include <vector>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

Errno sizes(Call& c, const std::vector<std::string>& v, uint32_t p_count, uint32_t p_size) {
  uint64_t bytes = 0;
  for (const auto& s : v) bytes += s.size() + 1;
  if (!c.mem.store<uint32_t>(p_count, static_cast<uint32_t>(v.size()))) return Errno::fault;
  if (!c.mem.store<uint32_t>(p_size, static_cast<uint32_t>(bytes))) return Errno::fault;
  return Errno::success;
}

Errno strings(Call& c, const std::vector<std::string>& v, uint32_t p_ptrs, uint32_t p_buf) {
  uint64_t bytes = 0;
  for (const auto& s : v) bytes += s.size() + 1;
  if (!c.mem.ok(p_ptrs, 4ull * v.size()) || !c.mem.ok(p_buf, bytes)) return Errno::fault;
  uint32_t at = p_buf;
  for (size_t i = 0; i < v.size(); ++i) {
    c.mem.store<uint32_t>(p_ptrs + 4 * static_cast<uint32_t>(i), at);
    uint8_t* dst = c.mem.span(at, v[i].size() + 1);
    std::memcpy(dst, v[i].data(), v[i].size());
    dst[v[i].size()] = 0;
    at += static_cast<uint32_t>(v[i].size() + 1);
  }
  return Errno::success;
}

}  // namespace

P1_FUNC(args_get) { return strings(c, c.state.args, u32(a[0]), u32(a[1])); }
P1_FUNC(args_sizes_get) { return sizes(c, c.state.args, u32(a[0]), u32(a[1])); }
P1_FUNC(environ_get) { return strings(c, c.state.env, u32(a[0]), u32(a[1])); }
P1_FUNC(environ_sizes_get) { return sizes(c, c.state.env, u32(a[0]), u32(a[1])); }

}  // namespace hull::wasi::p1
