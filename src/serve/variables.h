// Application variables and the templates components use to read them: `[variables]` declares
// them (default / required / secret); a component's `variables` maps its own names to
// templates such as "{{ api_host }}/v1". Values come from the environment
// (HULL_VARIABLE_<NAME>, then Spin's SPIN_VARIABLE_<NAME>) or the default.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hull::serve {

struct AppManifest;
struct Component;

// A variable name as Spin allows it: lower snake case, starting with a letter
// ("api_host", "token2"); no double or trailing underscore.
bool valid_variable_name(std::string_view name);

// A template split into literal text and `{{ name }}` references.
struct TemplatePart {
  bool is_variable = false;
  std::string text;  // the literal, or the variable name
};
// Errors say what is wrong ("unterminated '{{'", "'X' is not a valid variable name").
Result<std::vector<TemplatePart>> parse_template(std::string_view text);

// Reads an environment variable; nullopt when unset. Tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// The outcome of a component's variables.get(name), mapped onto the interfaces' error cases.
struct VariableValue {
  enum class Status : uint8_t { ok, invalid_name, undefined, provider_error };
  Status status = Status::ok;
  std::string text;  // the value, or the reason
};

class VariableResolver {
 public:
  explicit VariableResolver(const AppManifest& manifest, EnvLookup env = process_environment());
  // The value of an application variable: the environment, else its default; an error for a
  // required variable that is not set (naming the environment variable to set).
  Result<std::string> app_variable(std::string_view name) const;
  // A component's variable: its template with every reference replaced.
  VariableValue component_variable(const Component& component, std::string_view name) const;
  // Every required variable has a value (checked at start-up, so a request never finds out).
  Result<void> check_required() const;

 private:
  const AppManifest& manifest_;
  EnvLookup env_;
};

// "api_host" -> "HULL_VARIABLE_API_HOST" (or with the SPIN_ prefix).
std::string variable_env_name(std::string_view prefix, std::string_view name);

}  // namespace hull::serve
