// The message rule of `hull wast`: the reference interpreter's prefix rule, plus a short table
// of documented aliases. Hull's decoder, validator, linker and traps use the spec's words, so
// the binary format needs one alias (a flag the core suite predates); the other entries are
// about the text format, where Hull's parser reports some errors under another of the spec's
// categories than the reference interpreter does, or more precisely. A new alias needs a reason; a
// message that can simply start with the spec's text should do that instead.
#include "wast_messages.h"

#include <array>

namespace hull::cli {

namespace {

constexpr std::array kAliases = {
    // Hull names the integer type whose range the literal exceeds (and the lane type of a
    // v128.const), which says more than the spec's text.
    MessageAlias{"constant out of range", "i8 constant out of range", true,
                 "Hull names the integer type of the literal"},
    MessageAlias{"constant out of range", "i16 constant out of range", true,
                 "Hull names the integer type of the literal"},
    MessageAlias{"constant out of range", "i32 constant out of range", true,
                 "Hull names the integer type of the literal"},
    MessageAlias{"constant out of range", "i64 constant out of range", true,
                 "Hull names the integer type of the literal"},
    // The reference lexer rejects an atom that is neither a keyword nor a number (`0x`, `1x`,
    // `i32.const0`, `0drop`) as an unknown operator; Hull's lexer accepts every atom and its
    // parser rejects this one where a number or an instruction has to stand.
    MessageAlias{"unknown operator", "unexpected token", true,
                 "an atom that is neither keyword nor number (`0x`, `i32.const0`): the reference "
                 "lexer rejects it, Hull's parser rejects it where it stands"},
    // The reference parser rejects a well-formed keyword out of place (`(type $t)` after
    // `(param ...)`) as an unexpected token; Hull reads a parenthesised keyword in instruction
    // position as an instruction and reports that it knows none of that name.
    MessageAlias{"unexpected token", "unknown operator", true,
                 "a keyword out of place (`(type $t)` after `(param)`): Hull reads it as an "
                 "instruction and knows none of that name"},
    // The reference interpreter's message names the operator; Hull's gives its line and column.
    MessageAlias{"unknown operator *", "unknown operator", true,
                 "Hull's message gives the operator's line and column instead of its name"},
    // `(block (param i32) (type $t))`: the reference parser stops at the misplaced `type`,
    // Hull reads the parameters as an inline type and then rejects the type use after them.
    MessageAlias{"unexpected token", "inline function type", true,
                 "`(param)` before `(type $t)`: Hull takes the parameters for an inline type that "
                 "the type use must match"},
    // Lane indices: the reference grammar reads a lane index as an unsigned natural, so `-1`
    // is a token out of place; Hull reads any integer literal there and rejects its value.
    MessageAlias{"unexpected token", "i8 constant out of range", true,
                 "a negative lane index: the reference grammar wants a natural number, Hull "
                 "rejects the value"},
    // i8x16.shuffle lanes: the reference lexer takes `15.0` for a number and rejects its value;
    // Hull's parser wants an integer token there.
    MessageAlias{"i8 constant out of range", "unexpected token", true,
                 "a float literal as an i8x16.shuffle lane: Hull wants an integer token there"},
    // A v128.const with too few lanes whose first lane is already out of range: Hull checks each
    // literal as it reads it, before it counts them.
    MessageAlias{"wrong number of lane literals", "i32 constant out of range", true,
                 "Hull checks each lane literal as it reads it, before it counts them"},
    // Core binary.wast predates custom-page-sizes: it calls memory limits flag 0x08 malformed,
    // in an entry that ends after the flag. Hull implements the proposal (on by default), so
    // the flag is valid and the entry is cut short; the proposal's own binary.wast uses 0x10.
    MessageAlias{"malformed limits flags",
                 "unexpected end of section or function: memory limits flag 0x08", false,
                 "memory limits flag 0x08 is the custom-page-sizes flag (on in Hull): an entry "
                 "ending after it is cut short, not malformed (the core suite predates it)"},
    // `(@"\n")`: an annotation id that is a string with a line break in it. Hull's lexer
    // rejects the string (strings may not contain control characters) before it looks at the
    // annotation.
    MessageAlias{"empty annotation id", "unclosed string", true,
                 "`(@\"<line break>\")`: Hull rejects the id's string (no raw line breaks) "
                 "before it looks at the annotation"},
    // The legacy exception-handling scripts expect the reference validator's detailed form
    // ("type mismatch: block requires [] but stack has [i32]"); Hull's validator reports the
    // category and the byte offset of the instruction.
    MessageAlias{"type mismatch: *", "type mismatch", false,
                 "the reference validator adds the types; Hull's message gives the category and "
                 "the instruction's byte offset"},
};

}  // namespace

bool message_satisfies(std::string_view actual, std::string_view expected, bool text) {
  if (actual.starts_with(expected)) return true;
  for (const MessageAlias& a : kAliases) {
    if (a.text_only && !text) continue;
    const bool family = a.expected.ends_with('*');
    const bool applies = family ? expected.starts_with(a.expected.substr(0, a.expected.size() - 1))
                                : expected == a.expected;
    if (applies && actual.starts_with(a.hull)) return true;
  }
  return false;
}

std::span<const MessageAlias> message_aliases() { return kAliases; }

}  // namespace hull::cli
