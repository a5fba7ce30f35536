// Start-up costs of a WASI 0.2 component in process: compile (decode, validate, compile its core
// modules), pre-link against the WASI 0.2 host, instantiate (per store: attach WASI state,
// instantiate), and the first call of wasi:cli/run. Prints one line per phase:
// "phase min_us median_us" over N runs (each run a fresh compile, or a fresh store).
// usage: hull_component_startup COMPONENT [N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "hull/component.hh"
#include "hull/wasi.hh"

namespace api = hull::api;
namespace ac = hull::api::component;
using Clock = std::chrono::steady_clock;

namespace {

double us_since(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

void report(const char* phase, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::printf("%-22s %12.1f %12.1f\n", phase, v.front(), v[v.size() / 2]);
}

int fail(const std::string& what, const api::Error& e) {
  std::fprintf(stderr, "error: %s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s COMPONENT [N]\n", argv[0]);
    return 2;
  }
  int n = argc > 2 ? std::atoi(argv[2]) : 5;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.empty()) {
    std::fprintf(stderr, "error: cannot read %s\n", argv[1]);
    return 1;
  }
  api::Engine engine;
  std::vector<double> compile, prelink, instantiate, first_call;
  std::optional<ac::Component> comp;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    auto c = ac::Component::compile(engine, bytes);
    compile.push_back(us_since(t));
    if (!c) return fail("compile", c.error());
    comp = *c;
  }
  ac::Linker linker(engine);
  if (auto r = api::wasi::add_to_linker(linker); !r) return fail("add_to_linker", r.error());
  std::optional<ac::InstancePre> pre;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    auto p = linker.instantiate_pre(*comp);
    prelink.push_back(us_since(t));
    if (!p) return fail("instantiate_pre", p.error());
    pre = *p;
  }
  api::wasi::Config cfg;
  cfg.stdout_capture = std::make_shared<std::string>();  // the guest's output stays quiet
  cfg.stderr_capture = std::make_shared<std::string>();
  cfg.args = {"bench"};
  std::string run_name;
  for (const auto& [name, info] : comp->exports()) {
    if (name.rfind("wasi:cli/run@", 0) == 0) run_name = name + "#run";
  }
  for (int i = 0; i < n; ++i) {
    api::Store store(engine);
    auto t = Clock::now();
    if (auto r = api::wasi::attach(store, cfg); !r) return fail("attach", r.error());
    auto inst = pre->instantiate(store);
    instantiate.push_back(us_since(t));
    if (!inst) return fail("instantiate", inst.error());
    if (run_name.empty()) continue;
    auto run = inst->get_func(run_name);
    t = Clock::now();
    auto r = run->call({});
    first_call.push_back(us_since(t));
    if (!r && !api::wasi::exit_status(store)) return fail("run", r.error());
  }
  std::printf("%-22s %12s %12s   (%d runs, %zu bytes)\n", "phase", "min us", "median us", n,
              bytes.size());
  report("compile", compile);
  report("instantiate_pre", prelink);
  report("attach+instantiate", instantiate);
  if (!first_call.empty()) report("wasi:cli/run call", first_call);
  return 0;
}
