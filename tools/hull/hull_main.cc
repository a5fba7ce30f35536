// `hull`: the interpreter-only executable (static, fast to start).
#include "commands.h"

int main(int argc, char** argv) { return hull::cli::main(argc, argv); }
