// .wast script parser (spec interpreter's script format): commands, actions, assertions.
#include "text/script.h"

#include <cstring>
#include <unordered_map>

#include "text/component_parser.h"
#include "text/cursor.h"
#include "text/lexer.h"
#include "text/literals.h"
#include "text/module_parser.h"

namespace hull::text {

namespace {

class ScriptParser {
 public:
  ScriptParser(const TokenList& tl) : c_(tl) {}

  Result<Script> run() {
    Script s;
    while (!c_.at(Tok::Eof)) {
      Command cmd;
      HULL_TRY(command(cmd));
      s.commands.push_back(std::move(cmd));
    }
    return s;
  }

 private:
  Error err(const Token& t, std::string msg) { return c_.error_at(t, std::move(msg)); }

  Result<std::string> string() {
    if (!c_.at(Tok::String)) return c_.unexpected();
    return std::string(c_.next().text);
  }

  // At '(' 'module' or '(' 'component': parses one module or component. keep_error: inline
  // text errors are recorded.
  Result<ScriptModule> module(bool keep_error) {
    ScriptModule m;
    const Token& open = c_.peek();
    size_t start = c_.pos();
    m.line = open.line;
    m.component = c_.at_paren("component");
    HULL_TRY(c_.expect_lparen_kw(m.component ? "component" : "module"));
    if (c_.at_atom("definition")) {
      c_.next();
      m.definition = true;
    }
    if (c_.at(Tok::Id)) m.id = std::string(c_.next().text);
    if (c_.at_atom("binary") || c_.at_atom("quote")) {
      bool binary = c_.next().text == "binary";
      m.kind = binary ? ScriptModule::Binary : ScriptModule::Quote;
      while (c_.at(Tok::String)) {
        std::string_view s = c_.next().text;
        if (binary) m.bytes.insert(m.bytes.end(), s.begin(), s.end());
        else m.quote.append(s);  // plain concatenation, as the spec defines
      }
      HULL_TRY(c_.expect(Tok::RParen));
      return m;
    }
    m.kind = ScriptModule::Encoded;
    auto r = m.component ? encode_component_fields(c_, m.id) : encode_module_fields(c_, m.id);
    if (!r.ok()) {
      if (!keep_error) return std::move(r).error();
      m.encode_error = std::move(r).error();
      c_.set_pos(start);
      c_.skip_sexpr();
      return m;
    }
    m.bytes = std::move(r).value();
    HULL_TRY(c_.expect(Tok::RParen));
    return m;
  }

  Result<uint64_t> int_tok(unsigned bits) {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& t = c_.next();
    uint64_t v;
    LitStatus st = parse_int(t.text, bits, &v);
    if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    return v;
  }

  // A float token, or a nan pattern when `nan` is non-null.
  Result<uint64_t> float_tok(bool f32, NanKind* nan) {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& t = c_.next();
    if (nan && (t.text == "nan:canonical" || t.text == "nan:arithmetic")) {
      *nan = t.text == "nan:canonical" ? NanKind::Canonical : NanKind::Arithmetic;
      return uint64_t(0);
    }
    LitStatus st;
    uint64_t v = 0;
    if (f32) {
      uint32_t b;
      st = parse_f32(t.text, &b);
      v = b;
    } else {
      st = parse_f64(t.text, &v);
    }
    if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    return v;
  }

  // v128 shape + lanes; lane_nan non-null allows nan patterns in float lanes.
  Status v128(V128& out, LaneShape* shape_out, std::array<NanKind, 4>* lane_nan) {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& st = c_.next();
    std::string_view s = st.text;
    LaneShape shape;
    unsigned bits;
    if (s == "i8x16") { shape = LaneShape::I8x16; bits = 8; }
    else if (s == "i16x8") { shape = LaneShape::I16x8; bits = 16; }
    else if (s == "i32x4") { shape = LaneShape::I32x4; bits = 32; }
    else if (s == "i64x2") { shape = LaneShape::I64x2; bits = 64; }
    else if (s == "f32x4") { shape = LaneShape::F32x4; bits = 32; }
    else if (s == "f64x2") { shape = LaneShape::F64x2; bits = 64; }
    else return err(st, "unexpected token");
    if (shape_out) *shape_out = shape;
    bool is_float = shape == LaneShape::F32x4 || shape == LaneShape::F64x2;
    unsigned n = 128 / bits;
    for (unsigned i = 0; i < n; ++i) {
      if (!c_.at(Tok::Atom)) return c_.error("wrong number of lane literals");
      uint64_t v;
      if (is_float) {
        NanKind nk = NanKind::None;
        HULL_ASSIGN_OR_RETURN(v, float_tok(bits == 32, lane_nan ? &nk : nullptr));
        if (lane_nan) (*lane_nan)[i] = nk;
      } else {
        HULL_ASSIGN_OR_RETURN(v, int_tok(bits));
      }
      std::memcpy(out.bytes + i * (bits / 8), &v, bits / 8);  // little-endian host
    }
    return {};
  }

  Result<Value> value() {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    c_.next();
    const Token& kw = c_.next();
    std::string_view k = kw.text;
    Value v;
    if (k == "i32.const") {
      v.kind = Value::I32;
      HULL_ASSIGN_OR_RETURN(v.bits, int_tok(32));
    } else if (k == "i64.const") {
      v.kind = Value::I64;
      HULL_ASSIGN_OR_RETURN(v.bits, int_tok(64));
    } else if (k == "f32.const") {
      v.kind = Value::F32;
      HULL_ASSIGN_OR_RETURN(v.bits, float_tok(true, nullptr));
    } else if (k == "f64.const") {
      v.kind = Value::F64;
      HULL_ASSIGN_OR_RETURN(v.bits, float_tok(false, nullptr));
    } else if (k == "v128.const") {
      v.kind = Value::V128;
      HULL_TRY(v128(v.v128, nullptr, nullptr));
    } else if (k == "ref.null") {
      v.kind = Value::RefNull;
      if (!c_.at(Tok::Atom) || !abstract_heap_type(c_.peek().text, &v.heap)) {
        if (c_.at(Tok::Id) || c_.at_nat()) {
          c_.next();
          v.heap = HeapKind::Concrete;
        } else {
          return c_.unexpected();
        }
      } else {
        c_.next();
      }
    } else if (k == "ref.extern" || k == "ref.host") {
      v.kind = k == "ref.extern" ? Value::RefExtern : Value::RefHost;
      HULL_ASSIGN_OR_RETURN(v.bits, int_tok(64));
    } else if (k == "ref.func") {
      v.kind = Value::RefFunc;
      if (c_.at(Tok::Atom) || c_.at(Tok::Id)) c_.next();
    } else {
      return err(kw, "unknown operator");
    }
    HULL_TRY(c_.expect(Tok::RParen));
    return v;
  }

  Result<Expected> expected() {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    c_.next();
    const Token& kw = c_.next();
    std::string_view k = kw.text;
    Expected e;
    if (k == "i32.const") {
      e.kind = Expected::I32;
      HULL_ASSIGN_OR_RETURN(e.bits, int_tok(32));
    } else if (k == "i64.const") {
      e.kind = Expected::I64;
      HULL_ASSIGN_OR_RETURN(e.bits, int_tok(64));
    } else if (k == "f32.const") {
      e.kind = Expected::F32;
      HULL_ASSIGN_OR_RETURN(e.bits, float_tok(true, &e.nan));
    } else if (k == "f64.const") {
      e.kind = Expected::F64;
      HULL_ASSIGN_OR_RETURN(e.bits, float_tok(false, &e.nan));
    } else if (k == "v128.const") {
      e.kind = Expected::V128;
      HULL_TRY(v128(e.v128, &e.shape, &e.lane_nan));
    } else if (k == "ref.null") {
      e.kind = Expected::RefNull;
      if (c_.at(Tok::Atom) && abstract_heap_type(c_.peek().text, &e.heap)) {
        c_.next();
        e.typed_null = true;
      } else if (c_.at(Tok::Id) || c_.at_nat()) {
        c_.next();
        e.typed_null = true;
        e.heap = HeapKind::Concrete;
      }
    } else if (k == "ref.extern" || k == "ref.host") {
      e.kind = k == "ref.extern" ? Expected::RefExtern : Expected::RefHost;
      if (!c_.at(Tok::RParen)) {
        HULL_ASSIGN_OR_RETURN(e.bits, int_tok(64));
        e.has_payload = true;
      }
    } else if (k == "either") {
      e.kind = Expected::Either;
      while (c_.at(Tok::LParen)) {
        HULL_ASSIGN_OR_RETURN(Expected alt, expected());
        e.alternatives.push_back(std::move(alt));
      }
    } else {
      static const std::pair<std::string_view, Expected::Kind> tab[] = {
          {"ref.func", Expected::RefFunc},     {"ref.any", Expected::RefAny},
          {"ref.eq", Expected::RefEq},         {"ref.i31", Expected::RefI31},
          {"ref.struct", Expected::RefStruct}, {"ref.array", Expected::RefArray},
          {"ref.exn", Expected::RefExn}};
      bool found = false;
      for (auto& [n, kind] : tab)
        if (n == k) {
          e.kind = kind;
          found = true;
        }
      if (!found) return err(kw, "unknown operator");
      // An optional payload (e.g. a function index) is accepted and ignored.
      while (!c_.at(Tok::RParen) && !c_.at(Tok::Eof)) c_.skip_sexpr();
    }
    HULL_TRY(c_.expect(Tok::RParen));
    return e;
  }

  Result<Action> action() {
    Action a;
    a.line = c_.peek().line;
    if (c_.at_paren("invoke")) {
      a.kind = Action::Invoke;
    } else if (c_.at_paren("get")) {
      a.kind = Action::Get;
    } else {
      return c_.unexpected();
    }
    c_.set_pos(c_.pos() + 2);
    if (c_.at(Tok::Id)) a.module_id = std::string(c_.next().text);
    HULL_ASSIGN_OR_RETURN(a.name, string());
    a.component = targets_component(a.module_id);
    if (a.kind == Action::Invoke) {
      while (c_.at(Tok::LParen)) {
        if (a.component) {
          HULL_ASSIGN_OR_RETURN(ComponentValue v, component_value());
          a.component_args.push_back(std::move(v));
          continue;
        }
        HULL_ASSIGN_OR_RETURN(Value v, value());
        a.args.push_back(std::move(v));
      }
    }
    HULL_TRY(c_.expect(Tok::RParen));
    return a;
  }

  // ------------------------------------------------------------ component values
  // Whether module `id` ("" = the most recent one) is a component.
  bool targets_component(const std::string& id) const {
    if (id.empty()) return last_component_;
    auto it = component_ids_.find(id);
    return it != component_ids_.end() && it->second;
  }

  void note_module(const ScriptModule& m) {
    if (m.definition) {
      if (!m.id.empty()) definition_component_[m.id] = m.component;
      return;
    }
    last_component_ = m.component;
    if (!m.id.empty()) component_ids_[m.id] = m.component;
  }

  void note_instance(const ModuleInstanceCommand& mi) {
    last_component_ = mi.component;
    if (!mi.instance_id.empty()) component_ids_[mi.instance_id] = mi.component;
  }

  // `(kw args)`: one component value. Inside `(field "n" ...)` the parentheses may be left
  // out (`(field "s" str.const "v")`), so the body is parsed separately.
  Result<ComponentValue> component_value() {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    c_.next();
    // Values nest (lists of lists ...): bound the recursion well below the lexer's limit.
    if (value_depth_ >= 500) return c_.error("nesting too deep");
    ++value_depth_;
    auto v = component_value_body();
    --value_depth_;
    if (!v.ok()) return std::move(v).error();
    HULL_TRY(c_.expect(Tok::RParen));
    return std::move(v).value();
  }

  Result<ComponentValue> component_value_body() {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& kw = c_.next();
    std::string_view k = kw.text;
    ComponentValue v;
    using K = ComponentValue::Kind;
    static const struct {
      std::string_view name;
      K kind;
      unsigned bits;
    } ints[] = {{"s8.const", K::S8, 8},    {"u8.const", K::U8, 8},   {"s16.const", K::S16, 16},
                {"u16.const", K::U16, 16}, {"s32.const", K::S32, 32}, {"u32.const", K::U32, 32},
                {"s64.const", K::S64, 64}, {"u64.const", K::U64, 64}};
    for (auto& e : ints)
      if (e.name == k) {
        v.kind = e.kind;
        // parse_int range-checks for the width and yields the zero-extended bit pattern.
        HULL_ASSIGN_OR_RETURN(v.bits, int_tok(e.bits));
        return v;
      }
    if (k == "bool.const") {
      v.kind = K::Bool;
      if (c_.at_atom("true") || c_.at_atom("false")) v.bits = c_.next().text == "true";
      else return c_.error("expected true or false");
    } else if (k == "f32.const" || k == "float32.const") {
      v.kind = K::F32;
      HULL_ASSIGN_OR_RETURN(v.bits, float_tok(true, &v.nan));
    } else if (k == "f64.const" || k == "float64.const") {
      v.kind = K::F64;
      HULL_ASSIGN_OR_RETURN(v.bits, float_tok(false, &v.nan));
    } else if (k == "char.const") {
      v.kind = K::Char;
      HULL_ASSIGN_OR_RETURN(std::string ch, string());
      uint32_t cp = 0;
      if (!decode_one_char(ch, &cp)) return err(kw, "char.const needs exactly one character");
      v.bits = cp;
    } else if (k == "str.const" || k == "string.const") {
      v.kind = K::String;
      HULL_ASSIGN_OR_RETURN(v.text, string());
    } else if (k == "list.const" || k == "tuple.const") {
      v.kind = k == "list.const" ? K::List : K::Tuple;
      while (c_.at(Tok::LParen)) {
        HULL_ASSIGN_OR_RETURN(ComponentValue e, component_value());
        v.items.push_back(std::move(e));
      }
    } else if (k == "record.const") {
      v.kind = K::Record;
      while (c_.at_paren("field")) {
        c_.set_pos(c_.pos() + 2);
        HULL_ASSIGN_OR_RETURN(std::string n, string());
        ComponentValue fv;
        if (c_.at(Tok::LParen)) {
          HULL_ASSIGN_OR_RETURN(fv, component_value());
        } else {
          HULL_ASSIGN_OR_RETURN(fv, component_value_body());
        }
        HULL_TRY(c_.expect(Tok::RParen));
        v.names.push_back(std::move(n));
        v.items.push_back(std::move(fv));
      }
    } else if (k == "variant.const") {
      v.kind = K::Variant;
      HULL_ASSIGN_OR_RETURN(v.text, string());
      if (c_.at(Tok::LParen)) {
        HULL_ASSIGN_OR_RETURN(ComponentValue p, component_value());
        v.items.push_back(std::move(p));
      }
    } else if (k == "enum.const") {
      v.kind = K::Enum;
      HULL_ASSIGN_OR_RETURN(v.text, string());
    } else if (k == "flags.const") {
      v.kind = K::Flags;
      while (c_.at(Tok::String)) {
        HULL_ASSIGN_OR_RETURN(std::string f, string());
        v.names.push_back(std::move(f));
      }
    } else if (k == "option.none" || k == "option.some") {
      v.kind = K::Option;
      if (k == "option.some") {
        HULL_ASSIGN_OR_RETURN(ComponentValue p, component_value());
        v.items.push_back(std::move(p));
      }
    } else if (k == "result.ok" || k == "result.err") {
      v.kind = K::Result;
      v.ok = k == "result.ok";
      if (c_.at(Tok::LParen)) {
        HULL_ASSIGN_OR_RETURN(ComponentValue p, component_value());
        v.items.push_back(std::move(p));
      }
    } else {
      return err(kw, "unknown component value `" + std::string(k) + "`");
    }
    return v;
  }

  // Decodes `s` as exactly one UTF-8 character.
  static bool decode_one_char(std::string_view s, uint32_t* cp) {
    if (s.empty() || !valid_utf8(s)) return false;
    unsigned char c0 = static_cast<unsigned char>(s[0]);
    size_t len = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
    if (s.size() != len) return false;
    uint32_t v = len == 1 ? c0 : len == 2 ? c0 & 0x1F : len == 3 ? c0 & 0x0F : c0 & 0x07;
    for (size_t i = 1; i < len; ++i) v = (v << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    *cp = v;
    return true;
  }

  // `(component instance $I $D)` after the `(component instance` tokens.
  Result<ModuleInstanceCommand> instance_rest(bool component) {
    ModuleInstanceCommand mi;
    mi.component = component;
    if (c_.at(Tok::Id)) mi.instance_id = std::string(c_.next().text);
    if (c_.at(Tok::Id)) mi.module_id = std::string(c_.next().text);
    else std::swap(mi.instance_id, mi.module_id);
    HULL_TRY(c_.expect(Tok::RParen));
    if (component) {
      auto it = definition_component_.find(mi.module_id);
      mi.component = it == definition_component_.end() || it->second;
    }
    return mi;
  }

  Status command(Command& cmd) {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    const Token& open = c_.peek();
    const Token& head = c_.peek(1);
    cmd.line = open.line;
    std::string_view k = head.text;
    if (k == "module" || k == "component") {
      if (c_.peek(2).kind == Tok::Atom && c_.peek(2).text == "instance") {
        c_.set_pos(c_.pos() + 3);
        HULL_ASSIGN_OR_RETURN(ModuleInstanceCommand mi, instance_rest(k == "component"));
        note_instance(mi);
        cmd.body = std::move(mi);
        return {};
      }
      HULL_ASSIGN_OR_RETURN(ScriptModule m, module(false));
      note_module(m);
      cmd.body = ModuleCommand{std::move(m)};
      return {};
    }
    if (k == "invoke" || k == "get") {
      HULL_ASSIGN_OR_RETURN(Action a, action());
      cmd.body = ActionCommand{std::move(a)};
      return {};
    }
    c_.set_pos(c_.pos() + 2);
    if (k == "register") {
      RegisterCommand r;
      HULL_ASSIGN_OR_RETURN(r.name, string());
      if (c_.at(Tok::Id)) r.module_id = std::string(c_.next().text);
      cmd.body = std::move(r);
    } else if (k == "assert_return") {
      AssertReturn ar;
      HULL_ASSIGN_OR_RETURN(ar.action, action());
      while (c_.at(Tok::LParen)) {
        if (ar.action.component) {
          HULL_ASSIGN_OR_RETURN(ComponentValue e, component_value());
          ar.component_expected.push_back(std::move(e));
          continue;
        }
        HULL_ASSIGN_OR_RETURN(Expected e, expected());
        ar.expected.push_back(std::move(e));
      }
      cmd.body = std::move(ar);
    } else if (k == "assert_trap") {
      AssertTrap at;
      if ((c_.at_paren("component") || c_.at_paren("module")) &&
          c_.peek(2).kind == Tok::Atom && c_.peek(2).text == "instance") {
        bool component = c_.at_paren("component");
        const Token& t = c_.peek();
        c_.set_pos(c_.pos() + 3);
        HULL_ASSIGN_OR_RETURN(ModuleInstanceCommand mi, instance_rest(component));
        // A placeholder for runners that only know `module`: it fails to compile, loudly.
        ScriptModule m;
        m.component = mi.component;
        m.line = t.line;
        m.encode_error = c_.error_at(t, "assert_trap on (" + std::string(component ? "component"
                                                                                  : "module") +
                                            " instance $" + mi.module_id +
                                            ") needs AssertTrap::instance support");
        at.module = std::move(m);
        at.instance = std::move(mi);
      } else if (c_.at_paren("module") || c_.at_paren("component")) {
        HULL_ASSIGN_OR_RETURN(ScriptModule m, module(false));
        at.module = std::move(m);
      } else {
        HULL_ASSIGN_OR_RETURN(Action a, action());
        at.action = std::move(a);
      }
      HULL_ASSIGN_OR_RETURN(at.message, string());
      cmd.body = std::move(at);
    } else if (k == "assert_exhaustion") {
      AssertExhaustion ae;
      HULL_ASSIGN_OR_RETURN(ae.action, action());
      HULL_ASSIGN_OR_RETURN(ae.message, string());
      cmd.body = std::move(ae);
    } else if (k == "assert_exception") {
      AssertException ae;
      HULL_ASSIGN_OR_RETURN(ae.action, action());
      cmd.body = std::move(ae);
    } else if (k == "assert_malformed" || k == "assert_invalid" || k == "assert_unlinkable" ||
               k == "assert_uninstantiable" || k == "assert_malformed_custom" ||
               k == "assert_invalid_custom") {
      AssertModule am;
      am.kind = k == "assert_malformed"          ? AssertModule::Malformed
                : k == "assert_invalid"          ? AssertModule::Invalid
                : k == "assert_unlinkable"       ? AssertModule::Unlinkable
                : k == "assert_uninstantiable"   ? AssertModule::Uninstantiable
                : k == "assert_malformed_custom" ? AssertModule::MalformedCustom
                                                 : AssertModule::InvalidCustom;
      bool keep = am.kind != AssertModule::Unlinkable && am.kind != AssertModule::Uninstantiable;
      HULL_ASSIGN_OR_RETURN(am.module, module(keep));
      HULL_ASSIGN_OR_RETURN(am.message, string());
      cmd.body = std::move(am);
    } else if (skippable(k)) {
      // thread / wait / input / output ...: recorded so the runner can count them.
      c_.set_pos(c_.pos() - 2);
      c_.skip_sexpr();
      cmd.body = SkippedCommand{std::string(k)};
      return {};
    } else {
      return err(head, "unknown command `" + std::string(k) + "`");
    }
    return c_.expect(Tok::RParen);
  }

  // Commands recorded as SkippedCommand: known forms the runner does not model, and bare
  // module fields (a script may abbreviate a module to its fields).
  static bool skippable(std::string_view k) {
    static const std::string_view known[] = {
        "thread", "wait", "input",  "output", "func", "memory", "table", "global",
        "type",   "rec",  "import", "export", "data", "elem",   "start", "tag"};
    for (auto n : known)
      if (n == k) return true;
    return false;
  }

  Cursor c_;
  uint32_t value_depth_ = 0;
  bool last_component_ = false;
  std::unordered_map<std::string, bool> component_ids_;         // instance id -> component?
  std::unordered_map<std::string, bool> definition_component_;  // definition id -> component?
};

}  // namespace

Result<Script> parse_script(std::string_view text) {
  HULL_ASSIGN_OR_RETURN(TokenList tl, tokenize(text));
  return ScriptParser(tl).run();
}

}  // namespace hull::text
