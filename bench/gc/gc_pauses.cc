// How long the store's collector stops a guest, by live heap size. The collector is
// stop-the-world mark-sweep, so a pause grows with the live heap (marking) and with the objects
// alive at the collection (sweeping): this measures the slope, and the bound a store's memory
// limit puts on it.
//
//   hull_gc_pauses [LIVE_NODES...]     (default: 0 10000 100000 1000000 4000000)
//
// For each size: a store whose guest keeps a linked list of LIVE_NODES structs in a global
// (32 bytes each), then allocates 256 MiB of short-lived 1 KiB arrays, which triggers
// collections with the list live; prints a markdown row: live objects and MiB (before the
// churn), collections, mean and longest pause (the mark phase and what is left of the previous
// sweep; allocations sweep the rest in slices).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

constexpr const char* kProgram = R"((module
  (type $node (struct (field $next (mut (ref null $node))) (field $v i32)))
  (type $bytes (array (mut i8)))
  (global $list (mut (ref null $node)) (ref.null $node))
  (func (export "build") (param $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (global.set $list (struct.new $node (global.get $list) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
  (func (export "churn") (param $n i32)
    (loop $l
      (drop (array.new_default $bytes (i32.const 1024)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
))";

int fail(const std::string& what) {
  std::fprintf(stderr, "hull_gc_pauses: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint32_t> sizes;
  for (int i = 1; i < argc; ++i)
    sizes.push_back(static_cast<uint32_t>(std::strtoul(argv[i], nullptr, 10)));
  if (sizes.empty()) sizes = {0, 10000, 100000, 1000000, 4000000};
  api::Engine engine;
  auto module = api::Module::from_wat(engine, kProgram);
  if (!module) return fail(module.error().to_string());
  std::printf("| live nodes | live MiB | collections | mean pause | longest pause |\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  for (uint32_t n : sizes) {
    api::Store store(engine);
    auto inst = api::Linker().instantiate(store, *module);
    if (!inst) return fail(inst.error().to_string());
    auto build = inst->get_func("build")->call({api::Val(static_cast<int32_t>(n))});
    if (!build) return fail(build.error().to_string());
    const auto before = store.stats();
    // 256 Ki arrays of 1 KiB: 256 MiB of garbage while the list is live.
    auto churn = inst->get_func("churn")->call({api::Val(int32_t{256 * 1024})});
    if (!churn) return fail(churn.error().to_string());
    const auto after = store.stats();
    const uint64_t collections = after.gc_collections - before.gc_collections;
    const auto total = after.gc_pause_total - before.gc_pause_total;
    const double mean_ms =
        collections ? std::chrono::duration<double, std::milli>(total).count() / double(collections)
                    : 0;
    std::fprintf(stderr, "hull_gc_pauses: %u nodes done\n", n);
    std::printf("| %u | %.1f | %llu | %.2f ms | %.2f ms |\n", n,
                double(before.gc_bytes) / (1 << 20), static_cast<unsigned long long>(collections),
                mean_ms, std::chrono::duration<double, std::milli>(after.gc_pause_max).count());
  }
  return 0;
}
