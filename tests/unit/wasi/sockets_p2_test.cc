// wasi:sockets: the core socket layer (wasi/core/sockets.h) on loopback — TCP and UDP round
// trips, grants, the WASI address rules and error codes, name lookup — and the WASI 0.2 host
// end to end through a component that imports wasi:sockets. Every wait is bounded.
#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "hull/component.hh"
#include "hull/wasi.hh"
#include "text/component.h"
#include "wasi/core/reactor.h"
#include "wasi/core/sockets.h"

namespace {

using namespace hull::wasi;
namespace ac = hull::api::component;

constexpr uint64_t kWaitNs = 5'000'000'000ull;  // no wait in these tests takes longer

NetworkGrants granted() {
  NetworkGrants g;
  g.inherit_network = true;
  return g;
}

SocketAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  SocketAddress s;
  s.ip = IpAddress::ipv4(a, b, c, d);
  s.port = port;
  return s;
}

SocketAddress v6(std::array<uint16_t, 8> segments, uint16_t port) {
  SocketAddress s;
  s.ip = IpAddress::ipv6(segments);
  s.port = port;
  return s;
}

SocketAddress loopback(uint16_t port = 0) { return v4(127, 0, 0, 1, port); }

// Waits (at most kWaitNs) until `r` is ready.
bool wait_ready(Reactor& reactor, const Readiness& r) {
  std::vector<uint32_t> ready;
  Errno e = reactor.wait(std::span<const Readiness>(&r, 1), &ready, kWaitNs);
  return e == Errno::success && !ready.empty();
}

std::unique_ptr<TcpSocket> tcp(IpFamily family = IpFamily::ipv4, NetworkGrants grants = granted()) {
  auto s = TcpSocket::create(family, grants);
  EXPECT_TRUE(s.ok()) << net_error_name(s.error());
  return s ? std::move(*s) : nullptr;
}

// A listener on 127.0.0.1 at an ephemeral port; its port in *port.
std::unique_ptr<TcpSocket> listener(uint16_t* port) {
  auto s = tcp();
  EXPECT_TRUE(s->start_bind(loopback()).ok());
  EXPECT_TRUE(s->finish_bind().ok());
  EXPECT_TRUE(s->start_listen().ok());
  EXPECT_TRUE(s->finish_listen().ok());
  EXPECT_TRUE(s->is_listening());
  auto local = s->local_address();
  EXPECT_TRUE(local.ok());
  *port = local ? local->port : 0;
  return s;
}

// Connects `client` to `remote`, waiting for the connection.
NetResult<TcpStreams> connect(Reactor& reactor, TcpSocket& client, const SocketAddress& remote) {
  if (auto r = client.start_connect(remote); !r) return r.error();
  for (;;) {
    auto streams = client.finish_connect();
    if (streams || streams.error() != NetError::would_block) return streams;
    if (!wait_ready(reactor, client.readiness())) return NetError::timeout;
  }
}

NetResult<TcpAccepted> accept(Reactor& reactor, TcpSocket& server) {
  for (;;) {
    auto a = server.accept();
    if (a || a.error() != NetError::would_block) return a;
    if (!wait_ready(reactor, server.readiness())) return NetError::timeout;
  }
}

void write_all(Reactor& reactor, OutputStream& out, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    uint64_t permit = 0;
    ASSERT_TRUE(out.check_write(&permit).ok());
    if (permit == 0) {
      ASSERT_TRUE(wait_ready(reactor, out.readiness()));
      continue;
    }
    size_t n = std::min<size_t>(permit, bytes.size() - done);
    ASSERT_TRUE(out.write({reinterpret_cast<const uint8_t*>(bytes.data()) + done, n}).ok());
    done += n;
  }
  ASSERT_TRUE(out.flush().ok());
}

// Reads until `n` bytes arrived or the stream ends.
std::string read_n(Reactor& reactor, InputStream& in, size_t n, bool* ended = nullptr) {
  std::string got;
  while (got.size() < n) {
    StreamStatus s = in.read(n - got.size(), &got);
    if (s.kind == StreamStatus::Kind::closed) {
      if (ended) *ended = true;
      break;
    }
    EXPECT_TRUE(s.ok()) << s.message;
    if (!s.ok() || got.size() >= n) break;
    if (!wait_ready(reactor, in.readiness())) break;
  }
  return got;
}

// ---- addresses and error codes ----

TEST(SocketAddresses, WasiRulesOnFamiliesAndUnicast) {
  IpAddress mapped = IpAddress::ipv6({0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001});
  EXPECT_EQ(canonical(mapped), IpAddress::ipv4(127, 0, 0, 1));
  EXPECT_FALSE(is_valid_family(mapped, IpFamily::ipv6));  // IPv4-mapped: not on v6 sockets
  EXPECT_FALSE(is_valid_family(IpAddress::ipv6({0, 0, 0, 0, 0, 0, 0x7f00, 1}), IpFamily::ipv6));
  EXPECT_TRUE(is_valid_family(IpAddress::ipv6({0, 0, 0, 0, 0, 0, 0, 1}), IpFamily::ipv6));
  EXPECT_TRUE(is_valid_family(IpAddress::unspecified(IpFamily::ipv6), IpFamily::ipv6));
  EXPECT_FALSE(is_valid_family(IpAddress::ipv4(127, 0, 0, 1), IpFamily::ipv6));
  EXPECT_FALSE(is_valid_unicast(IpAddress::ipv4(224, 0, 0, 1)));
  EXPECT_FALSE(is_valid_unicast(IpAddress::ipv4(255, 255, 255, 255)));
  EXPECT_FALSE(is_valid_unicast(IpAddress::ipv6({0xff02, 0, 0, 0, 0, 0, 0, 1})));
  EXPECT_FALSE(is_valid_remote(loopback(0)));
  EXPECT_FALSE(is_valid_remote(v4(0, 0, 0, 0, 80)));
  EXPECT_TRUE(is_valid_remote(loopback(80)));

  SocketAddress a = v6({0xfe80, 0, 0, 0, 1, 2, 3, 4}, 8080);
  a.flow_info = 7;
  a.scope_id = 1;
  HostSockAddr h;
  to_host(a, &h);
  SocketAddress back;
  ASSERT_TRUE(from_host(h, &back));
  EXPECT_EQ(back, a);
}

TEST(SocketErrors, HostErrnoMapsToWasiCodes) {
  EXPECT_EQ(net_error_from_host(ECONNREFUSED), NetError::connection_refused);
  EXPECT_EQ(net_error_from_host(EADDRINUSE), NetError::address_in_use);
  EXPECT_EQ(net_error_from_host(EADDRNOTAVAIL), NetError::address_not_bindable);
  EXPECT_EQ(net_error_from_host(EACCES), NetError::access_denied);
  EXPECT_EQ(net_error_from_host(ENETUNREACH), NetError::remote_unreachable);
  EXPECT_EQ(net_error_from_host(EHOSTDOWN), NetError::remote_unreachable);
  EXPECT_EQ(net_error_from_host(EMSGSIZE), NetError::datagram_too_large);
  EXPECT_EQ(net_error_from_host(EMFILE), NetError::new_socket_limit);
  EXPECT_STREQ(net_error_name(NetError::permanent_resolver_failure), "permanent-resolver-failure");
  EXPECT_STREQ(net_error_name(NetError::would_block), "would-block");
}

// ---- TCP ----

TEST(TcpSockets, ServerAndClientRoundTripOnLoopback) {
  Reactor reactor;
  uint16_t port = 0;
  auto server = listener(&port);
  ASSERT_NE(port, 0);
  auto client = tcp();
  EXPECT_EQ(server->accept().error(), NetError::would_block);  // nobody connected yet

  auto client_streams = connect(reactor, *client, loopback(port));
  ASSERT_TRUE(client_streams.ok()) << net_error_name(client_streams.error());
  auto accepted = accept(reactor, *server);
  ASSERT_TRUE(accepted.ok()) << net_error_name(accepted.error());

  // The two ends see each other's addresses.
  auto client_local = client->local_address();
  auto server_remote = accepted->socket->remote_address();
  ASSERT_TRUE(client_local.ok() && server_remote.ok());
  EXPECT_EQ(*client_local, *server_remote);
  EXPECT_EQ(client->remote_address()->port, port);
  EXPECT_FALSE(accepted->socket->is_listening());

  write_all(reactor, *client_streams->output, "ping from the client");
  EXPECT_EQ(read_n(reactor, *accepted->streams.input, 20), "ping from the client");
  std::string big(300000, 'x');  // more than one permit and the socket buffers at once
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::string echoed;
  // Echo in chunks so that neither side's buffers fill while the other is not reading.
  for (size_t at = 0; at < big.size(); at += 50000) {
    write_all(reactor, *accepted->streams.output, std::string_view(big).substr(at, 50000));
    echoed += read_n(reactor, *client_streams->input, 50000);
  }
  EXPECT_EQ(echoed, big);

  // A shutdown of sending ends the peer's input.
  ASSERT_TRUE(client->shutdown(ShutdownHow::send).ok());
  bool ended = false;
  EXPECT_EQ(read_n(reactor, *accepted->streams.input, 1, &ended), "");
  EXPECT_TRUE(ended);
  uint64_t permit = 0;
  EXPECT_EQ(client_streams->output->check_write(&permit).kind, StreamStatus::Kind::closed);
}

TEST(TcpSockets, RefusedWithAccessDeniedWithoutTheGrant) {
  NetworkGrants none;  // inherit_network false
  auto s = tcp(IpFamily::ipv4, none);
  EXPECT_EQ(s->start_bind(loopback()).error(), NetError::access_denied);
  EXPECT_EQ(s->start_listen().error(), NetError::invalid_state);  // not bound
  // As in Wasmtime, the refusal of a connect surfaces when it finishes; the socket is then
  // closed with that error.
  ASSERT_TRUE(s->start_connect(loopback(9)).ok());
  EXPECT_EQ(s->finish_connect().error(), NetError::access_denied);
  EXPECT_EQ(s->local_address().error(), NetError::access_denied);

  NetworkGrants no_tcp = granted();
  no_tcp.tcp = false;
  EXPECT_EQ(TcpSocket::create(IpFamily::ipv4, no_tcp).error(), NetError::access_denied);
  NetworkGrants no_udp = granted();
  no_udp.udp = false;
  EXPECT_EQ(UdpSocket::create(IpFamily::ipv4, no_udp).error(), NetError::access_denied);
}

TEST(TcpSockets, ConnectionRefusedSurfacesFromFinishConnect) {
  Reactor reactor;
  uint16_t port = 0;
  {
    auto gone = listener(&port);  // a port nobody listens on once this closes
  }
  auto client = tcp();
  auto r = connect(reactor, *client, loopback(port));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), NetError::connection_refused);
  EXPECT_EQ(client->start_connect(loopback(port)).error(), NetError::invalid_state);
}

TEST(TcpSockets, BadAddressesAreInvalidArguments) {
  auto s = tcp();
  EXPECT_EQ(s->start_connect(loopback(0)).error(), NetError::invalid_argument);
  EXPECT_EQ(s->start_connect(v4(0, 0, 0, 0, 80)).error(), NetError::invalid_argument);
  EXPECT_EQ(s->start_connect(v4(224, 0, 0, 1, 80)).error(), NetError::invalid_argument);
  EXPECT_EQ(s->start_bind(v4(224, 0, 0, 1, 0)).error(), NetError::invalid_argument);
  EXPECT_EQ(s->start_bind(v6({0, 0, 0, 0, 0, 0, 0, 1}, 0)).error(), NetError::invalid_argument);

  auto s6 = tcp(IpFamily::ipv6);
  SocketAddress mapped = v6({0, 0, 0, 0, 0, 0xffff, 0x7f00, 1}, 80);
  EXPECT_EQ(s6->start_connect(mapped).error(), NetError::invalid_argument);
  EXPECT_EQ(s6->start_bind(mapped).error(), NetError::invalid_argument);
  EXPECT_EQ(s6->start_connect(loopback(80)).error(), NetError::invalid_argument);
  EXPECT_EQ(s6->family(), IpFamily::ipv6);
}

TEST(TcpSockets, TheTwoPhaseStateMachine) {
  auto s = tcp();
  EXPECT_EQ(s->finish_bind().error(), NetError::not_in_progress);
  EXPECT_EQ(s->finish_connect().error(), NetError::not_in_progress);
  EXPECT_EQ(s->finish_listen().error(), NetError::not_in_progress);
  EXPECT_EQ(s->local_address().error(), NetError::invalid_state);  // not bound yet
  EXPECT_EQ(s->remote_address().error(), NetError::invalid_state);
  EXPECT_EQ(s->accept().error(), NetError::invalid_state);
  EXPECT_EQ(s->shutdown(ShutdownHow::both).error(), NetError::invalid_state);
  ASSERT_TRUE(s->start_bind(loopback()).ok());
  EXPECT_EQ(s->start_listen().error(), NetError::concurrency_conflict);  // bind not finished
  ASSERT_TRUE(s->finish_bind().ok());
  EXPECT_EQ(s->start_bind(loopback()).error(), NetError::invalid_state);  // already bound
  EXPECT_TRUE(s->local_address().ok());

  // Options, with the WIT's invalid values.
  EXPECT_EQ(s->set_listen_backlog_size(0).error(), NetError::invalid_argument);
  EXPECT_TRUE(s->set_listen_backlog_size(16).ok());
  EXPECT_TRUE(s->set_keep_alive_enabled(true).ok());
  EXPECT_TRUE(*s->keep_alive_enabled());
  EXPECT_TRUE(s->set_keep_alive_idle_time(30'000'000'000ull).ok());
  EXPECT_EQ(*s->keep_alive_idle_time(), 30'000'000'000ull);
  EXPECT_EQ(s->set_keep_alive_interval(0).error(), NetError::invalid_argument);
  EXPECT_TRUE(s->set_keep_alive_count(5).ok());
  EXPECT_EQ(*s->keep_alive_count(), 5u);
  EXPECT_EQ(s->set_hop_limit(0).error(), NetError::invalid_argument);
  EXPECT_TRUE(s->set_hop_limit(42).ok());
  EXPECT_EQ(*s->hop_limit(), 42);
  EXPECT_EQ(s->set_receive_buffer_size(0).error(), NetError::invalid_argument);
  EXPECT_TRUE(s->set_receive_buffer_size(65536).ok());
  EXPECT_GE(*s->receive_buffer_size(), 4096u);
  EXPECT_TRUE(s->send_buffer_size().ok());

  ASSERT_TRUE(s->start_listen().ok());
  EXPECT_EQ(s->start_connect(loopback(80)).error(), NetError::concurrency_conflict);
  ASSERT_TRUE(s->finish_listen().ok());
  EXPECT_EQ(s->start_connect(loopback(80)).error(), NetError::invalid_state);
  EXPECT_TRUE(s->set_listen_backlog_size(32).ok());  // also while listening
}

// ---- UDP ----

TEST(UdpSockets, DatagramRoundTripOnLoopback) {
  Reactor reactor;
  auto a = UdpSocket::create(IpFamily::ipv4, granted());
  auto b = UdpSocket::create(IpFamily::ipv4, granted());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->stream(std::nullopt).error(), NetError::invalid_state);  // not bound
  ASSERT_TRUE((*a)->start_bind(loopback()).ok());
  ASSERT_TRUE((*a)->finish_bind().ok());
  ASSERT_TRUE((*b)->start_bind(loopback()).ok());
  ASSERT_TRUE((*b)->finish_bind().ok());
  SocketAddress a_addr = *(*a)->local_address();
  SocketAddress b_addr = *(*b)->local_address();

  auto a_streams = (*a)->stream(std::nullopt);  // a: any peer
  auto b_streams = (*b)->stream(a_addr);        // b: connected to a
  ASSERT_TRUE(a_streams.ok() && b_streams.ok());
  EXPECT_TRUE((*a)->has_streams());
  EXPECT_EQ((*b)->remote_address()->port, a_addr.port);
  EXPECT_EQ((*a)->remote_address().error(), NetError::invalid_state);

  auto& b_out = *b_streams->second;
  EXPECT_EQ(b_out.check_send(), 16u);
  auto sent = b_out.send({{"one", std::nullopt}, {"two", a_addr}});
  ASSERT_TRUE(sent.ok()) << net_error_name(sent.error());
  EXPECT_EQ(*sent, 2u);

  auto& a_in = *a_streams->first;
  std::vector<IncomingDatagram> got;
  while (got.size() < 2) {
    ASSERT_TRUE(wait_ready(reactor, a_in.readiness()));
    auto r = a_in.receive(10);
    ASSERT_TRUE(r.ok());
    for (auto& d : *r) got.push_back(std::move(d));
  }
  EXPECT_EQ(got[0].data, "one");
  EXPECT_EQ(got[1].data, "two");
  EXPECT_EQ(got[0].remote, b_addr);
  EXPECT_TRUE(a_in.receive(10)->empty());  // nothing more: empty, not would-block

  // a answers with an explicit address; b (connected) only takes its peer's address.
  auto& a_out = *a_streams->second;
  EXPECT_EQ(a_out.check_send(), 16u);
  EXPECT_EQ(a_out.send({{"no address", std::nullopt}}).error(), NetError::invalid_argument);
  a_out.check_send();
  EXPECT_EQ(a_out.send({{"port 0", v4(127, 0, 0, 1, 0)}}).error(), NetError::invalid_argument);
  a_out.check_send();
  EXPECT_EQ(*a_out.send({{"back", b_addr}}), 1u);
  b_out.check_send();
  EXPECT_EQ(b_out.send({{"elsewhere", b_addr}}).error(), NetError::invalid_argument);
  ASSERT_TRUE(wait_ready(reactor, b_streams->first->readiness()));
  auto back = b_streams->first->receive(1);
  ASSERT_TRUE(back.ok() && back->size() == 1);
  EXPECT_EQ((*back)[0].data, "back");
  EXPECT_EQ((*back)[0].remote, a_addr);
}

TEST(UdpSockets, GrantsAndBadAddresses) {
  NetworkGrants none;
  auto s = UdpSocket::create(IpFamily::ipv4, none);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->start_bind(loopback()).error(), NetError::access_denied);
  auto s6 = UdpSocket::create(IpFamily::ipv6, granted());
  ASSERT_TRUE(s6.ok());
  EXPECT_EQ((*s6)->start_bind(loopback()).error(), NetError::invalid_argument);
  EXPECT_EQ((*s6)->set_unicast_hop_limit(0).error(), NetError::invalid_argument);
  EXPECT_EQ((*s6)->finish_bind().error(), NetError::not_in_progress);
}

// ---- name lookup ----

TEST(NameLookup, OnlyWithTheGrant) {
  NetworkGrants g;
  EXPECT_EQ(resolve_addresses("localhost", g).error(), NetError::permanent_resolver_failure);
  g.ip_name_lookup = true;
  auto literal = resolve_addresses("127.0.0.1", g);
  ASSERT_TRUE(literal.ok());
  ASSERT_EQ(literal->size(), 1u);
  EXPECT_EQ((*literal)[0], IpAddress::ipv4(127, 0, 0, 1));
  auto v6literal = resolve_addresses("[::1]", g);
  ASSERT_TRUE(v6literal.ok());
  EXPECT_EQ((*v6literal)[0], IpAddress::ipv6({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(resolve_addresses("not a name", g).error(), NetError::invalid_argument);
  EXPECT_EQ(resolve_addresses("", g).error(), NetError::invalid_argument);
  auto local = resolve_addresses("localhost", g);  // /etc/hosts: no network needed
  ASSERT_TRUE(local.ok()) << net_error_name(local.error());
  ASSERT_FALSE(local->empty());
  for (const IpAddress& ip : *local) {
    EXPECT_TRUE(ip == IpAddress::ipv4(127, 0, 0, 1) ||
                ip == IpAddress::ipv6({0, 0, 0, 0, 0, 0, 0, 1}));
  }
}

// ---- end to end: a component importing wasi:sockets at 0.2.0 ----

namespace e2e {

// `bind(port)` takes the instance network, creates an IPv4 TCP socket, binds it to
// 127.0.0.1:port and returns 0x10000 + the bound port, or STEP + the error-code's index where
// STEP says which call failed: 1000 create-tcp-socket, 2000 start-bind, 3000 finish-bind,
// 4000 local-address. Its imports also check the host's function types against the WIT's.
const char* kBindComponent = R"((component
  (import "wasi:sockets/network@0.2.0" (instance $network
    (export "network" (type (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory"
      "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state"
      "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable"
      "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large"
      "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $fam (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $fam)))
    (type $v4 (tuple u8 u8 u8 u8))
    (export "ipv4-address" (type $v4e (eq $v4)))
    (type $v6 (tuple u16 u16 u16 u16 u16 u16 u16 u16))
    (export "ipv6-address" (type $v6e (eq $v6)))
    (type $v4sa (record (field "port" u16) (field "address" $v4e)))
    (export "ipv4-socket-address" (type $v4sae (eq $v4sa)))
    (type $v6sa (record (field "port" u16) (field "flow-info" u32) (field "address" $v6e)
      (field "scope-id" u32)))
    (export "ipv6-socket-address" (type $v6sae (eq $v6sa)))
    (type $sa (variant (case "ipv4" $v4sae) (case "ipv6" $v6sae)))
    (export "ip-socket-address" (type (eq $sa)))))
  (alias export $network "network" (type $network-t))
  (alias export $network "error-code" (type $error-code))
  (alias export $network "ip-address-family" (type $family))
  (alias export $network "ip-socket-address" (type $sockaddr))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (export "instance-network" (func (result (own $nn))))))
  (import "wasi:sockets/tcp@0.2.0" (instance $tcp
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $sockaddr (type $a))
    (export "ip-socket-address" (type $aa (eq $a)))
    (export "tcp-socket" (type $sock (sub resource)))
    (export "[method]tcp-socket.start-bind" (func (param "self" (borrow $sock))
      (param "network" (borrow $nn)) (param "local-address" $aa) (result (result (error $ee)))))
    (export "[method]tcp-socket.finish-bind" (func (param "self" (borrow $sock))
      (result (result (error $ee)))))
    (export "[method]tcp-socket.local-address" (func (param "self" (borrow $sock))
      (result (result $aa (error $ee)))))))
  (alias export $tcp "tcp-socket" (type $tcp-socket))
  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $create
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $family (type $f))
    (export "ip-address-family" (type $ff (eq $f)))
    (alias outer 1 $tcp-socket (type $s))
    (export "tcp-socket" (type $ss (eq $s)))
    (export "create-tcp-socket" (func (param "address-family" $ff)
      (result (result (own $ss) (error $ee)))))))

  (core module $Mem (memory (export "memory") 1))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $inet-f (canon lower (func $inet "instance-network")))
  (core func $create-f (canon lower (func $create "create-tcp-socket") (memory $memory)))
  (core func $start-bind-f (canon lower (func $tcp "[method]tcp-socket.start-bind")
    (memory $memory)))
  (core func $finish-bind-f (canon lower (func $tcp "[method]tcp-socket.finish-bind")
    (memory $memory)))
  (core func $local-address-f (canon lower (func $tcp "[method]tcp-socket.local-address")
    (memory $memory)))

  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "instance-network" (func $inet (result i32)))
    (import "host" "create-tcp-socket" (func $create (param i32 i32)))
    (import "host" "start-bind" (func $start-bind
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "host" "finish-bind" (func $finish-bind (param i32 i32)))
    (import "host" "local-address" (func $local-address (param i32 i32)))
    (func (export "bind") (param $port i32) (result i32)
      (local $net i32) (local $sock i32)
      (local.set $net (call $inet))
      ;; result<own<tcp-socket>, error-code> at 16: tag, then the payload at 20
      (call $create (i32.const 0) (i32.const 16))
      (if (i32.load8_u (i32.const 16))
        (then (return (i32.add (i32.const 1000) (i32.load8_u (i32.const 20))))))
      (local.set $sock (i32.load (i32.const 20)))
      ;; ip-socket-address ipv4 { port, (127, 0, 0, 1) } flattened: case 0, 11 payload slots
      (call $start-bind (local.get $sock) (local.get $net) (i32.const 0) (local.get $port)
        (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 32))
      ;; result<_, error-code> at 32: tag, then the code at 33
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.add (i32.const 2000) (i32.load8_u (i32.const 33))))))
      (call $finish-bind (local.get $sock) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.add (i32.const 3000) (i32.load8_u (i32.const 33))))))
      ;; result<ip-socket-address, error-code> at 48: the address at 52, its port at 56
      (call $local-address (local.get $sock) (i32.const 48))
      (if (i32.load8_u (i32.const 48))
        (then (return (i32.add (i32.const 4000) (i32.load8_u (i32.const 52))))))
      (i32.add (i32.const 0x10000) (i32.load16_u (i32.const 56)))))
  (core instance $main (instantiate $Main (with "host" (instance
    (export "memory" (memory $memory))
    (export "instance-network" (func $inet-f))
    (export "create-tcp-socket" (func $create-f))
    (export "start-bind" (func $start-bind-f))
    (export "finish-bind" (func $finish-bind-f))
    (export "local-address" (func $local-address-f))))))
  (func (export "bind") (param "port" u16) (result u32) (canon lift (core func $main "bind")))
))";

// Runs the component's bind(port) under `config`.
std::optional<uint32_t> bind_through_component(const hull::api::wasi::Config& config,
                                               uint16_t port) {
  hull::api::Engine engine;
  auto bytes = hull::text::component_to_binary(kBindComponent);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().to_string());
  if (!bytes) return std::nullopt;
  auto component = ac::Component::compile(engine, *bytes);
  EXPECT_TRUE(component.ok()) << (component.ok() ? "" : component.error().to_string());
  if (!component) return std::nullopt;
  ac::Linker linker(engine);
  auto added = hull::api::wasi::add_to_linker(linker);
  EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().to_string());
  hull::api::Store store(engine);
  auto attached = hull::api::wasi::attach(store, config);
  EXPECT_TRUE(attached.ok());
  auto inst = linker.instantiate(store, *component);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().to_string());
  if (!inst) return std::nullopt;
  auto bind = inst->get_func("bind");
  EXPECT_TRUE(bind.has_value());
  if (!bind) return std::nullopt;
  auto r = bind->call({ac::Val::u16(port)});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r || r->empty()) return std::nullopt;
  return static_cast<uint32_t>((*r)[0].as_u64());
}

constexpr uint32_t kBound = 0x10000;
constexpr uint32_t kAccessDenied = static_cast<uint32_t>(NetError::access_denied);

TEST(SocketsComponent, BindsOnLoopbackWhenGranted) {
  hull::api::wasi::Config config;
  config.inherit_network = true;
  auto r = bind_through_component(config, 0);
  ASSERT_TRUE(r.has_value());
  EXPECT_GT(*r, kBound);  // an ephemeral port, not 0
  EXPECT_LT(*r, kBound + 0x10000);
}

TEST(SocketsComponent, AccessDeniedWithoutTheGrants) {
  hull::api::wasi::Config config;  // no network
  EXPECT_EQ(bind_through_component(config, 0), 2000 + kAccessDenied);
  config.inherit_network = true;
  config.allow_tcp = false;
  EXPECT_EQ(bind_through_component(config, 0), 1000 + kAccessDenied);
}

TEST(SocketsComponent, AddressInUse) {
  Reactor reactor;
  uint16_t port = 0;
  auto taken = listener(&port);
  hull::api::wasi::Config config;
  config.inherit_network = true;
  EXPECT_EQ(bind_through_component(config, port),
            2000 + static_cast<uint32_t>(NetError::address_in_use));
}

}  // namespace e2e

}  // namespace
