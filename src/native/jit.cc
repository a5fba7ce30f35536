// The LLVM tier as the engine sees it (engine/tiers.h): compile a module's functions with ORC's
// LLJIT and install their entries (interp::install_native).
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/native.hh"
#include "interp/interp.h"
#include "native/cache.h"
#include "native/lower.h"
#include "native/support.h"
#include "native/vm.h"
#include "valid/validator.h"

namespace hull::native {

namespace {

// What CompiledModule::native_code holds: the JIT (which owns the machine code) and, per
// defined function, why it runs interpreted ("" when it runs native code).
struct NativeModule {
  std::unique_ptr<ObjectFileCache> cache;  // before the JIT: it may consult the cache to the end
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::vector<std::string> interpreted_because;
  bool from_cache = false;
};

Error internal(const std::string& what) { return Error(ErrorKind::Limit, "native tier: " + what); }

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return s;
}

void optimize(llvm::Module& m, llvm::TargetMachine* tm) {
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
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
}

Result<std::shared_ptr<const void>> compile_module(const CompiledModule& cm) {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto nm = std::make_shared<NativeModule>();
  const ModuleDesc& d = cm.desc;
  const uint32_t imported = d.num_imported_funcs;
  const auto defined = static_cast<uint32_t>(d.bodies.size());
  nm->interpreted_because.assign(defined, "");
  if (std::string why = module_unsupported(d, cm.options); !why.empty()) {
    for (auto& r : nm->interpreted_because) r = why;
    return std::shared_ptr<const void>(nm);
  }
  ModuleInfo info;
  HULL_TRY(validate_module_level(d, &info, cm.options.features));
  FunctionValidator validator(d, info);
  // Which functions the tier takes (decided before lowering: calls between compiled functions
  // are direct).
  uint32_t compiled = 0;
  for (uint32_t i = 0; i < defined; ++i) {
    SupportScan scan(d);
    HULL_TRY(validator.validate_function(imported + i, scan));
    nm->interpreted_because[i] = scan.reason();
    if (scan.reason().empty()) ++compiled;
  }
  if (compiled == 0) return std::shared_ptr<const void>(nm);

  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return internal(to_string(jtmb.takeError()));
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  auto tm = jtmb->createTargetMachine();
  if (!tm) return internal(to_string(tm.takeError()));
  auto ctx = std::make_unique<llvm::LLVMContext>();
  auto mod = std::make_unique<llvm::Module>("wasm", *ctx);
  mod->setDataLayout((*tm)->createDataLayout());
  mod->setTargetTriple((*tm)->getTargetTriple().str());
  ModuleLowering ml(*ctx, *mod, d, cm.type_ids, cm.options);
  for (uint32_t i = 0; i < defined; ++i)
    if (nm->interpreted_because[i].empty()) ml.declare(imported + i);
  for (uint32_t i = 0; i < defined; ++i) {
    if (!nm->interpreted_because[i].empty()) continue;
    FunctionLowering fl(ml, ml.wasm_funcs[imported + i]);
    HULL_TRY(validator.validate_function(imported + i, fl));
    ml.define_entry(imported + i);
  }
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*mod, &os)) return internal("invalid IR: " + problems);
  if (CacheConfig cc = cache_config(); !cc.dir.empty()) {
    nm->cache = std::make_unique<ObjectFileCache>(
        cc, cache_key(d.bytes, cm.options, jtmb->getCPU(), jtmb->getFeatures().getString()));
    nm->from_cache = nm->cache->has();
  }
  // A cached object replaces optimization and code generation (the IR is only its key's
  // carrier then).
  if (!nm->from_cache) optimize(*mod, tm->get());

  ObjectFileCache* cache = nm->cache.get();
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*jtmb))
                 .setCompileFunctionCreator(
                     [cache](llvm::orc::JITTargetMachineBuilder builder)
                         -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       auto machine = builder.createTargetMachine();
                       if (!machine) return machine.takeError();
                       return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(
                           std::move(*machine), cache);
                     })
                 .create();
  if (!jit) return internal(to_string(jit.takeError()));
  llvm::orc::JITDylib& lib = (*jit)->getMainJITDylib();
  llvm::orc::MangleAndInterner mangle((*jit)->getExecutionSession(), (*jit)->getDataLayout());
  auto sym = [&](const char* name, auto* fn) {
    return std::pair{mangle(name),
                     llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(fn),
                                                  llvm::JITSymbolFlags::Exported)};
  };
  llvm::orc::SymbolMap runtime;
  runtime.insert(sym("hull_rt_vm", &hull_rt_vm));
  runtime.insert(sym("hull_rt_trap", &hull_rt_trap));
  runtime.insert(sym("hull_rt_call", &hull_rt_call));
  runtime.insert(sym("hull_rt_call_indirect", &hull_rt_call_indirect));
  runtime.insert(sym("hull_rt_memory_grow", &hull_rt_memory_grow));
  runtime.insert(sym("hull_rt_memory_fill", &hull_rt_memory_fill));
  runtime.insert(sym("hull_rt_memory_copy", &hull_rt_memory_copy));
  runtime.insert(sym("hull_rt_memory_init", &hull_rt_memory_init));
  runtime.insert(sym("hull_rt_data_drop", &hull_rt_data_drop));
  runtime.insert(sym("hull_g_epoch", &g_epoch));
  if (auto e = lib.define(llvm::orc::absoluteSymbols(std::move(runtime))))
    return internal(to_string(std::move(e)));
  // What code generation may call besides: libm's functions for intrinsics the CPU lacks.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) return internal(to_string(process.takeError()));
  lib.addGenerator(std::move(*process));
  if (auto e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(mod), std::move(ctx))))
    return internal(to_string(std::move(e)));
  std::vector<std::pair<uint32_t, interp::NativeEntry>> entries;
  for (uint32_t i = 0; i < defined; ++i) {
    if (!nm->interpreted_because[i].empty()) continue;
    auto addr = (*jit)->lookup("e" + std::to_string(imported + i));
    if (!addr && nm->from_cache) {
      // A damaged or foreign cache entry: drop it and compile afresh (nothing is installed
      // before every lookup succeeded).
      llvm::consumeError(addr.takeError());
      nm->cache->remove();
      return compile_module(cm);
    }
    if (!addr) return internal(to_string(addr.takeError()));
    entries.emplace_back(i, addr->toPtr<interp::NativeEntry>());
  }
  for (const auto& [i, entry] : entries) interp::install_native(*cm.code, i, entry);
  nm->jit = std::move(*jit);
  return std::shared_ptr<const void>(nm);
}

// Background compilations in flight (wait_for_background_compiles).
std::mutex g_background_mu;
std::condition_variable g_background_done;
int g_background_running = 0;

// Whether the module's object code is in the cache (then loading it beats interpreting).
bool cached(const CompiledModule& m) {
  CacheConfig cc = cache_config();
  if (cc.dir.empty() || !module_unsupported(m.desc, m.options).empty()) return false;
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    llvm::consumeError(jtmb.takeError());
    return false;
  }
  return ObjectFileCache(cc, cache_key(m.desc.bytes, m.options, jtmb->getCPU(),
                                       jtmb->getFeatures().getString()))
      .has();
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
  if (!nm) return "compiled for the interpreter only";
  return nm->interpreted_because.at(func_index - cm.desc.num_imported_funcs);
}

const NativeTier kTier{"llvm", &compile_module, &compile_in_background, &interpreted_because};

}  // namespace

void register_tier() { register_native_tier(&kTier); }

int background_compiles_in_flight() {
  std::lock_guard<std::mutex> lock(g_background_mu);
  return g_background_running;
}

void wait_for_background_compiles() {
  std::unique_lock<std::mutex> lock(g_background_mu);
  g_background_done.wait(lock, [] { return g_background_running == 0; });
}

}  // namespace hull::native
