// The LLVM tier as the engine sees it (engine/tiers.h): compile a module's functions with ORC's
// LLJIT and install their entries (interp::install_native).
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <mutex>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/native.hh"
#include "interp/interp.h"
#include "native/lower.h"
#include "native/support.h"
#include "native/vm.h"
#include "valid/validator.h"

namespace hull::native {

namespace {

// What CompiledModule::native_code holds: the JIT (which owns the machine code) and, per
// defined function, why it runs interpreted ("" when it runs native code).
struct NativeModule {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::vector<std::string> interpreted_because;
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
  optimize(*mod, tm->get());

  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
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
  if (auto e = lib.define(llvm::orc::absoluteSymbols(std::move(runtime))))
    return internal(to_string(std::move(e)));
  // What code generation may call besides: libm's functions for intrinsics the CPU lacks.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) return internal(to_string(process.takeError()));
  lib.addGenerator(std::move(*process));
  if (auto e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(mod), std::move(ctx))))
    return internal(to_string(std::move(e)));
  for (uint32_t i = 0; i < defined; ++i) {
    if (!nm->interpreted_because[i].empty()) continue;
    auto addr = (*jit)->lookup("e" + std::to_string(imported + i));
    if (!addr) return internal(to_string(addr.takeError()));
    interp::install_native(*cm.code, i, addr->toPtr<interp::NativeEntry>());
  }
  nm->jit = std::move(*jit);
  return std::shared_ptr<const void>(nm);
}

std::string interpreted_because(const CompiledModule& cm, uint32_t func_index) {
  const auto* nm = static_cast<const NativeModule*>(cm.native_code.get());
  if (func_index < cm.desc.num_imported_funcs) return "an import";
  if (!nm) return "compiled for the interpreter only";
  return nm->interpreted_because.at(func_index - cm.desc.num_imported_funcs);
}

const NativeTier kTier{"llvm", &compile_module, &interpreted_because};

}  // namespace

void register_tier() { register_native_tier(&kTier); }

}  // namespace hull::native
