// Reading whole files for the CLI.
#include "file_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

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

}  // namespace hull::cli
