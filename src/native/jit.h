// The LLVM tier's pieces shared by whole-module compiles (jit.cc) and tier-up (tier_up.cc).
#pragma once

#include <llvm/ExecutionEngine/ObjectCache.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/module.h"

namespace hull::native {

// What CompiledModule::native_code holds: the JIT (which owns the machine code) and, per
// defined function, why it runs interpreted ("" when it runs native code). Tier-up changes
// the reasons as functions are compiled, while `hull inspect` may read them: under `mu`.
struct NativeModule {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::shared_ptr<void> keep;  // what the machine code reads besides (tier-up's w<i> table)
  mutable std::mutex mu;
  std::vector<std::string> interpreted_because;
};

Error internal(const std::string& what);
std::string to_string(llvm::Error e);

// This machine, with code generation for `opt_level` (CompileOptions::native_opt_level).
Result<llvm::orc::JITTargetMachineBuilder> host_machine(unsigned opt_level = kMaxNativeOptLevel);

// Which of a module's functions the tier can compile (validated with SupportScan), per
// defined function.
struct ModuleScan {
  std::vector<std::string> interpreted_because;  // "" where the tier can compile it
  std::vector<bool> needs_roots;
  std::vector<std::vector<uint32_t>> tail_callees;  // per defined function (SupportScan)
  bool tail_calls = false;  // some function makes tail calls (decides the calling convention)
  uint32_t supported = 0;
};
Result<ModuleScan> scan_module(const CompiledModule& cm);

// Optimized IR of some of a module's functions.
struct Lowered {
  uint32_t compiled = 0;
  // On-stack replacement entries made, (defined index, loop number): eo<i>_<loop>.
  std::vector<std::pair<uint32_t, uint32_t>> osr;
  std::unique_ptr<llvm::LLVMContext> ctx;
  std::unique_ptr<llvm::Module> mod;  // null when nothing is compiled
};
// Lowers the defined functions `take` marks (each one the scan allows). `earlier`: tier-up's
// batches, the functions already compiled into the same JIT (their w<i> are called directly and
// every w<i> is exported); nullptr for a whole module in one piece.
// `osr`: on-stack replacement entries wanted, (defined index, loop number), each of a function
// taken now or earlier; those whose loop cannot be entered are left out of Lowered::osr.
// `w_table` (tier-up): where the w<i> of every function compiled so far is found at run time
// (by function index; nullptr until compiled): calls and tail calls of a function compiled
// in a later batch look there instead of going through the runtime.
Result<Lowered> lower_functions(const CompiledModule& cm, llvm::TargetMachine& tm,
                                const ModuleScan& scan, const std::vector<uint8_t>& take,
                                const std::vector<uint8_t>* earlier, unsigned opt_level,
                                const std::vector<std::pair<uint32_t, uint32_t>>& osr = {},
                                void* const* w_table = nullptr);

// A JIT whose code may call the runtime (native/vm.h) and libm; `capture` (may be null) keeps
// a copy of the object code.
Result<std::unique_ptr<llvm::orc::LLJIT>> make_jit(llvm::orc::JITTargetMachineBuilder jtmb,
                                                   llvm::ObjectCache* capture);
// Looks up the entries of the defined functions `which` marks, then installs them all
// (nothing is installed unless every lookup succeeded).
Result<void> install_entries(llvm::orc::LLJIT& jit, const CompiledModule& cm,
                             const std::vector<uint8_t>& which);

// Tier-up (tier_up.cc): compiles `m`'s functions as the interpreter reports them hot, on one
// background thread for the process.
void tier_up(std::shared_ptr<const CompiledModule> m);
// Why a function of a tier-up module runs interpreted before it is compiled.
std::string not_hot_yet(const CompiledModule& cm);
// Whether the tier-up thread has reports to take or a batch under way.
bool tier_up_busy();
// Waits until every report made so far is compiled (or refused).
void wait_for_tier_up();

}  // namespace hull::native
