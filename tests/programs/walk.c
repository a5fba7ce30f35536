/* walk: recursively lists each directory argument (default "."): one line per entry, sorted by
 * name so the output does not depend on the host's readdir order; files get size and a hash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int errors;
static unsigned long n_files, n_dirs, n_links;

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FNV-1a over the file's bytes: proves the contents were read, not just stat'ed. */
static int hash_file(const char *path, uint32_t *out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  uint32_t h = 2166136261u;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)buf[i]) * 16777619u;
  close(fd);
  if (n < 0) return -1;
  *out = h;
  return 0;
}

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "walk: opendir %s: %s\n", dir, strerror(errno));
    errors++;
    return;
  }
  size_t count = 0, cap = 16;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  errno = 0;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (count == cap) names = realloc(names, (cap *= 2) * sizeof *names);
    names[count++] = strdup(e->d_name);
  }
  if (errno != 0) {
    fprintf(stderr, "walk: readdir %s: %s\n", dir, strerror(errno));
    errors++;
  }
  closedir(d);
  qsort(names, count, sizeof *names, cmp_names);
  for (size_t i = 0; i < count; i++) {
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    char *path = malloc(len);
    snprintf(path, len, "%s/%s", dir, names[i]);
    struct stat st;
    if (lstat(path, &st) != 0) {
      fprintf(stderr, "walk: lstat %s: %s\n", path, strerror(errno));
      errors++;
    } else if (S_ISDIR(st.st_mode)) {
      printf("%*sd %s/\n", depth * 2, "", names[i]);
      n_dirs++;
      walk(path, depth + 1);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(path, target, sizeof target - 1);
      if (n < 0) {
        fprintf(stderr, "walk: readlink %s: %s\n", path, strerror(errno));
        errors++;
        n = 0;
      }
      target[n] = '\0';
      printf("%*sl %s -> %s\n", depth * 2, "", names[i], target);
      n_links++;
    } else if (S_ISREG(st.st_mode)) {
      uint32_t h = 0;
      if (hash_file(path, &h) != 0) {
        fprintf(stderr, "walk: read %s: %s\n", path, strerror(errno));
        errors++;
      }
      printf("%*sf %s %lld %08x\n", depth * 2, "", names[i], (long long)st.st_size, h);
      n_files++;
    } else {
      printf("%*s? %s\n", depth * 2, "", names[i]);
    }
    free(path);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    walk(".", 0);
  } else {
    for (int i = 1; i < argc; i++) {
      printf("%s:\n", argv[i]);
      walk(argv[i], 1);
    }
  }
  printf("%lu dirs, %lu files, %lu symlinks, %d errors\n", n_dirs, n_files, n_links, errors);
  return errors ? 1 : 0;
}
