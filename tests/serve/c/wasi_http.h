// A small hand-written binding of wasi:http 0.2.0 for a C guest (no libc, no generated code).
//
// The component model's canonical ABI turns every WIT function into a core wasm function of
// i32/i64 parameters: strings and lists become (pointer, length) pairs, resources become i32
// handles, and results too big for one core value are written by the host to a "return area"
// whose address the guest passes as the last parameter. The raw imports below are exactly
// those core signatures; `jco new` (wit-component) matches them by module and field name
// against the WIT world and wraps this module into a component.
//
// Only the functions tests/serve/c/app.c needs are declared. Each raw import is wrapped by a
// function of wasi_http.c that hides the return areas and the handles' lifetimes:
//   request side:  request_method, request_path, request_headers + headers_entries,
//                  body_reader_open + body_reader_next
//   response side: response_start (status + headers, sets the response-outparam),
//                  response_write, response_finish
//   memory:        arena_alloc / arena_mark / arena_release (cabi_realloc allocates there too)
#ifndef HULL_TESTS_SERVE_C_WASI_HTTP_H
#define HULL_TESTS_SERVE_C_WASI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// ---- memory ---------------------------------------------------------------------------------
// A bump arena above __heap_base. Every request runs in a fresh instance, so nothing is ever
// freed except by rewinding to a mark (the /echo loop does that after each chunk).
void* arena_alloc(size_t align, size_t size);
size_t arena_mark(void);
void arena_release(size_t mark);

// Byte strings: wasi:http names, values, paths and bodies are (pointer, length), never
// NUL-terminated.
typedef struct {
  const char* ptr;
  size_t len;
} str_t;

#define STR(literal) ((str_t){(literal), sizeof(literal) - 1})
bool str_eq(str_t a, str_t b);
// ASCII case-insensitive comparison (header names).
bool str_eq_nocase(str_t a, str_t b);

// ---- handles --------------------------------------------------------------------------------
// Resource handles are i32 indices into the instance's handle table; distinct typedefs only
// document which resource a handle names.
typedef int32_t incoming_request_t;
typedef int32_t response_outparam_t;
typedef int32_t fields_t;

// ---- request side ---------------------------------------------------------------------------
// The cases of wasi:http/types.method, in WIT order (the variant's discriminant).
typedef enum {
  METHOD_GET,
  METHOD_HEAD,
  METHOD_POST,
  METHOD_PUT,
  METHOD_DELETE,
  METHOD_CONNECT,
  METHOD_OPTIONS,
  METHOD_TRACE,
  METHOD_PATCH,
  METHOD_OTHER,  // the name is in *other
} http_method_t;

http_method_t request_method(incoming_request_t req, str_t* other);
// The path with its query ("/query?x=1"); an empty string when the request has none.
str_t request_path(incoming_request_t req);

typedef struct {
  str_t name;
  str_t value;
} header_t;
// The request's headers, in order: a list the host allocates in the arena with cabi_realloc.
size_t request_headers(incoming_request_t req, header_t** out);

// Reads the request body as a stream. body_reader_next stores the next chunk (at most `max`
// bytes, allocated in the arena) and returns true, or returns false at the end of the body.
typedef struct {
  int32_t body;    // own<incoming-body>
  int32_t stream;  // own<input-stream>, a child of `body`
} body_reader_t;
bool body_reader_open(incoming_request_t req, body_reader_t* reader);
bool body_reader_next(body_reader_t* reader, uint64_t max, str_t* chunk);
void body_reader_close(body_reader_t* reader);

// ---- response side --------------------------------------------------------------------------
fields_t fields_new(void);
// Appends a header; false when the host refuses it (a forbidden or malformed name).
bool fields_append(fields_t fields, str_t name, str_t value);

typedef struct {
  int32_t body;    // own<outgoing-body>
  int32_t stream;  // own<output-stream>, a child of `body`
} response_writer_t;
// Builds the response (status, `headers`, which it takes over) and hands it to the host through
// `out`: the host may send the head at once. Then write the body and finish.
response_writer_t response_start(response_outparam_t out, uint16_t status, fields_t headers);
void response_write(response_writer_t* w, const void* data, size_t len);
void response_finish(response_writer_t* w);

// A whole response in one call: status, one content-type header, a body.
void respond(response_outparam_t out, uint16_t status, str_t content_type, str_t body);

// Frees the request (and everything it still owns) at the end of handle().
void request_drop(incoming_request_t req);

#endif
