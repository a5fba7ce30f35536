/* copy: copies SRC to DST (created or truncated) in chunks of an optional BUFSIZE, then reopens
 * both and verifies the bytes match; prints the byte count. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "copy: %s %s: %s\n", what, path, strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: copy SRC DST [BUFSIZE]\n");
    return 2;
  }
  const char *src = argv[1], *dst = argv[2];
  size_t bufsize = argc == 4 ? (size_t)strtoul(argv[3], NULL, 10) : 65536;
  if (bufsize == 0) bufsize = 1;
  char *buf = malloc(bufsize);
  int in = open(src, O_RDONLY);
  if (in < 0) return fail("open", src);
  struct stat st;
  if (fstat(in, &st) != 0) return fail("fstat", src);
  if (!S_ISREG(st.st_mode)) {
    fprintf(stderr, "copy: %s: not a regular file\n", src);
    return 1;
  }
  int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) return fail("open", dst);
  long long total = 0;
  for (;;) {
    ssize_t n = read(in, buf, bufsize);
    if (n < 0) return fail("read", src);
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0) return fail("write", dst);
      off += w;
    }
    total += n;
  }
  if (fsync(out) != 0) return fail("fsync", dst);
  if (close(out) != 0 || close(in) != 0) return fail("close", dst);
  if (total != (long long)st.st_size) {
    fprintf(stderr, "copy: copied %lld bytes but %s has %lld\n", total, src, (long long)st.st_size);
    return 1;
  }

  /* Verify through fresh descriptors, reading with pread at the end-to-start offsets. */
  struct stat dst_st;
  if (stat(dst, &dst_st) != 0) return fail("stat", dst);
  if (dst_st.st_size != st.st_size) {
    fprintf(stderr, "copy: %s has %lld bytes, expected %lld\n", dst, (long long)dst_st.st_size,
            (long long)st.st_size);
    return 1;
  }
  in = open(src, O_RDONLY);
  out = open(dst, O_RDONLY);
  if (in < 0 || out < 0) return fail("reopen", dst);
  char a[4096], b[4096];
  for (off_t off = 0; off < st.st_size; off += sizeof a) {
    ssize_t na = pread(in, a, sizeof a, off), nb = pread(out, b, sizeof b, off);
    if (na < 0 || nb < 0) return fail("pread", dst);
    if (na != nb || memcmp(a, b, (size_t)na) != 0) {
      fprintf(stderr, "copy: contents differ near offset %lld\n", (long long)off);
      return 1;
    }
  }
  close(in);
  close(out);
  printf("copied %lld bytes from %s to %s\n", total, src, dst);
  free(buf);
  return 0;
}
