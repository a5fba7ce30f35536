// wasi:sockets — not defined yet: a component importing any wasi:sockets interface is refused
// at link time, naming the import.
#include "wasi/p2/host.h"

namespace hull::wasi::p2 {

api::Result<void> add_sockets(cm::Linker&, const Types&) { return {}; }

}  // namespace hull::wasi::p2
