// Model helpers (see model.h).
#include "wit/model.h"

namespace hull::wit {

const char* to_string(Prim p) {
  switch (p) {
    case Prim::Bool: return "bool";
    case Prim::S8: return "s8";
    case Prim::U8: return "u8";
    case Prim::S16: return "s16";
    case Prim::U16: return "u16";
    case Prim::S32: return "s32";
    case Prim::U32: return "u32";
    case Prim::S64: return "s64";
    case Prim::U64: return "u64";
    case Prim::F32: return "f32";
    case Prim::F64: return "f64";
    case Prim::Char: return "char";
    case Prim::String: return "string";
  }
  return "?";
}

std::string Model::interface_name(InterfaceId id) const {
  const Interface& i = interfaces[id];
  if (!i.name) return "";
  const PackageName& p = packages[i.package].name;
  return p.ns + ':' + p.name + '/' + *i.name + (p.version.empty() ? "" : "@" + p.version);
}

std::optional<InterfaceId> Model::find_interface(PackageId pkg, std::string_view name) const {
  for (const auto& [n, id] : packages[pkg].interfaces)
    if (n == name) return id;
  return std::nullopt;
}

std::optional<WorldId> Model::find_world_in(PackageId pkg, std::string_view name) const {
  for (const auto& [n, id] : packages[pkg].worlds)
    if (n == name) return id;
  return std::nullopt;
}

Type Model::unalias(Type t) const {
  // Alias chains are acyclic (the resolver rejects recursive types), so this terminates.
  while (!t.is_prim() && types[t.def].kind == TypeDefKind::Alias) t = types[t.def].target;
  return t;
}

TypeId Model::resource_of(Type t) const {
  t = unalias(t);
  if (t.is_prim()) return kNoId;
  const TypeDef& d = types[t.def];
  if (d.kind == TypeDefKind::Resource) return t.def;
  if (d.kind == TypeDefKind::Own || d.kind == TypeDefKind::Borrow) return resource_of(d.target);
  return kNoId;
}

}  // namespace hull::wit
