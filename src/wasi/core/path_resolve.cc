// Beneath-the-base path resolution: openat2 when available, else a manual walk that opens
// each directory with O_NOFOLLOW and expands symlinks itself with readlinkat.
#include "wasi/core/path_resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <vector>

namespace hull::wasi {

namespace {

std::atomic<int> g_openat2{-1};  // -1 unknown, 0 unavailable/disabled, 1 available

bool use_openat2() { return g_openat2.load(std::memory_order_relaxed) != 0; }


// openat2 beneath `base`; returns the fd or -errno (ENOSYS when the kernel lacks it).
int openat2_beneath(int base, const std::string& path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long r = syscall(SYS_openat2, base, path.c_str(), &how, sizeof how);
    if (r >= 0) return static_cast<int>(r);
    if (errno == EINTR) continue;
    // RESOLVE_BENEATH may report EAGAIN when a concurrent rename raced; retry.
    if (errno == EAGAIN) continue;
    if (errno == ENOSYS) g_openat2 = 0;
    return -errno;
  }
}

bool has_nul(std::string_view p) { return p.find('\0') != std::string_view::npos; }

// Splits on '/', dropping empty components (repeated slashes).
void split(std::string_view p, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) parts.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  if (front) {
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) out.push_front(*it);
  } else {
    for (auto& s : parts) out.push_back(std::move(s));
  }
}

// The manual walk. Resolves `path` beneath `base`, leaving in `stack.back()` the directory
// holding the final component (returned in `leaf`, "" when the path ends in a directory, e.g.
// "a/.."). Intermediate directories are opened O_PATH|O_DIRECTORY|O_NOFOLLOW, so a symlink
// swapped in concurrently is never followed by the kernel.
struct Walk {
  std::vector<int> stack;  // owned fds above the base
  int base;
  explicit Walk(int b) : base(b) {}
  ~Walk() {
    for (int fd : stack) ::close(fd);
  }
  int top() const { return stack.empty() ? base : stack.back(); }
};

Errno walk(Walk& w, std::string_view path, bool follow_final, std::string* leaf,
           bool* trailing_slash) {
  if (path.empty()) return Errno::noent;
  if (path[0] == '/') return kEscapeErrno;
  std::deque<std::string> q;
  split(path, q, false);
  *trailing_slash = path.back() == '/';
  int links = 0;
  leaf->clear();
  while (!q.empty()) {
    std::string c = std::move(q.front());
    q.pop_front();
    bool last = q.empty();
    if (c == ".") {
      if (last) leaf->clear();
      continue;
    }
    if (c == "..") {
      if (w.stack.empty()) return kEscapeErrno;
      ::close(w.stack.back());
      w.stack.pop_back();
      if (last) leaf->clear();
      continue;
    }
    if (last && !follow_final && !*trailing_slash) {
      *leaf = std::move(c);
      return Errno::success;
    }
    struct stat st;
    if (fstatat(w.top(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT && last) {  // a missing final component: the caller creates it
        *leaf = std::move(c);
        return Errno::success;
      }
      return errno_from_host(errno);
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) return Errno::loop;
      std::vector<char> buf(st.st_size > 0 ? st.st_size + 1 : 4096);
      ssize_t n = readlinkat(w.top(), c.c_str(), buf.data(), buf.size());
      if (n < 0) return errno_from_host(errno);
      std::string_view target(buf.data(), static_cast<size_t>(n));
      if (target.empty()) return Errno::noent;
      if (target[0] == '/') return kEscapeErrno;
      if (last && target.back() == '/') *trailing_slash = true;
      split(target, q, true);
      if (q.empty()) leaf->clear();
      continue;
    }
    if (last && !S_ISDIR(st.st_mode)) {
      if (*trailing_slash) return Errno::notdir;
      *leaf = std::move(c);
      return Errno::success;
    }
    if (last && !follow_final) {  // "dir/" without following: leaf is the dir itself
      *leaf = std::move(c);
      return Errno::success;
    }
    int fd = openat(w.top(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno_from_host(errno == ELOOP ? ENOTDIR : errno);
    w.stack.push_back(fd);
    if (last) leaf->clear();
  }
  return Errno::success;
}

}  // namespace

ParentDir::~ParentDir() {
  if (owned && fd >= 0) ::close(fd);
}

void set_openat2_enabled(bool enabled) { g_openat2 = enabled ? -1 : 0; }

bool openat2_available() {
  if (g_openat2 == -1 && std::getenv("HULL_WASI_NO_OPENAT2")) g_openat2 = 0;  // test the walk
  if (g_openat2 == -1) {
    int fd = openat2_beneath(AT_FDCWD, ".", O_PATH | O_DIRECTORY, 0);
    if (fd >= 0) {
      ::close(fd);
      g_openat2 = 1;
    } else if (fd == -ENOSYS) {
      g_openat2 = 0;
    } else {
      g_openat2 = 1;
    }
  }
  return g_openat2 == 1;
}

Errno open_beneath(int base, std::string_view path, int flags, mode_t mode, bool follow_final,
                   int* out_fd) {
  *out_fd = -1;
  if (has_nul(path)) return Errno::ilseq;
  if (path.empty()) return Errno::noent;
  if (path[0] == '/') return kEscapeErrno;
  if (!follow_final) flags |= O_NOFOLLOW;
  if (use_openat2() && openat2_available()) {
    int r = openat2_beneath(base, std::string(path), flags, mode);
    if (r >= 0) {
      *out_fd = r;
      return Errno::success;
    }
    if (r != -ENOSYS) return errno_from_host(-r);
  }
  Walk w(base);
  std::string leaf;
  bool slash = false;
  Errno e = walk(w, path, follow_final, &leaf, &slash);
  if (e != Errno::success) return e;
  if (leaf.empty()) leaf = ".";
  if (slash) {
    leaf += '/';
    flags |= O_DIRECTORY;
  }
  int fd = openat(w.top(), leaf.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return errno_from_host(errno);
  *out_fd = fd;
  return Errno::success;
}

Errno resolve_parent(int base, std::string_view path, bool follow_final, ParentDir* out) {
  if (has_nul(path)) return Errno::ilseq;
  if (path.empty()) return Errno::noent;
  if (path[0] == '/') return kEscapeErrno;
  // Split into the directory part and the last component (keeping a trailing slash on it).
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  size_t cut = trimmed.rfind('/');
  std::string_view dir = cut == std::string_view::npos ? std::string_view(".")
                                                       : trimmed.substr(0, cut + 1);
  std::string leaf(cut == std::string_view::npos ? path : path.substr(cut + 1));
  std::string_view bare_leaf = cut == std::string_view::npos ? trimmed : trimmed.substr(cut + 1);
  bool dotdot_leaf = bare_leaf == ".." || bare_leaf == ".";
  // A trailing slash makes the kernel follow a final symlink even in the *at() calls that
  // otherwise do not (utimensat, readlinkat, ...), so such paths take the walk, which expands
  // that symlink itself, beneath the base.
  bool trailing_slash = path.back() == '/';
  if (!follow_final && !dotdot_leaf && !trailing_slash && use_openat2() &&
      openat2_available()) {
    int fd = -1;
    if (dir == "." || dir == "./") {
      out->fd = base;
      out->owned = false;
      out->leaf = std::move(leaf);
      return Errno::success;
    }
    int r = openat2_beneath(base, std::string(dir), O_PATH | O_DIRECTORY, 0);
    if (r >= 0) {
      fd = r;
      out->fd = fd;
      out->owned = true;
      out->leaf = std::move(leaf);
      return Errno::success;
    }
    if (r != -ENOSYS) return errno_from_host(-r);
  }
  Walk w(base);
  std::string wleaf;
  bool slash = false;
  Errno e = walk(w, path, follow_final, &wleaf, &slash);
  if (e != Errno::success) return e;
  if (wleaf.empty()) {
    // The path names a directory through "." or ".." (e.g. "a/.."): the *at() call applies to
    // that directory as seen from itself, which the kernel refuses for mutations (as it would
    // natively) and which cannot name anything outside.
    wleaf = ".";
  }
  if (slash) wleaf += '/';
  if (w.stack.empty()) {
    out->fd = base;
    out->owned = false;
  } else {
    out->fd = w.stack.back();
    out->owned = true;
    w.stack.pop_back();
  }
  out->leaf = std::move(wleaf);
  return Errno::success;
}

}  // namespace hull::wasi
