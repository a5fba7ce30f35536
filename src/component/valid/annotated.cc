// [constructor], [method] and [static] names: the annotated function must fit the resource its
// name refers to, and that resource must have a name in the same scope (import names for
// imports, export names for exports).
#include "component/valid/validator_impl.h"

namespace hull::component {

namespace {

// The name `id` has in `names` (label -> resource id), or nullptr.
const std::string* name_of(const std::map<std::string, uint32_t>& names, uint32_t id) {
  for (const auto& [n, r] : names) {
    if (r == id) return &n;
  }
  return nullptr;
}

// Checks that the resource a handle type refers to is named `want` in this scope.
std::optional<std::string> check_resource(const std::map<std::string, uint32_t>& names, uint32_t id,
                                          const std::string& want) {
  const std::string* n = name_of(names, id);
  if (!n) return "resource used in function does not have a name in this context";
  if (*n != want) return "function does not match expected resource name `" + *n + "`";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_annotated_names(const std::map<std::string, uint32_t>& names,
                                                 const ParsedName& name, const Entity& e) {
  if (name.kind != NameKind::Constructor && name.kind != NameKind::Method &&
      name.kind != NameKind::Static) {
    return std::nullopt;
  }
  if (e.kind != Entity::Kind::Func) return "item `" + name.text + "` is not a func";
  const ac::FuncType& f = e.func;
  switch (name.kind) {
    case NameKind::Constructor: {
      if (f.result.empty()) return "function should return one value";
      const ac::Type* t = &f.result;
      if (t->kind() == ac::TypeKind::Result && !t->node().ok.empty()) t = &t->node().ok;
      if (t->kind() != ac::TypeKind::Own) {
        if (f.result.kind() == ac::TypeKind::Result) {
          return "function should return `(own $T)` or `(result (own $T))`";
        }
        return "function should return `(own $T)` or `(result (own $T))`, should return `(own $T)`";
      }
      return check_resource(names, t->node().resource.id, name.resource);
    }
    case NameKind::Method: {
      if (f.params.empty()) return "function should have at least one argument";
      if (f.params[0].name != "self") return "function should have a first argument called `self`";
      const ac::Type& t = f.params[0].type;
      if (t.kind() != ac::TypeKind::Borrow)
        return "function should take a first argument of `(borrow $T)`";
      return check_resource(names, t.node().resource.id, name.resource);
    }
    case NameKind::Static:
      if (!names.count(name.resource)) return "static resource name is not known in this context";
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<std::string> check_annotated_func(const Scope& s, const ParsedName& name,
                                                const Entity& e, bool is_import) {
  return check_annotated_names(is_import ? s.import_resource_names : s.export_resource_names, name,
                               e);
}

}  // namespace hull::component
