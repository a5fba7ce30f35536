// Files and directories as WASI 0.2 sees them (wasi:filesystem/types), independent of the
// ABI: a Descriptor is a host descriptor plus what the guest may do with it; the operations
// below resolve every path strictly beneath their directory (path_resolve.h) and answer with
// an Errno that each ABI spells its own way.
#pragma once

#include <sys/stat.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasi/core/errno.h"
#include "wasi/core/dir_list.h"
#include "wasi/core/resource_table.h"
#include "wasi/core/streams.h"
#include "wasi/core/types.h"

namespace hull::wasi {

// wasi:filesystem descriptor-flags (bit numbering of the WIT flags).
namespace dflag {
constexpr uint32_t read = 1, write = 2, file_integrity_sync = 4, data_integrity_sync = 8,
                   requested_write_sync = 16, mutate_directory = 32;
}
// wasi:filesystem open-flags.
namespace oflag2 {
constexpr uint32_t create = 1, directory = 2, exclusive = 4, truncate = 8;
}

// wasi:filesystem descriptor-type (case order of the WIT enum).
enum class DescriptorType : uint8_t {
  unknown,
  block_device,
  character_device,
  directory,
  fifo,
  symbolic_link,
  regular_file,
  socket,
};
DescriptorType descriptor_type_of_mode(unsigned mode);

struct Timestamp {
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;
};
struct DescriptorStat {
  DescriptorType type = DescriptorType::unknown;
  uint64_t link_count = 0, size = 0;
  std::optional<Timestamp> access, modification, status_change;
};
DescriptorStat descriptor_stat_of(const struct stat& st);

// new-timestamp: leave alone, now, or a given time.
struct NewTimestamp {
  enum class Kind : uint8_t { no_change, now, timestamp };
  Kind kind = Kind::no_change;
  Timestamp at;
};

struct MetadataHash {
  uint64_t lower = 0, upper = 0;
};

class Descriptor : public HostObject {
 public:
  Descriptor(std::shared_ptr<HostFd> fd, DescriptorType type, uint32_t flags)
      : fd_(std::move(fd)), type_(type), flags_(flags) {}
  int host_fd() const { return fd_->fd; }
  const std::shared_ptr<HostFd>& shared_fd() const { return fd_; }
  DescriptorType type() const { return type_; }
  uint32_t flags() const { return flags_; }
  bool is_dir() const { return type_ == DescriptorType::directory; }
  bool can(uint32_t f) const { return (flags_ & f) == f; }

 private:
  std::shared_ptr<HostFd> fd_;
  DescriptorType type_;
  uint32_t flags_;
};

// The entries of a directory (without "." and ".."), listed when the stream is opened.
class DirectoryEntries : public HostObject {
 public:
  explicit DirectoryEntries(std::vector<DirEntry> entries) : entries_(std::move(entries)) {}
  // The next entry, or nullopt at the end.
  const DirEntry* next() { return pos_ < entries_.size() ? &entries_[pos_++] : nullptr; }

 private:
  std::vector<DirEntry> entries_;
  size_t pos_ = 0;
};

// Opens a preopened directory (the host path must be a directory).
Errno open_preopen(const std::string& host_path, bool readonly, std::unique_ptr<Descriptor>* out);

Errno open_at(const Descriptor& dir, bool follow, std::string_view path, uint32_t open_flags,
              uint32_t flags, std::unique_ptr<Descriptor>* out);
Errno read_at(const Descriptor& d, uint64_t len, uint64_t offset, std::string* out, bool* at_end);
Errno write_at(const Descriptor& d, std::string_view bytes, uint64_t offset, uint64_t* written);
Errno read_via_stream(const Descriptor& d, uint64_t offset, std::unique_ptr<InputStream>* out);
Errno write_via_stream(const Descriptor& d, uint64_t offset, bool append,
                       std::unique_ptr<OutputStream>* out);
Errno advise(const Descriptor& d, uint64_t offset, uint64_t len, uint32_t advice);
Errno sync(const Descriptor& d, bool data_only);
Errno set_size(const Descriptor& d, uint64_t size);
Errno set_times(const Descriptor& d, const NewTimestamp& atim, const NewTimestamp& mtim);
Errno stat(const Descriptor& d, DescriptorStat* out);
Errno read_directory(const Descriptor& d, std::unique_ptr<DirectoryEntries>* out);
Errno metadata_hash(const Descriptor& d, MetadataHash* out);
bool is_same_object(const Descriptor& a, const Descriptor& b);

Errno stat_at(const Descriptor& dir, bool follow, std::string_view path, DescriptorStat* out);
Errno metadata_hash_at(const Descriptor& dir, bool follow, std::string_view path,
                       MetadataHash* out);
Errno set_times_at(const Descriptor& dir, bool follow, std::string_view path,
                   const NewTimestamp& atim, const NewTimestamp& mtim);
Errno create_directory_at(const Descriptor& dir, std::string_view path);
Errno remove_directory_at(const Descriptor& dir, std::string_view path);
Errno unlink_file_at(const Descriptor& dir, std::string_view path);
Errno readlink_at(const Descriptor& dir, std::string_view path, std::string* out);
Errno symlink_at(const Descriptor& dir, std::string_view target, std::string_view path);
Errno link_at(const Descriptor& from, bool follow, std::string_view old_path, const Descriptor& to,
              std::string_view new_path);
Errno rename_at(const Descriptor& from, std::string_view old_path, const Descriptor& to,
                std::string_view new_path);

// ---- What preview 1 needs beyond wasi:filesystem (0.2 does not use these). ----

// Host open modes preview 1's fdflags ask for at open, which wasi:filesystem has no flag for.
struct OpenModes {
  bool append = false;    // O_APPEND: every write lands at the end
  bool nonblock = false;  // O_NONBLOCK (FIFOs and devices; no effect on regular files)
};
// open_at with those modes as well (the same checks and resolution).
Errno open_at(const Descriptor& dir, bool follow, std::string_view path, uint32_t open_flags,
              uint32_t flags, const OpenModes& modes, std::unique_ptr<Descriptor>* out);

// Positional I/O straight between the file and the caller's buffers (preview 1's iovecs), with
// read_at/write_at's checks. A short count is not an error.
Errno read_vec_at(const Descriptor& d, std::span<const iovec> bufs, uint64_t offset,
                  uint64_t* got);
Errno write_vec_at(const Descriptor& d, std::span<const iovec> bufs, uint64_t offset,
                   uint64_t* written);
// Appends atomically at the end of the file; `*end` is the offset just past the bytes written.
Errno append_vec(const Descriptor& d, std::span<const iovec> bufs, uint64_t* written,
                 uint64_t* end);
// Reserves [offset, offset+len) on disk (posix_fallocate); needs a file opened for writing.
Errno allocate(const Descriptor& d, uint64_t offset, uint64_t len);

// The host descriptor's status flags in preview 1 fdflags numbering (append, nonblock and the
// sync modes), and setting append and nonblock (Linux cannot change the sync modes after open:
// asking for them is notsup).
Errno status_flags(const Descriptor& d, uint16_t* fdflags);
Errno set_status_flags(const Descriptor& d, uint16_t fdflags);
// Moves the host descriptor's own offset (lseek; `whence` is SEEK_SET/CUR/END). Only for
// descriptors whose offset the host shares (inherited stdio); files opened by path keep their
// position in the ABI layer and use the positional calls.
Errno seek_host(const Descriptor& d, int64_t offset, int whence, uint64_t* pos);

// stat / stat_at with device and inode numbers (preview 1's filestat).
Errno stat(const Descriptor& d, FileStat* out);
Errno stat_at(const Descriptor& dir, bool follow, std::string_view path, FileStat* out);
// Every entry of a directory, "." and ".." included (preview 1 lists them).
Errno read_directory_all(const Descriptor& d, std::vector<DirEntry>* out);

}  // namespace hull::wasi
