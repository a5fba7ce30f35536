// Lexer for the WebAssembly text format (spec "Lexical Format"): tokens, comments, annotations.
#include "text/lexer.h"

namespace hull::text {

namespace {

// idchar: printable ASCII except space, '"', ',', ';', '(', ')', '[', ']', '{', '}'.
constexpr bool is_idchar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  switch (c) {
    case '"': case ',': case ';': case '(': case ')': case '[': case ']': case '{': case '}':
      return false;
    default: return true;
  }
}

int hex_val(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t utf8_seq_len(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return n;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<TokenList> run() {
    TokenList out;
    out.tokens.reserve(src_.size() / 4 + 4);
    uint32_t depth = 0;
    // > 0 while inside an annotation: its tokens are checked but not emitted.
    while (true) {
      HULL_TRY(skip_space());
      if (pos_ >= src_.size()) break;
      uint32_t line = line_, col = col_of(pos_);
      unsigned char c = src_[pos_];
      Token t;
      t.line = line;
      t.col = col;
      if (c == '(') {
        if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '@' && annot_depth_ == 0) {
          pos_ += 2;
          // The annotation id: idchars or a string, immediately after "(@".
          std::string_view id;
          if (pos_ < src_.size() && src_[pos_] == '"') {
            std::string s;
            HULL_TRY(read_string(s));
            if (s.empty()) return err(line, col, "empty annotation id");
            if (!valid_utf8(s)) return err(line, col, "malformed UTF-8 encoding");
            begin_annotation(out, s, line, col);
          } else {
            size_t b = pos_;
            while (pos_ < src_.size() && is_idchar(src_[pos_])) ++pos_;
            id = src_.substr(b, pos_ - b);
            if (id.empty()) return err(line, col, "empty annotation id");
            begin_annotation(out, id, line, col);
          }
          ++annot_depth_;
          if (++depth > kMaxNesting) return err(line, col, "nesting too deep");
          continue;
        }
        ++pos_;
        if (++depth > kMaxNesting) return err(line, col, "nesting too deep");
        t.kind = Tok::LParen;
        if (annot_depth_) {
          ++annot_depth_;
          record(out, t);
          continue;
        }
        out.tokens.push_back(t);
        continue;
      }
      if (c == ')') {
        ++pos_;
        if (depth == 0) return err(line, col, "unexpected token");
        --depth;
        t.kind = Tok::RParen;
        if (annot_depth_) {
          if (--annot_depth_ == 0)
            recording_ = false;  // the annotation's own ')'
          else
            record(out, t);
          continue;
        }
        out.tokens.push_back(t);
        continue;
      }
      if (c == '"') {
        std::string s;
        HULL_TRY(read_string(s));
        HULL_TRY(check_delimited(line, col));
        t.kind = Tok::String;
        if (annot_depth_ && !recording_) continue;
        out.storage.push_back(std::move(s));
        t.text = out.storage.back();
        if (annot_depth_) {
          record(out, t);
          continue;
        }
        out.tokens.push_back(t);
        continue;
      }
      if (c == '$') {
        ++pos_;
        if (pos_ < src_.size() && src_[pos_] == '"') {
          std::string s;
          auto r = read_string(s);
          if (!r.ok() || s.empty()) return err(line, col, "empty identifier");
          if (!valid_utf8(s)) return err(line, col, "malformed UTF-8 encoding");
          HULL_TRY(check_delimited(line, col));
          t.kind = Tok::Id;
          if (annot_depth_ && !recording_) continue;
          out.storage.push_back(std::move(s));
          t.text = out.storage.back();
          if (annot_depth_) {
            record(out, t);
            continue;
          }
          out.tokens.push_back(t);
          continue;
        }
        size_t b = pos_;
        while (pos_ < src_.size() && is_idchar(src_[pos_])) ++pos_;
        if (pos_ == b) return err(line, col, "empty identifier");
        HULL_TRY(check_delimited(line, col));
        t.kind = Tok::Id;
        t.text = src_.substr(b, pos_ - b);
        if (annot_depth_) {
          record(out, t);
          continue;
        }
        out.tokens.push_back(t);
        continue;
      }
      if (is_idchar(c)) {
        size_t b = pos_;
        while (pos_ < src_.size() && is_idchar(src_[pos_])) ++pos_;
        HULL_TRY(check_delimited(line, col));
        t.kind = Tok::Atom;
        t.text = src_.substr(b, pos_ - b);
        if (annot_depth_) {
          record(out, t);
          continue;
        }
        out.tokens.push_back(t);
        continue;
      }
      if (c >= 0x80 && utf8_seq_len(src_, pos_) == 0)
        return err(line, col, "malformed UTF-8 encoding");
      if (c == ',' || c == ';' || c == '[' || c == ']' || c == '{' || c == '}') {
        // Reserved characters: allowed inside annotations only.
        if (annot_depth_ > 0) {
          ++pos_;
          continue;
        }
        return err(line, col, "unexpected token");
      }
      return err(line, col, "illegal character");
    }
    if (annot_depth_) return err(line_, col_of(pos_), "unclosed annotation");
    Token eof;
    eof.kind = Tok::Eof;
    eof.line = line_;
    eof.col = col_of(pos_);
    out.tokens.push_back(eof);
    return out;
  }

 private:
  // An annotation starts (its "(@id" read): a known one is recorded with the tokens inside it.
  void begin_annotation(TokenList& out, std::string_view id, uint32_t line, uint32_t col) {
    Annotation::Kind kind;
    if (id == "custom")
      kind = Annotation::Kind::Custom;
    else if (id == "name")
      kind = Annotation::Kind::Name;
    else if (id == "metadata.code.branch_hint")
      kind = Annotation::Kind::BranchHint;
    else
      return;
    Annotation a;
    a.kind = kind;
    a.pos = out.tokens.size();
    a.line = line;
    a.col = col;
    out.annotations.push_back(std::move(a));
    recording_ = true;
  }
  // A token inside an annotation: kept if the annotation is being recorded.
  void record(TokenList& out, const Token& t) {
    if (recording_) out.annotations.back().body.push_back(t);
  }

  Error err(uint32_t line, uint32_t col, const char* msg) {
    return Error::at_text(ErrorKind::Malformed, msg, line, col);
  }
  uint32_t col_of(size_t p) const { return uint32_t(p - line_start_ + 1); }
  void newline_at(size_t p) {  // p = index just past the line break
    ++line_;
    line_start_ = p;
  }

  // A token must be followed by whitespace, a paren, or the end (else it is "reserved").
  Status check_delimited(uint32_t line, uint32_t col) {
    // Inside annotations any run of tokens is allowed ("reserved" tokens included).
    if (pos_ >= src_.size() || annot_depth_ > 0) return {};
    unsigned char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') return {};
    if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') return {};
    return err(line, col, "unknown operator");
  }

  Status skip_space() {
    while (pos_ < src_.size()) {
      unsigned char c = src_[pos_];
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        newline_at(pos_);
      } else if (c == '\r') {
        ++pos_;
        if (pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
        newline_at(pos_);
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') {
          if ((unsigned char)src_[pos_] >= 0x80) {
            size_t n = utf8_seq_len(src_, pos_);
            if (n == 0) return err(line_, col_of(pos_), "malformed UTF-8 encoding");
            pos_ += n;
          } else {
            ++pos_;
          }
        }
      } else if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        uint32_t line = line_, col = col_of(pos_);
        pos_ += 2;
        uint32_t nest = 1;
        while (nest > 0) {
          if (pos_ >= src_.size()) return err(line, col, "unclosed comment");
          unsigned char d = src_[pos_];
          if (d == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
            ++nest;
            pos_ += 2;
          } else if (d == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ')') {
            --nest;
            pos_ += 2;
          } else if (d == '\n') {
            ++pos_;
            newline_at(pos_);
          } else if (d == '\r') {
            ++pos_;
            if (pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
            newline_at(pos_);
          } else if (d >= 0x80) {
            size_t n = utf8_seq_len(src_, pos_);
            if (n == 0) return err(line_, col_of(pos_), "malformed UTF-8 encoding");
            pos_ += n;
          } else {
            ++pos_;
          }
        }
      } else {
        break;
      }
    }
    return {};
  }

  // Reads a string literal at pos_ (which is '"') and decodes its escapes into `out`.
  Status read_string(std::string& out) {
    uint32_t line = line_, col = col_of(pos_);
    ++pos_;
    while (true) {
      if (pos_ >= src_.size()) return err(line, col, "unclosed string");
      unsigned char c = src_[pos_];
      if (c == '"') {
        ++pos_;
        return {};
      }
      if (c == '\n' || c == '\r') return err(line, col, "unclosed string");
      if (c < 0x20 || c == 0x7F) return err(line_, col_of(pos_), "illegal character");
      if (c >= 0x80) {
        size_t n = utf8_seq_len(src_, pos_);
        if (n == 0) return err(line_, col_of(pos_), "malformed UTF-8 encoding");
        out.append(src_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        out += char(c);
        ++pos_;
        continue;
      }
      uint32_t ecol = col_of(pos_);
      ++pos_;
      if (pos_ >= src_.size()) return err(line, col, "unclosed string");
      unsigned char e = src_[pos_++];
      switch (e) {
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case '\\': out += '\\'; break;
        case 'u': {
          if (pos_ >= src_.size() || src_[pos_] != '{')
            return err(line_, ecol, "illegal escape: invalid string escape");
          ++pos_;
          uint64_t cp = 0;
          bool any = false, last_us = true;
          while (pos_ < src_.size() && src_[pos_] != '}') {
            unsigned char h = src_[pos_];
            if (h == '_') {
              if (last_us) return err(line_, ecol, "illegal escape: invalid string escape");
              last_us = true;
            } else {
              int v = hex_val(h);
              if (v < 0) return err(line_, ecol, "illegal escape: invalid string escape");
              cp = cp * 16 + v;
              if (cp > 0x10FFFF) return err(line_, ecol, "illegal escape: invalid string escape");
              any = true;
              last_us = false;
            }
            ++pos_;
          }
          if (pos_ >= src_.size() || !any || last_us) return err(line_, ecol, "illegal escape: invalid string escape");
          ++pos_;
          if (cp >= 0xD800 && cp < 0xE000) return err(line_, ecol, "illegal escape: invalid string escape");
          append_utf8(out, uint32_t(cp));
          break;
        }
        default: {
          int h1 = hex_val(e);
          int h2 = pos_ < src_.size() ? hex_val(src_[pos_]) : -1;
          if (h1 < 0 || h2 < 0) return err(line_, ecol, "illegal escape: invalid string escape");
          ++pos_;
          out += char(h1 * 16 + h2);
        }
      }
    }
  }

  std::string_view src_;
  uint32_t annot_depth_ = 0;
  bool recording_ = false;  // inside a known annotation (begin_annotation)
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Result<TokenList> tokenize(std::string_view src) { return Lexer(src).run(); }

std::string_view annotation_name(Annotation::Kind k) {
  switch (k) {
    case Annotation::Kind::Custom: return "@custom";
    case Annotation::Kind::Name: return "@name";
    case Annotation::Kind::BranchHint: return "@metadata.code.branch_hint";
  }
  return "@?";
}

}  // namespace hull::text
