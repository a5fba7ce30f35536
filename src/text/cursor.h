// Token cursor shared by the module and script parsers: peeking, matching keywords, errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "text/lexer.h"
#include "text/literals.h"

namespace hull::text {

class Cursor {
 public:
  explicit Cursor(const TokenList& tl) : toks_(tl.tokens), annotations_(tl.annotations) {}

  // The known annotations of the token list (lexer.h), by position.
  const std::vector<Annotation>& annotations() const { return annotations_; }

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  const Token& peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  // The token at index I (the Eof token past the end).
  const Token& peek_at(size_t i) const { return i < toks_.size() ? toks_[i] : toks_.back(); }
  const Token& next() {
    const Token& t = peek();
    if (pos_ + 1 < toks_.size()) ++pos_;
    else pos_ = toks_.size() - 1;
    return t;
  }
  bool at(Tok k) const { return peek().kind == k; }
  bool at_atom(std::string_view kw) const {
    return peek().kind == Tok::Atom && peek().text == kw;
  }
  // '(' followed by the keyword `kw`.
  bool at_paren(std::string_view kw) const {
    return peek().kind == Tok::LParen && peek(1).kind == Tok::Atom && peek(1).text == kw;
  }
  // An index: $id or a natural number.
  bool at_index() const {
    const Token& t = peek();
    return t.kind == Tok::Id ||
           (t.kind == Tok::Atom && !t.text.empty() && t.text[0] >= '0' && t.text[0] <= '9');
  }
  bool at_nat() const {
    const Token& t = peek();
    return t.kind == Tok::Atom && !t.text.empty() && t.text[0] >= '0' && t.text[0] <= '9';
  }

  Error error_at(const Token& t, std::string msg) const {
    return Error::at_text(ErrorKind::Malformed, std::move(msg), t.line, t.col);
  }
  Error error(std::string msg) const { return error_at(peek(), std::move(msg)); }
  // The error for an unexpected token here: "unknown operator" for a stray keyword,
  // else "unexpected token".
  Error unexpected() const {
    return error(peek().kind == Tok::Atom && !looks_numeric(peek().text) ? "unknown operator"
                                                                         : "unexpected token");
  }

  Status expect(Tok k) {
    if (!at(k)) return unexpected();
    next();
    return {};
  }
  Status expect_lparen_kw(std::string_view kw) {
    if (!at_paren(kw)) return unexpected();
    pos_ += 2;
    return {};
  }
  Result<std::string_view> expect_string() {
    if (!at(Tok::String)) return unexpected();
    return next().text;
  }
  // Skips one token or one balanced s-expression (iteratively).
  void skip_sexpr() {
    if (!at(Tok::LParen)) {
      next();
      return;
    }
    size_t depth = 0;
    do {
      const Token& t = next();
      if (t.kind == Tok::LParen) ++depth;
      else if (t.kind == Tok::RParen) --depth;
      else if (t.kind == Tok::Eof) return;
    } while (depth > 0);
  }

 private:
  const std::vector<Token>& toks_;
  const std::vector<Annotation>& annotations_;
  size_t pos_ = 0;
};

}  // namespace hull::text
