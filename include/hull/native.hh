// Hull's native tier (LLVM): link hull_native (or use the hull-native executable) and call
// register_tier() once at start-up; then Config::tier = Tier::Native compiles modules'
// functions to machine code. Functions using what the tier does not compile yet run
// interpreted (`hull inspect --tiers` says which and why).
#pragma once

namespace hull::native {

void register_tier();

}  // namespace hull::native
