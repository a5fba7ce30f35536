// Resource names by identity, from a component's imports and exports (public API only): a
// WIT printer names a handle's resource by the import or export that introduced it.
#include "component_wit.h"

namespace hull::cli {

namespace {

void collect(const std::string& name, const ac::ExternInfo& x, std::map<uint32_t, std::string>* out) {
  if (x.kind == ac::ExternInfo::Kind::Type && x.resource) out->emplace(x.resource_ref.id, name);
  if (x.kind == ac::ExternInfo::Kind::Instance) {
    for (size_t i = 0; i < x.export_names.size(); ++i) collect(x.export_names[i], x.export_types[i], out);
  }
}

}  // namespace

std::map<uint32_t, std::string> resource_names(const ac::Component& component) {
  std::map<uint32_t, std::string> out;  // the first name wins
  for (const auto& [n, x] : component.imports()) collect(n, x, &out);
  for (const auto& [n, x] : component.exports()) collect(n, x, &out);
  return out;
}

}  // namespace hull::cli
