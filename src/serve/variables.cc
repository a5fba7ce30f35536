// Variable names, templates and their resolution (see variables.h).
#include "serve/variables.h"

#include <cstdlib>

#include "serve/manifest.h"

namespace hull::serve {

bool valid_variable_name(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z' || name.back() == '_') return false;
  char prev = 0;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok || (c == '_' && prev == '_')) return false;
    prev = c;
  }
  return true;
}

Result<std::vector<TemplatePart>> parse_template(std::string_view text) {
  std::vector<TemplatePart> parts;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      parts.push_back({false, std::string(text.substr(i))});
      break;
    }
    if (open > i) parts.push_back({false, std::string(text.substr(i, open - i))});
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Error::make(ErrorKind::Invalid, "unterminated '{{' in template \"" +
                                                 std::string(text) + "\" (close it with '}}')");
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!valid_variable_name(name)) {
      return Error::make(ErrorKind::Invalid,
                         "'" + std::string(name) + "' in template \"" + std::string(text) +
                             "\" is not a valid variable name (lower snake case, e.g. api_host)");
    }
    parts.push_back({true, std::string(name)});
    i = close + 2;
  }
  return parts;
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string variable_env_name(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  for (char c : name) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  return out;
}

VariableResolver::VariableResolver(const AppManifest& manifest, EnvLookup env)
    : manifest_(manifest), env_(std::move(env)) {}

Result<std::string> VariableResolver::app_variable(std::string_view name) const {
  const Variable* v = manifest_.variable(name);
  if (!v) {
    return Error::make(ErrorKind::Invalid, "no application variable '" + std::string(name) +
                                               "' (declare it under [variables] in " +
                                               manifest_.path + ")");
  }
  for (const char* prefix : {"HULL_VARIABLE_", "SPIN_VARIABLE_"}) {
    if (auto value = env_(variable_env_name(prefix, name))) return *value;
  }
  if (v->default_value) return *v->default_value;
  return Error::make(ErrorKind::Usage,
                     v->at.to_string() + ": variable '" + std::string(name) +
                         "' is required but not set (set the environment variable " +
                         variable_env_name("HULL_VARIABLE_", name) + ")");
}

VariableValue VariableResolver::component_variable(const Component& component,
                                                   std::string_view name) const {
  using S = VariableValue::Status;
  if (!valid_variable_name(name)) {
    return {S::invalid_name, "'" + std::string(name) + "' is not a valid variable name"};
  }
  auto it = component.variables.find(std::string(name));
  if (it == component.variables.end()) {
    return {S::undefined,
            "component '" + component.id + "' has no variable '" + std::string(name) + "'"};
  }
  auto parts = parse_template(it->second);
  if (!parts) return {S::provider_error, parts.error().message};  // checked at parse; defensive
  std::string out;
  for (const TemplatePart& p : *parts) {
    if (!p.is_variable) {
      out += p.text;
      continue;
    }
    auto value = app_variable(p.text);
    if (!value) return {S::provider_error, value.error().message};
    out += *value;
  }
  return {S::ok, std::move(out)};
}

Result<void> VariableResolver::check_required() const {
  for (const Variable& v : manifest_.variables) {
    if (auto r = app_variable(v.name); !r) return std::move(r).error();
  }
  return {};
}

}  // namespace hull::serve
