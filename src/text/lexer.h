// Lexer for the WebAssembly text format: turns WAT/WAST source into a flat token vector.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hull::text {

enum class Tok : uint8_t { LParen, RParen, Atom, Id, String, Eof };

// One token. `text` views the source for atoms and plain ids (without the '$'); quoted ids
// and strings are decoded into the token list's string storage and `text` views that copy.
struct Token {
  Tok kind = Tok::Eof;
  uint32_t line = 0;
  uint32_t col = 0;
  std::string_view text;
};

// An annotation whose meaning Hull knows (custom sections, names, branch hints: the spec's
// appendix "Custom Sections and Annotations"). Every other `(@id ...)` is dropped.
struct Annotation {
  enum class Kind : uint8_t { Custom, Name, BranchHint };
  Kind kind = Kind::Custom;
  // Where it stood: the index in `tokens` of the token after it (annotations are kept out of
  // the token stream, so a parser that does not look for them never sees them).
  size_t pos = 0;
  uint32_t line = 0;
  uint32_t col = 0;
  std::vector<Token> body;  // its tokens after the id, nested parens included
};

// "@custom" / "@name" / "@metadata.code.branch_hint", for messages.
std::string_view annotation_name(Annotation::Kind k);

struct TokenList {
  std::vector<Token> tokens;       // always ends with an Eof token
  std::deque<std::string> storage; // decoded strings (deque: stable addresses for `text`)
  std::vector<Annotation> annotations;  // ascending `pos`
};

// Maximum parenthesis nesting; deeper input is rejected up front so the recursive parser
// never runs out of stack.
constexpr uint32_t kMaxNesting = 2000;

// Tokenize `src`. Comments, whitespace and annotations `(@id ...)` are dropped from `tokens`;
// the annotations Hull knows go to `annotations`.
Result<TokenList> tokenize(std::string_view src);

// True if `s` is valid UTF-8 (no overlongs, surrogates or code points above 0x10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace hull::text
