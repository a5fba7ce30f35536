// SIMD (the fixed-width 128-bit proposal and relaxed SIMD) as LLVM vector IR. A v128 is one
// IR type everywhere (ModuleLowering::v128_ty, <2 x i64>); each operation bitcasts its operands
// to its lane shape and its result back. The results are the interpreter's (interp/simd.h)
// bit for bit where wasm is deterministic, and its chosen behaviour where it is not:
// min/max propagate NaN and order the zeros, shifts take the count modulo the lane width,
// swizzle gives 0 for an index >= 16, narrowing and trunc_sat saturate, and the relaxed
// instructions are their strict counterparts (relaxed_madd unfused, laneselect bitwise,
// relaxed_dot signed*signed).
#include <llvm/IR/Intrinsics.h>

#include <cstring>
#include <string_view>

#include "native/lower.h"

namespace hull::native {

using llvm::Value;
using llvm::Intrinsic::ID;

Value* FunctionLowering::opaque_constant(Value* v) {
  // x * 1.0, x + -0.0 and their kind are not x in wasm (a signalling NaN comes out quiet),
  // nor is 0 / 0 the positive NaN LLVM's folding would make: a constant operand of a float
  // operation reaches it through an empty asm (see opaque_identity for the scalar case).
  return llvm::isa<llvm::Constant>(v) ? opaque(v) : v;
}

// The NaN x + y makes on the interpreter's machine when x or y is one: x quieted if x is a
// NaN, else y quieted (SSE's rule for its first operand). x + x quiets x and keeps its payload.
Value* FunctionLowering::first_nan(Value* x, Value* y) {
  x = opaque_constant(x);
  y = opaque_constant(y);
  return b_.CreateSelect(b_.CreateFCmpUNO(x, x), b_.CreateFAdd(x, x), b_.CreateFAdd(y, y));
}

namespace {

bool ends_with(std::string_view s, std::string_view t) {
  return s.size() >= t.size() && s.substr(s.size() - t.size()) == t;
}

}  // namespace

void FunctionLowering::simd_memory(const Instr& in) {
  llvm::Type* i8 = b_.getInt8Ty();
  llvm::Type* i16 = b_.getInt16Ty();
  llvm::Type* i32 = b_.getInt32Ty();
  llvm::Type* i64 = b_.getInt64Ty();
  auto vec = [](llvm::Type* e, unsigned n) { return llvm::FixedVectorType::get(e, n); };
  auto out = [&](Value* v) { push(b_.CreateBitCast(v, ml_.v128_ty)); };
  // Alignment 1 (the immediate is a hint), the whole width in bounds; volatile where a fault
  // on the guard pages is the trap (memory_access).
  auto load = [&](llvm::Type* t, Value* addr) {
    const auto bytes = static_cast<unsigned>(ml_.M.getDataLayout().getTypeStoreSize(t));
    Value* p = effective_address(in, addr, bytes);
    auto* ld = b_.CreateAlignedLoad(t, p, llvm::Align(1), guarded(in));
    ld->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_memory);
    return ld;
  };
  auto store = [&](Value* v, Value* addr) {
    const auto bytes = static_cast<unsigned>(ml_.M.getDataLayout().getTypeStoreSize(v->getType()));
    Value* p = effective_address(in, addr, bytes);
    auto* st = b_.CreateAlignedStore(v, p, llvm::Align(1), guarded(in));
    st->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_memory);
  };
  auto extend = [&](unsigned bits, bool is_signed) {
    // 8 bytes as 64/bits lanes, each widened to twice its width.
    const unsigned n = 64 / bits;
    Value* v = load(vec(b_.getIntNTy(bits), n), pop());
    llvm::Type* wide = vec(b_.getIntNTy(2 * bits), n);
    out(is_signed ? b_.CreateSExt(v, wide) : b_.CreateZExt(v, wide));
  };
  auto splat = [&](llvm::Type* t) {
    const unsigned n = 128 / t->getIntegerBitWidth();
    out(b_.CreateVectorSplat(n, load(t, pop())));
  };
  auto zero = [&](llvm::Type* t) {
    auto* vt = vec(t, 128 / t->getIntegerBitWidth());
    out(b_.CreateInsertElement(llvm::Constant::getNullValue(vt), load(t, pop()), uint64_t{0}));
  };
  // load_lane / store_lane: [address, vector] on the stack.
  auto lane_type = [&](llvm::Type* t) { return vec(t, 128 / t->getIntegerBitWidth()); };
  auto load_lane = [&](llvm::Type* t) {
    auto* vt = lane_type(t);
    Value* v = b_.CreateBitCast(pop(), vt);
    Value* x = load(t, pop());
    out(b_.CreateInsertElement(v, x, uint64_t{in.lane & (vt->getNumElements() - 1u)}));
  };
  auto store_lane = [&](llvm::Type* t) {
    auto* vt = lane_type(t);
    Value* v = b_.CreateBitCast(pop(), vt);
    Value* x = b_.CreateExtractElement(v, uint64_t{in.lane & (vt->getNumElements() - 1u)});
    store(x, pop());
  };
  switch (in.op) {
    case Op::v128_load: return push(load(ml_.v128_ty, pop()));
    case Op::v128_store: {
      Value* v = pop();
      return store(v, pop());
    }
    case Op::v128_load8x8_s: return extend(8, true);
    case Op::v128_load8x8_u: return extend(8, false);
    case Op::v128_load16x4_s: return extend(16, true);
    case Op::v128_load16x4_u: return extend(16, false);
    case Op::v128_load32x2_s: return extend(32, true);
    case Op::v128_load32x2_u: return extend(32, false);
    case Op::v128_load8_splat: return splat(i8);
    case Op::v128_load16_splat: return splat(i16);
    case Op::v128_load32_splat: return splat(i32);
    case Op::v128_load64_splat: return splat(i64);
    case Op::v128_load32_zero: return zero(i32);
    case Op::v128_load64_zero: return zero(i64);
    case Op::v128_load8_lane: return load_lane(i8);
    case Op::v128_load16_lane: return load_lane(i16);
    case Op::v128_load32_lane: return load_lane(i32);
    case Op::v128_load64_lane: return load_lane(i64);
    case Op::v128_store8_lane: return store_lane(i8);
    case Op::v128_store16_lane: return store_lane(i16);
    case Op::v128_store32_lane: return store_lane(i32);
    case Op::v128_store64_lane: return store_lane(i64);
    default: break;
  }
  llvm_unreachable("a SIMD memory instruction SupportScan should have refused");
}

void FunctionLowering::simd(const Instr& in) {
  auto vec = [](llvm::Type* e, unsigned n) { return llvm::FixedVectorType::get(e, n); };
  auto ivec = [&](unsigned bits, unsigned n) { return vec(b_.getIntNTy(bits), n); };
  auto out = [&](Value* v) { push(b_.CreateBitCast(v, ml_.v128_ty)); };
  auto pop_as = [&](llvm::Type* t) { return b_.CreateBitCast(pop(), t); };
  auto seq = [](unsigned first, unsigned n, unsigned step) {
    llvm::SmallVector<int, 16> m;
    for (unsigned i = 0; i < n; ++i) m.push_back(static_cast<int>(first + i * step));
    return m;
  };
  auto splat_int = [&](llvm::FixedVectorType* t, uint64_t x, bool is_signed = false) {
    return llvm::ConstantInt::get(t, x, is_signed);
  };
  auto bool32 = [&](Value* c) { return b_.CreateZExt(c, b_.getInt32Ty()); };

  const Op op = in.op;
  const std::string_view name = op_info(op).name;  // e.g. "i16x8.add_sat_s"
  const size_t dot = name.find('.');
  const std::string_view shape = name.substr(0, dot);
  const std::string_view what = name.substr(dot + 1);

  // ---- v128: constants and bitwise operations --------------------------------------------
  if (shape == "v128") {
    switch (op) {
      case Op::v128_const: {
        uint64_t half[2];
        std::memcpy(half, in.v128.bytes, 16);
        return push(llvm::ConstantDataVector::get(ml_.C, llvm::ArrayRef<uint64_t>(half, 2)));
      }
      case Op::v128_not: return push(b_.CreateNot(pop()));
      case Op::v128_and:
      case Op::v128_andnot:
      case Op::v128_or:
      case Op::v128_xor: {
        Value* y = pop();
        Value* x = pop();
        if (op == Op::v128_and) return push(b_.CreateAnd(x, y));
        if (op == Op::v128_andnot) return push(b_.CreateAnd(x, b_.CreateNot(y)));
        if (op == Op::v128_or) return push(b_.CreateOr(x, y));
        return push(b_.CreateXor(x, y));
      }
      case Op::v128_bitselect: break;  // with relaxed_laneselect below
      case Op::v128_any_true: {
        Value* x = b_.CreateBitCast(pop(), b_.getInt128Ty());
        return push(bool32(b_.CreateICmpNE(x, llvm::ConstantInt::get(b_.getInt128Ty(), 0))));
      }
      default: llvm_unreachable("a v128 instruction SupportScan should have refused");
    }
  }
  if (op == Op::v128_bitselect || what == "relaxed_laneselect") {
    // Bits of the first operand where the mask is 1, of the second where it is 0 (relaxed:
    // every mask bit counts, as in the interpreter).
    Value* m = pop();
    Value* y = pop();
    Value* x = pop();
    return push(b_.CreateOr(b_.CreateAnd(x, m), b_.CreateAnd(y, b_.CreateNot(m))));
  }

  llvm::FixedVectorType* sh = nullptr;  // the shape the instruction's name begins with
  if (shape == "i8x16") sh = ivec(8, 16);
  if (shape == "i16x8") sh = ivec(16, 8);
  if (shape == "i32x4") sh = ivec(32, 4);
  if (shape == "i64x2") sh = ivec(64, 2);
  if (shape == "f32x4") sh = vec(b_.getFloatTy(), 4);
  if (shape == "f64x2") sh = vec(b_.getDoubleTy(), 2);
  if (!sh) llvm_unreachable("a SIMD instruction without a lane shape");
  const unsigned n = sh->getNumElements();
  llvm::Type* elem = sh->getElementType();
  const unsigned bits = elem->getScalarSizeInBits();
  const bool is_float = elem->isFloatingPointTy();
  auto* ish = llvm::VectorType::getInteger(sh);  // same lanes as integers
  const bool is_signed = ends_with(what, "_s") || ends_with(what, "_s_zero");
  // The vector of half as many lanes of twice the width, and the other way round.
  auto* wide = ivec(2 * bits, n / 2);
  auto* half = ivec(bits / 2, 2 * n);

  // ---- lanes: splat, extract, replace ------------------------------------------------------
  if (what == "splat") {
    Value* x = pop();
    if (!is_float && bits < 32) x = b_.CreateTrunc(x, elem);
    return out(b_.CreateVectorSplat(n, x));
  }
  if (what.starts_with("extract_lane")) {
    Value* x = b_.CreateExtractElement(pop_as(sh), uint64_t{in.lane & (n - 1u)});
    if (!is_float && bits < 32)
      x = is_signed ? b_.CreateSExt(x, b_.getInt32Ty()) : b_.CreateZExt(x, b_.getInt32Ty());
    return push(x);
  }
  if (what == "replace_lane") {
    Value* x = pop();
    if (!is_float && bits < 32) x = b_.CreateTrunc(x, elem);
    Value* v = pop_as(sh);
    return out(b_.CreateInsertElement(v, x, uint64_t{in.lane & (n - 1u)}));
  }

  // ---- shuffles ----------------------------------------------------------------------------
  if (op == Op::i8x16_shuffle) {
    Value* y = pop_as(sh);
    Value* x = pop_as(sh);
    llvm::SmallVector<int, 16> mask;
    for (unsigned i = 0; i < 16; ++i) mask.push_back(in.v128.bytes[i] & 31);
    return out(b_.CreateShuffleVector(x, y, mask));
  }
  if (op == Op::i8x16_swizzle || op == Op::i8x16_relaxed_swizzle) {
    // Lane i is x[s[i]], or 0 where s[i] >= 16. A vector built of variable extracts from one
    // vector is what the backend makes a byte shuffle (pshufb) of.
    Value* s = pop_as(sh);
    Value* x = pop_as(sh);
    Value* idx = b_.CreateAnd(s, splat_int(sh, 15));
    Value* r = llvm::PoisonValue::get(sh);
    for (unsigned i = 0; i < 16; ++i) {
      Value* k = b_.CreateExtractElement(idx, uint64_t{i});
      r = b_.CreateInsertElement(r, b_.CreateExtractElement(x, k), uint64_t{i});
    }
    Value* ok = b_.CreateICmpULT(s, splat_int(sh, 16));
    return out(b_.CreateSelect(ok, r, llvm::Constant::getNullValue(sh)));
  }

  // ---- comparisons -------------------------------------------------------------------------
  {
    using P = llvm::CmpInst::Predicate;
    P p = P::BAD_ICMP_PREDICATE;
    if (is_float) {
      if (what == "eq") p = P::FCMP_OEQ;
      if (what == "ne") p = P::FCMP_UNE;
      if (what == "lt") p = P::FCMP_OLT;
      if (what == "gt") p = P::FCMP_OGT;
      if (what == "le") p = P::FCMP_OLE;
      if (what == "ge") p = P::FCMP_OGE;
    } else {
      if (what == "eq") p = P::ICMP_EQ;
      if (what == "ne") p = P::ICMP_NE;
      if (what == "lt_s") p = P::ICMP_SLT;
      if (what == "lt_u") p = P::ICMP_ULT;
      if (what == "gt_s") p = P::ICMP_SGT;
      if (what == "gt_u") p = P::ICMP_UGT;
      if (what == "le_s") p = P::ICMP_SLE;
      if (what == "le_u") p = P::ICMP_ULE;
      if (what == "ge_s") p = P::ICMP_SGE;
      if (what == "ge_u") p = P::ICMP_UGE;
    }
    if (p != P::BAD_ICMP_PREDICATE) {
      Value* y = pop_as(sh);
      Value* x = pop_as(sh);
      Value* c = is_float ? b_.CreateFCmp(p, x, y) : b_.CreateICmp(p, x, y);
      return out(b_.CreateSExt(c, ish));  // all ones where it holds
    }
  }

  // ---- float lanes -------------------------------------------------------------------------
  if (is_float) {
    auto unary = [&](ID id) { return out(b_.CreateUnaryIntrinsic(id, pop_as(sh))); };
    if (what == "abs") return unary(llvm::Intrinsic::fabs);
    if (what == "neg") return out(b_.CreateFNeg(pop_as(sh)));
    if (what == "sqrt") return unary(llvm::Intrinsic::sqrt);
    if (what == "ceil") return unary(llvm::Intrinsic::ceil);
    if (what == "floor") return unary(llvm::Intrinsic::floor);
    if (what == "trunc") return unary(llvm::Intrinsic::trunc);
    if (what == "nearest") return unary(llvm::Intrinsic::roundeven);
    if (what == "relaxed_madd" || what == "relaxed_nmadd") {
      // Unfused, two roundings (LLVM contracts nothing without fast-math flags): x * y + z,
      // and for nmadd -(x * y) + z, which is z - x * y. NaNs as the interpreter's compiled code
      // makes them: z's if z is one (quieted), else the product's, not negated.
      Value* z = opaque_constant(pop_as(sh));
      Value* y = opaque_constant(pop_as(sh));
      Value* x = opaque_constant(pop_as(sh));
      Value* p = b_.CreateFMul(x, y);
      if (what == "relaxed_nmadd") {
        // The subtraction takes z's NaN first by itself. The product goes through an empty
        // asm: LLVM would move the negation onto x (or into a select), flipping a NaN's sign.
        return out(b_.CreateFSub(z, opaque(p)));
      }
      // LLVM may swap an add's operands: z's NaN is chosen explicitly.
      return out(b_.CreateSelect(b_.CreateFCmpUNO(z, z), b_.CreateFAdd(z, z), b_.CreateFAdd(p, z)));
    }
    if (what == "convert_i32x4_s") return out(b_.CreateSIToFP(pop_as(ivec(32, 4)), sh));
    if (what == "convert_i32x4_u") return out(b_.CreateUIToFP(pop_as(ivec(32, 4)), sh));
    if (what == "convert_low_i32x4_s" || what == "convert_low_i32x4_u") {
      Value* x = pop_as(ivec(32, 4));
      Value* low = b_.CreateShuffleVector(x, seq(0, 2, 1));
      return out(ends_with(what, "_s") ? b_.CreateSIToFP(low, sh) : b_.CreateUIToFP(low, sh));
    }
    if (op == Op::f32x4_demote_f64x2_zero) {
      Value* d = b_.CreateFPTrunc(pop_as(vec(b_.getDoubleTy(), 2)), vec(b_.getFloatTy(), 2));
      return out(
          b_.CreateShuffleVector(d, llvm::Constant::getNullValue(d->getType()), seq(0, 4, 1)));
    }
    if (op == Op::f64x2_promote_low_f32x4) {
      Value* x = pop_as(vec(b_.getFloatTy(), 4));
      Value* low = b_.CreateShuffleVector(x, seq(0, 2, 1));
      // Through an empty asm, as the scalar promote: LLVM folds demote(promote(x)) to x, which
      // keeps a signalling NaN signalling where wasm quiets it.
      return out(opaque(b_.CreateFPExt(low, sh)));
    }
    Value* y = pop_as(sh);
    Value* x = pop_as(sh);
    if (what == "add") return out(b_.CreateFAdd(opaque_constant(x), opaque_constant(y)));
    if (what == "sub") return out(b_.CreateFSub(opaque_constant(x), opaque_constant(y)));
    if (what == "mul") return out(b_.CreateFMul(opaque_constant(x), opaque_constant(y)));
    if (what == "div") return out(b_.CreateFDiv(opaque_constant(x), opaque_constant(y)));
    if (what == "min" || what == "max" || what == "relaxed_min" || what == "relaxed_max") {
      // llvm.minimum/maximum order the zeros. A NaN operand gives what the interpreter's x + y
      // gives: x quieted if it is a NaN, else y quieted -- spelled out, as LLVM would swap the
      // operands of an fadd at will.
      const bool is_min = what == "min" || what == "relaxed_min";
      Value* m = b_.CreateBinaryIntrinsic(
          is_min ? llvm::Intrinsic::minimum : llvm::Intrinsic::maximum, x, y);
      return out(b_.CreateSelect(b_.CreateFCmpUNO(x, y), first_nan(x, y), m));
    }
    // pmin: y < x ? y : x; pmax: x < y ? y : x (a NaN operand: x, as it is).
    if (what == "pmin") return out(b_.CreateSelect(b_.CreateFCmpOLT(y, x), y, x));
    if (what == "pmax") return out(b_.CreateSelect(b_.CreateFCmpOLT(x, y), y, x));
    llvm_unreachable("a float SIMD instruction SupportScan should have refused");
  }

  // ---- integer lanes -----------------------------------------------------------------------
  auto ext = [&](Value* v, llvm::Type* t, bool s) {
    return s ? b_.CreateSExt(v, t) : b_.CreateZExt(v, t);
  };
  if (what == "neg") return out(b_.CreateNeg(pop_as(sh)));
  if (what == "abs") {
    // is_int_min_poison = false: abs(MIN) is MIN.
    return out(b_.CreateIntrinsic(llvm::Intrinsic::abs, {sh}, {pop_as(sh), b_.getFalse()}));
  }
  if (what == "popcnt") return out(b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, pop_as(sh)));
  if (what == "all_true") {
    Value* nz = b_.CreateICmpNE(pop_as(sh), llvm::Constant::getNullValue(sh));
    return push(bool32(b_.CreateAndReduce(nz)));
  }
  if (what == "bitmask") {
    // The top bit of each lane, lane 0 in bit 0.
    Value* neg = b_.CreateICmpSLT(pop_as(sh), llvm::Constant::getNullValue(sh));
    return push(b_.CreateZExt(b_.CreateBitCast(neg, b_.getIntNTy(n)), b_.getInt32Ty()));
  }
  if (what == "shl" || what == "shr_s" || what == "shr_u") {
    // The count modulo the lane width.
    Value* k = b_.CreateAnd(pop(), b_.getInt32(bits - 1));
    k = b_.CreateZExtOrTrunc(k, elem);
    Value* x = pop_as(sh);
    Value* ks = b_.CreateVectorSplat(n, k);
    if (what == "shl") return out(b_.CreateShl(x, ks));
    if (what == "shr_s") return out(b_.CreateAShr(x, ks));
    return out(b_.CreateLShr(x, ks));
  }
  if (what.starts_with("narrow_")) {
    // Both operands' lanes, signed, saturated into this shape's lanes (signed or unsigned).
    Value* y = pop_as(wide);
    Value* x = pop_as(wide);
    auto* both = ivec(2 * bits, n);
    Value* v = b_.CreateShuffleVector(x, y, seq(0, n, 1));
    const llvm::APInt lo =
        is_signed ? llvm::APInt::getSignedMinValue(bits).sext(2 * bits) : llvm::APInt(2 * bits, 0);
    const llvm::APInt hi = is_signed ? llvm::APInt::getSignedMaxValue(bits).sext(2 * bits)
                                     : llvm::APInt::getMaxValue(bits).zext(2 * bits);
    v = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, v, llvm::ConstantInt::get(both, lo));
    v = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, v, llvm::ConstantInt::get(both, hi));
    return out(b_.CreateTrunc(v, sh));
  }
  if (what.starts_with("extend_")) {
    // Half the lanes of the narrower shape, widened to this one.
    Value* x = pop_as(half);
    const bool high = what.starts_with("extend_high");
    return out(ext(b_.CreateShuffleVector(x, seq(high ? n : 0, n, 1)), sh, is_signed));
  }
  if (what.starts_with("extadd_pairwise_")) {
    Value* x = pop_as(half);
    Value* even = ext(b_.CreateShuffleVector(x, seq(0, n, 2)), sh, is_signed);
    Value* odd = ext(b_.CreateShuffleVector(x, seq(1, n, 2)), sh, is_signed);
    return out(b_.CreateAdd(even, odd));
  }
  if (what.starts_with("extmul_")) {
    // Exact products of the low or high half, widened (then truncated to the lane: no-op).
    Value* y = pop_as(half);
    Value* x = pop_as(half);
    const auto m = seq(what.starts_with("extmul_high") ? n : 0, n, 1);
    Value* xs = ext(b_.CreateShuffleVector(x, m), sh, is_signed);
    Value* ys = ext(b_.CreateShuffleVector(y, m), sh, is_signed);
    return out(b_.CreateMul(xs, ys));
  }
  if (what == "q15mulr_sat_s" || what == "relaxed_q15mulr_s") {
    // (x * y + 0x4000) >> 15 in 32 bits, saturated (only -1 * -1 in Q15 overflows).
    auto* w = ivec(32, n);
    Value* y = b_.CreateSExt(pop_as(sh), w);
    Value* x = b_.CreateSExt(pop_as(sh), w);
    Value* p = b_.CreateAShr(b_.CreateAdd(b_.CreateMul(x, y), splat_int(w, 0x4000)), 15);
    p = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, p, splat_int(w, 0x7fff));
    p = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, p,
                                 splat_int(w, static_cast<uint64_t>(-0x8000), true));
    return out(b_.CreateTrunc(p, sh));
  }
  if (op == Op::i32x4_dot_i16x8_s) {
    // Products of 16-bit lanes summed in pairs, wrapping in 32 bits.
    auto* w = ivec(32, 8);
    Value* y = b_.CreateSExt(pop_as(ivec(16, 8)), w);
    Value* x = b_.CreateSExt(pop_as(ivec(16, 8)), w);
    Value* p = b_.CreateMul(x, y);
    return out(b_.CreateAdd(b_.CreateShuffleVector(p, seq(0, 4, 2)),
                            b_.CreateShuffleVector(p, seq(1, 4, 2))));
  }
  if (op == Op::i16x8_relaxed_dot_i8x16_i7x16_s) {
    // Signed * signed: each product fits 16 bits; the pair's sum saturates.
    auto* w = ivec(16, 16);
    Value* y = b_.CreateSExt(pop_as(ivec(8, 16)), w);
    Value* x = b_.CreateSExt(pop_as(ivec(8, 16)), w);
    Value* p = b_.CreateMul(x, y);
    return out(b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_sat,
                                        b_.CreateShuffleVector(p, seq(0, 8, 2)),
                                        b_.CreateShuffleVector(p, seq(1, 8, 2))));
  }
  if (op == Op::i32x4_relaxed_dot_i8x16_i7x16_add_s) {
    // Signed * signed, four products summed in 32 bits (no overflow), plus c (wrapping).
    Value* c = pop_as(sh);
    auto* w = ivec(32, 16);
    Value* y = b_.CreateSExt(pop_as(ivec(8, 16)), w);
    Value* x = b_.CreateSExt(pop_as(ivec(8, 16)), w);
    Value* p = b_.CreateMul(x, y);
    Value* pairs = b_.CreateAdd(b_.CreateShuffleVector(p, seq(0, 8, 2)),
                                b_.CreateShuffleVector(p, seq(1, 8, 2)));
    Value* quads = b_.CreateAdd(b_.CreateShuffleVector(pairs, seq(0, 4, 2)),
                                b_.CreateShuffleVector(pairs, seq(1, 4, 2)));
    return out(b_.CreateAdd(quads, c));
  }
  if (what.starts_with("trunc_sat_") || what.starts_with("relaxed_trunc_")) {
    // LLVM's saturating conversions are wasm's: NaN gives 0, the rest clamps. f64x2 sources
    // fill the low two lanes, the high two are 0.
    const bool from64 = what.find("f64x2") != std::string_view::npos;
    Value* x = pop_as(from64 ? vec(b_.getDoubleTy(), 2) : vec(b_.getFloatTy(), 4));
    auto* rt = ivec(32, from64 ? 2 : 4);
    Value* r =
        b_.CreateIntrinsic(is_signed ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat,
                           {rt, x->getType()}, {x});
    if (from64) r = b_.CreateShuffleVector(r, llvm::Constant::getNullValue(rt), seq(0, 4, 1));
    return out(r);
  }

  Value* y = pop_as(sh);
  Value* x = pop_as(sh);
  if (what == "add") return out(b_.CreateAdd(x, y));
  if (what == "sub") return out(b_.CreateSub(x, y));
  if (what == "mul") return out(b_.CreateMul(x, y));
  auto binary_intr = [&](ID id) { return out(b_.CreateBinaryIntrinsic(id, x, y)); };
  if (what == "min_s") return binary_intr(llvm::Intrinsic::smin);
  if (what == "min_u") return binary_intr(llvm::Intrinsic::umin);
  if (what == "max_s") return binary_intr(llvm::Intrinsic::smax);
  if (what == "max_u") return binary_intr(llvm::Intrinsic::umax);
  if (what == "add_sat_s") return binary_intr(llvm::Intrinsic::sadd_sat);
  if (what == "add_sat_u") return binary_intr(llvm::Intrinsic::uadd_sat);
  if (what == "sub_sat_s") return binary_intr(llvm::Intrinsic::ssub_sat);
  if (what == "sub_sat_u") return binary_intr(llvm::Intrinsic::usub_sat);
  if (what == "avgr_u") {
    // (x + y + 1) >> 1 without losing the carry: in lanes twice as wide.
    auto* w = ivec(2 * bits, n);
    Value* s =
        b_.CreateAdd(b_.CreateAdd(b_.CreateZExt(x, w), b_.CreateZExt(y, w)), splat_int(w, 1));
    return out(b_.CreateTrunc(b_.CreateLShr(s, 1), sh));
  }
  llvm_unreachable("an integer SIMD instruction SupportScan should have refused");
}

}  // namespace hull::native
