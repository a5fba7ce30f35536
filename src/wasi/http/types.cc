// wasi:http/types: fields, the request and response resources, bodies and their futures,
// error-code and http-error-code, over the objects of objects.h.
#include <algorithm>
#include <mutex>

#include "wasi/http/bindings.h"
#include "wasi/http/objects.h"

namespace hull::wasi::http {
// wasi:http/types header-error on the typed path (p2::Definer::typed).
struct TypedHeaderError {
  struct InvalidSyntax {};
  struct Forbidden {};
  struct Immutable {};
  std::variant<InvalidSyntax, Forbidden, Immutable> value;
};
}  // namespace hull::wasi::http

template <>
struct hull::api::component::Wit<hull::wasi::http::TypedHeaderError>
    : hull::api::component::detail::WitVariant<hull::wasi::http::TypedHeaderError> {
  static constexpr std::array<std::string_view, 3> case_names{"invalid-syntax", "forbidden",
                                                              "immutable"};
};

namespace hull::wasi::http {

namespace {

using p2::get;
using p2::own;
using p2::push;
using p2::rep_of;
using p2::trap;

constexpr const char* kMethods[][2] = {
    {"get", "GET"},         {"head", "HEAD"},     {"post", "POST"},
    {"put", "PUT"},         {"delete", "DELETE"}, {"connect", "CONNECT"},
    {"options", "OPTIONS"}, {"trace", "TRACE"},   {"patch", "PATCH"},
};

// Removes an object the guest handed over (an own parameter): the guest's handle is gone, so
// the object leaves the table here. One whose children (streams) still live is a trap.
template <class T>
api::Result<std::unique_ptr<T>> take(Ctx& c, uint32_t rep, const char* what) {
  ResourceTable::Removed why;
  std::unique_ptr<HostObject> o = c.table.take(rep, &why);
  if (why == ResourceTable::Removed::has_children) {
    return trap(std::string(what) + " consumed while a resource derived from it (a stream or " +
                "pollable) is still alive");
  }
  T* t = host_object_as<T>(o.get());
  if (!t) return trap(std::string("unknown ") + what + " handle");
  o.release();
  return std::unique_ptr<T>(t);
}
template <class T>
api::Result<std::unique_ptr<T>> take(Ctx& c, const cm::Val& handle, const char* what) {
  return take<T>(c, rep_of(handle), what);
}
template <class T>
api::Result<std::unique_ptr<T>> take(Ctx& c, const cm::ResourceAny& handle, const char* what) {
  return take<T>(c, handle.rep, what);
}

using Bytes = std::vector<uint8_t>;
using Handle = cm::ResourceAny;
// result<own<T>> (no error payload) and result (none at all).
using HandleOrNothing = cm::WitResult<Handle, void>;
using OkOrNothing = cm::WitResult<void, void>;
using HeaderAnswer = cm::WitResult<void, TypedHeaderError>;

std::string string_of(const Bytes& b) { return std::string(b.begin(), b.end()); }
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

cm::Val opt_string_val(const std::optional<std::string>& s) {
  return s ? cm::Val::some(cm::Val::string(*s)) : cm::Val::none();
}

cm::Val header_error_val(HeaderError e) { return cm::Val::variant(header_error_name(e)); }

// result<_, header-error>
HeaderAnswer header_answer(std::optional<HeaderError> e) {
  if (!e) return HeaderAnswer::ok();
  switch (*e) {
    case HeaderError::invalid_syntax: return HeaderAnswer::err({TypedHeaderError::InvalidSyntax{}});
    case HeaderError::forbidden: return HeaderAnswer::err({TypedHeaderError::Forbidden{}});
    case HeaderError::immutable: return HeaderAnswer::err({TypedHeaderError::Immutable{}});
  }
  return HeaderAnswer::err({TypedHeaderError::InvalidSyntax{}});
}

api::Result<Handle> push_fields(Ctx& c, const p2::ResourceTypes& t, FieldEntries entries,
                                bool immutable) {
  auto rep = push(c, std::make_unique<Fields>(std::move(entries), immutable));
  if (!rep) return std::move(rep).error();
  return p2::own_handle(t.fields, *rep);
}

api::Result<cm::Val> push_pollable(Ctx& c, const p2::ResourceTypes& t, uint32_t parent,
                                   std::function<Readiness()> source) {
  auto rep = push(c, std::make_unique<p2::Pollable>(std::move(source)), parent);
  if (!rep) return std::move(rep).error();
  return own(t.pollable, *rep);
}

std::optional<uint64_t> content_length_of(const FieldEntries& headers) {
  for (const auto& [name, value] : headers) {
    if (!field_name_equals(name, "content-length")) continue;
    uint64_t n = 0;
    if (value.empty() || value.size() > 19) return std::nullopt;
    for (char ch : value) {
      if (ch < '0' || ch > '9') return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(ch - '0');
    }
    return n;
  }
  return std::nullopt;
}

// result<own<outgoing-body>>: the body of a request or response, at most once.
api::Result<HandleOrNothing> body_answer(Ctx& c, const p2::ResourceTypes& t,
                                         std::shared_ptr<OutgoingBodyPipe>* slot,
                                         const FieldEntries& headers, bool is_request) {
  if (*slot) return HandleOrNothing::err();
  *slot = std::make_shared<OutgoingBodyPipe>();
  (*slot)->content_length = content_length_of(headers);
  (*slot)->is_request = is_request;
  auto rep = push(c, std::make_unique<OutgoingBody>(*slot));
  if (!rep) return std::move(rep).error();
  return HandleOrNothing::ok(p2::own_handle(t.outgoing_body, *rep));
}

bool is_valid_path_with_query(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c != 0x7f && c != '#';
  });
}

bool is_valid_scheme(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '+' || c == '-' || c == '.';
  });
}

bool is_valid_authority(std::string_view s) {
  bool chars = std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c != 0x7f && c != '/' && c != '?' && c != '#';
  });
  return chars && !s.empty() && split_authority(s, 0).has_value();
}

void add_fields(p2::Definer& d, const p2::Types& types) {
  d.typed("[constructor]fields", [types](Ctx& c) { return push_fields(c, *types, {}, false); });
  d.fn("[static]fields.from-list", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    FieldEntries entries = field_entries_of(a[0]);
    if (auto e = Fields::check(entries)) {
      r.push_back(cm::Val::err(header_error_val(*e)));
      return {};
    }
    auto v = push_fields(c, *types, std::move(entries), false);
    if (!v) return std::move(v).error();
    r.push_back(cm::Val::ok(cm::Val::resource(*v)));
    return {};
  });
  d.typed("[method]fields.get",
          [](Ctx& c, Handle fields, std::string name) -> api::Result<std::vector<Bytes>> {
            auto f = get<Fields>(c, fields, "fields");
            if (!f) return std::move(f).error();
            std::vector<Bytes> out;
            for (const std::string& v : (*f)->get(name)) out.push_back(bytes_of(v));
            return out;
          });
  d.typed("[method]fields.has", [](Ctx& c, Handle fields, std::string name) -> api::Result<bool> {
    auto f = get<Fields>(c, fields, "fields");
    if (!f) return std::move(f).error();
    return (*f)->has(name);
  });
  d.typed("[method]fields.set",
          [](Ctx& c, Handle fields, std::string name,
             std::vector<Bytes> values) -> api::Result<HeaderAnswer> {
            auto f = get<Fields>(c, fields, "fields");
            if (!f) return std::move(f).error();
            std::vector<std::string> strings;
            strings.reserve(values.size());
            for (const Bytes& v : values) strings.push_back(string_of(v));
            return header_answer((*f)->set(name, strings));
          });
  d.typed("[method]fields.delete",
          [](Ctx& c, Handle fields, std::string name) -> api::Result<HeaderAnswer> {
            auto f = get<Fields>(c, fields, "fields");
            if (!f) return std::move(f).error();
            return header_answer((*f)->remove(name));
          });
  d.typed("[method]fields.append",
          [](Ctx& c, Handle fields, std::string name, Bytes value) -> api::Result<HeaderAnswer> {
            auto f = get<Fields>(c, fields, "fields");
            if (!f) return std::move(f).error();
            return header_answer((*f)->append(name, string_of(value)));
          });
  d.typed("[method]fields.entries",
          [](Ctx& c, Handle fields) -> api::Result<std::vector<std::tuple<std::string, Bytes>>> {
            auto f = get<Fields>(c, fields, "fields");
            if (!f) return std::move(f).error();
            std::vector<std::tuple<std::string, Bytes>> out;
            out.reserve((*f)->entries().size());
            for (const auto& [name, value] : (*f)->entries())
              out.emplace_back(name, bytes_of(value));
            return out;
          });
  d.typed("[method]fields.clone", [types](Ctx& c, Handle fields) -> api::Result<Handle> {
    auto f = get<Fields>(c, fields, "fields");
    if (!f) return std::move(f).error();
    return push_fields(c, *types, (*f)->entries(), false);
  });
}

// `headers` and `consume` of an incoming message (request or response, both holding its
// headers and a body that can be taken once).
template <class M>
void define_incoming_headers_and_consume(p2::Definer& d, const p2::Types& types, const char* what) {
  const std::string name(what);
  d.typed("[method]" + name + ".headers",
          [types, what](Ctx& c, Handle message) -> api::Result<Handle> {
            auto q = get<M>(c, message, what);
            if (!q) return std::move(q).error();
            return push_fields(c, *types, (*q)->headers, true);
          });
  d.typed("[method]" + name + ".consume",
          [types, what](Ctx& c, Handle message) -> api::Result<HandleOrNothing> {
            auto q = get<M>(c, message, what);
            if (!q) return std::move(q).error();
            if (!(*q)->body) return HandleOrNothing::err();  // the body was taken already
            auto rep = push(c, std::make_unique<IncomingBody>(std::move((*q)->body)));
            (*q)->body.reset();
            if (!rep) return std::move(rep).error();
            return HandleOrNothing::ok(p2::own_handle(types->incoming_body, *rep));
          });
}

void add_incoming_request(p2::Definer& d, const p2::Types& types) {
  using R = IncomingRequest;
  d.fn("[method]incoming-request.method", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "incoming-request");
    if (!q) return std::move(q).error();
    r.push_back(method_val((*q)->method));
    return {};
  });
  d.typed("[method]incoming-request.path-with-query",
          [](Ctx& c, Handle request) -> api::Result<std::optional<std::string>> {
            auto q = get<R>(c, request, "incoming-request");
            if (!q) return std::move(q).error();
            return (*q)->path_with_query;
          });
  d.fn("[method]incoming-request.scheme", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "incoming-request");
    if (!q) return std::move(q).error();
    r.push_back((*q)->scheme ? cm::Val::some(scheme_val(*(*q)->scheme)) : cm::Val::none());
    return {};
  });
  d.typed("[method]incoming-request.authority",
          [](Ctx& c, Handle request) -> api::Result<std::optional<std::string>> {
            auto q = get<R>(c, request, "incoming-request");
            if (!q) return std::move(q).error();
            return (*q)->authority;
          });
  define_incoming_headers_and_consume<R>(d, types, "incoming-request");
}

// The getters and setters of the request target (method, path-with-query, scheme, authority)
// that outgoing-request shares.
void add_outgoing_request_target(p2::Definer& d) {
  using R = OutgoingRequest;
  d.fn("[method]outgoing-request.method", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "outgoing-request");
    if (!q) return std::move(q).error();
    r.push_back(method_val((*q)->method));
    return {};
  });
  d.fn("[method]outgoing-request.set-method", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "outgoing-request");
    if (!q) return std::move(q).error();
    std::string m = method_of(a[1]);
    if (!is_valid_method(m)) {
      r.push_back(cm::Val::err());
      return {};
    }
    (*q)->method = std::move(m);
    r.push_back(cm::Val::ok());
    return {};
  });
  d.fn("[method]outgoing-request.path-with-query",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto q = get<R>(c, a[0], "outgoing-request");
         if (!q) return std::move(q).error();
         r.push_back(opt_string_val((*q)->path_with_query));
         return {};
       });
  d.fn("[method]outgoing-request.set-path-with-query",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto q = get<R>(c, a[0], "outgoing-request");
         if (!q) return std::move(q).error();
         if (a[1].is_some() && !is_valid_path_with_query(a[1].payload()->as_string())) {
           r.push_back(cm::Val::err());
           return {};
         }
         (*q)->path_with_query = a[1].is_some()
                                     ? std::optional<std::string>(a[1].payload()->as_string())
                                     : std::nullopt;
         r.push_back(cm::Val::ok());
         return {};
       });
  d.fn("[method]outgoing-request.scheme", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "outgoing-request");
    if (!q) return std::move(q).error();
    r.push_back((*q)->scheme ? cm::Val::some(scheme_val(*(*q)->scheme)) : cm::Val::none());
    return {};
  });
  d.fn("[method]outgoing-request.set-scheme", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "outgoing-request");
    if (!q) return std::move(q).error();
    std::optional<std::string> s;
    if (a[1].is_some()) s = scheme_of(*a[1].payload());
    if (s && !is_valid_scheme(*s)) {
      r.push_back(cm::Val::err());
      return {};
    }
    (*q)->scheme = std::move(s);
    r.push_back(cm::Val::ok());
    return {};
  });
  d.fn("[method]outgoing-request.authority", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<R>(c, a[0], "outgoing-request");
    if (!q) return std::move(q).error();
    r.push_back(opt_string_val((*q)->authority));
    return {};
  });
  d.fn("[method]outgoing-request.set-authority",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto q = get<R>(c, a[0], "outgoing-request");
         if (!q) return std::move(q).error();
         if (a[1].is_some() && !is_valid_authority(a[1].payload()->as_string())) {
           r.push_back(cm::Val::err());
           return {};
         }
         (*q)->authority = a[1].is_some() ? std::optional<std::string>(a[1].payload()->as_string())
                                          : std::nullopt;
         r.push_back(cm::Val::ok());
         return {};
       });
}

void add_outgoing_request(p2::Definer& d, const p2::Types& types) {
  using R = OutgoingRequest;
  d.fn("[constructor]outgoing-request", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto headers = take<Fields>(c, a[0], "fields");
    if (!headers) return std::move(headers).error();
    auto q = std::make_unique<R>();
    q->headers = (*headers)->entries();
    auto rep = push(c, std::move(q));
    if (!rep) return std::move(rep).error();
    r.push_back(own(types->outgoing_request, *rep));
    return {};
  });
  d.typed("[method]outgoing-request.body",
          [types](Ctx& c, Handle request) -> api::Result<HandleOrNothing> {
            auto q = get<R>(c, request, "outgoing-request");
            if (!q) return std::move(q).error();
            return body_answer(c, *types, &(*q)->body, (*q)->headers, true);
          });
  d.typed("[method]outgoing-request.headers",
          [types](Ctx& c, Handle request) -> api::Result<Handle> {
            auto q = get<R>(c, request, "outgoing-request");
            if (!q) return std::move(q).error();
            return push_fields(c, *types, (*q)->headers, true);
          });
  add_outgoing_request_target(d);
}

void add_request_options(p2::Definer& d, const p2::Types& types) {
  d.fn("[constructor]request-options", [types](Ctx& c, Args, Results& r) -> api::Result<void> {
    auto rep = push(c, std::make_unique<RequestOptions>());
    if (!rep) return std::move(rep).error();
    r.push_back(own(types->request_options, *rep));
    return {};
  });
  auto option = [&d](const char* name, std::optional<uint64_t> RequestOptions::*field) {
    d.fn(std::string("[method]request-options.") + name,
         [field](Ctx& c, Args a, Results& r) -> api::Result<void> {
           auto o = get<RequestOptions>(c, a[0], "request-options");
           if (!o) return std::move(o).error();
           auto v = (*o)->*field;
           r.push_back(v ? cm::Val::some(cm::Val::u64(*v)) : cm::Val::none());
           return {};
         });
    d.fn(std::string("[method]request-options.set-") + name,
         [field](Ctx& c, Args a, Results& r) -> api::Result<void> {
           auto o = get<RequestOptions>(c, a[0], "request-options");
           if (!o) return std::move(o).error();
           (*o)->*field =
               a[1].is_some() ? std::optional<uint64_t>(a[1].payload()->as_u64()) : std::nullopt;
           r.push_back(cm::Val::ok());
           return {};
         });
  };
  option("connect-timeout", &RequestOptions::connect_timeout);
  option("first-byte-timeout", &RequestOptions::first_byte_timeout);
  option("between-bytes-timeout", &RequestOptions::between_bytes_timeout);
}

void add_responses(p2::Definer& d, const p2::Types& types) {
  d.typed("[static]response-outparam.set",
          [](Ctx& c, Handle outparam,
             cm::WitResult<Handle, TypedErrorCode> response) -> api::Result<void> {
            auto param = take<ResponseOutparam>(c, outparam, "response-outparam");
            if (!param) return std::move(param).error();
            OutparamSlot& slot = *(*param)->slot;
            if (response.is_ok()) {
              auto resp = take<OutgoingResponse>(c, response.value(), "outgoing-response");
              if (!resp) return std::move(resp).error();
              if ((*resp)->body && slot.attach_body) slot.attach_body(*(*resp)->body);
              slot.answer = std::move(*resp);
            } else {
              slot.answer = error_code_of(response.error());
            }
            return {};
          });
  d.fn("[method]response-outparam.send-informational",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         if (auto p = get<ResponseOutparam>(c, a[0], "response-outparam"); !p) {
           return std::move(p).error();
         }
         r.push_back(cm::Val::err(
             error_code_val(ErrorCode::internal("informational responses are not supported"))));
         return {};
       });

  d.fn("[method]incoming-response.status", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto q = get<IncomingResponse>(c, a[0], "incoming-response");
    if (!q) return std::move(q).error();
    r.push_back(cm::Val::u16((*q)->status));
    return {};
  });
  define_incoming_headers_and_consume<IncomingResponse>(d, types, "incoming-response");

  d.typed("[constructor]outgoing-response", [types](Ctx& c, Handle fields) -> api::Result<Handle> {
    auto headers = take<Fields>(c, fields, "fields");
    if (!headers) return std::move(headers).error();
    auto resp = std::make_unique<OutgoingResponse>();
    resp->headers = (*headers)->entries();
    auto rep = push(c, std::move(resp));
    if (!rep) return std::move(rep).error();
    return p2::own_handle(types->outgoing_response, *rep);
  });
  d.typed("[method]outgoing-response.status-code",
          [](Ctx& c, Handle response) -> api::Result<uint16_t> {
            auto q = get<OutgoingResponse>(c, response, "outgoing-response");
            if (!q) return std::move(q).error();
            return (*q)->status;
          });
  d.typed("[method]outgoing-response.set-status-code",
          [](Ctx& c, Handle response, uint16_t code) -> api::Result<OkOrNothing> {
            auto q = get<OutgoingResponse>(c, response, "outgoing-response");
            if (!q) return std::move(q).error();
            if (code < 100 || code > 999) return OkOrNothing::err();  // three digits
            (*q)->status = code;
            return OkOrNothing::ok();
          });
  d.typed("[method]outgoing-response.headers",
          [types](Ctx& c, Handle response) -> api::Result<Handle> {
            auto q = get<OutgoingResponse>(c, response, "outgoing-response");
            if (!q) return std::move(q).error();
            return push_fields(c, *types, (*q)->headers, true);
          });
  d.typed("[method]outgoing-response.body",
          [types](Ctx& c, Handle response) -> api::Result<HandleOrNothing> {
            auto q = get<OutgoingResponse>(c, response, "outgoing-response");
            if (!q) return std::move(q).error();
            return body_answer(c, *types, &(*q)->body, (*q)->headers, false);
          });
}

// result<own<stream>>: a body's stream (input or output), handed out at most once, as a child
// of the body in the table (the body cannot go while its stream lives).
template <class Body, class MakeStream>
api::Result<HandleOrNothing> body_stream(Ctx& c, const Handle& body, const char* what,
                                         cm::ResourceType stream_type, MakeStream make_stream) {
  auto b = get<Body>(c, body, what);
  if (!b) return std::move(b).error();
  if ((*b)->stream_taken) return HandleOrNothing::err();
  (*b)->stream_taken = true;
  auto rep = push(c, make_stream(**b), body.rep);
  if (!rep) return std::move(rep).error();
  return HandleOrNothing::ok(p2::own_handle(stream_type, *rep));
}

void add_bodies(p2::Definer& d, const p2::Types& types) {
  d.typed("[method]incoming-body.stream",
          [types](Ctx& c, Handle body) -> api::Result<HandleOrNothing> {
            return body_stream<IncomingBody>(c, body, "incoming-body", types->input_stream,
                                             [](IncomingBody& b) { return body_input(b.source); });
          });
  d.fn("[static]incoming-body.finish", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto b = take<IncomingBody>(c, a[0], "incoming-body");
    if (!b) return std::move(b).error();
    auto rep = push(c, std::make_unique<FutureTrailers>((*b)->source));
    if (!rep) return std::move(rep).error();
    r.push_back(own(types->future_trailers, *rep));
    return {};
  });
  d.fn("[method]future-trailers.subscribe",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto f = get<FutureTrailers>(c, a[0], "future-trailers");
         if (!f) return std::move(f).error();
         std::shared_ptr<IncomingBodySource> src = (*f)->source;
         auto p =
             push_pollable(c, *types, rep_of(a[0]), [src] { return src->trailers_readiness(); });
         if (!p) return std::move(p).error();
         r.push_back(std::move(*p));
         return {};
       });
  d.fn("[method]future-trailers.get", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto f = get<FutureTrailers>(c, a[0], "future-trailers");
    if (!f) return std::move(f).error();
    if ((*f)->consumed) {
      r.push_back(cm::Val::some(cm::Val::err()));
      return {};
    }
    auto done = (*f)->source->trailers();
    if (!done) {
      r.push_back(cm::Val::none());
      return {};
    }
    (*f)->consumed = true;
    if (auto* e = std::get_if<ErrorCode>(&*done)) {
      r.push_back(cm::Val::some(cm::Val::ok(cm::Val::err(error_code_val(*e)))));
      return {};
    }
    auto& trailers = std::get<std::optional<FieldEntries>>(*done);
    cm::Val inner = cm::Val::none();
    if (trailers) {
      auto v = push_fields(c, *types, *trailers, true);
      if (!v) return std::move(v).error();
      inner = cm::Val::some(cm::Val::resource(*v));
    }
    r.push_back(cm::Val::some(cm::Val::ok(cm::Val::ok(std::move(inner)))));
    return {};
  });

  d.typed("[method]outgoing-body.write",
          [types](Ctx& c, Handle body) -> api::Result<HandleOrNothing> {
            return body_stream<OutgoingBody>(c, body, "outgoing-body", types->output_stream,
                                             [](OutgoingBody& b) { return body_output(b.pipe); });
          });
  using FinishAnswer = cm::WitResult<void, TypedErrorCode>;
  d.typed(
      "[static]outgoing-body.finish",
      [](Ctx& c, Handle body, std::optional<Handle> trailer_fields) -> api::Result<FinishAnswer> {
        auto b = take<OutgoingBody>(c, body, "outgoing-body");
        if (!b) return std::move(b).error();
        std::optional<FieldEntries> trailers;
        if (trailer_fields) {
          auto t = take<Fields>(c, *trailer_fields, "fields");
          if (!t) return std::move(t).error();
          trailers = (*t)->entries();
        }
        OutgoingBodyPipe& pipe = *(*b)->pipe;
        if (pipe.failed) {
          // The body object's destructor marks it broken.
          return FinishAnswer::err(typed_error_code(*pipe.failed));
        }
        if (pipe.content_length && pipe.written != *pipe.content_length) {
          // A body shorter than its declared length: the message cannot be completed.
          ErrorCode e = pipe.size_error();
          e.number = pipe.written;
          pipe.failed = e;
          return FinishAnswer::err(typed_error_code(e));
        }
        pipe.state = OutgoingBodyPipe::State::finished;
        pipe.trailers = std::move(trailers);
        if (pipe.drain) pipe.drain();
        return FinishAnswer::ok();
      });

  d.fn("[method]future-incoming-response.subscribe",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto f = get<FutureIncomingResponse>(c, a[0], "future-incoming-response");
         if (!f) return std::move(f).error();
         std::function<Readiness()> source = [] { return Readiness::ready(); };
         if (auto* p = std::get_if<std::shared_ptr<PendingResponse>>(&(*f)->pending)) {
           std::shared_ptr<PendingResponse> pending = *p;
           source = [pending] { return pending->readiness(); };
         }
         auto p = push_pollable(c, *types, rep_of(a[0]), std::move(source));
         if (!p) return std::move(p).error();
         r.push_back(std::move(*p));
         return {};
       });
  d.fn("[method]future-incoming-response.get",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto f = get<FutureIncomingResponse>(c, a[0], "future-incoming-response");
         if (!f) return std::move(f).error();
         if ((*f)->consumed) {
           r.push_back(cm::Val::some(cm::Val::err()));
           return {};
         }
         std::variant<ResponseHead, ErrorCode> outcome = ErrorCode::internal("no response");
         if (auto* e = std::get_if<ErrorCode>(&(*f)->pending)) {
           outcome = *e;
         } else {
           auto polled = std::get<std::shared_ptr<PendingResponse>>((*f)->pending)->poll();
           if (!polled) {
             r.push_back(cm::Val::none());
             return {};
           }
           outcome = std::move(*polled);
         }
         (*f)->consumed = true;
         if (auto* e = std::get_if<ErrorCode>(&outcome)) {
           r.push_back(cm::Val::some(cm::Val::ok(cm::Val::err(error_code_val(*e)))));
           return {};
         }
         auto& head = std::get<ResponseHead>(outcome);
         auto resp = std::make_unique<IncomingResponse>();
         resp->status = head.status;
         resp->headers = std::move(head.headers);
         resp->body = std::move(head.body);
         auto rep = push(c, std::move(resp));
         if (!rep) return std::move(rep).error();
         r.push_back(cm::Val::some(cm::Val::ok(cm::Val::ok(own(types->incoming_response, *rep)))));
         return {};
       });
}

std::mutex registry_mutex;
std::vector<std::weak_ptr<const p2::ResourceTypes>>& registry() {
  static std::vector<std::weak_ptr<const p2::ResourceTypes>> r;
  return r;
}

}  // namespace

cm::Val method_val(const std::string& method) {
  for (const auto& m : kMethods) {
    if (method == m[1]) return cm::Val::variant(m[0]);
  }
  return cm::Val::variant("other", cm::Val::string(method));
}

std::string method_of(const cm::Val& v) {
  if (v.case_name() == "other") return v.payload()->as_string();
  for (const auto& m : kMethods) {
    if (v.case_name() == m[0]) return m[1];
  }
  return v.case_name();
}

bool is_valid_method(std::string_view method) { return is_valid_field_name(method); }

cm::Val scheme_val(const std::string& scheme) {
  if (scheme == "http") return cm::Val::variant("HTTP");
  if (scheme == "https") return cm::Val::variant("HTTPS");
  return cm::Val::variant("other", cm::Val::string(scheme));
}

std::string scheme_of(const cm::Val& v) {
  if (v.case_name() == "HTTP") return "http";
  if (v.case_name() == "HTTPS") return "https";
  return v.payload() ? v.payload()->as_string() : std::string();
}

cm::Val field_entries_val(const FieldEntries& entries) {
  std::vector<cm::Val> out;
  out.reserve(entries.size());
  for (const auto& [name, value] : entries) {
    out.push_back(cm::Val::tuple({cm::Val::string(name), p2::bytes_val(value)}));
  }
  return cm::Val::list(std::move(out));
}

FieldEntries field_entries_of(const cm::Val& list) {
  FieldEntries out;
  for (const cm::Val& t : list.items()) {
    out.emplace_back(t.items()[0].as_string(), p2::bytes_of(t.items()[1]));
  }
  return out;
}

void register_types(const std::shared_ptr<const p2::ResourceTypes>& types) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto& r = registry();
  std::erase_if(r, [](const auto& w) { return w.expired(); });
  r.push_back(types);
}

std::shared_ptr<const p2::ResourceTypes> current_types() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto& r = registry();
  for (auto it = r.rbegin(); it != r.rend(); ++it) {
    if (auto t = it->lock()) return t;
  }
  return nullptr;
}

api::Result<void> add_http_types(cm::Linker& linker, const p2::Types& types) {
  p2::Definer d(linker, "wasi:http/types");
  d.uses("input-stream", types->input_stream);
  d.uses("output-stream", types->output_stream);
  d.uses("io-error", types->error);
  d.uses("pollable", types->pollable);
  p2::ResourceTypes& t = *types;
  t.fields = d.resource("fields");
  t.incoming_request = d.resource("incoming-request");
  t.outgoing_request = d.resource("outgoing-request");
  t.request_options = d.resource("request-options");
  t.response_outparam = d.resource("response-outparam");
  t.incoming_response = d.resource("incoming-response");
  t.incoming_body = d.resource("incoming-body");
  t.future_trailers = d.resource("future-trailers");
  t.outgoing_response = d.resource("outgoing-response");
  t.outgoing_body = d.resource("outgoing-body");
  t.future_incoming_response = d.resource("future-incoming-response");
  // `type headers = fields; type trailers = fields;`: components import the aliases by name.
  d.uses("headers", t.fields);
  d.uses("trailers", t.fields);
  d.fn("http-error-code", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto e = get<p2::IoError>(c, a[0], "io-error");
    if (!e) return std::move(e).error();
    auto code = error_code_of_io((*e)->code, (*e)->message);
    r.push_back(code ? cm::Val::some(error_code_val(*code)) : cm::Val::none());
    return {};
  });
  add_fields(d, types);
  add_incoming_request(d, types);
  add_outgoing_request(d, types);
  add_request_options(d, types);
  add_responses(d, types);
  add_bodies(d, types);
  return d.status();
}

}  // namespace hull::wasi::http
