// Internal to the TOML reader (toml.h): the cursor over the document text and the lexers of
// scalar tokens (strings, keys, numbers, booleans, dates and times). Each lexer starts at the
// token's first character and leaves the cursor just after it; trailing junk is the caller's to
// report. The text is known to be valid UTF-8 (checked before lexing).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "serve/toml.h"

namespace hull::serve::toml::detail {

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool eof() const { return i_ >= text_.size(); }
  // The byte `ahead` bytes on, or 0 past the end (a NUL byte in the text is a control
  // character, rejected wherever it is seen, so 0 never passes for a valid character).
  char peek(size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : 0; }
  bool at_end_or(char c) const { return eof() || peek() == c; }
  bool starts_with(std::string_view s) const { return text_.substr(i_).starts_with(s); }
  Position pos() const { return {line_, column_}; }
  size_t offset() const { return i_; }

  void advance() {
    if (eof()) return;
    unsigned char c = static_cast<unsigned char>(text_[i_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;  // continuation bytes belong to the character already counted
    }
  }
  void advance(size_t n) {
    for (size_t k = 0; k < n; ++k) advance();
  }
  // The whole UTF-8 sequence of the character at the cursor.
  std::string_view current_char() const;
  void advance_char() { advance(current_char().size()); }

 private:
  std::string_view text_;
  size_t i_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

Error error_at(Position at, std::string reason, ErrorKind kind = ErrorKind::Malformed);

// "the end of the document", "a newline", "'x'", "U+0007" — what was found where something
// else was expected.
std::string describe_char(const Cursor& c);

// Control characters TOML forbids in strings and comments (all but tab; newlines are handled
// by the callers that allow them).
bool is_forbidden_control(unsigned char c);
bool is_bare_key_char(char c);
bool is_digit(char c);

// The offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF are invalid), or npos.
size_t find_invalid_utf8(std::string_view text);

// A single-line key: bare (A-Z a-z 0-9 _ -), "basic" or 'literal'.
Result<std::string> lex_simple_key(Cursor& c);
// Any of the four string forms, by the quotes at the cursor.
Result<Value> lex_string(Cursor& c);
// true / false.
Result<Value> lex_boolean(Cursor& c);
// Integers, floats (inf and nan too), dates and times; the cursor is at a digit or sign, or at
// the 'i' / 'n' of inf / nan.
Result<Value> lex_number_or_date_time(Cursor& c);

}  // namespace hull::serve::toml::detail
