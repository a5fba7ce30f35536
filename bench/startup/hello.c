// Cold-start probe: the smallest useful WASI command (printf through wasi-libc).
#include <stdio.h>

int main(void) {
  printf("hello\n");
  return 0;
}
