// wasi:sockets/udp and udp-create-socket over the core's UdpSocket and datagram streams. The
// streams are children of their socket in the table (as in Wasmtime).
#include "wasi/p2/sockets.h"

namespace hull::wasi::p2 {

namespace {

using UdpFn = std::function<api::Result<void>(Ctx&, UdpSocket&, Args, Results&)>;

// A udp-socket method: finds the socket behind `self` first.
Definer::Impl method(UdpFn fn) {
  return [fn = std::move(fn)](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto s = get<UdpSocket>(c, a[0], "udp-socket");
    if (!s) return std::move(s).error();
    return fn(c, **s, a, r);
  };
}

cm::Val u64_val(uint64_t v) { return cm::Val::u64(v); }
cm::Val u8_val(uint8_t v) { return cm::Val::u8(v); }

cm::Val incoming_val(const IncomingDatagram& d) {
  return cm::Val::record(
      {{"data", bytes_val(d.data)}, {"remote-address", socket_address_val(d.remote)}});
}

OutgoingDatagram outgoing_of(const cm::Val& v) {
  // record outgoing-datagram { data, remote-address: option<ip-socket-address> }
  OutgoingDatagram d;
  const auto& f = v.items();
  if (f.size() == 2) {
    d.data = bytes_of(f[0]);
    if (f[1].is_some()) d.remote = socket_address_of(*f[1].payload());
  }
  return d;
}

void add_socket_methods(Definer& d, const Types& types) {
  d.fn("[method]udp-socket.start-bind",
       method([](Ctx& c, UdpSocket& s, Args a, Results& r) -> api::Result<void> {
         if (auto n = get<Network>(c, a[1], "network"); !n) return std::move(n).error();
         return net_answer(s.start_bind(socket_address_of(a[2])), r);
       }));
  d.fn("[method]udp-socket.finish-bind",
       method([](Ctx&, UdpSocket& s, Args, Results& r) { return net_answer(s.finish_bind(), r); }));
  d.fn("[method]udp-socket.stream",
       method([types](Ctx& c, UdpSocket& s, Args a, Results& r) -> api::Result<void> {
         // udp.wit: the streams of an earlier call must be dropped first.
         if (s.has_streams()) return trap("udp-socket.stream: the earlier streams still exist");
         std::optional<SocketAddress> remote;
         if (a[1].is_some()) remote = socket_address_of(*a[1].payload());
         auto streams = s.stream(remote);
         if (!streams) return net_answer(NetResult<void>(streams.error()), r);
         auto in = push(c, std::move(streams->first), rep_of(a[0]));
         if (!in) return std::move(in).error();
         auto out = push(c, std::move(streams->second), rep_of(a[0]));
         if (!out) return std::move(out).error();
         r.push_back(cm::Val::ok(cm::Val::tuple({own(types->incoming_datagram_stream, *in),
                                                 own(types->outgoing_datagram_stream, *out)})));
         return {};
       }));
  d.fn("[method]udp-socket.local-address", method([](Ctx&, UdpSocket& s, Args, Results& r) {
         return net_answer(s.local_address(), socket_address_val, r);
       }));
  d.fn("[method]udp-socket.remote-address", method([](Ctx&, UdpSocket& s, Args, Results& r) {
         return net_answer(s.remote_address(), socket_address_val, r);
       }));
  d.fn("[method]udp-socket.address-family",
       method([](Ctx&, UdpSocket& s, Args, Results& r) -> api::Result<void> {
         r.push_back(family_val(s.family()));
         return {};
       }));
  d.fn("[method]udp-socket.unicast-hop-limit", method([](Ctx&, UdpSocket& s, Args, Results& r) {
         return net_answer(s.unicast_hop_limit(), u8_val, r);
       }));
  d.fn("[method]udp-socket.set-unicast-hop-limit",
       method([](Ctx&, UdpSocket& s, Args a, Results& r) {
         return net_answer(s.set_unicast_hop_limit(static_cast<uint8_t>(a[1].as_u64())), r);
       }));
  d.fn("[method]udp-socket.receive-buffer-size", method([](Ctx&, UdpSocket& s, Args, Results& r) {
         return net_answer(s.receive_buffer_size(), u64_val, r);
       }));
  d.fn("[method]udp-socket.set-receive-buffer-size",
       method([](Ctx&, UdpSocket& s, Args a, Results& r) {
         return net_answer(s.set_receive_buffer_size(a[1].as_u64()), r);
       }));
  d.fn("[method]udp-socket.send-buffer-size", method([](Ctx&, UdpSocket& s, Args, Results& r) {
         return net_answer(s.send_buffer_size(), u64_val, r);
       }));
  d.fn("[method]udp-socket.set-send-buffer-size",
       method([](Ctx&, UdpSocket& s, Args a, Results& r) {
         return net_answer(s.set_send_buffer_size(a[1].as_u64()), r);
       }));
  // Binding completes at once and sockets have nothing else to wait for: always ready.
  d.fn("[method]udp-socket.subscribe",
       method([types](Ctx& c, UdpSocket&, Args a, Results& r) -> api::Result<void> {
         auto p = child_pollable(c, *types, rep_of(a[0]), [] { return Readiness::ready(); });
         if (!p) return std::move(p).error();
         r.push_back(std::move(*p));
         return {};
       }));
}

void add_stream_methods(Definer& d, const Types& types) {
  d.fn("[method]incoming-datagram-stream.receive",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<IncomingDatagramStream>(c, a[0], "incoming-datagram-stream");
         if (!s) return std::move(s).error();
         auto got = (*s)->receive(a[1].as_u64());
         return net_answer(
             got,
             [](const std::vector<IncomingDatagram>& list) {
               std::vector<cm::Val> items;
               for (const auto& dg : list) items.push_back(incoming_val(dg));
               return cm::Val::list(std::move(items));
             },
             r);
       });
  d.fn("[method]incoming-datagram-stream.subscribe",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<IncomingDatagramStream>(c, a[0], "incoming-datagram-stream");
         if (!s) return std::move(s).error();
         IncomingDatagramStream* stream = *s;
         auto p = child_pollable(c, *types, rep_of(a[0]), [stream] { return stream->readiness(); });
         if (!p) return std::move(p).error();
         r.push_back(std::move(*p));
         return {};
       });
  d.fn("[method]outgoing-datagram-stream.check-send",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<OutgoingDatagramStream>(c, a[0], "outgoing-datagram-stream");
         if (!s) return std::move(s).error();
         r.push_back(cm::Val::ok(cm::Val::u64((*s)->check_send())));
         return {};
       });
  d.fn("[method]outgoing-datagram-stream.send",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<OutgoingDatagramStream>(c, a[0], "outgoing-datagram-stream");
         if (!s) return std::move(s).error();
         const auto& list = a[1].items();
         if (list.empty()) return net_answer(NetResult<uint64_t>(0), u64_val, r);
         if (list.size() > (*s)->permit()) {
           return trap("outgoing-datagram-stream.send: more datagrams than check-send permitted");
         }
         std::vector<OutgoingDatagram> datagrams;
         datagrams.reserve(list.size());
         for (const cm::Val& v : list) datagrams.push_back(outgoing_of(v));
         return net_answer((*s)->send(datagrams), u64_val, r);
       });
  d.fn("[method]outgoing-datagram-stream.subscribe",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<OutgoingDatagramStream>(c, a[0], "outgoing-datagram-stream");
         if (!s) return std::move(s).error();
         OutgoingDatagramStream* stream = *s;
         auto p = child_pollable(c, *types, rep_of(a[0]), [stream] { return stream->readiness(); });
         if (!p) return std::move(p).error();
         r.push_back(std::move(*p));
         return {};
       });
}

}  // namespace

api::Result<void> add_sockets_udp(cm::Linker& linker, const Types& types) {
  {
    Definer d(linker, "wasi:sockets/udp");
    d.uses("pollable", types->pollable);
    d.uses("network", types->network);
    types->udp_socket = d.resource("udp-socket");
    types->incoming_datagram_stream = d.resource("incoming-datagram-stream");
    types->outgoing_datagram_stream = d.resource("outgoing-datagram-stream");
    add_socket_methods(d, types);
    add_stream_methods(d, types);
    if (auto st = d.status(); !st) return st;
  }
  Definer d(linker, "wasi:sockets/udp-create-socket");
  d.uses("network", types->network);
  d.uses("udp-socket", types->udp_socket);
  d.fn("create-udp-socket", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto s = UdpSocket::create(family_of(a[0]), grants_of(c));
    if (!s) return net_answer(NetResult<void>(s.error()), r);
    auto rep = push(c, std::move(*s));
    if (!rep) return std::move(rep).error();
    r.push_back(cm::Val::ok(own(types->udp_socket, *rep)));
    return {};
  });
  return d.status();
}

}  // namespace hull::wasi::p2
