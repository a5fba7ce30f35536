// Component text parser, canonical definitions: lift, lower, resource and async/thread built-ins
// and their options.
#include "text/component_parser_impl.h"

namespace hull::text::component_impl {

Status ComponentParser::canon_opts(Bytes& b) {
  Bytes os;
  uint32_t n = 0;
  while (true) {
    if (c_.at_atom("string-encoding=utf8")) {
      c_.next();
      os.push_back(0x00);
    } else if (c_.at_atom("string-encoding=utf16")) {
      c_.next();
      os.push_back(0x01);
    } else if (c_.at_atom("string-encoding=latin1+utf16")) {
      c_.next();
      os.push_back(0x02);
    } else if (c_.at_atom("async")) {
      c_.next();
      os.push_back(0x06);
    } else if (c_.at_atom("gc")) {
      c_.next();
      os.push_back(0x09);
    } else if (c_.at_paren("core-type")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(uint32_t t, typed_ref(kCoreType));
      HULL_TRY(close());
      os.push_back(0x08);
      put_u32(os, t);
    } else if (c_.at_paren("memory")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(uint32_t m, typed_ref(kCoreMemory));
      HULL_TRY(close());
      os.push_back(0x03);
      put_u32(os, m);
    } else if (c_.at_paren("realloc") || c_.at_paren("post-return") || c_.at_paren("callback")) {
      std::string_view k = c_.peek(1).text;
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(uint32_t f, typed_ref(kCoreFunc));
      HULL_TRY(close());
      os.push_back(k == "realloc" ? 0x04 : k == "post-return" ? 0x05 : 0x07);
      put_u32(os, f);
    } else {
      break;
    }
    ++n;
  }
  put_u32(b, n);
  b.insert(b.end(), os.begin(), os.end());
  return {};
}

Status ComponentParser::flag_kw(Bytes& b, std::string_view kw) {
  if (c_.at_atom(kw)) {
    c_.next();
    b.push_back(0x01);
  } else {
    b.push_back(0x00);
  }
  return {};
}

// The body of a canon built-in after its name; `lift` is handled by the caller. Produces a
// core function.
Status ComponentParser::canon_builtin(const Token& kw, Bytes& b) {
  std::string_view k = kw.text;
  struct Simple {
    std::string_view name;
    uint8_t op;
    char imm;  // '-' none, 't' typeidx, 'o' typeidx+opts, 'a' typeidx+async?, 'O' opts,
               // 'c' cancel?+memory, 'C' cancel?, 'A' async?, 'r' resultlist+opts,
               // 'v' core valtype+u32, 'n' thread.new-indirect
  };
  static const Simple tab[] = {
      {"resource.new", 0x02, 't'},
      {"resource.drop", 0x03, 't'},
      {"resource.rep", 0x04, 't'},
      {"backpressure.inc", 0x24, '-'},
      {"backpressure.dec", 0x25, '-'},
      {"task.return", 0x09, 'r'},
      {"task.cancel", 0x05, '-'},
      {"context.get", 0x0a, 'v'},
      {"context.set", 0x0b, 'v'},
      {"subtask.cancel", 0x06, 'A'},
      {"subtask.drop", 0x0d, '-'},
      {"stream.new", 0x0e, 't'},
      {"stream.read", 0x0f, 'o'},
      {"stream.write", 0x10, 'o'},
      {"stream.cancel-read", 0x11, 'a'},
      {"stream.cancel-write", 0x12, 'a'},
      {"stream.drop-readable", 0x13, 't'},
      {"stream.drop-writable", 0x14, 't'},
      {"future.new", 0x15, 't'},
      {"future.read", 0x16, 'o'},
      {"future.write", 0x17, 'o'},
      {"future.cancel-read", 0x18, 'a'},
      {"future.cancel-write", 0x19, 'a'},
      {"future.drop-readable", 0x1a, 't'},
      {"future.drop-writable", 0x1b, 't'},
      {"error-context.new", 0x1c, 'O'},
      {"error-context.debug-message", 0x1d, 'O'},
      {"error-context.drop", 0x1e, '-'},
      {"waitable-set.new", 0x1f, '-'},
      {"waitable-set.wait", 0x20, 'c'},
      {"waitable-set.poll", 0x21, 'c'},
      {"waitable-set.drop", 0x22, '-'},
      {"waitable.join", 0x23, '-'},
      {"thread.index", 0x26, '-'},
      {"thread.new-indirect", 0x27, 'n'},
      {"thread.resume-later", 0x28, '-'},
      {"thread.suspend", 0x29, 'C'},
      {"thread.yield", 0x0c, 'C'},
      {"thread.suspend-then-resume", 0x2a, 'C'},
      {"thread.yield-then-resume", 0x2b, 'C'},
      {"thread.suspend-then-promote", 0x2c, 'C'},
      {"thread.yield-then-promote", 0x2d, 'C'},
  };
  const Simple* e = nullptr;
  for (auto& s : tab)
    if (s.name == k) e = &s;
  if (!e) return err(kw, "unknown canonical built-in `" + std::string(k) + "`");
  b.push_back(e->op);
  switch (e->imm) {
    case '-': break;
    case 't':
    case 'o':
    case 'a': {
      HULL_ASSIGN_OR_RETURN(uint32_t t, typed_ref(kType));
      put_u32(b, t);
      if (e->imm == 'o') HULL_TRY(canon_opts(b));
      if (e->imm == 'a') HULL_TRY(flag_kw(b, "async"));
      break;
    }
    case 'O': HULL_TRY(canon_opts(b)); break;
    case 'A': HULL_TRY(flag_kw(b, "async")); break;
    case 'C': HULL_TRY(flag_kw(b, "cancellable")); break;
    case 'c': {
      HULL_TRY(flag_kw(b, "cancellable"));
      HULL_TRY(open("memory"));
      HULL_ASSIGN_OR_RETURN(uint32_t m, typed_ref(kCoreMemory));
      HULL_TRY(close());
      put_u32(b, m);
      break;
    }
    case 'r': {
      if (c_.at_paren("result")) {
        HULL_TRY(resultlist(b));
      } else if (!c_.at(Tok::RParen) && !c_.at(Tok::LParen) && !c_.at(Tok::Atom)) {
        return c_.unexpected();
      } else if (c_.at(Tok::Atom) && c_.peek().text.substr(0, 16) != "string-encoding=" &&
                 !c_.at_atom("async")) {
        // `(canon task.return string)`-style bare result type.
        b.push_back(0x00);
        HULL_TRY(valtype(b));
      } else {
        b.push_back(0x01);
        b.push_back(0x00);
      }
      HULL_TRY(canon_opts(b));
      break;
    }
    case 'v': {
      HULL_ASSIGN_OR_RETURN(ValType vt, core_valtype());
      put_valtype(b, vt);
      HULL_ASSIGN_OR_RETURN(uint32_t i, u32());
      put_u32(b, i);
      break;
    }
    case 'n': {
      HULL_ASSIGN_OR_RETURN(uint32_t t, typed_ref(kCoreType));
      put_u32(b, t);
      HULL_ASSIGN_OR_RETURN(uint32_t tbl, typed_ref(kCoreTable));
      put_u32(b, tbl);
      break;
    }
    default: break;
  }
  return {};
}

// `(canon lift core-func opts)` as part of `(func ... (canon lift ..))`: `ty` is the
// function type index.
Status ComponentParser::canon_lift_body(Bytes& b) {
  b.push_back(0x00);
  b.push_back(0x00);
  HULL_ASSIGN_OR_RETURN(uint32_t f, typed_ref(kCoreFunc));
  put_u32(b, f);
  return canon_opts(b);
}

// Field `(canon ...)`: after `(canon`.
Status ComponentParser::canon_field() {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& kw = c_.next();
  Bytes b;
  if (kw.text == "lift") {
    HULL_TRY(canon_lift_body(b));
    // (func $id? (export "x")* typeuse)
    HULL_TRY(open("func"));
    const Token* id = opt_id();
    std::vector<Bytes> exports;
    HULL_TRY(inline_exports(exports));
    HULL_ASSIGN_OR_RETURN(uint32_t t, type_use(kFunc));
    HULL_TRY(close());
    HULL_TRY(close());
    put_u32(b, t);
    emit(ItemKind::Canon, std::move(b));
    HULL_TRY(define(kFunc, id));
    append_exports(exports, kFunc);
    return {};
  }
  if (kw.text == "lower") {
    b.push_back(0x01);
    b.push_back(0x00);
    HULL_ASSIGN_OR_RETURN(uint32_t f, typed_ref(kFunc));
    put_u32(b, f);
    HULL_TRY(canon_opts(b));
  } else {
    HULL_TRY(canon_builtin(kw, b));
  }
  const Token* id = nullptr;
  if (at_core("func")) {
    c_.set_pos(c_.pos() + 3);
    id = opt_id();
    HULL_TRY(close());
  }
  HULL_TRY(close());
  emit(ItemKind::Canon, std::move(b));
  return define(kCoreFunc, id);
}

}  // namespace hull::text::component_impl
