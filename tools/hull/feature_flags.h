// Wasmtime's `-W NAME[=y|n]` feature switches, shared by `hull run`, `hull wast` and
// `hull inspect`.
#pragma once

#include <string>

#include "hull/hull.hh"
#include "spec/features.h"

namespace hull::cli {

// What the command line switched: the core Wasm features (all on unless switched off) and
// component-model async (off unless switched on, as in api::Config).
struct WasmFeatures {
  FeatureSet core;
  bool component_model_async = false;
};

enum class FeatureFlag {
  Set,       // ITEM named a feature and set it
  NotFound,  // ITEM names no feature (the caller may know it, e.g. `fuel=N`)
  Bad,       // a feature with a value other than y/n: *error says so
};

// One item of a `-W` list: NAME (meaning NAME=y) or NAME=y|n (also yes/no, true/false).
FeatureFlag apply_feature_flag(const std::string& item, WasmFeatures* features, std::string* error);

// A whole `-W` value of commands that take feature switches only: a comma-separated list. On
// an unknown name or a bad value, prints an error naming the known features and returns false.
bool parse_feature_flags(const std::string& spec, WasmFeatures* features);

// The usage error's list of feature names ("reference-types, function-references, ...").
std::string known_features();

// The same switches for the public API (components go through api::Engine).
void apply_to(const WasmFeatures& f, api::Config* config);

}  // namespace hull::cli
