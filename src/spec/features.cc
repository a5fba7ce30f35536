// Feature names and the message of a construct whose feature is switched off.
#include "spec/features.h"

#include <array>
#include <cstdio>

namespace hull {

namespace {

// In Feature order.
constexpr std::array<FeatureInfo, kFeatureCount> kFeatures = {{
    {"reference-types", "reference_types", "reference-types", true},
    {"function-references", "function_references", "typed function reference", true},
    {"gc", "gc", "GC", true},
    {"simd", "simd", "SIMD", true},
    {"relaxed-simd", "relaxed_simd", "relaxed SIMD", true},
    {"bulk-memory", "bulk_memory", "bulk memory", true},
    {"multi-value", "multi_value", "multi-value", true},
    {"multi-memory", "multi_memory", "multi-memory", true},
    {"memory64", "memory64", "memory64", true},
    {"tail-call", "tail_call", "tail call", true},
    {"extended-const", "extended_const", "extended constant", true},
    {"wide-arithmetic", "wide_arithmetic", "wide arithmetic", true},
    {"custom-page-sizes", "custom_page_sizes", "custom page size", true},
    {"exceptions", "exceptions", "exception-handling", true},
    {"threads", "threads", "atomic", true},
}};

}  // namespace

const FeatureInfo& feature_info(Feature f) { return kFeatures[static_cast<unsigned>(f)]; }

std::optional<Feature> feature_by_name(std::string_view name) {
  for (unsigned i = 0; i < kFeatureCount; ++i)
    if (kFeatures[i].name == name) return static_cast<Feature>(i);
  return std::nullopt;
}

std::string feature_names() {
  std::string s;
  for (const FeatureInfo& f : kFeatures) {
    if (!s.empty()) s += ", ";
    s += f.name;
  }
  return s;
}

Feature first_feature(FeatureMask missing) {
  for (unsigned i = 0; i < kFeatureCount; ++i)
    if (missing & (FeatureMask(1) << i)) return static_cast<Feature>(i);
  return Feature::kCount;
}

Error feature_disabled(Feature f, std::string_view what, size_t offset) {
  const FeatureInfo& info = feature_info(f);
  std::string msg(what);
  if (offset != SIZE_MAX) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " at offset 0x%zx", offset);
    msg += buf;
  }
  msg += " requires the ";
  msg += info.name;
  msg += " feature, which is disabled (Config::features.";
  msg += info.field;
  msg += ", hull run -W ";
  msg += info.name;
  msg += "=y)";
  if (!info.implemented) {
    // Switching it on only moves the refusal to compilation: say so rather than promise more.
    msg += "; Hull does not support ";
    msg += info.name;
    msg += " yet (switched on, its types and declarations validate; its instructions do not "
           "compile)";
  }
  return Error::invalid(std::move(msg));
}

}  // namespace hull
