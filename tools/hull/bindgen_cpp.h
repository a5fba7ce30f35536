// `hull bindgen cpp`: C++ host bindings for a WIT world (docs/EMBEDDING.md, "Bindings from
// WIT"), on include/hull/component_typed.hh.
#pragma once

#include <string>

#include "base/result.h"
#include "wit/model.h"

namespace hull::cli {

struct CppBindgenOptions {
  std::string ns;  // the namespace of everything generated (default: the world's name)
};

// The text of a self-contained header with the bindings of world `world`.
Result<std::string> generate_cpp_bindings(const wit::Model& model, wit::WorldId world,
                                          const CppBindgenOptions& options);

}  // namespace hull::cli
