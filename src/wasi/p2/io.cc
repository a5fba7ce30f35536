// wasi:io — error, poll, streams (streams.wit): non-blocking operations straight on the core
// streams, blocking ones as "wait for readiness, then the non-blocking one".
#include "wasi/p2/host.h"

namespace hull::wasi::p2 {

namespace {

// blocking-write-and-flush and its zeroes form take at most this much (streams.wit).
constexpr uint64_t kBlockingWriteMax = 4096;

api::Result<cm::Val> subscribe(Ctx& c, const ResourceTypes& t, uint32_t parent,
                               std::function<Readiness()> source) {
  auto rep = push(c, std::make_unique<Pollable>(std::move(source)), parent);
  if (!rep) return std::move(rep).error();
  return own(t.pollable, *rep);
}

// Reads up to `len`, first waiting for readiness when `blocking` (then at least one byte or
// the end arrives, unless len is 0).
StreamStatus read_some(Ctx& c, InputStream& in, uint64_t len, bool blocking, std::string* out,
                       api::Result<void>* wait_error) {
  for (;;) {
    StreamStatus s = in.read(len, out);
    if (!s.ok() || !blocking || !out->empty() || len == 0) return s;
    auto w = block_on(c, in.readiness());
    if (!w) {
      *wait_error = std::move(w);
      return StreamStatus::success();
    }
  }
}

// Writes all of `bytes` waiting for permits as needed (the blocking forms).
StreamStatus write_fully(Ctx& c, OutputStream& out, std::string_view bytes,
                         api::Result<void>* wait_error) {
  size_t done = 0;
  while (done < bytes.size()) {
    uint64_t permit = 0;
    StreamStatus s = out.check_write(&permit);
    if (!s.ok()) return s;
    if (permit == 0) {
      if (auto w = block_on(c, out.readiness()); !w) {
        *wait_error = std::move(w);
        return StreamStatus::success();
      }
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(permit, bytes.size() - done));
    s = out.write(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()) + done, n));
    if (!s.ok()) return s;
    done += n;
  }
  return out.flush();
}

// `subscribe` of a stream of kind S: a pollable, child of the stream, ready when it is.
template <class S>
Definer::Impl subscribe_to(const Types& types, const char* what) {
  return [types, what](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto stream = get<S>(c, a[0], what);
    if (!stream) return std::move(stream).error();
    S* s = *stream;
    auto p = subscribe(c, *types, rep_of(a[0]), [s] { return s->readiness(); });
    if (!p) return std::move(p).error();
    r.push_back(std::move(*p));
    return {};
  };
}

void add_error(cm::Linker& linker, const Types& types, api::Result<void>* st) {
  ResourceTypes& t = *types;
  Definer d(linker, "wasi:io/error");
  t.error = d.resource("error");
  d.fn("[method]error.to-debug-string", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto e = get<IoError>(c, a[0], "error");
    if (!e) return std::move(e).error();
    r.push_back(cm::Val::string((*e)->message));
    return {};
  });
  *st = d.status();
}

void add_poll(cm::Linker& linker, const Types& types, api::Result<void>* st) {
  ResourceTypes& t = *types;
  Definer d(linker, "wasi:io/poll");
  t.pollable = d.resource("pollable");
  d.fn("[method]pollable.ready", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto p = get<Pollable>(c, a[0], "pollable");
    if (!p) return std::move(p).error();
    r.push_back(cm::Val::boolean(c.reactor.ready_now((*p)->readiness())));
    return {};
  });
  d.fn("[method]pollable.block", [](Ctx& c, Args a, Results&) -> api::Result<void> {
    auto p = get<Pollable>(c, a[0], "pollable");
    if (!p) return std::move(p).error();
    return block_on(c, (*p)->readiness());
  });
  d.fn("poll", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    const auto& list = a[0].items();
    if (list.empty()) return trap("poll: the list of pollables is empty");
    std::vector<Readiness> items;
    items.reserve(list.size());
    for (const cm::Val& h : list) {
      auto p = get<Pollable>(c, h, "pollable");
      if (!p) return std::move(p).error();
      items.push_back((*p)->readiness());
    }
    std::vector<uint32_t> ready;
    Errno e = c.reactor.wait(items, &ready);
    if (e == Errno::inval) return trap("poll: none of the pollables can ever become ready");
    if (e != Errno::success) return trap(std::string("poll failed: ") + errno_name(e));
    std::vector<cm::Val> out;
    out.reserve(ready.size());
    for (uint32_t i : ready) out.push_back(cm::Val::u32(i));
    r.push_back(cm::Val::list(std::move(out)));
    return {};
  });
  *st = d.status();
}

void add_streams(cm::Linker& linker, const Types& types, api::Result<void>* st) {
  ResourceTypes& t = *types;
  Definer d(linker, "wasi:io/streams");
  d.uses("error", t.error);
  d.uses("pollable", t.pollable);
  t.input_stream = d.resource("input-stream");
  t.output_stream = d.resource("output-stream");

  // read and skip, blocking or not: the same read, answering the bytes or their count.
  using Bytes = std::vector<uint8_t>;
  auto read_as = [types]<class T>(bool blocking, T (*answer)(std::string && bytes)) {
    return [types, blocking, answer](Ctx& c, cm::ResourceAny stream,
                                     uint64_t len) -> api::Result<cm::WitResult<T, StreamError>> {
      auto in = get<InputStream>(c, stream, "input-stream");
      if (!in) return std::move(in).error();
      std::string bytes;
      api::Result<void> wait_error;
      StreamStatus s = read_some(c, **in, len, blocking, &bytes, &wait_error);
      if (!wait_error) return std::move(wait_error).error();
      return typed_stream_result(c, *types, std::move(s), answer(std::move(bytes)));
    };
  };
  auto read = [read_as](bool blocking) {
    return read_as(
        blocking, +[](std::string&& b) { return Bytes(b.begin(), b.end()); });
  };
  auto skip = [read_as](bool blocking) {
    return read_as(
        blocking, +[](std::string&& b) { return uint64_t{b.size()}; });
  };
  d.typed("[method]input-stream.read", read(false));
  d.typed("[method]input-stream.blocking-read", read(true));
  d.typed("[method]input-stream.skip", skip(false));
  d.typed("[method]input-stream.blocking-skip", skip(true));
  d.fn("[method]input-stream.subscribe", subscribe_to<InputStream>(types, "input-stream"));

  d.typed(
      "[method]output-stream.check-write",
      [types](Ctx& c, cm::ResourceAny stream) -> api::Result<cm::WitResult<uint64_t, StreamError>> {
        auto out = get<OutputStream>(c, stream, "output-stream");
        if (!out) return std::move(out).error();
        uint64_t permit = 0;
        StreamStatus s = (*out)->check_write(&permit);
        return typed_stream_result(c, *types, std::move(s), permit);
      });
  d.typed("[method]output-stream.write",
          [types](Ctx& c, cm::ResourceAny stream, Bytes bytes) -> api::Result<StreamResult> {
            auto out = get<OutputStream>(c, stream, "output-stream");
            if (!out) return std::move(out).error();
            StreamStatus s = (*out)->write(std::span<const uint8_t>(bytes.data(), bytes.size()));
            return typed_stream_result(c, *types, std::move(s));
          });
  // The blocking writes (at most 4096 bytes: streams.wit): wait for permits as needed.
  auto blocking_write = [types](Ctx& c, const cm::ResourceAny& stream,
                                std::string_view bytes) -> api::Result<StreamResult> {
    auto out = get<OutputStream>(c, stream, "output-stream");
    if (!out) return std::move(out).error();
    if (bytes.size() > kBlockingWriteMax) {
      return trap("blocking write of more than 4096 bytes (streams.wit allows at most 4096)");
    }
    api::Result<void> wait_error;
    StreamStatus s = write_fully(c, **out, bytes, &wait_error);
    if (!wait_error) return std::move(wait_error).error();
    return typed_stream_result(c, *types, std::move(s));
  };
  d.typed("[method]output-stream.blocking-write-and-flush",
          [blocking_write](Ctx& c, cm::ResourceAny stream, Bytes bytes) {
            return blocking_write(
                c, stream,
                std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
          });
  d.typed("[method]output-stream.blocking-write-zeroes-and-flush",
          [blocking_write](Ctx& c, cm::ResourceAny stream, uint64_t len) {
            std::string zeroes(static_cast<size_t>(std::min<uint64_t>(len, kBlockingWriteMax + 1)),
                               '\0');
            return blocking_write(c, stream, zeroes);
          });
  d.typed("[method]output-stream.write-zeroes",
          [types](Ctx& c, cm::ResourceAny stream, uint64_t len) -> api::Result<StreamResult> {
            auto out = get<OutputStream>(c, stream, "output-stream");
            if (!out) return std::move(out).error();
            if (len > kWritePermit) return trap("write-zeroes exceeded the write permit");
            std::vector<uint8_t> zeroes(static_cast<size_t>(len), 0);
            StreamStatus s = (*out)->write(std::span<const uint8_t>(zeroes.data(), zeroes.size()));
            return typed_stream_result(c, *types, std::move(s));
          });
  // Writes complete synchronously, so a flush, blocking or not, only reports the stream's state.
  auto flush = [types](Ctx& c, cm::ResourceAny stream) -> api::Result<StreamResult> {
    auto out = get<OutputStream>(c, stream, "output-stream");
    if (!out) return std::move(out).error();
    return typed_stream_result(c, *types, (*out)->flush());
  };
  d.typed("[method]output-stream.flush", flush);
  d.typed("[method]output-stream.blocking-flush", flush);
  d.fn("[method]output-stream.subscribe", subscribe_to<OutputStream>(types, "output-stream"));
  auto splice = [types](bool blocking) {
    return [types, blocking](Ctx& c, Args a, Results& r) -> api::Result<void> {
      auto out = get<OutputStream>(c, a[0], "output-stream");
      if (!out) return std::move(out).error();
      auto in = get<InputStream>(c, a[1], "input-stream");
      if (!in) return std::move(in).error();
      uint64_t permit = 0;
      StreamStatus s = (*out)->check_write(&permit);
      if (!s.ok()) return stream_result(c, *types, std::move(s), std::nullopt, r);
      if (blocking && permit == 0) {
        if (auto w = block_on(c, (*out)->readiness()); !w) return w;
        s = (*out)->check_write(&permit);
        if (!s.ok()) return stream_result(c, *types, std::move(s), std::nullopt, r);
      }
      std::string bytes;
      api::Result<void> wait_error;
      s = read_some(c, **in, std::min(permit, a[2].as_u64()), blocking, &bytes, &wait_error);
      if (!wait_error) return wait_error;
      if (!s.ok()) return stream_result(c, *types, std::move(s), std::nullopt, r);
      s = (*out)->write(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
      if (s.ok() && blocking) s = (*out)->flush();
      return stream_result(c, *types, std::move(s), cm::Val::u64(bytes.size()), r);
    };
  };
  d.fn("[method]output-stream.splice", splice(false));
  d.fn("[method]output-stream.blocking-splice", splice(true));
  *st = d.status();
}

}  // namespace

api::Result<void> add_io(cm::Linker& linker, const Types& types) {
  api::Result<void> st;
  add_error(linker, types, &st);
  if (st) add_poll(linker, types, &st);
  if (st) add_streams(linker, types, &st);
  return st;
}

}  // namespace hull::wasi::p2
