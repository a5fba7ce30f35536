// Component value types (include/hull/component_types.hh): constructors, WIT spelling,
// structural equality and the shape check of values against types.
#include <array>
#include <string>

#include "hull/component_types.hh"

namespace hull::api::component {

const char* to_string(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return "bool";
    case TypeKind::S8: return "s8";
    case TypeKind::U8: return "u8";
    case TypeKind::S16: return "s16";
    case TypeKind::U16: return "u16";
    case TypeKind::S32: return "s32";
    case TypeKind::U32: return "u32";
    case TypeKind::S64: return "s64";
    case TypeKind::U64: return "u64";
    case TypeKind::F32: return "f32";
    case TypeKind::F64: return "f64";
    case TypeKind::Char: return "char";
    case TypeKind::String: return "string";
    case TypeKind::ErrorContext: return "error-context";
    case TypeKind::List: return "list";
    case TypeKind::FixedList: return "fixed-size list";
    case TypeKind::Record: return "record";
    case TypeKind::Tuple: return "tuple";
    case TypeKind::Variant: return "variant";
    case TypeKind::Enum: return "enum";
    case TypeKind::Option: return "option";
    case TypeKind::Result: return "result";
    case TypeKind::Flags: return "flags";
    case TypeKind::Own: return "own";
    case TypeKind::Borrow: return "borrow";
    case TypeKind::Stream: return "stream";
    case TypeKind::Future: return "future";
  }
  return "?";
}

namespace {

constexpr size_t kPrimCount = static_cast<size_t>(TypeKind::ErrorContext) + 1;

Type make(TypeNode n) { return Type(std::make_shared<const TypeNode>(std::move(n))); }

bool is_prim(TypeKind k) { return static_cast<size_t>(k) < kPrimCount; }

}  // namespace

Type Type::prim(TypeKind k) {
  // One shared node per primitive kind, built once (thread-safe static init).
  static const std::array<Type, kPrimCount> prims = [] {
    std::array<Type, kPrimCount> a;
    for (size_t i = 0; i < kPrimCount; ++i) {
      TypeNode n;
      n.kind = static_cast<TypeKind>(i);
      a[i] = make(std::move(n));
    }
    return a;
  }();
  if (!is_prim(k)) return Type();
  return prims[static_cast<size_t>(k)];
}

Type list_type(Type elem) {
  TypeNode n;
  n.kind = TypeKind::List;
  n.elems.push_back(std::move(elem));
  return make(std::move(n));
}

Type fixed_list_type(Type elem, uint32_t length) {
  TypeNode n;
  n.kind = TypeKind::FixedList;
  n.elems.push_back(std::move(elem));
  n.length = length;
  return make(std::move(n));
}

Type record_type(std::vector<Field> fields) {
  TypeNode n;
  n.kind = TypeKind::Record;
  n.fields = std::move(fields);
  return make(std::move(n));
}

Type tuple_type(std::vector<Type> elems) {
  TypeNode n;
  n.kind = TypeKind::Tuple;
  n.elems = std::move(elems);
  return make(std::move(n));
}

Type variant_type(std::vector<Field> cases) {
  TypeNode n;
  n.kind = TypeKind::Variant;
  n.fields = std::move(cases);
  return make(std::move(n));
}

Type enum_type(std::vector<std::string> cases) {
  TypeNode n;
  n.kind = TypeKind::Enum;
  n.names = std::move(cases);
  return make(std::move(n));
}

Type option_type(Type elem) {
  TypeNode n;
  n.kind = TypeKind::Option;
  n.elems.push_back(std::move(elem));
  return make(std::move(n));
}

Type result_type(Type ok, Type err) {
  TypeNode n;
  n.kind = TypeKind::Result;
  n.ok = std::move(ok);
  n.err = std::move(err);
  return make(std::move(n));
}

Type flags_type(std::vector<std::string> names) {
  TypeNode n;
  n.kind = TypeKind::Flags;
  n.names = std::move(names);
  return make(std::move(n));
}

Type own_type(ResourceRef r) {
  TypeNode n;
  n.kind = TypeKind::Own;
  n.resource = std::move(r);
  return make(std::move(n));
}

Type borrow_type(ResourceRef r) {
  TypeNode n;
  n.kind = TypeKind::Borrow;
  n.resource = std::move(r);
  return make(std::move(n));
}

std::string to_string(const Type& t) {
  if (t.empty()) return "_";
  const TypeNode& n = t.node();
  auto join_types = [](const std::vector<Type>& ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + to_string(ts[i]);
    return s;
  };
  auto join_names = [](const std::vector<std::string>& ns) {
    std::string s;
    for (size_t i = 0; i < ns.size(); ++i) s += (i ? ", " : "") + ns[i];
    return s;
  };
  switch (n.kind) {
    case TypeKind::List: return "list<" + to_string(n.elems.at(0)) + ">";
    case TypeKind::FixedList:
      return "list<" + to_string(n.elems.at(0)) + ", " + std::to_string(n.length) + ">";
    case TypeKind::Record: {
      std::string s = "record { ";
      for (size_t i = 0; i < n.fields.size(); ++i)
        s += (i ? ", " : "") + n.fields[i].name + ": " + to_string(n.fields[i].type);
      return s + " }";
    }
    case TypeKind::Tuple: return "tuple<" + join_types(n.elems) + ">";
    case TypeKind::Variant: {
      std::string s = "variant { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        s += (i ? ", " : "") + n.fields[i].name;
        if (n.fields[i].type) s += "(" + to_string(n.fields[i].type) + ")";
      }
      return s + " }";
    }
    case TypeKind::Enum: return "enum { " + join_names(n.names) + " }";
    case TypeKind::Option: return "option<" + to_string(n.elems.at(0)) + ">";
    case TypeKind::Result:
      if (!n.ok && !n.err) return "result";
      if (!n.err) return "result<" + to_string(n.ok) + ">";
      return "result<" + to_string(n.ok) + ", " + to_string(n.err) + ">";
    case TypeKind::Flags: return "flags { " + join_names(n.names) + " }";
    case TypeKind::Own: return "own<" + n.resource.name + ">";
    case TypeKind::Borrow: return "borrow<" + n.resource.name + ">";
    case TypeKind::Stream:
    case TypeKind::Future: {
      std::string s = to_string(n.kind);
      if (!n.elems.empty() && n.elems[0]) s += "<" + to_string(n.elems[0]) + ">";
      return s;
    }
    default: return to_string(n.kind);
  }
}

bool operator==(const Type& a, const Type& b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty();
  if (a.ptr() == b.ptr()) return true;
  const TypeNode& x = a.node();
  const TypeNode& y = b.node();
  if (x.kind != y.kind) return false;
  switch (x.kind) {
    case TypeKind::Record:
    case TypeKind::Variant:
      if (x.fields.size() != y.fields.size()) return false;
      for (size_t i = 0; i < x.fields.size(); ++i)
        if (x.fields[i].name != y.fields[i].name || !(x.fields[i].type == y.fields[i].type))
          return false;
      return true;
    case TypeKind::Enum:
    case TypeKind::Flags: return x.names == y.names;
    case TypeKind::FixedList:
      if (x.length != y.length) return false;
      [[fallthrough]];
    case TypeKind::List:
    case TypeKind::Tuple:
    case TypeKind::Option:
    case TypeKind::Stream:
    case TypeKind::Future:
      if (x.elems.size() != y.elems.size()) return false;
      for (size_t i = 0; i < x.elems.size(); ++i)
        if (!(x.elems[i] == y.elems[i])) return false;
      return true;
    case TypeKind::Result: return x.ok == y.ok && x.err == y.err;
    case TypeKind::Own:
    case TypeKind::Borrow: return x.resource.id == y.resource.id;
    default: return true;
  }
}

std::string to_string(const FuncType& t) {
  std::string s = t.async ? "async func(" : "func(";
  for (size_t i = 0; i < t.params.size(); ++i)
    s += (i ? ", " : "") + t.params[i].name + ": " + to_string(t.params[i].type);
  s += ")";
  if (t.result) s += " -> " + to_string(t.result);
  return s;
}

namespace {

bool fail(std::string* why, std::string msg) {
  if (why) *why = std::move(msg);
  return false;
}

bool matches_at(const Val& v, const Type& t, const std::string& where, std::string* why);

bool matches_payload(const Val* p, const Type& t, const std::string& where, std::string* why) {
  if (!t) return p ? fail(why, where + ": unexpected payload") : true;
  if (!p) return fail(why, where + ": missing payload of type " + to_string(t));
  return matches_at(*p, t, where, why);
}

bool matches_at(const Val& v, const Type& t, const std::string& where, std::string* why) {
  const std::string at = where.empty() ? "value" : where;
  if (t.empty()) return fail(why, at + ": no type");
  const TypeNode& n = t.node();
  auto kind_is = [&](TypeKind k) {
    return v.kind() == k ||
           fail(why, at + ": expected " + to_string(t) + ", found a " + to_string(v.kind()));
  };
  switch (n.kind) {
    case TypeKind::Borrow:
      // An owned handle may be lent to a borrow parameter.
      if (v.kind() == TypeKind::Own) return true;
      return kind_is(TypeKind::Borrow);
    case TypeKind::Char:
      if (!kind_is(TypeKind::Char)) return false;
      if (v.as_u64() > 0x10FFFF || (v.as_u64() >= 0xD800 && v.as_u64() <= 0xDFFF))
        return fail(why, at + ": not a Unicode scalar value");
      return true;
    case TypeKind::Stream:
    case TypeKind::Future:
    case TypeKind::ErrorContext:
      return fail(why, at + ": " + to_string(n.kind) + " values are not supported");
    default:
      if (!kind_is(n.kind)) return false;
      break;
  }
  switch (n.kind) {
    case TypeKind::List:
    case TypeKind::FixedList:
      if (v.is_bytes()) {
        if (n.kind == TypeKind::List && n.elems[0].kind() == TypeKind::U8) return true;
        return fail(why, at + ": a byte list where " + to_string(Type(std::make_shared<TypeNode>(n))) +
                             " was expected");
      }
      if (n.kind == TypeKind::FixedList && v.items().size() != n.length)
        return fail(why, at + ": expected " + std::to_string(n.length) + " elements, found " +
                             std::to_string(v.items().size()));
      for (size_t i = 0; i < v.items().size(); ++i)
        if (!matches_at(v.items()[i], n.elems[0], at + "[" + std::to_string(i) + "]", why))
          return false;
      return true;
    case TypeKind::Tuple:
      if (v.items().size() != n.elems.size())
        return fail(why, at + ": expected " + std::to_string(n.elems.size()) +
                             " tuple elements, found " + std::to_string(v.items().size()));
      for (size_t i = 0; i < n.elems.size(); ++i)
        if (!matches_at(v.items()[i], n.elems[i], at + "." + std::to_string(i), why)) return false;
      return true;
    case TypeKind::Record:
      if (v.items().size() != n.fields.size() || v.names().size() != n.fields.size())
        return fail(why, at + ": expected " + std::to_string(n.fields.size()) +
                             " record fields, found " + std::to_string(v.items().size()));
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (v.names()[i] != n.fields[i].name)
          return fail(why, at + ": expected field `" + n.fields[i].name + "`, found `" +
                               v.names()[i] + "`");
        if (!matches_at(v.items()[i], n.fields[i].type, at + "." + n.fields[i].name, why))
          return false;
      }
      return true;
    case TypeKind::Variant:
      for (const Field& c : n.fields)
        if (c.name == v.case_name())
          return matches_payload(v.payload(), c.type, at + "." + c.name, why);
      return fail(why, at + ": no case `" + v.case_name() + "` in " + to_string(t));
    case TypeKind::Enum:
      for (const std::string& c : n.names)
        if (c == v.case_name()) return true;
      return fail(why, at + ": no case `" + v.case_name() + "` in " + to_string(t));
    case TypeKind::Option:
      if (!v.is_some()) return v.payload() ? fail(why, at + ": none with a payload") : true;
      return matches_payload(v.payload(), n.elems[0], at, why);
    case TypeKind::Result:
      return v.is_ok() ? matches_payload(v.payload(), n.ok, at + ".ok", why)
                       : matches_payload(v.payload(), n.err, at + ".err", why);
    case TypeKind::Flags:
      for (const std::string& f : v.names()) {
        bool found = false;
        for (const std::string& l : n.names) found = found || l == f;
        if (!found) return fail(why, at + ": no flag `" + f + "` in " + to_string(t));
      }
      return true;
    default: return true;
  }
}

}  // namespace

bool val_matches(const Val& v, const Type& t, std::string* why) {
  return matches_at(v, t, "", why);
}

}  // namespace hull::api::component
