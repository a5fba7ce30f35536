// Building the initial WASI state: stdio, preopened directories, listening sockets.
#include "wasi/core/wasi_state.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hull::wasi {

namespace {

Status listen_on(const std::string& spec, int* out) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos) {
    return Error::make(ErrorKind::Usage, "--tcplisten " + spec + ": expected ADDR:PORT");
  }
  std::string host = spec.substr(0, colon);
  std::string port_s = spec.substr(colon + 1);
  char* end = nullptr;
  long port = std::strtol(port_s.c_str(), &end, 10);
  if (port_s.empty() || *end || port < 0 || port > 65535) {
    return Error::make(ErrorKind::Usage, "--tcplisten " + spec + ": bad port");
  }
  sockaddr_storage ss{};
  socklen_t len;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    return Error::make(ErrorKind::Usage, "--tcplisten " + spec + ": bad address");
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::make(ErrorKind::Io, "--tcplisten " + spec + ": " + strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, 128) != 0) {
    std::string msg = strerror(errno);
    ::close(fd);
    return Error::make(ErrorKind::Io, "--tcplisten " + spec + ": " + msg);
  }
  *out = fd;
  return {};
}

}  // namespace

Status init_wasi_state(const WasiConfig& config, WasiState* state) {
  state->args = config.args;
  state->env = config.env;
  for (int i = 0; i < 3; ++i) {
    state->fds.insert_at(static_cast<uint32_t>(i), host_stream_entry(i, false));
  }
  for (const PreopenSpec& p : config.preopens) {
    std::unique_ptr<Descriptor> dir;
    if (open_preopen(p.host_path, p.readonly, &dir) != Errno::success) {
      // open(2) failed and left errno: the message speaks the host's words, as the CLI does.
      return Error::make(ErrorKind::Io, "--dir " + p.host_path + ": " + std::strerror(errno));
    }
    FdEntry e;
    e.kind = FdKind::directory;
    e.descriptor = std::move(dir);
    e.type = FileType::directory;
    e.base = right::directory;
    e.inheriting = right::all;
    e.readonly = p.readonly;
    // A read-only preopen holds no mutating right itself. Its inheriting rights stay complete
    // so that guests (wasi-libc derives the rights it asks for from them) still ask for write
    // access when they mean it, and path_open can refuse that plainly with `perm`.
    if (p.readonly) e.base &= ~right::mutating;
    e.preopen = true;
    e.guest_path = p.guest_path;
    state->fds.insert(std::move(e));
  }
  for (const std::string& spec : config.tcp_listen) {
    int fd = -1;
    HULL_TRY(listen_on(spec, &fd));
    FdEntry e;
    e.kind = FdKind::socket;
    e.descriptor = std::make_shared<Descriptor>(std::make_shared<HostFd>(fd),
                                                DescriptorType::socket, dflag::read | dflag::write);
    e.type = FileType::socket_stream;
    e.base = right::socket;
    e.inheriting = right::socket;
    state->fds.insert(std::move(e));
  }
  return {};
}

}  // namespace hull::wasi
