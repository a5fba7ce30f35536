// WAVE, the WebAssembly Value Encoding (the value syntax of `wasmtime run --invoke` and of the
// wasm-wave crate): typed parsing of component values from text and printing them back.
//
//   bool true/false; integers 42, -7; floats 1.5, -2e10, nan, inf, -inf; chars 'x', '\u{1F600}';
//   strings "a\tb" and multi-line """ strings; lists [1, 2]; tuples (1, "a"); records
//   {a: 1, b: "x"} (option fields may be left out, `{:}` when all are); variants and enums by
//   case label, `case(payload)`, `%label` for a label that is a keyword; options some(3), none
//   or the bare payload; results ok(5), err("e"), ok, err or the bare ok payload; flags
//   {read, write}. `//` comments run to the end of the line.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hull/component_types.hh"
#include "hull/hull.hh"

namespace hull::component {

namespace ac = hull::api::component;

// A malformed or mistyped value is an api::Error of kind Usage naming the line/column and what
// was expected there.
api::Result<ac::Val> parse_wave(std::string_view text, const ac::Type& type);

// A comma-separated argument list for `types`; trailing `none` options may be left out.
api::Result<std::vector<ac::Val>> parse_wave_args(std::string_view text,
                                                  std::span<const ac::Type> types);

// The WAVE text of `v` (of type `t`), as wasm-wave writes it: options and results always in
// variant form, NaN as `nan`, floats as the shortest decimal that reads back the same.
std::string to_wave(const ac::Val& v, const ac::Type& t);

}  // namespace hull::component
