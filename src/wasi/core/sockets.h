// Sockets independent of any ABI: what wasi:sockets (network, tcp, udp, ip-name-lookup)
// operates on. Addresses in WASI's shape, the socket error codes and the host errno mapping,
// the address rules WASI adds to POSIX (no IPv4-mapped IPv6 addresses, no connecting to port 0
// or to the unspecified address, ...), and TCP/UDP sockets with WASI 0.2's two-phase state
// machine over non-blocking host sockets. Nothing here blocks, except a name lookup (getaddrinfo)
// and flushing a TCP stream's unsent tail; readiness() tells the reactor what to wait for.
//
// Grants are all or nothing per protocol (hull/wasi.hh Config): a guest without the network
// grant gets `access-denied` for every bind, connect and datagram it sends.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "wasi/core/errno.h"
#include "wasi/core/reactor.h"
#include "wasi/core/resource_table.h"
#include "wasi/core/streams.h"

namespace hull::wasi {

// wasi:sockets/network error-code, in the WIT's order (the index is the enum's case).
enum class NetError : uint8_t {
  unknown,
  access_denied,
  not_supported,
  invalid_argument,
  out_of_memory,
  timeout,
  concurrency_conflict,
  not_in_progress,
  would_block,
  invalid_state,
  new_socket_limit,
  address_not_bindable,
  address_in_use,
  remote_unreachable,
  connection_refused,
  connection_reset,
  connection_aborted,
  datagram_too_large,
  name_unresolvable,
  temporary_resolver_failure,
  permanent_resolver_failure,
};
// The WIT spelling ("access-denied", ...).
const char* net_error_name(NetError e);
// The error code of a failed host operation (WASI errno, or a host errno value).
NetError net_error_from(Errno e);
NetError net_error_from_host(int host_errno);

// A value or a NetError.
template <class T>
class [[nodiscard]] NetResult {
 public:
  NetResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  NetResult(NetError e) : v_(std::in_place_index<1>, e) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  NetError error() const { return std::get<1>(v_); }

 private:
  std::variant<T, NetError> v_;
};

template <>
class [[nodiscard]] NetResult<void> {
 public:
  NetResult() = default;
  NetResult(NetError e) : e_(e) {}
  bool ok() const { return !e_; }
  explicit operator bool() const { return ok(); }
  NetError error() const { return *e_; }

 private:
  std::optional<NetError> e_;
};

// ---- addresses ----

enum class IpFamily : uint8_t { ipv4, ipv6 };

struct IpAddress {
  IpFamily family = IpFamily::ipv4;
  std::array<uint8_t, 4> v4{};   // when ipv4
  std::array<uint16_t, 8> v6{};  // when ipv6 (segments, host order)

  static IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    IpAddress ip;
    ip.v4 = {a, b, c, d};
    return ip;
  }
  static IpAddress ipv6(std::array<uint16_t, 8> segments) {
    IpAddress ip;
    ip.family = IpFamily::ipv6;
    ip.v6 = segments;
    return ip;
  }
  static IpAddress unspecified(IpFamily f) { return f == IpFamily::ipv4 ? IpAddress{} : ipv6({}); }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct SocketAddress {
  IpAddress ip;
  uint16_t port = 0;
  uint32_t flow_info = 0;  // ipv6 only
  uint32_t scope_id = 0;   // ipv6 only
  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

// The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for, else `ip` itself.
IpAddress canonical(const IpAddress& ip);
bool is_unspecified(const IpAddress& ip);  // 0.0.0.0, ::, ::ffff:0.0.0.0
// Not multicast, not the IPv4 broadcast address (bind and connect need unicast addresses).
bool is_valid_unicast(const IpAddress& ip);
// A connect/send target: a specified address and a port other than 0.
bool is_valid_remote(const SocketAddress& a);
// Whether a socket of `family` may use `ip`: the same family, and for IPv6 sockets neither
// IPv4-mapped (::ffff:0:0/96) nor deprecated IPv4-compatible (::a.b.c.d) addresses — WASI's
// IPv6 sockets are IPV6_V6ONLY.
bool is_valid_family(const IpAddress& ip, IpFamily family);

// Host socket address conversion. from_host is false for a family other than INET/INET6.
struct HostSockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
};
void to_host(const SocketAddress& a, HostSockAddr* out);
bool from_host(const HostSockAddr& in, SocketAddress* out);

// What a store's guest may do on the network.
struct NetworkGrants {
  bool inherit_network = false;  // bind, connect, listen and send anywhere the host can
  bool tcp = true;
  bool udp = true;
  bool ip_name_lookup = false;
};

// A wasi:sockets/network: the capability object operations take (one kind: the instance's).
class Network : public HostObject {};

// ---- name lookup ----

// The addresses `name` resolves to (a literal IPv4/IPv6 address resolves to itself), IPv4-mapped
// ones as IPv4. A name that is neither a valid host name nor an address is `invalid-argument`,
// checked first; then, without the grant, `permanent-resolver-failure` (both as Wasmtime).
// Blocks in getaddrinfo.
NetResult<std::vector<IpAddress>> resolve_addresses(std::string_view name,
                                                    const NetworkGrants& grants);

// A wasi:sockets/ip-name-lookup resolve-address-stream: the results of one lookup, in order.
class ResolveAddressStream : public HostObject {
 public:
  explicit ResolveAddressStream(std::vector<IpAddress> addresses)
      : addresses_(std::move(addresses)) {}
  std::optional<IpAddress> next() {
    if (next_ >= addresses_.size()) return std::nullopt;
    return addresses_[next_++];
  }

 private:
  std::vector<IpAddress> addresses_;
  size_t next_ = 0;
};

// ---- TCP ----

enum class ShutdownHow : uint8_t { receive, send, both };

struct TcpConnection;  // the descriptor and stream states a connected socket shares
struct TcpStreams {
  std::unique_ptr<InputStream> input;
  std::unique_ptr<OutputStream> output;
};
class TcpSocket;
struct TcpAccepted {
  std::unique_ptr<TcpSocket> socket;
  TcpStreams streams;
};

// A wasi:sockets/tcp tcp-socket. States: fresh (maybe bound) -> connecting -> connected, or
// fresh (bound) -> listening; a failed connect leaves it closed with that error. start-X
// begins an operation and finish-X completes it (`not-in-progress` without a start; a second
// start while one is pending is `concurrency-conflict`).
class TcpSocket : public HostObject {
 public:
  static NetResult<std::unique_ptr<TcpSocket>> create(IpFamily family, const NetworkGrants& grants);
  ~TcpSocket() override;

  NetResult<void> start_bind(const SocketAddress& local);
  NetResult<void> finish_bind();
  NetResult<void> start_connect(const SocketAddress& remote);
  // `would-block` until the connection is made; then the streams (once).
  NetResult<TcpStreams> finish_connect();
  NetResult<void> start_listen();
  NetResult<void> finish_listen();
  // A connection the listener has ready (`would-block` when none), connected, with its streams.
  NetResult<TcpAccepted> accept();

  NetResult<SocketAddress> local_address();
  NetResult<SocketAddress> remote_address() const;
  bool is_listening() const { return state_ == State::listening; }
  IpFamily family() const { return family_; }
  NetResult<void> set_listen_backlog_size(uint64_t value);

  NetResult<bool> keep_alive_enabled() const;
  NetResult<void> set_keep_alive_enabled(bool value);
  NetResult<uint64_t> keep_alive_idle_time() const;  // nanoseconds
  NetResult<void> set_keep_alive_idle_time(uint64_t ns);
  NetResult<uint64_t> keep_alive_interval() const;
  NetResult<void> set_keep_alive_interval(uint64_t ns);
  NetResult<uint32_t> keep_alive_count() const;
  NetResult<void> set_keep_alive_count(uint32_t value);
  NetResult<uint8_t> hop_limit() const;
  NetResult<void> set_hop_limit(uint8_t value);
  NetResult<uint64_t> receive_buffer_size() const;
  NetResult<void> set_receive_buffer_size(uint64_t value);
  NetResult<uint64_t> send_buffer_size() const;
  NetResult<void> set_send_buffer_size(uint64_t value);

  // A pending connect: writable; a listener: a connection to accept; else ready.
  Readiness readiness() const;
  NetResult<void> shutdown(ShutdownHow how);

 private:
  enum class State : uint8_t { fresh, connecting, connected, listening, closed };
  enum class Op : uint8_t { none, bind, connect, listen };
  TcpSocket(std::shared_ptr<HostFd> fd, IpFamily family, NetworkGrants grants);
  bool is_bound();
  // The descriptor for socket options: not while connecting, not once closed.
  NetResult<int> option_fd() const;
  NetResult<TcpStreams> take_streams();

  std::shared_ptr<HostFd> fd_;
  IpFamily family_;
  NetworkGrants grants_;
  State state_ = State::fresh;
  Op op_ = Op::none;
  bool bound_ = false;
  bool connect_done_ = false;              // the host connect completed (or failed) at once
  std::optional<NetError> connect_error_;  // its failure, reported by finish-connect
  NetError closed_error_ = NetError::unknown;
  uint32_t backlog_ = 128;
  std::shared_ptr<TcpConnection> connection_;  // once connected
  bool streams_taken_ = false;
};

// ---- UDP ----

struct UdpShared;  // the descriptor and connection state the socket and its streams share

struct IncomingDatagram {
  std::string data;
  SocketAddress remote;
};
struct OutgoingDatagram {
  std::string data;
  std::optional<SocketAddress> remote;
};

// A wasi:sockets/udp incoming-datagram-stream.
class IncomingDatagramStream : public HostObject {
 public:
  explicit IncomingDatagramStream(std::shared_ptr<UdpShared> shared);
  ~IncomingDatagramStream() override;
  // Up to `max` datagrams available now (at most 16 per call); none is not an error.
  NetResult<std::vector<IncomingDatagram>> receive(uint64_t max);
  Readiness readiness() const;

 private:
  std::shared_ptr<UdpShared> shared_;
};

// A wasi:sockets/udp outgoing-datagram-stream.
class OutgoingDatagramStream : public HostObject {
 public:
  explicit OutgoingDatagramStream(std::shared_ptr<UdpShared> shared);
  ~OutgoingDatagramStream() override;
  // How many datagrams send() may take now (0: wait for readiness()); becomes the permit.
  uint64_t check_send();
  // The permit the last check_send gave (send() past it is a contract violation).
  uint64_t permit() const { return permit_; }
  // Sends in order until one would block; the count sent. An error on the first is returned.
  NetResult<uint64_t> send(const std::vector<OutgoingDatagram>& datagrams);
  Readiness readiness() const;

 private:
  std::shared_ptr<UdpShared> shared_;
  uint64_t permit_ = 0;
};

// A wasi:sockets/udp udp-socket.
class UdpSocket : public HostObject {
 public:
  static NetResult<std::unique_ptr<UdpSocket>> create(IpFamily family, const NetworkGrants& grants);
  ~UdpSocket() override;

  NetResult<void> start_bind(const SocketAddress& local);
  NetResult<void> finish_bind();
  // Whether streams from an earlier stream() call are still alive (a new call then is a
  // contract violation).
  bool has_streams() const;
  // Connects to `remote` (or disconnects when none) and opens the pair of streams. Needs a
  // bound socket.
  NetResult<
      std::pair<std::unique_ptr<IncomingDatagramStream>, std::unique_ptr<OutgoingDatagramStream>>>
  stream(const std::optional<SocketAddress>& remote);

  NetResult<SocketAddress> local_address();
  NetResult<SocketAddress> remote_address() const;
  IpFamily family() const;
  NetResult<uint8_t> unicast_hop_limit() const;
  NetResult<void> set_unicast_hop_limit(uint8_t value);
  NetResult<uint64_t> receive_buffer_size() const;
  NetResult<void> set_receive_buffer_size(uint64_t value);
  NetResult<uint64_t> send_buffer_size() const;
  NetResult<void> set_send_buffer_size(uint64_t value);

 private:
  explicit UdpSocket(std::shared_ptr<UdpShared> shared);
  bool is_bound();
  std::shared_ptr<UdpShared> shared_;
  bool bind_in_progress_ = false;
};

}  // namespace hull::wasi
