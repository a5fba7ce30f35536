// wasi:http/types error-code: the variant itself as a C++ value (what the client, the bodies
// and the incoming side report failures with), its component value form, and the way an
// HTTP failure travels through a wasi:io error so that http-error-code can recover it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "hull/component_typed.hh"
#include "wasi/core/streams.h"
#include "wasi/p2/host.h"

namespace hull::wasi::http {

namespace cm = hull::api::component;

// The cases, in the WIT's order.
enum class ErrorCase : uint8_t {
  dns_timeout,
  dns_error,
  destination_not_found,
  destination_unavailable,
  destination_ip_prohibited,
  destination_ip_unroutable,
  connection_refused,
  connection_terminated,
  connection_timeout,
  connection_read_timeout,
  connection_write_timeout,
  connection_limit_reached,
  tls_protocol_error,
  tls_certificate_error,
  tls_alert_received,
  http_request_denied,
  http_request_length_required,
  http_request_body_size,
  http_request_method_invalid,
  http_request_uri_invalid,
  http_request_uri_too_long,
  http_request_header_section_size,
  http_request_header_size,
  http_request_trailer_section_size,
  http_request_trailer_size,
  http_response_incomplete,
  http_response_header_section_size,
  http_response_header_size,
  http_response_body_size,
  http_response_trailer_section_size,
  http_response_trailer_size,
  http_response_transfer_coding,
  http_response_content_coding,
  http_response_timeout,
  http_upgrade_failed,
  http_protocol_error,
  loop_detected,
  configuration_error,
  internal_error,
};
const char* error_case_name(ErrorCase c);
std::optional<ErrorCase> error_case_of(std::string_view name);

// One error-code value. The payload fields a case does not have are ignored; for cases whose
// payload is optional, nothing set means `none`.
struct ErrorCode {
  ErrorCase kind = ErrorCase::internal_error;
  std::optional<std::string> text;        // DNS rcode, TLS alert message, coding, internal message
  std::optional<uint64_t> number;         // DNS info-code, TLS alert id, sizes
  std::optional<std::string> field_name;  // field-size-payload
  std::optional<uint32_t> field_size;

  static ErrorCode of(ErrorCase k) { return ErrorCode{k, {}, {}, {}, {}}; }
  static ErrorCode internal(std::string message) {
    return ErrorCode{ErrorCase::internal_error, std::move(message), {}, {}, {}};
  }
  // A one-line description ("connection-refused", "internal-error: ...").
  std::string describe() const;
};

// The variant as the typed path lays it out (p2::Definer::typed): one alternative per case, in
// the WIT's order; a case's payload, if any, in its `value`.
struct DnsErrorPayload {
  std::optional<std::string> rcode;
  std::optional<uint16_t> info_code;
};
struct TlsAlertReceivedPayload {
  std::optional<uint8_t> alert_id;
  std::optional<std::string> alert_message;
};
struct FieldSizePayload {
  std::optional<std::string> field_name;
  std::optional<uint32_t> field_size;
};
template <ErrorCase C>
struct ErrorCaseOnly {};
template <ErrorCase C, class P>
struct ErrorCaseWith {
  P value;
};
struct TypedErrorCode {
  using E = ErrorCase;
  using OptU32 = std::optional<uint32_t>;
  using OptU64 = std::optional<uint64_t>;
  using OptText = std::optional<std::string>;
  std::variant<
      ErrorCaseOnly<E::dns_timeout>, ErrorCaseWith<E::dns_error, DnsErrorPayload>,
      ErrorCaseOnly<E::destination_not_found>, ErrorCaseOnly<E::destination_unavailable>,
      ErrorCaseOnly<E::destination_ip_prohibited>, ErrorCaseOnly<E::destination_ip_unroutable>,
      ErrorCaseOnly<E::connection_refused>, ErrorCaseOnly<E::connection_terminated>,
      ErrorCaseOnly<E::connection_timeout>, ErrorCaseOnly<E::connection_read_timeout>,
      ErrorCaseOnly<E::connection_write_timeout>, ErrorCaseOnly<E::connection_limit_reached>,
      ErrorCaseOnly<E::tls_protocol_error>, ErrorCaseOnly<E::tls_certificate_error>,
      ErrorCaseWith<E::tls_alert_received, TlsAlertReceivedPayload>,
      ErrorCaseOnly<E::http_request_denied>, ErrorCaseOnly<E::http_request_length_required>,
      ErrorCaseWith<E::http_request_body_size, OptU64>,
      ErrorCaseOnly<E::http_request_method_invalid>, ErrorCaseOnly<E::http_request_uri_invalid>,
      ErrorCaseOnly<E::http_request_uri_too_long>,
      ErrorCaseWith<E::http_request_header_section_size, OptU32>,
      ErrorCaseWith<E::http_request_header_size, std::optional<FieldSizePayload>>,
      ErrorCaseWith<E::http_request_trailer_section_size, OptU32>,
      ErrorCaseWith<E::http_request_trailer_size, FieldSizePayload>,
      ErrorCaseOnly<E::http_response_incomplete>,
      ErrorCaseWith<E::http_response_header_section_size, OptU32>,
      ErrorCaseWith<E::http_response_header_size, FieldSizePayload>,
      ErrorCaseWith<E::http_response_body_size, OptU64>,
      ErrorCaseWith<E::http_response_trailer_section_size, OptU32>,
      ErrorCaseWith<E::http_response_trailer_size, FieldSizePayload>,
      ErrorCaseWith<E::http_response_transfer_coding, OptText>,
      ErrorCaseWith<E::http_response_content_coding, OptText>,
      ErrorCaseOnly<E::http_response_timeout>, ErrorCaseOnly<E::http_upgrade_failed>,
      ErrorCaseOnly<E::http_protocol_error>, ErrorCaseOnly<E::loop_detected>,
      ErrorCaseOnly<E::configuration_error>, ErrorCaseWith<E::internal_error, OptText>>
      value;
};
TypedErrorCode typed_error_code(const ErrorCode& e);
ErrorCode error_code_of(const TypedErrorCode& t);

// The component value form (the Val path), through the typed one.
cm::Val error_code_val(const ErrorCode& e);
ErrorCode error_code_of(const cm::Val& v);

// A stream failure carrying `e`: its message starts with the case name, which http-error-code
// reads back (the wasi:io error keeps only a code and a message).
StreamStatus stream_failure(const ErrorCode& e);
// The error-code an io-error stands for: one made by stream_failure, or a socket failure.
std::optional<ErrorCode> error_code_of_io(Errno code, std::string_view message);

}  // namespace hull::wasi::http

HULL_WIT_RECORD(hull::wasi::http::DnsErrorPayload,
                HULL_WIT_F(hull::wasi::http::DnsErrorPayload, rcode, "rcode"),
                HULL_WIT_F(hull::wasi::http::DnsErrorPayload, info_code, "info-code"))
HULL_WIT_RECORD(hull::wasi::http::TlsAlertReceivedPayload,
                HULL_WIT_F(hull::wasi::http::TlsAlertReceivedPayload, alert_id, "alert-id"),
                HULL_WIT_F(hull::wasi::http::TlsAlertReceivedPayload, alert_message,
                           "alert-message"))
HULL_WIT_RECORD(hull::wasi::http::FieldSizePayload,
                HULL_WIT_F(hull::wasi::http::FieldSizePayload, field_name, "field-name"),
                HULL_WIT_F(hull::wasi::http::FieldSizePayload, field_size, "field-size"))

template <>
struct hull::api::component::Wit<hull::wasi::http::TypedErrorCode>
    : hull::api::component::detail::WitVariant<hull::wasi::http::TypedErrorCode> {
  static constexpr std::array<std::string_view, 39> case_names{
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
};
