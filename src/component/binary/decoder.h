// The component binary decoder: a component binary (Binary.md) -> ComponentDesc (ast.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"
#include "component/binary/ast.h"

namespace hull::component {

// Nesting limit shared by every recursive production (nested components, component and
// instance types, core module types): deeper input is malformed ("nesting too deep"), so
// hostile input cannot exhaust the native stack.
constexpr int kMaxNestingDepth = 100;
// Implementation limit on the items one decode creates (definitions, types, declarators and
// module-type declarations, over all nested components): a one-byte type becomes a ~250-byte
// TypeDef, so this bounds memory (as wasmparser's 1,000,000-entry index-space limits do).
// More is ErrorKind::Limit "too many definitions".
constexpr size_t kMaxItems = 1'000'000;

// Decodes a whole component binary, copying `bytes` into ComponentDesc::bytes. Every section
// and production of Binary.md is decoded; embedded core modules are decoded with
// hull::decode_module. Errors are Error::malformed(reason, absolute byte offset) worded as
// wasmparser words them (the component testsuite's assert_malformed texts), e.g.
// "unexpected end-of-file", "invalid leading byte (0x62) for component defined type".
// A malformed component-name section is ignored, never an error. Past kMaxNestingDepth or
// kMaxItems the error is ErrorKind::Limit.
Result<std::shared_ptr<ComponentDesc>> decode_component(std::span<const uint8_t> bytes);

// Whether BYTES start with a component preamble: magic "\0asm", version 0x0d 0x00, layer
// 0x01 0x00 (a core module has version 1, layer 0).
bool is_component(std::span<const uint8_t> bytes);

}  // namespace hull::component
