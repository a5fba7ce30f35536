// FdTable: lowest-free allocation, close and renumber; wrapping host descriptors as stream fds.
#include "wasi/core/fd_table.h"

#include <sys/stat.h>
#include <unistd.h>

namespace hull::wasi {

namespace {

DescriptorType descriptor_type_of_fd(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? descriptor_type_of_mode(st.st_mode) : DescriptorType::unknown;
}

// A bare host descriptor given by an embedder becomes a stream fd with the rights it named.
void adopt_host_fd(FdEntry& e) {
  if (e.descriptor || e.host_fd < 0) return;
  FdEntry wrapped = host_stream_entry(e.host_fd, e.owns_host_fd);
  wrapped.type = e.type;
  wrapped.base = e.base;
  wrapped.inheriting = e.inheriting;
  e = std::move(wrapped);
}

}  // namespace

FdEntry host_stream_entry(int fd, bool owned) {
  auto host = std::make_shared<HostFd>(fd, owned);
  FdEntry e;
  e.kind = FdKind::stream;
  e.descriptor =
      std::make_shared<Descriptor>(host, descriptor_type_of_fd(fd), dflag::read | dflag::write);
  e.input = fd_input(host);
  e.output = fd_output(host);
  struct stat st;
  e.type = fstat(fd, &st) == 0 ? file_type_of_mode(st.st_mode) : FileType::unknown;
  e.base = right::regular_file;
  if (e.type == FileType::character_device && isatty(fd)) {
    e.base &= ~(right::fd_seek | right::fd_tell);
  }
  e.inheriting = 0;
  status_flags(*e.descriptor, &e.fdflags);  // a descriptor fcntl refuses just has none
  return e;
}

uint32_t FdTable::insert(FdEntry e) {
  adopt_host_fd(e);
  uint32_t n = 0;
  for (const auto& [k, v] : entries_) {  // ordered: the first gap is the lowest free number
    if (k != n) break;
    ++n;
  }
  entries_.emplace(n, std::move(e));
  return n;
}

void FdTable::insert_at(uint32_t fd, FdEntry e) {
  adopt_host_fd(e);
  entries_.insert_or_assign(fd, std::move(e));
}

Errno FdTable::close(uint32_t fd) { return entries_.erase(fd) != 0 ? Errno::success : Errno::badf; }

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  auto f = entries_.find(from);
  auto t = entries_.find(to);
  if (f == entries_.end() || t == entries_.end()) return Errno::badf;
  if (from == to) return Errno::success;
  t->second = std::move(f->second);
  entries_.erase(f);
  return Errno::success;
}

std::vector<uint32_t> FdTable::numbers() const {
  std::vector<uint32_t> out;
  for (const auto& [k, v] : entries_) out.push_back(k);
  return out;
}

}  // namespace hull::wasi
