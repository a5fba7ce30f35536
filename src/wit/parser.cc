// WIT parser (see parser.h): recursive descent over the lexer's tokens.
#include "wit/parser.h"

#include <optional>
#include <utility>
#include <vector>

#include "wit/diag.h"
#include "wit/lexer.h"

namespace hull::wit {

namespace {

using ast::Loc;
using ast::TypeExpr;

// Type nesting deeper than this is refused (keeps the recursion bounded on hostile input).
constexpr int kMaxTypeDepth = 100;

class Parser {
 public:
  Parser(std::vector<Token> toks, std::string_view file, uint32_t index)
      : t_(std::move(toks)), file_(file), index_(index) {}

  Result<ast::File> file() {
    ast::File f;
    f.file = index_;
    // An optional leading `package x;` names the file's top level; `package x { ... }`
    // blocks may follow.
    if (is_kw("package")) {
      std::string docs = cur().docs;
      next();
      auto name = package_name();
      if (!name) return std::move(name).error();
      if (is(TokenKind::Semicolon)) {
        next();
        f.top.name = std::move(*name);
        f.top.docs = std::move(docs);
      } else {
        auto body = nested_package(std::move(*name), std::move(docs));
        if (!body) return std::move(body).error();
        f.nested.push_back(std::move(*body));
      }
    }
    while (!is(TokenKind::End)) {
      if (is_kw("package")) {
        std::string docs = cur().docs;
        next();
        auto name = package_name();
        if (!name) return std::move(name).error();
        if (is(TokenKind::Semicolon))
          return err("a `package` declaration must come first in the file");
        auto body = nested_package(std::move(*name), std::move(docs));
        if (!body) return std::move(body).error();
        f.nested.push_back(std::move(*body));
        continue;
      }
      if (auto e = package_item(f.top)) return *e;
    }
    return f;
  }

 private:
  // --- token access ---
  const Token& cur() const { return t_[pos_]; }
  const Token& ahead(size_t n) const { return t_[std::min(pos_ + n, t_.size() - 1)]; }
  bool is(TokenKind k) const { return cur().kind == k; }
  bool is_kw(std::string_view kw) const {
    return cur().kind == TokenKind::Id && cur().keyword && cur().text == kw;
  }
  void next() {
    if (pos_ + 1 < t_.size()) ++pos_;
  }
  Loc loc() const { return Loc{index_, cur().line, cur().column}; }
  Error err(std::string_view why) const { return err_at(cur(), why); }
  Error err_at(const Token& t, std::string_view why) const {
    return located_error(ErrorKind::Malformed, file_, t.line, t.column, why);
  }
  std::string found() const {
    const Token& t = cur();
    if (t.kind == TokenKind::Id) return "`" + t.text + "`";
    if (t.kind == TokenKind::Integer || t.kind == TokenKind::Version) return "`" + t.text + "`";
    return to_string(t.kind);
  }
  std::optional<Error> expect(TokenKind k) {
    if (!is(k)) return err(std::string("expected ") + to_string(k) + ", found " + found());
    next();
    return std::nullopt;
  }
  std::optional<Error> expect_kw(std::string_view kw) {
    if (!is_kw(kw)) return err("expected `" + std::string(kw) + "`, found " + found());
    next();
    return std::nullopt;
  }
  // A name (not a keyword unless %-escaped).
  Result<std::string> id(std::string_view what = "a name") {
    if (!is(TokenKind::Id)) return err("expected " + std::string(what) + ", found " + found());
    if (cur().keyword) {
      return err("`" + cur().text + "` is a keyword; write `%" + cur().text +
                 "` to use it as a name");
    }
    std::string s = cur().text;
    next();
    return s;
  }

  // --- packages ---
  Result<ast::PackageName> package_name() {
    ast::PackageName p;
    p.loc = loc();
    auto ns = id("a package namespace");
    if (!ns) return std::move(ns).error();
    if (auto e = expect(TokenKind::Colon)) return *e;
    auto name = id("a package name");
    if (!name) return std::move(name).error();
    if (is(TokenKind::Colon)) return err("nested package namespaces are not supported");
    if (is(TokenKind::Slash)) return err("nested packages are not supported");
    p.ns = std::move(*ns);
    p.name = std::move(*name);
    if (is(TokenKind::At)) {
      next();
      auto v = version();
      if (!v) return std::move(v).error();
      p.version = std::move(*v);
    }
    return p;
  }
  Result<std::string> version() {
    if (!is(TokenKind::Version))
      return err("expected a version (major.minor.patch), found " + found());
    std::string v = cur().text;
    next();
    return v;
  }

  Result<ast::PackageBody> nested_package(ast::PackageName name, std::string docs) {
    ast::PackageBody body;
    body.name = std::move(name);
    body.docs = std::move(docs);
    if (auto e = expect(TokenKind::LBrace)) return *e;
    while (!is(TokenKind::RBrace)) {
      if (is(TokenKind::End)) return err("expected `}` to close the package");
      if (is_kw("package")) return err("packages cannot be nested");
      if (auto e = package_item(body)) return *e;
    }
    next();
    return body;
  }

  std::optional<Error> package_item(ast::PackageBody& body) {
    std::string docs = cur().docs;
    auto gate = gates();
    if (!gate) return std::move(gate).error();
    if (is_kw("interface")) {
      auto i = interface(std::move(*gate), std::move(docs));
      if (!i) return std::move(i).error();
      body.interfaces.push_back(std::move(*i));
      return std::nullopt;
    }
    if (is_kw("world")) {
      auto w = world(std::move(*gate), std::move(docs));
      if (!w) return std::move(w).error();
      body.worlds.push_back(std::move(*w));
      return std::nullopt;
    }
    if (is_kw("use")) {
      ast::TopUse u;
      u.loc = loc();
      u.gate = std::move(*gate);
      next();
      auto path = use_path();
      if (!path) return std::move(path).error();
      u.path = std::move(*path);
      if (is_kw("as")) {
        next();
        auto as = id();
        if (!as) return std::move(as).error();
        u.as = std::move(*as);
      }
      if (auto e = expect(TokenKind::Semicolon)) return e;
      body.uses.push_back(std::move(u));
      return std::nullopt;
    }
    return err("expected `interface`, `world`, `use` or `package`, found " + found());
  }

  // --- gates: @since(version = V) @unstable(feature = F) @deprecated(version = V) ---
  Result<ast::Gate> gates() {
    ast::Gate g;
    g.loc = loc();
    while (is(TokenKind::At)) {
      next();
      if (!is(TokenKind::Id)) return err("expected `since`, `unstable` or `deprecated` after `@`");
      const Token& which = cur();
      std::string name = which.text;
      next();
      if (auto e = expect(TokenKind::LParen)) return *e;
      auto field = [&](std::string_view want) -> std::optional<Error> {
        if (!is(TokenKind::Id) || cur().text != want)
          return err("expected `" + std::string(want) + "`, found " + found());
        next();
        return expect(TokenKind::Equals);
      };
      if (name == "since" || name == "deprecated") {
        if (auto e = field("version")) return *e;
        auto v = version();
        if (!v) return std::move(v).error();
        std::optional<std::string>& slot = name == "since" ? g.since : g.deprecated;
        if (slot) return err_at(which, "duplicate `@" + name + "`");
        slot = std::move(*v);
      } else if (name == "unstable") {
        if (auto e = field("feature")) return *e;
        if (!is(TokenKind::Id)) return err("expected a feature name, found " + found());
        if (g.unstable) return err_at(which, "duplicate `@unstable`");
        g.unstable = cur().text;
        next();
      } else {
        return err_at(which, "unknown annotation `@" + name +
                                 "` (expected @since, @unstable or @deprecated)");
      }
      if (auto e = expect(TokenKind::RParen)) return *e;
    }
    if (g.since && g.unstable)
      return located_error(ErrorKind::Malformed, file_, g.loc.line, g.loc.column,
                           "an item cannot be both `@since` and `@unstable`");
    if (g.deprecated && !g.since && !g.unstable)
      return located_error(ErrorKind::Malformed, file_, g.loc.line, g.loc.column,
                           "`@deprecated` needs a `@since` on the same item");
    return g;
  }

  // --- paths: iface | ns:pkg/iface[@version] ---
  Result<ast::UsePath> use_path() {
    ast::UsePath p;
    p.loc = loc();
    auto first = id("an interface name");
    if (!first) return std::move(first).error();
    if (!is(TokenKind::Colon)) {
      p.name = std::move(*first);
      return p;
    }
    next();
    ast::PackageName pkg;
    pkg.loc = p.loc;
    pkg.ns = std::move(*first);
    auto name = id("a package name");
    if (!name) return std::move(name).error();
    pkg.name = std::move(*name);
    if (is(TokenKind::Colon)) return err("nested package namespaces are not supported");
    if (auto e = expect(TokenKind::Slash)) return *e;
    auto iface = id("an interface name");
    if (!iface) return std::move(iface).error();
    p.name = std::move(*iface);
    if (is(TokenKind::Slash)) return err("nested interfaces are not supported");
    if (is(TokenKind::At)) {
      next();
      auto v = version();
      if (!v) return std::move(v).error();
      pkg.version = std::move(*v);
    }
    p.package = std::move(pkg);
    return p;
  }

  // --- interfaces ---
  Result<ast::Interface> interface(ast::Gate gate, std::string docs) {
    ast::Interface i;
    i.gate = std::move(gate);
    i.docs = std::move(docs);
    next();  // `interface`
    i.loc = loc();
    auto name = id("an interface name");
    if (!name) return std::move(name).error();
    i.name = std::move(*name);
    auto items = interface_body();
    if (!items) return std::move(items).error();
    i.items = std::move(*items);
    return i;
  }

  Result<std::vector<ast::InterfaceItem>> interface_body() {
    if (auto e = expect(TokenKind::LBrace)) return *e;
    std::vector<ast::InterfaceItem> items;
    while (!is(TokenKind::RBrace)) {
      if (is(TokenKind::End)) return err("expected `}` to close the interface");
      ast::InterfaceItem item;
      item.docs = cur().docs;
      auto gate = gates();
      if (!gate) return std::move(gate).error();
      item.gate = std::move(*gate);
      if (is_kw("use")) {
        auto u = use_decl();
        if (!u) return std::move(u).error();
        item.item = std::move(*u);
      } else if (auto td = maybe_typedef()) {
        if (!*td) return std::move(*td).error();
        item.item = std::move(**td);
      } else {
        auto f = func_decl();
        if (!f) return std::move(f).error();
        item.item = std::move(*f);
      }
      items.push_back(std::move(item));
    }
    next();
    return items;
  }

  Result<ast::UseDecl> use_decl() {
    ast::UseDecl u;
    u.loc = loc();
    next();  // `use`
    auto path = use_path();
    if (!path) return std::move(path).error();
    u.path = std::move(*path);
    if (is_kw("as")) return err("`use ... as` renames interfaces only at the top level of a file");
    if (auto e = expect(TokenKind::Dot)) return *e;
    if (auto e = expect(TokenKind::LBrace)) return *e;
    do {
      if (is(TokenKind::RBrace) && !u.names.empty()) break;  // trailing comma
      ast::UseName n;
      n.loc = loc();
      auto name = id("a type name");
      if (!name) return std::move(name).error();
      n.name = std::move(*name);
      if (is_kw("as")) {
        next();
        auto as = id();
        if (!as) return std::move(as).error();
        n.as = std::move(*as);
      }
      u.names.push_back(std::move(n));
    } while (is(TokenKind::Comma) && (next(), true));
    if (auto e = expect(TokenKind::RBrace)) return *e;
    if (auto e = expect(TokenKind::Semicolon)) return *e;
    return u;
  }

  Result<ast::FuncDecl> func_decl() {
    ast::FuncDecl f;
    f.loc = loc();
    auto name = id("a function or type definition");
    if (!name) return std::move(name).error();
    f.name = std::move(*name);
    if (auto e = expect(TokenKind::Colon)) return *e;
    auto sig = func_sig();
    if (!sig) return std::move(sig).error();
    f.sig = std::move(*sig);
    if (auto e = expect(TokenKind::Semicolon)) return *e;
    return f;
  }

  // ['async'] 'func' '(' params ')' ['->' ty]
  Result<ast::FuncSig> func_sig() {
    ast::FuncSig s;
    s.loc = loc();
    if (is_kw("async")) {
      s.async = true;
      next();
    }
    if (auto e = expect_kw("func")) return *e;
    auto params = param_list();
    if (!params) return std::move(params).error();
    s.params = std::move(*params);
    if (is(TokenKind::Arrow)) {
      next();
      if (is(TokenKind::LParen)) return err("named or multiple results are not supported in WIT");
      auto t = type(0);
      if (!t) return std::move(t).error();
      s.result = std::move(*t);
    }
    return s;
  }

  Result<std::vector<ast::NamedType>> param_list() {
    if (auto e = expect(TokenKind::LParen)) return *e;
    std::vector<ast::NamedType> params;
    while (!is(TokenKind::RParen)) {
      ast::NamedType p;
      p.loc = loc();
      auto name = id("a parameter name");
      if (!name) return std::move(name).error();
      p.name = std::move(*name);
      if (auto e = expect(TokenKind::Colon)) return *e;
      auto t = type(0);
      if (!t) return std::move(t).error();
      p.type = std::move(*t);
      params.push_back(std::move(p));
      if (!is(TokenKind::Comma)) break;
      next();
    }
    if (auto e = expect(TokenKind::RParen)) return *e;
    return params;
  }

  // A type definition item, or nullopt when the current token does not start one.
  std::optional<Result<ast::TypeDecl>> maybe_typedef() {
    if (is_kw("type")) return alias();
    if (is_kw("record")) return record();
    if (is_kw("variant")) return cases(ast::TypeDecl::Kind::Variant);
    if (is_kw("enum")) return cases(ast::TypeDecl::Kind::Enum);
    if (is_kw("flags")) return cases(ast::TypeDecl::Kind::Flags);
    if (is_kw("resource")) return resource();
    return std::nullopt;
  }

  Result<ast::TypeDecl> typedef_head(ast::TypeDecl::Kind kind) {
    ast::TypeDecl d;
    d.kind = kind;
    next();  // the keyword
    d.loc = loc();
    auto name = id("a type name");
    if (!name) return std::move(name).error();
    d.name = std::move(*name);
    return d;
  }

  Result<ast::TypeDecl> alias() {
    auto d = typedef_head(ast::TypeDecl::Kind::Alias);
    if (!d) return d;
    if (auto e = expect(TokenKind::Equals)) return *e;
    auto t = type(0);
    if (!t) return std::move(t).error();
    d->alias = std::move(*t);
    if (auto e = expect(TokenKind::Semicolon)) return *e;
    return d;
  }

  Result<ast::TypeDecl> record() {
    auto d = typedef_head(ast::TypeDecl::Kind::Record);
    if (!d) return d;
    if (auto e = expect(TokenKind::LBrace)) return *e;
    while (!is(TokenKind::RBrace)) {
      ast::NamedType f;
      f.docs = cur().docs;
      f.loc = loc();
      auto name = id("a field name");
      if (!name) return std::move(name).error();
      f.name = std::move(*name);
      if (auto e = expect(TokenKind::Colon)) return *e;
      auto t = type(0);
      if (!t) return std::move(t).error();
      f.type = std::move(*t);
      d->fields.push_back(std::move(f));
      if (!is(TokenKind::Comma)) break;
      next();
    }
    if (auto e = expect(TokenKind::RBrace)) return *e;
    if (d->fields.empty()) return err_at(t_[pos_ - 1], "a record needs at least one field");
    return d;
  }

  // variant / enum / flags: a braced, comma-separated list of names (variant cases may have a
  // payload type in parentheses).
  Result<ast::TypeDecl> cases(ast::TypeDecl::Kind kind) {
    const char* what = kind == ast::TypeDecl::Kind::Variant ? "variant"
                       : kind == ast::TypeDecl::Kind::Enum  ? "enum"
                                                            : "flags";
    auto d = typedef_head(kind);
    if (!d) return d;
    if (auto e = expect(TokenKind::LBrace)) return *e;
    std::vector<ast::Case> list;
    while (!is(TokenKind::RBrace)) {
      ast::Case c;
      c.docs = cur().docs;
      c.loc = loc();
      auto name = id(kind == ast::TypeDecl::Kind::Flags ? "a flag name" : "a case name");
      if (!name) return std::move(name).error();
      c.name = std::move(*name);
      if (is(TokenKind::LParen)) {
        if (kind != ast::TypeDecl::Kind::Variant)
          return err(std::string("cases of a ") + what + " have no payload");
        next();
        auto t = type(0);
        if (!t) return std::move(t).error();
        c.type = std::move(*t);
        if (auto e = expect(TokenKind::RParen)) return *e;
      }
      list.push_back(std::move(c));
      if (!is(TokenKind::Comma)) break;
      next();
    }
    if (auto e = expect(TokenKind::RBrace)) return *e;
    if (list.empty())
      return err_at(t_[pos_ - 1], std::string("a ") + what + " needs at least one " +
                                      (kind == ast::TypeDecl::Kind::Flags ? "flag" : "case"));
    (kind == ast::TypeDecl::Kind::Flags ? d->flags : d->cases) = std::move(list);
    return d;
  }

  Result<ast::TypeDecl> resource() {
    auto d = typedef_head(ast::TypeDecl::Kind::Resource);
    if (!d) return d;
    if (is(TokenKind::Semicolon)) {
      next();
      return d;
    }
    if (auto e = expect(TokenKind::LBrace)) return *e;
    while (!is(TokenKind::RBrace)) {
      if (is(TokenKind::End)) return err("expected `}` to close the resource");
      ast::ResourceFunc f;
      f.docs = cur().docs;
      auto gate = gates();
      if (!gate) return std::move(gate).error();
      f.gate = std::move(*gate);
      f.loc = loc();
      if (is_kw("constructor")) {
        next();
        f.kind = ast::ResourceFunc::Kind::Constructor;
        f.sig.loc = f.loc;
        auto params = param_list();
        if (!params) return std::move(params).error();
        f.sig.params = std::move(*params);
        if (is(TokenKind::Arrow)) {
          next();
          auto t = type(0);
          if (!t) return std::move(t).error();
          f.sig.result = std::move(*t);
        }
      } else {
        auto name = id("a method name or `constructor`");
        if (!name) return std::move(name).error();
        f.name = std::move(*name);
        if (auto e = expect(TokenKind::Colon)) return *e;
        if (is_kw("static")) {
          f.kind = ast::ResourceFunc::Kind::Static;
          next();
        }
        auto sig = func_sig();
        if (!sig) return std::move(sig).error();
        f.sig = std::move(*sig);
      }
      if (auto e = expect(TokenKind::Semicolon)) return *e;
      d->funcs.push_back(std::move(f));
    }
    next();
    return d;
  }

  // --- types ---
  Result<TypeExpr> type(int depth) {
    if (depth > kMaxTypeDepth) return err("type nested too deeply");
    TypeExpr t;
    t.loc = loc();
    if (!is(TokenKind::Id)) return err("expected a type, found " + found());
    if (!cur().keyword) {
      t.kind = TypeExpr::Kind::Named;
      t.name = cur().text;
      next();
      return t;
    }
    static constexpr std::pair<std::string_view, ast::Prim> prims[] = {
        {"bool", ast::Prim::Bool},    {"s8", ast::Prim::S8},   {"u8", ast::Prim::U8},
        {"s16", ast::Prim::S16},      {"u16", ast::Prim::U16}, {"s32", ast::Prim::S32},
        {"u32", ast::Prim::U32},      {"s64", ast::Prim::S64}, {"u64", ast::Prim::U64},
        {"f32", ast::Prim::F32},      {"f64", ast::Prim::F64}, {"char", ast::Prim::Char},
        {"string", ast::Prim::String}};
    std::string kw = cur().text;
    for (const auto& [name, prim] : prims) {
      if (kw == name) {
        next();
        t.prim = prim;
        return t;
      }
    }
    next();
    auto arg = [&]() -> std::optional<Error> {
      auto a = type(depth + 1);
      if (!a) return std::move(a).error();
      t.args.push_back(std::move(*a));
      return std::nullopt;
    };
    if (kw == "list") {
      t.kind = TypeExpr::Kind::List;
      if (auto e = expect(TokenKind::LAngle)) return *e;
      if (auto e = arg()) return *e;
      if (is(TokenKind::Comma)) {
        next();
        if (!is(TokenKind::Integer)) return err("expected a list length, found " + found());
        unsigned long long n = 0;
        for (char c : cur().text) {
          n = n * 10 + static_cast<unsigned>(c - '0');
          if (n > UINT32_MAX) return err("list length too large");
        }
        if (n == 0) return err("a fixed-length list needs a length of at least 1");
        t.kind = TypeExpr::Kind::FixedList;
        t.length = static_cast<uint32_t>(n);
        next();
      }
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    if (kw == "option") {
      t.kind = TypeExpr::Kind::Option;
      if (auto e = expect(TokenKind::LAngle)) return *e;
      if (auto e = arg()) return *e;
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    if (kw == "tuple") {
      t.kind = TypeExpr::Kind::Tuple;
      if (auto e = expect(TokenKind::LAngle)) return *e;
      do {
        if (is(TokenKind::RAngle) && !t.args.empty()) break;
        if (auto e = arg()) return *e;
      } while (is(TokenKind::Comma) && (next(), true));
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    if (kw == "result") {
      t.kind = TypeExpr::Kind::Result;
      if (!is(TokenKind::LAngle)) return t;
      next();
      if (is(TokenKind::Underscore)) {
        next();
        t.args.emplace_back();
        if (!is(TokenKind::Comma)) return err("`result<_>` needs an error type: `result<_, E>`");
      } else {
        if (auto e = arg()) return *e;
        t.has_ok = true;
      }
      if (is(TokenKind::Comma)) {
        next();
        if (auto e = arg()) return *e;
        t.has_err = true;
      }
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    if (kw == "map") {
      t.kind = TypeExpr::Kind::Map;
      if (auto e = expect(TokenKind::LAngle)) return *e;
      if (auto e = arg()) return *e;
      if (auto e = expect(TokenKind::Comma)) return *e;
      if (auto e = arg()) return *e;
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    if (kw == "own" || kw == "borrow") {
      t.kind = kw == "own" ? TypeExpr::Kind::Own : TypeExpr::Kind::Borrow;
      if (auto e = expect(TokenKind::LAngle)) return *e;
      auto name = id("a resource name");
      if (!name) return std::move(name).error();
      t.name = std::move(*name);
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    if (kw == "future" || kw == "stream") {
      t.kind = kw == "future" ? TypeExpr::Kind::Future : TypeExpr::Kind::Stream;
      if (!is(TokenKind::LAngle)) return t;
      next();
      if (auto e = arg()) return *e;
      if (auto e = expect(TokenKind::RAngle)) return *e;
      return t;
    }
    return err_at(t_[pos_ - 1], "expected a type, found keyword `" + kw + "`");
  }

  // --- worlds ---
  Result<ast::World> world(ast::Gate gate, std::string docs) {
    ast::World w;
    w.gate = std::move(gate);
    w.docs = std::move(docs);
    next();  // `world`
    w.loc = loc();
    auto name = id("a world name");
    if (!name) return std::move(name).error();
    w.name = std::move(*name);
    if (auto e = expect(TokenKind::LBrace)) return *e;
    while (!is(TokenKind::RBrace)) {
      if (is(TokenKind::End)) return err("expected `}` to close the world");
      ast::WorldItem item;
      item.docs = cur().docs;
      auto g = gates();
      if (!g) return std::move(g).error();
      item.gate = std::move(*g);
      if (is_kw("import") || is_kw("export")) {
        auto x = extern_item();
        if (!x) return std::move(x).error();
        item.item = std::move(*x);
      } else if (is_kw("use")) {
        auto u = use_decl();
        if (!u) return std::move(u).error();
        item.item = std::move(*u);
      } else if (is_kw("include")) {
        auto inc = include();
        if (!inc) return std::move(inc).error();
        item.item = std::move(*inc);
      } else if (auto td = maybe_typedef()) {
        if (!*td) return std::move(*td).error();
        item.item = std::move(**td);
      } else {
        return err("expected `import`, `export`, `use`, `include` or a type definition, found " +
                   found());
      }
      w.items.push_back(std::move(item));
    }
    next();
    return w;
  }

  Result<ast::Extern> extern_item() {
    ast::Extern x;
    x.is_export = is_kw("export");
    next();
    x.loc = loc();
    // `a:b/c` (no spaces around the colon) is a package path; `a: ...` names the item.
    bool package_path = is(TokenKind::Id) && ahead(1).kind == TokenKind::Colon &&
                        !ahead(1).space_before && ahead(2).kind == TokenKind::Id &&
                        !ahead(2).space_before;
    if (package_path || (is(TokenKind::Id) && ahead(1).kind != TokenKind::Colon)) {
      auto path = use_path();
      if (!path) return std::move(path).error();
      if (package_path && !path->package) return err("expected a package path");
      x.kind = ast::Extern::Kind::Path;
      x.path = std::move(*path);
      if (auto e = expect(TokenKind::Semicolon)) return *e;
      return x;
    }
    auto name = id(x.is_export ? "an export name" : "an import name");
    if (!name) return std::move(name).error();
    x.name = std::move(*name);
    if (auto e = expect(TokenKind::Colon)) return *e;
    if (is_kw("func") || is_kw("async")) {
      x.kind = ast::Extern::Kind::Func;
      auto sig = func_sig();
      if (!sig) return std::move(sig).error();
      x.sig = std::move(*sig);
      if (auto e = expect(TokenKind::Semicolon)) return *e;
      return x;
    }
    if (is_kw("interface")) {
      next();
      x.kind = ast::Extern::Kind::InlineInterface;
      auto items = interface_body();
      if (!items) return std::move(items).error();
      x.items = std::move(*items);
      return x;
    }
    auto path = use_path();
    if (!path) return std::move(path).error();
    x.kind = ast::Extern::Kind::NamedPath;
    x.path = std::move(*path);
    if (auto e = expect(TokenKind::Semicolon)) return *e;
    return x;
  }

  Result<ast::Include> include() {
    ast::Include inc;
    inc.loc = loc();
    next();  // `include`
    auto path = use_path();
    if (!path) return std::move(path).error();
    inc.path = std::move(*path);
    if (is_kw("with")) {
      next();
      if (auto e = expect(TokenKind::LBrace)) return *e;
      do {
        if (is(TokenKind::RBrace) && !inc.with.empty()) break;
        ast::IncludeName n;
        n.loc = loc();
        auto name = id();
        if (!name) return std::move(name).error();
        if (auto e = expect_kw("as")) return *e;
        auto as = id();
        if (!as) return std::move(as).error();
        n.name = std::move(*name);
        n.as = std::move(*as);
        inc.with.push_back(std::move(n));
      } while (is(TokenKind::Comma) && (next(), true));
      if (auto e = expect(TokenKind::RBrace)) return *e;
      if (is(TokenKind::Semicolon)) next();
      return inc;
    }
    if (auto e = expect(TokenKind::Semicolon)) return *e;
    return inc;
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  std::string_view file_;
  uint32_t index_;
};

}  // namespace

Result<ast::File> parse_file(std::string_view text, std::string_view file_name,
                             uint32_t file_index) {
  auto toks = lex(text, file_name);
  if (!toks) return std::move(toks).error();
  return Parser(std::move(*toks), file_name, file_index).file();
}

}  // namespace hull::wit
