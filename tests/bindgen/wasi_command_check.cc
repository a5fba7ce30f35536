// Bindings for WASI 0.2's wasi:cli/command world, generated at build time: the header compiling
// under -Wall -Wextra -Werror is most of the test (resources such as wasi:io/poll's pollable are
// passed by functions of other interfaces, which share one table per resource). At run time:
// the shared tables are one HostResources struct, filled as interfaces are registered.
#include <cstdio>
#include <type_traits>

#include "command.hh"

int main() {
  command::HostResources resources;
  static_assert(std::is_same_v<decltype(resources.wasi_io_poll_pollable)::value_type,
                               hull::api::component::Resource<command::wasi::io::poll::Pollable>>);
  if (resources.wasi_io_poll_pollable) {
    std::puts("FAIL: tables are defined only by add_to_linker");
    return 1;
  }
  std::puts("wasi:cli/command bindings: ok");
  return 0;
}
