// The LLVM tier as the engine sees it (engine/tiers.h): compile a module's functions with ORC's
// LLJIT and install their entries (interp::install_native).
#include "native/jit.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/ObjectCache.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Mem2Reg.h>
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string_view>
#include <thread>

#include "engine/module.h"
#include "engine/precompiled.h"
#include "engine/tiers.h"
#include "hull/native.hh"
#include "interp/interp.h"
#include "native/cache.h"
#include "native/interruptible.h"
#include "native/lower.h"
#include "native/payload.h"
#include "native/plugin.h"
#include "native/support.h"
#include "native/vm.h"
#include "valid/validator.h"

namespace hull::native {

Error internal(const std::string& what) { return Error(ErrorKind::Limit, "native tier: " + what); }

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return s;
}

namespace {

void init_llvm() {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// The IR passes of `opt_level` (CompileOptions::native_opt_level): below 2 only promoting the
// locals' stack slots to registers, which the lowering leaves to LLVM (without it every local
// access is a load or a store).
void optimize(llvm::Module& m, llvm::TargetMachine* tm, unsigned opt_level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  if (opt_level >= 2) {
    pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
    return;
  }
  llvm::FunctionPassManager fpm;
  fpm.addPass(llvm::PromotePass());
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
  mpm.run(m, mam);
}

}  // namespace

Result<llvm::orc::JITTargetMachineBuilder> host_machine(unsigned opt_level) {
  init_llvm();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return internal(to_string(jtmb.takeError()));
  // None: FastISel and the fast register allocator, most of the time saved at level 0.
  jtmb->setCodeGenOptLevel(opt_level == 0 ? llvm::CodeGenOptLevel::None
                                          : llvm::CodeGenOptLevel::Default);
  return std::move(*jtmb);
}

Result<ModuleScan> scan_module(const CompiledModule& cm) {
  ModuleScan out;
  const ModuleDesc& d = cm.desc;
  const uint32_t imported = d.num_imported_funcs;
  const auto defined = static_cast<uint32_t>(d.bodies.size());
  out.interpreted_because.assign(defined, "");
  out.needs_roots.assign(defined, false);
  out.tail_callees.assign(defined, {});
  if (std::string why = module_unsupported(d, cm.options); !why.empty()) {
    for (auto& r : out.interpreted_because) r = why;
    return out;
  }
  ModuleInfo info;
  HULL_TRY(validate_module_level(d, &info, cm.options.features));
  FunctionValidator validator(d, info);
  for (uint32_t i = 0; i < defined; ++i) {
    SupportScan scan(d);
    HULL_TRY(validator.validate_function(imported + i, scan));
    out.interpreted_because[i] = scan.reason();
    if (scan.reason().empty() && interpret_by_request(d, imported + i))
      out.interpreted_because[i] = std::string("left to the interpreter by ") + kInterpretEnv;
    out.needs_roots[i] = scan.needs_roots();
    out.tail_callees[i] = scan.tail_callees();
    out.tail_calls = out.tail_calls || scan.tail_calls();
    if (out.interpreted_because[i].empty()) ++out.supported;
  }
  return out;
}

Result<Lowered> lower_functions(const CompiledModule& cm, llvm::TargetMachine& tm,
                                const ModuleScan& scan, const std::vector<uint8_t>& take,
                                const std::vector<uint8_t>* earlier, unsigned opt_level,
                                const std::vector<std::pair<uint32_t, uint32_t>>& osr,
                                void* const* w_table) {
  Lowered out;
  const ModuleDesc& d = cm.desc;
  const uint32_t imported = d.num_imported_funcs;
  const auto defined = static_cast<uint32_t>(d.bodies.size());
  for (uint32_t i = 0; i < defined; ++i) out.compiled += take[i] ? 1 : 0;
  if (out.compiled == 0 && osr.empty()) return out;
  ModuleInfo info;
  HULL_TRY(validate_module_level(d, &info, cm.options.features));
  FunctionValidator validator(d, info);
  out.ctx = std::make_unique<llvm::LLVMContext>();
  out.mod = std::make_unique<llvm::Module>("wasm", *out.ctx);
  out.mod->setDataLayout(tm.createDataLayout());
  out.mod->setTargetTriple(tm.getTargetTriple().str());
  ModuleLowering ml(*out.ctx, *out.mod, d, cm.type_ids, cm.options);
  // Calls between compiled functions are direct: all of them use one convention, chosen from
  // the whole module (a later batch calls an earlier one's functions).
  if (!scan.tail_calls) ml.wasm_cc = llvm::CallingConv::Fast;
  ml.export_wasm_funcs = earlier != nullptr;
  ml.w_table = w_table;
  for (uint32_t i = 0; i < defined; ++i)
    if (take[i] || (earlier && (*earlier)[i])) ml.declare(imported + i);
  for (uint32_t i = 0; i < defined; ++i) {
    if (!take[i]) continue;
    FunctionLowering fl(ml, ml.wasm_funcs[imported + i], scan.needs_roots[i]);
    HULL_TRY(validator.validate_function(imported + i, fl));
    ml.define_entry(imported + i);
  }
  for (const auto& [i, loop] : osr) {
    llvm::Function* f = ml.declare_osr(imported + i, loop);
    FunctionLowering fl(ml, f, scan.needs_roots[i]);
    fl.set_osr_loop(loop);
    HULL_TRY(validator.validate_function(imported + i, fl));
    if (!fl.osr_made()) {
      f->eraseFromParent();
      continue;
    }
    ml.define_osr_entry(imported + i, loop, f);
    out.osr.emplace_back(i, loop);
  }
  if (out.compiled == 0 && out.osr.empty()) {
    out.mod.reset();
    out.ctx.reset();
    return out;
  }
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*out.mod, &os)) return internal("invalid IR: " + problems);
  optimize(*out.mod, &tm, opt_level);
  return out;
}

namespace {

// Every function the scan allows.
std::vector<uint8_t> all_supported(const ModuleScan& scan) {
  std::vector<uint8_t> take(scan.interpreted_because.size());
  for (size_t i = 0; i < take.size(); ++i) take[i] = scan.interpreted_because[i].empty();
  return take;
}

// A module's functions as optimized IR, and why the others stay interpreted.
Result<Lowered> lower_module(const CompiledModule& cm, llvm::TargetMachine& tm,
                             std::vector<std::string>* interpreted_because) {
  HULL_ASSIGN_OR_RETURN(ModuleScan scan, scan_module(cm));
  *interpreted_because = scan.interpreted_because;
  return lower_functions(cm, tm, scan, all_supported(scan), nullptr, cm.options.native_opt_level);
}

// Keeps a copy of the object code the JIT compiles (for the cache).
class ObjectCapture : public llvm::ObjectCache {
 public:
  void notifyObjectCompiled(const llvm::Module*, llvm::MemoryBufferRef obj) override {
    bytes.assign(obj.getBufferStart(), obj.getBufferEnd());
  }
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module*) override { return nullptr; }
  std::vector<uint8_t> bytes;
};

}  // namespace

// A JIT whose code may call the runtime (native/vm.h) and libm.
Result<std::unique_ptr<llvm::orc::LLJIT>> make_jit(llvm::orc::JITTargetMachineBuilder jtmb,
                                                   llvm::ObjectCache* capture) {
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(jtmb))
                 .setCompileFunctionCreator(
                     [capture](llvm::orc::JITTargetMachineBuilder builder)
                         -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       auto machine = builder.createTargetMachine();
                       if (!machine) return machine.takeError();
                       return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(
                           std::move(*machine), capture);
                     })
                 .create();
  if (!jit) return internal(to_string(jit.takeError()));
  HULL_TRY(register_interruptible_code(**jit));
  llvm::orc::JITDylib& lib = (*jit)->getMainJITDylib();
  llvm::orc::MangleAndInterner mangle((*jit)->getExecutionSession(), (*jit)->getDataLayout());
  llvm::orc::SymbolMap runtime;
  for (const RuntimeSymbol& rs : runtime_symbols())
    runtime.insert(
        {mangle(rs.name), llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(rs.address),
                                                       llvm::JITSymbolFlags::Exported)});
  if (auto e = lib.define(llvm::orc::absoluteSymbols(std::move(runtime))))
    return internal(to_string(std::move(e)));
  // What code generation may call besides: libm's functions for intrinsics the CPU lacks.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) return internal(to_string(process.takeError()));
  lib.addGenerator(std::move(*process));
  return std::move(*jit);
}

// Looks up the entries of the functions `which` marks, then installs them all (nothing is
// installed unless every lookup succeeded: a damaged object leaves them interpreted).
Result<void> install_entries(llvm::orc::LLJIT& jit, const CompiledModule& cm,
                             const std::vector<uint8_t>& which) {
  const uint32_t imported = cm.desc.num_imported_funcs;
  std::vector<std::pair<uint32_t, interp::NativeEntry>> entries;
  for (uint32_t i = 0; i < which.size(); ++i) {
    if (!which[i]) continue;
    auto addr = jit.lookup("e" + std::to_string(imported + i));
    if (!addr) return internal(to_string(addr.takeError()));
    entries.emplace_back(i, addr->toPtr<interp::NativeEntry>());
  }
  for (const auto& [i, entry] : entries) interp::install_native(*cm.code, i, entry);
  return {};
}

namespace {

std::vector<uint8_t> native_mask(const std::vector<std::string>& interpreted_because) {
  std::vector<uint8_t> m(interpreted_because.size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = interpreted_because[i].empty();
  return m;
}

// tier->load: code from a payload (a .hullc's tier part or a cache file).
Result<std::shared_ptr<const void>> load_code(const CompiledModule& cm,
                                              std::span<const uint8_t> bytes) {
  HULL_ASSIGN_OR_RETURN(CodePayload p, parse_payload(bytes));
  HULL_ASSIGN_OR_RETURN(auto jtmb, host_machine());
  if (p.interpreted_because.size() != cm.desc.bodies.size())
    return Error::malformed("precompiled code for " + std::to_string(p.interpreted_because.size()) +
                            " functions; the module defines " +
                            std::to_string(cm.desc.bodies.size()));
  if (std::string lacks = missing_features(p.features, jtmb.getFeatures().getString());
      !lacks.empty())
    return Error::make(ErrorKind::Usage, "precompiled for a " + p.cpu + " CPU; this " +
                                             jtmb.getCPU() + " lacks " + lacks +
                                             ": compile the .wasm again on this machine");
  auto nm = std::make_shared<NativeModule>();
  nm->interpreted_because = std::move(p.interpreted_because);
  if (p.object.empty()) return std::shared_ptr<const void>(nm);
  HULL_ASSIGN_OR_RETURN(nm->jit, make_jit(std::move(jtmb), nullptr));
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char*>(p.object.data()), p.object.size()), "hullc");
  if (auto e = nm->jit->addObjectFile(std::move(buffer)))
    return internal("cannot load the object code: " + to_string(std::move(e)));
  HULL_TRY(install_entries(*nm->jit, cm, native_mask(nm->interpreted_because)));
  return std::shared_ptr<const void>(nm);
}

std::string cache_key_for(const CompiledModule& cm,
                          const llvm::orc::JITTargetMachineBuilder& jtmb) {
  return cache_key(cm.desc.bytes, cm.options, jtmb.getCPU(), jtmb.getFeatures().getString());
}

// A cache file: the payload, then its checksum (a damaged file is never loaded).
bool read_cached(const CodeFileCache& cache, std::vector<uint8_t>* payload) {
  if (!cache.read(payload) || payload->size() < 16) return false;
  const auto body = std::span<const uint8_t>(*payload).first(payload->size() - 16);
  const auto sum = image_checksum(body);
  if (!std::equal(sum.begin(), sum.end(), payload->end() - 16)) return false;
  payload->resize(payload->size() - 16);
  return true;
}

Result<std::shared_ptr<const void>> compile_code(const CompiledModule& cm) {
  HULL_ASSIGN_OR_RETURN(auto jtmb, host_machine(cm.options.native_opt_level));
  std::unique_ptr<CodeFileCache> cache;
  if (CacheConfig cc = cache_config(); !cc.dir.empty()) {
    cache = std::make_unique<CodeFileCache>(cc, cache_key_for(cm, jtmb));
    std::vector<uint8_t> payload;
    if (read_cached(*cache, &payload)) {
      if (auto code = load_code(cm, payload)) return code;
    }
    // Absent, damaged or refused: compiled afresh below, and the entry rewritten.
    cache->remove();
  }
  auto tm = jtmb.createTargetMachine();
  if (!tm) return internal(to_string(tm.takeError()));
  auto nm = std::make_shared<NativeModule>();
  HULL_ASSIGN_OR_RETURN(Lowered lowered, lower_module(cm, **tm, &nm->interpreted_because));
  if (lowered.compiled == 0) return std::shared_ptr<const void>(nm);
  const std::string cpu = jtmb.getCPU(), features = jtmb.getFeatures().getString();
  ObjectCapture capture;
  HULL_ASSIGN_OR_RETURN(nm->jit, make_jit(std::move(jtmb), cache ? &capture : nullptr));
  if (auto e = nm->jit->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(lowered.mod), std::move(lowered.ctx))))
    return internal(to_string(std::move(e)));
  HULL_TRY(install_entries(*nm->jit, cm, native_mask(nm->interpreted_because)));
  if (cache && !capture.bytes.empty()) {
    std::vector<uint8_t> payload =
        write_payload({LLVM_VERSION_STRING, cpu, features, nm->interpreted_because, capture.bytes});
    const auto sum = image_checksum(payload);
    payload.insert(payload.end(), sum.begin(), sum.end());
    cache->write(payload);
  }
  return std::shared_ptr<const void>(nm);
}

// tier->compile. With HULL_NATIVE_STRICT set (not "0"), a function the tier leaves to the
// interpreter fails the compilation instead: the spec runs use it to show that every function
// of theirs runs as machine code.
Result<std::shared_ptr<const void>> compile_module(const CompiledModule& cm) {
  HULL_ASSIGN_OR_RETURN(auto code, compile_code(cm));
  const char* strict = std::getenv("HULL_NATIVE_STRICT");
  if (!strict || !*strict || std::string_view(strict) == "0") return code;
  const auto& reasons = static_cast<const NativeModule*>(code.get())->interpreted_because;
  for (size_t i = 0; i < reasons.size(); ++i)
    if (!reasons[i].empty())
      return Error(ErrorKind::Limit, "native tier (HULL_NATIVE_STRICT): function " +
                                         std::to_string(cm.desc.num_imported_funcs + i) +
                                         " would run interpreted: " + reasons[i]);
  return code;
}

// tier->precompile: the object code as the JIT would make it, into a payload.
Result<std::vector<uint8_t>> precompile_module(const CompiledModule& cm) {
  HULL_ASSIGN_OR_RETURN(auto jtmb, host_machine(cm.options.native_opt_level));
  auto tm = jtmb.createTargetMachine();
  if (!tm) return internal(to_string(tm.takeError()));
  std::vector<std::string> interpreted_because;
  HULL_ASSIGN_OR_RETURN(Lowered lowered, lower_module(cm, **tm, &interpreted_because));
  CodePayload p{LLVM_VERSION_STRING,
                jtmb.getCPU(),
                jtmb.getFeatures().getString(),
                std::move(interpreted_because),
                {}};
  std::unique_ptr<llvm::MemoryBuffer> object;
  if (lowered.mod) {
    llvm::orc::SimpleCompiler compiler(**tm);
    auto obj = compiler(*lowered.mod);
    if (!obj) return internal(to_string(obj.takeError()));
    object = std::move(*obj);
    p.object = {reinterpret_cast<const uint8_t*>(object->getBufferStart()),
                object->getBufferSize()};
  }
  return write_payload(p);
}

// Background compilations in flight (wait_for_background_compiles).
std::mutex g_background_mu;
std::condition_variable g_background_done;
int g_background_running = 0;

// Whether the module's object code is in the cache (then loading it beats interpreting).
bool cached(const CompiledModule& m) {
  CacheConfig cc = cache_config();
  if (cc.dir.empty() || !module_unsupported(m.desc, m.options).empty()) return false;
  auto jtmb = host_machine(m.options.native_opt_level);
  return jtmb && CodeFileCache(cc, cache_key_for(m, *jtmb)).has();
}

void compile_in_background(std::shared_ptr<const CompiledModule> m) {
  if (cached(*m)) {
    // Loading cached code takes milliseconds: done before the module runs at all, so that
    // the functions it enters first (and never leaves, without on-stack replacement) are
    // machine code too.
    auto code = compile_module(*m);
    if (code) m->set_native_code(std::move(*code));
    return;
  }
  if (m->options.hot_threshold) return tier_up(std::move(m));
  {
    std::lock_guard<std::mutex> lock(g_background_mu);
    ++g_background_running;
  }
  std::thread([m = std::move(m)] {
    // The interpreter's thread comes first: this one only uses what it leaves.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    auto code = compile_module(*m);
    if (code) m->set_native_code(std::move(*code));
    std::lock_guard<std::mutex> lock(g_background_mu);
    --g_background_running;
    g_background_done.notify_all();
  }).detach();
}

std::string interpreted_because(const CompiledModule& cm, uint32_t func_index) {
  std::shared_ptr<const void> code = cm.native_code_now();
  const auto* nm = static_cast<const NativeModule*>(code.get());
  if (func_index < cm.desc.num_imported_funcs) return "an import";
  if (!nm) {
    if (cm.options.hot_threshold) return not_hot_yet(cm);
    return "compiled for the interpreter only";
  }
  std::lock_guard<std::mutex> lock(nm->mu);
  return nm->interpreted_because.at(func_index - cm.desc.num_imported_funcs);
}

const NativeTier kTier{
    "llvm",    &compile_module, &compile_in_background, &interpreted_because, &precompile_module,
    &load_code};

}  // namespace

void register_tier() { register_native_tier(&kTier); }

const NativeTier* llvm_tier() { return &kTier; }

int background_compiles_in_flight() {
  std::lock_guard<std::mutex> lock(g_background_mu);
  return g_background_running + (tier_up_busy() ? 1 : 0);
}

void wait_for_background_compiles() {
  {
    std::unique_lock<std::mutex> lock(g_background_mu);
    g_background_done.wait(lock, [] { return g_background_running == 0; });
  }
  wait_for_tier_up();
}

}  // namespace hull::native
