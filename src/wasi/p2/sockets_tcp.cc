// wasi:sockets/tcp and tcp-create-socket over the core's TcpSocket. The streams finish-connect
// and accept return are children of their socket in the table (as in Wasmtime): the socket
// cannot be dropped while they live.
#include "wasi/p2/sockets.h"

namespace hull::wasi::p2 {

namespace {

using TcpFn = std::function<api::Result<void>(Ctx&, TcpSocket&, Args, Results&)>;

// A tcp-socket method: finds the socket behind `self` first.
Definer::Impl method(TcpFn fn) {
  return [fn = std::move(fn)](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto s = get<TcpSocket>(c, a[0], "tcp-socket");
    if (!s) return std::move(s).error();
    return fn(c, **s, a, r);
  };
}

// Pushes a connection's streams as children of the socket at `socket_rep`.
api::Result<std::pair<cm::Val, cm::Val>> push_streams(Ctx& c, const ResourceTypes& t,
                                                      uint32_t socket_rep, TcpStreams streams) {
  auto in = push(c, std::move(streams.input), socket_rep);
  if (!in) return std::move(in).error();
  auto out = push(c, std::move(streams.output), socket_rep);
  if (!out) return std::move(out).error();
  return std::make_pair(own(t.input_stream, *in), own(t.output_stream, *out));
}

ShutdownHow shutdown_how(const cm::Val& v) {
  if (v.case_name() == "receive") return ShutdownHow::receive;
  if (v.case_name() == "send") return ShutdownHow::send;
  return ShutdownHow::both;
}

cm::Val u64_val(uint64_t v) { return cm::Val::u64(v); }
cm::Val u32_val(uint32_t v) { return cm::Val::u32(v); }
cm::Val u8_val(uint8_t v) { return cm::Val::u8(v); }
cm::Val bool_val(bool v) { return cm::Val::boolean(v); }

void add_options(Definer& d) {
  d.fn("[method]tcp-socket.set-listen-backlog-size",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_listen_backlog_size(a[1].as_u64()), r);
       }));
  d.fn("[method]tcp-socket.keep-alive-enabled", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.keep_alive_enabled(), bool_val, r);
       }));
  d.fn("[method]tcp-socket.set-keep-alive-enabled",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_keep_alive_enabled(a[1].as_bool()), r);
       }));
  d.fn("[method]tcp-socket.keep-alive-idle-time", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.keep_alive_idle_time(), u64_val, r);
       }));
  d.fn("[method]tcp-socket.set-keep-alive-idle-time",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_keep_alive_idle_time(a[1].as_u64()), r);
       }));
  d.fn("[method]tcp-socket.keep-alive-interval", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.keep_alive_interval(), u64_val, r);
       }));
  d.fn("[method]tcp-socket.set-keep-alive-interval",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_keep_alive_interval(a[1].as_u64()), r);
       }));
  d.fn("[method]tcp-socket.keep-alive-count", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.keep_alive_count(), u32_val, r);
       }));
  d.fn("[method]tcp-socket.set-keep-alive-count",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_keep_alive_count(static_cast<uint32_t>(a[1].as_u64())), r);
       }));
  d.fn("[method]tcp-socket.hop-limit", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.hop_limit(), u8_val, r);
       }));
  d.fn("[method]tcp-socket.set-hop-limit", method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_hop_limit(static_cast<uint8_t>(a[1].as_u64())), r);
       }));
  d.fn("[method]tcp-socket.receive-buffer-size", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.receive_buffer_size(), u64_val, r);
       }));
  d.fn("[method]tcp-socket.set-receive-buffer-size",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_receive_buffer_size(a[1].as_u64()), r);
       }));
  d.fn("[method]tcp-socket.send-buffer-size", method([](Ctx&, TcpSocket& s, Args, Results& r) {
         return net_answer(s.send_buffer_size(), u64_val, r);
       }));
  d.fn("[method]tcp-socket.set-send-buffer-size",
       method([](Ctx&, TcpSocket& s, Args a, Results& r) {
         return net_answer(s.set_send_buffer_size(a[1].as_u64()), r);
       }));
}

}  // namespace

api::Result<void> add_sockets_tcp(cm::Linker& linker, const Types& types) {
  {
    Definer d(linker, "wasi:sockets/tcp");
    d.uses("input-stream", types->input_stream);
    d.uses("output-stream", types->output_stream);
    d.uses("pollable", types->pollable);
    d.uses("network", types->network);
    types->tcp_socket = d.resource("tcp-socket");

    d.fn("[method]tcp-socket.start-bind",
         method([](Ctx& c, TcpSocket& s, Args a, Results& r) -> api::Result<void> {
           if (auto n = get<Network>(c, a[1], "network"); !n) return std::move(n).error();
           return net_answer(s.start_bind(socket_address_of(a[2])), r);
         }));
    d.fn("[method]tcp-socket.finish-bind", method([](Ctx&, TcpSocket& s, Args, Results& r) {
           return net_answer(s.finish_bind(), r);
         }));
    d.fn("[method]tcp-socket.start-connect",
         method([](Ctx& c, TcpSocket& s, Args a, Results& r) -> api::Result<void> {
           if (auto n = get<Network>(c, a[1], "network"); !n) return std::move(n).error();
           return net_answer(s.start_connect(socket_address_of(a[2])), r);
         }));
    d.fn("[method]tcp-socket.finish-connect",
         method([types](Ctx& c, TcpSocket& s, Args a, Results& r) -> api::Result<void> {
           auto streams = s.finish_connect();
           if (!streams) return net_answer(NetResult<void>(streams.error()), r);
           auto vals = push_streams(c, *types, rep_of(a[0]), std::move(*streams));
           if (!vals) return std::move(vals).error();
           r.push_back(cm::Val::ok(cm::Val::tuple({vals->first, vals->second})));
           return {};
         }));
    d.fn("[method]tcp-socket.start-listen", method([](Ctx&, TcpSocket& s, Args, Results& r) {
           return net_answer(s.start_listen(), r);
         }));
    d.fn("[method]tcp-socket.finish-listen", method([](Ctx&, TcpSocket& s, Args, Results& r) {
           return net_answer(s.finish_listen(), r);
         }));
    d.fn("[method]tcp-socket.accept",
         method([types](Ctx& c, TcpSocket& s, Args, Results& r) -> api::Result<void> {
           auto accepted = s.accept();
           if (!accepted) return net_answer(NetResult<void>(accepted.error()), r);
           auto socket = push(c, std::move(accepted->socket));
           if (!socket) return std::move(socket).error();
           auto vals = push_streams(c, *types, *socket, std::move(accepted->streams));
           if (!vals) return std::move(vals).error();
           r.push_back(cm::Val::ok(
               cm::Val::tuple({own(types->tcp_socket, *socket), vals->first, vals->second})));
           return {};
         }));
    d.fn("[method]tcp-socket.local-address", method([](Ctx&, TcpSocket& s, Args, Results& r) {
           return net_answer(s.local_address(), socket_address_val, r);
         }));
    d.fn("[method]tcp-socket.remote-address", method([](Ctx&, TcpSocket& s, Args, Results& r) {
           return net_answer(s.remote_address(), socket_address_val, r);
         }));
    d.fn("[method]tcp-socket.is-listening",
         method([](Ctx&, TcpSocket& s, Args, Results& r) -> api::Result<void> {
           r.push_back(cm::Val::boolean(s.is_listening()));
           return {};
         }));
    d.fn("[method]tcp-socket.address-family",
         method([](Ctx&, TcpSocket& s, Args, Results& r) -> api::Result<void> {
           r.push_back(family_val(s.family()));
           return {};
         }));
    add_options(d);
    d.fn("[method]tcp-socket.subscribe",
         method([types](Ctx& c, TcpSocket& s, Args a, Results& r) -> api::Result<void> {
           TcpSocket* socket = &s;
           auto p =
               child_pollable(c, *types, rep_of(a[0]), [socket] { return socket->readiness(); });
           if (!p) return std::move(p).error();
           r.push_back(std::move(*p));
           return {};
         }));
    d.fn("[method]tcp-socket.shutdown", method([](Ctx&, TcpSocket& s, Args a, Results& r) {
           return net_answer(s.shutdown(shutdown_how(a[1])), r);
         }));
    if (auto st = d.status(); !st) return st;
  }
  Definer d(linker, "wasi:sockets/tcp-create-socket");
  d.uses("network", types->network);
  d.uses("tcp-socket", types->tcp_socket);
  d.fn("create-tcp-socket", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto s = TcpSocket::create(family_of(a[0]), grants_of(c));
    if (!s) return net_answer(NetResult<void>(s.error()), r);
    auto rep = push(c, std::move(*s));
    if (!rep) return std::move(rep).error();
    r.push_back(cm::Val::ok(own(types->tcp_socket, *rep)));
    return {};
  });
  return d.status();
}

}  // namespace hull::wasi::p2
