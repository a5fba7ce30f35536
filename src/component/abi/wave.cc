// WAVE parsing and printing. The parser is typed: it reads the text against the expected
// component type, so every error can say what that position needed.
#include "component/abi/wave.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include "component/abi/strings.h"

namespace hull::component {

using ac::TypeKind;

namespace {

bool is_keyword(std::string_view s) {
  return s == "true" || s == "false" || s == "some" || s == "none" || s == "ok" || s == "err" ||
         s == "inf" || s == "nan";
}

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// A label or keyword as written: `escaped` when it had a `%` prefix.
struct Label {
  std::string_view name;
  bool escaped = false;
  bool keyword(std::string_view k) const { return !escaped && name == k; }
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  api::Result<ac::Val> value(const ac::Type& t);
  api::Result<std::vector<ac::Val>> args(std::span<const ac::Type> types);
  api::Result<void> end() {
    skip();
    if (i_ < s_.size()) return error("end of input");
    return {};
  }

 private:
  // Whitespace and `//` comments between tokens.
  void skip() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }
  bool at(char c) {
    skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool eat(char c) {
    if (!at(c)) return false;
    ++i_;
    return true;
  }

  // What is at the current position, for messages: one token's worth of text.
  std::string found() {
    skip();
    if (i_ >= s_.size()) return "end of input";
    size_t j = i_;
    if (label_char(s_[j]) || s_[j] == '%') {
      while (j < s_.size() && (label_char(s_[j]) || s_[j] == '%' || s_[j] == '.')) ++j;
    } else if (s_[j] == '"' || s_[j] == '\'') {
      char q = s_[j++];
      while (j < s_.size() && s_[j] != q && s_[j] != '\n' && j - i_ < 40)
        j += s_[j] == '\\' ? 2 : 1;
      if (j < s_.size() && s_[j] == q) ++j;
      j = std::min(j, s_.size());
    } else {
      ++j;
    }
    return "`" + std::string(s_.substr(i_, j - i_)) + "`";
  }

  api::Error error_at(size_t pos, const std::string& what) {
    size_t line = 1, col = 1;
    for (size_t k = 0; k < pos && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<uint8_t>(s_[k]) & 0xC0) != 0x80) {
        ++col;
      }
    }
    std::string where = line == 1
                            ? "column " + std::to_string(col)
                            : "line " + std::to_string(line) + " column " + std::to_string(col);
    return api::Error(api::ErrorKind::Usage, "invalid WAVE value at " + where + ": " + what);
  }
  api::Error error(const std::string& expected) {
    skip();
    size_t pos = i_;
    return error_at(pos, "expected " + expected + ", found " + found());
  }

  std::optional<Label> label() {
    skip();
    size_t j = i_;
    bool escaped = j < s_.size() && s_[j] == '%';
    if (escaped) ++j;
    if (j >= s_.size() || !((s_[j] >= 'a' && s_[j] <= 'z') || (s_[j] >= 'A' && s_[j] <= 'Z')))
      return std::nullopt;
    size_t b = j;
    while (j < s_.size() && label_char(s_[j])) ++j;
    i_ = j;
    return Label{s_.substr(b, j - b), escaped};
  }
  // Peeks a label without consuming it.
  std::optional<Label> peek_label() {
    size_t save = i_;
    std::optional<Label> l = label();
    i_ = save;
    return l;
  }

  std::optional<std::string_view> number() {
    skip();
    size_t j = i_;
    if (s_.substr(j, 4) == "-inf" && (j + 4 >= s_.size() || !label_char(s_[j + 4]))) {
      i_ = j + 4;
      return s_.substr(j, 4);
    }
    if (j < s_.size() && s_[j] == '-') ++j;
    size_t digits = j;
    while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') ++j;
    if (j == digits) return std::nullopt;
    if (j < s_.size() && s_[j] == '.') {
      size_t f = ++j;
      while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') ++j;
      if (j == f) return std::nullopt;
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      size_t e = j + 1;
      if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
      size_t d = e;
      while (e < s_.size() && s_[e] >= '0' && s_[e] <= '9') ++e;
      if (e == d) return std::nullopt;
      j = e;
    }
    // Leading zeros are not numbers in WAVE (JSON numbers).
    std::string_view n = s_.substr(i_, j - i_);
    std::string_view mag = n[0] == '-' ? n.substr(1) : n;
    if (mag.size() > 1 && mag[0] == '0' && mag[1] >= '0' && mag[1] <= '9') return std::nullopt;
    i_ = j;
    return n;
  }

  api::Result<char32_t> escape();
  api::Result<std::string> quoted(char q);
  api::Result<std::string> multiline();

  api::Result<ac::Val> integer(const ac::Type& t);
  api::Result<ac::Val> floating(const ac::Type& t);
  api::Result<ac::Val> seq(const ac::Type& t, char open, char close);
  api::Result<ac::Val> record(const ac::Type& t);
  api::Result<ac::Val> cases(const ac::Type& t);
  api::Result<ac::Val> option(const ac::Type& t);
  api::Result<ac::Val> result(const ac::Type& t);
  api::Result<ac::Val> flags(const ac::Type& t);
  api::Result<std::optional<ac::Val>> payload(const ac::Type& p, std::string_view name);

  std::string_view s_;
  size_t i_ = 0;
};

api::Result<char32_t> Parser::escape() {
  // At a backslash.
  size_t start = i_++;
  if (i_ >= s_.size()) return error_at(start, "unterminated escape");
  char c = s_[i_++];
  switch (c) {
    case '\'': return U'\'';
    case '"': return U'"';
    case '\\': return U'\\';
    case 't': return U'\t';
    case 'n': return U'\n';
    case 'r': return U'\r';
    case 'u': {
      if (i_ >= s_.size() || s_[i_] != '{') return error_at(start, "expected `\\u{...}` escape");
      size_t b = ++i_;
      while (i_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      size_t n = i_ - b;
      if (n == 0 || n > 6 || i_ >= s_.size() || s_[i_] != '}')
        return error_at(start, "expected 1 to 6 hex digits in `\\u{...}`");
      uint32_t cp = 0;
      std::from_chars(s_.data() + b, s_.data() + i_, cp, 16);
      ++i_;
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return error_at(start, "`\\u{...}` is not a Unicode scalar value");
      return static_cast<char32_t>(cp);
    }
    default: return error_at(start, "unknown escape `\\" + std::string(1, c) + "`");
  }
}

// A '...' char or "..." string body; the opening quote is at i_.
api::Result<std::string> Parser::quoted(char q) {
  size_t start = i_++;
  std::string out;
  while (true) {
    if (i_ >= s_.size())
      return error_at(start, q == '"' ? "unterminated string" : "unterminated char");
    char c = s_[i_];
    if (c == q) {
      ++i_;
      return out;
    }
    if (c == '\n') return error_at(i_, "line break in a quoted value (write `\\n`)");
    if (c == '\\') {
      api::Result<char32_t> e = escape();
      if (!e) return std::move(e).error();
      append_utf8(&out, *e);
      continue;
    }
    char32_t cp;
    size_t at = i_;
    if (!next_code_point(s_, &i_, &cp)) return error_at(at, "invalid UTF-8 in text");
    append_utf8(&out, cp);
  }
}

// """ + line break ... line break + indent + """: the closing indent is removed from every line.
api::Result<std::string> Parser::multiline() {
  size_t start = i_;
  i_ += 3;
  if (s_.substr(i_, 1) == "\n") {
    i_ += 1;
  } else if (s_.substr(i_, 2) == "\r\n") {
    i_ += 2;
  } else {
    return error_at(start, "a line break after `\"\"\"`");
  }
  size_t close = s_.find("\"\"\"", i_);
  if (close == std::string_view::npos) return error_at(start, "unterminated multi-line string");
  // The indent is the run of spaces before the closing delimiter, after the last line break.
  size_t line_end = close;
  while (line_end > i_ && s_[line_end - 1] == ' ') --line_end;
  if (line_end == i_ || s_[line_end - 1] != '\n')
    return error_at(close, "the closing `\"\"\"` on a line of its own");
  size_t indent = close - line_end;
  std::string_view body = s_.substr(i_, line_end - 1 - i_);
  if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
  std::string out;
  size_t k = 0;
  bool line_start = true;
  while (k < body.size()) {
    if (line_start) {
      size_t sp = 0;
      while (sp < indent && k + sp < body.size() && body[k + sp] == ' ') ++sp;
      bool blank = k + sp >= body.size() || body[k + sp] == '\n' || body[k + sp] == '\r';
      if (sp < indent && !blank) return error_at(i_ + k, "a line indented by the closing `\"\"\"`");
      k += sp;
      line_start = false;
      continue;
    }
    char c = body[k];
    if (c == '\r' && k + 1 < body.size() && body[k + 1] == '\n') {
      ++k;
      continue;
    }
    if (c == '\n') {
      out.push_back('\n');
      ++k;
      line_start = true;
      continue;
    }
    if (c == '\\') {
      size_t save = i_;
      i_ = i_ + k;
      api::Result<char32_t> e = escape();
      size_t consumed = i_ - (save + k);
      i_ = save;
      if (!e) return std::move(e).error();
      append_utf8(&out, *e);
      k += consumed;
      continue;
    }
    out.push_back(c);
    ++k;
  }
  i_ = close + 3;
  return out;
}

api::Result<ac::Val> Parser::integer(const ac::Type& t) {
  skip();
  size_t start = i_;
  std::string what = std::string("an integer (") + ac::to_string(t.kind()) + ")";
  std::optional<std::string_view> n = number();
  if (!n) return error(what);
  bool is_signed = t.kind() == TypeKind::S8 || t.kind() == TypeKind::S16 ||
                   t.kind() == TypeKind::S32 || t.kind() == TypeKind::S64;
  int bits = 8;
  if (t.kind() == TypeKind::S16 || t.kind() == TypeKind::U16) bits = 16;
  if (t.kind() == TypeKind::S32 || t.kind() == TypeKind::U32) bits = 32;
  if (t.kind() == TypeKind::S64 || t.kind() == TypeKind::U64) bits = 64;
  auto bad = [&] {
    return error_at(start, "expected " + what + ", found `" + std::string(*n) + "`");
  };
  if (is_signed) {
    int64_t v;
    auto [p, ec] = std::from_chars(n->data(), n->data() + n->size(), v);
    if (ec != std::errc() || p != n->data() + n->size()) return bad();
    int64_t lo = bits == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t{1} << (bits - 1));
    int64_t hi = bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << (bits - 1)) - 1;
    if (v < lo || v > hi) return bad();
    switch (bits) {
      case 8: return ac::Val::s8(static_cast<int8_t>(v));
      case 16: return ac::Val::s16(static_cast<int16_t>(v));
      case 32: return ac::Val::s32(static_cast<int32_t>(v));
      default: return ac::Val::s64(v);
    }
  }
  uint64_t v;
  auto [p, ec] = std::from_chars(n->data(), n->data() + n->size(), v);
  if (ec != std::errc() || p != n->data() + n->size()) return bad();
  if (bits < 64 && v >= (uint64_t{1} << bits)) return bad();
  switch (bits) {
    case 8: return ac::Val::u8(static_cast<uint8_t>(v));
    case 16: return ac::Val::u16(static_cast<uint16_t>(v));
    case 32: return ac::Val::u32(static_cast<uint32_t>(v));
    default: return ac::Val::u64(v);
  }
}

api::Result<ac::Val> Parser::floating(const ac::Type& t) {
  skip();
  bool f32 = t.kind() == TypeKind::F32;
  std::string what = std::string("a number (") + (f32 ? "f32" : "f64") + ")";
  if (std::optional<Label> l = peek_label(); l && !l->escaped) {
    if (l->name == "nan" || l->name == "inf") {
      label();
      double d = l->name == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                  : std::numeric_limits<double>::infinity();
      return f32 ? ac::Val::f32(static_cast<float>(d)) : ac::Val::f64(d);
    }
  }
  size_t start = i_;
  std::optional<std::string_view> n = number();
  if (!n) return error(what);
  if (*n == "-inf") {
    return f32 ? ac::Val::f32(-std::numeric_limits<float>::infinity())
               : ac::Val::f64(-std::numeric_limits<double>::infinity());
  }
  // from_chars rounds correctly; out-of-range magnitudes are rejected as wasm-wave does.
  if (f32) {
    float v;
    auto [p, ec] = std::from_chars(n->data(), n->data() + n->size(), v);
    if (ec != std::errc() || std::isinf(v))
      return error_at(start, "expected " + what + ", found `" + std::string(*n) + "`");
    return ac::Val::f32(v);
  }
  double v;
  auto [p, ec] = std::from_chars(n->data(), n->data() + n->size(), v);
  if (ec != std::errc() || std::isinf(v))
    return error_at(start, "expected " + what + ", found `" + std::string(*n) + "`");
  return ac::Val::f64(v);
}

api::Result<ac::Val> Parser::seq(const ac::Type& t, char open, char close) {
  std::string what = ac::to_string(t);
  if (!eat(open)) return error("`" + std::string(1, open) + "` to start a " + what);
  std::vector<ac::Val> items;
  size_t index = 0;
  while (!eat(close)) {
    const ac::Type* et;
    if (t.kind() == TypeKind::Tuple) {
      if (index >= t->elems.size())
        return error("`)` after " + std::to_string(t->elems.size()) + " tuple elements");
      et = &t->elems[index];
    } else {
      et = &t->elems[0];
    }
    api::Result<ac::Val> v = value(*et);
    if (!v) return std::move(v).error();
    items.push_back(std::move(*v));
    ++index;
    if (!eat(',')) {
      if (!at(close)) return error("`,` or `" + std::string(1, close) + "`");
    }
  }
  switch (t.kind()) {
    case TypeKind::Tuple:
      if (items.size() != t->elems.size())
        return error_at(i_ - 1, "expected " + std::to_string(t->elems.size()) +
                                    " tuple elements, found " + std::to_string(items.size()));
      return ac::Val::tuple(std::move(items));
    case TypeKind::FixedList:
      if (items.size() != t->length)
        return error_at(i_ - 1, "expected " + std::to_string(t->length) + " list elements, found " +
                                    std::to_string(items.size()));
      return ac::Val::fixed_list(std::move(items));
    default: return ac::Val::list(std::move(items));
  }
}

api::Result<ac::Val> Parser::record(const ac::Type& t) {
  if (!eat('{')) return error("`{` to start a " + ac::to_string(t));
  std::vector<std::optional<ac::Val>> got(t->fields.size());
  if (eat(':')) {
    if (!eat('}')) return error("`}` after `{:`");
  } else {
    while (!eat('}')) {
      skip();
      size_t at_label = i_;
      std::optional<Label> l = label();
      if (!l) return error("a field name");
      size_t f = 0;
      while (f < t->fields.size() && t->fields[f].name != l->name) ++f;
      if (f == t->fields.size())
        return error_at(at_label, "no field `" + std::string(l->name) + "` in " + ac::to_string(t));
      if (got[f]) return error_at(at_label, "field `" + std::string(l->name) + "` given twice");
      if (!eat(':')) return error("`:` after field `" + std::string(l->name) + "`");
      api::Result<ac::Val> v = value(t->fields[f].type);
      if (!v) return std::move(v).error();
      got[f] = std::move(*v);
      if (!eat(',') && !at('}')) return error("`,` or `}`");
    }
  }
  std::vector<std::pair<std::string, ac::Val>> fields;
  for (size_t f = 0; f < t->fields.size(); ++f) {
    if (!got[f]) {
      if (t->fields[f].type.kind() != TypeKind::Option)
        return error_at(i_ - 1, "missing field `" + t->fields[f].name + "`");
      got[f] = ac::Val::none();
    }
    fields.emplace_back(t->fields[f].name, std::move(*got[f]));
  }
  return ac::Val::record(std::move(fields));
}

// `(payload)` after a case label, required exactly when the case has a type.
api::Result<std::optional<ac::Val>> Parser::payload(const ac::Type& p, std::string_view name) {
  if (!p) {
    if (at('(')) return error("no payload for case `" + std::string(name) + "`");
    return std::optional<ac::Val>();
  }
  if (!eat('(')) return error("`(` and a payload for case `" + std::string(name) + "`");
  api::Result<ac::Val> v = value(p);
  if (!v) return std::move(v).error();
  if (!eat(')')) return error("`)` after the payload of `" + std::string(name) + "`");
  return std::optional<ac::Val>(std::move(*v));
}

api::Result<ac::Val> Parser::cases(const ac::Type& t) {
  skip();
  size_t start = i_;
  std::optional<Label> l = label();
  bool is_enum = t.kind() == TypeKind::Enum;
  std::string what = std::string("a case of ") + ac::to_string(t);
  if (!l) return error(what);
  if (is_enum) {
    for (const std::string& c : t->names)
      if (c == l->name) return ac::Val::enumeration(c);
  } else {
    for (const ac::Field& c : t->fields) {
      if (c.name != l->name) continue;
      api::Result<std::optional<ac::Val>> p = payload(c.type, c.name);
      if (!p) return std::move(p).error();
      return ac::Val::variant(c.name, std::move(*p));
    }
  }
  return error_at(start, "expected " + what + ", found `" + std::string(l->name) + "`");
}

bool flattenable(const ac::Type& p) {
  return p && p.kind() != TypeKind::Option && p.kind() != TypeKind::Result;
}

api::Result<ac::Val> Parser::option(const ac::Type& t) {
  std::optional<Label> l = peek_label();
  if (l && l->keyword("none")) {
    label();
    return ac::Val::none();
  }
  if (l && l->keyword("some")) {
    label();
    api::Result<std::optional<ac::Val>> p = payload(t->elems[0], "some");
    if (!p) return std::move(p).error();
    return ac::Val::some(std::move(**p));
  }
  // The payload alone stands for some(payload) unless it is itself an option or result.
  if (!flattenable(t->elems[0])) return error("`some(...)` or `none`");
  api::Result<ac::Val> v = value(t->elems[0]);
  if (!v) return std::move(v).error();
  return ac::Val::some(std::move(*v));
}

api::Result<ac::Val> Parser::result(const ac::Type& t) {
  std::optional<Label> l = peek_label();
  if (l && (l->keyword("ok") || l->keyword("err"))) {
    label();
    bool ok = l->name == "ok";
    api::Result<std::optional<ac::Val>> p = payload(ok ? t->ok : t->err, l->name);
    if (!p) return std::move(p).error();
    return ok ? ac::Val::ok(std::move(*p)) : ac::Val::err(std::move(*p));
  }
  if (!flattenable(t->ok)) return error("`ok` or `err`");
  api::Result<ac::Val> v = value(t->ok);
  if (!v) return std::move(v).error();
  return ac::Val::ok(std::move(*v));
}

api::Result<ac::Val> Parser::flags(const ac::Type& t) {
  if (!eat('{')) return error("`{` to start a " + ac::to_string(t));
  std::vector<bool> set(t->names.size(), false);
  while (!eat('}')) {
    skip();
    size_t start = i_;
    std::optional<Label> l = label();
    if (!l) return error("a flag name");
    size_t f = 0;
    while (f < t->names.size() && t->names[f] != l->name) ++f;
    if (f == t->names.size())
      return error_at(start, "no flag `" + std::string(l->name) + "` in " + ac::to_string(t));
    if (set[f]) return error_at(start, "flag `" + std::string(l->name) + "` given twice");
    set[f] = true;
    if (!eat(',') && !at('}')) return error("`,` or `}`");
  }
  std::vector<std::string> names;
  for (size_t f = 0; f < set.size(); ++f)
    if (set[f]) names.push_back(t->names[f]);
  return ac::Val::flags(std::move(names));
}

api::Result<ac::Val> Parser::value(const ac::Type& t) {
  skip();
  if (t.empty()) return error("no value (empty type)");
  switch (t.kind()) {
    case TypeKind::Bool: {
      std::optional<Label> l = peek_label();
      if (l && (l->keyword("true") || l->keyword("false"))) {
        label();
        return ac::Val::boolean(l->name == "true");
      }
      return error("`true` or `false`");
    }
    case TypeKind::S8:
    case TypeKind::U8:
    case TypeKind::S16:
    case TypeKind::U16:
    case TypeKind::S32:
    case TypeKind::U32:
    case TypeKind::S64:
    case TypeKind::U64: return integer(t);
    case TypeKind::F32:
    case TypeKind::F64: return floating(t);
    case TypeKind::Char: {
      if (!at('\'')) return error("a char ('x')");
      size_t start = i_;
      api::Result<std::string> s = quoted('\'');
      if (!s) return std::move(s).error();
      size_t k = 0;
      char32_t cp;
      if (s->empty() || !next_code_point(*s, &k, &cp) || k != s->size())
        return error_at(start, "expected exactly one character between `'`");
      return ac::Val::character(cp);
    }
    case TypeKind::String: {
      if (s_.substr(i_, 3) == "\"\"\"") {
        api::Result<std::string> s = multiline();
        if (!s) return std::move(s).error();
        return ac::Val::string(std::move(*s));
      }
      if (!at('"')) return error("a string (\"...\")");
      api::Result<std::string> s = quoted('"');
      if (!s) return std::move(s).error();
      return ac::Val::string(std::move(*s));
    }
    case TypeKind::List:
    case TypeKind::FixedList: return seq(t, '[', ']');
    case TypeKind::Tuple: return seq(t, '(', ')');
    case TypeKind::Record: return record(t);
    case TypeKind::Variant:
    case TypeKind::Enum: return cases(t);
    case TypeKind::Option: return option(t);
    case TypeKind::Result: return result(t);
    case TypeKind::Flags: return flags(t);
    default: return error_at(i_, ac::to_string(t) + " values cannot be written in WAVE");
  }
}

api::Result<std::vector<ac::Val>> Parser::args(std::span<const ac::Type> types) {
  std::vector<ac::Val> out;
  skip();
  for (size_t k = 0; k < types.size(); ++k) {
    if (i_ >= s_.size()) {
      // Trailing option arguments may be left out (none).
      if (types[k].kind() != TypeKind::Option)
        return error_at(i_, "expected " + std::to_string(types.size()) + " arguments, found " +
                                std::to_string(k) + " (missing " + ac::to_string(types[k]) + ")");
      out.push_back(ac::Val::none());
      continue;
    }
    api::Result<ac::Val> v = value(types[k]);
    if (!v) return std::move(v).error();
    out.push_back(std::move(*v));
    skip();
    if (i_ < s_.size() && !eat(',')) return error("`,` between arguments");
    skip();
  }
  if (i_ < s_.size())
    return error_at(
        i_, "expected " + std::to_string(types.size()) + " arguments, found more: " + found());
  return out;
}

// ---- printing -------------------------------------------------------------------------------

void put_char(std::string* out, char32_t c) {
  switch (c) {
    case U'\\': *out += "\\\\"; return;
    case U'"': *out += "\\\""; return;
    case U'\'': *out += "\\'"; return;
    case U'\t': *out += "\\t"; return;
    case U'\r': *out += "\\r"; return;
    case U'\n': *out += "\\n"; return;
    default: break;
  }
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u{%x}", static_cast<unsigned>(c));
    *out += buf;
    return;
  }
  append_utf8(out, c);
}

// Rust's Display for floats (what wasm-wave prints): the shortest digits that read back the
// same value, written out in full without an exponent; integral values have no fraction.
template <class F>
std::string format_float(F v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);  // [-]d[.ddd]e[+-]xx
  std::string out;
  size_t k = 0;
  if (sci[0] == '-') {
    out = "-";
    k = 1;
  }
  size_t e = sci.find('e');
  std::string digits;
  for (size_t j = k; j < e; ++j)
    if (sci[j] != '.') digits.push_back(sci[j]);
  int exp = std::stoi(sci.substr(e + 1));
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int point = exp + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

void write(std::string* out, const ac::Val& v, const ac::Type& t);

void write_label(std::string* out, const std::string& name) {
  if (is_keyword(name)) out->push_back('%');
  *out += name;
}

void write_payload(std::string* out, const ac::Val* p, const ac::Type& t) {
  if (!p || !t) return;
  out->push_back('(');
  write(out, *p, t);
  out->push_back(')');
}

void write_items(std::string* out, const ac::Val& packed, const ac::Type& t, char open,
                 char close) {
  const ac::Val expanded = packed.is_bytes() ? packed.expand_bytes() : ac::Val();
  const ac::Val& v = packed.is_bytes() ? expanded : packed;
  out->push_back(open);
  for (size_t i = 0; i < v.items().size(); ++i) {
    if (i) *out += ", ";
    const ac::Type& et =
        t.kind() == TypeKind::Tuple && i < t->elems.size() ? t->elems[i] : t->elems[0];
    write(out, v.items()[i], et);
  }
  out->push_back(close);
}

void write(std::string* out, const ac::Val& v, const ac::Type& t) {
  switch (t.kind()) {
    case TypeKind::Bool: *out += v.as_bool() ? "true" : "false"; return;
    case TypeKind::S8:
    case TypeKind::S16:
    case TypeKind::S32:
    case TypeKind::S64: *out += std::to_string(v.as_s64()); return;
    case TypeKind::U8:
    case TypeKind::U16:
    case TypeKind::U32:
    case TypeKind::U64: *out += std::to_string(v.as_u64()); return;
    case TypeKind::F32: *out += format_float(v.as_f32()); return;
    case TypeKind::F64: *out += format_float(v.as_f64()); return;
    case TypeKind::Char:
      out->push_back('\'');
      put_char(out, v.as_char());
      out->push_back('\'');
      return;
    case TypeKind::String: {
      out->push_back('"');
      const std::string& s = v.as_string();
      for (size_t i = 0; i < s.size();) {
        char32_t cp;
        if (!next_code_point(s, &i, &cp)) {
          cp = 0xFFFD;  // not UTF-8: print the replacement character
          ++i;
        }
        put_char(out, cp);
      }
      out->push_back('"');
      return;
    }
    case TypeKind::List:
    case TypeKind::FixedList: write_items(out, v, t, '[', ']'); return;
    case TypeKind::Tuple: write_items(out, v, t, '(', ')'); return;
    case TypeKind::Record: {
      out->push_back('{');
      bool first = true;
      for (size_t i = 0; i < v.items().size() && i < t->fields.size(); ++i) {
        const ac::Val& f = v.items()[i];
        if (f.kind() == TypeKind::Option && !f.is_some()) continue;  // none may be left out
        if (!first) *out += ", ";
        first = false;
        *out += t->fields[i].name + ": ";
        write(out, f, t->fields[i].type);
      }
      if (first) out->push_back(':');
      out->push_back('}');
      return;
    }
    case TypeKind::Variant: {
      write_label(out, v.case_name());
      for (const ac::Field& c : t->fields)
        if (c.name == v.case_name()) write_payload(out, v.payload(), c.type);
      return;
    }
    case TypeKind::Enum: write_label(out, v.case_name()); return;
    case TypeKind::Option:
      if (!v.is_some()) {
        *out += "none";
        return;
      }
      *out += "some";
      write_payload(out, v.payload(), t->elems[0]);
      return;
    case TypeKind::Result:
      *out += v.is_ok() ? "ok" : "err";
      write_payload(out, v.payload(), v.is_ok() ? t->ok : t->err);
      return;
    case TypeKind::Flags: {
      out->push_back('{');
      bool first = true;
      for (const std::string& name : t->names) {
        bool set = false;
        for (const std::string& f : v.names()) set = set || f == name;
        if (!set) continue;
        if (!first) *out += ", ";
        first = false;
        *out += name;
      }
      out->push_back('}');
      return;
    }
    default: *out += "<" + ac::to_string(t) + ">"; return;
  }
}

}  // namespace

api::Result<ac::Val> parse_wave(std::string_view text, const ac::Type& type) {
  Parser p(text);
  api::Result<ac::Val> v = p.value(type);
  if (!v) return v;
  api::Result<void> end = p.end();
  if (!end) return std::move(end).error();
  return v;
}

api::Result<std::vector<ac::Val>> parse_wave_args(std::string_view text,
                                                  std::span<const ac::Type> types) {
  Parser p(text);
  return p.args(types);
}

std::string to_wave(const ac::Val& v, const ac::Type& t) {
  std::string out;
  write(&out, v, t);
  return out;
}

}  // namespace hull::component
