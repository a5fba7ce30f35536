// Component validation (Explainer.md, Binary.md, CanonicalABI.md "canonopt Validation" and the
// rules of each canon built-in): resolves every index space, type-checks instantiations,
// aliases, imports and exports, and compiles the embedded core modules once.
#pragma once

#include <memory>

#include "component/binary/ast.h"
#include "component/valid/types.h"
#include "hull/hull.hh"

namespace hull::component {

// Every resource identity the validator assigned, indexed by ResourceRef::id. Shared by the
// root component's info and every nested one.
struct ResourceTable {
  std::vector<ResourceInfo> resources;
};

struct ValidatedComponent {
  std::shared_ptr<const ComponentInfo> root;
  std::shared_ptr<const ResourceTable> resources;
};

// Validates `desc` (a root component). Errors are ErrorKind::Invalid (or Malformed for a bad
// embedded core module) with the byte offset of the offending definition in the message.
api::Result<ValidatedComponent> validate_component(const api::Engine& engine,
                                                   std::shared_ptr<const ComponentDesc> desc);

}  // namespace hull::component
