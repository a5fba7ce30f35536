// The canonical ABI glue of wasi_http.h: the raw imports of wasi:http/types@0.2.0 and
// wasi:io/streams@0.2.0 as core wasm functions, cabi_realloc, and the wrappers app.c uses.
// Layouts of the return areas follow the canonical ABI's rules (a variant's discriminant first,
// its payload at the payload's alignment); each wrapper says what it reads where.
#include "wasi_http.h"

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define HTTP "wasi:http/types@0.2.0"
#define STREAMS "wasi:io/streams@0.2.0"

// ---- raw imports: (name in the WIT) -> core signature ----------------------------------------
// Parameters after the WIT ones named `ret` are return areas the host writes.
IMPORT(HTTP, "[constructor]fields") int32_t raw_fields_new(void);
IMPORT(HTTP, "[method]fields.append")
void raw_fields_append(int32_t self, const char* name, size_t name_len, const char* value,
                       size_t value_len, void* ret);
IMPORT(HTTP, "[method]fields.entries") void raw_fields_entries(int32_t self, void* ret);
IMPORT(HTTP, "[resource-drop]fields") void raw_fields_drop(int32_t self);

IMPORT(HTTP, "[method]incoming-request.method") void raw_request_method(int32_t self, void* ret);
IMPORT(HTTP, "[method]incoming-request.path-with-query")
void raw_request_path(int32_t self, void* ret);
IMPORT(HTTP, "[method]incoming-request.headers") int32_t raw_request_headers(int32_t self);
IMPORT(HTTP, "[method]incoming-request.consume") void raw_request_consume(int32_t self, void* ret);
IMPORT(HTTP, "[resource-drop]incoming-request") void raw_request_drop(int32_t self);
IMPORT(HTTP, "[method]incoming-body.stream") void raw_incoming_body_stream(int32_t self, void* ret);
IMPORT(HTTP, "[resource-drop]incoming-body") void raw_incoming_body_drop(int32_t self);

IMPORT(HTTP, "[constructor]outgoing-response") int32_t raw_response_new(int32_t headers);
IMPORT(HTTP, "[method]outgoing-response.set-status-code")
int32_t raw_response_set_status(int32_t self, int32_t status);
IMPORT(HTTP, "[method]outgoing-response.body") void raw_response_body(int32_t self, void* ret);
IMPORT(HTTP, "[method]outgoing-body.write") void raw_outgoing_body_write(int32_t self, void* ret);
// finish(this: own<outgoing-body>, trailers: option<own<trailers>>) -> result<_, error-code>
IMPORT(HTTP, "[static]outgoing-body.finish")
void raw_outgoing_body_finish(int32_t self, int32_t has_trailers, int32_t trailers, void* ret);
// set(param, response: result<own<outgoing-response>, error-code>): the result is passed flat,
// its discriminant then the joined payload slots of both cases (error-code's widest case needs
// i32, i32, i64, i32, i32, i32, i32); an `ok` uses only the second.
IMPORT(HTTP, "[static]response-outparam.set")
void raw_outparam_set(int32_t param, int32_t is_err, int32_t response, int32_t p1, int64_t p2,
                      int32_t p3, int32_t p4, int32_t p5, int32_t p6);

IMPORT(STREAMS, "[method]input-stream.blocking-read")
void raw_blocking_read(int32_t self, uint64_t len, void* ret);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush")
void raw_blocking_write_and_flush(int32_t self, const void* data, size_t len, void* ret);
IMPORT(STREAMS, "[resource-drop]input-stream") void raw_input_stream_drop(int32_t self);
IMPORT(STREAMS, "[resource-drop]output-stream") void raw_output_stream_drop(int32_t self);
IMPORT("wasi:io/error@0.2.0", "[resource-drop]error") void raw_io_error_drop(int32_t self);

// One return area for every call: the host fills it during the call and the wrapper reads it
// before the next one (one request per instance, no threads). 8-aligned for error-code's u64.
static _Alignas(8) unsigned char ret_area[64];
#define RET_U8(offset) (*(uint8_t*)(ret_area + (offset)))
#define RET_U32(offset) (*(uint32_t*)(ret_area + (offset)))

// ---- freestanding C: what the compiler may call for copies and clears ------------------------
void* memcpy(void* restrict dst, const void* restrict src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

// ---- memory ---------------------------------------------------------------------------------
extern unsigned char __heap_base;  // the linker's end of data and stack
static uintptr_t heap_top;

void* arena_alloc(size_t align, size_t size) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t at = (heap_top + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = at + size;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1)
    __builtin_trap();  // out of memory: the host answers 500
  heap_top = end;
  return (void*)at;
}

size_t arena_mark(void) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  return heap_top;
}

void arena_release(size_t mark) { heap_top = mark; }

// The host allocates the strings and lists it returns (paths, headers, body chunks) here.
__attribute__((export_name("cabi_realloc"))) void* cabi_realloc(void* old, size_t old_size,
                                                                size_t align, size_t new_size) {
  void* p = arena_alloc(align, new_size);
  if (old) memcpy(p, old, old_size < new_size ? old_size : new_size);
  return p;
}

bool str_eq(str_t a, str_t b) {
  if (a.len != b.len) return false;
  for (size_t i = 0; i < a.len; ++i)
    if (a.ptr[i] != b.ptr[i]) return false;
  return true;
}

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

bool str_eq_nocase(str_t a, str_t b) {
  if (a.len != b.len) return false;
  for (size_t i = 0; i < a.len; ++i)
    if (ascii_lower(a.ptr[i]) != ascii_lower(b.ptr[i])) return false;
  return true;
}

// ---- request side ---------------------------------------------------------------------------
http_method_t request_method(incoming_request_t req, str_t* other) {
  raw_request_method(req, ret_area);  // variant: u8 case; `other`'s string at 4 (ptr, len)
  uint8_t which = RET_U8(0);
  if (which == METHOD_OTHER && other)
    *other = (str_t){(const char*)(uintptr_t)RET_U32(4), RET_U32(8)};
  return (http_method_t)which;
}

str_t request_path(incoming_request_t req) {
  raw_request_path(req, ret_area);  // option<string>: u8 some; string at 4 (ptr, len)
  if (!RET_U8(0)) return (str_t){"", 0};
  return (str_t){(const char*)(uintptr_t)RET_U32(4), RET_U32(8)};
}

size_t request_headers(incoming_request_t req, header_t** out) {
  // headers() returns a child resource of the request: read its entries, then drop it.
  fields_t headers = raw_request_headers(req);
  raw_fields_entries(headers, ret_area);  // list at 0 (ptr, len)
  raw_fields_drop(headers);
  // Each element is tuple<string, list<u8>>: four u32 (name ptr, len, value ptr, len), which is
  // exactly header_t's layout on wasm32.
  _Static_assert(sizeof(header_t) == 16, "header_t must match the canonical ABI tuple");
  *out = (header_t*)(uintptr_t)RET_U32(0);
  return RET_U32(4);
}

bool body_reader_open(incoming_request_t req, body_reader_t* reader) {
  raw_request_consume(req, ret_area);  // result<own<incoming-body>>: u8 is-error; handle at 4
  if (RET_U8(0)) return false;         // consumed already
  reader->body = (int32_t)RET_U32(4);
  raw_incoming_body_stream(reader->body, ret_area);  // result<own<input-stream>>, same layout
  if (RET_U8(0)) {
    raw_incoming_body_drop(reader->body);
    return false;
  }
  reader->stream = (int32_t)RET_U32(4);
  return true;
}

bool body_reader_next(body_reader_t* reader, uint64_t max, str_t* chunk) {
  // result<list<u8>, stream-error>: u8 is-error; ok: list at 4 (ptr, len); error: the
  // stream-error case at 4 (0 last-operation-failed with own<error> at 8, 1 closed).
  raw_blocking_read(reader->stream, max, ret_area);
  if (RET_U8(0)) {
    if (RET_U8(4) == 0) raw_io_error_drop((int32_t)RET_U32(8));
    return false;  // closed: the body is over (a failed read ends it too)
  }
  *chunk = (str_t){(const char*)(uintptr_t)RET_U32(4), RET_U32(8)};
  return true;
}

void body_reader_close(body_reader_t* reader) {
  raw_input_stream_drop(reader->stream);  // the child first: dropping its parent traps else
  raw_incoming_body_drop(reader->body);
}

void request_drop(incoming_request_t req) { raw_request_drop(req); }

// ---- response side --------------------------------------------------------------------------
fields_t fields_new(void) { return raw_fields_new(); }

bool fields_append(fields_t fields, str_t name, str_t value) {
  raw_fields_append(fields, name.ptr, name.len, value.ptr, value.len, ret_area);
  return RET_U8(0) == 0;  // result<_, header-error>: u8 is-error
}

response_writer_t response_start(response_outparam_t out, uint16_t status, fields_t headers) {
  response_writer_t w;
  int32_t response = raw_response_new(headers);
  if (raw_response_set_status(response, status) != 0) __builtin_trap();  // not a valid status
  raw_response_body(response, ret_area);  // result<own<outgoing-body>>: first call succeeds
  w.body = (int32_t)RET_U32(4);
  raw_outgoing_body_write(w.body, ret_area);  // result<own<output-stream>>, same layout
  w.stream = (int32_t)RET_U32(4);
  raw_outparam_set(out, 0, response, 0, 0, 0, 0, 0, 0);
  return w;
}

void response_write(response_writer_t* w, const void* data, size_t len) {
  // blocking-write-and-flush takes at most 4096 bytes per call (the stream's check-write).
  const char* p = data;
  while (len > 0) {
    size_t n = len > 4096 ? 4096 : len;
    raw_blocking_write_and_flush(w->stream, p, n, ret_area);
    if (RET_U8(0)) {  // the client is gone: stop writing (an error handle is at 8 if case 0)
      if (RET_U8(4) == 0) raw_io_error_drop((int32_t)RET_U32(8));
      return;
    }
    p += n;
    len -= n;
  }
}

void response_finish(response_writer_t* w) {
  raw_output_stream_drop(w->stream);  // the child before its parent is finished
  raw_outgoing_body_finish(w->body, 0, 0, ret_area);
}

void respond(response_outparam_t out, uint16_t status, str_t content_type, str_t body) {
  fields_t headers = fields_new();
  fields_append(headers, STR("content-type"), content_type);
  response_writer_t w = response_start(out, status, headers);
  response_write(&w, body.ptr, body.len);
  response_finish(&w);
}
