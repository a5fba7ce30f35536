// Test helper: encodes a text component with hull::text::component_to_binary (stdout or -o
// FILE); --no-names drops the core modules' name sections (for byte comparisons).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "text/component.h"

int main(int argc, char** argv) {
  std::string in_path, out_path;
  hull::text::WatOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-names")
      opts.name_section = false;
    else if (a == "-o" && i + 1 < argc)
      out_path = argv[++i];
    else
      in_path = a;
  }
  if (in_path.empty()) {
    std::fprintf(stderr, "usage: hull_component2bin FILE.wat [--no-names] [-o OUT.wasm]\n");
    return 2;
  }
  std::ifstream in(in_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = hull::text::component_to_binary(ss.str(), opts);
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", in_path.c_str(), r.error().to_string().c_str());
    return 1;
  }
  FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "wb");
  if (!out) return 2;
  std::fwrite(r->data(), 1, r->size(), out);
  if (out != stdout) std::fclose(out);
  return 0;
}
