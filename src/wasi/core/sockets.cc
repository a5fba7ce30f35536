// Sockets over non-blocking host sockets (Linux). The WASI rules follow the wasi:sockets WIT
// and, where it is silent, Wasmtime's wasmtime-wasi (which the WASI sockets tests pin down).
#include "wasi/core/sockets.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace hull::wasi {

// ---- error codes ----

const char* net_error_name(NetError e) {
  static const char* const kNames[] = {"unknown",
                                       "access-denied",
                                       "not-supported",
                                       "invalid-argument",
                                       "out-of-memory",
                                       "timeout",
                                       "concurrency-conflict",
                                       "not-in-progress",
                                       "would-block",
                                       "invalid-state",
                                       "new-socket-limit",
                                       "address-not-bindable",
                                       "address-in-use",
                                       "remote-unreachable",
                                       "connection-refused",
                                       "connection-reset",
                                       "connection-aborted",
                                       "datagram-too-large",
                                       "name-unresolvable",
                                       "temporary-resolver-failure",
                                       "permanent-resolver-failure"};
  auto i = static_cast<size_t>(e);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "unknown";
}

NetError net_error_from(Errno e) {
  switch (e) {
    case Errno::perm:
    case Errno::acces:
    case Errno::notcapable: return NetError::access_denied;
    case Errno::addrinuse: return NetError::address_in_use;
    case Errno::addrnotavail: return NetError::address_not_bindable;
    case Errno::timedout: return NetError::timeout;
    case Errno::pipe:  // a broken connection: the nearest 0.2 code
    case Errno::connreset: return NetError::connection_reset;
    case Errno::connrefused: return NetError::connection_refused;
    case Errno::connaborted: return NetError::connection_aborted;
    case Errno::inval: return NetError::invalid_argument;
    case Errno::hostunreach:
    case Errno::netdown:
    case Errno::netunreach: return NetError::remote_unreachable;
    case Errno::isconn:
    case Errno::notconn:
    case Errno::destaddrreq: return NetError::invalid_state;
    case Errno::msgsize: return NetError::datagram_too_large;
    case Errno::nomem:
    case Errno::nobufs: return NetError::out_of_memory;
    case Errno::notsup:
    case Errno::noprotoopt:
    case Errno::protonosupport:
    case Errno::prototype:
    case Errno::afnosupport: return NetError::not_supported;
    case Errno::again: return NetError::would_block;
    case Errno::mfile:
    case Errno::nfile: return NetError::new_socket_limit;
    default: return NetError::unknown;
  }
}

NetError net_error_from_host(int host_errno) {
  switch (host_errno) {
    // Not in the WASI errno enum: their POSIX meaning picks the code.
    case EHOSTDOWN:
    case ENONET: return NetError::remote_unreachable;
    case EPFNOSUPPORT:
    case ESOCKTNOSUPPORT: return NetError::not_supported;
    default: return net_error_from(errno_from_host(host_errno));
  }
}

namespace {

NetError last_error() { return net_error_from_host(errno); }

}  // namespace

// ---- addresses ----

IpAddress canonical(const IpAddress& ip) {
  if (ip.family == IpFamily::ipv6 && ip.v6[0] == 0 && ip.v6[1] == 0 && ip.v6[2] == 0 &&
      ip.v6[3] == 0 && ip.v6[4] == 0 && ip.v6[5] == 0xffff) {
    return IpAddress::ipv4(static_cast<uint8_t>(ip.v6[6] >> 8), static_cast<uint8_t>(ip.v6[6]),
                           static_cast<uint8_t>(ip.v6[7] >> 8), static_cast<uint8_t>(ip.v6[7]));
  }
  return ip;
}

bool is_unspecified(const IpAddress& ip) {
  IpAddress c = canonical(ip);
  return c == IpAddress::unspecified(c.family);
}

bool is_valid_unicast(const IpAddress& ip) {
  IpAddress c = canonical(ip);
  if (c.family == IpFamily::ipv4) {
    bool multicast = (c.v4[0] & 0xf0) == 224;
    bool broadcast = c.v4 == std::array<uint8_t, 4>{255, 255, 255, 255};
    return !multicast && !broadcast;
  }
  return (c.v6[0] & 0xff00) != 0xff00;  // ff00::/8 is multicast
}

bool is_valid_remote(const SocketAddress& a) { return !is_unspecified(a.ip) && a.port != 0; }

bool is_valid_family(const IpAddress& ip, IpFamily family) {
  if (ip.family != family) return false;
  if (family == IpFamily::ipv4) return true;
  bool first_six_zero = ip.v6[0] == 0 && ip.v6[1] == 0 && ip.v6[2] == 0 && ip.v6[3] == 0 &&
                        ip.v6[4] == 0 && ip.v6[5] == 0;
  bool unspecified_or_loopback = first_six_zero && ip.v6[6] == 0 && ip.v6[7] <= 1;
  bool ipv4_compatible = first_six_zero && !unspecified_or_loopback;
  bool ipv4_mapped = !(canonical(ip) == ip);
  return !ipv4_compatible && !ipv4_mapped;
}

void to_host(const SocketAddress& a, HostSockAddr* out) {
  out->storage = {};
  if (a.ip.family == IpFamily::ipv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out->storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a.port);
    std::memcpy(&sin->sin_addr, a.ip.v4.data(), 4);
    out->len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(a.port);
    sin6->sin6_flowinfo = htonl(a.flow_info);
    sin6->sin6_scope_id = a.scope_id;
    for (int i = 0; i < 8; ++i) {
      sin6->sin6_addr.s6_addr[2 * i] = static_cast<uint8_t>(a.ip.v6[i] >> 8);
      sin6->sin6_addr.s6_addr[2 * i + 1] = static_cast<uint8_t>(a.ip.v6[i]);
    }
    out->len = sizeof(sockaddr_in6);
  }
}

bool from_host(const HostSockAddr& in, SocketAddress* out) {
  *out = {};
  if (in.storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&in.storage);
    out->ip.family = IpFamily::ipv4;
    std::memcpy(out->ip.v4.data(), &sin->sin_addr, 4);
    out->port = ntohs(sin->sin_port);
    return true;
  }
  if (in.storage.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&in.storage);
    out->ip.family = IpFamily::ipv6;
    for (int i = 0; i < 8; ++i) {
      out->ip.v6[i] = static_cast<uint16_t>(sin6->sin6_addr.s6_addr[2 * i] << 8 |
                                            sin6->sin6_addr.s6_addr[2 * i + 1]);
    }
    out->port = ntohs(sin6->sin6_port);
    out->flow_info = ntohl(sin6->sin6_flowinfo);
    out->scope_id = sin6->sin6_scope_id;
    return true;
  }
  return false;
}

namespace {

NetResult<SocketAddress> host_name(int fd, bool peer) {
  HostSockAddr h;
  h.len = sizeof h.storage;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&h.storage), &h.len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&h.storage), &h.len);
  if (rc != 0) return last_error();
  SocketAddress a;
  if (!from_host(h, &a)) return NetError::not_supported;
  return a;
}

// A non-blocking, close-on-exec socket; IPv6 sockets are IPv6-only (WASI has no dual stack).
NetResult<std::shared_ptr<HostFd>> new_socket(IpFamily family, int type) {
  int fd = ::socket(family == IpFamily::ipv4 ? AF_INET : AF_INET6,
                    type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return last_error();
  auto shared = std::make_shared<HostFd>(fd);
  if (family == IpFamily::ipv6) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) return last_error();
  }
  return shared;
}

NetResult<void> host_bind(int fd, const SocketAddress& a) {
  HostSockAddr h;
  to_host(a, &h);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&h.storage), h.len) != 0) {
    if (errno == EAFNOSUPPORT) return NetError::invalid_argument;
    return last_error();
  }
  return {};
}

bool poll_now(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0;
}

template <class T>
NetResult<T> get_option(int fd, int level, int name) {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return last_error();
  return static_cast<T>(v);
}

NetResult<void> set_option(int fd, int level, int name, int value) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) return last_error();
  return {};
}

NetResult<uint8_t> get_hop_limit(int fd, IpFamily family) {
  auto v = family == IpFamily::ipv4 ? get_option<int>(fd, IPPROTO_IP, IP_TTL)
                                    : get_option<int>(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
  if (!v) return v.error();
  if (*v < 0 || *v > 255) return NetError::not_supported;
  return static_cast<uint8_t>(*v);
}

NetResult<void> set_hop_limit_on(int fd, IpFamily family, uint8_t value) {
  if (value == 0) return NetError::invalid_argument;
  return family == IpFamily::ipv4 ? set_option(fd, IPPROTO_IP, IP_TTL, value)
                                  : set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, value);
}

// Linux doubles the size it is given (for its bookkeeping) and reports the doubled value;
// halving makes a read-back match what was set, as Wasmtime does.
NetResult<uint64_t> get_buffer_size(int fd, int name) {
  auto v = get_option<int>(fd, SOL_SOCKET, name);
  if (!v) return v.error();
  return static_cast<uint64_t>(std::max(*v, 0)) / 2;
}

NetResult<void> set_buffer_size(int fd, int name, uint64_t value) {
  if (value == 0) return NetError::invalid_argument;
  int clamped = static_cast<int>(std::min<uint64_t>(value, INT_MAX));
  if (setsockopt(fd, SOL_SOCKET, name, &clamped, sizeof clamped) != 0 && errno != ENOBUFS) {
    return last_error();
  }
  return {};
}

// Keep-alive times are whole seconds on the host; WASI's durations are nanoseconds. Values are
// clamped to what every platform accepts (1 s .. i16::MAX s), as Wasmtime does.
constexpr uint64_t kNsPerSec = 1000000000ull;
int keep_alive_seconds(uint64_t ns) {
  return static_cast<int>(std::clamp<uint64_t>(ns / kNsPerSec, 1, INT16_MAX));
}

}  // namespace

// ---- name lookup ----

namespace {

// A host name the resolver may be asked about: no URL syntax, spaces or control characters
// (Wasmtime parses names as URL hosts; these are what such parsing refuses).
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == 0x7f) return false;
    if (std::strchr("#%/:<>?@[\\]^|", ch)) return false;
  }
  return true;
}

// A literal IPv4 or IPv6 address (the latter possibly in brackets), IPv4-mapped ones as IPv4.
std::optional<IpAddress> literal_address(const std::string& text) {
  std::string literal = text;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  HostSockAddr h;
  in_addr a4;
  in6_addr a6;
  if (inet_pton(AF_INET, literal.c_str(), &a4) == 1) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&h.storage);
    sin->sin_family = AF_INET;
    sin->sin_addr = a4;
  } else if (inet_pton(AF_INET6, literal.c_str(), &a6) == 1) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&h.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr = a6;
  } else {
    return std::nullopt;
  }
  SocketAddress sa;
  from_host(h, &sa);
  return canonical(sa.ip);
}

}  // namespace

NetResult<std::vector<IpAddress>> resolve_addresses(std::string_view name,
                                                    const NetworkGrants& grants) {
  std::string text(name);
  // As in Wasmtime, the name is validated first: a malformed one is invalid-argument with or
  // without the grant.
  std::optional<IpAddress> literal = literal_address(text);
  if (!literal && !is_host_name(text)) return NetError::invalid_argument;
  if (!grants.ip_name_lookup) return NetError::permanent_resolver_failure;
  // Literal addresses resolve to themselves. (Wasmtime returns an IPv4-mapped IPv6 literal
  // as it is; ip-name-lookup.wit says no IPv4-mapped address is ever returned.)
  if (literal) return std::vector<IpAddress>{*literal};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
  addrinfo* list = nullptr;
  int rc = getaddrinfo(text.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    return rc == EAI_AGAIN ? NetError::temporary_resolver_failure : NetError::name_unresolvable;
  }
  std::vector<IpAddress> out;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    HostSockAddr h;
    std::memcpy(&h.storage, ai->ai_addr, ai->ai_addrlen);
    h.len = ai->ai_addrlen;
    SocketAddress sa;
    if (!from_host(h, &sa)) continue;
    IpAddress ip = canonical(sa.ip);
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  freeaddrinfo(list);
  return out;
}

// ---- TCP streams ----

// Bytes one read or write takes at most (as Wasmtime's MAX_READ_SIZE_ALLOC).
constexpr uint64_t kTcpChunk = 64 * 1024;

struct TcpConnection {
  std::shared_ptr<HostFd> fd;
  bool read_closed = false;   // shut down for reading, or the peer's end of stream seen
  bool write_closed = false;  // shut down for writing, or the peer went away
  std::string unsent;         // the tail of a write the socket did not take at once
};

namespace {

// Sends as much of the connection's unsent bytes as the socket takes now; with `wait`, until
// none are left (polling for writability). A failure closes the writing side.
StreamStatus drain(TcpConnection& c, bool wait) {
  while (!c.unsent.empty()) {
    ssize_t n = ::send(c.fd->fd, c.unsent.data(), c.unsent.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
      c.unsent.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait) return StreamStatus::success();
      pollfd p{c.fd->fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    c.unsent.clear();
    c.write_closed = true;
    if (errno == EPIPE) return StreamStatus::end();
    return StreamStatus::host_failure(errno, "send");
  }
  return StreamStatus::success();
}

class TcpInput final : public InputStream {
 public:
  explicit TcpInput(std::shared_ptr<TcpConnection> c) : c_(std::move(c)) {}
  ~TcpInput() override {
    if (!c_->read_closed) ::shutdown(c_->fd->fd, SHUT_RD);
  }
  StreamStatus read(uint64_t len, std::string* out) override {
    if (c_->read_closed) return StreamStatus::end();
    size_t want = static_cast<size_t>(std::min(len, kTcpChunk));
    if (want == 0) return StreamStatus::success();
    size_t base = out->size();
    out->resize(base + want);
    for (;;) {
      ssize_t n = ::recv(c_->fd->fd, out->data() + base, want, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        out->resize(base);
        if (errno == EAGAIN || errno == EWOULDBLOCK) return StreamStatus::success();
        c_->read_closed = true;
        return StreamStatus::host_failure(errno, "recv");
      }
      out->resize(base + static_cast<size_t>(n));
      if (n == 0) {
        c_->read_closed = true;
        return StreamStatus::end();
      }
      return StreamStatus::success();
    }
  }
  Readiness readiness() override {
    return c_->read_closed ? Readiness::ready() : Readiness::readable(c_->fd->fd);
  }

 private:
  std::shared_ptr<TcpConnection> c_;
};

class TcpOutput final : public OutputStream {
 public:
  explicit TcpOutput(std::shared_ptr<TcpConnection> c) : c_(std::move(c)) {}
  ~TcpOutput() override {
    if (c_->write_closed) return;
    (void)drain(*c_, false);  // best effort: a guest that drops a stream is done with it
    ::shutdown(c_->fd->fd, SHUT_WR);
  }
  StreamStatus check_write(uint64_t* permit) override {
    *permit = 0;
    if (c_->write_closed) return StreamStatus::end();
    StreamStatus s = drain(*c_, false);
    if (!s.ok()) return s;
    if (c_->unsent.empty() && poll_now(c_->fd->fd, POLLOUT)) *permit = kTcpChunk;
    permit_ = *permit;
    return StreamStatus::success();
  }
  StreamStatus write(std::span<const uint8_t> bytes) override {
    if (c_->write_closed) return StreamStatus::end();
    if (bytes.size() > permit_) return StreamStatus::contract("write exceeded the permit");
    permit_ -= bytes.size();
    c_->unsent.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return drain(*c_, false);
  }
  // Writes complete in the background of later calls; a flush waits for the unsent tail so
  // that blocking-write-and-flush really has the bytes on their way when it returns.
  StreamStatus flush() override {
    if (c_->write_closed) return StreamStatus::end();
    return drain(*c_, true);
  }
  Readiness readiness() override {
    return c_->write_closed ? Readiness::ready() : Readiness::writable(c_->fd->fd);
  }

 private:
  std::shared_ptr<TcpConnection> c_;
  uint64_t permit_ = 0;
};

}  // namespace

// ---- TCP sockets ----

TcpSocket::TcpSocket(std::shared_ptr<HostFd> fd, IpFamily family, NetworkGrants grants)
    : fd_(std::move(fd)), family_(family), grants_(grants) {}

TcpSocket::~TcpSocket() = default;

NetResult<std::unique_ptr<TcpSocket>> TcpSocket::create(IpFamily family,
                                                        const NetworkGrants& grants) {
  if (!grants.tcp) return NetError::access_denied;
  auto fd = new_socket(family, SOCK_STREAM);
  if (!fd) return fd.error();
  return std::unique_ptr<TcpSocket>(new TcpSocket(std::move(*fd), family, grants));
}

bool TcpSocket::is_bound() {
  if (!bound_ && state_ == State::fresh) {
    auto local = host_name(fd_->fd, false);
    bound_ = local && !(*local == SocketAddress{IpAddress::unspecified(family_)});
  }
  return bound_ || state_ != State::fresh;
}

NetResult<void> TcpSocket::start_bind(const SocketAddress& local) {
  if (op_ != Op::none) return NetError::concurrency_conflict;
  if (state_ != State::fresh || is_bound()) return NetError::invalid_state;
  if (!is_valid_unicast(local.ip) || !is_valid_family(local.ip, family_)) {
    return NetError::invalid_argument;
  }
  if (!grants_.inherit_network) return NetError::access_denied;
  // A listener restarted on its port should not wait out TIME_WAIT (the usual server default).
  (void)set_option(fd_->fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (auto r = host_bind(fd_->fd, local); !r) return r;
  bound_ = true;
  op_ = Op::bind;
  return {};
}

NetResult<void> TcpSocket::finish_bind() {
  if (op_ != Op::bind) return NetError::not_in_progress;
  op_ = Op::none;
  return {};
}

NetResult<void> TcpSocket::start_connect(const SocketAddress& remote) {
  if (op_ != Op::none) return NetError::concurrency_conflict;
  if (state_ != State::fresh) return NetError::invalid_state;
  if (!is_valid_unicast(remote.ip) || !is_valid_remote(remote) ||
      !is_valid_family(remote.ip, family_)) {
    return NetError::invalid_argument;
  }
  state_ = State::connecting;
  op_ = Op::connect;
  connect_done_ = true;
  // As in Wasmtime, a refused permission and immediate failures surface from finish-connect:
  // start-connect only says the attempt began.
  if (!grants_.inherit_network) {
    connect_error_ = NetError::access_denied;
    return {};
  }
  HostSockAddr h;
  to_host(remote, &h);
  int rc;
  do {
    rc = ::connect(fd_->fd, reinterpret_cast<const sockaddr*>(&h.storage), h.len);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno == EINPROGRESS) {
    connect_done_ = false;
  } else if (rc != 0) {
    connect_error_ = errno == EAFNOSUPPORT ? NetError::invalid_argument : last_error();
  }
  return {};
}

NetResult<TcpStreams> TcpSocket::finish_connect() {
  if (op_ != Op::connect) return NetError::not_in_progress;
  if (!connect_done_) {
    if (!poll_now(fd_->fd, POLLOUT)) return NetError::would_block;
    auto so_error = get_option<int>(fd_->fd, SOL_SOCKET, SO_ERROR);
    if (!so_error) {
      connect_error_ = so_error.error();
    } else if (*so_error != 0) {
      connect_error_ = net_error_from_host(*so_error);
    }
    connect_done_ = true;
  }
  op_ = Op::none;
  if (connect_error_) {
    state_ = State::closed;
    closed_error_ = *connect_error_;
    return *connect_error_;
  }
  state_ = State::connected;
  connection_ = std::make_shared<TcpConnection>();
  connection_->fd = fd_;
  return take_streams();
}

NetResult<TcpStreams> TcpSocket::take_streams() {
  if (state_ != State::connected || streams_taken_) return NetError::invalid_state;
  streams_taken_ = true;
  return TcpStreams{std::make_unique<TcpInput>(connection_),
                    std::make_unique<TcpOutput>(connection_)};
}

NetResult<void> TcpSocket::start_listen() {
  if (op_ != Op::none) return NetError::concurrency_conflict;
  if (state_ != State::fresh || !is_bound()) return NetError::invalid_state;
  if (!grants_.inherit_network) return NetError::access_denied;
  if (::listen(fd_->fd, static_cast<int>(backlog_)) != 0) return last_error();
  state_ = State::listening;
  op_ = Op::listen;
  return {};
}

NetResult<void> TcpSocket::finish_listen() {
  if (op_ != Op::listen) return NetError::not_in_progress;
  op_ = Op::none;
  return {};
}

NetResult<TcpAccepted> TcpSocket::accept() {
  if (state_ != State::listening) return NetError::invalid_state;
  int fd;
  do {
    fd = ::accept4(fd_->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    switch (errno) {
      case EAGAIN: return NetError::would_block;
      // Linux reports a connection's own network errors through accept; to the listener they
      // mean that one connection is gone.
      case ECONNRESET:
      case ENETRESET:
      case EHOSTUNREACH:
      case EHOSTDOWN:
      case ENETDOWN:
      case ENETUNREACH:
      case EPROTO:
      case ENOPROTOOPT:
      case ENONET:
      case EOPNOTSUPP: return NetError::connection_aborted;
      default: return last_error();
    }
  }
  std::unique_ptr<TcpSocket> s(new TcpSocket(std::make_shared<HostFd>(fd), family_, grants_));
  s->state_ = State::connected;
  s->bound_ = true;
  s->connection_ = std::make_shared<TcpConnection>();
  s->connection_->fd = s->fd_;
  auto streams = s->take_streams();
  if (!streams) return streams.error();
  return TcpAccepted{std::move(s), std::move(*streams)};
}

NetResult<SocketAddress> TcpSocket::local_address() {
  if (state_ == State::closed) return closed_error_;
  if (state_ == State::connecting || !is_bound()) return NetError::invalid_state;
  return host_name(fd_->fd, false);
}

NetResult<SocketAddress> TcpSocket::remote_address() const {
  if (state_ == State::closed) return closed_error_;
  if (state_ != State::connected) return NetError::invalid_state;
  return host_name(fd_->fd, true);
}

NetResult<void> TcpSocket::set_listen_backlog_size(uint64_t value) {
  if (value == 0) return NetError::invalid_argument;
  auto backlog = static_cast<uint32_t>(std::min<uint64_t>(value, INT_MAX));
  switch (state_) {
    case State::fresh: break;
    case State::listening:
      // Linux lets listen() change the backlog of a listening socket.
      if (::listen(fd_->fd, static_cast<int>(backlog)) != 0) return NetError::not_supported;
      break;
    case State::closed: return closed_error_;
    default: return NetError::invalid_state;
  }
  backlog_ = backlog;
  return {};
}

NetResult<int> TcpSocket::option_fd() const {
  if (state_ == State::closed) return closed_error_;
  if (state_ == State::connecting) return NetError::invalid_state;
  return fd_->fd;
}

#define HULL_TCP_FD(name)                 \
  auto name##_r = option_fd();            \
  if (!name##_r) return name##_r.error(); \
  int name = *name##_r

NetResult<bool> TcpSocket::keep_alive_enabled() const {
  HULL_TCP_FD(fd);
  return get_option<bool>(fd, SOL_SOCKET, SO_KEEPALIVE);
}
NetResult<void> TcpSocket::set_keep_alive_enabled(bool value) {
  HULL_TCP_FD(fd);
  return set_option(fd, SOL_SOCKET, SO_KEEPALIVE, value ? 1 : 0);
}
NetResult<uint64_t> TcpSocket::keep_alive_idle_time() const {
  HULL_TCP_FD(fd);
  auto v = get_option<uint64_t>(fd, IPPROTO_TCP, TCP_KEEPIDLE);
  if (!v) return v.error();
  return *v * kNsPerSec;
}
NetResult<void> TcpSocket::set_keep_alive_idle_time(uint64_t ns) {
  if (ns == 0) return NetError::invalid_argument;
  HULL_TCP_FD(fd);
  return set_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, keep_alive_seconds(ns));
}
NetResult<uint64_t> TcpSocket::keep_alive_interval() const {
  HULL_TCP_FD(fd);
  auto v = get_option<uint64_t>(fd, IPPROTO_TCP, TCP_KEEPINTVL);
  if (!v) return v.error();
  return *v * kNsPerSec;
}
NetResult<void> TcpSocket::set_keep_alive_interval(uint64_t ns) {
  if (ns == 0) return NetError::invalid_argument;
  HULL_TCP_FD(fd);
  return set_option(fd, IPPROTO_TCP, TCP_KEEPINTVL, keep_alive_seconds(ns));
}
NetResult<uint32_t> TcpSocket::keep_alive_count() const {
  HULL_TCP_FD(fd);
  return get_option<uint32_t>(fd, IPPROTO_TCP, TCP_KEEPCNT);
}
NetResult<void> TcpSocket::set_keep_alive_count(uint32_t value) {
  if (value == 0) return NetError::invalid_argument;
  HULL_TCP_FD(fd);
  return set_option(fd, IPPROTO_TCP, TCP_KEEPCNT,
                    static_cast<int>(std::min<uint32_t>(value, INT8_MAX)));
}
NetResult<uint8_t> TcpSocket::hop_limit() const {
  HULL_TCP_FD(fd);
  return get_hop_limit(fd, family_);
}
NetResult<void> TcpSocket::set_hop_limit(uint8_t value) {
  HULL_TCP_FD(fd);
  return set_hop_limit_on(fd, family_, value);
}
NetResult<uint64_t> TcpSocket::receive_buffer_size() const {
  HULL_TCP_FD(fd);
  return get_buffer_size(fd, SO_RCVBUF);
}
NetResult<void> TcpSocket::set_receive_buffer_size(uint64_t value) {
  HULL_TCP_FD(fd);
  return set_buffer_size(fd, SO_RCVBUF, value);
}
NetResult<uint64_t> TcpSocket::send_buffer_size() const {
  HULL_TCP_FD(fd);
  return get_buffer_size(fd, SO_SNDBUF);
}
NetResult<void> TcpSocket::set_send_buffer_size(uint64_t value) {
  HULL_TCP_FD(fd);
  return set_buffer_size(fd, SO_SNDBUF, value);
}

#undef HULL_TCP_FD

Readiness TcpSocket::readiness() const {
  if (op_ == Op::connect && !connect_done_) return Readiness::writable(fd_->fd);
  if (state_ == State::listening) return Readiness::readable(fd_->fd);
  return Readiness::ready();
}

NetResult<void> TcpSocket::shutdown(ShutdownHow how) {
  if (state_ != State::connected || !connection_) return NetError::invalid_state;
  TcpConnection& c = *connection_;
  bool rd = how != ShutdownHow::send, wr = how != ShutdownHow::receive;
  if (wr && !c.write_closed) (void)drain(c, false);
  int mode = rd && wr ? SHUT_RDWR : rd ? SHUT_RD : SHUT_WR;
  if (::shutdown(fd_->fd, mode) != 0 && errno != ENOTCONN) return last_error();
  if (rd) c.read_closed = true;
  if (wr) c.write_closed = true;
  return {};
}

// ---- UDP ----

// The largest datagram payload (IPv4's limit; IPv6 jumbograms are not supported).
constexpr size_t kMaxDatagram = 65535;
// Datagrams one receive or send call handles at most (as Wasmtime).
constexpr uint64_t kMaxDatagramsPerCall = 16;

struct UdpShared {
  std::shared_ptr<HostFd> fd;
  IpFamily family = IpFamily::ipv4;
  NetworkGrants grants;
  bool bound = false;
  std::optional<SocketAddress> remote;  // set by stream(remote)
  int live_streams = 0;
};

IncomingDatagramStream::IncomingDatagramStream(std::shared_ptr<UdpShared> shared)
    : shared_(std::move(shared)) {
  ++shared_->live_streams;
}
IncomingDatagramStream::~IncomingDatagramStream() { --shared_->live_streams; }

NetResult<std::vector<IncomingDatagram>> IncomingDatagramStream::receive(uint64_t max) {
  std::vector<IncomingDatagram> out;
  max = std::min(max, kMaxDatagramsPerCall);
  std::string buffer(kMaxDatagram, '\0');
  while (out.size() < max) {
    HostSockAddr from;
    from.len = sizeof from.storage;
    ssize_t n = ::recvfrom(shared_->fd->fd, buffer.data(), buffer.size(), MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&from.storage), &from.len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || !out.empty()) break;
      return last_error();
    }
    IncomingDatagram d;
    d.data.assign(buffer.data(), static_cast<size_t>(n));
    if (!from_host(from, &d.remote)) continue;
    out.push_back(std::move(d));
  }
  return out;
}

Readiness IncomingDatagramStream::readiness() const { return Readiness::readable(shared_->fd->fd); }

OutgoingDatagramStream::OutgoingDatagramStream(std::shared_ptr<UdpShared> shared)
    : shared_(std::move(shared)) {
  ++shared_->live_streams;
}
OutgoingDatagramStream::~OutgoingDatagramStream() { --shared_->live_streams; }

uint64_t OutgoingDatagramStream::check_send() {
  permit_ = poll_now(shared_->fd->fd, POLLOUT) ? kMaxDatagramsPerCall : 0;
  return permit_;
}

NetResult<uint64_t> OutgoingDatagramStream::send(const std::vector<OutgoingDatagram>& datagrams) {
  permit_ = 0;
  uint64_t sent = 0;
  for (const OutgoingDatagram& d : datagrams) {
    NetResult<void> r = [&]() -> NetResult<void> {
      if (d.data.size() > kMaxDatagram) return NetError::datagram_too_large;
      const std::optional<SocketAddress>& connected = shared_->remote;
      if (d.remote) {
        if (!is_valid_remote(*d.remote) || !is_valid_family(d.remote->ip, shared_->family)) {
          return NetError::invalid_argument;
        }
        if (connected && !(*connected == *d.remote)) return NetError::invalid_argument;
      } else if (!connected) {
        return NetError::invalid_argument;
      }
      if (!shared_->grants.inherit_network) return NetError::access_denied;
      ssize_t n;
      do {
        if (connected) {
          n = ::send(shared_->fd->fd, d.data.data(), d.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        } else {
          HostSockAddr to;
          to_host(*d.remote, &to);
          n = ::sendto(shared_->fd->fd, d.data.data(), d.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&to.storage), to.len);
        }
      } while (n < 0 && errno == EINTR);
      if (n < 0) return last_error();
      return {};
    }();
    if (!r) {
      // Datagrams sent before a failure count; the failure is reported only for the first.
      if (r.error() == NetError::would_block || sent > 0) break;
      return r.error();
    }
    ++sent;
  }
  return sent;
}

Readiness OutgoingDatagramStream::readiness() const { return Readiness::writable(shared_->fd->fd); }

UdpSocket::UdpSocket(std::shared_ptr<UdpShared> shared) : shared_(std::move(shared)) {}
UdpSocket::~UdpSocket() = default;

NetResult<std::unique_ptr<UdpSocket>> UdpSocket::create(IpFamily family,
                                                        const NetworkGrants& grants) {
  if (!grants.udp) return NetError::access_denied;
  auto fd = new_socket(family, SOCK_DGRAM);
  if (!fd) return fd.error();
  auto shared = std::make_shared<UdpShared>();
  shared->fd = std::move(*fd);
  shared->family = family;
  shared->grants = grants;
  return std::unique_ptr<UdpSocket>(new UdpSocket(std::move(shared)));
}

bool UdpSocket::is_bound() {
  if (!shared_->bound) {
    auto local = host_name(shared_->fd->fd, false);
    shared_->bound = local && !(*local == SocketAddress{IpAddress::unspecified(shared_->family)});
  }
  return shared_->bound;
}

NetResult<void> UdpSocket::start_bind(const SocketAddress& local) {
  if (bind_in_progress_) return NetError::concurrency_conflict;
  if (is_bound()) return NetError::invalid_state;
  if (!is_valid_family(local.ip, shared_->family)) return NetError::invalid_argument;
  if (!shared_->grants.inherit_network) return NetError::access_denied;
  if (auto r = host_bind(shared_->fd->fd, local); !r) return r;
  shared_->bound = true;
  bind_in_progress_ = true;
  return {};
}

NetResult<void> UdpSocket::finish_bind() {
  if (!bind_in_progress_) return NetError::not_in_progress;
  bind_in_progress_ = false;
  return {};
}

bool UdpSocket::has_streams() const { return shared_->live_streams > 0; }

NetResult<
    std::pair<std::unique_ptr<IncomingDatagramStream>, std::unique_ptr<OutgoingDatagramStream>>>
UdpSocket::stream(const std::optional<SocketAddress>& remote) {
  if (!is_bound()) return NetError::invalid_state;
  int fd = shared_->fd->fd;
  if (remote) {
    if (!is_valid_family(remote->ip, shared_->family) || !is_valid_remote(*remote)) {
      return NetError::invalid_argument;
    }
    if (!shared_->grants.inherit_network) return NetError::access_denied;
    HostSockAddr h;
    to_host(*remote, &h);
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&h.storage), h.len);
    if (rc != 0 && errno == EINVAL) {
      // Linux refuses some re-connects of a connected socket: disconnect first and retry.
      sockaddr unspec{};
      unspec.sa_family = AF_UNSPEC;
      ::connect(fd, &unspec, sizeof unspec);
      rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&h.storage), h.len);
    }
    if (rc != 0) {
      shared_->remote.reset();
      return errno == EAFNOSUPPORT ? NetError::invalid_argument : last_error();
    }
    shared_->remote = remote;
  } else if (shared_->remote) {
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    if (::connect(fd, &unspec, sizeof unspec) != 0) return last_error();
    shared_->remote.reset();
  }
  return std::make_pair(std::make_unique<IncomingDatagramStream>(shared_),
                        std::make_unique<OutgoingDatagramStream>(shared_));
}

NetResult<SocketAddress> UdpSocket::local_address() {
  if (!is_bound()) return NetError::invalid_state;
  return host_name(shared_->fd->fd, false);
}

NetResult<SocketAddress> UdpSocket::remote_address() const {
  if (!shared_->remote) return NetError::invalid_state;
  return host_name(shared_->fd->fd, true);
}

IpFamily UdpSocket::family() const { return shared_->family; }

NetResult<uint8_t> UdpSocket::unicast_hop_limit() const {
  return get_hop_limit(shared_->fd->fd, shared_->family);
}
NetResult<void> UdpSocket::set_unicast_hop_limit(uint8_t value) {
  return set_hop_limit_on(shared_->fd->fd, shared_->family, value);
}
NetResult<uint64_t> UdpSocket::receive_buffer_size() const {
  return get_buffer_size(shared_->fd->fd, SO_RCVBUF);
}
NetResult<void> UdpSocket::set_receive_buffer_size(uint64_t value) {
  return set_buffer_size(shared_->fd->fd, SO_RCVBUF, value);
}
NetResult<uint64_t> UdpSocket::send_buffer_size() const {
  return get_buffer_size(shared_->fd->fd, SO_SNDBUF);
}
NetResult<void> UdpSocket::set_send_buffer_size(uint64_t value) {
  return set_buffer_size(shared_->fd->fd, SO_SNDBUF, value);
}

}  // namespace hull::wasi
