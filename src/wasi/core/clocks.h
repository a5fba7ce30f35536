// WASI clocks on the host: resolution and current time in nanoseconds.
#pragma once

#include <cstdint>

#include "wasi/core/errno.h"
#include "wasi/core/types.h"

namespace hull::wasi {

// inval for an unknown clock id.
Errno clock_resolution(uint32_t id, uint64_t* ns);
Errno clock_now(uint32_t id, uint64_t* ns);

}  // namespace hull::wasi
