// Host CSPRNG bytes for random_get.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wasi/core/errno.h"

namespace hull::wasi {

Errno random_fill(uint8_t* buf, size_t len);

}  // namespace hull::wasi
