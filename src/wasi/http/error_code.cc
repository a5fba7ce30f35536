// error-code names, component values and the io-error round trip.
#include "wasi/http/error_code.h"

#include <array>

namespace hull::wasi::http {

namespace {

const auto& kNames = cm::Wit<TypedErrorCode>::case_names;

// A case's payload from an ErrorCode's fields (what each payload type carries: error_code.h).
void fill(DnsErrorPayload& p, const ErrorCode& e) {
  p.rcode = e.text;
  if (e.number) p.info_code = static_cast<uint16_t>(*e.number);
}
void fill(TlsAlertReceivedPayload& p, const ErrorCode& e) {
  if (e.number) p.alert_id = static_cast<uint8_t>(*e.number);
  p.alert_message = e.text;
}
void fill(FieldSizePayload& p, const ErrorCode& e) {
  p.field_name = e.field_name;
  p.field_size = e.field_size;
}
void fill(std::optional<FieldSizePayload>& p, const ErrorCode& e) {
  if (e.field_name || e.field_size) fill(p.emplace(), e);
}
void fill(std::optional<uint32_t>& p, const ErrorCode& e) {
  if (e.number) p = static_cast<uint32_t>(*e.number);
}
void fill(std::optional<uint64_t>& p, const ErrorCode& e) { p = e.number; }
void fill(std::optional<std::string>& p, const ErrorCode& e) { p = e.text; }

// An ErrorCode's fields from a case's payload.
void read(const DnsErrorPayload& p, ErrorCode& e) {
  e.text = p.rcode;
  if (p.info_code) e.number = *p.info_code;
}
void read(const TlsAlertReceivedPayload& p, ErrorCode& e) {
  if (p.alert_id) e.number = *p.alert_id;
  e.text = p.alert_message;
}
void read(const FieldSizePayload& p, ErrorCode& e) {
  e.field_name = p.field_name;
  e.field_size = p.field_size;
}
void read(const std::optional<FieldSizePayload>& p, ErrorCode& e) {
  if (p) read(*p, e);
}
void read(const std::optional<uint32_t>& p, ErrorCode& e) {
  if (p) e.number = *p;
}
void read(const std::optional<uint64_t>& p, ErrorCode& e) { e.number = p; }
void read(const std::optional<std::string>& p, ErrorCode& e) { e.text = p; }

template <size_t I>
void emplace_case(TypedErrorCode& t, const ErrorCode& e) {
  auto& alt = t.value.emplace<I>();
  if constexpr (cm::detail::HasPayload<std::decay_t<decltype(alt)>>) fill(alt.value, e);
}

}  // namespace

const char* error_case_name(ErrorCase c) { return kNames[static_cast<size_t>(c)].data(); }

std::optional<ErrorCase> error_case_of(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<ErrorCase>(i);
  }
  return std::nullopt;
}

std::string ErrorCode::describe() const {
  std::string s = error_case_name(kind);
  if (text) s += ": " + *text;
  if (number) s += " (" + std::to_string(*number) + ")";
  if (field_name) s += " field " + *field_name;
  return s;
}

TypedErrorCode typed_error_code(const ErrorCode& e) {
  TypedErrorCode t;
  const size_t index = static_cast<size_t>(e.kind);
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((I == index ? emplace_case<I>(t, e) : void()), ...);
  }
  (std::make_index_sequence<std::variant_size_v<decltype(t.value)>>{});
  return t;
}

ErrorCode error_code_of(const TypedErrorCode& t) {
  ErrorCode e = ErrorCode::of(static_cast<ErrorCase>(t.value.index()));
  std::visit(
      [&](const auto& alt) {
        if constexpr (cm::detail::HasPayload<std::decay_t<decltype(alt)>>) read(alt.value, e);
      },
      t.value);
  return e;
}

cm::Val error_code_val(const ErrorCode& e) {
  return cm::Wit<TypedErrorCode>::to_val(typed_error_code(e));
}

ErrorCode error_code_of(const cm::Val& v) {
  auto t = cm::Wit<TypedErrorCode>::from_val(v);
  // The runtime checked the value against the WIT type; only a mistyped host value lands here.
  if (!t) return ErrorCode::internal("malformed error-code: " + t.error().message);
  return error_code_of(*t);
}

StreamStatus stream_failure(const ErrorCode& e) {
  return StreamStatus::failure(Errno::io, e.describe());
}

std::optional<ErrorCode> error_code_of_io(Errno code, std::string_view message) {
  size_t end = message.find_first_of(": (");
  if (auto kind = error_case_of(message.substr(0, end))) {
    ErrorCode e = ErrorCode::of(*kind);
    if (*kind == ErrorCase::internal_error && end != std::string_view::npos &&
        message.substr(end, 2) == ": ") {
      e.text = std::string(message.substr(end + 2));
    }
    return e;
  }
  switch (code) {
    case Errno::connrefused: return ErrorCode::of(ErrorCase::connection_refused);
    case Errno::connreset:
    case Errno::connaborted:
    case Errno::pipe: return ErrorCode::of(ErrorCase::connection_terminated);
    case Errno::timedout: return ErrorCode::of(ErrorCase::connection_timeout);
    default: return std::nullopt;
  }
}

}  // namespace hull::wasi::http
