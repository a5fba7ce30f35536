// Copy-on-write memory images in the runtime: an image mapped into a guarded memory reads as
// its bytes, writes stay private to that memory, and the pool resets a reservation to its image
// (the previous tenant's writes gone, the zero parts zero), keeps it mapped for the next memory
// with the same image, and unmaps it for a memory with another image or none.
#include "runtime/memory_image.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "fault_probe.h"
#include "runtime/reservation_pool.h"
#include "runtime/store.h"

namespace hull {
namespace {

using test::mem_type;

const uint64_t kPageBytes = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));

// An image of `pages` OS pages at `offset`, each byte (offset + i) % 251 + 1 (never zero).
std::shared_ptr<MemoryImage> pattern_image(uint64_t offset, uint64_t pages) {
  auto image = MemoryImage::create(offset, pages * kPageBytes);
  if (!image) return nullptr;
  std::vector<uint8_t> bytes(pages * kPageBytes);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t((offset + i) % 251 + 1);
  if (!image->write(offset, bytes)) return nullptr;
  return image;
}

bool holds_pattern(const uint8_t* base, const MemoryImage& image) {
  for (uint64_t i = image.offset(); i < image.offset() + image.length(); ++i) {
    if (base[i] != uint8_t(i % 251 + 1)) return false;
  }
  return true;
}

bool zero_outside(const uint8_t* base, uint64_t size, const MemoryImage* image) {
  for (uint64_t i = 0; i < size; ++i) {
    bool in = image && i >= image->offset() && i < image->offset() + image->length();
    if (!in && base[i] != 0) return false;
  }
  return true;
}

class MemoryImages : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!guard_pages_supported()) GTEST_SKIP() << "no guarded memories on this platform";
    set_reservation_pool_cap(kDefaultReservationPoolCap);
    drain_reservation_pool();
  }
  void TearDown() override { drain_reservation_pool(); }
};

TEST_F(MemoryImages, WriteOutsideTheRangeIsRefused) {
  auto image = MemoryImage::create(kPageBytes, kPageBytes);
  ASSERT_TRUE(image);
  uint8_t b[2] = {1, 2};
  EXPECT_FALSE(image->write(0, b));                   // before the range
  EXPECT_FALSE(image->write(2 * kPageBytes - 1, b));  // straddles the end
  EXPECT_TRUE(image->write(2 * kPageBytes - 2, b));
}

TEST_F(MemoryImages, MappedImageReadsItsBytesAndWritesStayPrivate) {
  auto image = pattern_image(kPageBytes, 3);
  ASSERT_TRUE(image);
  Store a, b;
  Memory* ma = *new_memory(a, mem_type(1, std::nullopt), image.get());
  Memory* mb = *new_memory(b, mem_type(1, std::nullopt), image.get());
  ASSERT_EQ(ma->image.id, image->id());
  ASSERT_EQ(mb->image.id, image->id());
  EXPECT_TRUE(holds_pattern(ma->base, *image));
  EXPECT_TRUE(zero_outside(ma->base, ma->size, image.get()));
  ma->base[kPageBytes + 5] = 0;  // copy-on-write: b's view and the image do not change
  EXPECT_EQ(mb->base[kPageBytes + 5], uint8_t((kPageBytes + 5) % 251 + 1));
  // Growth past the image gives zero pages.
  ASSERT_EQ(ma->grow(1), 1u);
  EXPECT_TRUE(zero_outside(ma->base, ma->size, image.get()));
}

TEST_F(MemoryImages, PoolResetsToTheImageAndKeepsItMapped) {
  auto image = pattern_image(2 * kPageBytes, 2);
  ASSERT_TRUE(image);
  {
    Store s;
    Memory* m = *new_memory(s, mem_type(2, std::nullopt), image.get());
    ASSERT_EQ(m->image.id, image->id());
    std::memset(m->base, 0xEE, m->size);  // dirty everything, image range included
    ASSERT_EQ(m->grow(1), 2u);
    std::memset(m->base, 0xDD, m->size);
  }
  ReservationPoolStats before = reservation_pool_stats();
  Store s;
  Memory* m = *new_memory(s, mem_type(2, std::nullopt), image.get());
  ReservationPoolStats after = reservation_pool_stats();
  EXPECT_EQ(after.reused, before.reused + 1);
  EXPECT_EQ(after.image_reused, before.image_reused + 1);
  EXPECT_EQ(m->image.id, image->id());
  EXPECT_EQ(m->size, 2u << 16);
  EXPECT_TRUE(holds_pattern(m->base, *image));
  EXPECT_TRUE(zero_outside(m->base, m->size, image.get()));
}

TEST_F(MemoryImages, AnotherImageOrNoneReplacesTheMappedOne) {
  auto first = pattern_image(0, 4);
  auto second = pattern_image(8 * kPageBytes, 1);
  ASSERT_TRUE(first && second);
  {
    Store s;
    ASSERT_EQ((*new_memory(s, mem_type(1, std::nullopt), first.get()))->image.id, first->id());
  }
  {
    Store s;
    Memory* m = *new_memory(s, mem_type(1, std::nullopt), second.get());
    EXPECT_EQ(m->image.id, second->id());
    EXPECT_TRUE(holds_pattern(m->base, *second));
    EXPECT_TRUE(zero_outside(m->base, m->size, second.get()));  // nothing of `first` left
  }
  Store s;
  Memory* m = *new_memory(s, mem_type(1, std::nullopt));
  EXPECT_EQ(m->image.id, 0u);
  EXPECT_TRUE(zero_outside(m->base, m->size, nullptr));
}

TEST_F(MemoryImages, ImageOutlivesItsModuleInThePool) {
  // A reservation keeps the image mapped after the last reference to the MemoryImage is gone;
  // a new image (possibly at the same address) must not be taken for it.
  {
    auto image = pattern_image(0, 1);
    ASSERT_TRUE(image);
    Store s;
    ASSERT_NE((*new_memory(s, mem_type(1, std::nullopt), image.get()))->image.id, 0u);
  }
  auto next = MemoryImage::create(0, kPageBytes);
  ASSERT_TRUE(next);
  std::vector<uint8_t> sevens(kPageBytes, 7);
  ASSERT_TRUE(next->write(0, sevens));
  Store s;
  Memory* m = *new_memory(s, mem_type(1, std::nullopt), next.get());
  EXPECT_EQ(m->image.id, next->id());
  for (uint64_t i = 0; i < kPageBytes; ++i) ASSERT_EQ(m->base[i], 7) << i;
  EXPECT_TRUE(zero_outside(m->base, m->size, next.get()));
}

}  // namespace
}  // namespace hull
