// HTTP fields (headers and trailers) independent of any ABI: what wasi:http/types' `fields`
// resource operates on. Names are RFC 9110 tokens, compared case-insensitively and kept in
// the casing they were given; values are field-content bytes (no CR, LF or NUL). Hop-by-hop
// and host-controlled headers are forbidden to guests (the list Wasmtime forbids by default),
// and fields a request or response hands out are immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wasi/core/resource_table.h"

namespace hull::wasi::http {

using FieldEntries = std::vector<std::pair<std::string, std::string>>;

// wasi:http/types header-error, in the WIT's order.
enum class HeaderError : uint8_t { invalid_syntax, forbidden, immutable };
const char* header_error_name(HeaderError e);

bool is_valid_field_name(std::string_view name);
bool is_valid_field_value(std::string_view value);
// Whether a guest may not set `name` itself (connection management, host, ...).
bool is_forbidden_field(std::string_view name);
bool field_name_equals(std::string_view a, std::string_view b);

// A wasi:http fields resource.
class Fields : public HostObject {
 public:
  Fields() = default;
  Fields(FieldEntries entries, bool immutable)
      : entries_(std::move(entries)), immutable_(immutable) {}

  // Checked construction (from-list): every name and value valid, none forbidden.
  static std::optional<HeaderError> check(const FieldEntries& entries);

  std::vector<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::optional<HeaderError> set(std::string_view name, const std::vector<std::string>& values);
  std::optional<HeaderError> remove(std::string_view name);
  std::optional<HeaderError> append(std::string_view name, std::string value);
  const FieldEntries& entries() const { return entries_; }
  bool immutable() const { return immutable_; }
  // The first value of `name`, if any.
  std::optional<std::string> first(std::string_view name) const;

 private:
  std::optional<HeaderError> check_change(std::string_view name) const;
  FieldEntries entries_;
  bool immutable_ = false;
};

}  // namespace hull::wasi::http
