// sock_accept/recv/send/shutdown on sockets the host pre-opened (--tcplisten) or accepted:
// the host socket directly, through the core descriptor's HostFd.
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <vector>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

bool is_socket(const FdEntry* e) {
  return e->type == FileType::socket_stream || e->type == FileType::socket_dgram;
}

Errno socket_fd(Call& c, uint32_t fd, Rights rights, FdEntry** out) {
  FdEntry* e = c.state.fds.get(fd);
  if (!e) return Errno::badf;
  if (!is_socket(e)) return Errno::notsock;
  if ((e->base & rights) != rights) return Errno::notcapable;
  *out = e;
  return Errno::success;
}

int host_of(const FdEntry& e) { return e.descriptor->host_fd(); }

}  // namespace

Errno socket_read(const FdEntry& e, const std::vector<iovec>& bufs, uint64_t* got) {
  ssize_t r;
  do r = readv(host_of(e), bufs.data(), static_cast<int>(bufs.size()));
  while (r < 0 && errno == EINTR);
  if (r < 0) return errno_from_host(errno);
  *got = static_cast<uint64_t>(r);
  return Errno::success;
}

Errno socket_write(const FdEntry& e, const std::vector<iovec>& bufs, uint64_t* written) {
  ssize_t r;
  do r = writev(host_of(e), bufs.data(), static_cast<int>(bufs.size()));
  while (r < 0 && errno == EINTR);
  if (r < 0) return errno_from_host(errno);
  *written = static_cast<uint64_t>(r);
  return Errno::success;
}

P1_FUNC(sock_accept) {
  FdEntry* e;
  P1_TRY(socket_fd(c, u32(a[0]), right::sock_accept, &e));
  uint32_t flags = u32(a[1]);
  if (flags & ~static_cast<uint32_t>(fdflag::nonblock)) return Errno::inval;
  if (!c.mem.ok(u32(a[2]), 4)) return Errno::fault;
  int fd;
  do fd = accept4(host_of(*e), nullptr, nullptr,
                  SOCK_CLOEXEC | ((flags & fdflag::nonblock) ? SOCK_NONBLOCK : 0));
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_from_host(errno);
  FdEntry n;
  n.kind = FdKind::socket;
  n.descriptor = std::make_shared<Descriptor>(std::make_shared<HostFd>(fd),
                                              DescriptorType::socket, dflag::read | dflag::write);
  n.type = FileType::socket_stream;
  n.base = right::socket & ~right::sock_accept;
  n.inheriting = 0;
  c.mem.store<uint32_t>(u32(a[2]), c.state.fds.insert(std::move(n)));
  return Errno::success;
}

P1_FUNC(sock_recv) {
  FdEntry* e;
  P1_TRY(socket_fd(c, u32(a[0]), right::fd_read, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  uint32_t riflags = u32(a[3]);
  if (riflags & ~3u) return Errno::inval;
  if (!c.mem.ok(u32(a[4]), 4) || !c.mem.ok(u32(a[5]), 2)) return Errno::fault;
  msghdr m{};
  m.msg_iov = v.data();
  m.msg_iovlen = v.size();
  int fl = 0;
  if (riflags & 1) fl |= MSG_PEEK;
  if (riflags & 2) fl |= MSG_WAITALL;
  ssize_t r;
  do r = recvmsg(host_of(*e), &m, fl);
  while (r < 0 && errno == EINTR);
  if (r < 0) return errno_from_host(errno);
  c.mem.store<uint32_t>(u32(a[4]), static_cast<uint32_t>(r));
  c.mem.store<uint16_t>(u32(a[5]), (m.msg_flags & MSG_TRUNC) ? 1 : 0);
  return Errno::success;
}

P1_FUNC(sock_send) {
  FdEntry* e;
  P1_TRY(socket_fd(c, u32(a[0]), right::fd_write, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[4]), 4)) return Errno::fault;
  msghdr m{};
  m.msg_iov = v.data();
  m.msg_iovlen = v.size();
  ssize_t r;
  do r = sendmsg(host_of(*e), &m, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return errno_from_host(errno);
  c.mem.store<uint32_t>(u32(a[4]), static_cast<uint32_t>(r));
  return Errno::success;
}

P1_FUNC(sock_shutdown) {
  FdEntry* e;
  P1_TRY(socket_fd(c, u32(a[0]), right::sock_shutdown, &e));
  uint32_t how = u32(a[1]);
  int h;
  switch (how) {
    case 1: h = SHUT_RD; break;
    case 2: h = SHUT_WR; break;
    case 3: h = SHUT_RDWR; break;
    default: return Errno::inval;
  }
  return shutdown(host_of(*e), h) == 0 ? Errno::success : errno_from_host(errno);
}

}  // namespace hull::wasi::p1
