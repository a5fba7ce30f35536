// Copy-on-write initial memory images. A module's active data segments, applied to a fresh
// memory, always give the same bytes; instead of copying them into every new instance's memory,
// they are written once into a memfd and mapped privately (MAP_PRIVATE | MAP_FIXED) over the
// memory's pages: an instance then pays a page fault for each page it touches rather than a
// copy of every segment, pages it only reads are shared by all instances, and resetting a
// pooled memory to the image is one madvise(MADV_DONTNEED) (the kernel drops the private
// copies and the file's bytes show through again). What Wasmtime calls a memory image.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace hull {

class MemoryImage {
 public:
  // An empty image of the bytes [offset, offset + length) of a memory (both multiples of the OS
  // page), to be filled with write() before it is mapped. nullptr when the OS has no memfd (or
  // it fails): the caller copies the data segments instead.
  static std::shared_ptr<MemoryImage> create(uint64_t offset, uint64_t length);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  // Writes `bytes` at `memory_offset` (an offset in the memory, inside the image's range).
  bool write(uint64_t memory_offset, std::span<const uint8_t> bytes);

  // Maps the image over [base + offset, base + offset + length), read/write and copy-on-write;
  // the range must already be accessible memory of a reservation at `base`.
  bool map_at(uint8_t* base) const;

  uint64_t offset() const { return offset_; }
  uint64_t length() const { return length_; }
  // Unique for the life of the process (an address could be reused by a later image): the pool
  // of reservations remembers which image a reservation still has mapped by this id.
  uint64_t id() const { return id_; }

 private:
  MemoryImage(int fd, uint64_t offset, uint64_t length, uint64_t id)
      : fd_(fd), offset_(offset), length_(length), id_(id) {}
  int fd_;
  uint64_t offset_;
  uint64_t length_;
  uint64_t id_;
};

// An image mapped in a memory's reservation (id 0: none): the pool of reservations keeps it
// mapped for the next memory with the same image.
struct MappedImage {
  uint64_t id = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

}  // namespace hull
