// Recognising and loading component files for the CLI.
#include <cstdio>
#include <string_view>

#include "component_cli.h"
#include "file_util.h"
#include "hull/component.hh"
#include "text/component.h"

namespace hull::cli {

namespace {

// Enough of a text file to get past a licence header or a long leading comment.
constexpr size_t kPeekBytes = 64 << 10;

// The text after leading whitespace, `;;` line comments and nested `(; ;)` block comments.
std::string_view skip_wat_trivia(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (s.substr(i, 2) == ";;") {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.substr(i, 2) == "(;") {
      int depth = 0;
      while (i < s.size()) {
        if (s.substr(i, 2) == "(;") {
          ++depth;
          i += 2;
        } else if (s.substr(i, 2) == ";)") {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  return s.substr(i);
}

bool starts_component_text(std::string_view text) {
  std::string_view s = skip_wat_trivia(text);
  if (s.empty() || s[0] != '(') return false;
  s = skip_wat_trivia(s.substr(1));
  constexpr std::string_view kw = "component";
  if (s.substr(0, kw.size()) != kw) return false;
  // `(component` and not e.g. `(components`: the keyword ends at a space, `(`, `)` or `;`.
  return s.size() == kw.size() ||
         std::string_view(" \t\r\n();$").find(s[kw.size()]) != std::string_view::npos;
}

}  // namespace

bool is_component_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  // A binary is told by its 8-byte preamble; only text needs more (past leading comments).
  std::string head(8, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), f));
  const bool binary = head.size() >= 4 && head.compare(0, 4, std::string_view("\0asm", 4)) == 0;
  if (!binary && head.size() == 8) {
    head.resize(kPeekBytes);
    head.resize(8 + std::fread(head.data() + 8, 1, head.size() - 8, f));
  }
  std::fclose(f);
  if (binary) {
    const auto* p = reinterpret_cast<const uint8_t*>(head.data());
    return api::component::Component::is_component({p, head.size()});
  }
  return starts_component_text(head);
}

Result<std::vector<uint8_t>> read_component_bytes(const std::string& path) {
  HULL_ASSIGN_OR_RETURN(std::string data, read_file(path));
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  if (api::component::Component::is_component({p, data.size()}))
    return std::vector<uint8_t>(p, p + data.size());
  auto enc = text::component_to_binary(data);
  if (!enc) {
    return Error::make(enc.error().kind,
                       path + ": not a valid component text: " + enc.error().to_string());
  }
  return std::move(*enc);
}

}  // namespace hull::cli
