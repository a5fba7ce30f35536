// The component-model C API (include/hull_component.h) over the public C++ component API
// (include/hull/component.hh). The only internals it touches are the C API's own: the
// api::Engine a wasm_engine_t carries and the api::Store a wasm_store_t is built around.
#include "hull/component.hh"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "capi/internal.h"
#include "hull/component_snapshot.hh"
#include "hull_component.h"

namespace api = hull::api;
namespace cm = hull::api::component;

struct hull_error_t {
  api::Error error;
};
struct hull_component_t {
  cm::Component component;
};
struct hull_component_instance_t {
  cm::Instance instance;
};
struct hull_component_func_t {
  cm::Func func;
};
struct hull_component_resource_any_t {
  cm::ResourceAny resource;
};
struct hull_component_resource_type_t {
  cm::ResourceType type;
};

namespace {

hull_error_t* make_error(api::Error e) { return new hull_error_t{std::move(e)}; }
hull_error_t* usage(std::string message) {
  return make_error(api::Error(api::ErrorKind::Usage, std::move(message)));
}

// A NUL-terminated message in a wasm_name_t whose size counts the NUL (wasm.h's convention for
// wasm_message_t).
void message_out(std::string_view text, wasm_name_t* out) {
  wasm_byte_vec_new_uninitialized(out, text.size() + 1);
  std::memcpy(out->data, text.data(), text.size());
  out->data[text.size()] = '\0';
}

void name_out(std::string_view text, wasm_name_t* out) {
  wasm_byte_vec_new(out, text.size(), text.data());
}

std::string name_in(const wasm_name_t& n) {
  return n.size ? std::string(n.data, n.size) : std::string();
}

void set_false(hull_component_val_t* v) {
  std::memset(v, 0, sizeof *v);
  v->kind = HULL_COMPONENT_BOOL;
}

// ---- C++ value -> C value ----

hull_component_val_t* new_heap(const cm::Val& v);

void to_c(const cm::Val& packed, hull_component_val_t* out) {
  // The C API has no packed byte lists: a list<u8> arrives as u8 values like any list.
  const cm::Val expanded = packed.is_bytes() ? packed.expand_bytes() : cm::Val();
  const cm::Val& v = packed.is_bytes() ? expanded : packed;
  set_false(out);
  using K = cm::TypeKind;
  switch (v.kind()) {
    case K::Bool:
      out->kind = HULL_COMPONENT_BOOL;
      out->of.boolean = v.as_bool();
      break;
    case K::S8:
      out->kind = HULL_COMPONENT_S8;
      out->of.s8 = static_cast<int8_t>(v.as_s64());
      break;
    case K::U8:
      out->kind = HULL_COMPONENT_U8;
      out->of.u8 = static_cast<uint8_t>(v.as_u64());
      break;
    case K::S16:
      out->kind = HULL_COMPONENT_S16;
      out->of.s16 = static_cast<int16_t>(v.as_s64());
      break;
    case K::U16:
      out->kind = HULL_COMPONENT_U16;
      out->of.u16 = static_cast<uint16_t>(v.as_u64());
      break;
    case K::S32:
      out->kind = HULL_COMPONENT_S32;
      out->of.s32 = static_cast<int32_t>(v.as_s64());
      break;
    case K::U32:
      out->kind = HULL_COMPONENT_U32;
      out->of.u32 = static_cast<uint32_t>(v.as_u64());
      break;
    case K::S64:
      out->kind = HULL_COMPONENT_S64;
      out->of.s64 = v.as_s64();
      break;
    case K::U64:
      out->kind = HULL_COMPONENT_U64;
      out->of.u64 = v.as_u64();
      break;
    case K::F32:
      out->kind = HULL_COMPONENT_F32;
      out->of.f32 = v.as_f32();
      break;
    case K::F64:
      out->kind = HULL_COMPONENT_F64;
      out->of.f64 = v.as_f64();
      break;
    case K::Char:
      out->kind = HULL_COMPONENT_CHAR;
      out->of.character = static_cast<uint32_t>(v.as_char());
      break;
    case K::String:
      out->kind = HULL_COMPONENT_STRING;
      name_out(v.as_string(), &out->of.string);
      break;
    case K::List:
    case K::FixedList:  // a fixed-length list is a list to the C API
    case K::Tuple: {
      hull_component_vallist_t* l = v.kind() == K::Tuple ? &out->of.tuple : &out->of.list;
      out->kind = v.kind() == K::Tuple ? HULL_COMPONENT_TUPLE : HULL_COMPONENT_LIST;
      hull_component_vallist_new_uninit(l, v.items().size());
      for (size_t i = 0; i < v.items().size(); ++i) to_c(v.items()[i], &l->data[i]);
      break;
    }
    case K::Record:
      out->kind = HULL_COMPONENT_RECORD;
      hull_component_valrecord_new_uninit(&out->of.record, v.items().size());
      for (size_t i = 0; i < v.items().size(); ++i) {
        name_out(i < v.names().size() ? v.names()[i] : std::string(), &out->of.record.data[i].name);
        to_c(v.items()[i], &out->of.record.data[i].val);
      }
      break;
    case K::Variant:
      out->kind = HULL_COMPONENT_VARIANT;
      name_out(v.case_name(), &out->of.variant.discriminant);
      out->of.variant.val = v.payload() ? new_heap(*v.payload()) : nullptr;
      break;
    case K::Enum:
      out->kind = HULL_COMPONENT_ENUM;
      name_out(v.case_name(), &out->of.enumeration);
      break;
    case K::Option:
      out->kind = HULL_COMPONENT_OPTION;
      out->of.option = v.is_some() && v.payload() ? new_heap(*v.payload()) : nullptr;
      break;
    case K::Result:
      out->kind = HULL_COMPONENT_RESULT;
      out->of.result.is_ok = v.is_ok();
      out->of.result.val = v.payload() ? new_heap(*v.payload()) : nullptr;
      break;
    case K::Flags:
      out->kind = HULL_COMPONENT_FLAGS;
      hull_component_valflags_new_uninit(&out->of.flags, v.names().size());
      for (size_t i = 0; i < v.names().size(); ++i) name_out(v.names()[i], &out->of.flags.data[i]);
      break;
    case K::Own:
    case K::Borrow:
      out->kind = HULL_COMPONENT_RESOURCE;
      out->of.resource = new hull_component_resource_any_t{v.as_resource()};
      break;
    case K::ErrorContext:
    case K::Stream:
    case K::Future:
      // Not callable synchronously (val_matches refuses them), so never produced by a call.
      break;
  }
}

hull_component_val_t* new_heap(const cm::Val& v) {
  auto* p = new hull_component_val_t;
  to_c(v, p);
  return p;
}

// ---- C value -> C++ value ----

// Converts a C value tree; returns false (with `why`) for a malformed tree: an unknown kind or
// a NULL resource. Types are checked afterwards by Func::call against the function's type.
bool from_c(const hull_component_val_t& v, cm::Val* out, std::string* why, const std::string& at) {
  auto items = [&](const hull_component_vallist_t& l, std::vector<cm::Val>* dst) {
    dst->resize(l.size);
    for (size_t i = 0; i < l.size; ++i) {
      if (!from_c(l.data[i], &(*dst)[i], why, at + "[" + std::to_string(i) + "]")) return false;
    }
    return true;
  };
  auto payload = [&](const hull_component_val_t* p, std::optional<cm::Val>* dst) {
    if (!p) return true;
    cm::Val x;
    if (!from_c(*p, &x, why, at)) return false;
    *dst = std::move(x);
    return true;
  };
  switch (v.kind) {
    case HULL_COMPONENT_BOOL: *out = cm::Val::boolean(v.of.boolean); return true;
    case HULL_COMPONENT_S8: *out = cm::Val::s8(v.of.s8); return true;
    case HULL_COMPONENT_U8: *out = cm::Val::u8(v.of.u8); return true;
    case HULL_COMPONENT_S16: *out = cm::Val::s16(v.of.s16); return true;
    case HULL_COMPONENT_U16: *out = cm::Val::u16(v.of.u16); return true;
    case HULL_COMPONENT_S32: *out = cm::Val::s32(v.of.s32); return true;
    case HULL_COMPONENT_U32: *out = cm::Val::u32(v.of.u32); return true;
    case HULL_COMPONENT_S64: *out = cm::Val::s64(v.of.s64); return true;
    case HULL_COMPONENT_U64: *out = cm::Val::u64(v.of.u64); return true;
    case HULL_COMPONENT_F32: *out = cm::Val::f32(v.of.f32); return true;
    case HULL_COMPONENT_F64: *out = cm::Val::f64(v.of.f64); return true;
    case HULL_COMPONENT_CHAR: *out = cm::Val::character(v.of.character); return true;
    case HULL_COMPONENT_STRING: *out = cm::Val::string(name_in(v.of.string)); return true;
    case HULL_COMPONENT_LIST:
    case HULL_COMPONENT_TUPLE: {
      std::vector<cm::Val> xs;
      if (!items(v.kind == HULL_COMPONENT_LIST ? v.of.list : v.of.tuple, &xs)) return false;
      *out = v.kind == HULL_COMPONENT_LIST ? cm::Val::list(std::move(xs))
                                           : cm::Val::tuple(std::move(xs));
      return true;
    }
    case HULL_COMPONENT_RECORD: {
      std::vector<std::pair<std::string, cm::Val>> fields;
      for (size_t i = 0; i < v.of.record.size; ++i) {
        std::string name = name_in(v.of.record.data[i].name);
        cm::Val x;
        if (!from_c(v.of.record.data[i].val, &x, why, at + "." + name)) return false;
        fields.emplace_back(std::move(name), std::move(x));
      }
      *out = cm::Val::record(std::move(fields));
      return true;
    }
    case HULL_COMPONENT_VARIANT: {
      std::optional<cm::Val> p;
      if (!payload(v.of.variant.val, &p)) return false;
      *out = cm::Val::variant(name_in(v.of.variant.discriminant), std::move(p));
      return true;
    }
    case HULL_COMPONENT_ENUM: *out = cm::Val::enumeration(name_in(v.of.enumeration)); return true;
    case HULL_COMPONENT_OPTION: {
      std::optional<cm::Val> p;
      if (!payload(v.of.option, &p)) return false;
      *out = p ? cm::Val::some(std::move(*p)) : cm::Val::none();
      return true;
    }
    case HULL_COMPONENT_RESULT: {
      std::optional<cm::Val> p;
      if (!payload(v.of.result.val, &p)) return false;
      *out = v.of.result.is_ok ? cm::Val::ok(std::move(p)) : cm::Val::err(std::move(p));
      return true;
    }
    case HULL_COMPONENT_FLAGS: {
      std::vector<std::string> set(v.of.flags.size);
      for (size_t i = 0; i < v.of.flags.size; ++i) set[i] = name_in(v.of.flags.data[i]);
      *out = cm::Val::flags(std::move(set));
      return true;
    }
    case HULL_COMPONENT_RESOURCE:
      if (!v.of.resource) {
        *why = (at.empty() ? std::string("value") : at) + ": NULL resource";
        return false;
      }
      *out = cm::Val::resource(v.of.resource->resource);
      return true;
    default:
      *why = (at.empty() ? std::string("value") : at) + ": unknown value kind " +
             std::to_string(v.kind);
      return false;
  }
}

// A host function's C callback and environment, shared by every copy of the definition (the
// linker, its copies, and the instances made with it); the finalizer runs with the last one.
struct CallbackEnv {
  CallbackEnv(hull_component_func_callback_t c, void* e, void (*f)(void*))
      : callback(c), env(e), finalizer(f) {}
  CallbackEnv(const CallbackEnv&) = delete;
  CallbackEnv& operator=(const CallbackEnv&) = delete;
  hull_component_func_callback_t callback;
  void* env;
  void (*finalizer)(void*);
  ~CallbackEnv() {
    if (finalizer) finalizer(env);
  }
};

// A host resource's C destructor and environment (as CallbackEnv).
struct ResourceEnv {
  ResourceEnv(void (*d)(void*, uint32_t), void* e, void (*f)(void*))
      : destructor(d), env(e), finalizer(f) {}
  ResourceEnv(const ResourceEnv&) = delete;
  ResourceEnv& operator=(const ResourceEnv&) = delete;
  void (*destructor)(void*, uint32_t);
  void* env;
  void (*finalizer)(void*);
  ~ResourceEnv() {
    if (finalizer) finalizer(env);
  }
};

// Deletes a vector of C values on scope exit (the arguments of a host call and the results a
// callback produced, once converted).
struct CVals {
  std::vector<hull_component_val_t> v;
  explicit CVals(size_t n) : v(n) {
    for (auto& x : v) set_false(&x);
  }
  ~CVals() {
    for (auto& x : v) hull_component_val_delete(&x);
  }
};

// Marks a result slot the host callback has not filled.
constexpr hull_component_valkind_t kUnset = 0xFF;

// How many results the import at `path` ("name" or "iface#...#name") of `c` has, when the path
// names a function import of `c` (the interface's version may differ, as the linker's
// semver-compatible lookup allows).
std::optional<size_t> result_arity(const cm::Component& c, std::string_view path) {
  auto unversioned = [](std::string_view n) { return n.substr(0, n.find('@')); };
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t hash = path.find('#', start);
    parts.push_back(path.substr(start, hash == std::string_view::npos ? path.npos : hash - start));
    if (hash == std::string_view::npos) break;
    start = hash + 1;
  }
  std::vector<std::pair<std::string, cm::ExternInfo>> imports = c.imports();
  const cm::ExternInfo* x = nullptr;
  for (const auto& [name, info] : imports) {
    if (name == parts[0]) x = &info;
  }
  for (const auto& [name, info] : imports) {
    if (!x && unversioned(name) == unversioned(parts[0])) x = &info;
  }
  for (size_t k = 1; x && k < parts.size(); ++k) {
    const cm::ExternInfo* next = nullptr;
    for (size_t j = 0; j < x->export_names.size(); ++j) {
      if (x->export_names[j] == parts[k]) next = &x->export_types[j];
    }
    x = next;
  }
  if (!x || x->kind != cm::ExternInfo::Kind::Func) return std::nullopt;
  return x->func.result.empty() ? 0 : 1;
}

// A host function for one instantiation: calls the C callback with as many result slots as the
// import it satisfies has (one when that is unknown: an unused definition).
cm::HostFunc host_func(std::shared_ptr<CallbackEnv> cb, std::optional<size_t> arity) {
  return [cb = std::move(cb), n = arity.value_or(1)](
             std::span<const cm::Val> args, std::vector<cm::Val>& results) -> api::Result<void> {
    CVals c_args(args.size());
    for (size_t i = 0; i < args.size(); ++i) to_c(args[i], &c_args.v[i]);
    CVals c_results(n);
    for (auto& r : c_results.v) r.kind = kUnset;
    hull_error_t* err =
        cb->callback(cb->env, c_args.v.data(), c_args.v.size(), c_results.v.data(), n);
    if (err) {
      api::Error e = std::move(err->error);
      delete err;
      if (!e.trap) e = api::Error(api::Trap::host(e.message));
      for (auto& r : c_results.v) {
        if (r.kind == kUnset) set_false(&r);
      }
      return e;
    }
    for (auto& r : c_results.v) {
      // An unfilled slot is no result: the runtime reports the count ("returned 0 values
      // where 1 was expected").
      if (r.kind == kUnset) {
        set_false(&r);
        continue;
      }
      cm::Val v;
      std::string why;
      if (!from_c(r, &v, &why, "result"))
        return api::Error(api::Trap::host("host function " + why));
      results.push_back(std::move(v));
    }
    return {};
  };
}

}  // namespace

// Host functions are added per instantiation, to a copy of a linker holding everything else,
// so that each learns the result count of the import it satisfies in that component (the C++
// HostFunc is not told its type).
struct hull_component_linker_t {
  struct Func {
    std::string path;
    std::shared_ptr<CallbackEnv> env;
  };
  api::Engine engine;
  cm::Linker check;  // every definition, to report a duplicate when it is made
  cm::Linker base;   // host resources and instances
  std::vector<Func> funcs;
};

extern "C" {

// ---- errors ----

hull_error_t* hull_error_new(const char* message) {
  return make_error(api::Error(api::Trap::host(message ? message : "")));
}
void hull_error_delete(hull_error_t* e) { delete e; }
hull_error_kind_t hull_error_kind(const hull_error_t* e) {
  switch (e->error.kind) {
    case api::ErrorKind::Malformed: return HULL_ERROR_MALFORMED;
    case api::ErrorKind::Invalid: return HULL_ERROR_INVALID;
    case api::ErrorKind::Unlinkable: return HULL_ERROR_UNLINKABLE;
    case api::ErrorKind::Uninstantiable: return HULL_ERROR_UNINSTANTIABLE;
    case api::ErrorKind::Limit: return HULL_ERROR_LIMIT;
    case api::ErrorKind::Io: return HULL_ERROR_IO;
    case api::ErrorKind::Usage: return HULL_ERROR_USAGE;
    case api::ErrorKind::Trap: return HULL_ERROR_TRAP;
  }
  return HULL_ERROR_USAGE;
}
void hull_error_message(const hull_error_t* e, wasm_message_t* out) {
  message_out(e->error.to_string(), out);
}
bool hull_error_trap_message(const hull_error_t* e, wasm_message_t* out) {
  if (!e->error.trap) return false;
  if (out) message_out(e->error.trap->message, out);
  return true;
}

// ---- value vectors ----

#define HULL_COMPONENT_VEC_IMPL(NAME, ELEM, DROP, DUP)                               \
  void NAME##_new_empty(NAME##_t* out) {                                             \
    out->size = 0;                                                                   \
    out->data = nullptr;                                                             \
  }                                                                                  \
  void NAME##_new_uninit(NAME##_t* out, size_t size) {                               \
    out->size = size;                                                                \
    out->data = size ? new ELEM[size]() : nullptr;                                   \
  }                                                                                  \
  void NAME##_new(NAME##_t* out, size_t size, const ELEM* data) {                    \
    NAME##_new_uninit(out, size);                                                    \
    if (size) std::memcpy(static_cast<void*>(out->data), data, size * sizeof(ELEM)); \
  }                                                                                  \
  void NAME##_copy(NAME##_t* out, const NAME##_t* src) {                             \
    NAME##_new_uninit(out, src->size);                                               \
    for (size_t i = 0; i < src->size; ++i) DUP(&src->data[i], &out->data[i]);        \
  }                                                                                  \
  void NAME##_delete(NAME##_t* vec) {                                                \
    for (size_t i = 0; i < vec->size; ++i) DROP(&vec->data[i]);                      \
    delete[] vec->data;                                                              \
    vec->size = 0;                                                                   \
    vec->data = nullptr;                                                             \
  }

static void entry_drop(hull_component_valrecord_entry_t* e) {
  wasm_byte_vec_delete(&e->name);
  hull_component_val_delete(&e->val);
}
static void entry_dup(const hull_component_valrecord_entry_t* src,
                      hull_component_valrecord_entry_t* dst) {
  wasm_byte_vec_copy(&dst->name, &src->name);
  hull_component_val_clone(&src->val, &dst->val);
}
static void name_dup(const wasm_name_t* src, wasm_name_t* dst) { wasm_byte_vec_copy(dst, src); }

HULL_COMPONENT_VEC_IMPL(hull_component_vallist, hull_component_val_t, hull_component_val_delete,
                        hull_component_val_clone)
HULL_COMPONENT_VEC_IMPL(hull_component_valrecord, hull_component_valrecord_entry_t, entry_drop,
                        entry_dup)
HULL_COMPONENT_VEC_IMPL(hull_component_valflags, wasm_name_t, wasm_byte_vec_delete, name_dup)

// ---- values ----

void hull_component_val_delete(hull_component_val_t* v) {
  if (!v) return;
  switch (v->kind) {
    case HULL_COMPONENT_STRING: wasm_byte_vec_delete(&v->of.string); break;
    case HULL_COMPONENT_LIST: hull_component_vallist_delete(&v->of.list); break;
    case HULL_COMPONENT_TUPLE: hull_component_vallist_delete(&v->of.tuple); break;
    case HULL_COMPONENT_RECORD: hull_component_valrecord_delete(&v->of.record); break;
    case HULL_COMPONENT_VARIANT:
      wasm_byte_vec_delete(&v->of.variant.discriminant);
      hull_component_val_free(v->of.variant.val);
      break;
    case HULL_COMPONENT_ENUM: wasm_byte_vec_delete(&v->of.enumeration); break;
    case HULL_COMPONENT_OPTION: hull_component_val_free(v->of.option); break;
    case HULL_COMPONENT_RESULT: hull_component_val_free(v->of.result.val); break;
    case HULL_COMPONENT_FLAGS: hull_component_valflags_delete(&v->of.flags); break;
    case HULL_COMPONENT_RESOURCE: delete v->of.resource; break;
    default: break;
  }
  set_false(v);
}

hull_component_val_t* hull_component_val_new(hull_component_val_t* v) {
  auto* p = new hull_component_val_t(*v);
  set_false(v);
  return p;
}

void hull_component_val_free(hull_component_val_t* v) {
  if (!v) return;
  hull_component_val_delete(v);
  delete v;
}

void hull_component_val_clone(const hull_component_val_t* src, hull_component_val_t* out) {
  auto heap_clone = [](const hull_component_val_t* p) -> hull_component_val_t* {
    if (!p) return nullptr;
    auto* c = new hull_component_val_t;
    hull_component_val_clone(p, c);
    return c;
  };
  *out = *src;  // scalars; owned parts are replaced below
  switch (src->kind) {
    case HULL_COMPONENT_STRING: wasm_byte_vec_copy(&out->of.string, &src->of.string); break;
    case HULL_COMPONENT_LIST: hull_component_vallist_copy(&out->of.list, &src->of.list); break;
    case HULL_COMPONENT_TUPLE: hull_component_vallist_copy(&out->of.tuple, &src->of.tuple); break;
    case HULL_COMPONENT_RECORD:
      hull_component_valrecord_copy(&out->of.record, &src->of.record);
      break;
    case HULL_COMPONENT_VARIANT:
      wasm_byte_vec_copy(&out->of.variant.discriminant, &src->of.variant.discriminant);
      out->of.variant.val = heap_clone(src->of.variant.val);
      break;
    case HULL_COMPONENT_ENUM: wasm_byte_vec_copy(&out->of.enumeration, &src->of.enumeration); break;
    case HULL_COMPONENT_OPTION: out->of.option = heap_clone(src->of.option); break;
    case HULL_COMPONENT_RESULT: out->of.result.val = heap_clone(src->of.result.val); break;
    case HULL_COMPONENT_FLAGS: hull_component_valflags_copy(&out->of.flags, &src->of.flags); break;
    case HULL_COMPONENT_RESOURCE:
      out->of.resource =
          src->of.resource ? hull_component_resource_any_clone(src->of.resource) : nullptr;
      break;
    default: break;
  }
}

void hull_component_val_new_string(hull_component_val_t* out, const char* str, size_t len) {
  set_false(out);
  out->kind = HULL_COMPONENT_STRING;
  wasm_byte_vec_new(&out->of.string, len, str);
}

void hull_component_val_new_enum(hull_component_val_t* out, const char* name) {
  set_false(out);
  out->kind = HULL_COMPONENT_ENUM;
  name_out(name ? name : "", &out->of.enumeration);
}

void hull_component_val_new_variant(hull_component_val_t* out, const char* name,
                                    hull_component_val_t* payload) {
  set_false(out);
  out->kind = HULL_COMPONENT_VARIANT;
  name_out(name ? name : "", &out->of.variant.discriminant);
  out->of.variant.val = payload ? hull_component_val_new(payload) : nullptr;
}

void hull_component_val_new_option(hull_component_val_t* out, hull_component_val_t* payload) {
  set_false(out);
  out->kind = HULL_COMPONENT_OPTION;
  out->of.option = payload ? hull_component_val_new(payload) : nullptr;
}

void hull_component_val_new_result(hull_component_val_t* out, bool is_ok,
                                   hull_component_val_t* payload) {
  set_false(out);
  out->kind = HULL_COMPONENT_RESULT;
  out->of.result.is_ok = is_ok;
  out->of.result.val = payload ? hull_component_val_new(payload) : nullptr;
}

void hull_component_valrecord_set(hull_component_valrecord_t* record, size_t index,
                                  const char* name, hull_component_val_t* val) {
  if (index >= record->size) return;
  hull_component_valrecord_entry_t& e = record->data[index];
  wasm_byte_vec_delete(&e.name);
  hull_component_val_delete(&e.val);
  name_out(name ? name : "", &e.name);
  e.val = *val;
  set_false(val);
}

// ---- resources ----

hull_component_resource_any_t* hull_component_resource_any_clone(
    const hull_component_resource_any_t* r) {
  return new hull_component_resource_any_t{r->resource};
}
void hull_component_resource_any_delete(hull_component_resource_any_t* r) { delete r; }
bool hull_component_resource_any_owned(const hull_component_resource_any_t* r) {
  return r->resource.own;
}
uint32_t hull_component_resource_any_rep(const hull_component_resource_any_t* r) {
  return r->resource.rep;
}

hull_error_t* hull_component_resource_any_drop(const hull_component_resource_any_t* r) {
  if (!r) return usage("hull_component_resource_any_drop: NULL resource");
  api::Result<void> d = cm::resource_drop(r->resource);
  if (!d) return make_error(std::move(d).error());
  return nullptr;
}

hull_component_resource_type_t* hull_component_resource_type_clone(
    const hull_component_resource_type_t* t) {
  return new hull_component_resource_type_t{t->type};
}
void hull_component_resource_type_delete(hull_component_resource_type_t* t) { delete t; }
bool hull_component_resource_type_equal(const hull_component_resource_type_t* a,
                                        const hull_component_resource_type_t* b) {
  return a->type == b->type;
}
hull_component_resource_type_t* hull_component_resource_any_type(
    const hull_component_resource_any_t* r) {
  return new hull_component_resource_type_t{cm::ResourceType{r->resource.type}};
}
hull_component_resource_any_t* hull_component_resource_host_new(
    const hull_component_resource_type_t* t, uint32_t rep, bool owned) {
  cm::ResourceAny r;
  r.type = t->type.id;
  r.rep = rep;
  r.own = owned;
  return new hull_component_resource_any_t{r};
}

// ---- components ----

hull_error_t* hull_component_new(const wasm_engine_t* engine, const uint8_t* buf, size_t len,
                                 hull_component_t** out) {
  *out = nullptr;
  if (!engine) return usage("hull_component_new: NULL engine");
  api::Result<cm::Component> c =
      cm::Component::compile(engine->api, std::span<const uint8_t>(buf, buf ? len : 0));
  if (!c) return make_error(std::move(c).error());
  *out = new hull_component_t{std::move(*c)};
  return nullptr;
}

hull_error_t* hull_component_from_file(const wasm_engine_t* engine, const char* path,
                                       hull_component_t** out) {
  *out = nullptr;
  if (!engine || !path) return usage("hull_component_from_file: NULL engine or path");
  api::Result<cm::Component> c = cm::Component::from_file(engine->api, path);
  if (!c) return make_error(std::move(c).error());
  *out = new hull_component_t{std::move(*c)};
  return nullptr;
}

hull_component_t* hull_component_clone(const hull_component_t* c) {
  return new hull_component_t{c->component};
}
void hull_component_delete(hull_component_t* c) { delete c; }
void hull_component_wit(const hull_component_t* c, wasm_name_t* out) {
  message_out(c->component.wit(), out);
}

// ---- instances and functions ----

void hull_component_instance_delete(hull_component_instance_t* i) { delete i; }

hull_component_func_t* hull_component_instance_get_func(const hull_component_instance_t* i,
                                                        const char* name) {
  if (!i || !name) return nullptr;
  std::optional<cm::Func> f = i->instance.get_func(name);
  return f ? new hull_component_func_t{std::move(*f)} : nullptr;
}

hull_component_instance_t* hull_component_instance_get_instance(const hull_component_instance_t* i,
                                                                const char* name) {
  if (!i || !name) return nullptr;
  std::optional<cm::Instance> x = i->instance.get_instance(name);
  return x ? new hull_component_instance_t{std::move(*x)} : nullptr;
}

void hull_component_func_delete(hull_component_func_t* f) { delete f; }
size_t hull_component_func_param_count(const hull_component_func_t* f) {
  return f->func.type().params.size();
}
size_t hull_component_func_result_count(const hull_component_func_t* f) {
  return f->func.type().result.empty() ? 0 : 1;
}
void hull_component_func_type(const hull_component_func_t* f, wasm_name_t* out) {
  message_out(cm::to_string(f->func.type()), out);
}

hull_error_t* hull_component_func_call(const hull_component_func_t* f,
                                       const hull_component_val_t* args, size_t nargs,
                                       hull_component_val_t* results, size_t nresults) {
  if (!f) return usage("hull_component_func_call: NULL function");
  size_t want = hull_component_func_result_count(f);
  if (nresults != want) {
    return usage("expected room for " + std::to_string(want) + " results, got " +
                 std::to_string(nresults));
  }
  std::vector<cm::Val> in(nargs);
  for (size_t i = 0; i < nargs; ++i) {
    std::string why;
    const std::string at = i < f->func.type().params.size()
                               ? "argument `" + f->func.type().params[i].name + "`"
                               : "argument " + std::to_string(i);
    if (!from_c(args[i], &in[i], &why, at)) return usage(why);
  }
  // Func::call checks the count and each argument's type before running anything.
  api::Result<std::vector<cm::Val>> r = f->func.call(in);
  if (!r) return make_error(std::move(r).error());
  for (size_t i = 0; i < nresults && i < r->size(); ++i) to_c((*r)[i], &results[i]);
  return nullptr;
}

// ---- linker ----

hull_component_linker_t* hull_component_linker_new(const wasm_engine_t* engine) {
  api::Engine e = engine ? engine->api : api::Engine();
  return new hull_component_linker_t{e, cm::Linker(e), cm::Linker(e), {}};
}
void hull_component_linker_delete(hull_component_linker_t* l) { delete l; }

hull_error_t* hull_component_linker_define_func(hull_component_linker_t* l, const char* path,
                                                hull_component_func_callback_t callback, void* env,
                                                void (*finalizer)(void*)) {
  // Owns env from here on: a failure below finalizes it at once.
  auto shared = std::make_shared<CallbackEnv>(callback, env, finalizer);
  if (!l || !path || !callback)
    return usage("hull_component_linker_define_func: NULL linker, path or callback");
  api::Result<void> r = l->check.func(path, host_func(shared, std::nullopt));
  if (!r) return make_error(std::move(r).error());
  l->funcs.push_back({path, std::move(shared)});
  return nullptr;
}

hull_error_t* hull_component_linker_define_resource(hull_component_linker_t* l, const char* path,
                                                    void (*destructor)(void*, uint32_t), void* env,
                                                    void (*finalizer)(void*),
                                                    hull_component_resource_type_t** type_out) {
  auto shared = std::make_shared<ResourceEnv>(destructor, env, finalizer);
  if (type_out) *type_out = nullptr;
  if (!l || !path || !type_out)
    return usage("hull_component_linker_define_resource: NULL linker, path or type_out");
  api::Result<cm::ResourceType> checked = l->check.resource(path);
  if (!checked) return make_error(std::move(checked).error());
  std::function<void(uint32_t)> dtor;
  if (destructor) {
    dtor = [shared](uint32_t rep) { shared->destructor(shared->env, rep); };
  } else {
    dtor = [shared](uint32_t) {};  // still owns env until the definition goes
  }
  api::Result<cm::ResourceType> t = l->base.resource(path, std::move(dtor));
  if (!t) return make_error(std::move(t).error());
  *type_out = new hull_component_resource_type_t{*t};
  return nullptr;
}

hull_error_t* hull_component_linker_define_instance(hull_component_linker_t* l, const char* name,
                                                    const hull_component_instance_t* instance) {
  if (!l || !name || !instance)
    return usage("hull_component_linker_define_instance: NULL argument");
  api::Result<void> r = l->check.instance(name, instance->instance);
  if (!r) return make_error(std::move(r).error());
  r = l->base.instance(name, instance->instance);
  if (!r) return make_error(std::move(r).error());
  return nullptr;
}

hull_error_t* hull_component_linker_instantiate(const hull_component_linker_t* l,
                                                wasm_store_t* store,
                                                const hull_component_t* component,
                                                hull_component_instance_t** out) {
  *out = nullptr;
  if (!l || !store || !component) return usage("hull_component_linker_instantiate: NULL argument");
  // A copy shares the host resource types (their identity) with the C linker.
  auto linker = std::make_shared<cm::Linker>(l->base);
  for (const auto& f : l->funcs) {
    api::Result<void> r =
        linker->func(f.path, host_func(f.env, result_arity(component->component, f.path)));
    if (!r) return make_error(std::move(r).error());
  }
  api::Result<cm::Instance> i = linker->instantiate(store->api, component->component);
  if (!i) return make_error(std::move(i).error());
  // The instance refers to the linker's host resource types: the store keeps them (and the
  // host functions' environments) alive, whenever the C linker is deleted.
  store->api.attach(linker);
  *out = new hull_component_instance_t{std::move(*i)};
  return nullptr;
}

struct hull_component_snapshot_t {
  cm::InstanceSnapshot snapshot;
};

hull_error_t* hull_component_snapshot_take(wasm_store_t* store,
                                           const hull_component_instance_t* instance,
                                           hull_component_snapshot_t** out) {
  if (!out) return usage("hull_component_snapshot_take: NULL out");
  *out = nullptr;
  if (!store || !instance) return usage("hull_component_snapshot_take: NULL argument");
  api::Result<cm::InstanceSnapshot> r = cm::InstanceSnapshot::take(store->api, instance->instance);
  if (!r) return make_error(std::move(r).error());
  *out = new hull_component_snapshot_t{std::move(*r)};
  return nullptr;
}

hull_error_t* hull_component_snapshot_restore(const hull_component_snapshot_t* snapshot,
                                              wasm_store_t* store) {
  if (!snapshot || !store) return usage("hull_component_snapshot_restore: NULL argument");
  api::Result<void> r = snapshot->snapshot.restore(store->api);
  if (!r) return make_error(std::move(r).error());
  return nullptr;
}

void hull_component_snapshot_delete(hull_component_snapshot_t* snapshot) { delete snapshot; }

}  // extern "C"
