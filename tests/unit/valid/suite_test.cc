// Runs the spec testsuite's modules through decode + validate: every module in assert_invalid
// must be rejected as invalid with the expected message (a prefix match, as the reference
// harness does), every plain module must validate, and binary modules in assert_malformed that
// the decoder accepts must be rejected by the body decoder. Text modules need hull_text.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "binary/decoder.h"
#include "valid/validator.h"
#ifdef HULL_HAVE_TEXT
#include "text/wat.h"
#endif

namespace hull {
namespace {

namespace fs = std::filesystem;

// Minimal .wast S-expression reader that keeps each list's source span (text modules are
// handed to the text parser as source).
struct Node {
  enum Kind { List, Atom, Str } kind = List;
  std::string text;  // atom text / decoded string bytes
  size_t begin = 0, end = 0;
  int line = 0;
  std::vector<Node> items;
};

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  bool read_all(std::vector<Node>* out) {
    std::vector<Node> stack(1);
    for (;;) {
      skip();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '(') {
        Node n;
        n.begin = i_++;
        n.line = line_;
        stack.push_back(std::move(n));
      } else if (c == ')') {
        if (stack.size() < 2) return false;
        Node n = std::move(stack.back());
        stack.pop_back();
        n.end = ++i_;
        stack.back().items.push_back(std::move(n));
      } else if (c == '"') {
        Node n;
        n.kind = Node::Str;
        n.begin = i_;
        if (!str(&n.text)) return false;
        n.end = i_;
        stack.back().items.push_back(std::move(n));
      } else {
        Node n;
        n.kind = Node::Atom;
        n.begin = i_;
        while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) &&
               s_[i_] != '(' && s_[i_] != ')' && s_[i_] != '"' && s_[i_] != ';')
          n.text += s_[i_++];
        if (n.text.empty()) n.text += s_[i_++];
        n.end = i_;
        stack.back().items.push_back(std::move(n));
      }
    }
    if (stack.size() != 1) return false;
    *out = std::move(stack[0].items);
    return true;
  }

 private:
  void skip() {
    for (;;) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) {
        if (s_[i_] == '\n') ++line_;
        ++i_;
      }
      if (s_.compare(i_, 2, ";;") == 0) {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (s_.compare(i_, 2, "(;") == 0) {
        int depth = 0;
        while (i_ < s_.size()) {
          if (s_.compare(i_, 2, "(;") == 0) {
            ++depth;
            i_ += 2;
          } else if (s_.compare(i_, 2, ";)") == 0) {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            if (s_[i_] == '\n') ++line_;
            ++i_;
          }
        }
      } else {
        return;
      }
    }
  }
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool str(std::string* out) {
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\n') ++line_;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case '"': out->push_back('"'); break;
        case '\'': out->push_back('\''); break;
        case '\\': out->push_back('\\'); break;
        case 'u': {  // \u{XXXX}: encode as UTF-8
          size_t close = s_.find('}', i_);
          if (close == std::string::npos) return false;
          uint32_t cp = static_cast<uint32_t>(std::stoul(s_.substr(i_ + 1, close - i_ - 1), 0, 16));
          i_ = close + 1;
          if (cp < 0x80) {
            out->push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: {
          int h = hex(e), l = i_ < s_.size() ? hex(s_[i_]) : -1;
          if (h < 0 || l < 0) return false;
          ++i_;
          out->push_back(static_cast<char>(h * 16 + l));
        }
      }
    }
    if (i_ >= s_.size()) return false;
    ++i_;
    return true;
  }

  const std::string& s_;
  size_t i_ = 0;
  int line_ = 1;
};

enum class Got { Binary, NoText, TextError };

// The binary of a `(module ...)` node: `binary` strings directly, text via the text parser.
Got module_bytes(const std::string& src, const Node& mod, std::vector<uint8_t>* out) {
  size_t k = 1;
  if (k < mod.items.size() && mod.items[k].kind == Node::Atom && mod.items[k].text == "definition")
    ++k;
  if (k < mod.items.size() && mod.items[k].kind == Node::Atom && mod.items[k].text[0] == '$') ++k;
  if (k < mod.items.size() && mod.items[k].kind == Node::Atom && mod.items[k].text == "binary") {
    out->clear();
    for (size_t j = k + 1; j < mod.items.size(); ++j)
      out->insert(out->end(), mod.items[j].text.begin(), mod.items[j].text.end());
    return Got::Binary;
  }
#ifdef HULL_HAVE_TEXT
  std::string text;
  if (k < mod.items.size() && mod.items[k].kind == Node::Atom && mod.items[k].text == "quote") {
    for (size_t j = k + 1; j < mod.items.size(); ++j) text += mod.items[j].text + " ";
  } else if (k < mod.items.size()) {
    // Drop `definition` / the module name: the fields alone are a module.
    text = src.substr(mod.items[k].begin, mod.end - 1 - mod.items[k].begin);
  }
  auto r = text::wat_to_binary(text);
  if (!r.ok()) return Got::TextError;
  *out = std::move(r).value();
  return Got::Binary;
#else
  (void)src;
  return Got::NoText;
#endif
}

struct Stats {
  int checked = 0, skipped_text = 0, decode_failed = 0, invalid_checked = 0;
  std::vector<std::string> skipped;
  std::vector<std::string> failures;
  std::vector<ModuleDesc>* keep_valid = nullptr;  // collects the valid decoded modules
};

void run_file(const fs::path& path, Stats* st) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string src = ss.str();
  std::vector<Node> cmds;
  if (!Reader(src).read_all(&cmds)) {
    st->failures.push_back(path.filename().string() + ": cannot read");
    return;
  }
  const std::string file = path.filename().string();
  for (const Node& cmd : cmds) {
    if (cmd.kind != Node::List || cmd.items.empty()) continue;
    const std::string& head = cmd.items[0].text;
    const Node* mod = nullptr;
    enum { Valid, Invalid, Malformed } expect = Valid;
    std::string msg;
    if (head == "module") {
      if (cmd.items.size() > 1 && cmd.items[1].text == "instance") continue;
      mod = &cmd;
    } else if ((head == "assert_invalid" || head == "assert_malformed" ||
                head == "assert_unlinkable" || head == "assert_uninstantiable" ||
                head == "assert_trap") &&
               cmd.items.size() >= 3 && cmd.items[1].kind == Node::List &&
               !cmd.items[1].items.empty() && cmd.items[1].items[0].text == "module") {
      mod = &cmd.items[1];
      msg = cmd.items[2].text;
      if (head == "assert_invalid") expect = Invalid;
      if (head == "assert_malformed") expect = Malformed;
    }
    if (!mod) continue;
    // Malformed text modules are the text parser's business.
    if (expect == Malformed && !(mod->items.size() > 1 && mod->items[1].text == "binary")) continue;
    std::vector<uint8_t> bytes;
    Got g = module_bytes(src, *mod, &bytes);
    if (g != Got::Binary) {
      ++st->skipped_text;
      st->skipped.push_back(file + ":" + std::to_string(mod->line));
      continue;
    }
    auto dm = decode_module(bytes);
    if (!dm.ok()) {
      if (expect != Malformed) ++st->decode_failed;
      continue;
    }
    ++st->checked;
    if (expect == Invalid) ++st->invalid_checked;
    Status s = validate_module(*dm);
    const std::string where = file + ":" + std::to_string(mod->line) + ": ";
    switch (expect) {
      case Valid:
        if (!s.ok())
          st->failures.push_back(where + "valid module rejected: " + s.error().to_string());
        else if (st->keep_valid)
          st->keep_valid->push_back(std::move(*dm));
        break;
      case Invalid:
        if (s.ok()) {
          st->failures.push_back(where + "invalid module accepted (expected \"" + msg + "\")");
        } else if (s.error().kind != ErrorKind::Invalid ||
                   s.error().message.compare(0, msg.size(), msg) != 0) {
          st->failures.push_back(where + "expected invalid \"" + msg + "\", got " +
                                 error_kind_name(s.error().kind) + " \"" + s.error().message +
                                 "\"");
        }
        break;
      case Malformed:
        if (s.ok()) {
          st->failures.push_back(where + "malformed module accepted (expected \"" + msg + "\")");
        } else if (s.error().kind != ErrorKind::Malformed ||
                   s.error().message.compare(0, msg.size(), msg) != 0) {
          st->failures.push_back(where + "expected malformed \"" + msg + "\", got " +
                                 error_kind_name(s.error().kind) + " \"" + s.error().message +
                                 "\"");
        }
        break;
    }
  }
}

std::vector<fs::path> suite_files() {
  const char* env = std::getenv("HULL_TESTSUITE");
  fs::path dir = env ? fs::path(env) / "core" : fs::path("/work/shared/testsuite/core");
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Hostile-input check: corrupt bytes inside function bodies of valid modules and validate;
// the body decoder must return (ok or an error) without crashing (run under ASan/UBSan).
TEST(ValidSuite, MutatedBodiesDoNotCrash) {
  auto files = suite_files();
  if (files.empty()) GTEST_SKIP() << "no testsuite";
  std::vector<ModuleDesc> mods;
  Stats st;
  st.keep_valid = &mods;
  for (const auto& f : files) run_file(f, &st);
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  auto next = [&rng]() {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  int rejected = 0, runs = 0;
  for (ModuleDesc& m : mods) {
    if (m.bodies.empty()) continue;
    const std::vector<uint8_t> original = m.bytes;
    for (int round = 0; round < 8; ++round) {
      m.bytes = original;
      const FuncBody& b = m.bodies[next() % m.bodies.size()];
      if (b.code.size() < 2) continue;
      const int flips = 1 + static_cast<int>(next() % 3);
      for (int i = 0; i < flips; ++i) {
        size_t at = b.code.begin + next() % (b.code.size() - 1);  // keep the final end
        m.bytes[at] = static_cast<uint8_t>(next());
      }
      ++runs;
      if (!validate_module(m).ok()) ++rejected;
    }
  }
  std::cout << runs << " mutated modules, " << rejected << " rejected\n";
}

TEST(ValidSuite, CoreTestsuite) {
  auto files = suite_files();
  if (files.empty()) GTEST_SKIP() << "no testsuite";
  Stats st;
  for (const auto& f : files) run_file(f, &st);
  std::cout << "validated " << st.checked << " modules (" << st.invalid_checked
            << " assert_invalid); " << st.skipped_text << " text modules skipped; "
            << st.decode_failed << " not decodable\n";
  for (const std::string& s : st.skipped) std::cout << "  skipped " << s << "\n";
  for (const std::string& f : st.failures) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace hull
