// Checks of the custom sections whose meaning Hull knows beyond the name section: the code
// metadata section "metadata.code.branch_hint" (branch hinting proposal). Custom sections never
// make a module invalid (spec: an implementation must ignore a malformed one), so compilation
// does not run this; `hull wast` does for assert_malformed_custom / assert_invalid_custom.
#pragma once

#include "base/result.h"
#include "binary/module.h"

namespace hull {

// Malformed: a section's contents do not decode. Invalid: a branch hint names a function
// that is not defined in the module, functions or offsets out of order, or an offset that is
// not where an `if` or `br_if` instruction begins. Messages start with the annotation's name,
// as the reference interpreter's do ("@metadata.code.branch_hint annotation: invalid target").
// M must have passed validation.
Status check_custom_sections(const ModuleDesc& m);

}  // namespace hull
