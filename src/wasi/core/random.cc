// random_fill: getrandom(2) until the buffer is full.
#include "wasi/core/random.h"

#include <sys/random.h>

#include <cerrno>

namespace hull::wasi {

Errno random_fill(uint8_t* buf, size_t len) {
  while (len > 0) {
    ssize_t n = getrandom(buf, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_from_host(errno);
    }
    buf += n;
    len -= static_cast<size_t>(n);
  }
  return Errno::success;
}

}  // namespace hull::wasi
