// WIT lexer (see lexer.h).
#include "wit/lexer.h"

#include <array>
#include <cctype>

#include "wit/diag.h"

namespace hull::wit {

namespace {

constexpr std::array<std::string_view, 42> kKeywords = {
    "as",  "async",  "bool",   "borrow",  "char",   "constructor", "enum",    "export",    "f32",
    "f64", "flags",  "from",   "func",    "future", "import",      "include", "interface", "list",
    "map", "option", "own",    "package", "record", "resource",    "result",  "s16",       "s32",
    "s64", "s8",     "static", "stream",  "string", "tuple",       "type",    "u16",       "u32",
    "u64", "u8",     "use",    "variant", "with",   "world",
};

bool is_id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view file) : src_(text), file_(file) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    std::string docs;
    bool spaced = true;
    for (;;) {
      // Whitespace and comments; doc comments accumulate until the next token.
      for (;;) {
        if (at_end()) break;
        char c = peek();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          advance();
          spaced = true;
        } else if (c == '/' && peek(1) == '/') {
          bool doc = peek(2) == '/' && peek(3) != '/';
          size_t start = pos_ + 3;
          while (!at_end() && peek() != '\n') advance();
          if (doc) {
            std::string_view line = src_.substr(start, pos_ - start);
            if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            docs.append(line);
            docs.push_back('\n');
          }
          spaced = true;
        } else if (c == '/' && peek(1) == '*') {
          bool doc = peek(2) == '*' && peek(3) != '*' && peek(3) != '/';
          uint32_t line = line_, col = col_;
          size_t start = pos_ + 3;
          advance(2);
          int depth = 1;
          while (depth > 0) {
            if (at_end()) return error(line, col, "unterminated block comment");
            if (peek() == '/' && peek(1) == '*') {
              advance(2);
              ++depth;
            } else if (peek() == '*' && peek(1) == '/') {
              advance(2);
              --depth;
            } else {
              advance();
            }
          }
          if (doc) {
            docs.append(src_.substr(start, pos_ - 2 - start));
            docs.push_back('\n');
          }
          spaced = true;
        } else {
          break;
        }
      }
      Token t;
      t.line = line_;
      t.column = col_;
      t.space_before = spaced;
      spaced = false;
      if (at_end()) {
        t.kind = TokenKind::End;
        out.push_back(std::move(t));
        return out;
      }
      if (auto e = token(t)) return *e;
      t.docs = std::move(docs);
      docs.clear();
      out.push_back(std::move(t));
    }
  }

 private:
  bool at_end() const { return pos_ >= src_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && !at_end(); ++i) {
      if (src_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else if ((static_cast<unsigned char>(src_[pos_]) & 0xc0) != 0x80) {
        ++col_;  // columns count code points, not UTF-8 continuation bytes
      }
      ++pos_;
    }
  }
  Error error(uint32_t line, uint32_t col, std::string_view why) const {
    return located_error(ErrorKind::Malformed, file_, line, col, why);
  }

  // Lexes one token at the current position into `t`; an error if none starts here.
  std::optional<Error> token(Token& t) {
    char c = peek();
    auto single = [&](TokenKind k) {
      t.kind = k;
      advance();
      return std::nullopt;
    };
    switch (c) {
      case '=': return single(TokenKind::Equals);
      case ',': return single(TokenKind::Comma);
      case ':': return single(TokenKind::Colon);
      case ';': return single(TokenKind::Semicolon);
      case '(': return single(TokenKind::LParen);
      case ')': return single(TokenKind::RParen);
      case '{': return single(TokenKind::LBrace);
      case '}': return single(TokenKind::RBrace);
      case '<': return single(TokenKind::LAngle);
      case '>': return single(TokenKind::RAngle);
      case '*': return single(TokenKind::Star);
      case '/': return single(TokenKind::Slash);
      case '.': return single(TokenKind::Dot);
      case '@': return single(TokenKind::At);
      case '"': return string_literal(t);
      default: break;
    }
    if (c == '-' && peek(1) == '>') {
      t.kind = TokenKind::Arrow;
      advance(2);
      return std::nullopt;
    }
    if (c == '_' && !is_id_char(peek(1))) return single(TokenKind::Underscore);
    if (std::isdigit(static_cast<unsigned char>(c))) return number(t);
    if (c == '%' || std::isalpha(static_cast<unsigned char>(c))) return identifier(t);
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return error(line_, col_, "control character in WIT source");
    return error(line_, col_, std::string("unexpected character `") + c + "`");
  }

  std::optional<Error> identifier(Token& t) {
    if (peek() == '%') {
      t.escaped = true;
      advance();
    }
    size_t start = pos_;
    while (!at_end() && is_id_char(peek())) advance();
    t.kind = TokenKind::Id;
    t.text = std::string(src_.substr(start, pos_ - start));
    if (!is_valid_identifier(t.text)) {
      return error(t.line, t.column,
                   "`" + t.text +
                       "` is not a valid identifier: use kebab-case words, each starting with a "
                       "letter and all lowercase or all uppercase");
    }
    t.keyword = !t.escaped && is_keyword(t.text);
    return std::nullopt;
  }

  // An integer, or a semver (major.minor.patch, optional -prerelease and +build parts whose
  // dot-separated pieces are [0-9A-Za-z-]+; a trailing `.` before `{` is not part of it).
  std::optional<Error> number(Token& t) {
    size_t start = pos_;
    auto digits = [&] {
      size_t s = pos_;
      while (std::isdigit(static_cast<unsigned char>(peek()))) advance();
      return pos_ > s;
    };
    digits();
    bool version = false;
    if (peek() == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))) {
      advance();
      digits();
      if (peek() != '.' || !std::isdigit(static_cast<unsigned char>(peek(1))))
        return error(t.line, t.column, "a version needs three parts: major.minor.patch");
      advance();
      digits();
      version = true;
      for (char sep : {'-', '+'}) {
        if (peek() != sep) continue;
        advance();
        for (;;) {
          size_t s = pos_;
          while (is_id_char(peek())) advance();
          if (pos_ == s) return error(line_, col_, "empty part in version");
          if (peek() == '.' && is_id_char(peek(1))) {
            advance();
            continue;
          }
          break;
        }
      }
    }
    t.kind = version ? TokenKind::Version : TokenKind::Integer;
    t.text = std::string(src_.substr(start, pos_ - start));
    if (version) {
      // Numeric parts of major.minor.patch have no leading zeros (semver 2.0).
      size_t p = 0;
      for (int i = 0; i < 3; ++i) {
        size_t e = p;
        while (e < t.text.size() && std::isdigit(static_cast<unsigned char>(t.text[e]))) ++e;
        if (e - p > 1 && t.text[p] == '0')
          return error(t.line, t.column, "version `" + t.text + "` has a leading zero");
        p = e + 1;
      }
    }
    return std::nullopt;
  }

  std::optional<Error> string_literal(Token& t) {
    advance();
    t.kind = TokenKind::String;
    for (;;) {
      if (at_end() || peek() == '\n') return error(t.line, t.column, "unterminated string");
      char c = peek();
      if (c == '"') {
        advance();
        return std::nullopt;
      }
      if (c == '\\') {
        advance();
        char e = peek();
        advance();
        switch (e) {
          case 'n': t.text += '\n'; break;
          case 't': t.text += '\t'; break;
          case 'r': t.text += '\r'; break;
          case '"': t.text += '"'; break;
          case '\'': t.text += '\''; break;
          case '\\': t.text += '\\'; break;
          default: return error(line_, col_, "unsupported escape in string");
        }
        continue;
      }
      t.text += c;
      advance();
    }
  }

  std::string_view src_;
  std::string_view file_;
  size_t pos_ = 0;
  uint32_t line_ = 1, col_ = 1;
};

// Bidirectional overrides and other code points WIT.md forbids anywhere in a file (UTF-8).
std::optional<std::pair<uint32_t, uint32_t>> find_forbidden(std::string_view text) {
  uint32_t line = 1, col = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      col = 1;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return std::make_pair(line, col);
    // U+202A..U+202E and U+2066..U+2069 are E2 80 AA..AE and E2 81 A6..A9.
    if (c == 0xe2 && i + 2 < text.size()) {
      unsigned char b1 = static_cast<unsigned char>(text[i + 1]);
      unsigned char b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9))
        return std::make_pair(line, col);
    }
    if ((c & 0xc0) != 0x80) ++col;
  }
  return std::nullopt;
}

}  // namespace

bool is_keyword(std::string_view name) {
  for (std::string_view k : kKeywords)
    if (k == name) return true;
  return false;
}

bool is_valid_identifier(std::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  while (i <= name.size()) {
    size_t end = name.find('-', i);
    if (end == std::string_view::npos) end = name.size();
    std::string_view seg = name.substr(i, end - i);
    if (seg.empty() || !std::isalpha(static_cast<unsigned char>(seg[0]))) return false;
    bool lower = false, upper = false;
    for (char c : seg) {
      if (std::islower(static_cast<unsigned char>(c)))
        lower = true;
      else if (std::isupper(static_cast<unsigned char>(c)))
        upper = true;
      else if (!std::isdigit(static_cast<unsigned char>(c)))
        return false;
    }
    if (lower && upper) return false;
    i = end + 1;
  }
  return name.back() != '-';
}

const char* to_string(TokenKind k) {
  switch (k) {
    case TokenKind::Id: return "identifier";
    case TokenKind::Integer: return "integer";
    case TokenKind::Version: return "version";
    case TokenKind::String: return "string";
    case TokenKind::Equals: return "`=`";
    case TokenKind::Comma: return "`,`";
    case TokenKind::Colon: return "`:`";
    case TokenKind::Semicolon: return "`;`";
    case TokenKind::LParen: return "`(`";
    case TokenKind::RParen: return "`)`";
    case TokenKind::LBrace: return "`{`";
    case TokenKind::RBrace: return "`}`";
    case TokenKind::LAngle: return "`<`";
    case TokenKind::RAngle: return "`>`";
    case TokenKind::Star: return "`*`";
    case TokenKind::Arrow: return "`->`";
    case TokenKind::Slash: return "`/`";
    case TokenKind::Dot: return "`.`";
    case TokenKind::At: return "`@`";
    case TokenKind::Underscore: return "`_`";
    case TokenKind::End: return "end of file";
  }
  return "token";
}

Result<std::vector<Token>> lex(std::string_view text, std::string_view file) {
  if (auto bad = find_forbidden(text)) {
    return located_error(ErrorKind::Malformed, file, bad->first, bad->second,
                         "control character or bidirectional override in WIT source");
  }
  return Lexer(text, file).run();
}

}  // namespace hull::wit
