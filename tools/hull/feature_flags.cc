// `-W NAME[=y|n]`: Wasm feature switches on the command line, in Wasmtime's spelling.
#include "feature_flags.h"

#include <cstdio>

namespace hull::cli {

namespace {
constexpr std::string_view kComponentModelAsync = "component-model-async";
}  // namespace

FeatureFlag apply_feature_flag(const std::string& item, WasmFeatures* features,
                               std::string* error) {
  const size_t eq = item.find('=');
  const std::string name = item.substr(0, eq);
  const auto f = feature_by_name(name);
  if (!f && name != kComponentModelAsync) return FeatureFlag::NotFound;
  const std::string v = eq == std::string::npos ? "y" : item.substr(eq + 1);
  bool on;
  if (v == "y" || v == "yes" || v == "true") {
    on = true;
  } else if (v == "n" || v == "no" || v == "false") {
    on = false;
  } else {
    *error = "-W " + item + ": expected y or n after '='";
    return FeatureFlag::Bad;
  }
  if (f) {
    features->core.set(*f, on);
  } else {
    features->component_model_async = on;
  }
  return FeatureFlag::Set;
}

std::string known_features() { return feature_names() + ", " + std::string(kComponentModelAsync); }

bool parse_feature_flags(const std::string& spec, WasmFeatures* features) {
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = spec.find(',', start);
    const std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::string error;
    switch (apply_feature_flag(item, features, &error)) {
      case FeatureFlag::Set: break;
      case FeatureFlag::Bad: std::fprintf(stderr, "error: %s\n", error.c_str()); return false;
      case FeatureFlag::NotFound:
        std::fprintf(stderr, "error: -W %s: unknown feature (known: %s)\n", item.c_str(),
                     known_features().c_str());
        return false;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

void apply_to(const WasmFeatures& w, api::Config* config) {
  const FeatureSet& f = w.core;
  api::Features& a = config->features;
  a.simd = f.has(Feature::Simd);
  a.relaxed_simd = f.has(Feature::RelaxedSimd);
  a.multi_memory = f.has(Feature::MultiMemory);
  a.memory64 = f.has(Feature::Memory64);
  a.reference_types = f.has(Feature::ReferenceTypes);
  a.bulk_memory = f.has(Feature::BulkMemory);
  a.multi_value = f.has(Feature::MultiValue);
  a.tail_call = f.has(Feature::TailCall);
  a.function_references = f.has(Feature::FunctionReferences);
  a.extended_const = f.has(Feature::ExtendedConst);
  a.wide_arithmetic = f.has(Feature::WideArithmetic);
  a.custom_page_sizes = f.has(Feature::CustomPageSizes);
  a.gc = f.has(Feature::Gc);
  a.exceptions = f.has(Feature::Exceptions);
  a.threads = f.has(Feature::Threads);
  config->component_model_async = w.component_model_async;
}

}  // namespace hull::cli
