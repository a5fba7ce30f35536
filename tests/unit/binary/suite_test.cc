// Runs every `(module binary ...)` of the spec testsuite through decode_module: the ones in
// assert_malformed must be rejected (with the expected message when the fault is at the section
// level), all others must decode.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/reader.h"
#include "binary/decoder.h"
#include "binary/expr_scan.h"

namespace hull {
namespace {

namespace fs = std::filesystem;

// A tiny S-expression reader for .wast: lists, atoms, strings (decoded to bytes).
struct SExpr {
  enum Kind { List, Atom, String } kind = List;
  std::string text;  // Atom text or decoded String bytes
  std::vector<SExpr> items;
  int line = 0;
};

class WastParser {
 public:
  explicit WastParser(std::string src) : s_(std::move(src)) {}

  bool parse_all(std::vector<SExpr>* out, std::string* err) {
    // Iterative, with an explicit stack of open lists.
    std::vector<SExpr> stack;
    stack.emplace_back();
    for (;;) {
      skip_space();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '(') {
        ++i_;
        SExpr e;
        e.line = line_;
        stack.push_back(std::move(e));
      } else if (c == ')') {
        ++i_;
        if (stack.size() < 2) return fail("unbalanced ')'", err);
        SExpr e = std::move(stack.back());
        stack.pop_back();
        stack.back().items.push_back(std::move(e));
      } else if (c == '"') {
        SExpr e;
        e.kind = SExpr::String;
        e.line = line_;
        if (!string(&e.text)) return fail("bad string", err);
        stack.back().items.push_back(std::move(e));
      } else {
        SExpr e;
        e.kind = SExpr::Atom;
        e.line = line_;
        while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) &&
               s_[i_] != '(' && s_[i_] != ')' && s_[i_] != '"' && s_[i_] != ';') {
          e.text += s_[i_++];
        }
        if (e.text.empty()) e.text += s_[i_++];
        stack.back().items.push_back(std::move(e));
      }
    }
    if (stack.size() != 1) return fail("unbalanced '('", err);
    *out = std::move(stack.back().items);
    return true;
  }

 private:
  bool fail(const char* m, std::string* err) {
    *err = std::string(m) + " at line " + std::to_string(line_);
    return false;
  }
  void skip_space() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (c == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (c == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        int depth = 0;
        while (i_ + 1 < s_.size()) {
          if (s_[i_] == '(' && s_[i_ + 1] == ';') {
            ++depth;
            i_ += 2;
          } else if (s_[i_] == ';' && s_[i_ + 1] == ')') {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            if (s_[i_] == '\n') ++line_;
            ++i_;
          }
        }
      } else {
        break;
      }
    }
  }
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool string(std::string* out) {
    ++i_;  // opening quote
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\n') ++line_;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': *out += '\n'; break;
        case 't': *out += '\t'; break;
        case 'r': *out += '\r'; break;
        case '\\': *out += '\\'; break;
        case '\'': *out += '\''; break;
        case '"': *out += '"'; break;
        case 'u': {
          if (i_ >= s_.size() || s_[i_] != '{') return false;
          uint32_t cp = 0;
          for (++i_; i_ < s_.size() && s_[i_] != '}'; ++i_) {
            if (s_[i_] == '_') continue;
            int h = hex(s_[i_]);
            if (h < 0) return false;
            cp = cp * 16 + static_cast<uint32_t>(h);
          }
          ++i_;
          if (cp < 0x80) {
            *out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            *out += static_cast<char>(0xC0 | (cp >> 6));
            *out += static_cast<char>(0x80 | (cp & 0x3F));
          } else if (cp < 0x10000) {
            *out += static_cast<char>(0xE0 | (cp >> 12));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            *out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            *out += static_cast<char>(0xF0 | (cp >> 18));
            *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            *out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: {
          int h1 = hex(e), h2 = i_ < s_.size() ? hex(s_[i_]) : -1;
          if (h1 < 0 || h2 < 0) return false;
          ++i_;
          *out += static_cast<char>(h1 * 16 + h2);
        }
      }
    }
    if (i_ >= s_.size()) return false;
    ++i_;  // closing quote
    return true;
  }

  std::string s_;
  size_t i_ = 0;
  int line_ = 1;
};

// If `e` is (module [definition|instance] [$id] binary "..."*), its bytes.
bool binary_module(const SExpr& e, std::string* bytes) {
  if (e.kind != SExpr::List || e.items.empty() || e.items[0].kind != SExpr::Atom ||
      e.items[0].text != "module") {
    return false;
  }
  size_t k = 1;
  while (k < e.items.size() && e.items[k].kind == SExpr::Atom &&
         (e.items[k].text == "definition" || e.items[k].text[0] == '$')) {
    ++k;
  }
  if (k >= e.items.size() || e.items[k].kind != SExpr::Atom || e.items[k].text != "binary") {
    return false;
  }
  bytes->clear();
  for (++k; k < e.items.size(); ++k) {
    if (e.items[k].kind != SExpr::String) return false;
    *bytes += e.items[k].text;
  }
  return true;
}

fs::path testsuite_dir() {
  if (const char* env = std::getenv("HULL_TESTSUITE")) return env;
  return HULL_DEFAULT_TESTSUITE;
}

// Checks the structure of every function body (the validator's job, done here only to tell
// body-level malformations, which decode_module leaves alone, from real misses).
bool bodies_well_formed(const ModuleDesc& m) {
  for (const FuncBody& b : m.bodies) {
    Reader r(m.bytes.data() + b.code.begin, b.code.size(), b.code.begin);
    if (!skip_const_expr(r) || !r.at_end()) return false;
  }
  return true;
}

struct Counts {
  int malformed = 0, rejected = 0, body_level = 0, valid = 0;
};

void run_file(const fs::path& path, Counts* counts) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  WastParser parser(ss.str());
  std::vector<SExpr> cmds;
  std::string err;
  ASSERT_TRUE(parser.parse_all(&cmds, &err)) << path << ": " << err;
  std::string bytes;
  auto span_of = [&] {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                    bytes.size());
  };
  for (const SExpr& c : cmds) {
    if (c.kind != SExpr::List || c.items.empty()) continue;
    std::string where = path.filename().string() + ":" + std::to_string(c.line);
    const std::string& head = c.items[0].text;
    if (binary_module(c, &bytes)) {
      auto r = decode_module(span_of());
      EXPECT_TRUE(r.ok()) << where << ": " << r.error().to_string();
      ++counts->valid;
      continue;
    }
    if (c.items.size() < 2 || !binary_module(c.items[1], &bytes)) continue;
    auto r = decode_module(span_of());
    if (head == "assert_malformed") {
      ++counts->malformed;
      ASSERT_GE(c.items.size(), 3u) << where;
      const std::string& expected = c.items[2].text;
      if (r.ok()) {
        // Acceptable only when the fault is inside a function body, or is the rule that
        // memory.init/data.drop need a data count section: both are the validator's job.
        if (expected == "data count section required") {
          EXPECT_FALSE(r->data_count.has_value()) << where;
        } else {
          EXPECT_FALSE(bodies_well_formed(*r))
              << where << ": accepted, expected \"" << expected << "\"";
        }
        ++counts->body_level;
        if (std::getenv("HULL_VERBOSE")) {
          std::printf("body-level: %s \"%s\"\n", where.c_str(), expected.c_str());
        }
        continue;
      }
      ++counts->rejected;
      EXPECT_EQ(r.error().kind, ErrorKind::Malformed) << where;
      // The one alias of the binary format (tools/hull/wast_messages.cc): the core suite
      // predates custom-page-sizes, whose limits flag 0x08 Hull decodes.
      if (expected == "malformed limits flags" &&
          r.error().message.starts_with(
              "unexpected end of section or function: memory limits flag 0x08"))
        continue;
      // The reference runner matches messages by prefix.
      EXPECT_EQ(r.error().message.compare(0, expected.size(), expected), 0)
          << where << ": got \"" << r.error().message << "\", expected \"" << expected << "\"";
    } else {
      // assert_invalid / assert_unlinkable / assert_trap ...: decoding must succeed.
      EXPECT_TRUE(r.ok()) << where << " (" << head << "): " << r.error().to_string();
      ++counts->valid;
    }
  }
}

TEST(SpecSuite, BinaryModules) {
  fs::path dir = testsuite_dir() / "core";
  ASSERT_TRUE(fs::is_directory(dir))
      << "spec testsuite not found at " << dir << " (set HULL_TESTSUITE)";
  std::vector<fs::path> files;
  for (const auto& sub : {dir, dir / "custom", dir / "proposals" / "threads"}) {
    if (!fs::is_directory(sub)) continue;
    for (const auto& ent : fs::directory_iterator(sub)) {
      if (ent.path().extension() == ".wast") files.push_back(ent.path());
    }
  }
  ASSERT_GT(files.size(), 100u);
  Counts counts;
  for (const auto& f : files) run_file(f, &counts);
  // Sanity: the suite really exercised the decoder.
  EXPECT_GT(counts.malformed, 600);
  EXPECT_GT(counts.valid, 50);
  std::printf("binary modules: %d decodable, %d malformed (%d rejected, %d body-level)\n",
              counts.valid, counts.malformed, counts.rejected, counts.body_level);
}

}  // namespace
}  // namespace hull
