/* Linked into the programs that tests wrap as WASI 0.2 components: Debian's 2022 wasi-libc
 * exports no cabi_realloc, and without one jco's preview 1 adapter takes its pages with
 * memory.grow, which this libc's malloc later claims and overwrites (see
 * ../shared/docs/TOOLCHAIN.md). With it, the adapter allocates through malloc. */
#include <stdlib.h>

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *ptr, size_t old_size,
                                                                size_t align, size_t new_size) {
  (void)old_size;
  (void)align; /* malloc's 16-byte alignment covers every canonical ABI alignment */
  void *p = realloc(ptr, new_size);
  if (!p && new_size) abort();
  return p;
}
