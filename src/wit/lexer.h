// WIT lexer: turns one source file into tokens (WIT.md "Lexical structure"). Comments and
// whitespace are dropped, except doc comments (`///`, `/** */`), which are attached to the
// token that follows them so the parser can keep them on the item they document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hull::wit {

enum class TokenKind : uint8_t {
  Id,       // an identifier (text without the `%` escape); `keyword` says if it is reserved
  Integer,  // [0-9]+
  Version,  // a semver such as 0.2.12 or 1.0.0-rc.1+build
  String,   // "..." (text holds the decoded value)
  Equals,
  Comma,
  Colon,
  Semicolon,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LAngle,
  RAngle,
  Star,
  Arrow,
  Slash,
  Dot,
  At,
  Underscore,  // `_` (only meaningful in result<_, E>)
  End,
};
const char* to_string(TokenKind k);

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  uint32_t line = 0, column = 0;
  bool escaped = false;       // Id written with a leading `%`
  bool keyword = false;       // Id that is a WIT keyword (never when escaped)
  bool space_before = false;  // whitespace or a comment separates it from the previous token
  std::string docs;           // doc comments immediately before the token
};

// Whether `name` is a valid WIT identifier body: kebab-case segments, each starting with a
// letter and either all lowercase or all uppercase (digits allowed after the first letter).
bool is_valid_identifier(std::string_view name);
bool is_keyword(std::string_view name);

// Splits `text` into tokens (the last is End). An error names line:column in `file`.
Result<std::vector<Token>> lex(std::string_view text, std::string_view file);

}  // namespace hull::wit
