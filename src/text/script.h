// A parsed .wast script: modules, actions and assertions as plain structs for the runner.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "base/v128.h"
#include "spec/types.h"

namespace hull::text {

// A module in a script. Inline text modules are already encoded (kind Encoded); binary
// modules hold their bytes; quoted modules keep their text for wat_to_binary (or, for a
// component, component_to_binary).
struct ScriptModule {
  enum Kind : uint8_t { Encoded, Binary, Quote };
  Kind kind = Encoded;
  // A component-model `(component ...)`: bytes are a component binary (Binary.md), not a
  // core module.
  bool component = false;
  std::string id;           // "$name" without '$', or ""
  bool definition = false;  // (module definition ...): compile only, instantiate on demand
  std::vector<uint8_t> bytes;  // Encoded and Binary
  std::string quote;           // Quote: the concatenated strings
  // Only inside assert_malformed/assert_invalid: the inline text module failed to encode.
  std::optional<Error> encode_error;
  uint32_t line = 0;
};

// Lane interpretation of a v128 constant.
enum class LaneShape : uint8_t { I8x16, I16x8, I32x4, I64x2, F32x4, F64x2 };

// An argument value of an action.
struct Value {
  enum Kind : uint8_t {
    I32, I64, F32, F64, V128,
    RefNull,    // heap: the null's heap type
    RefExtern,  // (ref.extern N): host reference N
    RefHost,    // (ref.host N)
    RefFunc,    // (ref.func) -- only meaningful in results, kept for completeness
  };
  Kind kind = I32;
  uint64_t bits = 0;  // I32/I64 (raw), F32/F64 (raw IEEE bits), RefExtern/RefHost payload
  hull::V128 v128{};        // V128 (little-endian lanes)
  HeapKind heap = HeapKind::Func;  // RefNull
};

enum class NanKind : uint8_t { None, Canonical, Arithmetic };

// An expected result of assert_return.
struct Expected {
  enum Kind : uint8_t {
    I32, I64, F32, F64, V128,
    RefNull,    // any null if !typed_null, else a null of heap type `heap`
    RefExtern,  // non-null extern; payload checked when has_payload
    RefHost,    // (ref.host N)
    RefFunc,    // any non-null funcref
    RefAny, RefEq, RefI31, RefStruct, RefArray, RefExn,  // any non-null ref of that kind
    Either,     // any one of `alternatives`
  };
  Kind kind = I32;
  uint64_t bits = 0;                // scalars; RefExtern/RefHost payload
  NanKind nan = NanKind::None;      // F32/F64: nan:canonical / nan:arithmetic
  hull::V128 v128{};                      // V128: expected bits (lanes with a nan pattern ignored)
  LaneShape shape = LaneShape::I32x4;
  std::array<NanKind, 4> lane_nan{};  // V128 f32x4 (4 lanes) / f64x2 (first 2)
  bool has_payload = false;
  bool typed_null = false;
  HeapKind heap = HeapKind::Func;
  std::vector<Expected> alternatives;  // Either
};

// A component-model value: an argument or expected result of a component export, e.g.
// (u32.const 1), (str.const "x"), (record.const (field "a" u8.const 1)), (option.none).
struct ComponentValue {
  enum Kind : uint8_t {
    Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
    List, Record, Tuple, Variant, Enum, Option, Result, Flags,
  };
  Kind kind = Bool;
  // Bool (0/1), integers (two's complement of their width, zero-extended), F32/F64 (raw IEEE
  // bits), Char (the code point).
  uint64_t bits = 0;
  NanKind nan = NanKind::None;  // F32/F64 in results: nan:canonical / nan:arithmetic
  // String: the UTF-8 text; Variant / Enum: the case name.
  std::string text;
  // Record: field names (parallel to `items`); Flags: the flags that are set.
  std::vector<std::string> names;
  // List/Tuple elements, Record field values; Variant/Option/Result: the payload, if any
  // (Option: empty = none).
  std::vector<ComponentValue> items;
  bool ok = true;  // Result: ok (true) or err
};

struct Action {
  enum Kind : uint8_t { Invoke, Get };
  Kind kind = Invoke;
  std::string module_id;  // "" = the most recent module
  std::string name;       // export name
  std::vector<Value> args;
  // The action targets a component (named, or the most recent module is one): its
  // arguments are in `component_args` and `args` is empty.
  bool component = false;
  std::vector<ComponentValue> component_args;
  uint32_t line = 0;
};

struct ModuleCommand { ScriptModule module; };
// (module instance $I $M): instantiate module definition $M as $I; component is set for
// (component instance $I $M).
struct ModuleInstanceCommand {
  std::string instance_id, module_id;
  bool component = false;
};
// (register "name" $id?)
struct RegisterCommand { std::string name, module_id; };
struct ActionCommand { Action action; };
// For a component action (action.component) the results are in component_expected.
struct AssertReturn {
  Action action;
  std::vector<Expected> expected;
  std::vector<ComponentValue> component_expected;
};
// assert_trap on an action, or on a module (trap during instantiation), or on a
// `(component instance $I $D)` (then `instance` is set, and `module` holds a placeholder
// component whose encode_error says so, for runners that do not know `instance`).
struct AssertTrap {
  std::optional<Action> action;
  std::optional<ScriptModule> module;
  std::optional<ModuleInstanceCommand> instance;
  std::string message;
};
struct AssertExhaustion { Action action; std::string message; };
struct AssertException { Action action; };
// assert_malformed / assert_invalid / assert_unlinkable / assert_uninstantiable.
struct AssertModule {
  // MalformedCustom / InvalidCustom (assert_malformed_custom, assert_invalid_custom): the
  // module's custom sections or annotations are malformed or invalid; the module itself need
  // not be (custom sections never make a module invalid).
  enum Kind : uint8_t {
    Malformed,
    Invalid,
    Unlinkable,
    Uninstantiable,
    MalformedCustom,
    InvalidCustom
  };
  Kind kind = Malformed;
  ScriptModule module;
  std::string message;
};
// A command the parser recognised but does not model (thread/wait/input/output, bare module
// fields); recorded, not dropped. Any other unknown command
// is a parse error.
struct SkippedCommand { std::string head; };

struct Command {
  uint32_t line = 0;
  std::variant<ModuleCommand, ModuleInstanceCommand, RegisterCommand, ActionCommand,
               AssertReturn, AssertTrap, AssertExhaustion, AssertException, AssertModule,
               SkippedCommand>
      body;
};

struct Script {
  std::vector<Command> commands;
};

// Parse a whole .wast script. Inline text modules and components are encoded to binaries
// here; an error in one fails the parse unless it sits inside assert_malformed/assert_invalid
// (then it is kept in ScriptModule::encode_error).
Result<Script> parse_script(std::string_view text);

}  // namespace hull::text
