// Memory images on Linux memfds. No seals: only Hull holds the fd, and nothing writes to it
// once the image is complete.
#include "runtime/memory_image.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace hull {

namespace {

std::atomic<uint64_t> g_next_image_id{1};

}  // namespace

std::shared_ptr<MemoryImage> MemoryImage::create(uint64_t offset, uint64_t length) {
#ifdef MFD_CLOEXEC
  int fd = memfd_create("hull-memory-image", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  if (ftruncate(fd, static_cast<off_t>(length)) != 0) {
    close(fd);
    return nullptr;
  }
  uint64_t id = g_next_image_id.fetch_add(1, std::memory_order_relaxed);
  return std::shared_ptr<MemoryImage>(new MemoryImage(fd, offset, length, id));
#else
  (void)offset;
  (void)length;
  return nullptr;
#endif
}

MemoryImage::~MemoryImage() { close(fd_); }

bool MemoryImage::write(uint64_t memory_offset, std::span<const uint8_t> bytes) {
  if (memory_offset < offset_ || bytes.size() > length_ ||
      memory_offset - offset_ > length_ - bytes.size()) {
    return false;
  }
  uint64_t at = memory_offset - offset_;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n =
        pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(at + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool MemoryImage::map_at(uint8_t* base) const {
  if (length_ == 0) return true;
  void* p = mmap(base + offset_, length_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd_, 0);
  return p != MAP_FAILED;
}

}  // namespace hull
