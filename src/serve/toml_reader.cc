// TOML value checking with positions (see toml_reader.h).
#include "serve/toml_reader.h"

namespace hull::serve {

std::optional<toml::Table> TomlReader::parse(std::string_view text) {
  Result<toml::Table> r = toml::parse(text);
  if (!r) {
    const Error& e = r.error();
    // The parser's reasons say what is wrong and how to fix it; the position points at it.
    diags_.error(SourcePos{file_, e.line, e.column}, "TOML syntax error: " + e.message);
    return std::nullopt;
  }
  return std::move(r).value();
}

std::optional<std::string> TomlReader::string(const toml::Value& v, std::string_view what) {
  if (const std::string* s = v.as_string()) return *s;
  diags_.error(pos(v), std::string(what) + ": expected a string, found " + type_name(v));
  return std::nullopt;
}

std::optional<bool> TomlReader::boolean(const toml::Value& v, std::string_view what) {
  if (auto b = v.as_boolean()) return b;
  diags_.error(pos(v), std::string(what) + ": expected true or false, found " + type_name(v));
  return std::nullopt;
}

std::optional<std::vector<std::string>> TomlReader::strings(const toml::Value& v,
                                                            std::string_view what) {
  const toml::Array* a = v.as_array();
  if (!a) {
    diags_.error(pos(v), std::string(what) + ": expected an array of strings, found " +
                             type_name(v) + " (write [\"...\", \"...\"])");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const toml::Value& e : *a) {
    if (auto s = string(e, std::string(what) + " element")) {
      out.push_back(std::move(*s));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

const toml::Table* TomlReader::table(const toml::Value& v, std::string_view what) {
  if (const toml::Table* t = v.as_table()) return t;
  diags_.error(pos(v), std::string(what) + ": expected a table, found " + type_name(v));
  return nullptr;
}

void TomlReader::unknown_key(const toml::Key& k, std::string_view where, std::string_view known) {
  diags_.warn(pos(k), "unknown key '" + k.name + "' in " + std::string(where) +
                          " is ignored (check its spelling; known keys: " + std::string(known) +
                          ")");
}

}  // namespace hull::serve
