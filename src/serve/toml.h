// Hull's TOML 1.0 reader (https://toml.io/en/v1.0.0) for the serve layer's app manifest and
// runtime config. Written for hostile input: every malformed document is an Error with the
// line:column of the problem and a reason, never a crash, an assertion or unbounded recursion.
//   - The document model keeps the position of every key and value, so callers can point at
//     the exact place a setting came from.
//   - Tables keep their keys in document order (a user reading an error list or a component
//     list sees the order they wrote).
//   - Nesting (arrays, inline tables, dotted keys, [a.b.c] headers) is limited in depth, and
//     the document in size, so a nesting bomb or a huge file is a clean error.
//   - Dates and times are validated and kept as their text: the serve layer never needs their
//     value, only a message naming their type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace hull::serve::toml {

// 1-based line and column (columns count characters, not bytes); 0:0 when unknown.
struct Position {
  uint32_t line = 0;
  uint32_t column = 0;
};

enum class Kind : uint8_t {
  String,
  Integer,
  Float,
  Boolean,
  OffsetDateTime,  // 1979-05-27T07:32:00Z
  LocalDateTime,   // 1979-05-27T07:32:00
  LocalDate,       // 1979-05-27
  LocalTime,       // 07:32:00
  Array,
  Table,
};

// "a string", "an integer", ... for "expected X, found Y" messages.
const char* kind_name(Kind k);

class Array;
class Table;

// One TOML value with the position of its first character (the opening quote, bracket or brace,
// the sign or first digit; for a table made by a header, the header's '[').
class Value {
 public:
  Value();
  ~Value();
  Value(Value&&) noexcept;
  Value& operator=(Value&&) noexcept;

  static Value make_string(Position at, std::string text);
  static Value make_integer(Position at, int64_t v);
  static Value make_float(Position at, double v);
  static Value make_boolean(Position at, bool v);
  // `kind` is one of the four date/time kinds; `text` is the validated text as written.
  static Value make_date_time(Position at, Kind kind, std::string text);
  static Value make_array(Position at);
  static Value make_table(Table table);

  Kind kind() const { return kind_; }
  Position pos() const;
  const char* kind_name() const { return toml::kind_name(kind_); }

  bool is_string() const { return kind_ == Kind::String; }
  bool is_integer() const { return kind_ == Kind::Integer; }
  bool is_float() const { return kind_ == Kind::Float; }
  bool is_boolean() const { return kind_ == Kind::Boolean; }
  bool is_date_time() const;  // any of the four date/time kinds
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_table() const { return kind_ == Kind::Table; }

  // Each accessor yields nothing when the value is of another kind.
  const std::string* as_string() const { return is_string() ? &text_ : nullptr; }
  std::optional<int64_t> as_integer() const;
  std::optional<double> as_float() const;
  std::optional<bool> as_boolean() const;
  std::optional<std::string_view> as_date_time() const;
  const Array* as_array() const { return array_.get(); }
  Array* as_array() { return array_.get(); }
  const Table* as_table() const { return table_.get(); }
  Table* as_table() { return table_.get(); }

 private:
  Kind kind_ = Kind::Boolean;
  Position pos_;
  bool boolean_ = false;
  int64_t integer_ = 0;
  double float_ = 0;
  std::string text_;  // a string's value, or a date/time's text
  std::unique_ptr<Array> array_;
  std::unique_ptr<Table> table_;
};

class Array {
 public:
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Value& operator[](size_t i) const { return items_[i]; }
  const Value* get(size_t i) const { return i < items_.size() ? &items_[i] : nullptr; }
  std::vector<Value>::const_iterator begin() const { return items_.begin(); }
  std::vector<Value>::const_iterator end() const { return items_.end(); }

  // Made by [[header]]s (and only extendable by them), as opposed to a `key = [...]` value.
  bool is_array_of_tables() const { return of_tables_; }
  void set_array_of_tables() { of_tables_ = true; }
  Value& push_back(Value v) { return items_.emplace_back(std::move(v)); }
  Value& back() { return items_.back(); }

 private:
  std::vector<Value> items_;
  bool of_tables_ = false;
};

struct Key {
  std::string name;  // unquoted and unescaped
  Position pos;      // of its first character (a quote, for a quoted key)
};

// A key and its value; `for (auto&& [key, value] : table)` walks a table in document order.
struct Entry {
  Key key;
  Value value;
};

class Table {
 public:
  // How the table came to exist decides how it may be extended later (TOML 1.0's rules).
  enum class Origin : uint8_t {
    Root,
    Header,    // [a.b], or an element of [[a.b]]: defined, may get sub-tables from headers
    Implicit,  // `a` of [a.b]: not yet defined, a later [a] may define it
    Dotted,    // `a` of a.b = 1: extendable by more dotted keys, not definable by [a]
    Inline,    // { ... }: closed, nothing may be added outside its braces
  };

  Table() = default;
  Table(Origin origin, Position at, uint32_t depth) : pos_(at), origin_(origin), depth_(depth) {}
  Table(Table&&) noexcept = default;
  Table& operator=(Table&&) noexcept = default;

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  const Entry* find_entry(std::string_view key) const;
  Entry* find_entry(std::string_view key);
  bool contains(std::string_view key) const { return find_entry(key) != nullptr; }

  // The header's '[' for a table made by one, the '{' of an inline table, else the first key
  // that made the table exist.
  Position pos() const { return pos_; }
  Origin origin() const { return origin_; }
  // Levels of tables and arrays above this table (the root is at 0).
  uint32_t depth() const { return depth_; }

  // For the parser: `key` must not be in the table yet.
  Value& insert(Key key, Value value);
  // An implicit table defined later by its own [header].
  void define(Origin origin, Position at) {
    origin_ = origin;
    pos_ = at;
  }

 private:
  std::vector<Entry> entries_;
  // Key → index into entries_, built once a table is big enough for linear search to cost.
  std::unordered_map<std::string, size_t> index_;
  Position pos_{1, 1};
  Origin origin_ = Origin::Root;
  uint32_t depth_ = 0;
};

struct Limits {
  size_t max_bytes = size_t{10} << 20;  // 10 MiB: far beyond any manifest
  uint32_t max_depth = 64;              // levels of nested tables and arrays
};

// Parses a whole document into its root table. A failure is ErrorKind::Malformed (or Limit,
// for the size and depth limits) with line and column set and the reason as the message.
Result<Table> parse(std::string_view text, const Limits& limits = {});

// "file:line:col: reason" for an error from parse().
std::string format_error(std::string_view file, const Error& e);

}  // namespace hull::serve::toml
