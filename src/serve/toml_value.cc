// The TOML document model (see toml.h): values, arrays and tables with positions.
#include "serve/toml.h"

namespace hull::serve::toml {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::String: return "a string";
    case Kind::Integer: return "an integer";
    case Kind::Float: return "a float";
    case Kind::Boolean: return "a boolean";
    case Kind::OffsetDateTime: return "a date-time";
    case Kind::LocalDateTime: return "a local date-time";
    case Kind::LocalDate: return "a date";
    case Kind::LocalTime: return "a time";
    case Kind::Array: return "an array";
    case Kind::Table: return "a table";
  }
  return "a value";
}

// Out of line: Array and Table are incomplete where Value is declared.
Value::Value() = default;
Value::~Value() = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(Value&&) noexcept = default;

Value Value::make_string(Position at, std::string text) {
  Value v;
  v.kind_ = Kind::String;
  v.pos_ = at;
  v.text_ = std::move(text);
  return v;
}

Value Value::make_integer(Position at, int64_t i) {
  Value v;
  v.kind_ = Kind::Integer;
  v.pos_ = at;
  v.integer_ = i;
  return v;
}

Value Value::make_float(Position at, double f) {
  Value v;
  v.kind_ = Kind::Float;
  v.pos_ = at;
  v.float_ = f;
  return v;
}

Value Value::make_boolean(Position at, bool b) {
  Value v;
  v.kind_ = Kind::Boolean;
  v.pos_ = at;
  v.boolean_ = b;
  return v;
}

Value Value::make_date_time(Position at, Kind kind, std::string text) {
  Value v;
  v.kind_ = kind;
  v.pos_ = at;
  v.text_ = std::move(text);
  return v;
}

Value Value::make_array(Position at) {
  Value v;
  v.kind_ = Kind::Array;
  v.pos_ = at;
  v.array_ = std::make_unique<Array>();
  return v;
}

Value Value::make_table(Table table) {
  Value v;
  v.kind_ = Kind::Table;
  v.pos_ = table.pos();
  v.table_ = std::make_unique<Table>(std::move(table));
  return v;
}

// A table's position can change after it is made (an implicit table defined by its header).
Position Value::pos() const { return table_ ? table_->pos() : pos_; }

bool Value::is_date_time() const {
  return kind_ == Kind::OffsetDateTime || kind_ == Kind::LocalDateTime ||
         kind_ == Kind::LocalDate || kind_ == Kind::LocalTime;
}

std::optional<int64_t> Value::as_integer() const {
  if (!is_integer()) return std::nullopt;
  return integer_;
}

std::optional<double> Value::as_float() const {
  if (!is_float()) return std::nullopt;
  return float_;
}

std::optional<bool> Value::as_boolean() const {
  if (!is_boolean()) return std::nullopt;
  return boolean_;
}

std::optional<std::string_view> Value::as_date_time() const {
  if (!is_date_time()) return std::nullopt;
  return std::string_view(text_);
}

namespace {
// Below this many keys a linear scan is cheaper than a hash map (and most tables are small).
constexpr size_t kIndexFrom = 16;
}  // namespace

const Entry* Table::find_entry(std::string_view key) const {
  if (!index_.empty()) {
    auto it = index_.find(std::string(key));
    return it == index_.end() ? nullptr : &entries_[it->second];
  }
  for (const Entry& e : entries_) {
    if (e.key.name == key) return &e;
  }
  return nullptr;
}

Entry* Table::find_entry(std::string_view key) {
  return const_cast<Entry*>(static_cast<const Table*>(this)->find_entry(key));
}

const Value* Table::find(std::string_view key) const {
  const Entry* e = find_entry(key);
  return e ? &e->value : nullptr;
}

Value* Table::find(std::string_view key) {
  Entry* e = find_entry(key);
  return e ? &e->value : nullptr;
}

Value& Table::insert(Key key, Value value) {
  entries_.push_back(Entry{std::move(key), std::move(value)});
  if (!index_.empty()) {
    index_.emplace(entries_.back().key.name, entries_.size() - 1);
  } else if (entries_.size() >= kIndexFrom) {
    for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].key.name, i);
  }
  return entries_.back().value;
}

}  // namespace hull::serve::toml
