// FdTable: lowest-free allocation, close and renumber.
#include "wasi/core/fd_table.h"

#include <unistd.h>

namespace hull::wasi {

FdTable::~FdTable() {
  for (auto& [n, e] : entries_) release(e);
}

void FdTable::release(FdEntry& e) {
  if (e.owns_host_fd && e.host_fd >= 0) ::close(e.host_fd);
  e.host_fd = -1;
}

uint32_t FdTable::insert(FdEntry e) {
  uint32_t n = 0;
  for (const auto& [k, v] : entries_) {  // ordered: the first gap is the lowest free number
    if (k != n) break;
    ++n;
  }
  entries_.emplace(n, std::move(e));
  return n;
}

void FdTable::insert_at(uint32_t fd, FdEntry e) {
  auto it = entries_.find(fd);
  if (it != entries_.end()) {
    release(it->second);
    entries_.erase(it);
  }
  entries_.emplace(fd, std::move(e));
}

FdEntry* FdTable::get(uint32_t fd) {
  auto it = entries_.find(fd);
  return it == entries_.end() ? nullptr : &it->second;
}

Errno FdTable::close(uint32_t fd) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return Errno::badf;
  release(it->second);
  entries_.erase(it);
  return Errno::success;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  auto f = entries_.find(from);
  auto t = entries_.find(to);
  if (f == entries_.end() || t == entries_.end()) return Errno::badf;
  if (from == to) return Errno::success;
  release(t->second);
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
