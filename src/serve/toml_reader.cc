// TOML value checking with positions (see toml_reader.h).
#include "serve/toml_reader.h"

namespace hull::serve {

namespace {

bool bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Debian's toml++ 3.3.0 reaches __builtin_unreachable (undefined behaviour; an assertion in
// debug builds) on some malformed input that fuzzing found: a non-ASCII character where it
// skips whitespace, and a key that starts with neither a bare-key character nor a quote. Both
// are syntax errors in TOML 1.0 anyway, so they are reported here, before toml++ sees them.
// Strings and comments (where any character is allowed) are skipped.
std::optional<SourcePos> find_unsafe_syntax(std::string_view t, const std::string& file,
                                            std::string* why) {
  uint32_t line = 1, col = 1;
  size_t i = 0;
  auto at = [&] { return SourcePos{file, line, col}; };
  auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && i < t.size(); ++k, ++i) {
      if (t[i] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) {
        ++col;
      }
    }
  };
  // Where a key must start: after '[' / '[[' of a header, after '{' or ',' in an inline table.
  auto check_key_start = [&]() -> bool {
    size_t j = i;
    while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
    if (j >= t.size()) return true;
    char c = t[j];
    return bare_key_char(c) || c == '"' || c == '\'' || c == '}' || c == '\n' || c == '\r' ||
           c == '#' || c == '[' || c == ']';
  };
  int inline_depth = 0, array_depth = 0;
  bool line_start = true;
  while (i < t.size()) {
    char c = t[i];
    if (c == '#') {
      while (i < t.size() && t[i] != '\n') advance(1);
      continue;
    }
    if (c == '"' || c == '\'') {
      bool multi = t.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "\'\'\'");
      advance(multi ? 3 : 1);
      while (i < t.size()) {
        if (c == '"' && t[i] == '\\') {
          advance(2);
          continue;
        }
        if (multi ? t.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "\'\'\'")
                  : t[i] == c) {
          advance(multi ? 3 : 1);
          break;
        }
        if (!multi && t[i] == '\n') break;  // unterminated: toml++ reports it
        advance(1);
      }
      line_start = false;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      *why = "a non-ASCII character outside a string or comment (quote the key or value)";
      return at();
    }
    if ((c == '[' && line_start) || (c == '{') || (c == ',' && inline_depth > 0)) {
      if (c == '{') ++inline_depth;
      advance(1);
      if (c == '[' && i < t.size() && t[i] == '[') advance(1);
      if (!check_key_start()) {
        *why = "a key must start with a letter, digit, '_', '-' or a quote";
        return at();
      }
      line_start = false;
      continue;
    }
    if (c == '}' && inline_depth > 0) --inline_depth;
    // Where a value must start (after '=', or after ',' / '[' inside an array): toml++ asserts
    // that no terminator is there, so a misplaced one is reported here.
    if (c == '=' || (c == ',' && inline_depth == 0 && array_depth > 0) ||
        (c == '[' && !line_start)) {
      if (c == '[') ++array_depth;
      size_t j = i + 1;
      while (j < t.size() &&
             (t[j] == ' ' || t[j] == '\t' || (c != '=' && (t[j] == '\n' || t[j] == '\r')))) {
        ++j;
      }
      if (j < t.size() &&
          (t[j] == '}' || t[j] == ',' || t[j] == '=' || (c == '=' && t[j] == ']'))) {
        advance(j - i);
        *why = std::string("a value is missing before '") + t[j] + "'";
        return at();
      }
    }
    if (c == ']' && array_depth > 0) --array_depth;
    if (c == '\n') {
      line_start = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      line_start = false;
    }
    advance(1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<toml::table> TomlReader::parse(std::string_view text) {
  std::string why;
  if (auto at = find_unsafe_syntax(text, file_, &why)) {
    diags_.error(*at, "TOML syntax error: " + why);
    return std::nullopt;
  }
  toml::parse_result r = toml::parse(text, file_);
  if (!r) {
    const toml::parse_error& e = r.error();
    diags_.error(pos(e.source()), "TOML syntax error: " + std::string(e.description()) +
                                      " (fix the syntax at this position)");
    return std::nullopt;
  }
  return std::move(r).table();
}

SourcePos TomlReader::pos(const toml::source_region& r) const {
  return SourcePos{file_, static_cast<uint32_t>(r.begin.line),
                   static_cast<uint32_t>(r.begin.column)};
}

const char* TomlReader::type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

std::optional<std::string> TomlReader::string(const toml::node& n, std::string_view what) {
  if (auto s = n.value<std::string>(); s && n.is_string()) return s;
  diags_.error(pos(n), std::string(what) + ": expected a string, found " + type_name(n));
  return std::nullopt;
}

std::optional<bool> TomlReader::boolean(const toml::node& n, std::string_view what) {
  if (n.is_boolean()) return n.value<bool>();
  diags_.error(pos(n), std::string(what) + ": expected true or false, found " + type_name(n));
  return std::nullopt;
}

std::optional<std::vector<std::string>> TomlReader::strings(const toml::node& n,
                                                            std::string_view what) {
  const toml::array* a = n.as_array();
  if (!a) {
    diags_.error(pos(n), std::string(what) + ": expected an array of strings, found " +
                             type_name(n) + " (write [\"...\", \"...\"])");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const toml::node& e : *a) {
    if (auto s = string(e, std::string(what) + " element")) {
      out.push_back(std::move(*s));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

const toml::table* TomlReader::table(const toml::node& n, std::string_view what) {
  if (const toml::table* t = n.as_table()) return t;
  diags_.error(pos(n), std::string(what) + ": expected a table, found " + type_name(n));
  return nullptr;
}

void TomlReader::unknown_key(const toml::key& k, std::string_view where, std::string_view known) {
  diags_.warn(pos(k), "unknown key '" + std::string(k.str()) + "' in " + std::string(where) +
                          " is ignored (check its spelling; known keys: " + std::string(known) +
                          ")");
}

}  // namespace hull::serve
