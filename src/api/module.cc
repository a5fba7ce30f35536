// Engine and Module: configuration, compilation (binary or text), reflection of imports and
// exports.
#include "engine/module.h"

#include <fstream>
#include <iterator>
#include <utility>

#include "api/internal.h"
#include "baseline/baseline.h"
#include "binary/decoder.h"
#include "engine/precompiled.h"
#include "engine/tiers.h"
#include "runtime/reservation_pool.h"
#include "runtime/signals.h"
#include "text/wat.h"

namespace hull::api {

using namespace detail;

Engine::Engine() : impl_(std::make_shared<EngineImpl>()) {}

Result<Engine> Engine::create(const Config& config) {
  if (config.bounds_checks == BoundsChecks::Guard && !guard_pages_supported()) {
    return Error(ErrorKind::Usage, "guard-page bounds checks are not supported on this platform");
  }
  if (config.tier == Tier::Baseline && !baseline::available()) {
    return Error(ErrorKind::Usage,
                 "Tier::Baseline: this build has no baseline tier (x86-64 Linux builds only)");
  }
  if ((config.tier == Tier::Native || config.tier == Tier::Auto) && !hull::native_tier()) {
    return Error(ErrorKind::Usage,
                 "Tier::Native/Auto: no native tier is registered (link hull_native and call "
                 "hull::native::register_tier() first)");
  }
  if (config.native_opt_level > hull::kMaxNativeOptLevel) {
    return Error(ErrorKind::Usage,
                 "Config::native_opt_level: " + std::to_string(config.native_opt_level) +
                     " is not an optimization level (0, 1 or 2)");
  }
  auto impl = std::make_shared<EngineImpl>();
  impl->config = config;
  return Engine(std::move(impl));
}

const Config& Engine::config() const { return impl_->config; }

bool guard_pages_supported() { return hull::guard_pages_supported(); }

void set_memory_reservation_pool_cap(size_t cap) { hull::set_reservation_pool_cap(cap); }

size_t drain_memory_reservation_pool() { return hull::drain_reservation_pool(); }

namespace {
// Each api::Features member and the internal feature it switches.
constexpr std::pair<Feature, bool Features::*> kFeatureFields[] = {
    {Feature::Simd, &Features::simd},
    {Feature::RelaxedSimd, &Features::relaxed_simd},
    {Feature::MultiMemory, &Features::multi_memory},
    {Feature::Memory64, &Features::memory64},
    {Feature::ReferenceTypes, &Features::reference_types},
    {Feature::BulkMemory, &Features::bulk_memory},
    {Feature::MultiValue, &Features::multi_value},
    {Feature::TailCall, &Features::tail_call},
    {Feature::FunctionReferences, &Features::function_references},
    {Feature::ExtendedConst, &Features::extended_const},
    {Feature::WideArithmetic, &Features::wide_arithmetic},
    {Feature::CustomPageSizes, &Features::custom_page_sizes},
    {Feature::Gc, &Features::gc},
    {Feature::Exceptions, &Features::exceptions},
    {Feature::Threads, &Features::threads},
};
}  // namespace

FeatureSet detail::to_internal(const Features& f) {
  FeatureSet s;
  for (const auto& [feature, field] : kFeatureFields) s.set(feature, f.*field);
  return s;
}

Features detail::to_api(const FeatureSet& s) {
  Features f;
  for (const auto& [feature, field] : kFeatureFields) f.*field = s.has(feature);
  return f;
}

namespace {

CompileOptions compile_options(const Engine& engine) {
  CompileOptions opts;
  opts.features = to_internal(engine.config().features);
  opts.fuel = engine.config().consume_fuel;
  opts.epochs = engine.config().epoch_interruption;
  opts.memory_images = engine.config().memory_images;
  opts.native = engine.config().tier == Tier::Native || engine.config().tier == Tier::Auto;
  opts.baseline = engine.config().tier == Tier::Baseline;
  opts.native_background = engine.config().tier == Tier::Auto;
  opts.hot_threshold = opts.native_background ? engine.config().tier_up_threshold : 0;
  opts.native_opt_level = engine.config().native_opt_level;
  // Default keeps CompileOptions' default (the runtime's choice for this platform).
  if (engine.config().bounds_checks != BoundsChecks::Default) {
    opts.guard_pages = engine.config().bounds_checks == BoundsChecks::Guard;
  }
  return opts;
}

}  // namespace

Result<Module> Module::compile(const Engine& engine, std::span<const uint8_t> bytes) {
  auto r = hull::compile(bytes, compile_options(engine));
  if (!r) return to_api(r.error());
  return Module(std::move(*r));
}

Result<std::vector<uint8_t>> Module::precompile(const Engine& engine,
                                                std::span<const uint8_t> wasm) {
  auto r = hull::precompile(wasm, compile_options(engine));
  if (!r) return to_api(r.error());
  return std::move(*r);
}

Result<Module> Module::load_precompiled(const Engine& engine, std::span<const uint8_t> image) {
  auto r = hull::load_precompiled(image, compile_options(engine));
  if (!r) return to_api(r.error());
  return Module(std::move(*r));
}

bool Module::is_precompiled(std::span<const uint8_t> bytes) { return hull::is_precompiled(bytes); }

Result<Module> Module::from_wat(const Engine& engine, std::string_view text) {
  auto bin = hull::text::wat_to_binary(text);
  if (!bin) return to_api(bin.error());
  return compile(engine, *bin);
}

Result<Module> Module::from_file(const Engine& engine, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::Io, "cannot open " + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorKind::Io, "cannot read " + path);
  if (has_wasm_magic(bytes)) return compile(engine, bytes);
  if (hull::is_precompiled(bytes)) return load_precompiled(engine, bytes);
  return from_wat(engine,
                  std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<void> Module::validate(const Engine& engine, std::span<const uint8_t> bytes) {
  auto r = compile(engine, bytes);
  if (!r) return std::move(r).error();
  return {};
}

namespace {

ExternType import_type(const ModuleDesc& d, const Import& imp) {
  ExternType t;
  t.kind = static_cast<ExternKind>(imp.kind);
  switch (imp.kind) {
    case hull::ExternKind::Func:
    case hull::ExternKind::Tag: t.func = to_api(d.types[imp.type_index].func, &d); break;
    case hull::ExternKind::Table:
      t.table = TableType{to_api(imp.table.elem, &d), to_api(imp.table.limits)};
      break;
    case hull::ExternKind::Memory: t.memory = MemoryType{to_api(imp.memory.limits)}; break;
    case hull::ExternKind::Global:
      t.global = GlobalType{to_api(imp.global.type, &d), imp.global.mut};
      break;
  }
  return t;
}

ExternType export_type_of(const ModuleDesc& d, const Export& e) {
  ExternType t;
  t.kind = static_cast<ExternKind>(e.kind);
  switch (e.kind) {
    case hull::ExternKind::Func: t.func = to_api(d.func_type(e.index), &d); break;
    case hull::ExternKind::Tag: t.func = to_api(d.types[d.tags[e.index]].func, &d); break;
    case hull::ExternKind::Table:
      t.table = TableType{to_api(d.tables[e.index].elem, &d), to_api(d.tables[e.index].limits)};
      break;
    case hull::ExternKind::Memory: t.memory = MemoryType{to_api(d.memories[e.index].limits)}; break;
    case hull::ExternKind::Global:
      t.global = GlobalType{to_api(d.globals[e.index].type, &d), d.globals[e.index].mut};
      break;
  }
  return t;
}

}  // namespace

std::vector<ImportType> Module::imports() const {
  const ModuleDesc& d = m_->desc;
  std::vector<ImportType> out;
  out.reserve(d.imports.size());
  for (const Import& imp : d.imports) out.push_back({imp.module, imp.name, import_type(d, imp)});
  return out;
}

std::vector<ExportType> Module::exports() const {
  const ModuleDesc& d = m_->desc;
  std::vector<ExportType> out;
  out.reserve(d.exports.size());
  for (const Export& e : d.exports) out.push_back({e.name, export_type_of(d, e)});
  return out;
}

std::optional<ExternType> Module::export_type(std::string_view name) const {
  for (const Export& e : m_->desc.exports) {
    if (e.name == name) return export_type_of(m_->desc, e);
  }
  return std::nullopt;
}

std::string Module::name() const { return m_->desc.module_name; }

std::span<const uint8_t> Module::bytes() const { return m_->desc.bytes; }

}  // namespace hull::api
