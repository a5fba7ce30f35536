// A wasi:http component in plain C (no libc): the example app of `hull serve`'s C tests
// (tests/serve/serve_c.sh) and the `hull-c` row of bench/serve/run.sh. It exports
// wasi:http/incoming-handler@0.2.0 and answers by path:
//
//   /hello    200 "hello from C", headers content-type: text/plain, x-hull-c: hello
//   /json     POST a JSON object of integers, e.g. {"a":1,"b":2} -> 200 {"sum":3};
//             400 {"error":"..."} when the body is no such object, 405 for another method,
//             413 over 64 KiB
//   /headers  200; the body lists every request header as "name: value" lines (names
//             lowercased); every request header named x-* comes back as a response header
//   /query    200 with the query's parameters as a JSON object, percent-decoded
//             (/query?x=1&y=a%20b -> {"x":"1","y":"a b"}); 400 on a malformed %-escape
//   /echo     200, the request body streamed back chunk by chunk (never held whole)
//   /state    200 "visits=V pages=P heap=H": requests this instance answered (with it), its
//             memory's size in pages and its arena's top: with a fresh instance per request
//             (instantiated, or a used one reset) the same answer every time
//   else      404 "not found: PATH"
//
// The canonical ABI glue (imports, return areas, cabi_realloc) is in wasi_http.c; build.sh
// compiles both with clang --target=wasm32 and wraps the module with `jco embed` + `jco new`.
#include "wasi_http.h"

#define JSON_LIMIT 65536  // largest /json body accepted
#define ECHO_CHUNK 65536  // largest chunk /echo asks the host for at once

// ---- a growable byte buffer in the arena ------------------------------------------------------
typedef struct {
  char* ptr;
  size_t len;
  size_t cap;
} buf_t;

static void buf_reserve(buf_t* b, size_t more) {
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap ? b->cap * 2 : 256;
  while (cap < b->len + more) cap *= 2;
  char* p = arena_alloc(1, cap);  // the old buffer stays behind: a request is short-lived
  for (size_t i = 0; i < b->len; ++i) p[i] = b->ptr[i];
  b->ptr = p;
  b->cap = cap;
}

static void buf_put(buf_t* b, str_t s) {
  buf_reserve(b, s.len);
  for (size_t i = 0; i < s.len; ++i) b->ptr[b->len++] = s.ptr[i];
}

static void buf_putc(buf_t* b, char c) {
  buf_reserve(b, 1);
  b->ptr[b->len++] = c;
}

static void buf_put_int(buf_t* b, int64_t v) {
  char digits[20];
  int n = 0;
  // Negate digit by digit: -INT64_MIN does not exist.
  if (v < 0) buf_putc(b, '-');
  do {
    int d = (int)(v % 10);
    digits[n++] = (char)('0' + (d < 0 ? -d : d));
    v /= 10;
  } while (v != 0);
  while (n > 0) buf_putc(b, digits[--n]);
}

// A JSON string literal: quotes, backslashes and control characters escaped; other bytes as
// they are (a query may decode to bytes that are not UTF-8: they are passed through).
static void buf_put_json_string(buf_t* b, str_t s) {
  static const char hex[] = "0123456789abcdef";
  buf_putc(b, '"');
  for (size_t i = 0; i < s.len; ++i) {
    unsigned char c = (unsigned char)s.ptr[i];
    if (c == '"' || c == '\\') {
      buf_putc(b, '\\');
      buf_putc(b, (char)c);
    } else if (c < 0x20) {
      buf_put(b, STR("\\u00"));
      buf_putc(b, hex[c >> 4]);
      buf_putc(b, hex[c & 15]);
    } else {
      buf_putc(b, (char)c);
    }
  }
  buf_putc(b, '"');
}

static str_t buf_str(const buf_t* b) { return (str_t){b->ptr, b->len}; }

static void respond_json_error(response_outparam_t out, uint16_t status, str_t message) {
  buf_t body = {0};
  buf_put(&body, STR("{\"error\":"));
  buf_put_json_string(&body, message);
  buf_putc(&body, '}');
  respond(out, status, STR("application/json"), buf_str(&body));
}

// ---- /hello -----------------------------------------------------------------------------------
static void route_hello(response_outparam_t out) {
  fields_t headers = fields_new();
  fields_append(headers, STR("content-type"), STR("text/plain"));
  fields_append(headers, STR("x-hull-c"), STR("hello"));
  response_writer_t w = response_start(out, 200, headers);
  static const char body[] = "hello from C";
  response_write(&w, body, sizeof body - 1);
  response_finish(&w);
}

// ---- /json: the sum of a JSON object's integer members ----------------------------------------
typedef struct {
  const char* start;
  const char* at;
  const char* end;
  const char* error;  // what was expected where parsing stopped
} json_parser_t;

static void json_skip_space(json_parser_t* p) {
  while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r'))
    ++p->at;
}

static bool json_fail(json_parser_t* p, const char* what) {
  p->error = what;
  return false;
}

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A string (a member's name): checked for valid escapes, not decoded (the sum needs no names).
static bool json_string(json_parser_t* p) {
  if (p->at >= p->end || *p->at != '"') return json_fail(p, "expected a string");
  ++p->at;
  while (p->at < p->end) {
    unsigned char c = (unsigned char)*p->at++;
    if (c == '"') return true;
    if (c < 0x20) return json_fail(p, "control character in a string");
    if (c != '\\') continue;
    if (p->at >= p->end) break;
    char e = *p->at++;
    if (e == 'u') {
      for (int i = 0; i < 4; ++i, ++p->at)
        if (p->at >= p->end || !is_hex(*p->at)) return json_fail(p, "bad \\u escape");
    } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
               e != 't') {
      return json_fail(p, "bad escape in a string");
    }
  }
  return json_fail(p, "unterminated string");
}

// An integer: JSON's number grammar without fraction or exponent, within int64.
static bool json_integer(json_parser_t* p, int64_t* value) {
  bool negative = p->at < p->end && *p->at == '-';
  if (negative) ++p->at;
  if (p->at >= p->end || *p->at < '0' || *p->at > '9') return json_fail(p, "expected an integer");
  if (*p->at == '0' && p->at + 1 < p->end && p->at[1] >= '0' && p->at[1] <= '9')
    return json_fail(p, "leading zero in a number");
  int64_t v = 0;
  while (p->at < p->end && *p->at >= '0' && *p->at <= '9') {
    int digit = *p->at - '0';
    // Accumulate negatively so that INT64_MIN fits. (C division truncates toward zero, so the
    // bound is the smallest v with v * 10 - digit >= INT64_MIN.)
    if (v < (INT64_MIN + digit) / 10) return json_fail(p, "integer out of range");
    v = v * 10 - digit;
    ++p->at;
  }
  if (p->at < p->end && (*p->at == '.' || *p->at == 'e' || *p->at == 'E'))
    return json_fail(p, "expected an integer, not a fraction");
  if (!negative && __builtin_sub_overflow(0, v, &v)) return json_fail(p, "integer out of range");
  *value = v;
  return true;
}

// object := '{' ( string ':' integer ( ',' string ':' integer )* )? '}', and nothing after it.
static bool json_sum_object(json_parser_t* p, int64_t* sum) {
  *sum = 0;
  json_skip_space(p);
  if (p->at >= p->end || *p->at != '{') return json_fail(p, "expected an object");
  ++p->at;
  json_skip_space(p);
  if (p->at < p->end && *p->at == '}') {
    ++p->at;
  } else {
    for (;;) {
      int64_t value;
      json_skip_space(p);
      if (!json_string(p)) return false;
      json_skip_space(p);
      if (p->at >= p->end || *p->at != ':') return json_fail(p, "expected ':'");
      ++p->at;
      json_skip_space(p);
      if (!json_integer(p, &value)) return false;
      if (__builtin_add_overflow(*sum, value, sum)) return json_fail(p, "sum out of range");
      json_skip_space(p);
      if (p->at < p->end && *p->at == ',') {
        ++p->at;
        continue;
      }
      if (p->at < p->end && *p->at == '}') {
        ++p->at;
        break;
      }
      return json_fail(p, "expected ',' or '}'");
    }
  }
  json_skip_space(p);
  if (p->at != p->end) return json_fail(p, "unexpected data after the object");
  return true;
}

static void route_json(incoming_request_t req, response_outparam_t out) {
  if (request_method(req, NULL) != METHOD_POST) {
    fields_t headers = fields_new();
    fields_append(headers, STR("content-type"), STR("application/json"));
    fields_append(headers, STR("allow"), STR("POST"));
    response_writer_t w = response_start(out, 405, headers);
    static const char body[] = "{\"error\":\"use POST\"}";
    response_write(&w, body, sizeof body - 1);
    response_finish(&w);
    return;
  }
  // Collect the body into one buffer; each chunk's memory is reused for the next one.
  char* body = arena_alloc(1, JSON_LIMIT);
  size_t len = 0;
  bool too_big = false;
  body_reader_t reader;
  if (body_reader_open(req, &reader)) {
    str_t chunk;
    size_t mark = arena_mark();
    while (body_reader_next(&reader, ECHO_CHUNK, &chunk)) {
      if (len + chunk.len > JSON_LIMIT) {
        too_big = true;  // keep reading to the end: the client may still be sending
      } else {
        for (size_t i = 0; i < chunk.len; ++i) body[len++] = chunk.ptr[i];
      }
      arena_release(mark);
    }
    body_reader_close(&reader);
  }
  if (too_big) {
    respond_json_error(out, 413, STR("body over 65536 bytes"));
    return;
  }

  json_parser_t p = {body, body, body + len, 0};
  int64_t sum;
  if (!json_sum_object(&p, &sum)) {
    buf_t message = {0};
    buf_put(&message, STR("bad JSON at byte "));
    buf_put_int(&message, p.at - p.start);
    buf_put(&message, STR(": "));
    for (const char* c = p.error; *c; ++c) buf_putc(&message, *c);
    respond_json_error(out, 400, buf_str(&message));
    return;
  }
  buf_t answer = {0};
  buf_put(&answer, STR("{\"sum\":"));
  buf_put_int(&answer, sum);
  buf_putc(&answer, '}');
  respond(out, 200, STR("application/json"), buf_str(&answer));
}

// ---- /headers ---------------------------------------------------------------------------------
static void route_headers(incoming_request_t req, response_outparam_t out) {
  header_t* entries;
  size_t count = request_headers(req, &entries);
  fields_t headers = fields_new();
  fields_append(headers, STR("content-type"), STR("text/plain"));
  buf_t body = {0};
  for (size_t i = 0; i < count; ++i) {
    str_t name = entries[i].name;
    for (size_t k = 0; k < name.len; ++k) {
      char c = name.ptr[k];
      buf_putc(&body, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
    }
    buf_put(&body, STR(": "));
    buf_put(&body, entries[i].value);
    buf_putc(&body, '\n');
    if (name.len > 2 && str_eq_nocase((str_t){name.ptr, 2}, STR("x-")))
      fields_append(headers, name, entries[i].value);  // repeated headers repeat
  }
  response_writer_t w = response_start(out, 200, headers);
  response_write(&w, body.ptr, body.len);
  response_finish(&w);
}

// ---- /query -----------------------------------------------------------------------------------
static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: %XX is a byte, '+' a space. False on a '%' not
// followed by two hex digits.
static bool percent_decode(str_t s, buf_t* out) {
  for (size_t i = 0; i < s.len; ++i) {
    char c = s.ptr[i];
    if (c == '+') {
      buf_putc(out, ' ');
    } else if (c == '%') {
      if (i + 2 >= s.len) return false;  // fewer than two characters follow
      int hi = hex_value(s.ptr[i + 1]), lo = hex_value(s.ptr[i + 2]);
      if (hi < 0 || lo < 0) return false;
      buf_putc(out, (char)(hi * 16 + lo));
      i += 2;
    } else {
      buf_putc(out, c);
    }
  }
  return true;
}

static void route_query(str_t query, response_outparam_t out) {
  buf_t json = {0};
  buf_putc(&json, '{');
  bool first = true;
  size_t i = 0;
  while (i < query.len) {
    size_t end = i;  // one "name=value" pair ends at '&' or the end
    while (end < query.len && query.ptr[end] != '&') ++end;
    size_t eq = i;
    while (eq < end && query.ptr[eq] != '=') ++eq;
    if (end > i) {  // "a&&b": empty pairs are skipped
      str_t name = {query.ptr + i, eq - i};
      str_t value = eq < end ? (str_t){query.ptr + eq + 1, end - eq - 1} : (str_t){"", 0};
      buf_t decoded_name = {0}, decoded_value = {0};
      if (!percent_decode(name, &decoded_name) || !percent_decode(value, &decoded_value)) {
        respond_json_error(out, 400, STR("bad percent-encoding in the query"));
        return;
      }
      if (!first) buf_putc(&json, ',');
      first = false;
      buf_put_json_string(&json, buf_str(&decoded_name));
      buf_putc(&json, ':');
      buf_put_json_string(&json, buf_str(&decoded_value));
    }
    i = end + 1;
  }
  buf_putc(&json, '}');
  respond(out, 200, STR("application/json"), buf_str(&json));
}

// ---- /echo ------------------------------------------------------------------------------------
static void route_echo(incoming_request_t req, response_outparam_t out) {
  fields_t headers = fields_new();
  fields_append(headers, STR("content-type"), STR("application/octet-stream"));
  response_writer_t w = response_start(out, 200, headers);
  body_reader_t reader;
  if (body_reader_open(req, &reader)) {
    str_t chunk;
    size_t mark = arena_mark();
    while (body_reader_next(&reader, ECHO_CHUNK, &chunk)) {
      response_write(&w, chunk.ptr, chunk.len);
      arena_release(mark);  // the chunk is written: its memory holds the next one
    }
    body_reader_close(&reader);
  }
  response_finish(&w);
}

// ---- /state -------------------------------------------------------------------------------------
static int64_t visits;  // in the data section: a used instance not reset would count on

static void route_state(response_outparam_t out) {
  visits += 1;
  const int64_t pages = (int64_t)__builtin_wasm_memory_size(0);
  const int64_t heap = (int64_t)arena_mark();  // before this answer's buffer
  buf_t body = {0};
  buf_put(&body, STR("visits="));
  buf_put_int(&body, visits);
  buf_put(&body, STR(" pages="));
  buf_put_int(&body, pages);
  buf_put(&body, STR(" heap="));
  buf_put_int(&body, heap);
  respond(out, 200, STR("text/plain"), buf_str(&body));
}

// ---- 404 --------------------------------------------------------------------------------------
static void route_not_found(str_t path, response_outparam_t out) {
  buf_t body = {0};
  buf_put(&body, STR("not found: "));
  buf_put(&body, path);
  respond(out, 404, STR("text/plain"), buf_str(&body));
}

// ---- the export -------------------------------------------------------------------------------
// handle(request: own<incoming-request>, response-out: own<response-outparam>): the host calls
// it once per instance; the response goes out through response-out.
__attribute__((export_name("wasi:http/incoming-handler@0.2.0#handle"))) void handle(
    incoming_request_t req, response_outparam_t out) {
  str_t target = request_path(req);  // "/query?x=1": the path, then the query after '?'
  size_t q = 0;
  while (q < target.len && target.ptr[q] != '?') ++q;
  str_t path = {target.ptr, q};
  str_t query = q < target.len ? (str_t){target.ptr + q + 1, target.len - q - 1} : (str_t){"", 0};

  if (str_eq(path, STR("/hello"))) {
    route_hello(out);
  } else if (str_eq(path, STR("/json"))) {
    route_json(req, out);
  } else if (str_eq(path, STR("/headers"))) {
    route_headers(req, out);
  } else if (str_eq(path, STR("/query"))) {
    route_query(query, out);
  } else if (str_eq(path, STR("/echo"))) {
    route_echo(req, out);
  } else if (str_eq(path, STR("/state"))) {
    route_state(out);
  } else {
    route_not_found(path, out);
  }
  request_drop(req);
}
