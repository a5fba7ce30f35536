// An engine whose modules check deadlines (Config::epoch_interruption), in the given tier.
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "hull/hull.hh"

inline hull::api::Engine engine_with_epochs(hull::api::Tier tier) {
  hull::api::Config c;
  c.tier = tier;
  c.epoch_interruption = true;
  auto engine = hull::api::Engine::create(c);
  EXPECT_TRUE(engine.ok());
  return std::move(*engine);
}
