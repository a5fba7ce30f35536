// WIT spelling of a component's world (component_wit.h). Types are structural once validated,
// but the validator gives each exported or imported record, variant, enum and flags type a
// node of its own, and functions declared with the named type share that node: so a node's
// identity says which name it was declared under. A structurally equal type named in the same
// interface is the fallback (e.g. an instance type whose functions were typed before the name
// was attached); anything else is spelled out inline.
#include "component_wit.h"

#include <array>
#include <map>
#include <optional>
#include <string_view>

namespace hull::cli {

namespace {

using ac::TypeKind;

bool is_nominal(TypeKind k) {
  return k == TypeKind::Record || k == TypeKind::Variant || k == TypeKind::Enum ||
         k == TypeKind::Flags;
}

// `[constructor]R`, `[method]R.m`, `[static]R.m`: a function that WIT lists inside the
// `resource R { ... }` block.
struct ResourceFunc {
  enum class Kind { Constructor, Method, Static } kind;
  std::string resource;
  std::string name;
};

std::optional<ResourceFunc> parse_resource_func(std::string_view n) {
  auto strip = [&](std::string_view prefix) {
    if (n.substr(0, prefix.size()) != prefix) return false;
    n.remove_prefix(prefix.size());
    return true;
  };
  if (strip("[constructor]"))
    return ResourceFunc{ResourceFunc::Kind::Constructor, std::string(n), ""};
  ResourceFunc::Kind k;
  if (strip("[method]")) {
    k = ResourceFunc::Kind::Method;
  } else if (strip("[static]")) {
    k = ResourceFunc::Kind::Static;
  } else {
    return std::nullopt;
  }
  size_t dot = n.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return ResourceFunc{k, std::string(n.substr(0, dot)), std::string(n.substr(dot + 1))};
}

// Plain names are WIT identifiers; interface names (`ns:pkg/iface@1.0.0`) and names with
// annotations stay as they are.
std::string item_name(const std::string& n) {
  return n.find_first_of(":/@[]") == std::string::npos ? wit_ident(n) : n;
}

}  // namespace

WitPrinter::Entries WitPrinter::entries_of(const ComponentItems& items) {
  Entries out;
  for (const auto& [n, x] : items) out.push_back({&n, &x});
  return out;
}

WitPrinter::Entries WitPrinter::entries_of(const ac::ExternInfo& instance) {
  Entries out;
  for (size_t i = 0; i < instance.export_names.size() && i < instance.export_types.size(); ++i)
    out.push_back({&instance.export_names[i], &instance.export_types[i]});
  return out;
}

std::string wit_ident(const std::string& name) {
  static constexpr std::array<std::string_view, 43> kKeywords = {
      "as",           "async",  "bool",     "borrow",    "char",    "constructor", "enum",
      "export",       "f32",    "f64",      "flags",     "float32", "float64",     "func",
      "future",       "import", "include",  "interface", "list",    "option",      "own",
      "package",      "record", "resource", "result",    "s16",     "s32",         "s64",
      "s8",           "static", "stream",   "string",    "tuple",   "type",        "u16",
      "u32",          "u64",    "u8",       "use",       "variant", "with",        "world",
      "error-context"};
  for (std::string_view k : kKeywords)
    if (name == k) return "%" + name;
  return name;
}

WitPrinter::WitPrinter(const ComponentItems& imports, const ComponentItems& exports,
                       std::map<uint32_t, std::string> resources)
    : imports_(imports), exports_(exports), resource_names_(std::move(resources)) {
  for (const ComponentItems* list : {&imports_, &exports_}) collect(entries_of(*list), nullptr);
}

void WitPrinter::learn_resource(const std::string& func_name, const ac::FuncType& f) {
  auto rf = parse_resource_func(func_name);
  if (!rf) return;
  const ac::Type* handle = nullptr;
  if (rf->kind == ResourceFunc::Kind::Constructor && f.result) handle = &f.result;
  if (rf->kind == ResourceFunc::Kind::Method && !f.params.empty()) handle = &f.params[0].type;
  if (!handle || (handle->kind() != TypeKind::Own && handle->kind() != TypeKind::Borrow)) return;
  resource_names_.emplace((*handle)->resource.id, rf->resource);
}

std::string WitPrinter::resource_name(const ac::ResourceRef& r) const {
  if (!r.name.empty()) return wit_ident(r.name);
  auto it = resource_names_.find(r.id);
  // Not WIT, but says which resource it is without a name to go by.
  return it != resource_names_.end() ? wit_ident(it->second) : "resource-" + std::to_string(r.id);
}

void WitPrinter::collect(const Entries& entries, const ac::ExternInfo* scope) {
  for (const auto& [name, x] : entries) {
    if (x->kind == ac::ExternInfo::Kind::Type && !x->resource && x->value &&
        is_nominal(x->value.kind()))
      named_.push_back({*name, x->value, scope});
    if (x->kind == ac::ExternInfo::Kind::Instance) collect(entries_of(*x), x);
    if (x->kind == ac::ExternInfo::Kind::Func) learn_resource(*name, x->func);
  }
}

const std::string* WitPrinter::name_of(const ac::Type& t, const ac::ExternInfo* scope) const {
  if (!t || !is_nominal(t.kind())) return nullptr;
  // Prefer the declaration in this scope when the same node is visible under several names
  // (an exported instance re-exporting a type of the world).
  const std::string* by_node = nullptr;
  for (const Named& n : named_) {
    if (n.type.ptr() != t.ptr()) continue;
    if (n.scope == scope) return &n.name;
    if (!by_node) by_node = &n.name;
  }
  if (by_node) return by_node;
  for (const Named& n : named_)
    if (n.scope == scope && n.type == t) return &n.name;
  return nullptr;
}

std::string WitPrinter::type(const ac::Type& t, const ac::ExternInfo* scope) const {
  if (!t) return "_";
  if (const std::string* n = name_of(t, scope)) return wit_ident(*n);
  return structure(t, scope);
}

// The spelling of T itself (not its name); its parts are spelled by type().
std::string WitPrinter::structure(const ac::Type& t, const ac::ExternInfo* scope) const {
  const ac::TypeNode& n = t.node();
  auto join_types = [&](const std::vector<ac::Type>& ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + type(ts[i], scope);
    return s;
  };
  auto join_names = [](const std::vector<std::string>& ns) {
    std::string s;
    for (size_t i = 0; i < ns.size(); ++i) s += (i ? ", " : "") + wit_ident(ns[i]);
    return s;
  };
  switch (n.kind) {
    case TypeKind::List: return "list<" + type(n.elems.at(0), scope) + ">";
    case TypeKind::FixedList:
      return "list<" + type(n.elems.at(0), scope) + ", " + std::to_string(n.length) + ">";
    case TypeKind::Record: {
      std::string s = "record { ";
      for (size_t i = 0; i < n.fields.size(); ++i)
        s += (i ? ", " : "") + wit_ident(n.fields[i].name) + ": " + type(n.fields[i].type, scope);
      return s + " }";
    }
    case TypeKind::Tuple: return "tuple<" + join_types(n.elems) + ">";
    case TypeKind::Variant: {
      std::string s = "variant { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        s += (i ? ", " : "") + wit_ident(n.fields[i].name);
        if (n.fields[i].type) s += "(" + type(n.fields[i].type, scope) + ")";
      }
      return s + " }";
    }
    case TypeKind::Enum: return "enum { " + join_names(n.names) + " }";
    case TypeKind::Flags: return "flags { " + join_names(n.names) + " }";
    case TypeKind::Option: return "option<" + type(n.elems.at(0), scope) + ">";
    case TypeKind::Result:
      if (!n.ok && !n.err) return "result";
      if (!n.err) return "result<" + type(n.ok, scope) + ">";
      return "result<" + type(n.ok, scope) + ", " + type(n.err, scope) + ">";
    // WIT writes an owned handle as the bare resource name.
    case TypeKind::Own: return resource_name(n.resource);
    case TypeKind::Borrow: return "borrow<" + resource_name(n.resource) + ">";
    case TypeKind::Stream:
    case TypeKind::Future: {
      std::string s = ac::to_string(n.kind);
      if (!n.elems.empty() && n.elems[0]) s += "<" + type(n.elems[0], scope) + ">";
      return s;
    }
    default: return ac::to_string(n.kind);
  }
}

std::string WitPrinter::func(const ac::FuncType& f, const ac::ExternInfo* scope) const {
  std::string s = f.async ? "async func(" : "func(";
  for (size_t i = 0; i < f.params.size(); ++i)
    s += (i ? ", " : "") + wit_ident(f.params[i].name) + ": " + type(f.params[i].type, scope);
  s += ")";
  if (f.result) s += " -> " + type(f.result, scope);
  return s;
}

std::string WitPrinter::type_definition(const std::string& name, const ac::ExternInfo& x,
                                        const ac::ExternInfo* scope) const {
  const std::string id = wit_ident(name);
  if (x.resource) return "resource " + id;
  if (!x.value) return "type " + id;
  if (is_nominal(x.value.kind())) {
    // `record { ... }` -> `record NAME { ... }`
    std::string body = structure(x.value, scope);
    size_t brace = body.find('{');
    return body.substr(0, brace) + id + " " + body.substr(brace);
  }
  return "type " + id + " = " + type(x.value, scope);
}

void WitPrinter::items(std::string* out, const char* dir, const Entries& entries,
                       const ac::ExternInfo* scope, const std::string& indent) const {
  using K = ac::ExternInfo::Kind;
  const std::string prefix = dir ? std::string(dir) + " " : "";
  const size_t count = entries.size();
  auto name_at = [&](size_t i) -> const std::string& { return *entries[i].first; };
  auto info_at = [&](size_t i) -> const ac::ExternInfo& { return *entries[i].second; };
  // The functions of each resource declared here, printed inside its block.
  std::map<std::string, std::vector<std::pair<ResourceFunc, const ac::FuncType*>>> methods;
  for (size_t i = 0; i < count; ++i) {
    if (info_at(i).kind != K::Type || !info_at(i).resource) continue;
    methods[name_at(i)];
  }
  std::vector<bool> grouped(count, false);
  for (size_t i = 0; i < count; ++i) {
    if (info_at(i).kind != K::Func) continue;
    auto rf = parse_resource_func(name_at(i));
    if (!rf) continue;
    auto it = methods.find(rf->resource);
    if (it == methods.end()) continue;
    it->second.push_back({*rf, &info_at(i).func});
    grouped[i] = true;
  }
  for (size_t i = 0; i < count; ++i) {
    const std::string& name = name_at(i);
    const ac::ExternInfo& x = info_at(i);
    switch (x.kind) {
      case K::Func:
        if (!grouped[i])
          *out += indent + prefix + item_name(name) + ": " + func(x.func, scope) + ";\n";
        break;
      case K::Instance:
        *out += indent + prefix + item_name(name) + ": interface {\n";
        items(out, nullptr, entries_of(x), &x, indent + "  ");
        *out += indent + "}\n";
        break;
      case K::Type: {
        if (!x.resource) {
          const std::string def = type_definition(name, x, scope);
          *out += indent + def + (def.back() == '}' ? "\n" : ";\n");
          break;
        }
        const auto& ms = methods[name];
        if (ms.empty()) {
          *out += indent + "resource " + wit_ident(name) + ";\n";
          break;
        }
        *out += indent + "resource " + wit_ident(name) + " {\n";
        for (const auto& [rf, ft] : ms) {
          ac::FuncType shown = *ft;
          std::string head;
          switch (rf.kind) {
            case ResourceFunc::Kind::Constructor:
              // A constructor returns the new resource implicitly.
              shown.result = ac::Type();
              head = "constructor";
              break;
            case ResourceFunc::Kind::Method:
              if (!shown.params.empty()) shown.params.erase(shown.params.begin());  // self
              head = wit_ident(rf.name) + ": ";
              break;
            case ResourceFunc::Kind::Static: head = wit_ident(rf.name) + ": static "; break;
          }
          std::string sig = func(shown, scope);
          if (rf.kind == ResourceFunc::Kind::Constructor) sig = sig.substr(sig.find('('));
          *out += indent + "  " + head + sig + ";\n";
        }
        *out += indent + "}\n";
        break;
      }
      case K::Module:
        *out += indent + "// " + prefix + name + ": a core module (not expressible in WIT)\n";
        break;
      case K::Component:
        *out += indent + "// " + prefix + name + ": a component (not expressible in WIT)\n";
        break;
      case K::Value:
        *out += indent + "// " + prefix + name + ": a value (not expressible in WIT)\n";
        break;
    }
  }
}

std::string WitPrinter::world() const {
  std::string s = "world root {\n";
  for (const auto& [dir, list] : {std::pair{"import", &imports_}, std::pair{"export", &exports_}}) {
    items(&s, dir, entries_of(*list), nullptr, "  ");
  }
  return s + "}\n";
}

}  // namespace hull::cli
