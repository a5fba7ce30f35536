// Test helper: encodes a .wat file with hull::text::wat_to_binary (stdout or -o FILE).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "text/wat.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hull_wat2bin FILE.wat [-o OUT.wasm]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = hull::text::wat_to_binary(ss.str());
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], r.error().to_string().c_str());
    return 1;
  }
  FILE* out = stdout;
  if (argc >= 4 && std::string(argv[2]) == "-o") out = std::fopen(argv[3], "wb");
  if (!out) return 2;
  std::fwrite(r->data(), 1, r->size(), out);
  if (out != stdout) std::fclose(out);
  return 0;
}
