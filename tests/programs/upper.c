/* upper: a stdin-to-stdout filter that upper-cases ASCII letters and passes other bytes through. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  static char buf[4096];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "upper: read: %s\n", strerror(errno));
      return 1;
    }
    for (ssize_t i = 0; i < n; i++)
      if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 'a' + 'A');
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "upper: write: %s\n", strerror(errno));
        return 1;
      }
      off += w;
    }
  }
}
