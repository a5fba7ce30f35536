// Writes the wasm modules of the peer micro benchmarks to a directory: the generated 1 MiB and
// 10 MiB modules and the call-overhead module of bench/micro/module_gen.h.
//
// Usage: gen_modules OUT_DIR   (writes large1.wasm, large10.wasm, calls.wasm)
#include <cstdio>
#include <string>
#include <vector>

#include "module_gen.h"

namespace {

using Bytes = std::vector<uint8_t>;

bool write(const std::string& path, const Bytes& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const bool ok = write(dir + "/large1.wasm", hull::bench::make_large_module(size_t{1} << 20)) &&
                  write(dir + "/large10.wasm", hull::bench::make_large_module(size_t{10} << 20)) &&
                  write(dir + "/calls.wasm", hull::bench::make_call_module());
  if (!ok) {
    std::perror("gen_modules");
    return 1;
  }
  return 0;
}
