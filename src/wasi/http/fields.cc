// HTTP field rules (RFC 9110 section 5) and the fields resource's operations.
#include "wasi/http/fields.h"

#include <algorithm>
#include <array>

namespace hull::wasi::http {

namespace {

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
//         "~" / DIGIT / ALPHA
// A table, not std::isalnum (a call into the C locale per byte): every header a guest sets is
// checked here, on each request.
constexpr std::array<bool, 256> kTchar = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();
bool is_tchar(unsigned char c) { return kTchar[c]; }

constexpr std::array<std::string_view, 9> kForbidden = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
    "http2-settings",
};

}  // namespace

const char* header_error_name(HeaderError e) {
  switch (e) {
    case HeaderError::invalid_syntax: return "invalid-syntax";
    case HeaderError::forbidden: return "forbidden";
    case HeaderError::immutable: return "immutable";
  }
  return "invalid-syntax";
}

bool is_valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(c); });
}

// field-value = *field-content; field-vchar = VCHAR / obs-text; SP and HTAB inside. Leading
// and trailing whitespace is tolerated (the http crate Wasmtime uses does the same); what
// matters for safety is that no CR, LF or NUL can split or end the field.
bool is_valid_field_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

bool field_name_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_forbidden_field(std::string_view name) {
  return std::any_of(kForbidden.begin(), kForbidden.end(),
                     [&](std::string_view f) { return field_name_equals(f, name); });
}

std::optional<HeaderError> Fields::check(const FieldEntries& entries) {
  for (const auto& [name, value] : entries) {
    if (!is_valid_field_name(name) || !is_valid_field_value(value)) {
      return HeaderError::invalid_syntax;
    }
    if (is_forbidden_field(name)) return HeaderError::forbidden;
  }
  return std::nullopt;
}

std::vector<std::string> Fields::get(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : entries_) {
    if (field_name_equals(n, name)) out.push_back(v);
  }
  return out;
}

bool Fields::has(std::string_view name) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const auto& e) { return field_name_equals(e.first, name); });
}

std::optional<std::string> Fields::first(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (field_name_equals(n, name)) return v;
  }
  return std::nullopt;
}

std::optional<HeaderError> Fields::check_change(std::string_view name) const {
  if (immutable_) return HeaderError::immutable;
  if (!is_valid_field_name(name)) return HeaderError::invalid_syntax;
  if (is_forbidden_field(name)) return HeaderError::forbidden;
  return std::nullopt;
}

std::optional<HeaderError> Fields::set(std::string_view name,
                                       const std::vector<std::string>& values) {
  if (auto e = check_change(name)) return e;
  for (const auto& v : values) {
    if (!is_valid_field_value(v)) return HeaderError::invalid_syntax;
  }
  // The new values take the place of the first old one, so the order of names is kept.
  auto at = std::find_if(entries_.begin(), entries_.end(),
                         [&](const auto& e) { return field_name_equals(e.first, name); });
  size_t index = static_cast<size_t>(at - entries_.begin());
  std::erase_if(entries_, [&](const auto& e) { return field_name_equals(e.first, name); });
  index = std::min(index, entries_.size());
  FieldEntries added;
  for (const auto& v : values) added.emplace_back(std::string(name), v);
  entries_.insert(entries_.begin() + static_cast<ptrdiff_t>(index), added.begin(), added.end());
  return std::nullopt;
}

std::optional<HeaderError> Fields::remove(std::string_view name) {
  if (auto e = check_change(name)) return e;
  std::erase_if(entries_, [&](const auto& e) { return field_name_equals(e.first, name); });
  return std::nullopt;
}

std::optional<HeaderError> Fields::append(std::string_view name, std::string value) {
  if (auto e = check_change(name)) return e;
  if (!is_valid_field_value(value)) return HeaderError::invalid_syntax;
  // Room for a response's usual handful at once, not 1, 2, 4, 8 by reallocation (each one
  // moving every entry so far): a guest appends its headers one by one on every request.
  if (entries_.capacity() < 8) entries_.reserve(8);
  entries_.emplace_back(std::string(name), std::move(value));
  return std::nullopt;
}

}  // namespace hull::wasi::http
