// Result<T>: the one error type for recoverable failures across Hull's layers.
// Errors are values (no exceptions cross a layer boundary); a trap is a separate
// value type in the runtime layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hull {

// Which phase produced an error; wast assertions map onto these.
enum class ErrorKind : uint8_t {
  Malformed,      // binary or text could not be decoded/parsed (assert_malformed)
  Invalid,        // decoded but fails validation (assert_invalid)
  Unlinkable,     // imports do not match (assert_unlinkable)
  Uninstantiable, // instantiation failed, e.g. a trap in start / segment init
  Limit,          // an implementation limit was exceeded
  Io,             // a file could not be read
  Usage,          // bad command line / API misuse
};

const char* error_kind_name(ErrorKind k);

// A small error: kind, human-readable reason, and a location (byte offset into
// a binary, or line:column into a text), whichever applies.
struct Error {
  ErrorKind kind = ErrorKind::Malformed;
  std::string message;
  // Byte offset into the binary, or SIZE_MAX if not applicable.
  size_t offset = SIZE_MAX;
  // 1-based line/column into a text source, or 0 if not applicable.
  uint32_t line = 0;
  uint32_t column = 0;

  static Error malformed(std::string msg, size_t off = SIZE_MAX) {
    return Error{ErrorKind::Malformed, std::move(msg), off, 0, 0};
  }
  static Error invalid(std::string msg, size_t off = SIZE_MAX) {
    return Error{ErrorKind::Invalid, std::move(msg), off, 0, 0};
  }
  static Error at_text(ErrorKind k, std::string msg, uint32_t line, uint32_t col) {
    return Error{k, std::move(msg), SIZE_MAX, line, col};
  }
  static Error make(ErrorKind k, std::string msg) {
    return Error{k, std::move(msg), SIZE_MAX, 0, 0};
  }

  // "reason (at byte 0x1c)" / "3:14: reason" / "reason".
  std::string to_string() const;
};

// Result<T> holds either a T or an Error. Result<void> holds nothing or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error err) : v_(std::in_place_index<1>, std::move(err)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error err) : err_(std::move(err)) {}
  bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *err_; }
  Error&& error() && { return std::move(*err_); }

 private:
  std::optional<Error> err_;
};

using Status = Result<void>;

}  // namespace hull

// Propagate an error from an expression yielding Result<...>.
#define HULL_TRY(expr)                                     \
  do {                                                     \
    auto&& hull_try_r_ = (expr);                           \
    if (!hull_try_r_.ok()) return std::move(hull_try_r_).error(); \
  } while (0)

// Evaluate a Result<T>, bind its value to `lhs`, or propagate the error.
#define HULL_CONCAT_INNER_(a, b) a##b
#define HULL_CONCAT_(a, b) HULL_CONCAT_INNER_(a, b)
#define HULL_ASSIGN_OR_RETURN(lhs, expr) \
  HULL_ASSIGN_OR_RETURN_IMPL_(HULL_CONCAT_(hull_aor_, __LINE__), lhs, expr)
#define HULL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  lhs = std::move(tmp).value()
