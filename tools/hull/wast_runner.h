// Runs the commands of a parsed .wast script against the engine and counts assertions.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "text/script.h"

namespace hull::cli {

struct WastFailure {
  uint32_t line = 0;
  std::string what;  // "assert_return: expected 1 but got 2"
};

struct WastFileResult {
  uint32_t passed = 0;
  uint32_t failed = 0;
  // Commands that could not run because their module needs a feature Hull lacks (GC,
  // exception handling): never counted as passed. `skips` says which and why ("needs gc: ...").
  uint32_t skipped = 0;
  std::vector<WastFailure> failures;
  std::vector<WastFailure> skips;
};

class WastRunner {
 public:
  // Modules may use FEATURES (default: all; `hull wast -W NAME=n` switches one off).
  // `native`: every function the native tier can compile runs machine code; with `background`
  // too, tier-up (`--tier auto`): functions switch as they run hot, at calls and loop headers.
  // `baseline`: every function is compiled by the baseline tier (`--tier baseline`).
  explicit WastRunner(FeatureSet features = {}, bool native = false, bool background = false,
                      uint8_t opt_level = kMaxNativeOptLevel, bool baseline = false);
  // Runs every command; each top-level assert_* counts exactly once as passed, failed or
  // skipped. A module, register or action command counts only when it fails (or is skipped):
  // a script whose module does not load cannot pass by having no assertions after it.
  WastFileResult run(const text::Script& script);

 private:
  struct ActionOutcome {
    bool ran = false;  // false: the action could not be performed (error in `error`)
    std::string error;
    std::optional<Trap> trap;
    std::vector<Val> values;
    // The module whose types the results use (concrete heap types), when known.
    const ModuleDesc* desc = nullptr;
    // Set (and ran false) when the target module was skipped: why.
    std::optional<std::string> skipped;
  };

  Result<std::shared_ptr<const CompiledModule>> compile_module(const text::ScriptModule& m);
  CompileOptions options() const {
    CompileOptions o;
    o.features = features_;
    o.native = native_;
    o.native_background = background_;
    o.baseline = baseline_;
    o.native_opt_level = opt_level_;
    return o;
  }
  Result<Instance*> instantiate(std::shared_ptr<const CompiledModule> mod);
  Instance* find_instance(const std::string& id, std::string* error);
  ActionOutcome perform(const text::Action& a);
  Result<Val> to_val(const text::Value& v, const ValType& type);
  // Does `v` (a result of a function of module `m`, or nullptr if unknown) match `e`? When it
  // does not, `why` may say more than the two values do (a pattern Hull cannot evaluate).
  bool matches(const text::Expected& e, const Val& v, const ModuleDesc* m, std::string* why) const;
  std::string describe(const Val& v) const;
  std::string describe(const text::Expected& e) const;
  bool is_function(RefBits r) const;
  bool is_extern_object(RefBits r) const;

  // Skip bookkeeping: why the module an action or a later module depends on was skipped.
  std::optional<std::string> skipped_target(const std::string& module_id) const;
  std::optional<std::string> skipped_import(const ModuleDesc& m) const;
  void note_skipped_module(const std::string& id, std::string reason);

  void pass() { ++result_.passed; }
  void fail(uint32_t line, std::string what) {
    ++result_.failed;
    result_.failures.push_back({line, std::move(what)});
  }
  void skip(uint32_t line, std::string why) {
    ++result_.skipped;
    result_.skips.push_back({line, std::move(why)});
  }

  FeatureSet features_;
  bool native_ = false;      // --tier native: modules also compiled by the native tier
  bool background_ = false;  // --tier auto
  bool baseline_ = false;    // --tier baseline
  uint8_t opt_level_ = kMaxNativeOptLevel;  // --opt-level
  Store store_;
  Linker linker_;
  std::map<std::string, Instance*> named_;
  std::map<std::string, std::shared_ptr<const CompiledModule>> definitions_;
  std::map<uint64_t, RefBits> extern_refs_;  // (ref.extern N) -> its host object
  Instance* current_ = nullptr;
  // Set while the most recent module was skipped ("needs gc"); current_ is null then.
  std::optional<std::string> current_skipped_;
  std::map<std::string, std::string> skipped_named_;       // instance or definition id -> why
  std::map<std::string, std::string> skipped_registered_;  // registered name -> why
  WastFileResult result_;
};

}  // namespace hull::cli
