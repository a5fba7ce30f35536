// Memory for the baseline tier's machine code: one reservation per process, placed near Hull's
// own code when the system allows, so that the stencils' 32-bit relative references to Hull's
// functions and data (set_trap, the epoch) reach them directly. Regions are written while
// private and read-write, then made read-execute before anything runs them (never both).
// Private to src/baseline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/result.h"

namespace hull::baseline {

// A region of machine code; returns its pages to the reservation when destroyed.
class CodeRegion {
 public:
  CodeRegion(uint8_t* base, size_t size) : base_(base), size_(size) {}
  ~CodeRegion();
  CodeRegion(const CodeRegion&) = delete;
  CodeRegion& operator=(const CodeRegion&) = delete;
  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }
  // Makes the region read-execute; false if the system refused.
  bool seal();

 private:
  uint8_t* base_;
  size_t size_;
};

// A read-write region of at least `bytes` (whole pages), or an error when the reservation is
// full or cannot be made.
Result<std::unique_ptr<CodeRegion>> allocate_code(size_t bytes);

// The size of the reservation all code regions come from.
size_t code_reservation();

// Whether `target` is reachable with a 32-bit displacement from anywhere in the reservation.
bool reachable_from_code(uintptr_t target);

}  // namespace hull::baseline
