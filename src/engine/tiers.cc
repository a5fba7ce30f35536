#include "engine/tiers.h"

#include <atomic>

namespace hull {

namespace {
std::atomic<const NativeTier*> g_native_tier{nullptr};
}

void register_native_tier(const NativeTier* tier) {
  g_native_tier.store(tier, std::memory_order_release);
}

const NativeTier* native_tier() { return g_native_tier.load(std::memory_order_acquire); }

}  // namespace hull
