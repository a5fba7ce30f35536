// examples/component-cpp: a C++ host that loads a component written in the component text
// format (demo.wat) and calls its exports with strings, lists, records, variants, options,
// results and a resource, while providing the host function the component imports.
// Built against an installed Hull with find_package(hull); exits non-zero on a wrong answer.
#include <cstdio>
#include <cstdlib>
#include <hull/component.hh>
#include <map>
#include <string>
#include <vector>

namespace api = hull::api;
namespace cm = hull::api::component;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    ++failures;
  }
}

// Calls `name` and returns its results (0 or 1); a failed call is fatal for the example.
std::vector<cm::Val> call(const cm::Instance& instance, const char* name,
                          std::vector<cm::Val> args) {
  std::optional<cm::Func> f = instance.get_func(name);
  if (!f) {
    std::fprintf(stderr, "no export %s\n", name);
    std::exit(1);
  }
  api::Result<std::vector<cm::Val>> r = f->call(args);
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", name, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

cm::Val call1(const cm::Instance& instance, const char* name, std::vector<cm::Val> args) {
  return call(instance, name, std::move(args)).at(0);
}

std::string describe_point(const cm::Val& p) {
  return "{x: " + std::to_string(p.items()[0].as_s64()) +
         ", y: " + std::to_string(p.items()[1].as_s64()) + "}";
}

}  // namespace

int main() {
  api::Engine engine;
  // from_file reads component binaries and component text alike.
  api::Result<cm::Component> component = cm::Component::from_file(engine, "demo.wat");
  if (!component) {
    std::fprintf(stderr, "%s\n", component.error().to_string().c_str());
    return 1;
  }
  for (const auto& [name, info] : component->imports()) std::printf("import %s\n", name.c_str());
  for (const auto& [name, info] : component->exports()) {
    if (info.kind == cm::ExternInfo::Kind::Func) {
      std::printf("export %s: %s\n", name.c_str(), cm::to_string(info.func).c_str());
    }
  }

  // The component imports `local:demo/host` with one function; the host defines it by path.
  std::vector<std::string> logged;
  cm::Linker linker(engine);
  api::Result<void> defined =
      linker.func("local:demo/host#log", [&](std::span<const cm::Val> args, std::vector<cm::Val>&) {
        logged.push_back(args[0].as_string());
        std::printf("[host] log: %s\n", args[0].as_string().c_str());
        return api::Result<void>();
      });
  if (!defined) return 1;
  // A host-defined resource: the host's objects are tallies, kept here by their rep (the key the
  // host gives a handle); the guest only ever sees handles. The destructor runs when an owned
  // handle is dropped.
  std::map<uint32_t, uint64_t> tallies;
  api::Result<cm::ResourceType> tally = linker.resource("local:demo/host#tally", [&](uint32_t rep) {
    std::printf("[host] tally %u dropped (total %llu)\n", rep,
                static_cast<unsigned long long>(tallies[rep]));
    tallies.erase(rep);
  });
  if (!tally) return 1;
  defined = linker.func("local:demo/host#[method]tally.add",
                        [&](std::span<const cm::Val> args, std::vector<cm::Val>&) {
                          // args[0] is the borrowed handle the guest passed: its rep finds the host
                          // object.
                          tallies[args[0].as_resource().rep] += args[1].as_u64();
                          return api::Result<void>();
                        });
  if (!defined) return 1;

  api::Store store(engine);
  api::Result<cm::Instance> instance = linker.instantiate(store, *component);
  if (!instance) {
    std::fprintf(stderr, "%s\n", instance.error().to_string().c_str());
    return 1;
  }

  // string -> string (the guest also calls the host's log).
  cm::Val greeting = call1(*instance, "greet", {cm::Val::string("component")});
  std::printf("greet(\"component\") = \"%s\"\n", greeting.as_string().c_str());
  check(greeting.as_string() == "Hello, component!", "greet");
  check(logged.size() == 1 && logged[0] == "Hello, component!", "host log");

  // list<u32> -> u32
  std::vector<cm::Val> numbers;
  for (uint32_t v : {3u, 1u, 4u, 1u, 5u, 9u, 2u, 6u}) numbers.push_back(cm::Val::u32(v));
  cm::Val total = call1(*instance, "sum", {cm::Val::list(numbers)});
  std::printf("sum([3, 1, 4, 1, 5, 9, 2, 6]) = %llu\n",
              static_cast<unsigned long long>(total.as_u64()));
  check(total.as_u64() == 31, "sum");

  // record in, record out
  cm::Val p = cm::Val::record({{"x", cm::Val::s32(2)}, {"y", cm::Val::s32(-3)}});
  cm::Val moved = call1(*instance, "translate", {p, cm::Val::s32(10), cm::Val::s32(20)});
  std::printf("translate(%s, 10, 20) = %s\n", describe_point(p).c_str(),
              describe_point(moved).c_str());
  check(moved.items()[0].as_s64() == 12 && moved.items()[1].as_s64() == 17, "translate");

  // variant cases with and without payloads
  struct {
    const char* text;
    cm::Val shape;
    uint64_t want;
  } shapes[] = {
      {"circle(2)", cm::Val::variant("circle", cm::Val::u32(2)), 12},
      {"rectangle({x: -4, y: 5})",
       cm::Val::variant("rectangle",
                        cm::Val::record({{"x", cm::Val::s32(-4)}, {"y", cm::Val::s32(5)}})),
       20},
      {"empty", cm::Val::variant("empty"), 0},
  };
  for (const auto& s : shapes) {
    cm::Val a = call1(*instance, "area", {s.shape});
    std::printf("area(%s) = %llu\n", s.text, static_cast<unsigned long long>(a.as_u64()));
    check(a.as_u64() == s.want, std::string("area ") + s.text);
  }

  // result<u32, string>
  for (const char* text : {"1234", "12a", ""}) {
    cm::Val r = call1(*instance, "parse", {cm::Val::string(text)});
    if (r.is_ok()) {
      std::printf("parse(\"%s\") = ok(%llu)\n", text,
                  static_cast<unsigned long long>(r.payload()->as_u64()));
    } else {
      std::printf("parse(\"%s\") = err(\"%s\")\n", text, r.payload()->as_string().c_str());
    }
  }
  check(call1(*instance, "parse", {cm::Val::string("1234")}) == cm::Val::ok(cm::Val::u32(1234)),
        "parse ok");
  check(call1(*instance, "parse", {cm::Val::string("12a")}) ==
            cm::Val::err(cm::Val::string("not a number")),
        "parse err");

  // option<u32>
  cm::Val found = call1(*instance, "find", {cm::Val::list(numbers), cm::Val::u32(9)});
  cm::Val missing = call1(*instance, "find", {cm::Val::list(numbers), cm::Val::u32(7)});
  std::printf("find(..., 9) = %s\n",
              found.is_some() ? ("some(" + std::to_string(found.payload()->as_u64()) + ")").c_str()
                              : "none");
  std::printf("find(..., 7) = %s\n", missing.is_some() ? "some" : "none");
  check(found == cm::Val::some(cm::Val::u32(5)) && missing == cm::Val::none(), "find");

  // The host's resource: create tally 1, lend it to the guest, which adds to it through the host
  // method, then drop it (running the host destructor).
  tallies[1] = 0;
  cm::Val t = cm::Val::resource(cm::ResourceAny{tally->id, 1, true});
  call(*instance, "tally-all", {t, cm::Val::list(numbers)});
  std::printf("tally-all(tally 1, [3, 1, 4, 1, 5, 9, 2, 6]) -> tally 1 = %llu\n",
              static_cast<unsigned long long>(tallies[1]));
  check(tallies[1] == 31, "tally");
  api::Result<void> dropped = cm::resource_drop(t.as_resource());
  check(dropped.ok() && tallies.empty(), "tally dropped");

  // A resource (defined by the guest): the constructor hands the host an owned handle, which it
  // lends to methods and finally gives back to `finish`, which drops it.
  cm::Val counter = call1(*instance, "[constructor]counter", {cm::Val::u32(40)});
  cm::Val after = call1(*instance, "[method]counter.increment", {counter, cm::Val::u32(1)});
  after = call1(*instance, "[method]counter.increment", {counter, cm::Val::u32(1)});
  cm::Val final_count = call1(*instance, "[static]counter.finish", {counter});
  std::printf("counter(40) +1 +1 = %llu, finish = %llu\n",
              static_cast<unsigned long long>(after.as_u64()),
              static_cast<unsigned long long>(final_count.as_u64()));
  check(after.as_u64() == 42 && final_count.as_u64() == 42, "counter");

  // Errors are values: an ill-typed argument is reported, not executed.
  api::Result<std::vector<cm::Val>> bad =
      instance->get_func("sum")->call({cm::Val::string("oops")});
  std::printf("sum(\"oops\") -> %s\n", bad ? "ok?" : bad.error().to_string().c_str());
  check(!bad && bad.error().kind == api::ErrorKind::Usage, "ill-typed call");

  if (failures) return 1;
  std::printf("component-cpp: all checks passed\n");
  return 0;
}
