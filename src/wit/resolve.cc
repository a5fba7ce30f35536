// WIT resolver (see resolve.h): packages -> topological order -> per package, interfaces and
// worlds resolved on demand (so `use` and `include` may refer to items defined later in the
// package), with cycle detection at each level.
#include "wit/resolve.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "wit/ast.h"
#include "wit/diag.h"
#include "wit/parser.h"

namespace hull::wit {

namespace {

using ast::Loc;

// A package gathered from its bodies (the top levels of a group's files, or one nested block).
struct PendingPackage {
  PackageName name;
  Loc loc;
  std::vector<const ast::PackageBody*> bodies;
  PackageId id = kNoId;
  int visit = 0;  // topological sort: 0 new, 1 on the stack, 2 done
};

enum class State : uint8_t { Todo, Busy, Done };

// What a name in an interface's or world's scope denotes.
struct ScopeEntry {
  enum class Kind : uint8_t { Type, Function } kind = Kind::Type;
  TypeId type = kNoId;
  Loc loc;
};
using Scope = std::map<std::string, ScopeEntry>;

class Resolver {
 public:
  explicit Resolver(const ResolveOptions& opts) : opts_(opts) {}

  Result<Resolved> run(const SourceGroup& root, const std::vector<SourceGroup>& deps) {
    auto root_pkg = add_group(root, true);
    if (!root_pkg) return std::move(root_pkg).error();
    for (const SourceGroup& g : deps) {
      auto p = add_group(g, false);
      if (!p) return std::move(p).error();
    }
    std::vector<PendingPackage*> order;
    for (auto& p : pending_) {
      if (auto e = visit(*p, order)) return *e;
    }
    for (PendingPackage* p : order) {
      if (auto e = resolve_package(*p)) return *e;
    }
    Resolved r;
    r.root = pending_[*root_pkg]->id;
    r.model = std::move(m_);
    return r;
  }

 private:
  // ---------------------------------------------------------------- errors and locations
  Error error(Loc at, std::string_view why) const {
    return located_error(ErrorKind::Invalid, files_[at.file], at.line, at.column, why);
  }
  SourcePos pos(Loc at) const { return SourcePos{files_[at.file], at.line, at.column}; }
  std::string where(Loc at) const { return pos(at).to_string(); }

  // ---------------------------------------------------------------- gathering packages
  // Parses a group's files; returns the index of the package its top levels form (or of its
  // last nested package when no file has top-level items).
  Result<size_t> add_group(const SourceGroup& g, bool is_root) {
    std::optional<size_t> top;
    std::optional<size_t> last_nested;
    std::optional<PackageName> top_name;
    Loc top_loc;
    std::vector<const ast::PackageBody*> top_bodies;
    for (const SourceFile& f : g.files) {
      uint32_t index = static_cast<uint32_t>(files_.size());
      files_.push_back(f.name);
      auto parsed = parse_file(f.text, f.name, index);
      if (!parsed) return std::move(parsed).error();
      asts_.push_back(std::make_unique<ast::File>(std::move(*parsed)));
      const ast::File& file = *asts_.back();
      if (file.top.name) {
        PackageName n{file.top.name->ns, file.top.name->name, file.top.name->version};
        if (top_name && !(*top_name == n)) {
          return error(file.top.name->loc, "package `" + n.to_string() + "` differs from `" +
                                               top_name->to_string() + "` declared at " +
                                               where(top_loc) + " (one directory is one package)");
        }
        if (!top_name) top_loc = file.top.name->loc;
        top_name = n;
      }
      if (file.top.name || !file.top.empty()) top_bodies.push_back(&file.top);
      for (const ast::PackageBody& nested : file.nested) {
        PackageName n{nested.name->ns, nested.name->name, nested.name->version};
        auto idx = add_package(n, nested.name->loc, {&nested});
        if (!idx) return std::move(idx).error();
        last_nested = *idx;
      }
    }
    if (!top_bodies.empty()) {
      if (!top_name) {
        for (const ast::PackageBody* b : top_bodies) {
          Loc at = !b->interfaces.empty() ? b->interfaces[0].loc
                   : !b->worlds.empty()   ? b->worlds[0].loc
                                          : b->uses[0].loc;
          return error(at, "no `package` declaration: start the file with `package ns:name;`");
        }
      }
      auto idx = add_package(*top_name, top_loc, top_bodies);
      if (!idx) return std::move(idx).error();
      top = *idx;
    }
    if (top) return *top;
    if (last_nested) return *last_nested;
    return Error::make(ErrorKind::Invalid,
                       std::string(is_root ? "the root" : "a dependency") +
                           " holds no WIT package" +
                           (g.files.empty() ? " (no .wit files)" : " (" + g.files[0].name + ")"));
  }

  Result<size_t> add_package(const PackageName& name, Loc loc,
                             std::vector<const ast::PackageBody*> bodies) {
    std::string key = name.to_string();
    if (auto it = by_name_.find(key); it != by_name_.end()) {
      return error(loc, "package `" + key + "` is defined twice (first at " +
                            where(pending_[it->second]->loc) + ")");
    }
    auto p = std::make_unique<PendingPackage>();
    p->name = name;
    p->loc = loc;
    p->bodies = std::move(bodies);
    pending_.push_back(std::move(p));
    by_name_[key] = pending_.size() - 1;
    return pending_.size() - 1;
  }

  // The package a path names: an exact `ns:name@version`, or `ns:name` when only one version
  // of it is known.
  Result<PendingPackage*> find_package(const ast::PackageName& ref) {
    std::string key = ref.to_string();
    if (auto it = by_name_.find(key); it != by_name_.end()) return pending_[it->second].get();
    if (ref.version.empty()) {
      PendingPackage* found = nullptr;
      for (auto& p : pending_) {
        if (p->name.ns == ref.ns && p->name.name == ref.name) {
          if (found) {
            return error(ref.loc, "package `" + key + "` is ambiguous: several versions are " +
                                      "present; name one with `@version`");
          }
          found = p.get();
        }
      }
      if (found) return found;
    }
    std::string known;
    for (auto& p : pending_) known += (known.empty() ? "" : ", ") + p->name.to_string();
    return error(ref.loc, "package `" + key + "` not found (known packages: " + known + ")");
  }

  // Every package path mentioned in a body, for the dependency graph.
  static void collect_paths(const ast::PackageBody& b, std::vector<const ast::PackageName*>& out) {
    auto path = [&](const ast::UsePath& p) {
      if (p.package) out.push_back(&*p.package);
    };
    std::function<void(const std::vector<ast::InterfaceItem>&)> items =
        [&](const std::vector<ast::InterfaceItem>& is) {
          for (const auto& it : is)
            if (auto* u = std::get_if<ast::UseDecl>(&it.item)) path(u->path);
        };
    for (const auto& u : b.uses) path(u.path);
    for (const auto& i : b.interfaces) items(i.items);
    for (const auto& w : b.worlds) {
      for (const auto& it : w.items) {
        if (auto* x = std::get_if<ast::Extern>(&it.item)) {
          path(x->path);
          items(x->items);
        } else if (auto* u = std::get_if<ast::UseDecl>(&it.item)) {
          path(u->path);
        } else if (auto* inc = std::get_if<ast::Include>(&it.item)) {
          path(inc->path);
        }
      }
    }
  }

  // Depth-first topological sort; a reference back to a package on the stack is a cycle.
  std::optional<Error> visit(PendingPackage& p, std::vector<PendingPackage*>& order) {
    if (p.visit == 2) return std::nullopt;
    p.visit = 1;
    stack_.push_back(&p);
    std::vector<const ast::PackageName*> refs;
    for (const ast::PackageBody* b : p.bodies) collect_paths(*b, refs);
    for (const ast::PackageName* ref : refs) {
      auto dep = find_package(*ref);
      if (!dep) return std::move(dep).error();
      if (*dep == &p) continue;  // a package may name itself in full
      if ((*dep)->visit == 1) {
        std::string cycle;
        auto from = std::find(stack_.begin(), stack_.end(), *dep);
        for (auto it = from; it != stack_.end(); ++it) cycle += (*it)->name.to_string() + " -> ";
        cycle += (*dep)->name.to_string();
        return error(ref->loc, "package dependency cycle: " + cycle);
      }
      if (auto e = visit(**dep, order)) return e;
    }
    stack_.pop_back();
    p.visit = 2;
    order.push_back(&p);
    return std::nullopt;
  }

  // ---------------------------------------------------------------- gates
  bool enabled(const ast::Gate& g) const {
    if (!g.unstable) return true;
    return opts_.all_features || std::find(opts_.features.begin(), opts_.features.end(),
                                           *g.unstable) != opts_.features.end();
  }
  Result<Stability> stability(const ast::Gate& g) const {
    Stability s;
    if (g.empty()) return s;
    if (cur_->name.version.empty()) {
      return error(g.loc, "feature gates need a versioned package (`package " +
                              cur_->name.to_string() + "@x.y.z;`)");
    }
    s.since = g.since.value_or("");
    s.feature = g.unstable.value_or("");
    s.deprecated = g.deprecated.value_or("");
    return s;
  }

  // ---------------------------------------------------------------- packages
  struct LocalInterface {
    const ast::Interface* ast = nullptr;
    InterfaceId id = kNoId;
    State state = State::Todo;
  };
  struct LocalWorld {
    const ast::World* ast = nullptr;
    WorldId id = kNoId;
    State state = State::Todo;
  };

  std::optional<Error> resolve_package(PendingPackage& p) {
    cur_ = &p;
    p.id = static_cast<PackageId>(m_.packages.size());
    Package pkg;
    pkg.name = p.name;
    for (const ast::PackageBody* b : p.bodies)
      if (!b->docs.empty()) pkg.docs += b->docs;
    m_.packages.push_back(std::move(pkg));
    local_ifaces_.clear();
    local_worlds_.clear();
    file_uses_.clear();
    iface_local_.clear();
    std::map<std::string, Loc> names;  // interfaces and worlds share the package's namespace
    auto claim = [&](const std::string& name, Loc at) -> std::optional<Error> {
      auto [it, fresh] = names.emplace(name, at);
      if (!fresh) {
        return error(at, "`" + name + "` is defined twice in package `" + p.name.to_string() +
                             "` (first at " + where(it->second) + ")");
      }
      return std::nullopt;
    };
    // Allocate every interface and world first, so references may point forward.
    for (const ast::PackageBody* b : p.bodies) {
      for (const ast::Interface& i : b->interfaces) {
        if (!enabled(i.gate)) continue;
        if (auto e = claim(i.name, i.loc)) return e;
        auto st = stability(i.gate);
        if (!st) return std::move(st).error();
        InterfaceId id = static_cast<InterfaceId>(m_.interfaces.size());
        Interface iface;
        iface.name = i.name;
        iface.package = p.id;
        iface.docs = i.docs;
        iface.stability = std::move(*st);
        iface.pos = pos(i.loc);
        m_.interfaces.push_back(std::move(iface));
        m_.packages[p.id].interfaces.emplace_back(i.name, id);
        local_ifaces_[i.name] = LocalInterface{&i, id, State::Todo};
        iface_local_[id] = i.name;
      }
      for (const ast::World& w : b->worlds) {
        if (!enabled(w.gate)) continue;
        if (auto e = claim(w.name, w.loc)) return e;
        auto st = stability(w.gate);
        if (!st) return std::move(st).error();
        WorldId id = static_cast<WorldId>(m_.worlds.size());
        World world;
        world.name = w.name;
        world.package = p.id;
        world.docs = w.docs;
        world.stability = std::move(*st);
        world.pos = pos(w.loc);
        m_.worlds.push_back(std::move(world));
        m_.packages[p.id].worlds.emplace_back(w.name, id);
        local_worlds_[w.name] = LocalWorld{&w, id, State::Todo};
      }
    }
    // Top-level `use` (file-scoped interface names).
    for (const ast::PackageBody* b : p.bodies) {
      for (const ast::TopUse& u : b->uses) {
        if (!enabled(u.gate)) continue;
        auto id = lookup_interface(u.path, false);
        if (!id) return std::move(id).error();
        std::string name = u.as.value_or(u.path.name);
        if (local_ifaces_.count(name) || local_worlds_.count(name)) {
          return error(u.loc, "`use` of `" + name + "` clashes with an item of the package " +
                                  "of the same name; rename it with `as`");
        }
        auto& scope = file_uses_[u.loc.file];
        auto [it, fresh] = scope.emplace(name, std::make_pair(*id, u.loc));
        if (!fresh) {
          return error(u.loc, "`" + name + "` is already used in this file (at " +
                                  where(it->second.second) + ")");
        }
      }
    }
    for (auto& [name, li] : local_ifaces_) {
      if (auto e = ensure_interface(li.id)) return e;
    }
    for (auto& [name, lw] : local_worlds_) {
      if (auto e = ensure_world(lw)) return e;
    }
    return std::nullopt;
  }

  // An interface named by a path from file `path.loc.file`; `resolved` makes sure a local one
  // is resolved first (its types are needed).
  Result<InterfaceId> lookup_interface(const ast::UsePath& path, bool resolved) {
    InterfaceId id = kNoId;
    if (path.package) {
      auto pp = find_package(*path.package);
      if (!pp) return std::move(pp).error();
      if (*pp != cur_) {
        auto found = m_.find_interface((*pp)->id, path.name);
        if (!found) {
          return error(path.loc, "interface `" + path.name + "` not found in package `" +
                                     (*pp)->name.to_string() + "`");
        }
        return *found;
      }
    }
    auto& uses = file_uses_[path.loc.file];
    if (auto it = uses.find(path.name); !path.package && it != uses.end()) {
      id = it->second.first;
    } else if (auto li = local_ifaces_.find(path.name); li != local_ifaces_.end()) {
      id = li->second.id;
    } else {
      if (local_worlds_.count(path.name))
        return error(path.loc, "`" + path.name + "` is a world, not an interface");
      return error(path.loc, "interface `" + path.name + "` not found");
    }
    if (resolved) {
      if (auto e = ensure_interface(id, path.loc)) return *e;
    }
    return id;
  }

  std::optional<Error> ensure_interface(InterfaceId id, std::optional<Loc> from = std::nullopt) {
    auto name = iface_local_.find(id);
    if (name == iface_local_.end()) return std::nullopt;  // another package's: already done
    LocalInterface& li = local_ifaces_[name->second];
    if (li.state == State::Done) return std::nullopt;
    if (li.state == State::Busy) {
      return error(from.value_or(li.ast->loc),
                   "interface `" + name->second + "` depends on itself through `use`");
    }
    li.state = State::Busy;
    if (auto e = resolve_interface_items(id, li.ast->items, li.ast->loc.file)) return e;
    li.state = State::Done;
    return std::nullopt;
  }

  // ---------------------------------------------------------------- interfaces
  std::optional<Error> define(Scope& scope, const std::string& name, ScopeEntry e,
                              std::string_view in) {
    auto [it, fresh] = scope.emplace(name, e);
    if (!fresh) {
      return error(e.loc, "`" + name + "` is defined twice in " + std::string(in) + " (first at " +
                              where(it->second.loc) + ")");
    }
    return std::nullopt;
  }

  TypeId new_type(TypeDef d) {
    m_.types.push_back(std::move(d));
    return static_cast<TypeId>(m_.types.size() - 1);
  }

  // `use path.{a, b as c}`: aliases in `scope` to the named types of another interface.
  Result<InterfaceId> use_types(const ast::UseDecl& u, Scope& scope, TypeOwner owner,
                                const Stability& st, std::string_view in,
                                std::vector<std::pair<std::string, TypeId>>* list) {
    auto from = lookup_interface(u.path, true);
    if (!from) return std::move(from).error();
    const Interface& src = m_.interfaces[*from];
    for (const ast::UseName& n : u.names) {
      auto it = std::find_if(src.types.begin(), src.types.end(),
                             [&](const auto& t) { return t.first == n.name; });
      if (it == src.types.end()) {
        bool is_func = std::any_of(src.functions.begin(), src.functions.end(),
                                   [&](const Function& f) { return f.name == n.name; });
        return error(n.loc, is_func ? "`" + n.name + "` is a function; only types can be used"
                                    : "type `" + n.name + "` not found in interface `" +
                                          m_.interface_name(*from) + "`");
      }
      TypeDef alias;
      alias.name = n.as.value_or(n.name);
      alias.kind = TypeDefKind::Alias;
      alias.owner = owner;
      alias.target = Type::of(it->second);
      alias.stability = st;
      alias.pos = pos(n.loc);
      TypeId id = new_type(std::move(alias));
      if (auto e = define(scope, m_.types[id].name, {ScopeEntry::Kind::Type, id, n.loc}, in))
        return *e;
      if (list) list->emplace_back(m_.types[id].name, id);
    }
    return *from;
  }

  // Pending checks that need every type of a scope resolved first.
  struct HandleCheck {
    TypeId handle;
    Loc loc;
  };

  std::optional<Error> resolve_interface_items(InterfaceId id,
                                               const std::vector<ast::InterfaceItem>& items,
                                               uint32_t file) {
    (void)file;
    Scope scope;
    TypeOwner owner{TypeOwner::Kind::Interface, id};
    std::string in = "interface `" + (m_.interfaces[id].name.value_or("(inline)")) + "`";
    TypeId first_type = static_cast<TypeId>(m_.types.size());
    std::vector<const ast::TypeDecl*> decls;
    std::vector<TypeId> decl_ids;
    // Pass 1: `use`s and the names of type definitions.
    for (const ast::InterfaceItem& item : items) {
      if (!enabled(item.gate)) continue;
      auto st = stability(item.gate);
      if (!st) return std::move(st).error();
      if (auto* u = std::get_if<ast::UseDecl>(&item.item)) {
        std::vector<std::pair<std::string, TypeId>> added;
        auto from = use_types(*u, scope, owner, *st, in, &added);
        if (!from) return std::move(from).error();
        Interface& self = m_.interfaces[id];
        for (auto& t : added) self.types.push_back(std::move(t));
        if (*from != id && std::find(self.uses.begin(), self.uses.end(), *from) == self.uses.end())
          self.uses.push_back(*from);
      } else if (auto* d = std::get_if<ast::TypeDecl>(&item.item)) {
        TypeDef def;
        def.name = d->name;
        def.owner = owner;
        def.docs = item.docs;
        def.stability = std::move(*st);
        def.pos = pos(d->loc);
        TypeId tid = new_type(std::move(def));
        if (auto e = define(scope, d->name, {ScopeEntry::Kind::Type, tid, d->loc}, in)) return e;
        m_.interfaces[id].types.emplace_back(d->name, tid);
        decls.push_back(d);
        decl_ids.push_back(tid);
      } else if (auto* f = std::get_if<ast::FuncDecl>(&item.item)) {
        if (auto e = define(scope, f->name, {ScopeEntry::Kind::Function, kNoId, f->loc}, in))
          return e;
      }
    }
    // Pass 2: type bodies, then functions in declaration order.
    std::vector<HandleCheck> checks;
    for (size_t i = 0; i < decls.size(); ++i) {
      if (auto e = resolve_typedef(*decls[i], decl_ids[i], scope, checks)) return e;
    }
    for (const ast::InterfaceItem& item : items) {
      if (!enabled(item.gate)) continue;
      if (auto* f = std::get_if<ast::FuncDecl>(&item.item)) {
        auto st = stability(item.gate);
        if (!st) return std::move(st).error();
        auto fn = resolve_function(f->name, f->name, FunctionKind::Freestanding, kNoId, f->sig,
                                   scope, checks);
        if (!fn) return std::move(fn).error();
        fn->docs = item.docs;
        fn->stability = std::move(*st);
        fn->pos = pos(f->loc);
        m_.interfaces[id].functions.push_back(std::move(*fn));
      } else if (auto* d = std::get_if<ast::TypeDecl>(&item.item)) {
        if (d->kind != ast::TypeDecl::Kind::Resource) continue;
        TypeId rid = scope[d->name].type;
        auto fns = resource_functions(*d, rid, scope, checks);
        if (!fns) return std::move(fns).error();
        for (Function& fn : *fns) m_.interfaces[id].functions.push_back(std::move(fn));
      }
    }
    return finish_types(first_type, checks);
  }

  // Validates handles and rejects recursive types among the types created since `first`.
  std::optional<Error> finish_types(TypeId first, const std::vector<HandleCheck>& checks) {
    for (const HandleCheck& c : checks) {
      const TypeDef& h = m_.types[c.handle];
      Type target = m_.unalias(h.target);
      if (target.is_prim() || m_.types[target.def].kind != TypeDefKind::Resource) {
        return error(c.loc, std::string(h.kind == TypeDefKind::Borrow ? "`borrow`" : "`own`") +
                                " needs a resource type");
      }
    }
    std::vector<uint8_t> color(m_.types.size(), 0);
    std::function<std::optional<Error>(TypeId)> dfs = [&](TypeId t) -> std::optional<Error> {
      if (t < first || color[t] == 2) return std::nullopt;
      if (color[t] == 1) {
        return located_error(ErrorKind::Invalid, m_.types[t].pos.file, m_.types[t].pos.line,
                             m_.types[t].pos.column,
                             "type `" + m_.types[t].name + "` refers to itself");
      }
      color[t] = 1;
      const TypeDef& d = m_.types[t];
      std::vector<Type> edges;
      if (d.kind == TypeDefKind::Alias) edges.push_back(d.target);
      for (const Field& f : d.fields) edges.push_back(f.type);
      for (const Case& c : d.cases)
        if (c.type) edges.push_back(*c.type);
      for (const Type& e : d.elems) edges.push_back(e);
      if (d.ok) edges.push_back(*d.ok);
      if (d.err) edges.push_back(*d.err);
      for (const Type& e : edges) {
        if (e.is_prim()) continue;
        if (auto err = dfs(e.def)) {
          // Report the named type where the cycle was entered.
          if (!d.name.empty() && err->message.find("refers to itself") != std::string::npos &&
              e.def == t)
            return err;
          return err;
        }
      }
      color[t] = 2;
      return std::nullopt;
    };
    for (TypeId t = first; t < m_.types.size(); ++t) {
      if (auto e = dfs(t)) return e;
    }
    return std::nullopt;
  }

  std::optional<Error> resolve_typedef(const ast::TypeDecl& d, TypeId id, Scope& scope,
                                       std::vector<HandleCheck>& checks) {
    auto dup_names = [&](const auto& list, const char* what) -> std::optional<Error> {
      std::map<std::string, Loc> seen;
      for (const auto& x : list) {
        auto [it, fresh] = seen.emplace(x.name, x.loc);
        if (!fresh) {
          return error(
              x.loc, std::string(what) + " `" + x.name + "` is defined twice in `" + d.name + "`");
        }
      }
      return std::nullopt;
    };
    switch (d.kind) {
      case ast::TypeDecl::Kind::Alias: {
        auto t = resolve_type(d.alias, scope, checks);
        if (!t) return std::move(t).error();
        m_.types[id].kind = TypeDefKind::Alias;
        m_.types[id].target = *t;
        return std::nullopt;
      }
      case ast::TypeDecl::Kind::Record: {
        if (auto e = dup_names(d.fields, "field")) return e;
        std::vector<Field> fields;
        for (const ast::NamedType& f : d.fields) {
          auto t = resolve_type(f.type, scope, checks);
          if (!t) return std::move(t).error();
          fields.push_back(Field{f.name, *t, f.docs});
        }
        m_.types[id].kind = TypeDefKind::Record;
        m_.types[id].fields = std::move(fields);
        return std::nullopt;
      }
      case ast::TypeDecl::Kind::Variant:
      case ast::TypeDecl::Kind::Enum: {
        if (auto e = dup_names(d.cases, "case")) return e;
        std::vector<Case> cases;
        for (const ast::Case& c : d.cases) {
          Case out{c.name, std::nullopt, c.docs};
          if (c.type) {
            auto t = resolve_type(*c.type, scope, checks);
            if (!t) return std::move(t).error();
            out.type = *t;
          }
          cases.push_back(std::move(out));
        }
        m_.types[id].kind =
            d.kind == ast::TypeDecl::Kind::Enum ? TypeDefKind::Enum : TypeDefKind::Variant;
        m_.types[id].cases = std::move(cases);
        return std::nullopt;
      }
      case ast::TypeDecl::Kind::Flags: {
        if (auto e = dup_names(d.flags, "flag")) return e;
        m_.types[id].kind = TypeDefKind::Flags;
        for (const ast::Case& c : d.flags) m_.types[id].flags.push_back(c.name);
        return std::nullopt;
      }
      case ast::TypeDecl::Kind::Resource:
        m_.types[id].kind = TypeDefKind::Resource;
        return std::nullopt;
    }
    return std::nullopt;
  }

  Result<std::vector<Function>> resource_functions(const ast::TypeDecl& d, TypeId rid, Scope& scope,
                                                   std::vector<HandleCheck>& checks) {
    std::vector<Function> out;
    std::map<std::string, Loc> seen;
    bool has_constructor = false;
    for (const ast::ResourceFunc& f : d.funcs) {
      if (!enabled(f.gate)) continue;
      auto st = stability(f.gate);
      if (!st) return std::move(st).error();
      std::string name;
      FunctionKind kind;
      if (f.kind == ast::ResourceFunc::Kind::Constructor) {
        if (has_constructor) return error(f.loc, "resource `" + d.name + "` has two constructors");
        has_constructor = true;
        name = "[constructor]" + d.name;
        kind = FunctionKind::Constructor;
        if (f.sig.result) {
          const ast::TypeExpr& r = *f.sig.result;
          bool ok = r.kind == ast::TypeExpr::Kind::Result && r.has_ok &&
                    (r.args[0].kind == ast::TypeExpr::Kind::Named ||
                     r.args[0].kind == ast::TypeExpr::Kind::Own) &&
                    r.args[0].name == d.name;
          if (!ok) {
            return error(r.loc, "a constructor returns nothing or `result<" + d.name + ", E>`");
          }
        }
      } else {
        auto [it, fresh] = seen.emplace(f.name, f.loc);
        if (!fresh) {
          return error(f.loc, "`" + f.name + "` is defined twice in resource `" + d.name +
                                  "` (first at " + where(it->second) + ")");
        }
        bool is_static = f.kind == ast::ResourceFunc::Kind::Static;
        name = (is_static ? "[static]" : "[method]") + d.name + "." + f.name;
        kind = is_static ? FunctionKind::Static : FunctionKind::Method;
      }
      auto fn = resolve_function(name, f.name, kind, rid, f.sig, scope, checks);
      if (!fn) return std::move(fn).error();
      fn->docs = f.docs;
      fn->stability = std::move(*st);
      fn->pos = pos(f.loc);
      if (kind == FunctionKind::Constructor && !fn->result) fn->result = Type::of(rid);
      out.push_back(std::move(*fn));
    }
    return out;
  }

  Result<Function> resolve_function(const std::string& name, const std::string& item_name,
                                    FunctionKind kind, TypeId resource, const ast::FuncSig& sig,
                                    Scope& scope, std::vector<HandleCheck>& checks) {
    Function fn;
    fn.name = name;
    fn.item_name = item_name;
    fn.kind = kind;
    fn.resource = resource;
    fn.async = sig.async;
    std::map<std::string, Loc> seen;
    if (kind == FunctionKind::Method) {
      TypeDef self;
      self.kind = TypeDefKind::Borrow;
      self.target = Type::of(resource);
      fn.params.push_back(Param{"self", Type::of(new_type(std::move(self)))});
      seen.emplace("self", sig.loc);
    }
    for (const ast::NamedType& p : sig.params) {
      auto [it, fresh] = seen.emplace(p.name, p.loc);
      if (!fresh) return error(p.loc, "parameter `" + p.name + "` is defined twice");
      auto t = resolve_type(p.type, scope, checks);
      if (!t) return std::move(t).error();
      fn.params.push_back(Param{p.name, *t});
    }
    if (sig.result) {
      auto t = resolve_type(*sig.result, scope, checks);
      if (!t) return std::move(t).error();
      fn.result = *t;
    }
    return fn;
  }

  Result<Type> resolve_type(const ast::TypeExpr& e, Scope& scope,
                            std::vector<HandleCheck>& checks) {
    using K = ast::TypeExpr::Kind;
    auto named = [&](const std::string& name, Loc at) -> Result<TypeId> {
      auto it = scope.find(name);
      if (it == scope.end()) return error(at, "type `" + name + "` not found");
      if (it->second.kind != ScopeEntry::Kind::Type)
        return error(at, "`" + name + "` is a function, not a type");
      return it->second.type;
    };
    auto sub = [&](size_t i) { return resolve_type(e.args[i], scope, checks); };
    TypeDef d;
    d.pos = pos(e.loc);
    switch (e.kind) {
      case K::Prim: return Type::of(static_cast<Prim>(e.prim));
      case K::Named: {
        auto id = named(e.name, e.loc);
        if (!id) return std::move(id).error();
        return Type::of(*id);
      }
      case K::Own:
      case K::Borrow: {
        auto id = named(e.name, e.loc);
        if (!id) return std::move(id).error();
        d.kind = e.kind == K::Own ? TypeDefKind::Own : TypeDefKind::Borrow;
        d.target = Type::of(*id);
        TypeId h = new_type(std::move(d));
        checks.push_back(HandleCheck{h, e.loc});
        return Type::of(h);
      }
      case K::List:
      case K::FixedList:
      case K::Option:
      case K::Tuple:
      case K::Map:
      case K::Future:
      case K::Stream: {
        for (size_t i = 0; i < e.args.size(); ++i) {
          auto t = sub(i);
          if (!t) return std::move(t).error();
          d.elems.push_back(*t);
        }
        d.kind = e.kind == K::List        ? TypeDefKind::List
                 : e.kind == K::FixedList ? TypeDefKind::FixedList
                 : e.kind == K::Option    ? TypeDefKind::Option
                 : e.kind == K::Tuple     ? TypeDefKind::Tuple
                 : e.kind == K::Map       ? TypeDefKind::Map
                 : e.kind == K::Future    ? TypeDefKind::Future
                                          : TypeDefKind::Stream;
        d.length = e.length;
        return Type::of(new_type(std::move(d)));
      }
      case K::Result: {
        d.kind = TypeDefKind::Result;
        if (e.has_ok) {
          auto t = sub(0);
          if (!t) return std::move(t).error();
          d.ok = *t;
        }
        if (e.has_err) {
          auto t = sub(1);
          if (!t) return std::move(t).error();
          d.err = *t;
        }
        return Type::of(new_type(std::move(d)));
      }
    }
    return error(e.loc, "unsupported type");
  }

  // ---------------------------------------------------------------- worlds
  std::optional<Error> ensure_world(LocalWorld& lw, std::optional<Loc> from = std::nullopt) {
    if (lw.state == State::Done) return std::nullopt;
    if (lw.state == State::Busy) {
      return error(from.value_or(lw.ast->loc), "world `" + lw.ast->name + "` includes itself");
    }
    lw.state = State::Busy;
    if (auto e = resolve_world(*lw.ast, lw.id)) return e;
    lw.state = State::Done;
    return std::nullopt;
  }

  Result<WorldId> lookup_world(const ast::UsePath& path) {
    if (path.package) {
      auto pp = find_package(*path.package);
      if (!pp) return std::move(pp).error();
      if (*pp != cur_) {
        auto found = m_.find_world_in((*pp)->id, path.name);
        if (!found) {
          return error(path.loc, "world `" + path.name + "` not found in package `" +
                                     (*pp)->name.to_string() + "`");
        }
        return *found;
      }
    }
    auto it = local_worlds_.find(path.name);
    if (it == local_worlds_.end()) {
      if (local_ifaces_.count(path.name))
        return error(path.loc, "`" + path.name + "` is an interface, not a world");
      return error(path.loc, "world `" + path.name + "` not found");
    }
    if (auto e = ensure_world(it->second, path.loc)) return *e;
    return it->second.id;
  }

  // Adds `item` to a world's import or export list; a second item of the same name is an
  // error unless it is the very same interface (includes may bring one interface twice).
  std::optional<Error> add_item(std::vector<WorldItem>& list, WorldItem item, Loc at,
                                bool is_export, std::string_view extra = "") {
    for (const WorldItem& w : list) {
      if (w.key != item.key) continue;
      if (w.kind == WorldItem::Kind::Interface && item.kind == WorldItem::Kind::Interface &&
          w.interface == item.interface)
        return std::nullopt;
      return error(at, std::string(is_export ? "export" : "import") + " `" + item.key +
                           "` is defined twice in the world" + std::string(extra));
    }
    list.push_back(std::move(item));
    return std::nullopt;
  }

  std::optional<Error> resolve_world(const ast::World& w, WorldId id) {
    Scope scope;
    TypeOwner owner{TypeOwner::Kind::World, id};
    std::string in = "world `" + w.name + "`";
    TypeId first_type = static_cast<TypeId>(m_.types.size());
    std::vector<HandleCheck> checks;
    std::vector<InterfaceId> used;  // interfaces whose types the world's own `use`s name
    std::vector<WorldItem> imports, exports;
    // Pass 1: world-level types (imports named after the type), so functions may use them.
    std::vector<std::pair<const ast::TypeDecl*, TypeId>> decls;
    for (const ast::WorldItem& item : w.items) {
      if (!enabled(item.gate)) continue;
      auto st = stability(item.gate);
      if (!st) return std::move(st).error();
      if (auto* u = std::get_if<ast::UseDecl>(&item.item)) {
        std::vector<std::pair<std::string, TypeId>> added;
        auto from = use_types(*u, scope, owner, *st, in, &added);
        if (!from) return std::move(from).error();
        if (std::find(used.begin(), used.end(), *from) == used.end()) used.push_back(*from);
        for (auto& [name, tid] : added) {
          WorldItem wi;
          wi.kind = WorldItem::Kind::Type;
          wi.key = name;
          wi.type = tid;
          wi.stability = *st;
          if (auto e = add_item(imports, std::move(wi), u->loc, false)) return e;
        }
      } else if (auto* d = std::get_if<ast::TypeDecl>(&item.item)) {
        TypeDef def;
        def.name = d->name;
        def.owner = owner;
        def.docs = item.docs;
        def.stability = *st;
        def.pos = pos(d->loc);
        TypeId tid = new_type(std::move(def));
        if (auto e = define(scope, d->name, {ScopeEntry::Kind::Type, tid, d->loc}, in)) return e;
        decls.emplace_back(d, tid);
        WorldItem wi;
        wi.kind = WorldItem::Kind::Type;
        wi.key = d->name;
        wi.type = tid;
        wi.stability = std::move(*st);
        wi.docs = item.docs;
        if (auto e = add_item(imports, std::move(wi), d->loc, false)) return e;
      }
    }
    for (auto& [d, tid] : decls) {
      if (auto e = resolve_typedef(*d, tid, scope, checks)) return e;
    }
    // A world-level resource's functions are imports of the world, as its type is.
    for (auto& [d, tid] : decls) {
      if (d->kind != ast::TypeDecl::Kind::Resource) continue;
      auto fns = resource_functions(*d, tid, scope, checks);
      if (!fns) return std::move(fns).error();
      for (Function& fn : *fns) {
        WorldItem wi;
        wi.kind = WorldItem::Kind::Function;
        wi.key = fn.name;
        wi.stability = fn.stability;
        wi.function = std::move(fn);
        if (auto e = add_item(imports, std::move(wi), d->loc, false)) return e;
      }
    }
    // Pass 2: imports, exports and includes in order.
    for (const ast::WorldItem& item : w.items) {
      if (!enabled(item.gate)) continue;
      auto st = stability(item.gate);
      if (!st) return std::move(st).error();
      if (auto* x = std::get_if<ast::Extern>(&item.item)) {
        WorldItem wi;
        wi.stability = std::move(*st);
        wi.docs = item.docs;
        switch (x->kind) {
          case ast::Extern::Kind::Func: {
            auto fn = resolve_function(x->name, x->name, FunctionKind::Freestanding, kNoId, x->sig,
                                       scope, checks);
            if (!fn) return std::move(fn).error();
            fn->docs = item.docs;
            fn->pos = pos(x->loc);
            fn->stability = wi.stability;
            wi.kind = WorldItem::Kind::Function;
            wi.key = x->name;
            wi.function = std::move(*fn);
            break;
          }
          case ast::Extern::Kind::InlineInterface: {
            InterfaceId iid = static_cast<InterfaceId>(m_.interfaces.size());
            Interface iface;
            iface.package = cur_->id;
            iface.docs = item.docs;
            iface.stability = wi.stability;
            iface.pos = pos(x->loc);
            m_.interfaces.push_back(std::move(iface));
            if (auto e = resolve_interface_items(iid, x->items, x->loc.file)) return e;
            wi.kind = WorldItem::Kind::Interface;
            wi.key = x->name;
            wi.interface = iid;
            break;
          }
          case ast::Extern::Kind::NamedPath:
          case ast::Extern::Kind::Path: {
            auto iid = lookup_interface(x->path, true);
            if (!iid) return std::move(iid).error();
            wi.kind = WorldItem::Kind::Interface;
            wi.key = x->kind == ast::Extern::Kind::Path ? m_.interface_name(*iid) : x->name;
            wi.interface = *iid;
            break;
          }
        }
        if (auto e =
                add_item(x->is_export ? exports : imports, std::move(wi), x->loc, x->is_export))
          return e;
      } else if (auto* inc = std::get_if<ast::Include>(&item.item)) {
        if (auto e = include(*inc, imports, exports)) return e;
      }
    }
    if (auto e = finish_types(first_type, checks)) return e;
    World& world = m_.worlds[id];
    world.imports = elaborate_imports(imports, exports, used);
    world.exports = std::move(exports);
    return std::nullopt;
  }

  std::optional<Error> include(const ast::Include& inc, std::vector<WorldItem>& imports,
                               std::vector<WorldItem>& exports) {
    auto wid = lookup_world(inc.path);
    if (!wid) return std::move(wid).error();
    const World& src = m_.worlds[*wid];
    std::vector<bool> used(inc.with.size(), false);
    auto merge = [&](const std::vector<WorldItem>& from, std::vector<WorldItem>& to,
                     bool is_export) -> std::optional<Error> {
      for (WorldItem wi : from) {
        bool plain =
            !(wi.kind == WorldItem::Kind::Interface && wi.key == m_.interface_name(wi.interface));
        if (plain) {
          for (size_t i = 0; i < inc.with.size(); ++i) {
            if (inc.with[i].name == wi.key) {
              wi.key = inc.with[i].as;
              used[i] = true;
            }
          }
        }
        if (auto e = add_item(to, std::move(wi), inc.loc, is_export,
                              plain ? "; rename it with `include ... with { name as other }`" : ""))
          return e;
      }
      return std::nullopt;
    };
    if (auto e = merge(src.imports, imports, false)) return e;
    if (auto e = merge(src.exports, exports, true)) return e;
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) {
        return error(inc.with[i].loc, "`" + inc.with[i].name +
                                          "` is not a plain-named import or export of world `" +
                                          src.name + "`");
      }
    }
    return std::nullopt;
  }

  // Imports as the world needs them: every interface whose types an imported interface (or an
  // exported interface, or the world itself) uses is imported too, ahead of its user.
  std::vector<WorldItem> elaborate_imports(const std::vector<WorldItem>& imports,
                                           const std::vector<WorldItem>& exports,
                                           const std::vector<InterfaceId>& world_uses) {
    std::vector<WorldItem> out;
    std::set<std::string> keys;
    auto exported = [&](InterfaceId id) {
      return std::any_of(exports.begin(), exports.end(), [&](const WorldItem& w) {
        return w.kind == WorldItem::Kind::Interface && w.interface == id;
      });
    };
    std::function<void(InterfaceId)> add_dep = [&](InterfaceId dep) {
      std::string key = m_.interface_name(dep);
      if (keys.count(key)) return;
      keys.insert(key);  // before recursing: `use` graphs are acyclic, but be safe
      for (InterfaceId d : m_.interfaces[dep].uses) add_dep(d);
      WorldItem wi;
      wi.kind = WorldItem::Kind::Interface;
      wi.key = key;
      wi.interface = dep;
      wi.stability = m_.interfaces[dep].stability;
      out.push_back(std::move(wi));
    };
    for (InterfaceId u : world_uses) add_dep(u);
    for (const WorldItem& wi : imports) {
      if (wi.kind == WorldItem::Kind::Interface) {
        for (InterfaceId d : m_.interfaces[wi.interface].uses) add_dep(d);
      }
      if (keys.insert(wi.key).second) out.push_back(wi);
    }
    for (const WorldItem& wi : exports) {
      if (wi.kind != WorldItem::Kind::Interface) continue;
      for (InterfaceId d : m_.interfaces[wi.interface].uses)
        if (!exported(d)) add_dep(d);
    }
    return out;
  }

  const ResolveOptions& opts_;
  Model m_;
  std::vector<std::string> files_;
  std::vector<std::unique_ptr<ast::File>> asts_;
  std::vector<std::unique_ptr<PendingPackage>> pending_;
  std::map<std::string, size_t> by_name_;
  std::vector<PendingPackage*> stack_;
  // The package being resolved and its items.
  PendingPackage* cur_ = nullptr;
  std::map<std::string, LocalInterface> local_ifaces_;
  std::map<std::string, LocalWorld> local_worlds_;
  std::map<InterfaceId, std::string> iface_local_;
  std::map<uint32_t, std::map<std::string, std::pair<InterfaceId, Loc>>> file_uses_;
};

}  // namespace

Result<Resolved> resolve(const SourceGroup& root, const std::vector<SourceGroup>& deps,
                         const ResolveOptions& options) {
  return Resolver(options).run(root, deps);
}

Result<WorldId> select_world(const Resolved& r, std::string_view spec) {
  const Model& m = r.model;
  const Package& root = m.packages[r.root];
  if (spec.empty()) {
    if (root.worlds.size() == 1) return root.worlds[0].second;
    return Error::make(ErrorKind::Usage, "package `" + root.name.to_string() + "` has " +
                                             std::to_string(root.worlds.size()) +
                                             " worlds; choose one with --world");
  }
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    if (auto w = m.find_world_in(r.root, spec)) return *w;
    std::string known;
    for (const auto& [n, id] : root.worlds) known += (known.empty() ? "" : ", ") + n;
    return Error::make(ErrorKind::Usage, "world `" + std::string(spec) +
                                             "` not found in package `" + root.name.to_string() +
                                             "` (worlds: " + (known.empty() ? "none" : known) +
                                             ")");
  }
  // ns:pkg/name[@version]
  size_t slash = spec.find('/');
  if (slash == std::string_view::npos || slash < colon) {
    return Error::make(ErrorKind::Usage,
                       "world `" + std::string(spec) + "`: expected `name` or `ns:pkg/name`");
  }
  std::string ns(spec.substr(0, colon));
  std::string pkg(spec.substr(colon + 1, slash - colon - 1));
  std::string rest(spec.substr(slash + 1));
  std::string version;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    version = rest.substr(at + 1);
    rest = rest.substr(0, at);
  }
  for (PackageId p = 0; p < m.packages.size(); ++p) {
    const PackageName& n = m.packages[p].name;
    if (n.ns != ns || n.name != pkg || (!version.empty() && n.version != version)) continue;
    if (auto w = m.find_world_in(p, rest)) return *w;
  }
  return Error::make(ErrorKind::Usage, "world `" + std::string(spec) + "` not found");
}

}  // namespace hull::wit
