/* args: prints its arguments (not argv[0], which differs between native and wasm runs) and its
 * environment sorted by name, one per line with visible delimiters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("arg[%d]=<%s>\n", i, argv[i]);
  size_t n = 0;
  while (environ && environ[n]) n++;
  char **env = malloc((n + 1) * sizeof *env);
  for (size_t i = 0; i < n; i++) env[i] = environ[i];
  qsort(env, n, sizeof *env, cmp);
  for (size_t i = 0; i < n; i++) printf("env=<%s>\n", env[i]);
  free(env);
  return argc > 1 && strcmp(argv[1], "exit7") == 0 ? 7 : 0;
}
