// Tests of the component C API (hull_component.h): compiling (binary, text file, errors), the
// value tree (constructors, clone, delete), calls with every kind of value, host functions
// (results, errors, wrong results, finalizers), linking errors, traps, and the store shared
// with the core C API (fuel reaches component code).
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "hull.h"
#include "text/component.h"

namespace {

// Host imports and value echoes; records, variants, options, results and resources are covered
// by the examples' component (examples/component-c/demo.wat), loaded from its file below.
const char* const kTestComponent = R"(
(component
  (import "local:test/host" (instance $host
    (export "double" (func (param "x" u32) (result u32)))
    (export "shout" (func (param "s" string) (result string)))
    (export "fail" (func))
  ))
  (type $color (enum "red" "green" "blue"))
  (export $color-t "color" (type $color))
  (type $perms (flags "read" "write" "exec"))
  (export $perms-t "perms" (type $perms))

  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $ptr i32)
      (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $ptr) (local.get 3)))
      (local.get $ptr))
  )
  (core instance $libc (instantiate $libc))
  (alias export $host "double" (func $double))
  (alias export $host "shout" (func $shout))
  (alias export $host "fail" (func $fail))
  (core func $double-l (canon lower (func $double)))
  (core func $shout-l (canon lower (func $shout) (memory (core memory $libc "memory"))
                                   (realloc (core func $libc "realloc"))))
  (core func $fail-l (canon lower (func $fail)))

  (core module $main
    (import "libc" "memory" (memory 1))
    (import "host" "double" (func $double (param i32) (result i32)))
    (import "host" "shout" (func $shout (param i32 i32 i32)))
    (import "host" "fail" (func $fail))
    (func (export "quadruple") (param i32) (result i32)
      (call $double (call $double (local.get 0))))
    ;; The host's string result is written at 512 as (ptr, len): exactly what the lifted
    ;; string result expects.
    (func (export "relay") (param i32 i32) (result i32)
      (call $shout (local.get 0) (local.get 1) (i32.const 512))
      (i32.const 512))
    (func (export "call-fail") (call $fail))
    (func (export "boom") unreachable)
    (func (export "spin") (loop $l (br $l)))
    (func (export "id32") (param i32) (result i32) (local.get 0))
    (func (export "idf64") (param f64) (result f64) (local.get 0))
    (func (export "tuple") (param i32 i64) (result i32)
      (i32.store8 (i32.const 256) (local.get 0))
      (i64.store (i32.const 264) (local.get 1))
      (i32.const 256))
    (func (export "total-len") (param $ptr i32) (param $n i32) (result i32)
      (local $i i32) (local $acc i32)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $acc (i32.add (local.get $acc)
            (i32.load offset=4 (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (local.get $acc))
  )
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "host" (instance
      (export "double" (func $double-l))
      (export "shout" (func $shout-l))
      (export "fail" (func $fail-l))
    ))
  ))
  (func (export "quadruple") (param "x" u32) (result u32) (canon lift (core func $main "quadruple")))
  (func (export "relay") (param "s" string) (result string)
    (canon lift (core func $main "relay") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
  (func (export "call-fail") (canon lift (core func $main "call-fail")))
  (func (export "boom") (canon lift (core func $main "boom")))
  (func (export "spin") (canon lift (core func $main "spin")))
  (func (export "echo-char") (param "c" char) (result char) (canon lift (core func $main "id32")))
  (func (export "echo-bool") (param "b" bool) (result bool) (canon lift (core func $main "id32")))
  (func (export "echo-f64") (param "x" f64) (result f64) (canon lift (core func $main "idf64")))
  (func (export "echo-color") (param "c" $color-t) (result $color-t)
    (canon lift (core func $main "id32")))
  (func (export "echo-perms") (param "p" $perms-t) (result $perms-t)
    (canon lift (core func $main "id32")))
  (func (export "echo-tuple") (param "t" (tuple u8 s64)) (result (tuple u8 s64))
    (canon lift (core func $main "tuple") (memory (core memory $libc "memory"))))
  (func (export "total-len") (param "xs" (list string)) (result u32)
    (canon lift (core func $main "total-len") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
)
)";

std::string str(const wasm_name_t& n) { return std::string(n.data, n.size); }

// The message of `e` (then deleted), or "" for no error.
std::string take(hull_error_t* e) {
  if (!e) return "";
  wasm_message_t m;
  hull_error_message(e, &m);
  std::string s(m.data);
  EXPECT_EQ(m.size, s.size() + 1);  // NUL-terminated, the NUL counted
  wasm_byte_vec_delete(&m);
  hull_error_delete(e);
  return s;
}

hull_component_val_t u32v(uint32_t x) {
  hull_component_val_t v;
  v.kind = HULL_COMPONENT_U32;
  v.of.u32 = x;
  return v;
}

hull_component_val_t strv(const std::string& s) {
  hull_component_val_t v;
  hull_component_val_new_string(&v, s.data(), s.size());
  return v;
}

// Host state of the test's imports.
struct Host {
  int double_calls = 0;
  std::string last_shout;
  int finalized = 0;
};

hull_error_t* host_double(void* env, const hull_component_val_t* args, size_t nargs,
                          hull_component_val_t* results, size_t nresults) {
  auto* h = static_cast<Host*>(env);
  ++h->double_calls;
  if (nargs != 1 || nresults != 1 || args[0].kind != HULL_COMPONENT_U32)
    return hull_error_new("bad call");
  results[0] = u32v(args[0].of.u32 * 2);
  return nullptr;
}

hull_error_t* host_shout(void* env, const hull_component_val_t* args, size_t,
                         hull_component_val_t* results, size_t nresults) {
  auto* h = static_cast<Host*>(env);
  h->last_shout = str(args[0].of.string);
  std::string up = h->last_shout;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(nresults, 1u);
  results[0] = strv(up + "!");
  return nullptr;
}

hull_error_t* host_fail(void*, const hull_component_val_t*, size_t nargs, hull_component_val_t*,
                        size_t nresults) {
  EXPECT_EQ(nargs, 0u);
  EXPECT_EQ(nresults, 0u);
  return hull_error_new("the host said no");
}

void finalize(void* env) { ++static_cast<Host*>(env)->finalized; }

// An engine, a store, the test component instantiated with the host functions above.
struct Fixture {
  wasm_engine_t* engine;
  wasm_store_t* store;
  hull_component_t* component = nullptr;
  hull_component_linker_t* linker = nullptr;
  hull_component_instance_t* instance = nullptr;
  Host host;

  explicit Fixture(wasm_config_t* config = nullptr)
      : engine(config ? wasm_engine_new_with_config(config) : wasm_engine_new()),
        store(wasm_store_new(engine)) {
    auto bin = hull::text::component_to_binary(kTestComponent);
    EXPECT_TRUE(bin.ok()) << (bin.ok() ? "" : bin.error().to_string());
    if (!bin.ok()) return;
    EXPECT_EQ(take(hull_component_new(engine, bin->data(), bin->size(), &component)), "");
    linker = hull_component_linker_new(engine);
    EXPECT_EQ(take(hull_component_linker_define_func(linker, "local:test/host#double", host_double,
                                                     &host, finalize)),
              "");
    EXPECT_EQ(take(hull_component_linker_define_func(linker, "local:test/host#shout", host_shout,
                                                     &host, nullptr)),
              "");
    EXPECT_EQ(take(hull_component_linker_define_func(linker, "local:test/host#fail", host_fail,
                                                     nullptr, nullptr)),
              "");
    EXPECT_EQ(take(hull_component_linker_instantiate(linker, store, component, &instance)), "");
  }
  ~Fixture() {
    hull_component_instance_delete(instance);
    hull_component_linker_delete(linker);
    hull_component_delete(component);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }

  // Calls `name`; returns the error message ("" on success). Deletes the arguments.
  std::string call(const char* name, std::vector<hull_component_val_t> args,
                   hull_component_val_t* result) {
    hull_component_func_t* f = hull_component_instance_get_func(instance, name);
    EXPECT_NE(f, nullptr) << name;
    if (!f) return "no such export";
    std::string e =
        take(hull_component_func_call(f, args.data(), args.size(), result, result ? 1 : 0));
    for (auto& a : args) hull_component_val_delete(&a);
    hull_component_func_delete(f);
    return e;
  }
};

TEST(CapiComponent, HostFunctionsWithResults) {
  Fixture fx;
  ASSERT_NE(fx.instance, nullptr);
  hull_component_val_t r;
  EXPECT_EQ(fx.call("quadruple", {u32v(5)}, &r), "");
  EXPECT_EQ(r.kind, HULL_COMPONENT_U32);
  EXPECT_EQ(r.of.u32, 20u);
  EXPECT_EQ(fx.host.double_calls, 2);

  EXPECT_EQ(fx.call("relay", {strv("hello, wörld")}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_STRING);
  EXPECT_EQ(str(r.of.string), "HELLO, WöRLD!");
  EXPECT_EQ(fx.host.last_shout, "hello, wörld");
  hull_component_val_delete(&r);
  EXPECT_EQ(r.kind, HULL_COMPONENT_BOOL);  // deleting leaves a false bool
}

TEST(CapiComponent, ScalarsEnumsFlagsTuplesAndStringLists) {
  Fixture fx;
  ASSERT_NE(fx.instance, nullptr);
  hull_component_val_t v, r;

  v.kind = HULL_COMPONENT_CHAR;
  v.of.character = 0x1F600;
  EXPECT_EQ(fx.call("echo-char", {v}, &r), "");
  EXPECT_EQ(r.kind, HULL_COMPONENT_CHAR);
  EXPECT_EQ(r.of.character, 0x1F600u);

  v.kind = HULL_COMPONENT_BOOL;
  v.of.boolean = true;
  EXPECT_EQ(fx.call("echo-bool", {v}, &r), "");
  EXPECT_EQ(r.kind, HULL_COMPONENT_BOOL);
  EXPECT_TRUE(r.of.boolean);

  v.kind = HULL_COMPONENT_F64;
  v.of.f64 = -2.5;
  EXPECT_EQ(fx.call("echo-f64", {v}, &r), "");
  EXPECT_EQ(r.kind, HULL_COMPONENT_F64);
  EXPECT_EQ(r.of.f64, -2.5);

  hull_component_val_new_enum(&v, "blue");
  EXPECT_EQ(fx.call("echo-color", {v}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_ENUM);
  EXPECT_EQ(str(r.of.enumeration), "blue");
  hull_component_val_delete(&r);

  v.kind = HULL_COMPONENT_FLAGS;
  hull_component_valflags_new_uninit(&v.of.flags, 2);
  wasm_name_new(&v.of.flags.data[0], 4, "read");
  wasm_name_new(&v.of.flags.data[1], 4, "exec");
  EXPECT_EQ(fx.call("echo-perms", {v}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_FLAGS);
  ASSERT_EQ(r.of.flags.size, 2u);
  EXPECT_EQ(str(r.of.flags.data[0]), "read");
  EXPECT_EQ(str(r.of.flags.data[1]), "exec");
  hull_component_val_delete(&r);

  hull_component_val_t parts[2];
  parts[0].kind = HULL_COMPONENT_U8;
  parts[0].of.u8 = 200;
  parts[1].kind = HULL_COMPONENT_S64;
  parts[1].of.s64 = -1234567890123;
  v.kind = HULL_COMPONENT_TUPLE;
  hull_component_vallist_new(&v.of.tuple, 2, parts);
  EXPECT_EQ(fx.call("echo-tuple", {v}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_TUPLE);
  ASSERT_EQ(r.of.tuple.size, 2u);
  EXPECT_EQ(r.of.tuple.data[0].of.u8, 200);
  EXPECT_EQ(r.of.tuple.data[1].of.s64, -1234567890123);
  hull_component_val_delete(&r);

  v.kind = HULL_COMPONENT_LIST;
  hull_component_vallist_new_uninit(&v.of.list, 3);
  v.of.list.data[0] = strv("ab");
  v.of.list.data[1] = strv("");
  v.of.list.data[2] = strv("cde");
  EXPECT_EQ(fx.call("total-len", {v}, &r), "");
  EXPECT_EQ(r.of.u32, 5u);
}

// Records, variants, options, results, a guest resource and a host resource, through the
// examples' component (a text file: hull_component_from_file converts it).
hull_error_t* log_to_string(void* env, const hull_component_val_t* args, size_t,
                            hull_component_val_t*, size_t) {
  *static_cast<std::string*>(env) += str(args[0].of.string) + ";";
  return nullptr;
}

// The host resource `tally` of the examples' component: objects indexed by rep.
struct Tallies {
  uint64_t total[4] = {};
  std::vector<uint32_t> dropped;
  int finalized = 0;
};

hull_error_t* tally_add(void* env, const hull_component_val_t* args, size_t nargs,
                        hull_component_val_t*, size_t nresults) {
  EXPECT_EQ(nargs, 2u);
  EXPECT_EQ(nresults, 0u);
  EXPECT_EQ(args[0].kind, HULL_COMPONENT_RESOURCE);
  EXPECT_FALSE(hull_component_resource_any_owned(args[0].of.resource));  // a borrow
  uint32_t rep = hull_component_resource_any_rep(args[0].of.resource);
  if (rep >= 4) return hull_error_new("no such tally");
  static_cast<Tallies*>(env)->total[rep] += args[1].of.u32;
  return nullptr;
}
void tally_dtor(void* env, uint32_t rep) { static_cast<Tallies*>(env)->dropped.push_back(rep); }
void tally_finalize(void* env) { ++static_cast<Tallies*>(env)->finalized; }

// Defines the examples' component's imports: log (appending to `log`) and the tally resource.
hull_component_resource_type_t* define_demo_imports(hull_component_linker_t* l, std::string* log,
                                                    Tallies* t) {
  EXPECT_EQ(take(hull_component_linker_define_func(l, "local:demo/host#log", log_to_string, log,
                                                   nullptr)),
            "");
  hull_component_resource_type_t* type = nullptr;
  EXPECT_EQ(take(hull_component_linker_define_resource(l, "local:demo/host#tally", tally_dtor, t,
                                                       tally_finalize, &type)),
            "");
  EXPECT_EQ(take(hull_component_linker_define_func(l, "local:demo/host#[method]tally.add",
                                                   tally_add, t, nullptr)),
            "");
  return type;
}

TEST(CapiComponent, RecordsVariantsOptionsResultsResources) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  hull_component_t* c = nullptr;
  ASSERT_EQ(take(hull_component_from_file(engine, HULL_EXAMPLES_DIR "/component-c/demo.wat", &c)),
            "");
  wasm_name_t wit;
  hull_component_wit(c, &wit);
  EXPECT_NE(std::string(wit.data).find("export parse: func(text: string) -> result<u32, string>;"),
            std::string::npos)
      << wit.data;
  wasm_byte_vec_delete(&wit);

  std::string log;
  Tallies tallies;
  hull_component_linker_t* l = hull_component_linker_new(engine);
  hull_component_resource_type_t* tally = define_demo_imports(l, &log, &tallies);
  hull_component_instance_t* inst = nullptr;
  ASSERT_EQ(take(hull_component_linker_instantiate(l, store, c, &inst)), "");
  auto call = [&](const char* name, std::vector<hull_component_val_t> args,
                  hull_component_val_t* r) {
    hull_component_func_t* f = hull_component_instance_get_func(inst, name);
    EXPECT_NE(f, nullptr) << name;
    std::string e =
        f ? take(hull_component_func_call(f, args.data(), args.size(), r, 1)) : "missing";
    for (auto& a : args) hull_component_val_delete(&a);
    hull_component_func_delete(f);
    return e;
  };
  hull_component_val_t r;

  // string -> string through the host import
  EXPECT_EQ(call("greet", {strv("x")}, &r), "");
  EXPECT_EQ(str(r.of.string), "Hello, x!");
  EXPECT_EQ(log, "Hello, x!;");
  hull_component_val_delete(&r);

  // record in and out
  hull_component_val_t p;
  p.kind = HULL_COMPONENT_RECORD;
  hull_component_valrecord_new_uninit(&p.of.record, 2);
  hull_component_val_t x;
  x.kind = HULL_COMPONENT_S32;
  x.of.s32 = 1;
  hull_component_valrecord_set(&p.of.record, 0, "x", &x);
  x.kind = HULL_COMPONENT_S32;
  x.of.s32 = 2;
  hull_component_valrecord_set(&p.of.record, 1, "y", &x);
  hull_component_val_t p2;
  hull_component_val_clone(&p, &p2);  // kept for the variant below
  hull_component_val_t dx, dy;
  dx.kind = dy.kind = HULL_COMPONENT_S32;
  dx.of.s32 = -10;
  dy.of.s32 = 5;
  EXPECT_EQ(call("translate", {p, dx, dy}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_RECORD);
  ASSERT_EQ(r.of.record.size, 2u);
  EXPECT_EQ(str(r.of.record.data[0].name), "x");
  EXPECT_EQ(r.of.record.data[0].val.of.s32, -9);
  EXPECT_EQ(str(r.of.record.data[1].name), "y");
  EXPECT_EQ(r.of.record.data[1].val.of.s32, 7);
  hull_component_val_delete(&r);

  // variant with a record payload, and without payload
  hull_component_val_t shape;
  hull_component_val_new_variant(&shape, "rectangle", &p2);
  EXPECT_EQ(p2.kind, HULL_COMPONENT_BOOL);  // moved
  EXPECT_EQ(call("area", {shape}, &r), "");
  EXPECT_EQ(r.of.u64, 2u);
  hull_component_val_new_variant(&shape, "empty", nullptr);
  EXPECT_EQ(call("area", {shape}, &r), "");
  EXPECT_EQ(r.of.u64, 0u);

  // result: ok(u32) and err(string)
  EXPECT_EQ(call("parse", {strv("4294967295")}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_RESULT);
  EXPECT_TRUE(r.of.result.is_ok);
  ASSERT_NE(r.of.result.val, nullptr);
  EXPECT_EQ(r.of.result.val->of.u32, 4294967295u);
  hull_component_val_delete(&r);
  EXPECT_EQ(call("parse", {strv("4294967296")}, &r), "");
  EXPECT_FALSE(r.of.result.is_ok);
  EXPECT_EQ(str(r.of.result.val->of.string), "out of range");
  hull_component_val_t copy;
  hull_component_val_clone(&r, &copy);  // a deep copy outlives the original
  hull_component_val_delete(&r);
  EXPECT_EQ(str(copy.of.result.val->of.string), "out of range");
  hull_component_val_delete(&copy);

  // option: some / none
  hull_component_val_t list;
  list.kind = HULL_COMPONENT_LIST;
  hull_component_vallist_new_uninit(&list.of.list, 3);
  for (uint32_t i = 0; i < 3; ++i) list.of.list.data[i] = u32v(10 * i);
  hull_component_val_t list2;
  hull_component_val_clone(&list, &list2);
  EXPECT_EQ(call("find", {list, u32v(20)}, &r), "");
  ASSERT_EQ(r.kind, HULL_COMPONENT_OPTION);
  ASSERT_NE(r.of.option, nullptr);
  EXPECT_EQ(r.of.option->of.u32, 2u);
  hull_component_val_delete(&r);
  EXPECT_EQ(call("find", {list2, u32v(7)}, &r), "");
  EXPECT_EQ(r.of.option, nullptr);

  // a guest-defined resource: own handle to the host, lent to a method, given back
  hull_component_val_t counter;
  EXPECT_EQ(call("[constructor]counter", {u32v(7)}, &counter), "");
  ASSERT_EQ(counter.kind, HULL_COMPONENT_RESOURCE);
  EXPECT_TRUE(hull_component_resource_any_owned(counter.of.resource));
  hull_component_val_t lent;
  hull_component_val_clone(&counter, &lent);
  EXPECT_EQ(call("[method]counter.increment", {lent, u32v(3)}, &r), "");
  EXPECT_EQ(r.of.u32, 10u);
  EXPECT_EQ(call("[static]counter.finish", {counter}, &r), "");
  EXPECT_EQ(r.of.u32, 10u);

  // The host can also drop an owned handle to a guest resource.
  EXPECT_EQ(call("[constructor]counter", {u32v(1)}, &counter), "");
  EXPECT_EQ(take(hull_component_resource_any_drop(counter.of.resource)), "");
  hull_component_val_delete(&counter);

  // A host resource: lent to the guest, which calls the host method with it; then dropped.
  hull_component_val_t t, t2;
  t.kind = HULL_COMPONENT_RESOURCE;
  t.of.resource = hull_component_resource_host_new(tally, 2, true);
  hull_component_resource_type_t* ty = hull_component_resource_any_type(t.of.resource);
  EXPECT_TRUE(hull_component_resource_type_equal(ty, tally));
  hull_component_resource_type_delete(ty);
  hull_component_val_clone(&t, &t2);
  hull_component_val_t values;
  values.kind = HULL_COMPONENT_LIST;
  hull_component_vallist_new_uninit(&values.of.list, 2);
  values.of.list.data[0] = u32v(5);
  values.of.list.data[1] = u32v(6);
  hull_component_func_t* f = hull_component_instance_get_func(inst, "tally-all");
  ASSERT_NE(f, nullptr);
  hull_component_val_t args[2] = {t2, values};
  EXPECT_EQ(take(hull_component_func_call(f, args, 2, nullptr, 0)), "");
  hull_component_val_delete(&args[0]);
  hull_component_val_delete(&args[1]);
  hull_component_func_delete(f);
  EXPECT_EQ(tallies.total[2], 11u);
  EXPECT_TRUE(tallies.dropped.empty());  // lending does not drop
  hull_component_resource_any_t* borrow = hull_component_resource_host_new(tally, 2, false);
  hull_error_t* e = hull_component_resource_any_drop(borrow);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_USAGE);
  hull_error_delete(e);
  hull_component_resource_any_delete(borrow);
  EXPECT_EQ(take(hull_component_resource_any_drop(t.of.resource)), "");
  EXPECT_EQ(tallies.dropped, std::vector<uint32_t>{2});
  hull_component_val_delete(&t);

  // A handle of a type the instance does not know is refused (a trap while lowering it).
  Tallies other;
  hull_component_linker_t* l2 = hull_component_linker_new(engine);
  hull_component_resource_type_t* foreign = define_demo_imports(l2, &log, &other);
  EXPECT_FALSE(hull_component_resource_type_equal(foreign, tally));
  hull_component_linker_delete(l2);
  EXPECT_EQ(other.finalized, 1);  // deleted without instantiating
  t.kind = HULL_COMPONENT_RESOURCE;
  t.of.resource = hull_component_resource_host_new(foreign, 0, true);
  values.kind = HULL_COMPONENT_LIST;
  hull_component_vallist_new_empty(&values.of.list);
  f = hull_component_instance_get_func(inst, "tally-all");
  hull_component_val_t args2[2] = {t, values};
  e = hull_component_func_call(f, args2, 2, nullptr, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(take(e).find("resource type mismatch"), std::string::npos);
  hull_component_val_delete(&args2[0]);
  hull_component_val_delete(&args2[1]);
  hull_component_func_delete(f);
  hull_component_resource_type_delete(foreign);

  hull_component_resource_type_delete(tally);
  hull_component_instance_delete(inst);
  hull_component_linker_delete(l);
  EXPECT_EQ(tallies.finalized, 0);  // the store still holds the definition
  hull_component_delete(c);
  wasm_store_delete(store);
  EXPECT_EQ(tallies.finalized, 1);
  wasm_engine_delete(engine);
}

TEST(CapiComponent, MistypedArgumentsAreUsageErrors) {
  Fixture fx;
  ASSERT_NE(fx.instance, nullptr);
  hull_component_func_t* f = hull_component_instance_get_func(fx.instance, "quadruple");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(hull_component_func_param_count(f), 1u);
  EXPECT_EQ(hull_component_func_result_count(f), 1u);
  wasm_name_t type;
  hull_component_func_type(f, &type);
  EXPECT_STREQ(type.data, "func(x: u32) -> u32");
  wasm_byte_vec_delete(&type);

  hull_component_val_t arg = strv("five"), r;
  r.kind = HULL_COMPONENT_U8;  // untouched on failure
  hull_error_t* e = hull_component_func_call(f, &arg, 1, &r, 1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_USAGE);
  EXPECT_FALSE(hull_error_trap_message(e, nullptr));
  EXPECT_EQ(take(e), "usage: argument `x`: value: expected u32, found a string");
  EXPECT_EQ(r.kind, HULL_COMPONENT_U8);
  hull_component_val_delete(&arg);

  EXPECT_EQ(take(hull_component_func_call(f, nullptr, 0, &r, 1)),
            "usage: expected 1 arguments, got 0");
  hull_component_val_t one = u32v(1);
  EXPECT_EQ(take(hull_component_func_call(f, &one, 1, nullptr, 0)),
            "usage: expected room for 1 results, got 0");
  hull_component_val_t bad;
  bad.kind = 99;
  EXPECT_EQ(take(hull_component_func_call(f, &bad, 1, &r, 1)),
            "usage: argument `x`: unknown value kind 99");
  EXPECT_EQ(fx.host.double_calls, 0);  // nothing ran
  hull_component_func_delete(f);

  EXPECT_EQ(hull_component_instance_get_func(fx.instance, "nope"), nullptr);
  EXPECT_EQ(hull_component_instance_get_func(fx.instance, "nope#quadruple"), nullptr);
}

TEST(CapiComponent, TrapsCarryTheirMessage) {
  Fixture fx;
  ASSERT_NE(fx.instance, nullptr);
  hull_component_func_t* boom = hull_component_instance_get_func(fx.instance, "boom");
  hull_error_t* e = hull_component_func_call(boom, nullptr, 0, nullptr, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_TRAP);
  wasm_message_t m;
  ASSERT_TRUE(hull_error_trap_message(e, &m));
  EXPECT_STREQ(m.data, "unreachable");
  wasm_byte_vec_delete(&m);
  EXPECT_EQ(take(e).rfind("wasm trap: unreachable", 0), 0u);
  hull_component_func_delete(boom);

  // A host function's error traps the guest with its message.
  hull_component_func_t* f = hull_component_instance_get_func(fx.instance, "call-fail");
  e = hull_component_func_call(f, nullptr, 0, nullptr, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_TRAP);
  ASSERT_TRUE(hull_error_trap_message(e, &m));
  EXPECT_STREQ(m.data, "the host said no");
  wasm_byte_vec_delete(&m);
  hull_error_delete(e);
  hull_component_func_delete(f);

  // The store stays usable after a trap.
  hull_component_val_t r;
  EXPECT_EQ(fx.call("quadruple", {u32v(1)}, &r), "");
  EXPECT_EQ(r.of.u32, 4u);
}

// Host functions that return nothing where a result is due, or a value of the wrong type.
hull_error_t* returns_nothing(void*, const hull_component_val_t*, size_t, hull_component_val_t*,
                              size_t) {
  return nullptr;
}
hull_error_t* returns_string(void*, const hull_component_val_t*, size_t,
                             hull_component_val_t* results, size_t) {
  results[0] = strv("not a number");
  return nullptr;
}

TEST(CapiComponent, BadHostResultsTrap) {
  for (auto cb : {returns_nothing, returns_string}) {
    wasm_engine_t* engine = wasm_engine_new();
    wasm_store_t* store = wasm_store_new(engine);
    auto bin = hull::text::component_to_binary(kTestComponent);
    ASSERT_TRUE(bin.ok());
    hull_component_t* c = nullptr;
    ASSERT_EQ(take(hull_component_new(engine, bin->data(), bin->size(), &c)), "");
    hull_component_linker_t* l = hull_component_linker_new(engine);
    EXPECT_EQ(
        take(hull_component_linker_define_func(l, "local:test/host#double", cb, nullptr, nullptr)),
        "");
    EXPECT_EQ(take(hull_component_linker_define_func(l, "local:test/host#shout", host_shout,
                                                     nullptr, nullptr)),
              "");
    EXPECT_EQ(take(hull_component_linker_define_func(l, "local:test/host#fail", host_fail, nullptr,
                                                     nullptr)),
              "");
    hull_component_instance_t* inst = nullptr;
    ASSERT_EQ(take(hull_component_linker_instantiate(l, store, c, &inst)), "");
    hull_component_func_t* f = hull_component_instance_get_func(inst, "quadruple");
    hull_component_val_t arg = u32v(1), r;
    hull_error_t* e = hull_component_func_call(f, &arg, 1, &r, 1);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(hull_error_kind(e), HULL_ERROR_TRAP);
    std::string msg = take(e);
    if (cb == returns_nothing) {
      EXPECT_NE(msg.find("host function returned 0 values where 1 was expected"), std::string::npos)
          << msg;
    } else {
      EXPECT_NE(msg.find("host function returned a value of the wrong type"), std::string::npos)
          << msg;
    }
    hull_component_func_delete(f);
    hull_component_instance_delete(inst);
    hull_component_linker_delete(l);
    hull_component_delete(c);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
}

TEST(CapiComponent, CompileAndLinkErrors) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  hull_component_t* c = reinterpret_cast<hull_component_t*>(1);
  const uint8_t junk[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 0xff};
  hull_error_t* e = hull_component_new(engine, junk, sizeof junk, &c);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(c, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_MALFORMED);
  hull_error_delete(e);

  e = hull_component_from_file(engine, "/nonexistent/x.wat", &c);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_IO);
  EXPECT_EQ(take(e), "io: cannot read /nonexistent/x.wat");

  auto bin = hull::text::component_to_binary(kTestComponent);
  ASSERT_TRUE(bin.ok());
  ASSERT_EQ(take(hull_component_new(engine, bin->data(), bin->size(), &c)), "");
  hull_component_t* c2 = hull_component_clone(c);
  hull_component_delete(c);

  // Nothing defined: the import is missing.
  hull_component_linker_t* l = hull_component_linker_new(engine);
  hull_component_instance_t* inst = reinterpret_cast<hull_component_instance_t*>(1);
  e = hull_component_linker_instantiate(l, store, c2, &inst);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(inst, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_UNLINKABLE);
  EXPECT_NE(take(e).find("local:test/host"), std::string::npos);

  // A duplicate definition is refused at once (and its env finalized).
  Host host;
  EXPECT_EQ(take(hull_component_linker_define_func(l, "local:test/host#double", host_double, &host,
                                                   finalize)),
            "");
  e = hull_component_linker_define_func(l, "local:test/host#double", host_double, &host, finalize);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_USAGE);
  hull_error_delete(e);
  EXPECT_EQ(host.finalized, 1);
  // Only part of the instance is defined: the missing function is named.
  e = hull_component_linker_instantiate(l, store, c2, &inst);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_UNLINKABLE);
  EXPECT_NE(take(e).find("shout"), std::string::npos);

  hull_component_linker_delete(l);
  EXPECT_EQ(host.finalized, 2);  // nothing instantiated: the linker held the last reference
  hull_component_delete(c2);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

TEST(CapiComponent, FinalizerRunsWhenTheLastUserIsGone) {
  Host* host;
  {
    Fixture fx;
    ASSERT_NE(fx.instance, nullptr);
    host = new Host;
    // Swap in a heap env whose finalizer we can observe after the fixture is gone: define a
    // second linker with it and instantiate, then delete the linker before the store.
    hull_component_linker_t* l = hull_component_linker_new(fx.engine);
    EXPECT_EQ(take(hull_component_linker_define_func(l, "local:test/host#double", host_double, host,
                                                     finalize)),
              "");
    EXPECT_EQ(take(hull_component_linker_define_func(l, "local:test/host#shout", host_shout, host,
                                                     nullptr)),
              "");
    EXPECT_EQ(take(hull_component_linker_define_func(l, "local:test/host#fail", host_fail, nullptr,
                                                     nullptr)),
              "");
    hull_component_instance_t* inst = nullptr;
    ASSERT_EQ(take(hull_component_linker_instantiate(l, fx.store, fx.component, &inst)), "");
    hull_component_linker_delete(l);
    EXPECT_EQ(host->finalized, 0);  // the instance still uses the function
    hull_component_func_t* f = hull_component_instance_get_func(inst, "quadruple");
    hull_component_val_t arg = u32v(3), r;
    EXPECT_EQ(take(hull_component_func_call(f, &arg, 1, &r, 1)), "");
    EXPECT_EQ(r.of.u32, 12u);
    EXPECT_EQ(host->double_calls, 2);
    hull_component_func_delete(f);
    hull_component_instance_delete(inst);
  }
  EXPECT_EQ(host->finalized, 1);  // the store is gone
  delete host;
}

// Components run in the wasm_store_t itself: its fuel is what component code consumes.
TEST(CapiComponent, StoreFuelAppliesToComponents) {
  wasm_config_t* config = wasm_config_new();
  hull_config_consume_fuel(config, true);
  Fixture fx(config);
  ASSERT_NE(fx.instance, nullptr);
  ASSERT_TRUE(hull_store_set_fuel(fx.store, 10000));
  hull_component_func_t* spin = hull_component_instance_get_func(fx.instance, "spin");
  hull_error_t* e = hull_component_func_call(spin, nullptr, 0, nullptr, 0);
  ASSERT_NE(e, nullptr);
  wasm_message_t m;
  ASSERT_TRUE(hull_error_trap_message(e, &m));
  EXPECT_STREQ(m.data, "all fuel consumed");
  wasm_byte_vec_delete(&m);
  hull_error_delete(e);
  hull_component_func_delete(spin);
  uint64_t consumed = 0;
  ASSERT_TRUE(hull_store_fuel_consumed(fx.store, &consumed));
  EXPECT_GT(consumed, 9000u);  // the loop ran on the store's fuel (a block costing more than
                               // what is left traps before running)

  ASSERT_TRUE(hull_store_set_fuel(fx.store, 10000));
  hull_component_val_t r;
  EXPECT_EQ(fx.call("quadruple", {u32v(2)}, &r), "");
  EXPECT_EQ(r.of.u32, 8u);
}

TEST(CapiComponent, ValueHelpers) {
  hull_component_val_t payload = strv("inner"), v, w;
  hull_component_val_new_option(&v, &payload);
  EXPECT_EQ(payload.kind, HULL_COMPONENT_BOOL);
  hull_component_val_clone(&v, &w);
  ASSERT_NE(w.of.option, nullptr);
  EXPECT_NE(w.of.option, v.of.option);
  EXPECT_EQ(str(w.of.option->of.string), "inner");
  hull_component_val_delete(&v);
  hull_component_val_delete(&w);

  hull_component_val_t ok;
  hull_component_val_new_result(&ok, true, nullptr);
  EXPECT_TRUE(ok.of.result.is_ok);
  EXPECT_EQ(ok.of.result.val, nullptr);
  hull_component_val_delete(&ok);

  hull_component_val_t x = u32v(3);
  hull_component_val_t* heap = hull_component_val_new(&x);
  EXPECT_EQ(heap->of.u32, 3u);
  hull_component_val_free(heap);

  hull_component_vallist_t l, copy;
  hull_component_vallist_new_uninit(&l, 2);
  EXPECT_EQ(l.data[0].kind, HULL_COMPONENT_BOOL);
  l.data[1] = strv("s");
  hull_component_vallist_copy(&copy, &l);
  hull_component_vallist_delete(&l);
  EXPECT_EQ(l.size, 0u);
  EXPECT_EQ(str(copy.data[1].of.string), "s");
  hull_component_vallist_delete(&copy);
  hull_component_vallist_new_empty(&l);
  hull_component_vallist_delete(&l);

  hull_error_t* e = hull_error_new("custom");
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_TRAP);
  EXPECT_EQ(take(e), "wasm trap: custom");
}

// Reuse through the C API: a component instance put back to its state right after
// instantiation (a core global and memory here), and the refusals with their reasons.
constexpr const char* kCounterComponent = R"((component
  (core module $m
    (memory 1)
    (global $n (mut i32) (i32.const 0))
    (data (i32.const 64) "\05")
    (func (export "bump") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.load8_u (i32.const 64))))
      (i32.store8 (i32.const 64) (i32.add (i32.load8_u (i32.const 64)) (i32.const 1)))
      (global.get $n)))
  (core instance $i (instantiate $m))
  (func (export "bump") (result u32) (canon lift (core func $i "bump")))))";

struct CounterFixture {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  hull_component_t* component = nullptr;
  hull_component_linker_t* linker = hull_component_linker_new(engine);
  hull_component_instance_t* instance = nullptr;
  explicit CounterFixture(const char* wat) {
    auto bin = hull::text::component_to_binary(wat);
    EXPECT_TRUE(bin.ok()) << (bin.ok() ? "" : bin.error().to_string());
    if (!bin.ok()) return;
    EXPECT_EQ(take(hull_component_new(engine, bin->data(), bin->size(), &component)), "");
    EXPECT_EQ(take(hull_component_linker_instantiate(linker, store, component, &instance)), "");
  }
  ~CounterFixture() {
    hull_component_instance_delete(instance);
    hull_component_linker_delete(linker);
    hull_component_delete(component);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  uint32_t bump() {
    hull_component_func_t* f = hull_component_instance_get_func(instance, "bump");
    EXPECT_NE(f, nullptr);
    hull_component_val_t r;
    EXPECT_EQ(take(hull_component_func_call(f, nullptr, 0, &r, 1)), "");
    hull_component_func_delete(f);
    EXPECT_EQ(r.kind, HULL_COMPONENT_U32);
    return r.of.u32;
  }
};

TEST(CapiComponent, SnapshotRestoresTheInstance) {
  CounterFixture c(kCounterComponent);
  hull_component_snapshot_t* snap = nullptr;
  ASSERT_EQ(take(hull_component_snapshot_take(c.store, c.instance, &snap)), "");
  ASSERT_NE(snap, nullptr);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    EXPECT_EQ(c.bump(), 5u);
    EXPECT_EQ(c.bump(), 11u);  // 5 + 6: the memory and the global moved on
    ASSERT_EQ(take(hull_component_snapshot_restore(snap, c.store)), "");
  }
  CounterFixture other(kCounterComponent);
  hull_error_t* e = hull_component_snapshot_restore(snap, other.store);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_USAGE);
  EXPECT_NE(take(e).find("another store"), std::string::npos);
  hull_component_snapshot_delete(snap);
}

TEST(CapiComponent, SnapshotRefusedAfterAStartFunction) {
  CounterFixture c(R"((component
    (core module $m (global $g (mut i32) (i32.const 0))
      (func $s (global.set $g (i32.const 1))) (start $s))
    (core instance $i (instantiate $m))))");
  hull_component_snapshot_t* snap = nullptr;
  hull_error_t* e = hull_component_snapshot_take(c.store, c.instance, &snap);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(snap, nullptr);
  EXPECT_EQ(hull_error_kind(e), HULL_ERROR_USAGE);
  EXPECT_NE(take(e).find("start function"), std::string::npos);
  EXPECT_EQ(take(hull_component_snapshot_take(c.store, nullptr, &snap)),
            "usage: hull_component_snapshot_take: NULL argument");
}

}  // namespace
