// The incoming side (hull/wasi_http.hh): a request becomes an incoming-request and a
// response-outparam in the store's table, the guest's handler runs, and what it set through
// the outparam (and wrote to the response body) becomes the Response.
#include "hull/wasi_http.hh"
#include "wasi/http/bindings.h"
#include "wasi/http/objects.h"

namespace hull::api::wasi::http {

namespace {

namespace core = hull::wasi;
namespace h = hull::wasi::http;
namespace p2 = hull::wasi::p2;

// A BodySource as an incoming body: reads wait on the embedder's source.
class StreamedBody final : public h::IncomingBodySource {
 public:
  StreamedBody(std::shared_ptr<BodySource> s, std::optional<FieldList> trailers)
      : source_(std::move(s)), trailers_(std::move(trailers)) {}
  core::StreamStatus read(uint64_t len, std::string* out) override {
    if (ended_) return core::StreamStatus::end();
    if (failed_) return h::stream_failure(*failed_);
    if (len == 0) return core::StreamStatus::success();
    auto more = source_->read(static_cast<size_t>(std::min<uint64_t>(len, 1 << 20)), out);
    if (!more) {
      failed_ = h::ErrorCode::internal("request body: " + more.error().message);
      return h::stream_failure(*failed_);
    }
    if (!*more) {
      ended_ = true;
      return core::StreamStatus::end();
    }
    return core::StreamStatus::success();
  }
  core::Readiness readiness() override { return core::Readiness::ready(); }
  std::optional<h::TrailersResult> trailers() override {
    std::string discard;
    while (!ended_ && !failed_) {
      discard.clear();
      (void)read(1 << 20, &discard);
    }
    if (failed_) return h::TrailersResult(*failed_);
    if (!trailers_) trailers_ = source_->trailers();
    return h::TrailersResult(trailers_);
  }
  core::Readiness trailers_readiness() override { return core::Readiness::ready(); }

 private:
  std::shared_ptr<BodySource> source_;
  std::optional<FieldList> trailers_;
  bool ended_ = false;
  std::optional<h::ErrorCode> failed_;
};

// Where the response goes while the guest writes it: to the embedder's sink (start once, the
// chunks, finish once) or, without one, collected for Response::body.
struct ResponseFlow {
  std::shared_ptr<BodySink> sink;
  std::string collected;
  const h::OutparamSlot* slot = nullptr;  // the response is in its answer once the body drains
  bool started = false, finished = false;
  bool closed = false;  // handle() has returned

  Result<void> start() {
    if (started || !sink) return {};
    started = true;
    const auto& resp = std::get<std::unique_ptr<h::OutgoingResponse>>(*slot->answer);
    return sink->start(resp->status, resp->headers);
  }

  // Hands what the guest wrote to the sink (or collects it); tells the sink once the guest has
  // finished the body, so the response completes even if the guest traps afterwards.
  void drain(h::OutgoingBodyPipe& p) {
    if (closed || p.failed) return;
    if (!p.buffer.empty()) {
      if (sink) {
        auto w = start();
        if (w) w = sink->write(p.buffer);
        if (!w) {
          p.failed = h::ErrorCode::internal("response body: " + w.error().message);
          return;
        }
      } else {
        collected.append(p.buffer);
      }
      p.buffer.clear();
    }
    if (p.state == h::OutgoingBodyPipe::State::finished && sink && !finished) {
      if (auto s = complete(p.trailers); !s) {
        p.failed = h::ErrorCode::internal("response body: " + s.error().message);
      }
    }
  }

  // start() unless done, then finish() unless done.
  Result<void> complete(const std::optional<FieldList>& trailers) {
    if (!sink || finished) return {};
    if (auto s = start(); !s) return s;
    finished = true;
    return sink->finish(trailers);
  }
};

// The export to call: wasi:http/incoming-handler@<any version>#handle.
std::optional<component::Func> find_handler(const component::Instance& instance) {
  for (const std::string& name : instance.export_names()) {
    if (name.rfind("wasi:http/incoming-handler@0.2.", 0) == 0) {
      if (auto f = instance.get_func(name + "#handle")) return f;
    }
  }
  return std::nullopt;
}

Error io_error(std::string message) { return Error(ErrorKind::Io, std::move(message)); }

}  // namespace

Result<Handler> Handler::of(const component::Instance& instance) {
  auto func = find_handler(instance);
  if (!func) {
    return Error(ErrorKind::Usage, "the component exports no wasi:http/incoming-handler#handle");
  }
  auto call = Call::of(*func);
  if (!call) {
    return Error(ErrorKind::Usage,
                 "the component's wasi:http/incoming-handler#handle: " + call.error().message);
  }
  return Handler(std::move(*call));
}

Result<Response> handle(Store& store, const component::Instance& instance, Request request,
                        std::shared_ptr<BodySink> body_sink) {
  auto handler = Handler::of(instance);
  if (!handler) return std::move(handler).error();
  return handle(store, *handler, std::move(request), std::move(body_sink));
}

Result<Response> handle(Store& store, const Handler& handler, Request request,
                        std::shared_ptr<BodySink> body_sink) {
  p2::Ctx* c = p2::ctx_of(store);
  if (!c) return Error(ErrorKind::Usage, "wasi:http handle: the store has no WASI state (attach)");
  auto types = h::current_types();
  if (!types) {
    return Error(ErrorKind::Usage, "wasi:http handle: no linker defines wasi:http (add_to_linker)");
  }

  auto req = std::make_unique<h::IncomingRequest>();
  req->method = request.method;
  req->scheme = request.scheme;
  req->authority = request.authority;
  req->path_with_query = request.path_with_query;
  req->headers = std::move(request.headers);
  if (request.body_source) {
    req->body =
        std::make_shared<StreamedBody>(std::move(request.body_source), std::move(request.trailers));
  } else {
    req->body = h::memory_body(std::move(request.body), std::move(request.trailers));
  }
  auto slot = std::make_shared<h::OutparamSlot>();
  auto flow = std::make_shared<ResponseFlow>();
  flow->sink = std::move(body_sink);
  flow->slot = slot.get();
  // The body's drain may run after handle() returns (the store drops an unfinished body when
  // it is destroyed): from then on it must touch neither the slot nor the sink.
  struct CloseFlow {
    ResponseFlow& flow;
    ~CloseFlow() { flow.closed = true; }
  } close_flow{*flow};
  slot->attach_body = [flow](h::OutgoingBodyPipe& pipe) {
    h::OutgoingBodyPipe* p = &pipe;  // the pipe owns this function: the pointer outlives it
    pipe.drain = [p, flow] { flow->drain(*p); };
  };
  auto req_rep = p2::push(*c, std::move(req));
  if (!req_rep) return std::move(req_rep).error();
  auto out_rep = p2::push(*c, std::make_unique<h::ResponseOutparam>(slot));
  if (!out_rep) {
    c->table.remove(*req_rep);
    return std::move(out_rep).error();
  }

  auto called = handler.call_(component::ResourceAny{types->incoming_request.id, *req_rep, true},
                              component::ResourceAny{types->response_outparam.id, *out_rep, true});
  if (!called) return std::move(called).error();

  if (!slot->answer) return io_error("the guest returned without setting the response-outparam");
  if (auto* e = std::get_if<h::ErrorCode>(&*slot->answer)) {
    return io_error("the guest answered with error-code " + e->describe());
  }
  auto& resp = std::get<std::unique_ptr<h::OutgoingResponse>>(*slot->answer);
  Response out;
  out.status = resp->status;
  out.headers = resp->headers;
  if (!resp->body) {  // body() never called: an empty body
    if (auto s = flow->complete(std::nullopt); !s) return s.error();
    return out;
  }

  h::OutgoingBodyPipe& pipe = *resp->body;
  if (pipe.drain) pipe.drain();
  out.body = std::move(flow->collected);
  if (pipe.failed) return io_error("the response body failed: " + pipe.failed->describe());
  bool complete = pipe.state == h::OutgoingBodyPipe::State::finished ||
                  (pipe.content_length && pipe.written == *pipe.content_length);
  if (pipe.state == h::OutgoingBodyPipe::State::broken) {
    return io_error("the guest dropped the response body without finishing it");
  }
  if (!complete) return io_error("the guest returned without finishing the response body");
  out.trailers = pipe.trailers;
  if (auto s = flow->complete(pipe.trailers); !s) return s.error();
  return out;
}

}  // namespace hull::api::wasi::http
