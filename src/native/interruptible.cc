// A JITLink plugin: after fixups (addresses final, nothing run yet) each standard-lifetime
// executable section of the graph is added to the runtime's registry of interruptible code,
// under the resource key that owns its memory; removing the key removes the ranges first.
#include "native/interruptible.h"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>

#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "native/jit.h"
#include "runtime/interrupt.h"

namespace hull::native {

namespace {

namespace orc = llvm::orc;
namespace jitlink = llvm::jitlink;

class InterruptibleCode : public orc::ObjectLinkingLayer::Plugin {
 public:
  void modifyPassConfig(orc::MaterializationResponsibility& mr, jitlink::LinkGraph&,
                        jitlink::PassConfiguration& config) override {
    config.PostFixupPasses.push_back([this, &mr](jitlink::LinkGraph& g) -> llvm::Error {
      std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
      for (jitlink::Section& sec : g.sections()) {
        const auto prot = static_cast<unsigned>(sec.getMemProt());
        if (!(prot & static_cast<unsigned>(orc::MemProt::Exec))) continue;
        // Finalize-lifetime memory is released once linked: no code runs there.
        if (sec.getMemLifetime() != orc::MemLifetime::Standard) continue;
        jitlink::SectionRange r(sec);
        if (r.empty()) continue;
        ranges.emplace_back(r.getStart().getValue(), r.getEnd().getValue());
      }
      if (ranges.empty()) return llvm::Error::success();
      return mr.withResourceKeyDo([&](orc::ResourceKey key) {
        std::lock_guard<std::mutex> lock(mu_);
        auto& mine = by_key_[key];
        for (const auto& [b, e] : ranges) {
          add_interruptible_code(b, e);
          mine.emplace_back(b, e);
        }
      });
    });
  }

  llvm::Error notifyFailed(orc::MaterializationResponsibility& mr) override {
    return mr.withResourceKeyDo([&](orc::ResourceKey key) { drop(key); });
  }

  llvm::Error notifyRemovingResources(orc::JITDylib&, orc::ResourceKey key) override {
    drop(key);
    return llvm::Error::success();
  }

  void notifyTransferringResources(orc::JITDylib&, orc::ResourceKey to,
                                   orc::ResourceKey from) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_key_.find(from);
    if (it == by_key_.end()) return;
    auto& dst = by_key_[to];
    dst.insert(dst.end(), it->second.begin(), it->second.end());
    by_key_.erase(it);
  }

 private:
  void drop(orc::ResourceKey key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    for (const auto& [b, e] : it->second) remove_interruptible_code(b, e);
    by_key_.erase(it);
  }

  std::mutex mu_;
  std::map<orc::ResourceKey, std::vector<std::pair<uintptr_t, uintptr_t>>> by_key_;
};

}  // namespace

Result<void> register_interruptible_code(llvm::orc::LLJIT& jit) {
  if (!async_interrupts_supported()) return {};
  auto* layer = llvm::dyn_cast<orc::ObjectLinkingLayer>(&jit.getObjLinkingLayer());
  if (!layer)
    return internal(
        "the JIT does not link with JITLink, so its code cannot be registered as "
        "interruptible (deadlines of loops would be missed)");
  layer->addPlugin(std::make_unique<InterruptibleCode>());
  return {};
}

}  // namespace hull::native
