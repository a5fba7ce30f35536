// The costs the native tier's design rests on (docs/ARCHITECTURE.md "Native tier: the plan"):
// an LLJIT inside a plugin that the runtime would dlopen only when a native tier is asked for.
// make_add(n) builds one LLVM module of n small functions (`a + b * k`), JIT-compiles it and
// reports the LLJIT's creation time and the compile time of the whole module.
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/TargetSelect.h>

#include <chrono>
#include <cstdio>
using namespace llvm;
extern "C" void* make_add(int n) {
  static bool init = (InitializeNativeTarget(), InitializeNativeTargetAsmPrinter(), true);
  (void)init;
  auto t0 = std::chrono::steady_clock::now();
  auto jit = cantFail(orc::LLJITBuilder().create());
  auto t1 = std::chrono::steady_clock::now();
  auto ctx = std::make_unique<LLVMContext>();
  auto m = std::make_unique<Module>("m", *ctx);
  m->setDataLayout(jit->getDataLayout());
  IRBuilder<> b(*ctx);
  for (int i = 0; i < n; ++i) {
    auto* ft = FunctionType::get(b.getInt32Ty(), {b.getInt32Ty(), b.getInt32Ty()}, false);
    auto* f = Function::Create(ft, Function::ExternalLinkage, "add" + std::to_string(i), *m);
    b.SetInsertPoint(BasicBlock::Create(*ctx, "e", f));
    b.CreateRet(b.CreateAdd(f->getArg(0), b.CreateMul(f->getArg(1), b.getInt32(i + 1))));
  }
  cantFail(jit->addIRModule(orc::ThreadSafeModule(std::move(m), std::move(ctx))));
  auto sym = cantFail(jit->lookup("add0"));
  for (int i = 1; i < n; ++i) cantFail(jit->lookup("add" + std::to_string(i)));
  auto t2 = std::chrono::steady_clock::now();
  std::fprintf(stderr, "jit create %.2f ms, %d funcs compiled %.2f ms\n",
               std::chrono::duration<double, std::milli>(t1 - t0).count(), n,
               std::chrono::duration<double, std::milli>(t2 - t1).count());
  jit.release();  // the code stays alive for the process (a measurement, not a runtime)
  return sym.toPtr<void*>();
}
