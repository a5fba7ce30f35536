// Lexers of TOML 1.0's scalar tokens (see toml_lexer.h): keys, the four string forms with their
// escapes, integers in four radixes, floats, booleans, dates and times.
#include "serve/toml_lexer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace hull::serve::toml::detail {

std::string_view Cursor::current_char() const {
  if (eof()) return {};
  unsigned char lead = static_cast<unsigned char>(text_[i_]);
  size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return text_.substr(i_, n);  // substr clamps at the end of the text
}

Error error_at(Position at, std::string reason, ErrorKind kind) {
  return Error::at_text(kind, std::move(reason), at.line, at.column);
}

namespace {

std::string hex4(unsigned c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", c);
  return buf;
}

// The position `k` ASCII characters to the right of `at` (tokens never span lines).
Position shifted(Position at, size_t k) { return {at.line, at.column + static_cast<uint32_t>(k)}; }

}  // namespace

std::string describe_char(const Cursor& c) {
  if (c.eof()) return "the end of the document";
  unsigned char ch = static_cast<unsigned char>(c.peek());
  if (ch == '\n') return "a newline";
  if (ch == '\r') return "a carriage return";
  if (ch == ' ') return "a space";
  if (ch == '\t') return "a tab";
  if (ch < 0x20 || ch == 0x7F) return "control character U+" + hex4(ch);
  return "'" + std::string(c.current_char()) + "'";
}

bool is_forbidden_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-';
}

size_t find_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (b >= 0xC2 && b <= 0xDF) {
      n = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 4;
      cp = b & 0x07;
    } else {
      return i;  // a continuation byte, an overlong lead (C0, C1) or past U+10FFFF (F5..FF)
    }
    if (i + n > text.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cb = static_cast<unsigned char>(text[i + k]);
      if ((cb & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cb & 0x3F);
    }
    bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += n;
  }
  return std::string_view::npos;
}

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error control_char_error(const Cursor& c, const char* where) {
  unsigned ch = static_cast<unsigned char>(c.peek());
  return error_at(c.pos(), "control character U+" + hex4(ch) + " is not allowed in " + where +
                               " (write it as the escape \\u" + hex4(ch) +
                               " in a \"basic\" string)");
}

// After a backslash that is followed by whitespace in a multi-line basic string: the rest of
// the line must be blank, and then it and all whitespace and newlines that follow are dropped.
Status skip_line_ending_backslash(Cursor& c, Position backslash) {
  size_t k = 0;
  while (c.peek(k) == ' ' || c.peek(k) == '\t') ++k;
  bool newline = c.peek(k) == '\n' || (c.peek(k) == '\r' && c.peek(k + 1) == '\n');
  if (!newline) {
    return error_at(backslash,
                    "a backslash followed by whitespace must end its line (a line-ending "
                    "backslash); write \\\\ for a backslash");
  }
  for (;;) {
    char ch = c.peek();
    if (ch == ' ' || ch == '\t' || ch == '\n') {
      c.advance();
    } else if (ch == '\r' && c.peek(1) == '\n') {
      c.advance(2);
    } else {
      return {};
    }
  }
}

// An escape sequence at the cursor (its backslash), appended to `out` as UTF-8.
Status lex_escape(Cursor& c, std::string& out, bool multiline) {
  Position at = c.pos();
  c.advance();
  char e = c.peek();
  switch (e) {
    case 'b': out += '\b'; break;
    case 't': out += '\t'; break;
    case 'n': out += '\n'; break;
    case 'f': out += '\f'; break;
    case 'r': out += '\r'; break;
    case '"': out += '"'; break;
    case '\\': out += '\\'; break;
    case 'u':
    case 'U': {
      size_t n = e == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (size_t k = 1; k <= n; ++k) {
        int h = hex_value(c.peek(k));
        if (h < 0) {
          return error_at(
              at, std::string("\\") + e + " needs exactly " + std::to_string(n) + " hex digits");
        }
        cp = (cp << 4) | static_cast<uint32_t>(h);
      }
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        return error_at(at, "the escape \\" + std::string(1, e) +
                                "... is not a Unicode scalar value (no surrogates, nothing "
                                "past 10FFFF)");
      }
      append_utf8(out, cp);
      c.advance(n + 1);
      return {};
    }
    case ' ':
    case '\t':
    case '\n':
    case '\r':
      if (multiline) return skip_line_ending_backslash(c, at);
      [[fallthrough]];
    default:
      if (c.eof()) return error_at(at, "unterminated string (it ends in a backslash)");
      if (static_cast<unsigned char>(e) <= ' ' || e == 0x7F) {
        return error_at(at, "invalid escape sequence: a backslash followed by " + describe_char(c) +
                                " (write \\\\ for a backslash)");
      }
      return error_at(at, "invalid escape sequence \\" + std::string(c.current_char()) +
                              " (TOML 1.0 has \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX and "
                              "\\UXXXXXXXX; write \\\\ for a backslash)");
  }
  c.advance();
  return {};
}

// "..." or '...' on one line; the cursor is at the opening quote.
Result<std::string> lex_single_line_string(Cursor& c) {
  char quote = c.peek();
  bool basic = quote == '"';
  Position start = c.pos();
  c.advance();
  std::string out;
  for (;;) {
    if (c.eof()) {
      return error_at(start, std::string("unterminated string (no closing ") + quote +
                                 " before the end of the document)");
    }
    char ch = c.peek();
    if (ch == quote) {
      c.advance();
      return out;
    }
    if (ch == '\n' || ch == '\r') {
      return error_at(c.pos(), std::string("unterminated string: it must end on its line (use ") +
                                   quote + quote + quote + "..." + quote + quote + quote +
                                   " for a multi-line string)");
    }
    if (basic && ch == '\\') {
      HULL_TRY(lex_escape(c, out, false));
      continue;
    }
    if (is_forbidden_control(static_cast<unsigned char>(ch))) {
      return control_char_error(c, "a string");
    }
    out += ch;
    c.advance();
  }
}

// """...""" or '''...'''; the cursor is at the opening delimiter.
Result<std::string> lex_multi_line_string(Cursor& c) {
  char quote = c.peek();
  bool basic = quote == '"';
  Position start = c.pos();
  c.advance(3);
  // A newline right after the opening delimiter is not part of the string.
  if (c.peek() == '\n') {
    c.advance();
  } else if (c.peek() == '\r' && c.peek(1) == '\n') {
    c.advance(2);
  }
  std::string out;
  for (;;) {
    if (c.eof()) {
      return error_at(start, std::string("unterminated multi-line string (no closing ") + quote +
                                 quote + quote + ")");
    }
    char ch = c.peek();
    if (ch == quote) {
      // One or two quotes are content; three close the string, and up to two more just before
      // them are still content ("""a""""" is a"").
      size_t run = 0;
      while (c.peek(run) == quote) ++run;
      if (run >= 3) {
        if (run > 5) {
          return error_at(c.pos(),
                          "too many quotes in a row in a multi-line string (escape "
                          "some, or use the other kind of string)");
        }
        out.append(run - 3, quote);
        c.advance(run);
        return out;
      }
      out.append(run, quote);
      c.advance(run);
      continue;
    }
    if (basic && ch == '\\') {
      HULL_TRY(lex_escape(c, out, true));
      continue;
    }
    if (ch == '\n') {
      out += '\n';
      c.advance();
      continue;
    }
    if (ch == '\r') {
      if (c.peek(1) != '\n') {
        return error_at(c.pos(), "a carriage return must be followed by a newline");
      }
      out += '\n';  // CRLF is normalized to LF
      c.advance(2);
      continue;
    }
    if (is_forbidden_control(static_cast<unsigned char>(ch))) {
      return control_char_error(c, "a string");
    }
    out += ch;
    c.advance();
  }
}

}  // namespace

Result<std::string> lex_simple_key(Cursor& c) {
  char ch = c.peek();
  if (ch == '"' || ch == '\'') {
    if (c.peek(1) == ch && c.peek(2) == ch) {
      return error_at(c.pos(), "a multi-line string cannot be a key");
    }
    return lex_single_line_string(c);
  }
  if (!is_bare_key_char(ch)) {
    return error_at(c.pos(), "expected a key, found " + describe_char(c) +
                                 " (a bare key is made of A-Z a-z 0-9 _ -; quote any other)");
  }
  std::string key;
  while (is_bare_key_char(c.peek())) {
    key += c.peek();
    c.advance();
  }
  return key;
}

Result<Value> lex_string(Cursor& c) {
  Position at = c.pos();
  char q = c.peek();
  bool multi = c.peek(1) == q && c.peek(2) == q;
  Result<std::string> s = multi ? lex_multi_line_string(c) : lex_single_line_string(c);
  if (!s) return std::move(s).error();
  return Value::make_string(at, std::move(*s));
}

namespace {

// The run of characters a number could be made of, for one error message naming it whole.
std::string number_token(const Cursor& c) {
  std::string t;
  for (size_t k = 0;; ++k) {
    char ch = c.peek(k);
    bool sign_ok = (ch == '+' || ch == '-') && (k == 0 || t.back() == 'e' || t.back() == 'E');
    if (!(is_bare_key_char(ch) || ch == '.' || sign_ok)) break;
    if (ch == '-' && !sign_ok) break;
    t += ch;
  }
  return t;
}

bool is_radix_digit(char c, int radix) {
  if (radix == 16) return hex_value(c) >= 0;
  if (radix == 8) return c >= '0' && c <= '7';
  if (radix == 2) return c == '0' || c == '1';
  return is_digit(c);
}

// Digits in `radix` with single underscores only between digits; `off` is where `s` starts
// in the token, for the error's column.
Status check_digits(std::string_view s, int radix, Position token_at, size_t off,
                    const char* what) {
  if (s.empty()) return error_at(shifted(token_at, off), std::string("expected digits ") + what);
  for (size_t j = 0; j < s.size(); ++j) {
    char ch = s[j];
    if (ch == '_') {
      if (j == 0 || j + 1 == s.size() || s[j - 1] == '_') {
        return error_at(shifted(token_at, off + j),
                        "an underscore in a number must be between two digits");
      }
    } else if (!is_radix_digit(ch, radix)) {
      const char* radix_name = radix == 16  ? "hexadecimal"
                               : radix == 8 ? "octal"
                               : radix == 2 ? "binary"
                                            : "decimal";
      return error_at(shifted(token_at, off + j),
                      "'" + std::string(1, ch) + "' is not a " + radix_name + " digit " + what);
    }
  }
  return {};
}

Error out_of_range(Position at) {
  return error_at(at,
                  "integer out of range (a TOML integer is 64-bit signed: "
                  "-9223372036854775808 to 9223372036854775807)");
}

Result<Value> lex_integer(std::string_view token, Position at, int radix) {
  bool negative = token[0] == '-';
  size_t sign = (token[0] == '+' || token[0] == '-') ? 1 : 0;
  size_t start = radix == 10 ? sign : 2;
  std::string_view digits = token.substr(start);
  HULL_TRY(check_digits(digits, radix, at, start, "in an integer"));
  if (radix == 10 && digits.size() > 1 && digits[0] == '0') {
    return error_at(shifted(at, start), "leading zeros are not allowed in a decimal integer");
  }
  // Accumulated as unsigned up to 2^63, which only a negative decimal may reach.
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  uint64_t v = 0;
  for (char ch : digits) {
    if (ch == '_') continue;
    uint64_t d = static_cast<uint64_t>(hex_value(ch));
    if (v > (kLimit - d) / static_cast<uint64_t>(radix)) return out_of_range(at);
    v = v * static_cast<uint64_t>(radix) + d;
  }
  if (v == kLimit && !negative) return out_of_range(at);
  int64_t i = v == kLimit ? std::numeric_limits<int64_t>::min()
                          : (negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v));
  return Value::make_integer(at, i);
}

Result<Value> lex_float(std::string_view token, Position at) {
  size_t sign = (token[0] == '+' || token[0] == '-') ? 1 : 0;
  bool negative = token[0] == '-';
  std::string_view body = token.substr(sign);
  if (body == "inf" || body == "nan") {
    double v = body == "inf" ? std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::quiet_NaN();
    return Value::make_float(at, negative ? -v : v);
  }
  size_t dot = body.find('.');
  size_t exp = body.find_first_of("eE");
  if (dot != std::string_view::npos && exp != std::string_view::npos && dot > exp) {
    return error_at(shifted(at, sign + dot), "a decimal point cannot follow the exponent");
  }
  std::string_view int_part = body.substr(0, std::min(dot, exp));
  HULL_TRY(check_digits(int_part, 10, at, sign, "before the decimal point"));
  if (int_part.size() > 1 && int_part[0] == '0') {
    return error_at(shifted(at, sign), "leading zeros are not allowed in a float");
  }
  std::string_view frac;
  if (dot != std::string_view::npos) {
    size_t end = exp == std::string_view::npos ? body.size() : exp;
    frac = body.substr(dot + 1, end - dot - 1);
    HULL_TRY(check_digits(frac, 10, at, sign + dot + 1, "after the decimal point"));
  }
  int64_t exponent = 0;
  if (exp != std::string_view::npos) {
    size_t e = exp + 1;
    bool exp_negative = e < body.size() && body[e] == '-';
    if (e < body.size() && (body[e] == '+' || body[e] == '-')) ++e;
    std::string_view digits = body.substr(e);
    HULL_TRY(check_digits(digits, 10, at, sign + e, "in the exponent"));
    for (char ch : digits) {
      if (ch != '_' && exponent < 1'000'000'000) exponent = exponent * 10 + (ch - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  std::string clean;  // without '+' and underscores: what from_chars reads
  for (char ch : token) {
    if (ch != '_' && ch != '+') clean += ch;
  }
  double v = 0;
  auto [end, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Too large is an error; too small rounds to zero. The magnitude is the position of the
    // first significant digit relative to the decimal point, plus the exponent.
    std::string digits;
    for (char ch : int_part) {
      if (ch != '_') digits += ch;
    }
    int64_t int_len = static_cast<int64_t>(digits.size());
    for (char ch : frac) {
      if (ch != '_') digits += ch;
    }
    size_t first = digits.find_first_not_of('0');
    int64_t magnitude = int_len - static_cast<int64_t>(first) + exponent;
    if (first != std::string::npos && magnitude > 0) {
      return error_at(at, "float out of range (larger than a 64-bit float can hold)");
    }
    v = negative ? -0.0 : 0.0;
  } else if (ec != std::errc() || end != clean.data() + clean.size()) {
    return error_at(at, "'" + std::string(token) + "' is not a valid float");
  }
  return Value::make_float(at, v);
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Reads dates and times at a fixed offset from the cursor without moving it.
class DateTimeScanner {
 public:
  explicit DateTimeScanner(const Cursor& c) : c_(c), at_(c.pos()) {}

  size_t length() const { return k_; }

  // `n` digits as a number, or -1.
  int digits(int n) {
    int v = 0;
    for (int j = 0; j < n; ++j) {
      char ch = c_.peek(k_ + static_cast<size_t>(j));
      if (!is_digit(ch)) return -1;
      v = v * 10 + (ch - '0');
    }
    k_ += static_cast<size_t>(n);
    return v;
  }
  bool take(char ch) {
    if (c_.peek(k_) != ch) return false;
    ++k_;
    return true;
  }
  char peek(size_t ahead = 0) const { return c_.peek(k_ + ahead); }
  void skip(size_t n) { k_ += n; }
  Error fail(std::string reason) const { return error_at(shifted(at_, k_), std::move(reason)); }
  Error fail_at(size_t k, std::string reason) const {
    return error_at(shifted(at_, k), std::move(reason));
  }

  // YYYY-MM-DD.
  Status date() {
    size_t start = k_;
    int year = digits(4);
    if (year < 0 || !take('-')) return fail("expected a date like 1979-05-27");
    int month = digits(2);
    if (month < 0 || !take('-')) return fail("expected a date like 1979-05-27");
    int day = digits(2);
    if (day < 0) return fail("expected a date like 1979-05-27 (two-digit day)");
    if (month < 1 || month > 12) return fail_at(start + 5, "the month must be 01 to 12");
    if (day < 1 || day > days_in_month(year, month)) {
      return fail_at(start + 8, "the day does not exist in that month");
    }
    return {};
  }

  // HH:MM:SS with optional fraction (TOML 1.0 requires the seconds).
  Status time() {
    size_t start = k_;
    int hour = digits(2);
    if (hour < 0 || !take(':')) return fail("expected a time like 07:32:00");
    int minute = digits(2);
    if (minute < 0) return fail("expected a time like 07:32:00");
    if (!take(':')) return fail("expected ':' and seconds (TOML 1.0 times are HH:MM:SS)");
    int second = digits(2);
    if (second < 0) return fail("expected two-digit seconds");
    if (hour > 23) return fail_at(start, "the hour must be 00 to 23");
    if (minute > 59) return fail_at(start + 3, "the minute must be 00 to 59");
    if (second > 60) return fail_at(start + 6, "the second must be 00 to 60");
    if (take('.')) {
      if (!is_digit(peek())) return fail("expected digits after the decimal point");
      while (is_digit(peek())) skip(1);
    }
    return {};
  }

  // Z, or +HH:MM / -HH:MM; false when there is none.
  Result<bool> offset() {
    if (take('Z') || take('z')) return true;
    if (peek() != '+' && peek() != '-') return false;
    skip(1);
    int hour = digits(2);
    if (hour < 0 || !take(':')) return fail("expected a time offset like +05:30");
    int minute = digits(2);
    if (minute < 0) return fail("expected a time offset like +05:30");
    if (hour > 23 || minute > 59) return fail_at(k_ - 5, "the offset is out of range");
    return true;
  }

 private:
  const Cursor& c_;
  Position at_;
  size_t k_ = 0;
};

Result<Value> lex_date_time(Cursor& c) {
  Position at = c.pos();
  DateTimeScanner s(c);
  Kind kind;
  if (c.peek(2) != ':') {  // the caller saw YYYY- or HH:
    HULL_TRY(s.date());
    kind = Kind::LocalDate;
    char sep = s.peek();
    // A space separates date and time only when a time follows; otherwise the date ends.
    bool time_follows =
        sep == 'T' || sep == 't' ||
        (sep == ' ' && is_digit(s.peek(1)) && is_digit(s.peek(2)) && s.peek(3) == ':');
    if (time_follows) {
      s.skip(1);
      HULL_TRY(s.time());
      Result<bool> has_offset = s.offset();
      if (!has_offset) return std::move(has_offset).error();
      kind = *has_offset ? Kind::OffsetDateTime : Kind::LocalDateTime;
    }
  } else {
    HULL_TRY(s.time());
    kind = Kind::LocalTime;
  }
  std::string text;
  for (size_t k = 0; k < s.length(); ++k) text += c.peek(k);
  c.advance(s.length());
  return Value::make_date_time(at, kind, std::move(text));
}

}  // namespace

Result<Value> lex_boolean(Cursor& c) {
  Position at = c.pos();
  if (c.starts_with("true")) {
    c.advance(4);
    return Value::make_boolean(at, true);
  }
  if (c.starts_with("false")) {
    c.advance(5);
    return Value::make_boolean(at, false);
  }
  std::string word;
  for (size_t k = 0; is_bare_key_char(c.peek(k)) && k < 40; ++k) word += c.peek(k);
  return error_at(at, "'" + word + "' is not a value (a string needs quotes)");
}

Result<Value> lex_number_or_date_time(Cursor& c) {
  Position at = c.pos();
  bool four_digits =
      is_digit(c.peek(0)) && is_digit(c.peek(1)) && is_digit(c.peek(2)) && is_digit(c.peek(3));
  if ((four_digits && c.peek(4) == '-') ||
      (is_digit(c.peek(0)) && is_digit(c.peek(1)) && c.peek(2) == ':')) {
    return lex_date_time(c);
  }
  std::string token = number_token(c);
  if (token.empty() || token == "+" || token == "-") {
    return error_at(at, "expected a number after the sign");
  }
  size_t sign = (token[0] == '+' || token[0] == '-') ? 1 : 0;
  std::string_view body = std::string_view(token).substr(sign);
  if (!is_digit(body[0]) && body != "inf" && body != "nan") {
    return error_at(at, "'" + token + "' is not a valid number");
  }
  Result<Value> v = Error{};
  if (body.size() >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
    if (sign) {
      return error_at(at, "a hexadecimal, octal or binary integer cannot have a sign");
    }
    v = lex_integer(token, at, body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2);
  } else if (body == "inf" || body == "nan" || body.find_first_of(".eE") != body.npos) {
    v = lex_float(token, at);
  } else {
    v = lex_integer(token, at, 10);
  }
  if (v) c.advance(token.size());
  return v;
}

}  // namespace hull::serve::toml::detail
