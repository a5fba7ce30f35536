/* examples/component-c: a C host that loads a component written in the component text format
 * (demo.wat) through Hull's component C API (hull_component.h, included by hull.h), defines the
 * host function it imports and calls its exports with strings, lists, records, variants,
 * options, results and a resource. Exits non-zero on a wrong answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hull.h"

static int failures = 0;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

/* Prints an error's message, frees it and exits. */
static void die(const char* what, hull_error_t* error) {
  wasm_message_t message;
  hull_error_message(error, &message);
  fprintf(stderr, "%s: %s\n", what, message.data);
  wasm_byte_vec_delete(&message);
  hull_error_delete(error);
  exit(1);
}

/* The host function `local:demo/host#log`: prints the message and counts the calls (env). */
static hull_error_t* host_log(void* env, const hull_component_val_t* args, size_t nargs,
                              hull_component_val_t* results, size_t nresults) {
  (void)results;
  (void)nresults;
  if (nargs != 1 || args[0].kind != HULL_COMPONENT_STRING)
    return hull_error_new("log: bad arguments");
  printf("[host] log: %.*s\n", (int)args[0].of.string.size, args[0].of.string.data);
  ++*(int*)env;
  return NULL;
}

/* The host-defined resource `tally`: the host's objects, indexed by the rep of their handles. */
static uint64_t tallies[4];
static int tally_dropped = 0;

/* `[method]tally.add(self: borrow<tally>, n: u32)`: self's rep says which tally. */
static hull_error_t* tally_add(void* env, const hull_component_val_t* args, size_t nargs,
                               hull_component_val_t* results, size_t nresults) {
  (void)env;
  (void)results;
  (void)nresults;
  if (nargs != 2 || args[0].kind != HULL_COMPONENT_RESOURCE)
    return hull_error_new("tally.add: bad arguments");
  uint32_t rep = hull_component_resource_any_rep(args[0].of.resource);
  if (rep >= 4) return hull_error_new("tally.add: no such tally");
  tallies[rep] += args[1].of.u32;
  return NULL;
}

/* Runs when an owned tally handle is dropped. */
static void tally_destructor(void* env, uint32_t rep) {
  (void)env;
  printf("[host] tally %u dropped (total %llu)\n", rep, (unsigned long long)tallies[rep]);
  tally_dropped = 1;
}

/* Calls export `name` of `instance` with `nargs` arguments (which it deletes) and stores its
 * result in *result (when the function has one). */
static void call(const hull_component_instance_t* instance, const char* name,
                 hull_component_val_t* args, size_t nargs, hull_component_val_t* result) {
  hull_component_func_t* func = hull_component_instance_get_func(instance, name);
  if (!func) {
    fprintf(stderr, "no export %s\n", name);
    exit(1);
  }
  size_t nresults = hull_component_func_result_count(func);
  hull_error_t* error = hull_component_func_call(func, args, nargs, result, nresults);
  for (size_t i = 0; i < nargs; ++i) hull_component_val_delete(&args[i]);
  hull_component_func_delete(func);
  if (error) die(name, error);
}

static hull_component_val_t u32(uint32_t v) {
  hull_component_val_t x;
  x.kind = HULL_COMPONENT_U32;
  x.of.u32 = v;
  return x;
}

static hull_component_val_t s32(int32_t v) {
  hull_component_val_t x;
  x.kind = HULL_COMPONENT_S32;
  x.of.s32 = v;
  return x;
}

static hull_component_val_t string(const char* s) {
  hull_component_val_t x;
  hull_component_val_new_string(&x, s, strlen(s));
  return x;
}

static hull_component_val_t point(int32_t x, int32_t y) {
  hull_component_val_t p, v;
  p.kind = HULL_COMPONENT_RECORD;
  hull_component_valrecord_new_uninit(&p.of.record, 2);
  v = s32(x);
  hull_component_valrecord_set(&p.of.record, 0, "x", &v);
  v = s32(y);
  hull_component_valrecord_set(&p.of.record, 1, "y", &v);
  return p;
}

static hull_component_val_t numbers(void) {
  static const uint32_t values[] = {3, 1, 4, 1, 5, 9, 2, 6};
  hull_component_val_t list;
  list.kind = HULL_COMPONENT_LIST;
  hull_component_vallist_new_uninit(&list.of.list, 8);
  for (size_t i = 0; i < 8; ++i) list.of.list.data[i] = u32(values[i]);
  return list;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);

  /* hull_component_from_file reads component binaries and component text alike. */
  hull_component_t* component = NULL;
  hull_error_t* error = hull_component_from_file(engine, "demo.wat", &component);
  if (error) die("demo.wat", error);

  int log_calls = 0;
  hull_component_linker_t* linker = hull_component_linker_new(engine);
  error =
      hull_component_linker_define_func(linker, "local:demo/host#log", host_log, &log_calls, NULL);
  if (error) die("define", error);
  hull_component_resource_type_t* tally = NULL;
  error = hull_component_linker_define_resource(linker, "local:demo/host#tally", tally_destructor,
                                                NULL, NULL, &tally);
  if (error) die("define", error);
  error = hull_component_linker_define_func(linker, "local:demo/host#[method]tally.add", tally_add,
                                            NULL, NULL);
  if (error) die("define", error);
  hull_component_instance_t* instance = NULL;
  error = hull_component_linker_instantiate(linker, store, component, &instance);
  if (error) die("instantiate", error);

  hull_component_val_t args[3], result;

  /* string -> string; the guest logs the greeting through the host */
  args[0] = string("C");
  call(instance, "greet", args, 1, &result);
  printf("greet(\"C\") = \"%.*s\"\n", (int)result.of.string.size, result.of.string.data);
  check(result.kind == HULL_COMPONENT_STRING && result.of.string.size == 9 &&
            memcmp(result.of.string.data, "Hello, C!", 9) == 0 && log_calls == 1,
        "greet");
  hull_component_val_delete(&result);

  /* list<u32> -> u32 */
  args[0] = numbers();
  call(instance, "sum", args, 1, &result);
  printf("sum([3, 1, 4, 1, 5, 9, 2, 6]) = %u\n", result.of.u32);
  check(result.kind == HULL_COMPONENT_U32 && result.of.u32 == 31, "sum");

  /* record in, record out: fields in the record type's order, with their names */
  args[0] = point(2, -3);
  args[1] = s32(10);
  args[2] = s32(20);
  call(instance, "translate", args, 3, &result);
  printf("translate({x: 2, y: -3}, 10, 20) = {%.*s: %d, %.*s: %d}\n",
         (int)result.of.record.data[0].name.size, result.of.record.data[0].name.data,
         result.of.record.data[0].val.of.s32, (int)result.of.record.data[1].name.size,
         result.of.record.data[1].name.data, result.of.record.data[1].val.of.s32);
  check(result.kind == HULL_COMPONENT_RECORD && result.of.record.size == 2 &&
            result.of.record.data[0].val.of.s32 == 12 && result.of.record.data[1].val.of.s32 == 17,
        "translate");
  hull_component_val_delete(&result);

  /* variants: a case with a u32, one with a record, one without payload */
  hull_component_val_t payload = u32(2);
  hull_component_val_new_variant(&args[0], "circle", &payload);
  call(instance, "area", args, 1, &result);
  printf("area(circle(2)) = %llu\n", (unsigned long long)result.of.u64);
  check(result.of.u64 == 12, "area circle");
  payload = point(-4, 5);
  hull_component_val_new_variant(&args[0], "rectangle", &payload);
  call(instance, "area", args, 1, &result);
  printf("area(rectangle({x: -4, y: 5})) = %llu\n", (unsigned long long)result.of.u64);
  check(result.of.u64 == 20, "area rectangle");
  hull_component_val_new_variant(&args[0], "empty", NULL);
  call(instance, "area", args, 1, &result);
  printf("area(empty) = %llu\n", (unsigned long long)result.of.u64);
  check(result.of.u64 == 0, "area empty");

  /* result<u32, string> */
  const char* inputs[] = {"1234", "12a", ""};
  for (size_t i = 0; i < 3; ++i) {
    args[0] = string(inputs[i]);
    call(instance, "parse", args, 1, &result);
    if (result.of.result.is_ok) {
      printf("parse(\"%s\") = ok(%u)\n", inputs[i], result.of.result.val->of.u32);
      check(i == 0 && result.of.result.val->of.u32 == 1234, "parse ok");
    } else {
      const wasm_name_t* why = &result.of.result.val->of.string;
      printf("parse(\"%s\") = err(\"%.*s\")\n", inputs[i], (int)why->size, why->data);
      check(i != 0, "parse err");
    }
    hull_component_val_delete(&result);
  }

  /* option<u32> */
  args[0] = numbers();
  args[1] = u32(9);
  call(instance, "find", args, 2, &result);
  printf("find(..., 9) = ");
  if (result.of.option) {
    printf("some(%u)\n", result.of.option->of.u32);
  } else {
    printf("none\n");
  }
  check(result.of.option && result.of.option->of.u32 == 5, "find 9");
  hull_component_val_delete(&result);
  args[0] = numbers();
  args[1] = u32(7);
  call(instance, "find", args, 2, &result);
  printf("find(..., 7) = %s\n", result.of.option ? "some" : "none");
  check(result.kind == HULL_COMPONENT_OPTION && !result.of.option, "find 7");

  /* The host's resource: an owned handle to tally 1, lent to the guest, which adds to it through
   * the host method; then the host drops it (running the destructor). */
  hull_component_val_t t;
  t.kind = HULL_COMPONENT_RESOURCE;
  t.of.resource = hull_component_resource_host_new(tally, 1, true);
  hull_component_val_clone(&t, &args[0]);
  args[1] = numbers();
  call(instance, "tally-all", args, 2, NULL);
  printf("tally-all(tally 1, [3, 1, 4, 1, 5, 9, 2, 6]) -> tally 1 = %llu\n",
         (unsigned long long)tallies[1]);
  check(tallies[1] == 31, "tally");
  error = hull_component_resource_any_drop(t.of.resource);
  if (error) die("drop", error);
  hull_component_val_delete(&t);
  check(tally_dropped, "tally dropped");

  /* A resource defined by the guest: the constructor gives the host an owned handle, which it
   * lends to a method (a borrow parameter) and then gives back to `finish`. */
  hull_component_val_t counter;
  args[0] = u32(40);
  call(instance, "[constructor]counter", args, 1, &counter);
  check(counter.kind == HULL_COMPONENT_RESOURCE &&
            hull_component_resource_any_owned(counter.of.resource),
        "constructor");
  for (int i = 0; i < 2; ++i) {
    hull_component_val_clone(&counter, &args[0]); /* the call deletes its arguments */
    args[1] = u32(1);
    call(instance, "[method]counter.increment", args, 2, &result);
  }
  printf("counter(40) +1 +1 = %u\n", result.of.u32);
  check(result.of.u32 == 42, "increment");
  args[0] = counter; /* moved: the handle goes back to the guest */
  call(instance, "[static]counter.finish", args, 1, &result);
  printf("finish = %u\n", result.of.u32);
  check(result.of.u32 == 42, "finish");

  /* Errors are values: an ill-typed argument is refused before anything runs. */
  hull_component_func_t* sum = hull_component_instance_get_func(instance, "sum");
  args[0] = string("oops");
  error = hull_component_func_call(sum, args, 1, &result, 1);
  hull_component_val_delete(&args[0]);
  check(error && hull_error_kind(error) == HULL_ERROR_USAGE, "ill-typed call");
  if (error) {
    wasm_message_t message;
    hull_error_message(error, &message);
    printf("sum(\"oops\") -> %s\n", message.data);
    wasm_byte_vec_delete(&message);
    hull_error_delete(error);
  }
  hull_component_func_delete(sum);

  hull_component_instance_delete(instance);
  hull_component_resource_type_delete(tally);
  hull_component_linker_delete(linker);
  hull_component_delete(component);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  if (failures) return 1;
  printf("component-c: all checks passed\n");
  return 0;
}
