// Loads the measurement plugin (llvm_plugin.cc) with dlopen, as the runtime would load a native
// tier, and reports the load time and the compile times of 1 and 1000 functions.
#include <dlfcn.h>

#include <chrono>
#include <cstdio>
int main(int argc, char** argv) {
  auto t0 = std::chrono::steady_clock::now();
  void* h = dlopen(argc > 1 ? argv[1] : "./libplugin.so", RTLD_NOW | RTLD_LOCAL);
  auto t1 = std::chrono::steady_clock::now();
  if (!h) {
    std::puts(dlerror());
    return 1;
  }
  std::fprintf(stderr, "dlopen of the plugin: %.2f ms\n",
               std::chrono::duration<double, std::milli>(t1 - t0).count());
  auto make = (void* (*)(int))dlsym(h, "make_add");
  auto add = (int (*)(int, int))make(1);
  make(1000);
  std::fprintf(stderr, "add0(2, 3) = %d\n", add(2, 3));
  return add(2, 3) == 5 ? 0 : 1;
}
