// Wasm proposals a compilation can switch off (api::Config::features, `hull run -W NAME=n`),
// and what each opcode needs. The validator reports the first construct a module uses whose
// feature is off (valid/feature_check.h); with every feature on it checks nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hull {

// Prerequisites come before the features built on them, so that a construct that needs several
// reports the most basic disabled one (turning on only a later one would not help).
enum class Feature : uint8_t {
  ReferenceTypes,
  FunctionReferences,  // needs reference-types
  Gc,                  // needs function-references
  Simd,
  RelaxedSimd,  // needs simd
  BulkMemory,
  MultiValue,
  MultiMemory,
  Memory64,
  TailCall,
  ExtendedConst,
  WideArithmetic,
  CustomPageSizes,
  Exceptions,
  Threads,
  kCount
};
constexpr unsigned kFeatureCount = static_cast<unsigned>(Feature::kCount);

// A set of features as bits (1 << Feature).
using FeatureMask = uint32_t;
constexpr FeatureMask feature_bit(Feature f) { return FeatureMask(1) << static_cast<unsigned>(f); }
constexpr FeatureMask kAllFeatures = (FeatureMask(1) << kFeatureCount) - 1;

// F and every feature it builds on.
constexpr FeatureMask with_prerequisites(Feature f) {
  switch (f) {
    case Feature::FunctionReferences: return feature_bit(f) | feature_bit(Feature::ReferenceTypes);
    case Feature::Gc: return feature_bit(f) | with_prerequisites(Feature::FunctionReferences);
    case Feature::RelaxedSimd: return feature_bit(f) | feature_bit(Feature::Simd);
    default: return feature_bit(f);
  }
}

// The features enabled for one compilation. The default enables all of them: Hull's behaviour
// before feature switches existed.
struct FeatureSet {
  FeatureMask enabled = kAllFeatures;

  bool has(Feature f) const { return (enabled & feature_bit(f)) != 0; }
  void set(Feature f, bool on) {
    enabled = on ? (enabled | feature_bit(f)) : (enabled & ~feature_bit(f));
  }
  // The features of NEEDED that are off.
  FeatureMask missing(FeatureMask needed) const { return needed & ~enabled; }
  bool all() const { return (enabled & kAllFeatures) == kAllFeatures; }
  friend bool operator==(const FeatureSet&, const FeatureSet&) = default;
};

struct FeatureInfo {
  std::string_view name;       // Wasmtime's spelling: `-W tail-call=n`
  std::string_view field;      // the api::Features member: tail_call
  std::string_view adjective;  // for messages: "tail call instruction return_call"
  // Whether Hull runs the feature's code (all do today; a proposal landing in steps may
  // validate before it compiles, and its message then says so).
  bool implemented;
};
const FeatureInfo& feature_info(Feature f);
inline bool feature_implemented(Feature f) { return feature_info(f).implemented; }

// By Wasmtime's spelling ("relaxed-simd"); nothing for an unknown name.
std::optional<Feature> feature_by_name(std::string_view name);
// Every name feature_by_name knows, comma-separated, for usage errors.
std::string feature_names();

// The most basic feature in a non-empty MISSING mask.
Feature first_feature(FeatureMask missing);

// The error for WHAT ("SIMD instruction v128.const", "value type v128") at OFFSET
// (SIZE_MAX: unknown) needing feature F, which is off: it names F, where it is switched on,
// and, for a feature Hull does not implement, that switching it on will not make it run.
// The offset is part of the message (and not Error::offset, which to_string would append).
Error feature_disabled(Feature f, std::string_view what, size_t offset);

// What each opcode needs (the features of its proposal with their prerequisites), from its
// encoding: prefix 0 (one byte), 0xFB, 0xFC, 0xFD or 0xFE, and the code after it.
constexpr FeatureMask opcode_features(uint8_t prefix, uint32_t code) {
  constexpr FeatureMask rt = with_prerequisites(Feature::ReferenceTypes);
  constexpr FeatureMask fr = with_prerequisites(Feature::FunctionReferences);
  switch (prefix) {
    case 0xFB: return with_prerequisites(Feature::Gc);
    case 0xFE: return feature_bit(Feature::Threads);  // every atomic instruction
    case 0xFD:
      return code >= 0x100 ? with_prerequisites(Feature::RelaxedSimd) : feature_bit(Feature::Simd);
    case 0xFC:
      if (code >= 0x8 && code <= 0xE) return feature_bit(Feature::BulkMemory);
      if (code >= 0xF && code <= 0x11) return rt;  // table.grow, table.size, table.fill
      if (code >= 0x13 && code <= 0x16)            // i64.add128, i64.sub128, i64.mul_wide_s/u
        return feature_bit(Feature::WideArithmetic);
      return 0;                                    // saturating truncations: always on
    default: break;
  }
  switch (code) {
    case 0x06:                                              // try (legacy)
    case 0x07:                                              // catch (legacy)
    case 0x08:                                              // throw
    case 0x09:                                              // rethrow (legacy)
    case 0x0A:                                              // throw_ref
    case 0x18:                                              // delegate (legacy)
    case 0x19:                                              // catch_all (legacy)
    case 0x1F: return feature_bit(Feature::Exceptions);     // try_table
    case 0x12:                                              // return_call
    case 0x13: return feature_bit(Feature::TailCall);       // return_call_indirect
    case 0x14: return fr;                                   // call_ref
    case 0x15: return fr | feature_bit(Feature::TailCall);  // return_call_ref
    case 0x1C:                                              // select with types
    case 0x25:                                              // table.get
    case 0x26:                                              // table.set
    case 0xD0:                                              // ref.null
    case 0xD1:                                              // ref.is_null
    case 0xD2: return rt;                                   // ref.func
    case 0xD3: return with_prerequisites(Feature::Gc);      // ref.eq
    case 0xD4:                                              // ref.as_non_null
    case 0xD5:                                              // br_on_null
    case 0xD6: return fr;                                   // br_on_non_null
    default: return 0;
  }
}

}  // namespace hull
