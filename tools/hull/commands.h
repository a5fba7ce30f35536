// Entry points of the CLI subcommands; each returns the process exit status.
#pragma once

namespace hull::cli {

int run_command(int argc, char** argv);
int wast_command(int argc, char** argv);
int inspect_command(int argc, char** argv);
int serve_command(int argc, char** argv);
int bindgen_command(int argc, char** argv);
int compile_command(int argc, char** argv);
// The whole command line: argv[1] names the command.
int main(int argc, char** argv);

}  // namespace hull::cli
