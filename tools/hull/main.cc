// The `hull` command line: dispatches to the subcommands (hull_main.cc and hull-native's
// native_main.cc call it).
#include <cstdio>
#include <cstring>
#include <string_view>

#include "commands.h"

namespace {

void print_usage(FILE* out) {
  std::fputs(
      "usage: hull <command> [options] [args]\n"
      "\n"
      "commands:\n"
      "  run [OPTIONS] FILE.wasm|FILE.wat [ARGS...]   run a WASI command, or an export with\n"
      "                                               --invoke NAME (a component's with\n"
      "                                               --invoke 'NAME(WAVE ARGS)')\n"
      "  wast FILE.wast...                            run spec or component test scripts\n"
      "  inspect [--json] FILE.wasm|FILE.wat          show what a module imports, exports and\n"
      "                                               declares (a component's world as WIT),\n"
      "                                               and whether it validates\n"
      "  bindgen cpp WIT --world W -o DIR             typed C++ host bindings for a WIT world\n"
      "  compile FILE.wasm -o FILE.hullc              compile to machine code ahead of time\n"
      "                                               (hull-native; run FILE.hullc with it)\n"
      "  serve [OPTIONS] COMPONENT                    serve a wasi:http component over HTTP\n"
      "  help                                         show this text\n"
      "\n"
      "`hull <command> --help` shows a command's options.\n",
      out);
}

}  // namespace

int hull::cli::main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "run") return hull::cli::run_command(argc - 2, argv + 2);
  if (cmd == "wast") return hull::cli::wast_command(argc - 2, argv + 2);
  if (cmd == "inspect") return hull::cli::inspect_command(argc - 2, argv + 2);
  if (cmd == "bindgen") return hull::cli::bindgen_command(argc - 2, argv + 2);
  if (cmd == "compile") return hull::cli::compile_command(argc - 2, argv + 2);
  if (cmd == "serve") return hull::cli::serve_command(argc - 2, argv + 2);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    print_usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "error: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return 2;
}
