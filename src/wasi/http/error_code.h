// wasi:http/types error-code: the variant itself as a C++ value (what the client, the bodies
// and the incoming side report failures with), its component value form, and the way an
// HTTP failure travels through a wasi:io error so that http-error-code can recover it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

cm::Val error_code_val(const ErrorCode& e);
ErrorCode error_code_of(const cm::Val& v);

// A stream failure carrying `e`: its message starts with the case name, which http-error-code
// reads back (the wasi:io error keeps only a code and a message).
StreamStatus stream_failure(const ErrorCode& e);
// The error-code an io-error stands for: one made by stream_failure, or a socket failure.
std::optional<ErrorCode> error_code_of_io(Errno code, std::string_view message);

}  // namespace hull::wasi::http
