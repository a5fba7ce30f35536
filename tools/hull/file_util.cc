// Reading whole files and module files for the CLI.
#include "file_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "binary/decoder.h"
#include "engine/precompiled.h"
#include "text/wat.h"

namespace hull::cli {

Result<std::string> read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error::make(ErrorKind::Io, path + ": " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  bool failed = std::ferror(f);
  int err = errno;
  std::fclose(f);
  if (failed) return Error::make(ErrorKind::Io, path + ": " + std::strerror(err));
  return data;
}

Result<std::vector<uint8_t>> read_module_bytes(const std::string& path) {
  HULL_ASSIGN_OR_RETURN(std::string data, read_file(path));
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  if (has_wasm_magic({p, data.size()}) || is_precompiled({p, data.size()}))
    return std::vector<uint8_t>(p, p + data.size());
  auto enc = text::wat_to_binary(data);
  if (!enc) {
    return Error::make(enc.error().kind,
                       path + ": not a wasm module (binary or text): " + enc.error().to_string());
  }
  return std::move(*enc);
}

}  // namespace hull::cli
