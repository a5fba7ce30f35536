// wasi:http: the fields rules (forbidden headers, immutability, syntax), the outbound host
// allow-list, a hand-written component implementing wasi:http/incoming-handler driven through
// hull::api::wasi::http::handle, and a component sending a request through
// wasi:http/outgoing-handler to a tiny HTTP server on 127.0.0.1 (allowed and denied). Every
// wait is bounded; nothing leaves loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "hull/component.hh"
#include "hull/wasi.hh"
#include "hull/wasi_http.hh"
#include "text/component.h"
#include "wasi/http/client.h"
#include "wasi/http/error_code.h"
#include "wasi/http/fields.h"

namespace {

using namespace hull::wasi::http;
using hull::wasi::Errno;
using hull::wasi::StreamStatus;
namespace ac = hull::api::component;
namespace wasi = hull::api::wasi;

// ---- fields ----

TEST(HttpFields, NamesAndValuesFollowRfc9110) {
  EXPECT_TRUE(is_valid_field_name("content-type"));
  EXPECT_TRUE(is_valid_field_name("X-Custom_1.a~"));
  EXPECT_FALSE(is_valid_field_name(""));
  EXPECT_FALSE(is_valid_field_name("bad name"));
  EXPECT_FALSE(is_valid_field_name("colon:"));
  EXPECT_FALSE(is_valid_field_name("caf\xc3\xa9"));
  EXPECT_TRUE(is_valid_field_value("text/plain; charset=utf-8"));
  EXPECT_TRUE(is_valid_field_value(""));
  EXPECT_TRUE(is_valid_field_value("tab\tinside"));
  EXPECT_FALSE(is_valid_field_value("split\r\nInjected: yes"));
  EXPECT_FALSE(is_valid_field_value(std::string("nul\0", 4)));
}

TEST(HttpFields, ForbiddenHeadersAreRefused) {
  for (const char* name : {"Host", "connection", "Transfer-Encoding", "keep-alive", "upgrade",
                           "proxy-connection", "http2-settings"}) {
    EXPECT_TRUE(is_forbidden_field(name)) << name;
    Fields f;
    EXPECT_EQ(f.append(name, "x"), HeaderError::forbidden) << name;
    EXPECT_EQ(f.set(name, {"x"}), HeaderError::forbidden) << name;
    EXPECT_EQ(Fields::check({{name, "x"}}), HeaderError::forbidden) << name;
  }
  EXPECT_FALSE(is_forbidden_field("content-length"));
  EXPECT_EQ(Fields::check({{"ok", "fine"}, {"bad name", "x"}}), HeaderError::invalid_syntax);
  EXPECT_EQ(Fields::check({{"ok", "bad\nvalue"}}), HeaderError::invalid_syntax);
  EXPECT_EQ(Fields::check({{"ok", "fine"}, {"Accept", "*/*"}}), std::nullopt);
}

TEST(HttpFields, GetSetDeleteAppendKeepOrderAndCasing) {
  Fields f;
  EXPECT_EQ(f.append("Accept", "a"), std::nullopt);
  EXPECT_EQ(f.append("X-One", "1"), std::nullopt);
  EXPECT_EQ(f.append("accept", "b"), std::nullopt);
  EXPECT_EQ(f.get("ACCEPT"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f.has("x-one"));
  EXPECT_FALSE(f.has("x-two"));
  EXPECT_TRUE(f.get("bad name").empty());
  EXPECT_EQ(f.set("x-one", {"p", "q"}), std::nullopt);
  EXPECT_EQ(f.entries(),
            (FieldEntries{{"Accept", "a"}, {"x-one", "p"}, {"x-one", "q"}, {"accept", "b"}}));
  EXPECT_EQ(f.set("x-one", {"ok", "bad\r"}), HeaderError::invalid_syntax);
  EXPECT_EQ(f.remove("ACCEPT"), std::nullopt);
  EXPECT_EQ(f.entries(), (FieldEntries{{"x-one", "p"}, {"x-one", "q"}}));
  EXPECT_EQ(f.remove("bad name"), HeaderError::invalid_syntax);
  EXPECT_EQ(f.append("x-two", "bad\n"), HeaderError::invalid_syntax);
}

TEST(HttpFields, FieldsFromMessagesAreImmutable) {
  Fields f({{"content-type", "text/plain"}}, /*immutable=*/true);
  EXPECT_EQ(f.append("x", "y"), HeaderError::immutable);
  EXPECT_EQ(f.set("content-type", {"x"}), HeaderError::immutable);
  EXPECT_EQ(f.remove("content-type"), HeaderError::immutable);
  EXPECT_EQ(f.get("Content-Type"), std::vector<std::string>{"text/plain"});
}

// ---- error codes and the allow-list ----

TEST(HttpErrorCode, ValuesRoundTripAndTravelThroughIoErrors) {
  ErrorCode e = ErrorCode::of(ErrorCase::http_request_body_size);
  e.number = 12;
  cm::Val v = error_code_val(e);
  EXPECT_EQ(v.case_name(), "HTTP-request-body-size");
  ErrorCode back = error_code_of(v);
  EXPECT_EQ(back.kind, ErrorCase::http_request_body_size);
  EXPECT_EQ(back.number, 12u);
  StreamStatus s = stream_failure(ErrorCode::of(ErrorCase::connection_terminated));
  auto recovered = error_code_of_io(s.code, s.message);
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ(recovered->kind, ErrorCase::connection_terminated);
  EXPECT_EQ(error_code_of_io(Errno::connrefused, "connect")->kind, ErrorCase::connection_refused);
  EXPECT_FALSE(error_code_of_io(Errno::badf, "bad descriptor").has_value());
  EXPECT_EQ(std::string(error_case_name(ErrorCase::internal_error)), "internal-error");
}

// Every case with the payload fields its WIT payload carries survives both forms: the typed
// one (what typed host functions lift and lower) and the component value.
TEST(HttpErrorCode, EveryCaseRoundTripsTypedAndAsValue) {
  for (size_t i = 0; i < 39; ++i) {
    const auto kind = static_cast<ErrorCase>(i);
    ErrorCode e = ErrorCode::of(kind);
    const std::string name = error_case_name(kind);
    // What each payload holds (error_code.h): text, number, field name and size.
    if (name == "DNS-error" || name == "TLS-alert-received" || name == "internal-error" ||
        name.find("-coding") != std::string::npos) {
      e.text = "why " + std::to_string(i);
    }
    if (name == "DNS-error" || name == "TLS-alert-received" ||
        name.find("body-size") != std::string::npos ||
        name.find("section-size") != std::string::npos) {
      e.number = 7 + i;
    }
    if (name.find("header-size") != std::string::npos ||
        name.find("trailer-size") != std::string::npos) {
      e.field_name = "x-field";
      e.field_size = 300;
    }
    TypedErrorCode typed = typed_error_code(e);
    EXPECT_EQ(typed.value.index(), i) << name;
    cm::Val v = error_code_val(e);
    EXPECT_EQ(v.case_name(), name);
    std::string why;
    EXPECT_TRUE(cm::val_matches(v, cm::Wit<TypedErrorCode>::type(), &why)) << name << ": " << why;
    for (const ErrorCode& back : {error_code_of(typed), error_code_of(v)}) {
      EXPECT_EQ(back.kind, kind) << name;
      EXPECT_EQ(back.text, e.text) << name;
      EXPECT_EQ(back.number, e.number) << name;
      EXPECT_EQ(back.field_name, e.field_name) << name;
      EXPECT_EQ(back.field_size, e.field_size) << name;
    }
  }
  // A value of another type is reported, not taken for some case.
  ErrorCode odd = error_code_of(cm::Val::u32(3));
  EXPECT_EQ(odd.kind, ErrorCase::internal_error);
  ASSERT_TRUE(odd.text.has_value());
  EXPECT_NE(odd.text->find("malformed error-code"), std::string::npos) << *odd.text;
}

TEST(HttpOutbound, SpinAllowListSyntax) {
  std::vector<std::string> allowed = {"http://127.0.0.1:8080", "http://*.example.com",
                                      "*://localhost:*"};
  EXPECT_TRUE(outbound_allowed(allowed, "http", "127.0.0.1", 8080));
  EXPECT_FALSE(outbound_allowed(allowed, "http", "127.0.0.1", 8081));
  EXPECT_FALSE(outbound_allowed(allowed, "https", "127.0.0.1", 8080));
  EXPECT_TRUE(outbound_allowed(allowed, "http", "api.example.com", 80));
  EXPECT_FALSE(outbound_allowed(allowed, "http", "example.com", 80));
  EXPECT_FALSE(outbound_allowed(allowed, "http", "api.example.com", 8080));
  EXPECT_TRUE(outbound_allowed(allowed, "https", "LOCALHOST", 9999));
  EXPECT_FALSE(outbound_allowed({}, "http", "127.0.0.1", 80));
  EXPECT_EQ(split_authority("[::1]:81", 80), std::make_pair(std::string("::1"), uint16_t{81}));
  EXPECT_EQ(split_authority("host", 80), std::make_pair(std::string("host"), uint16_t{80}));
  EXPECT_FALSE(split_authority("host:99999", 80).has_value());
}

// ---- components ----

// The wasi:io and wasi:http/types imports both test components share (at 0.2.0).
#define HTTP_IMPORTS \
  R"(
  (import "wasi:io/error@0.2.0" (instance $io-error (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $p (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow $p))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $e))
    (export "error" (type $err (eq $e)))
    (export "input-stream" (type $is (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (type $stream-error (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se (eq $stream-error)))
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se)))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se)))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:http/types@0.2.0" (instance $http
    (alias outer 1 $input-stream (type $i))
    (export "input-stream" (type $is (eq $i)))
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (alias outer 1 $pollable (type $pl))
    (export "pollable" (type $p (eq $pl)))
    (type $dns (record (field "rcode" (option string)) (field "info-code" (option u16))))
    (export "DNS-error-payload" (type $dns-e (eq $dns)))
    (type $tls (record (field "alert-id" (option u8)) (field "alert-message" (option string))))
    (export "TLS-alert-received-payload" (type $tls-e (eq $tls)))
    (type $fsp (record (field "field-name" (option string)) (field "field-size" (option u32))))
    (export "field-size-payload" (type $fsp-e (eq $fsp)))
    (type $ec (variant
      (case "DNS-timeout") (case "DNS-error" $dns-e) (case "destination-not-found")
      (case "destination-unavailable") (case "destination-IP-prohibited")
      (case "destination-IP-unroutable") (case "connection-refused")
      (case "connection-terminated") (case "connection-timeout") (case "connection-read-timeout")
      (case "connection-write-timeout") (case "connection-limit-reached")
      (case "TLS-protocol-error") (case "TLS-certificate-error")
      (case "TLS-alert-received" $tls-e) (case "HTTP-request-denied")
      (case "HTTP-request-length-required") (case "HTTP-request-body-size" (option u64))
      (case "HTTP-request-method-invalid") (case "HTTP-request-URI-invalid")
      (case "HTTP-request-URI-too-long") (case "HTTP-request-header-section-size" (option u32))
      (case "HTTP-request-header-size" (option $fsp-e))
      (case "HTTP-request-trailer-section-size" (option u32))
      (case "HTTP-request-trailer-size" $fsp-e) (case "HTTP-response-incomplete")
      (case "HTTP-response-header-section-size" (option u32))
      (case "HTTP-response-header-size" $fsp-e) (case "HTTP-response-body-size" (option u64))
      (case "HTTP-response-trailer-section-size" (option u32))
      (case "HTTP-response-trailer-size" $fsp-e)
      (case "HTTP-response-transfer-coding" (option string))
      (case "HTTP-response-content-coding" (option string)) (case "HTTP-response-timeout")
      (case "HTTP-upgrade-failed") (case "HTTP-protocol-error") (case "loop-detected")
      (case "configuration-error") (case "internal-error" (option string))))
    (export "error-code" (type $error-code (eq $ec)))
    (type $scheme-t (variant (case "HTTP") (case "HTTPS") (case "other" string)))
    (export "scheme" (type $scheme (eq $scheme-t)))
    (export "fields" (type $fields (sub resource)))
    (export "incoming-request" (type $in-req (sub resource)))
    (export "outgoing-request" (type $out-req (sub resource)))
    (export "request-options" (type $opts (sub resource)))
    (export "response-outparam" (type $outparam (sub resource)))
    (export "incoming-response" (type $in-resp (sub resource)))
    (export "incoming-body" (type $in-body (sub resource)))
    (export "outgoing-response" (type $out-resp (sub resource)))
    (export "outgoing-body" (type $out-body (sub resource)))
    (export "future-incoming-response" (type $future (sub resource)))
    (export "[constructor]fields" (func (result (own $fields))))
    (export "[method]fields.get" (func (param "self" (borrow $fields)) (param "name" string)
      (result (list (list u8)))))
    (type $he (variant (case "invalid-syntax") (case "forbidden") (case "immutable")))
    (export "header-error" (type $header-error (eq $he)))
    (export "[method]fields.append" (func (param "self" (borrow $fields)) (param "name" string)
      (param "value" (list u8)) (result (result (error $header-error)))))
    (export "[method]incoming-request.headers" (func (param "self" (borrow $in-req))
      (result (own $fields))))
    (export "[method]incoming-request.consume" (func (param "self" (borrow $in-req))
      (result (result (own $in-body)))))
    (export "[method]incoming-body.stream" (func (param "self" (borrow $in-body))
      (result (result (own $is)))))
    (export "[constructor]outgoing-response" (func (param "headers" (own $fields))
      (result (own $out-resp))))
    (export "[method]outgoing-response.set-status-code" (func (param "self" (borrow $out-resp))
      (param "status-code" u16) (result (result))))
    (export "[method]outgoing-response.body" (func (param "self" (borrow $out-resp))
      (result (result (own $out-body)))))
    (export "[method]outgoing-body.write" (func (param "self" (borrow $out-body))
      (result (result (own $os)))))
    (export "[static]outgoing-body.finish" (func (param "this" (own $out-body))
      (param "trailers" (option (own $fields))) (result (result (error $error-code)))))
    (export "[static]response-outparam.set" (func (param "param" (own $outparam))
      (param "response" (result (own $out-resp) (error $error-code)))))
    (export "[constructor]outgoing-request" (func (param "headers" (own $fields))
      (result (own $out-req))))
    (export "[method]outgoing-request.set-scheme" (func (param "self" (borrow $out-req))
      (param "scheme" (option $scheme)) (result (result))))
    (export "[method]outgoing-request.set-authority" (func (param "self" (borrow $out-req))
      (param "authority" (option string)) (result (result))))
    (export "[method]outgoing-request.set-path-with-query" (func (param "self" (borrow $out-req))
      (param "path-with-query" (option string)) (result (result))))
    (export "[method]future-incoming-response.subscribe" (func (param "self" (borrow $future))
      (result (own $p))))
    (export "[method]future-incoming-response.get" (func (param "self" (borrow $future))
      (result (option (result (result (own $in-resp) (error $error-code)))))))
    (export "[method]incoming-response.status" (func (param "self" (borrow $in-resp))
      (result u16)))
    (export "[method]incoming-response.consume" (func (param "self" (borrow $in-resp))
      (result (result (own $in-body)))))))
  (alias export $http "incoming-request" (type $incoming-request))
  (alias export $http "response-outparam" (type $response-outparam))
  (alias export $http "outgoing-request" (type $outgoing-request))
  (alias export $http "request-options" (type $request-options))
  (alias export $http "future-incoming-response" (type $future-incoming-response))
  (alias export $http "error-code" (type $error-code))

  (core module $Mem
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (core func $read (canon lower (func $streams "[method]input-stream.blocking-read")
    (memory $memory) (realloc $realloc)))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $memory)))
  (core func $fields-new (canon lower (func $http "[constructor]fields")))
  (core func $fields-get (canon lower (func $http "[method]fields.get") (memory $memory)
    (realloc $realloc)))
  (core func $fields-append (canon lower (func $http "[method]fields.append") (memory $memory)))
  (core func $req-headers (canon lower (func $http "[method]incoming-request.headers")))
  (core func $req-consume (canon lower (func $http "[method]incoming-request.consume")
    (memory $memory)))
  (core func $body-stream (canon lower (func $http "[method]incoming-body.stream") (memory $memory)))
  (core func $resp-new (canon lower (func $http "[constructor]outgoing-response")))
  (core func $resp-status (canon lower (func $http "[method]outgoing-response.set-status-code")))
  (core func $resp-body (canon lower (func $http "[method]outgoing-response.body") (memory $memory)))
  (core func $body-write (canon lower (func $http "[method]outgoing-body.write") (memory $memory)))
  (core func $body-finish (canon lower (func $http "[static]outgoing-body.finish") (memory $memory)
    (realloc $realloc)))
  (core func $outparam-set (canon lower (func $http "[static]response-outparam.set")
    (memory $memory)))
  (core func $oreq-new (canon lower (func $http "[constructor]outgoing-request")))
  (core func $oreq-scheme (canon lower (func $http "[method]outgoing-request.set-scheme")
    (memory $memory)))
  (core func $oreq-authority (canon lower (func $http "[method]outgoing-request.set-authority")
    (memory $memory)))
  (core func $oreq-path (canon lower (func $http "[method]outgoing-request.set-path-with-query")
    (memory $memory)))
  (core func $future-subscribe (canon lower (func $http "[method]future-incoming-response.subscribe")))
  (core func $future-get (canon lower (func $http "[method]future-incoming-response.get")
    (memory $memory) (realloc $realloc)))
  (core func $iresp-status (canon lower (func $http "[method]incoming-response.status")))
  (core func $iresp-consume (canon lower (func $http "[method]incoming-response.consume")
    (memory $memory)))
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $drop-os (canon resource.drop $output-stream))
  (core func $drop-pollable (canon resource.drop $pollable))
)"

#define HOST_FUNCS \
  R"(
  (export "memory" (memory $memory))
  (export "read" (func $read)) (export "write" (func $write))
  (export "fields-new" (func $fields-new)) (export "fields-get" (func $fields-get))
  (export "fields-append" (func $fields-append)) (export "req-headers" (func $req-headers))
  (export "req-consume" (func $req-consume)) (export "body-stream" (func $body-stream))
  (export "resp-new" (func $resp-new)) (export "resp-status" (func $resp-status))
  (export "resp-body" (func $resp-body)) (export "body-write" (func $body-write))
  (export "body-finish" (func $body-finish)) (export "outparam-set" (func $outparam-set))
  (export "oreq-new" (func $oreq-new)) (export "oreq-scheme" (func $oreq-scheme))
  (export "oreq-authority" (func $oreq-authority)) (export "oreq-path" (func $oreq-path))
  (export "future-subscribe" (func $future-subscribe)) (export "future-get" (func $future-get))
  (export "iresp-status" (func $iresp-status)) (export "iresp-consume" (func $iresp-consume))
  (export "block" (func $block)) (export "drop-os" (func $drop-os))
  (export "drop-pollable" (func $drop-pollable))
)"

#define CORE_IMPORTS \
  R"(
    (import "host" "memory" (memory 1))
    (import "host" "read" (func $read (param i32 i64 i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "fields-new" (func $fields-new (result i32)))
    (import "host" "fields-get" (func $fields-get (param i32 i32 i32 i32)))
    (import "host" "fields-append" (func $fields-append (param i32 i32 i32 i32 i32 i32)))
    (import "host" "req-headers" (func $req-headers (param i32) (result i32)))
    (import "host" "req-consume" (func $req-consume (param i32 i32)))
    (import "host" "body-stream" (func $body-stream (param i32 i32)))
    (import "host" "resp-new" (func $resp-new (param i32) (result i32)))
    (import "host" "resp-status" (func $resp-status (param i32 i32) (result i32)))
    (import "host" "resp-body" (func $resp-body (param i32 i32)))
    (import "host" "body-write" (func $body-write (param i32 i32)))
    (import "host" "body-finish" (func $body-finish (param i32 i32 i32 i32)))
    (import "host" "outparam-set" (func $outparam-set
      (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
    (import "host" "oreq-new" (func $oreq-new (param i32) (result i32)))
    (import "host" "oreq-scheme" (func $oreq-scheme (param i32 i32 i32 i32 i32) (result i32)))
    (import "host" "oreq-authority" (func $oreq-authority (param i32 i32 i32 i32) (result i32)))
    (import "host" "oreq-path" (func $oreq-path (param i32 i32 i32 i32) (result i32)))
    (import "host" "future-subscribe" (func $future-subscribe (param i32) (result i32)))
    (import "host" "future-get" (func $future-get (param i32 i32)))
    (import "host" "iresp-status" (func $iresp-status (param i32) (result i32)))
    (import "host" "iresp-consume" (func $iresp-consume (param i32 i32)))
    (import "host" "block" (func $block (param i32)))
    (import "host" "drop-os" (func $drop-os (param i32)))
    (import "host" "drop-pollable" (func $drop-pollable (param i32)))
)"

// handle(request, response-out): answers 201 with header x-echo = the request's x-name and the
// body "echo: " + the request's body. A request without x-name gets no answer at all (the
// outparam is never set); one with an empty x-name traps.
const std::string kHandlerComponent = std::string("(component\n") + HTTP_IMPORTS +
                                      R"(
  (core module $Main
)" + CORE_IMPORTS + R"(
    (data (i32.const 100) "x-name")
    (data (i32.const 110) "x-echo")
    (data (i32.const 120) "echo: ")
    (func (export "handle") (param $req i32) (param $out i32)
      (local $hdrs i32) (local $vptr i32) (local $vlen i32) (local $body i32) (local $in i32)
      (local $bptr i32) (local $blen i32) (local $f i32) (local $resp i32) (local $obody i32)
      (local $os i32)
      (local.set $hdrs (call $req-headers (local.get $req)))
      (call $fields-get (local.get $hdrs) (i32.const 100) (i32.const 6) (i32.const 200))
      (if (i32.eqz (i32.load (i32.const 204))) (then (return)))
      (local.set $vptr (i32.load (i32.load (i32.const 200))))
      (local.set $vlen (i32.load offset=4 (i32.load (i32.const 200))))
      (if (i32.eqz (local.get $vlen)) (then unreachable))
      (call $req-consume (local.get $req) (i32.const 216))
      (local.set $body (i32.load (i32.const 220)))
      (call $body-stream (local.get $body) (i32.const 232))
      (local.set $in (i32.load (i32.const 236)))
      (call $read (local.get $in) (i64.const 1000) (i32.const 248))
      (if (i32.eqz (i32.load8_u (i32.const 248)))
        (then (local.set $bptr (i32.load (i32.const 252)))
              (local.set $blen (i32.load (i32.const 256)))))
      (local.set $f (call $fields-new))
      (call $fields-append (local.get $f) (i32.const 110) (i32.const 6) (local.get $vptr)
        (local.get $vlen) (i32.const 264))
      (local.set $resp (call $resp-new (local.get $f)))
      (drop (call $resp-status (local.get $resp) (i32.const 201)))
      (call $resp-body (local.get $resp) (i32.const 280))
      (local.set $obody (i32.load (i32.const 284)))
      (call $body-write (local.get $obody) (i32.const 296))
      (local.set $os (i32.load (i32.const 300)))
      (call $write (local.get $os) (i32.const 120) (i32.const 6) (i32.const 312))
      (call $write (local.get $os) (local.get $bptr) (local.get $blen) (i32.const 312))
      (call $drop-os (local.get $os))
      (call $outparam-set (local.get $out) (i32.const 0) (local.get $resp) (i32.const 0)
        (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
      (call $body-finish (local.get $obody) (i32.const 0) (i32.const 0) (i32.const 328)))
    (func (export "fetch") (param i32 i32) (result i32) (unreachable)))
  (core instance $main (instantiate $Main (with "host" (instance )" +
                                      HOST_FUNCS + R"())))
  (func $handle (param "request" (own $incoming-request))
    (param "response-out" (own $response-outparam))
    (canon lift (core func $main "handle")))
  (instance $handler (export "handle" (func $handle)))
  (export "wasi:http/incoming-handler@0.2.0" (instance $handler))
))";

// fetch(authority): GET http://<authority>/hello through outgoing-handler. Returns
// status << 16 | body length; 1000 + the error-code case when handle refused the request;
// 2000 + the case when the response future failed.
const std::string kFetchComponent = std::string("(component\n") + HTTP_IMPORTS + R"(
  (import "wasi:http/outgoing-handler@0.2.0" (instance $out
    (alias outer 1 $outgoing-request (type $r))
    (export "outgoing-request" (type $rr (eq $r)))
    (alias outer 1 $request-options (type $o))
    (export "request-options" (type $oo (eq $o)))
    (alias outer 1 $future-incoming-response (type $f))
    (export "future-incoming-response" (type $ff (eq $f)))
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (export "handle" (func (param "request" (own $rr)) (param "options" (option (own $oo)))
      (result (result (own $ff) (error $ee)))))))
  (core func $send (canon lower (func $out "handle") (memory $memory) (realloc $realloc)))
  (core module $Main
)" + CORE_IMPORTS + R"(
    (import "host2" "send" (func $send (param i32 i32 i32 i32)))
    (data (i32.const 100) "/hello")
    (func (export "handle") (param i32 i32) (unreachable))
    (func (export "fetch") (param $aptr i32) (param $alen i32) (result i32)
      (local $req i32) (local $future i32) (local $p i32) (local $resp i32) (local $body i32)
      (local $in i32) (local $len i32)
      (local.set $req (call $oreq-new (call $fields-new)))
      (drop (call $oreq-scheme (local.get $req) (i32.const 1) (i32.const 0) (i32.const 0)
        (i32.const 0)))
      (drop (call $oreq-authority (local.get $req) (i32.const 1) (local.get $aptr)
        (local.get $alen)))
      (drop (call $oreq-path (local.get $req) (i32.const 1) (i32.const 100) (i32.const 6)))
      (call $send (local.get $req) (i32.const 0) (i32.const 0) (i32.const 512))
      (if (i32.load8_u (i32.const 512))
        (then (return (i32.add (i32.const 1000) (i32.load8_u (i32.const 520))))))
      (local.set $future (i32.load (i32.const 520)))
      (block $done
        (loop $wait
          (call $future-get (local.get $future) (i32.const 600))
          (br_if $done (i32.load8_u (i32.const 600)))
          (local.set $p (call $future-subscribe (local.get $future)))
          (call $block (local.get $p))
          (call $drop-pollable (local.get $p))
          (br $wait)))
      (if (i32.load8_u (i32.const 616))
        (then (return (i32.add (i32.const 2000) (i32.load8_u (i32.const 624))))))
      (local.set $resp (i32.load (i32.const 624)))
      (call $iresp-consume (local.get $resp) (i32.const 700))
      (local.set $body (i32.load (i32.const 704)))
      (call $body-stream (local.get $body) (i32.const 716))
      (local.set $in (i32.load (i32.const 720)))
      (block $eof
        (loop $more
          (call $read (local.get $in) (i64.const 65536) (i32.const 732))
          (br_if $eof (i32.load8_u (i32.const 732)))
          (local.set $len (i32.add (local.get $len) (i32.load (i32.const 740))))
          (br $more)))
      (i32.or (i32.shl (call $iresp-status (local.get $resp)) (i32.const 16)) (local.get $len))))
  (core instance $main (instantiate $Main
    (with "host" (instance )" + HOST_FUNCS +
                                    R"())
    (with "host2" (instance (export "send" (func $send))))))
  (func (export "fetch") (param "authority" string) (result u32)
    (canon lift (core func $main "fetch") (memory $memory) (realloc $realloc)))
))";

struct Loaded {
  hull::api::Engine engine;
  std::optional<ac::Component> component;
  std::optional<ac::Linker> linker;
  std::optional<hull::api::Store> store;
  std::optional<ac::Instance> instance;
};

// Compiles, links and instantiates `text` with WASI attached under `config`.
std::unique_ptr<Loaded> load(const std::string& text, const wasi::Config& config) {
  auto l = std::make_unique<Loaded>();
  auto bytes = hull::text::component_to_binary(text);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().to_string());
  if (!bytes) return nullptr;
  auto component = ac::Component::compile(l->engine, *bytes);
  EXPECT_TRUE(component.ok()) << (component.ok() ? "" : component.error().to_string());
  if (!component) return nullptr;
  l->component = std::move(*component);
  l->linker.emplace(l->engine);
  auto added = wasi::add_to_linker(*l->linker);
  EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().to_string());
  l->store.emplace(l->engine);
  EXPECT_TRUE(wasi::attach(*l->store, config).ok());
  auto inst = l->linker->instantiate(*l->store, *l->component);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().to_string());
  if (!inst) return nullptr;
  l->instance = std::move(*inst);
  return l;
}

TEST(HttpIncoming, HandlerAnswersThroughTheOutparam) {
  auto l = load(kHandlerComponent, {});
  ASSERT_TRUE(l);
  wasi::http::Request req;
  req.method = "POST";
  req.authority = "localhost";
  req.path_with_query = "/echo?x=1";
  req.headers = {{"X-Name", "hull"}, {"content-type", "text/plain"}};
  req.body = "hello body";
  auto resp = wasi::http::handle(*l->store, *l->instance, req);
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->headers, (wasi::http::FieldList{{"x-echo", "hull"}}));
  EXPECT_EQ(resp->body, "echo: hello body");

  // The same instance serves again; a streamed body reaches the guest too, and a sink gets
  // the response body.
  struct Source : wasi::http::BodySource {
    int calls = 0;
    hull::api::Result<bool> read(size_t, std::string* out) override {
      if (calls++ == 0) {
        out->append("streamed");
        return true;
      }
      return false;
    }
  };
  struct Sink : wasi::http::BodySink {
    std::string got;
    hull::api::Result<void> write(std::string_view b) override {
      got += b;
      return {};
    }
  };
  req.body.clear();
  req.body_source = std::make_shared<Source>();
  auto sink = std::make_shared<Sink>();
  resp = wasi::http::handle(*l->store, *l->instance, req, sink);
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(sink->got, "echo: streamed");
  EXPECT_TRUE(resp->body.empty());
}

// A sink sees the response as it goes: start once (status, headers) before the first write,
// the body, finish once with the trailers; and nothing of a guest that trapped before answering.
TEST(HttpIncoming, SinkSeesStartWritesThenFinish) {
  auto l = load(kHandlerComponent, {});
  ASSERT_TRUE(l);
  struct Sink : wasi::http::BodySink {
    std::string log;
    hull::api::Result<void> start(uint16_t status, const wasi::http::FieldList& h) override {
      log += "start " + std::to_string(status) + " " + h.at(0).first + ";";
      return {};
    }
    hull::api::Result<void> write(std::string_view b) override {
      log += "write " + std::string(b) + ";";
      return {};
    }
    hull::api::Result<void> finish(const std::optional<wasi::http::FieldList>& t) override {
      log += t ? "finish trailers;" : "finish;";
      return {};
    }
  };
  wasi::http::Request req;
  req.headers = {{"x-name", "hull"}};
  req.body = "abc";
  auto sink = std::make_shared<Sink>();
  auto resp = wasi::http::handle(*l->store, *l->instance, req, sink);
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  // The guest wrote before setting the outparam: its writes were held, then given in order.
  std::string log = sink->log;
  EXPECT_EQ(log.rfind("start 201 x-echo;", 0), 0u) << log;
  std::string body;
  for (size_t at = 0; (at = log.find("write ", at)) != std::string::npos; at += 6) {
    body += log.substr(at + 6, log.find(';', at) - at - 6);
  }
  EXPECT_EQ(body, "echo: abc");
  EXPECT_EQ(log.substr(log.size() - 7), "finish;") << log;
  EXPECT_EQ(log.find("finish"), log.rfind("finish"));

  // A trap before any answer: the sink saw nothing, the error is the trap.
  auto l2 = load(kHandlerComponent, {});
  ASSERT_TRUE(l2);
  wasi::http::Request bad;
  bad.headers = {{"x-name", ""}};
  auto sink2 = std::make_shared<Sink>();
  auto failed = wasi::http::handle(*l2->store, *l2->instance, bad, sink2);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, hull::api::ErrorKind::Trap);
  EXPECT_EQ(sink2->log, "");
}

TEST(HttpIncoming, NoAnswerIsAnError) {
  auto l = load(kHandlerComponent, {});
  ASSERT_TRUE(l);
  wasi::http::Request req;  // no x-name: the guest returns without setting the outparam
  auto resp = wasi::http::handle(*l->store, *l->instance, req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().kind, hull::api::ErrorKind::Io);
  EXPECT_NE(resp.error().message.find("response-outparam"), std::string::npos);
}

TEST(HttpIncoming, TrapIsAnError) {
  auto l = load(kHandlerComponent, {});
  ASSERT_TRUE(l);
  wasi::http::Request req;
  req.headers = {{"x-name", ""}};  // the guest traps on an empty name
  auto resp = wasi::http::handle(*l->store, *l->instance, req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().kind, hull::api::ErrorKind::Trap);
}

TEST(HttpIncoming, NoHandlerExportIsAUsageError) {
  auto l = load(kFetchComponent, {});
  ASSERT_TRUE(l);
  auto resp = wasi::http::handle(*l->store, *l->instance, wasi::http::Request{});
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().kind, hull::api::ErrorKind::Usage);
  EXPECT_NE(resp.error().message.find("exports no wasi:http/incoming-handler#handle"),
            std::string::npos)
      << resp.error().message;
  auto handler = wasi::http::Handler::of(*l->instance);
  ASSERT_FALSE(handler.ok());
  EXPECT_EQ(handler.error().kind, hull::api::ErrorKind::Usage);
  EXPECT_EQ(handler.error().message, resp.error().message);
}

// A handler found once (what hull serve keeps with a reused instance) answers request after
// request, each with its own request's data.
TEST(HttpIncoming, HandlerFoundOnceServesManyRequests) {
  auto l = load(kHandlerComponent, {});
  ASSERT_TRUE(l);
  auto handler = wasi::http::Handler::of(*l->instance);
  ASSERT_TRUE(handler.ok()) << handler.error().to_string();
  EXPECT_NE(handler->func().type().params.size(), 0u);
  for (int i = 0; i < 3; ++i) {
    wasi::http::Request req;
    req.method = "POST";
    req.authority = "localhost";
    req.path_with_query = "/echo";
    req.headers = {{"X-Name", "call " + std::to_string(i)}};
    req.body = "body " + std::to_string(i);
    auto resp = wasi::http::handle(*l->store, *handler, req);
    ASSERT_TRUE(resp.ok()) << resp.error().to_string();
    EXPECT_EQ(resp->status, 201);
    EXPECT_EQ(resp->headers, (wasi::http::FieldList{{"x-echo", "call " + std::to_string(i)}}));
    EXPECT_EQ(resp->body, "echo: body " + std::to_string(i));
  }
}

// A one-shot HTTP server on 127.0.0.1: answers the first request with a fixed response.
class TinyServer {
 public:
  TinyServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    EXPECT_EQ(::listen(fd_, 4), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string request() const { return request_; }

 private:
  void serve() {
    pollfd p{fd_, POLLIN, 0};
    for (int i = 0; i < 100 && !stop_; ++i) {  // at most 5 s
      if (::poll(&p, 1, 50) != 1) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      pollfd q{c, POLLIN, 0};
      while (request_.find("\r\n\r\n") == std::string::npos && ::poll(&q, 1, 2000) == 1) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request_.append(buf, static_cast<size_t>(n));
      }
      const char kResponse[] =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
      (void)::send(c, kResponse, sizeof kResponse - 1, MSG_NOSIGNAL);
      ::close(c);
      return;
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::string request_;
};

uint32_t fetch(const wasi::Config& config, const std::string& authority) {
  auto l = load(kFetchComponent, config);
  if (!l) return 0;
  auto f = l->instance->get_func("fetch");
  EXPECT_TRUE(f.has_value());
  if (!f) return 0;
  auto r = f->call({ac::Val::string(authority)});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r || r->empty()) return 0;
  return static_cast<uint32_t>((*r)[0].as_u64());
}

TEST(HttpOutgoing, AllowedRequestReachesTheServer) {
  TinyServer server;
  std::string authority = "127.0.0.1:" + std::to_string(server.port());
  wasi::Config config;
  config.allowed_outbound_hosts = {"http://" + authority};
  EXPECT_EQ(fetch(config, authority), (200u << 16) | 12u);  // "hello, world"
  EXPECT_EQ(server.request().rfind("GET /hello HTTP/1.1\r\n", 0), 0u) << server.request();
  EXPECT_NE(server.request().find("Host: " + authority + "\r\n"), std::string::npos);
}

TEST(HttpOutgoing, DeniedByDefault) {
  TinyServer server;
  std::string authority = "127.0.0.1:" + std::to_string(server.port());
  constexpr uint32_t kDenied = static_cast<uint32_t>(ErrorCase::http_request_denied);
  EXPECT_EQ(fetch({}, authority), 1000 + kDenied);
  wasi::Config config;
  config.allowed_outbound_hosts = {"http://127.0.0.1:1"};  // another port
  EXPECT_EQ(fetch(config, authority), 1000 + kDenied);
  EXPECT_TRUE(server.request().empty());
}

TEST(HttpOutgoing, ConnectionRefusedArrivesThroughTheFuture) {
  uint16_t port;
  {
    TinyServer closed;  // a port that was just free
    port = closed.port();
  }
  wasi::Config config;
  config.allowed_outbound_hosts = {"http://127.0.0.1:*"};
  constexpr uint32_t kRefused = static_cast<uint32_t>(ErrorCase::connection_refused);
  EXPECT_EQ(fetch(config, "127.0.0.1:" + std::to_string(port)), 2000 + kRefused);
}

}  // namespace
