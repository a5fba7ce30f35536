// Component import/export names: the `externname` grammar, strong uniqueness and semver tracks.
#include "component/valid/names.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace hull::component {
namespace {

hull::Error fail(std::string msg) { return hull::Error::invalid(std::move(msg)); }

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_kebab_char(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '-'; }

// ---- semver (messages as Rust's `semver` crate prints them) ----

enum class Pos { Major, Minor, Patch, Pre, Build };

const char* pos_name(Pos p) {
  switch (p) {
    case Pos::Major: return "major version number";
    case Pos::Minor: return "minor version number";
    case Pos::Patch: return "patch version number";
    case Pos::Pre: return "pre-release identifier";
    case Pos::Build: return "build metadata";
  }
  return "";
}

// The first UTF-8 character of `s` quoted like Rust's `{:?}` for a char: 'x', '\'', '\n'.
std::string quoted_char(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  switch (c) {
    case '\0': return "'\\0'";
    case '\t': return "'\\t'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\'': return "'\\''";
    case '\\': return "'\\\\'";
    default: break;
  }
  if (c < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "'\\u{%x}'", c);
    return buf;
  }
  size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  return "'" + std::string(s.substr(0, std::min(len, s.size()))) + "'";
}

hull::Error unexpected(std::string_view rest, Pos p, bool after) {
  if (rest.empty())
    return fail(std::string("unexpected end of input while parsing ") + pos_name(p));
  return fail("unexpected character " + quoted_char(rest) +
              (after ? " after " : " while parsing ") + pos_name(p));
}

hull::Result<uint64_t> numeric(std::string_view& s, Pos p) {
  size_t n = 0;
  uint64_t v = 0;
  while (n < s.size() && is_digit(s[n])) {
    if (n > 0 && v == 0) return fail(std::string("invalid leading zero in ") + pos_name(p));
    uint64_t d = static_cast<uint64_t>(s[n] - '0');
    if (v > (UINT64_MAX - d) / 10)
      return fail(std::string("value of ") + pos_name(p) + " exceeds u64::MAX");
    v = v * 10 + d;
    ++n;
  }
  if (n == 0) return unexpected(s, p, false);
  s.remove_prefix(n);
  return v;
}

hull::Result<void> dot(std::string_view& s, Pos p) {
  if (s.empty() || s[0] != '.') return unexpected(s, p, true);
  s.remove_prefix(1);
  return {};
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric pre-release identifiers have no leading 0.
hull::Result<std::string> identifiers(std::string_view& s, Pos p) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    bool nondigit = false;
    while (i < s.size() && (is_kebab_char(s[i]))) nondigit |= !is_digit(s[i++]);
    size_t len = i - start;
    if (len == 0) return fail(std::string("empty identifier segment in ") + pos_name(p));
    if (p == Pos::Pre && len > 1 && !nondigit && s[start] == '0')
      return fail(std::string("invalid leading zero in ") + pos_name(p));
    if (i < s.size() && s[i] == '.') {
      ++i;
      continue;
    }
    std::string out(s.substr(0, i));
    s.remove_prefix(i);
    return out;
  }
}

// Compares dot-separated pre-release identifiers per SemVer precedence.
int compare_pre(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : a.empty() ? 1 : -1;
  for (;;) {
    size_t da = std::min(a.find('.'), a.size()), db = std::min(b.find('.'), b.size());
    std::string_view x = a.substr(0, da), y = b.substr(0, db);
    bool nx = std::all_of(x.begin(), x.end(), is_digit),
         ny = std::all_of(y.begin(), y.end(), is_digit);
    int c = 0;
    if (nx && ny)
      c = x.size() != y.size() ? (x.size() < y.size() ? -1 : 1) : x.compare(y);
    else if (nx != ny)
      c = nx ? -1 : 1;
    else
      c = x.compare(y);
    if (c != 0) return c < 0 ? -1 : 1;
    bool ea = da == a.size(), eb = db == b.size();
    if (ea || eb) return ea == eb ? 0 : ea ? -1 : 1;
    a.remove_prefix(da + 1);
    b.remove_prefix(db + 1);
  }
}

// ---- externname ----

hull::Result<void> kebab(std::string_view s) {
  if (!is_kebab_label(s)) return fail("`" + std::string(s) + "` is not in kebab case");
  return {};
}

// The parser state: the unconsumed rest of the name.
struct Cursor {
  std::string_view next;

  bool eat(std::string_view prefix) {
    if (!next.starts_with(prefix)) return false;
    next.remove_prefix(prefix.size());
    return true;
  }
  hull::Result<void> expect(std::string_view prefix) {
    if (eat(prefix)) return {};
    return fail("expected `" + std::string(prefix) + "` at `" + std::string(next) + "`");
  }
  std::string_view rest() { return std::exchange(next, std::string_view()); }
  // The longest prefix of kebab characters, which must form a label.
  hull::Result<std::string> take_label() {
    size_t n = 0;
    while (n < next.size() && is_kebab_char(next[n])) ++n;
    std::string_view s = next.substr(0, n);
    next.remove_prefix(n);
    HULL_TRY(kebab(s));
    return std::string(s);
  }
  // A namespace or package name: a label without uppercase letters (`words`).
  hull::Result<std::string> take_words() {
    HULL_ASSIGN_OR_RETURN(std::string s, take_label());
    for (char c : s)
      if (is_upper(c))
        return fail(std::string("character `") + c +
                    "` is not lowercase in package name/namespace");
    return s;
  }
};

// `[method]r.f` / `[static]r.f` after the annotation.
hull::Result<void> resource_func(Cursor& c, ParsedName& out) {
  size_t d = c.next.find('.');
  if (d == std::string_view::npos) return fail("failed to find `.` character");
  out.resource = std::string(c.next.substr(0, d));
  HULL_TRY(kebab(out.resource));
  c.next.remove_prefix(d + 1);
  out.label = std::string(c.rest());
  return kebab(out.label);
}

hull::Result<void> interface_name(Cursor& c, ParsedName& out, const NameOptions& opts) {
  HULL_ASSIGN_OR_RETURN(out.ns, c.take_words());
  HULL_TRY(c.expect(":"));
  HULL_ASSIGN_OR_RETURN(out.package, c.take_words());
  while (opts.nested_names && c.eat(":")) {
    HULL_ASSIGN_OR_RETURN(std::string more, c.take_words());
    out.ns += ":" + out.package;
    out.package = std::move(more);
  }
  if (!c.eat("/")) return fail("expected `/` after package name");
  HULL_ASSIGN_OR_RETURN(out.interface, c.take_label());
  out.path = out.interface;
  while (opts.nested_names && c.eat("/")) {
    HULL_ASSIGN_OR_RETURN(std::string more, c.take_label());
    out.path += "/" + more;
  }
  if (c.eat("@")) out.version_text = std::string(c.rest());
  return {};
}

// Gives `out.version` from `out.version_text` and the `versionsuffix` attribute, if any.
hull::Result<void> resolve_version(ParsedName& out, const NameOptions& opts,
                                   std::optional<std::string_view> suffix) {
  bool versioned = out.kind == NameKind::Interface && out.text.find('@') != std::string::npos;
  bool canon = versioned && is_canonversion(out.version_text);
  if (suffix) {
    if (!canon)
      return fail("name `" + out.text +
                  "` must have a canonical interface version to have a `versionsuffix`");
    std::string full = out.version_text + std::string(*suffix);
    auto v = parse_semver(full);
    if (!v.ok()) return fail("invalid interface version: " + v.error().message);
    if (canonical_version(*v) != out.version_text)
      return fail("invalid interface version: `" + full + "` does not have canonical version `" +
                  out.version_text + "`");
    out.version = std::move(v).value();
    return {};
  }
  if (!versioned) return {};
  auto v = parse_semver(out.version_text);
  if (v.ok()) {
    out.version = std::move(v).value();
  } else if (opts.canon_versions && canon) {
    std::string padded = out.version_text;
    for (auto dots = std::count(padded.begin(), padded.end(), '.'); dots < 2; ++dots)
      padded += ".0";
    out.version = *parse_semver(padded);
  } else {
    return fail("invalid interface version: " + v.error().message);
  }
  return {};
}

}  // namespace

std::string SemVer::to_string() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!pre.empty()) s += "-" + pre;
  if (!build.empty()) s += "+" + build;
  return s;
}

hull::Result<SemVer> parse_semver(std::string_view s) {
  if (s.empty()) return fail("empty string, expected a semver version");
  SemVer v;
  HULL_ASSIGN_OR_RETURN(v.major, numeric(s, Pos::Major));
  HULL_TRY(dot(s, Pos::Major));
  HULL_ASSIGN_OR_RETURN(v.minor, numeric(s, Pos::Minor));
  HULL_TRY(dot(s, Pos::Minor));
  HULL_ASSIGN_OR_RETURN(v.patch, numeric(s, Pos::Patch));
  Pos last = Pos::Patch;
  if (s.starts_with('-')) {
    s.remove_prefix(1);
    last = Pos::Pre;
    HULL_ASSIGN_OR_RETURN(v.pre, identifiers(s, Pos::Pre));
  }
  if (s.starts_with('+')) {
    s.remove_prefix(1);
    last = Pos::Build;
    HULL_ASSIGN_OR_RETURN(v.build, identifiers(s, Pos::Build));
  }
  if (!s.empty()) return unexpected(s, last, true);
  return v;
}

int compare_semver(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  return compare_pre(a.pre, b.pre);
}

std::string canonical_version(const SemVer& v) {
  if (v.major > 0) return std::to_string(v.major);
  if (v.minor > 0) return "0." + std::to_string(v.minor);
  return "0.0." + std::to_string(v.patch);
}

std::string version_track(const SemVer& v) {
  if (v.pre.empty()) return canonical_version(v);
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch) +
         "-" + v.pre;
}

bool is_canonversion(std::string_view s) {
  auto number = [](std::string_view n) {  // [1-9][0-9]*
    return !n.empty() && n[0] != '0' && std::all_of(n.begin(), n.end(), is_digit);
  };
  if (s == "0.0.0") return true;
  if (s.starts_with("0.0.")) return number(s.substr(4));
  if (s.starts_with("0.")) return number(s.substr(2));
  return number(s);
}

bool is_kebab_label(std::string_view s) {
  if (s.empty()) return false;
  bool first = true;
  for (;;) {
    size_t n = std::min(s.find('-'), s.size());
    std::string_view frag = s.substr(0, n);
    if (frag.empty() || (first && !is_lower(frag[0]) && !is_upper(frag[0]))) return false;
    bool has_lower = false, has_upper = false;
    for (char c : frag) {
      if (!is_lower(c) && !is_upper(c) && !is_digit(c)) return false;
      has_lower |= is_lower(c);
      has_upper |= is_upper(c);
    }
    if (has_lower && has_upper) return false;
    if (n == s.size()) return true;
    s.remove_prefix(n + 1);
    first = false;
  }
}

std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  return out;
}

hull::Result<ParsedName> parse_extern_name(std::string_view name, const NameOptions& opts,
                                           std::optional<std::string_view> version_suffix) {
  ParsedName out;
  out.text = std::string(name);
  Cursor c{name};
  if (c.eat("[constructor]")) {
    out.kind = NameKind::Constructor;
    out.resource = std::string(c.rest());
    HULL_TRY(kebab(out.resource));
  } else if (c.eat("[method]")) {
    out.kind = NameKind::Method;
    HULL_TRY(resource_func(c, out));
  } else if (c.eat("[static]")) {
    out.kind = NameKind::Static;
    HULL_TRY(resource_func(c, out));
  } else if (name.find(':') != std::string_view::npos) {
    out.kind = NameKind::Interface;
    HULL_TRY(interface_name(c, out, opts));
  } else {
    out.label = std::string(c.rest());
    HULL_TRY(kebab(out.label));
  }
  if (!c.next.empty()) return fail("trailing characters found: `" + std::string(c.next) + "`");
  HULL_TRY(resolve_version(out, opts, version_suffix));
  return out;
}

hull::Result<ParsedName> validate_extern_name(std::string_view name, std::string_view what,
                                              const NameOptions& opts,
                                              std::optional<std::string_view> version_suffix) {
  auto r = parse_extern_name(name, opts, version_suffix);
  if (r.ok()) return r;
  return fail(std::string(what) + " name `" + std::string(name) +
              "` is not a valid extern name: " + r.error().message);
}

hull::Result<ParsedName> parse_implements(std::string_view value, const NameOptions& opts) {
  auto r = parse_extern_name(value, opts);
  if (!r.ok())
    return fail("`" + std::string(value) + "` is not a valid name: " + r.error().message);
  if (r->kind != NameKind::Interface)
    return fail("name `" + std::string(value) + "` must be an interface");
  return r;
}

hull::Result<void> check_implements_target(const ParsedName& name) {
  if (name.kind != NameKind::Label)
    return fail("name `" + name.text + "` is not valid with `implements`");
  return {};
}

std::string uniqueness_key(const ParsedName& n) {
  switch (n.kind) {
    case NameKind::Label: return ascii_lowercase(n.label);
    case NameKind::Constructor: return "[constructor]" + ascii_lowercase(n.resource);
    case NameKind::Method:
    case NameKind::Static: {
      std::string r = ascii_lowercase(n.resource), f = ascii_lowercase(n.label);
      return r == f ? r : r + "." + f;
    }
    case NameKind::Interface: {
      std::string key = ascii_lowercase(n.interface_id());
      if (n.version) key += "@" + n.version_text;
      return key;
    }
  }
  return n.text;
}

hull::Result<void> NameSet::add(const ParsedName& name, std::string_view what) {
  auto [it, inserted] = names_.try_emplace(uniqueness_key(name), name.text);
  if (inserted) return {};
  return fail(std::string(what) + " name `" + name.text + "` conflicts with previous name `" +
              it->second + "`");
}

const std::string* NameSet::find(const ParsedName& name) const {
  auto it = names_.find(uniqueness_key(name));
  return it == names_.end() ? nullptr : &it->second;
}

bool versions_compatible(const SemVer& provided, const SemVer& wanted) {
  return version_track(provided) == version_track(wanted);
}

std::string version_key(const ParsedName& name) {
  if (name.kind != NameKind::Interface || !name.version) return name.text;
  return name.interface_id() + "@" + version_track(*name.version);
}

bool provides(const ParsedName& provided, const ParsedName& wanted) {
  return provided.text == wanted.text || version_key(provided) == version_key(wanted);
}

}  // namespace hull::component
