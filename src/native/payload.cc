#include "native/payload.h"

#include <set>
#include <sstream>

#include "engine/precompiled.h"

namespace hull::native {

std::vector<uint8_t> write_payload(const CodePayload& p) {
  ImageWriter w;
  w.str(p.llvm_version);
  w.str(p.cpu);
  w.str(p.features);
  w.u32(static_cast<uint32_t>(p.interpreted_because.size()));
  for (const std::string& r : p.interpreted_because) w.str(r);
  w.bytes(p.object);
  return std::move(w.out());
}

Result<CodePayload> parse_payload(std::span<const uint8_t> bytes, size_t base_offset) {
  CodePayload p;
  ImageReader r(bytes, base_offset);
  uint32_t n = 0;
  if (!r.str(&p.llvm_version, "the LLVM version") || !r.str(&p.cpu, "the CPU") ||
      !r.str(&p.features, "the CPU features") || !r.u32(&n, "the function count"))
    return r.error();
  // Each entry takes 8 bytes at least: a count beyond that is damage, not a huge allocation.
  if (n > bytes.size() / 8)
    return Error::malformed("precompiled code lists more functions than it has room for",
                            base_offset + r.pos() - 4);
  p.interpreted_because.resize(n);
  for (std::string& s : p.interpreted_because)
    if (!r.str(&s, "the function list")) return r.error();
  if (!r.bytes(&p.object, "the object code")) return r.error();
  if (!r.at_end())
    return Error::malformed("precompiled code has trailing bytes", base_offset + r.pos());
  return p;
}

std::string missing_features(const std::string& compiled_features,
                             const std::string& host_features) {
  std::set<std::string> host;
  std::stringstream hs(host_features);
  for (std::string f; std::getline(hs, f, ',');)
    if (f.size() > 1 && f[0] == '+') host.insert(f.substr(1));
  std::string missing;
  std::stringstream cs(compiled_features);
  for (std::string f; std::getline(cs, f, ',');) {
    if (f.size() < 2 || f[0] != '+' || host.count(f.substr(1))) continue;
    if (!missing.empty()) missing += ", ";
    missing += f.substr(1);
  }
  return missing;
}

}  // namespace hull::native
