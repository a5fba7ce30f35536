// Runs the commands of a parsed .wast script against the engine and counts assertions.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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
  std::vector<WastFailure> failures;
  // Problems outside assertions (a plain module that failed to compile, ...).
  std::vector<WastFailure> errors;
};

class WastRunner {
 public:
  WastRunner();
  // Runs every command; each top-level assert_* counts exactly once as passed or failed.
  WastFileResult run(const text::Script& script);

 private:
  struct ActionOutcome {
    bool ran = false;        // false: the action could not be performed (error in `error`)
    std::string error;
    std::optional<Trap> trap;
    std::vector<Val> values;
  };

  Result<std::shared_ptr<const CompiledModule>> compile_module(const text::ScriptModule& m);
  Result<Instance*> instantiate(std::shared_ptr<const CompiledModule> mod);
  Instance* find_instance(const std::string& id, std::string* error);
  ActionOutcome perform(const text::Action& a);
  Result<Val> to_val(const text::Value& v, const ValType& type);
  bool matches(const text::Expected& e, const Val& v) const;
  std::string describe(const Val& v) const;
  std::string describe(const text::Expected& e) const;

  void pass() { ++result_.passed; }
  void fail(uint32_t line, std::string what) {
    ++result_.failed;
    result_.failures.push_back({line, std::move(what)});
  }

  Store store_;
  Linker linker_;
  std::map<std::string, Instance*> named_;
  std::map<std::string, std::shared_ptr<const CompiledModule>> definitions_;
  std::map<uint64_t, ExternObject*> extern_refs_;
  Instance* current_ = nullptr;
  WastFileResult result_;
};

}  // namespace hull::cli
