// Component import/export names (Explainer.md "Import and Export Definitions", "Name
// Uniqueness", "Canonical Interface Name"; Binary.md "Import and Export Definitions"):
// parsing of `externname`, strong uniqueness, and semver-compatible matching of interface
// versions for linking.
//
// Error texts follow wasmparser's wording (the testsuite matches substrings of them):
// parse_extern_name yields the inner reason ("`aBc` is not in kebab case"), and
// validate_extern_name prefixes the "import name `aBc` is not a valid extern name: " context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"

namespace hull::component {

// A Semantic Versioning 2.0 version. `pre` and `build` exclude the leading '-' / '+'.
struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  std::string pre;    // "rc.1"
  std::string build;  // "abc.5"
  std::string to_string() const;
  bool operator==(const SemVer&) const = default;
};

// Parses a full `valid semver`. Error texts are those of Rust's `semver` crate, e.g. "empty
// string, expected a semver version", "unexpected character 'x' after minor version number",
// "empty identifier segment in build metadata".
hull::Result<SemVer> parse_semver(std::string_view text);

// SemVer precedence: <0, 0, >0. Build metadata is ignored.
int compare_semver(const SemVer& a, const SemVer& b);

// The Explainer's `canonversion` split of `v`: "1" for 1.2.3, "0.2" for 0.2.6-rc.1, "0.0.1" for
// 0.0.1-alpha (pre-release and build are part of the stripped suffix).
std::string canonical_version(const SemVer& v);

// Wasmtime's semver track ("alternate lookup key") of `v`: canonical_version(v) when `v` has
// no pre-release, otherwise "major.minor.patch-pre" (a pre-release only matches itself). Build
// metadata never matters. Two versions are interchangeable for linking iff their tracks match.
std::string version_track(const SemVer& v);

// True iff `text` matches the `canonversion` production ("1", "0.2", "0.0.3", "0.0.0").
bool is_canonversion(std::string_view text);

enum class NameKind : uint8_t {
  Label,        // `a-b-c`
  Constructor,  // `[constructor]r`
  Method,       // `[method]r.f`
  Static,       // `[static]r.f`
  Interface,    // `ns:pkg/iface@1.2.3`
};

// Feature gates for parts of the grammar marked with emoji in the Explainer.
struct NameOptions {
  bool nested_names = false;    // 🪺 `a:b:pkg/x/y` (several namespaces, several projections)
  bool canon_versions = false;  // 🔗 `ns:pkg/iface@0.2` (a bare `canonversion`)
};

struct ParsedName {
  NameKind kind = NameKind::Label;
  std::string text;      // the name as written
  std::string resource;  // Constructor/Method/Static: the resource label
  std::string label;     // Label: the label; Method/Static: the function label after '.'
  // Interface names (`ns:pkg/path@version`): `ns` is "a:b" for a nested `a:b:pkg/...`;
  // `interface` is the first projection and `path` all of them ("x/y").
  std::string ns, package, interface, path;
  std::optional<SemVer> version;  // padded with zeros when written as a bare canonversion
  std::string version_text;       // as written after '@' (without the '@')

  bool is_annotated() const {
    return kind == NameKind::Constructor || kind == NameKind::Method || kind == NameKind::Static;
  }
  // `ns:pkg/path` without the version.
  std::string interface_id() const { return ns + ":" + package + "/" + path; }
  // Explainer: an interface name is canonical iff it has no version or a canonversion.
  bool has_canonical_version() const { return !version || is_canonversion(version_text); }
};

// Parses `name` per the `externname` grammar. On failure: ErrorKind::Invalid with wasmparser's
// reason ("`x` is not in kebab case", "failed to find `.` character", "expected `/` after
// package name", "trailing characters found: `/x`", "character `A` is not lowercase in package
// name/namespace", "invalid interface version: <semver error>").
// `version_suffix` is the import/export's `(versionsuffix "...")` attribute (🔗), if any: the
// name must then be an interface name whose version is a canonversion, and canonversion+suffix
// must be a valid semver whose canonical split is that canonversion; `version` becomes the full
// version (`version_text` stays as written).
hull::Result<ParsedName> parse_extern_name(
    std::string_view name, const NameOptions& opts = {},
    std::optional<std::string_view> version_suffix = std::nullopt);

// parse_extern_name for an import/export of kind `what` ("import", "export"); failures read
// "<what> name `<name>` is not a valid extern name: <reason>".
hull::Result<ParsedName> validate_extern_name(
    std::string_view name, std::string_view what, const NameOptions& opts = {},
    std::optional<std::string_view> version_suffix = std::nullopt);

// The value of an `(implements "...")` attribute: must parse ("`x` is not a valid name:
// <reason>") and be an interface name ("name `x` must be an interface").
hull::Result<ParsedName> parse_implements(std::string_view value, const NameOptions& opts = {});
// The name carrying an `implements` attribute must be a plain label ("name `a:b/c` is not
// valid with `implements`").
hull::Result<void> check_implements_target(const ParsedName& name);

// True iff `s` is a `label` (kebab case: words / ACRONYMS joined by '-', first one starting with
// a letter). Also the rule for record/variant/flag/enum/param labels.
bool is_kebab_label(std::string_view s);
std::string ascii_lowercase(std::string_view s);

// The Explainer's strong-uniqueness canonicalization: acronyms lowercased, `[method]l.l` and
// `[static]l.l` become `l`, and `[method]`/`[static]` are stripped (`[constructor]` stays).
// Two names in one scope conflict iff their keys are equal. Interface versions are kept as
// written (they are not labels).
std::string uniqueness_key(const ParsedName& name);

// The names of one scope's imports (or exports), checked for strong uniqueness.
class NameSet {
 public:
  // Fails with "<what> name `<name>` conflicts with previous name `<prev>`".
  hull::Result<void> add(const ParsedName& name, std::string_view what);
  // The previously added name that conflicts with `name`, if any (as written).
  const std::string* find(const ParsedName& name) const;
  size_t size() const { return names_.size(); }
  void clear() { names_.clear(); }

 private:
  std::unordered_map<std::string, std::string> names_;  // uniqueness_key -> name as written
};

// --- Semver-compatible linking (Wasmtime's rule) ---

// True iff versions `provided` and `wanted` are on the same semver track (version_track), i.e.
// a host providing one may satisfy an import of the other: 0.2.3 <-> 0.2.12 and 1.2.0 <->
// 1.9.1 match, 0.2.x <-> 0.3.y, 0.0.1 <-> 0.0.2 and 1.0.0-rc.1 <-> 1.0.0 do not.
bool versions_compatible(const SemVer& provided, const SemVer& wanted);

// The lookup key under which a linker indexes a provider: for a versioned interface name
// `ns:pkg/path@<version_track>` ("wasi:cli/environment@0.2"), otherwise the name as written.
std::string version_key(const ParsedName& name);

// True iff a definition named `provided` may satisfy an import named `wanted`: equal names, or
// interface names with the same `ns:pkg/path` whose versions are compatible (both present).
bool provides(const ParsedName& provided, const ParsedName& wanted);

}  // namespace hull::component
