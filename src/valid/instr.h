// Instr: one decoded instruction with its immediates, as the body decoder hands it to a sink.
// The contract between the validator (which decodes and type-checks function bodies) and
// every consumer of validated code (interpreter lowering now, native tiers later).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/v128.h"
#include "spec/opcodes.h"
#include "spec/types.h"

namespace hull {

struct MemArg {
  uint32_t align_log2 = 0;
  uint32_t memory = 0;
  uint64_t offset = 0;
};

// Block type of block/loop/if/try_table: empty, a single result, or a type index.
struct BlockType {
  enum class Kind : uint8_t { Empty, Value, Index } kind = Kind::Empty;
  ValType value;       // Kind::Value
  uint32_t index = 0;  // Kind::Index
};

// One catch clause of try_table.
struct Catch {
  enum class Kind : uint8_t { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 };
  Kind kind = Kind::Catch;
  uint32_t tag = 0;    // Catch, CatchRef
  uint32_t label = 0;  // label depth, relative to the try_table's enclosing block
};

struct Instr {
  Op op = Op::nop;
  size_t offset = 0;  // byte offset of the opcode within ModuleDesc::bytes

  // Index immediates, by kind:
  //   Label: a = depth.  Func: a = funcidx.  Type: a = typeidx.  Local/Global/Table/Elem/Data:
  //   a = index.  MemIdx: a = memidx.  CallIndirect: a = typeidx, b = tableidx.
  //   DataMem: a = dataidx, b = memidx.  MemMem: a = dst memidx, b = src memidx.
  //   ElemTable: a = elemidx, b = tableidx.  TableTable: a = dst tableidx, b = src tableidx.
  //   Lane / MemLane: lane.  Tag: a = tagidx.
  //   GC: TypeField: a = typeidx, b = fieldidx.  TypeN: a = typeidx, b = count.
  //   TypeData: a = typeidx, b = dataidx.  TypeElem: a = typeidx, b = elemidx.
  //   TypeType: a = dst typeidx, b = src typeidx.  BrOnCast: a = depth, ref_type = source
  //   type, ref_type2 = target type.  ref.test/ref.cast: ref_type = the target type.
  uint32_t a = 0;
  uint32_t b = 0;
  uint8_t lane = 0;

  MemArg mem;          // Mem, MemLane
  uint64_t bits = 0;   // I32/I64 (zero-extended raw bits), F32/F64 (raw IEEE bits)
  V128 v128{};         // V128 constant, Shuffle lane indices
  BlockType block;     // Block
  ValType ref_type;    // HeapType (ref.null: the full nullable ref type)
  ValType ref_type2;   // BrOnCast target type

  // BrTable: label depths, the default last (span into decoder-owned storage, valid only
  // during the sink callback).  SelectT: the annotated types.
  std::span<const uint32_t> br_table;
  std::span<const ValType> select_types;
  // TryTable: the catch clauses (decoder-owned, valid only during the sink callback).
  std::span<const Catch> catches;
};

// A sink receives the events of validating one function body (see valid/validator.h):
//
//   void begin_function(uint32_t func_index, const FuncType& type,
//                       std::span<const ValType> locals);   // params followed by declared locals
//   void instr(const Instr& in, bool reachable,
//              std::span<const ValType> popped,   // operand types consumed, bottom..top
//              std::span<const ValType> pushed);  // result types produced, bottom..top
//   Status end_function();                         // after the final `end`
//
// `instr` is called after the instruction type-checked. `reachable` is false for code that
// follows an unconditional branch/return/unreachable inside the same block (the polymorphic
// stack); popped types there may be ValType::bot(). `else` and `end` are always delivered.
// For block/loop/if, popped/pushed are the block's params (if also pops the i32 condition,
// last). For br_if, popped = label values + i32, pushed = label values. For calls, popped are
// the params and pushed the results. The sink keeps its own control stack if it needs one.
// The final `end` of the body is delivered like any other `end`.
//
// Exact popped/pushed of the control and hand-typed ops (as the validator delivers them):
//   popped holds the types as they were on the operand stack (possibly subtypes of what the
//   op requires; ValType::bot() when taken from the polymorphic bottom of dead code);
//   pushed holds the types the op declares.
//   block/loop/try_table  popped = block params            pushed = block params
//   if                    popped = block params + i32      pushed = block params
//   else                  popped = then-branch results     pushed = block params
//   end                   popped = frame results           pushed = frame results
//                         (also the function's final end, and an `if` without `else`)
//   br                    popped = label types             pushed = []
//   br_if                 popped = label types + i32       pushed = label types
//   br_table              popped = default label types + i32, pushed = []
//   return                popped = function results        pushed = []
//   br_on_null            popped = label types + ref       pushed = label types + (ref ht)
//   br_on_non_null        popped = label types[..-1] + ref pushed = label types[..-1]
//   br_on_cast(_fail)     popped = label types[..-1] + ref pushed = label types[..-1] + fallthrough
//   call/call_ref         popped = params (+ the ref)      pushed = results
//   call_indirect         popped = params + table address  pushed = results
//   return_call*          popped as the call               pushed = []
//   throw / throw_ref     popped = tag params / [exnref]   pushed = []
//   try (legacy)          popped = block params            pushed = block params
//   catch / catch_all     popped = results of the body it ends, pushed = tag params / []
//   delegate              popped = try results             pushed = try results (closes the
//                         try like `end`; its label depth counts the frames around the try)
//   rethrow               popped = []                      pushed = [] (label: a catch frame)
//   select / select_t     popped = [t t i32]               pushed = [t]
//   local.get             popped = []                      pushed = [local type]
//   local.set / local.tee popped = [value]                 pushed = [] / [local type]
//   unreachable           popped = []                      pushed = []
// `reachable` is the state of the current frame before the instruction (for `else`/`end`: of
// the frame being closed). Label depths of try_table catch clauses are relative to the frame
// enclosing the try_table.
struct NullSink {
  void begin_function(uint32_t, const FuncType&, std::span<const ValType>) {}
  void instr(const Instr&, bool, std::span<const ValType>, std::span<const ValType>) {}
  Status end_function() { return {}; }
};

}  // namespace hull
