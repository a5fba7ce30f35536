// The TOML 1.0 document parser (see toml.h): the line structure (key/value pairs, [table] and
// [[array of tables]] headers, comments), arrays and inline tables, and the rules for which
// tables may be defined or extended where. Scalars come from toml_lexer.cc.
//
// Recursion happens only for nested arrays and inline tables, and every level is counted
// against Limits::max_depth before it is entered, as is every table a header or dotted key
// creates; the document model's destructors recurse no deeper than that either.
#include <cstdio>
#include <string>
#include <vector>

#include "serve/toml.h"
#include "serve/toml_lexer.h"

namespace hull::serve::toml {

namespace {

using detail::Cursor;
using detail::describe_char;
using detail::error_at;
using Origin = Table::Origin;

std::string where(Position p) {
  return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column);
}

// A key as written in TOML: bare when it can be, else "quoted".
std::string key_text(std::string_view name) {
  bool bare = !name.empty();
  for (char ch : name) bare = bare && detail::is_bare_key_char(ch);
  if (bare) return std::string(name);
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

// The first `count` keys of `path` as a dotted key ("a.b.c").
std::string dotted(const std::vector<Key>& path, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < path.size(); ++i) {
    if (i) out += '.';
    out += key_text(path[i].name);
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits) : c_(text), limits_(limits) {}

  Result<Table> run() {
    for (;;) {
      skip_blank();
      if (c_.eof()) break;
      char ch = c_.peek();
      if (ch == '#') {
        HULL_TRY(skip_comment());
      } else if (ch == '\n' || ch == '\r') {
        HULL_TRY(skip_newline());
      } else if (ch == '[') {
        HULL_TRY(header());
        HULL_TRY(line_end("after the table header"));
      } else {
        HULL_TRY(key_value(*current_));
        HULL_TRY(line_end("after the value"));
      }
    }
    return std::move(root_);
  }

 private:
  void skip_blank() {
    while (c_.peek() == ' ' || c_.peek() == '\t') c_.advance();
  }

  // At '\n' or '\r'.
  Status skip_newline() {
    if (c_.peek() == '\r') {
      if (c_.peek(1) != '\n') {
        return error_at(c_.pos(), "a carriage return must be followed by a newline");
      }
      c_.advance();
    }
    c_.advance();
    return {};
  }

  // At '#': up to (not including) the end of the line.
  Status skip_comment() {
    c_.advance();
    while (!c_.eof()) {
      unsigned char ch = static_cast<unsigned char>(c_.peek());
      if (ch == '\n' || (ch == '\r' && c_.peek(1) == '\n')) return {};
      if (detail::is_forbidden_control(ch)) {
        return error_at(c_.pos(), describe_char(c_) + " is not allowed in a comment");
      }
      c_.advance();
    }
    return {};
  }

  // Blanks, an optional comment, then a newline or the end of the document.
  Status line_end(const char* after) {
    skip_blank();
    if (c_.peek() == '#') HULL_TRY(skip_comment());
    if (c_.eof()) return {};
    if (c_.peek() == '\n' || (c_.peek() == '\r' && c_.peek(1) == '\n')) return skip_newline();
    return error_at(c_.pos(), std::string("expected the end of the line ") + after + ", found " +
                                  describe_char(c_) + " (one key = value or [header] per line)");
  }

  // Inside an array, values may be separated by blanks, newlines and comments.
  Status skip_array_space() {
    for (;;) {
      skip_blank();
      char ch = c_.peek();
      if (ch == '#') {
        HULL_TRY(skip_comment());
      } else if (ch == '\n' || ch == '\r') {
        HULL_TRY(skip_newline());
      } else {
        return {};
      }
    }
  }

  Status check_depth(uint32_t depth, Position at) {
    if (depth <= limits_.max_depth) return {};
    return error_at(at,
                    "too deeply nested (more than " + std::to_string(limits_.max_depth) +
                        " levels of tables and arrays)",
                    ErrorKind::Limit);
  }

  // key, or key.key.key with optional blanks around the dots; consumes blanks after it.
  Result<std::vector<Key>> key_path() {
    std::vector<Key> path;
    for (;;) {
      Position at = c_.pos();
      Result<std::string> name = detail::lex_simple_key(c_);
      if (!name) return std::move(name).error();
      path.push_back(Key{std::move(*name), at});
      HULL_TRY(check_depth(static_cast<uint32_t>(path.size()), at));
      skip_blank();
      if (c_.peek() != '.') return path;
      c_.advance();
      skip_blank();
    }
  }

  // key = value, into `table` (the current table, or an inline table being read).
  Status key_value(Table& table) {
    Result<std::vector<Key>> path = key_path();
    if (!path) return std::move(path).error();
    if (c_.peek() != '=') {
      return error_at(c_.pos(), "expected '=' after the key " + dotted(*path, path->size()) +
                                    ", found " + describe_char(c_));
    }
    c_.advance();
    skip_blank();
    uint32_t depth = table.depth() + static_cast<uint32_t>(path->size());
    Result<Value> v = value(depth);
    if (!v) return std::move(v).error();
    return assign(table, *path, std::move(*v));
  }

  // Puts `v` at the dotted `path` under `base`, creating the tables before the last key.
  // TOML 1.0: dotted keys may only walk into tables that dotted keys created; a table from a
  // [header] or an inline table is closed to them, and no key may be defined twice.
  Status assign(Table& base, const std::vector<Key>& path, Value v) {
    Table* t = &base;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      const Key& k = path[i];
      Entry* e = t->find_entry(k.name);
      if (!e) {
        uint32_t depth = t->depth() + 1;
        HULL_TRY(check_depth(depth, k.pos));
        t = t->insert(k, Value::make_table(Table(Origin::Dotted, k.pos, depth))).as_table();
        continue;
      }
      std::string name = dotted(path, i + 1);
      Table* sub = e->value.as_table();
      if (!sub) {
        return error_at(k.pos, "'" + name + "' is already " + e->value.kind_name() +
                                   " (defined at " + where(e->key.pos) +
                                   "), so it cannot have keys");
      }
      if (sub->origin() == Origin::Inline) {
        return error_at(k.pos, "'" + name + "' is an inline table (defined at " +
                                   where(sub->pos()) +
                                   "): nothing can be added to it outside its braces");
      }
      if (sub->origin() != Origin::Dotted) {
        return error_at(k.pos, "'" + name + "' is a table with a [header] (at " +
                                   where(sub->pos()) +
                                   "): dotted keys cannot add to it (write the key under that "
                                   "header)");
      }
      t = sub;
    }
    const Key& last = path.back();
    if (const Entry* e = t->find_entry(last.name)) {
      return error_at(last.pos, "'" + dotted(path, path.size()) + "' is defined twice (first at " +
                                    where(e->key.pos) + ")");
    }
    t->insert(last, std::move(v));
    return {};
  }

  // [a.b.c] or [[a.b.c]]: finds or makes the table and makes it the current one.
  Status header() {
    Position at = c_.pos();
    bool array_of_tables = c_.peek(1) == '[';
    c_.advance(array_of_tables ? 2 : 1);
    skip_blank();
    Result<std::vector<Key>> keys = key_path();
    if (!keys) return std::move(keys).error();
    const std::vector<Key>& path = *keys;
    if (array_of_tables ? !c_.starts_with("]]") : c_.peek() != ']') {
      return error_at(c_.pos(), std::string("expected '") + (array_of_tables ? "]]" : "]") +
                                    "' to close the header, found " + describe_char(c_));
    }
    c_.advance(array_of_tables ? 2 : 1);

    // Every table on the way may be walked through, whatever made it, except an inline table
    // (closed) and a static array; an array of tables stands for its last table.
    Table* t = &root_;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      const Key& k = path[i];
      Entry* e = t->find_entry(k.name);
      if (!e) {
        uint32_t depth = t->depth() + 1;
        HULL_TRY(check_depth(depth, k.pos));
        t = t->insert(k, Value::make_table(Table(Origin::Implicit, k.pos, depth))).as_table();
        continue;
      }
      std::string name = dotted(path, i + 1);
      Value& v = e->value;
      if (Table* sub = v.as_table()) {
        if (sub->origin() == Origin::Inline) {
          return error_at(k.pos, "'" + name + "' is an inline table (defined at " +
                                     where(sub->pos()) +
                                     "): nothing can be added to it outside its braces");
        }
        t = sub;
      } else if (Array* arr = v.as_array(); arr && arr->is_array_of_tables()) {
        t = arr->back().as_table();
      } else if (v.is_array()) {
        return error_at(k.pos, "'" + name + "' is a static array (defined at " + where(e->key.pos) +
                                   "): a [header] cannot extend it");
      } else {
        return error_at(k.pos, "'" + name + "' is already " + v.kind_name() + " (defined at " +
                                   where(e->key.pos) + "), not a table");
      }
    }

    const Key& last = path.back();
    std::string name = dotted(path, path.size());
    uint32_t depth = t->depth() + 1;
    Entry* e = t->find_entry(last.name);
    if (!array_of_tables) {
      if (!e) {
        HULL_TRY(check_depth(depth, at));
        current_ = t->insert(last, Value::make_table(Table(Origin::Header, at, depth))).as_table();
        return {};
      }
      if (Table* sub = e->value.as_table()) {
        switch (sub->origin()) {
          case Origin::Implicit:
            sub->define(Origin::Header, at);
            current_ = sub;
            return {};
          case Origin::Dotted:
            return error_at(at, "table [" + name + "] is already defined by dotted keys (at " +
                                    where(sub->pos()) + "); a table cannot be defined twice");
          case Origin::Inline:
            return error_at(at, "table [" + name + "] is already defined as an inline table (at " +
                                    where(sub->pos()) + ")");
          case Origin::Header:
          case Origin::Root: break;
        }
        return error_at(
            at, "table [" + name + "] is defined twice (first at " + where(sub->pos()) + ")");
      }
      if (const Array* arr = e->value.as_array(); arr && arr->is_array_of_tables()) {
        return error_at(at, "[" + name + "] is an array of tables (first [[" + name + "]] at " +
                                where(e->value.pos()) + "): write [[" + name +
                                "]] to add a table to it");
      }
      return error_at(at, "[" + name + "] cannot be a table: the key is already " +
                              e->value.kind_name() + " (defined at " + where(e->key.pos) + ")");
    }

    HULL_TRY(check_depth(depth + 1, at));  // the array, and its table one level further
    Array* arr = nullptr;
    if (!e) {
      Value fresh = Value::make_array(at);
      fresh.as_array()->set_array_of_tables();
      arr = t->insert(last, std::move(fresh)).as_array();
    } else if (Array* existing = e->value.as_array(); existing && existing->is_array_of_tables()) {
      arr = existing;
    } else if (e->value.is_array()) {
      return error_at(at, "[[" + name + "]] cannot add to the static array defined at " +
                              where(e->key.pos) + " (write all its elements there)");
    } else {
      return error_at(at, "[[" + name + "]] cannot be an array of tables: the key is already " +
                              e->value.kind_name() + " (defined at " + where(e->key.pos) + ")");
    }
    current_ = arr->push_back(Value::make_table(Table(Origin::Header, at, depth + 1))).as_table();
    return {};
  }

  // A value of any kind; `depth` is the level it would have if it is an array or a table.
  Result<Value> value(uint32_t depth) {
    char ch = c_.peek();
    if (ch == '"' || ch == '\'') return detail::lex_string(c_);
    if (ch == '[') return array(depth);
    if (ch == '{') return inline_table(depth);
    if (detail::is_digit(ch) || ch == '+' || ch == '-' || c_.starts_with("inf") ||
        c_.starts_with("nan")) {
      return detail::lex_number_or_date_time(c_);
    }
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) return detail::lex_boolean(c_);
    return error_at(c_.pos(),
                    "expected a value (a string, number, boolean, date, array or "
                    "inline table), found " +
                        describe_char(c_));
  }

  // [ value, value, ... ] over any number of lines, with comments and a trailing comma.
  Result<Value> array(uint32_t depth) {
    Position at = c_.pos();
    HULL_TRY(check_depth(depth, at));
    Value result = Value::make_array(at);
    c_.advance();
    for (;;) {
      HULL_TRY(skip_array_space());
      if (c_.eof()) return error_at(at, "unterminated array (no closing ']')");
      if (c_.peek() == ']') break;
      Result<Value> item = value(depth + 1);
      if (!item) return std::move(item).error();
      result.as_array()->push_back(std::move(*item));
      HULL_TRY(skip_array_space());
      if (c_.eof()) return error_at(at, "unterminated array (no closing ']')");
      if (c_.peek() == ']') break;
      if (c_.peek() != ',') {
        return error_at(c_.pos(), "expected ',' or ']' in the array, found " + describe_char(c_));
      }
      c_.advance();
    }
    c_.advance();
    return result;
  }

  // { key = value, ... } on one line, without a trailing comma (TOML 1.0).
  Result<Value> inline_table(uint32_t depth) {
    Position at = c_.pos();
    HULL_TRY(check_depth(depth, at));
    Table table(Origin::Inline, at, depth);
    c_.advance();
    skip_blank();
    if (c_.peek() == '}') {
      c_.advance();
      return Value::make_table(std::move(table));
    }
    for (;;) {
      HULL_TRY(inline_table_continues(at));
      HULL_TRY(key_value(table));
      skip_blank();
      HULL_TRY(inline_table_continues(at));
      if (c_.peek() == '}') break;
      if (c_.peek() != ',') {
        return error_at(c_.pos(),
                        "expected ',' or '}' in the inline table, found " + describe_char(c_));
      }
      c_.advance();
      skip_blank();
      if (c_.peek() == '}') {
        return error_at(c_.pos(), "a trailing comma is not allowed in an inline table");
      }
    }
    c_.advance();
    return Value::make_table(std::move(table));
  }

  Status inline_table_continues(Position start) {
    if (c_.eof()) return error_at(start, "unterminated inline table (no closing '}')");
    if (c_.peek() == '\n' || c_.peek() == '\r') {
      return error_at(c_.pos(),
                      "an inline table must be on one line (TOML 1.0); close it with '}' or "
                      "use a [table]");
    }
    return {};
  }

  Cursor c_;
  Limits limits_;
  Table root_;
  Table* current_ = &root_;
};

}  // namespace

Result<Table> parse(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error::at_text(ErrorKind::Limit,
                          "the document is " + std::to_string(text.size()) +
                              " bytes; the limit is " + std::to_string(limits.max_bytes),
                          1, 1);
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte order mark
  if (size_t bad = detail::find_invalid_utf8(text); bad != std::string_view::npos) {
    Cursor c(text);
    c.advance(bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(text[bad]));
    return error_at(c.pos(), std::string("invalid UTF-8 (byte 0x") + hex +
                                 "); a TOML document must be UTF-8 text");
  }
  return Parser(text, limits).run();
}

std::string format_error(std::string_view file, const Error& e) {
  return std::string(file) + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " +
         e.message;
}

}  // namespace hull::serve::toml
