// error-code names, component values and the io-error round trip.
#include "wasi/http/error_code.h"

#include <array>

namespace hull::wasi::http {

namespace {

constexpr std::array<const char*, 39> kNames = {
    "DNS-timeout",
    "DNS-error",
    "destination-not-found",
    "destination-unavailable",
    "destination-IP-prohibited",
    "destination-IP-unroutable",
    "connection-refused",
    "connection-terminated",
    "connection-timeout",
    "connection-read-timeout",
    "connection-write-timeout",
    "connection-limit-reached",
    "TLS-protocol-error",
    "TLS-certificate-error",
    "TLS-alert-received",
    "HTTP-request-denied",
    "HTTP-request-length-required",
    "HTTP-request-body-size",
    "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid",
    "HTTP-request-URI-too-long",
    "HTTP-request-header-section-size",
    "HTTP-request-header-size",
    "HTTP-request-trailer-section-size",
    "HTTP-request-trailer-size",
    "HTTP-response-incomplete",
    "HTTP-response-header-section-size",
    "HTTP-response-header-size",
    "HTTP-response-body-size",
    "HTTP-response-trailer-section-size",
    "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding",
    "HTTP-response-content-coding",
    "HTTP-response-timeout",
    "HTTP-upgrade-failed",
    "HTTP-protocol-error",
    "loop-detected",
    "configuration-error",
    "internal-error",
};

cm::Val opt_string(const std::optional<std::string>& s) {
  return s ? cm::Val::some(cm::Val::string(*s)) : cm::Val::none();
}
std::optional<std::string> string_of(const cm::Val& opt) {
  if (!opt.is_some()) return std::nullopt;
  return opt.payload()->as_string();
}
std::optional<uint64_t> number_of(const cm::Val& opt) {
  if (!opt.is_some()) return std::nullopt;
  return opt.payload()->as_u64();
}

cm::Val field_size_payload(const ErrorCode& e) {
  return cm::Val::record({{"field-name", opt_string(e.field_name)},
                          {"field-size", e.field_size ? cm::Val::some(cm::Val::u32(*e.field_size))
                                                      : cm::Val::none()}});
}

void read_field_size_payload(const cm::Val& record, ErrorCode* e) {
  if (record.items().size() < 2) return;
  e->field_name = string_of(record.items()[0]);
  if (auto n = number_of(record.items()[1])) e->field_size = static_cast<uint32_t>(*n);
}

}  // namespace

const char* error_case_name(ErrorCase c) { return kNames[static_cast<size_t>(c)]; }

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

cm::Val error_code_val(const ErrorCode& e) {
  std::string name = error_case_name(e.kind);
  auto opt_u = [](std::optional<uint64_t> n, bool u64) {
    if (!n) return cm::Val::none();
    return cm::Val::some(u64 ? cm::Val::u64(*n) : cm::Val::u32(static_cast<uint32_t>(*n)));
  };
  switch (e.kind) {
    case ErrorCase::dns_error:
      return cm::Val::variant(
          name,
          cm::Val::record({{"rcode", opt_string(e.text)},
                           {"info-code",
                            e.number ? cm::Val::some(cm::Val::u16(static_cast<uint16_t>(*e.number)))
                                     : cm::Val::none()}}));
    case ErrorCase::tls_alert_received:
      return cm::Val::variant(
          name,
          cm::Val::record(
              {{"alert-id", e.number ? cm::Val::some(cm::Val::u8(static_cast<uint8_t>(*e.number)))
                                     : cm::Val::none()},
               {"alert-message", opt_string(e.text)}}));
    case ErrorCase::http_request_body_size:
    case ErrorCase::http_response_body_size: return cm::Val::variant(name, opt_u(e.number, true));
    case ErrorCase::http_request_header_section_size:
    case ErrorCase::http_request_trailer_section_size:
    case ErrorCase::http_response_header_section_size:
    case ErrorCase::http_response_trailer_section_size:
      return cm::Val::variant(name, opt_u(e.number, false));
    case ErrorCase::http_request_header_size:
      return cm::Val::variant(name, e.field_name || e.field_size
                                        ? cm::Val::some(field_size_payload(e))
                                        : cm::Val::none());
    case ErrorCase::http_request_trailer_size:
    case ErrorCase::http_response_header_size:
    case ErrorCase::http_response_trailer_size:
      return cm::Val::variant(name, field_size_payload(e));
    case ErrorCase::http_response_transfer_coding:
    case ErrorCase::http_response_content_coding:
    case ErrorCase::internal_error: return cm::Val::variant(name, opt_string(e.text));
    default: return cm::Val::variant(name);
  }
}

ErrorCode error_code_of(const cm::Val& v) {
  auto kind = error_case_of(v.case_name());
  ErrorCode e = ErrorCode::of(kind.value_or(ErrorCase::internal_error));
  const cm::Val* p = v.payload();
  if (!p) return e;
  switch (e.kind) {
    case ErrorCase::dns_error:
    case ErrorCase::tls_alert_received:
      if (p->items().size() == 2) {
        bool dns = e.kind == ErrorCase::dns_error;
        e.text = string_of(p->items()[dns ? 0 : 1]);
        e.number = number_of(p->items()[dns ? 1 : 0]);
      }
      break;
    case ErrorCase::http_request_header_size:
      if (p->is_some()) read_field_size_payload(*p->payload(), &e);
      break;
    case ErrorCase::http_request_trailer_size:
    case ErrorCase::http_response_header_size:
    case ErrorCase::http_response_trailer_size: read_field_size_payload(*p, &e); break;
    case ErrorCase::http_response_transfer_coding:
    case ErrorCase::http_response_content_coding:
    case ErrorCase::internal_error: e.text = string_of(*p); break;
    default: e.number = number_of(*p); break;
  }
  return e;
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
