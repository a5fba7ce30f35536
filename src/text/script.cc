// .wast script parser (spec interpreter's script format): commands, actions, assertions.
#include "text/script.h"

#include <cstring>

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

  // At '(' 'module': parses one module. keep_error: inline text errors are recorded.
  Result<ScriptModule> module(bool keep_error) {
    ScriptModule m;
    const Token& open = c_.peek();
    size_t start = c_.pos();
    m.line = open.line;
    HULL_TRY(c_.expect_lparen_kw("module"));
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
    auto r = encode_module_fields(c_, m.id);
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
    if (a.kind == Action::Invoke) {
      while (c_.at(Tok::LParen)) {
        HULL_ASSIGN_OR_RETURN(Value v, value());
        a.args.push_back(std::move(v));
      }
    }
    HULL_TRY(c_.expect(Tok::RParen));
    return a;
  }

  Status command(Command& cmd) {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    const Token& open = c_.peek();
    cmd.line = open.line;
    std::string_view k = c_.peek(1).text;
    if (k == "module") {
      if (c_.peek(2).kind == Tok::Atom && c_.peek(2).text == "instance") {
        c_.set_pos(c_.pos() + 3);
        ModuleInstanceCommand mi;
        if (c_.at(Tok::Id)) mi.instance_id = std::string(c_.next().text);
        if (c_.at(Tok::Id)) mi.module_id = std::string(c_.next().text);
        else std::swap(mi.instance_id, mi.module_id);
        HULL_TRY(c_.expect(Tok::RParen));
        cmd.body = std::move(mi);
        return {};
      }
      HULL_ASSIGN_OR_RETURN(ScriptModule m, module(false));
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
        HULL_ASSIGN_OR_RETURN(Expected e, expected());
        ar.expected.push_back(std::move(e));
      }
      cmd.body = std::move(ar);
    } else if (k == "assert_trap") {
      AssertTrap at;
      if (c_.at_paren("module")) {
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
               k == "assert_uninstantiable") {
      AssertModule am;
      am.kind = k == "assert_malformed" ? AssertModule::Malformed
                : k == "assert_invalid" ? AssertModule::Invalid
                : k == "assert_unlinkable" ? AssertModule::Unlinkable
                                           : AssertModule::Uninstantiable;
      bool keep = am.kind == AssertModule::Malformed || am.kind == AssertModule::Invalid;
      HULL_ASSIGN_OR_RETURN(am.module, module(keep));
      HULL_ASSIGN_OR_RETURN(am.message, string());
      cmd.body = std::move(am);
    } else {
      // thread / wait / input / output ...: recorded so the runner can count them.
      c_.set_pos(c_.pos() - 2);
      c_.skip_sexpr();
      cmd.body = SkippedCommand{std::string(k)};
      return {};
    }
    return c_.expect(Tok::RParen);
  }

  Cursor c_;
};

}  // namespace

Result<Script> parse_script(std::string_view text) {
  HULL_ASSIGN_OR_RETURN(TokenList tl, tokenize(text));
  return ScriptParser(tl).run();
}

}  // namespace hull::text
