// Constants and numeric instructions (0x41-0xC4, the saturating truncations) as LLVM IR, with
// wasm's rules where LLVM's differ: shift counts wrap, division and conversions trap, min/max
// propagate NaN and order the zeros, nearest rounds to even.
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>

#include "native/lower.h"

namespace hull::native {

using llvm::Value;
using llvm::Intrinsic::ID;

// A trapping float-to-integer truncation: NaN is an invalid conversion, a value whose
// truncation is outside the target range an overflow; otherwise LLVM's fptosi/fptoui is exact.
Value* FunctionLowering::trunc_checked(const Instr& in, Value* x) {
  bool is_signed = false, to64 = false;
  switch (in.op) {
    case Op::i32_trunc_f32_s:
    case Op::i32_trunc_f64_s: is_signed = true; break;
    case Op::i64_trunc_f32_s:
    case Op::i64_trunc_f64_s: is_signed = true, to64 = true; break;
    case Op::i64_trunc_f32_u:
    case Op::i64_trunc_f64_u: to64 = true; break;
    default: break;
  }
  llvm::Type* ft = x->getType();
  trap_if(b_.CreateFCmpUNO(x, x), TrapKind::InvalidConversion);
  // Exclusive bounds: lo < x < hi exactly when trunc(x) fits.
  double lo, hi;
  if (is_signed) {
    const double two = to64 ? 9223372036854775808.0 : 2147483648.0;  // 2^63 / 2^31
    hi = two;
    // -2^N - 1 where the type can hold it, else -2^N itself is the lowest valid value.
    lo = -two - 1.0;
  } else {
    hi = to64 ? 18446744073709551616.0 : 4294967296.0;
    lo = -1.0;
  }
  Value* out;
  if (ft->isFloatTy() && is_signed) {
    // f32 cannot hold -2^N - 1: valid is x >= -2^N.
    out = b_.CreateOr(b_.CreateFCmpOLT(x, llvm::ConstantFP::get(ft, -hi)),
                      b_.CreateFCmpOGE(x, llvm::ConstantFP::get(ft, hi)));
  } else if (ft->isDoubleTy() && is_signed && to64) {
    out = b_.CreateOr(b_.CreateFCmpOLT(x, llvm::ConstantFP::get(ft, -hi)),
                      b_.CreateFCmpOGE(x, llvm::ConstantFP::get(ft, hi)));
  } else {
    out = b_.CreateOr(b_.CreateFCmpOLE(x, llvm::ConstantFP::get(ft, lo)),
                      b_.CreateFCmpOGE(x, llvm::ConstantFP::get(ft, hi)));
  }
  trap_if(out, TrapKind::IntegerOverflow);
  llvm::Type* it = to64 ? b_.getInt64Ty() : b_.getInt32Ty();
  return is_signed ? b_.CreateFPToSI(x, it) : b_.CreateFPToUI(x, it);
}

// x * 1.0, x / -1.0, x - 0.0 and their kind are not x in wasm: a signalling NaN comes out
// quiet. LLVM folds them to x (or -x), so a constant that makes an operation an identity
// reaches it through an empty asm, which LLVM cannot see through.
Value* FunctionLowering::opaque_identity(Value* v) {
  auto* c = llvm::dyn_cast<llvm::ConstantFP>(v);
  if (!c) return v;
  const llvm::APFloat& f = c->getValueAPF();
  if (!f.isZero() && !(f.isExactlyValue(1.0) || f.isExactlyValue(-1.0))) return v;
  return opaque(v);
}

Value* FunctionLowering::opaque(Value* v) {
  auto* asm_ty = llvm::FunctionType::get(v->getType(), {v->getType()}, false);
  const char* reg = v->getType()->isIntegerTy() ? "=r,0" : "=x,0";
  llvm::CallInst* c = b_.CreateCall(llvm::InlineAsm::get(asm_ty, "", reg, false), {v});
  // It reads and writes nothing: without saying so, LLVM would reload memory around it.
  c->setDoesNotAccessMemory();
  c->setDoesNotThrow();
  return c;
}

void FunctionLowering::numeric(const Instr& in) {
  llvm::Type* i32 = b_.getInt32Ty();
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* f32 = b_.getFloatTy();
  llvm::Type* f64 = b_.getDoubleTy();
  auto bool32 = [&](Value* c) { return b_.CreateZExt(c, i32); };
  auto unary_intr = [&](ID id, Value* x) { return b_.CreateUnaryIntrinsic(id, x); };
  auto binary_intr = [&](ID id, Value* x, Value* y) { return b_.CreateBinaryIntrinsic(id, x, y); };
  auto count = [&](ID id, Value* x) {
    // is_zero_poison = false: clz/ctz of 0 is the bit width.
    return b_.CreateIntrinsic(id, {x->getType()}, {x, b_.getFalse()});
  };
  auto masked = [&](Value* y) {
    const unsigned bits = y->getType()->getIntegerBitWidth();
    return b_.CreateAnd(y, llvm::ConstantInt::get(y->getType(), bits - 1));
  };
  const Op op = in.op;
  switch (op) {
    case Op::i32_const: return push(b_.getInt32(static_cast<uint32_t>(in.bits)));
    case Op::i64_const: return push(b_.getInt64(in.bits));
    case Op::f32_const:
      return push(llvm::ConstantFP::get(
          ml_.C, llvm::APFloat(llvm::APFloat::IEEEsingle(), llvm::APInt(32, in.bits))));
    case Op::f64_const:
      return push(llvm::ConstantFP::get(
          ml_.C, llvm::APFloat(llvm::APFloat::IEEEdouble(), llvm::APInt(64, in.bits))));
    // Wide arithmetic: 128-bit values as (low, high) i64 pairs on the stack, done in i128.
    case Op::i64_add128:
    case Op::i64_sub128: {
      llvm::Type* i128 = b_.getInt128Ty();
      auto wide = [&](Value* lo, Value* hi) {
        return b_.CreateOr(b_.CreateZExt(lo, i128), b_.CreateShl(b_.CreateZExt(hi, i128), 64));
      };
      Value* b_hi = pop();
      Value* b_lo = pop();
      Value* a_hi = pop();
      Value* a_lo = pop();
      Value* r = op == Op::i64_add128 ? b_.CreateAdd(wide(a_lo, a_hi), wide(b_lo, b_hi))
                                      : b_.CreateSub(wide(a_lo, a_hi), wide(b_lo, b_hi));
      push(b_.CreateTrunc(r, i64));
      return push(b_.CreateTrunc(b_.CreateLShr(r, 64), i64));
    }
    case Op::i64_mul_wide_s:
    case Op::i64_mul_wide_u: {
      llvm::Type* i128 = b_.getInt128Ty();
      Value* y = pop();
      Value* x = pop();
      const bool is_signed = op == Op::i64_mul_wide_s;
      auto ext = [&](Value* v) {
        return is_signed ? b_.CreateSExt(v, i128) : b_.CreateZExt(v, i128);
      };
      Value* r = b_.CreateMul(ext(x), ext(y));
      push(b_.CreateTrunc(r, i64));
      return push(b_.CreateTrunc(b_.CreateLShr(r, 64), i64));
    }
    default: break;
  }

  // Unary operations.
  switch (op) {
    case Op::i32_eqz:
    case Op::i64_eqz: {
      Value* x = pop();
      return push(bool32(b_.CreateICmpEQ(x, llvm::ConstantInt::get(x->getType(), 0))));
    }
    case Op::i32_clz:
    case Op::i64_clz: return push(count(llvm::Intrinsic::ctlz, pop()));
    case Op::i32_ctz:
    case Op::i64_ctz: return push(count(llvm::Intrinsic::cttz, pop()));
    case Op::i32_popcnt:
    case Op::i64_popcnt: return push(unary_intr(llvm::Intrinsic::ctpop, pop()));
    case Op::f32_abs:
    case Op::f64_abs: return push(unary_intr(llvm::Intrinsic::fabs, pop()));
    case Op::f32_neg:
    case Op::f64_neg: return push(b_.CreateFNeg(pop()));
    case Op::f32_ceil:
    case Op::f64_ceil: return push(unary_intr(llvm::Intrinsic::ceil, pop()));
    case Op::f32_floor:
    case Op::f64_floor: return push(unary_intr(llvm::Intrinsic::floor, pop()));
    case Op::f32_trunc:
    case Op::f64_trunc: return push(unary_intr(llvm::Intrinsic::trunc, pop()));
    case Op::f32_nearest:
    case Op::f64_nearest: return push(unary_intr(llvm::Intrinsic::roundeven, pop()));
    case Op::f32_sqrt:
    case Op::f64_sqrt: return push(unary_intr(llvm::Intrinsic::sqrt, pop()));
    case Op::i32_wrap_i64: return push(b_.CreateTrunc(pop(), i32));
    case Op::i64_extend_i32_s: return push(b_.CreateSExt(pop(), i64));
    case Op::i64_extend_i32_u: return push(b_.CreateZExt(pop(), i64));
    case Op::i32_extend8_s: return push(b_.CreateSExt(b_.CreateTrunc(pop(), b_.getInt8Ty()), i32));
    case Op::i32_extend16_s:
      return push(b_.CreateSExt(b_.CreateTrunc(pop(), b_.getInt16Ty()), i32));
    case Op::i64_extend8_s: return push(b_.CreateSExt(b_.CreateTrunc(pop(), b_.getInt8Ty()), i64));
    case Op::i64_extend16_s:
      return push(b_.CreateSExt(b_.CreateTrunc(pop(), b_.getInt16Ty()), i64));
    case Op::i64_extend32_s: return push(b_.CreateSExt(b_.CreateTrunc(pop(), i32), i64));
    case Op::i32_trunc_f32_s:
    case Op::i32_trunc_f32_u:
    case Op::i32_trunc_f64_s:
    case Op::i32_trunc_f64_u:
    case Op::i64_trunc_f32_s:
    case Op::i64_trunc_f32_u:
    case Op::i64_trunc_f64_s:
    case Op::i64_trunc_f64_u: return push(trunc_checked(in, pop()));
    case Op::i32_trunc_sat_f32_s:
    case Op::i32_trunc_sat_f64_s:
    case Op::i32_trunc_sat_f32_u:
    case Op::i32_trunc_sat_f64_u:
    case Op::i64_trunc_sat_f32_s:
    case Op::i64_trunc_sat_f64_s:
    case Op::i64_trunc_sat_f32_u:
    case Op::i64_trunc_sat_f64_u: {
      // LLVM's saturating conversions are wasm's: NaN gives 0, the rest clamps.
      Value* x = pop();
      const bool to64 = op == Op::i64_trunc_sat_f32_s || op == Op::i64_trunc_sat_f64_s ||
                        op == Op::i64_trunc_sat_f32_u || op == Op::i64_trunc_sat_f64_u;
      const bool is_signed = op == Op::i32_trunc_sat_f32_s || op == Op::i32_trunc_sat_f64_s ||
                             op == Op::i64_trunc_sat_f32_s || op == Op::i64_trunc_sat_f64_s;
      return push(
          b_.CreateIntrinsic(is_signed ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat,
                             {to64 ? i64 : i32, x->getType()}, {x}));
    }
    case Op::f32_convert_i32_s:
    case Op::f32_convert_i64_s: return push(b_.CreateSIToFP(pop(), f32));
    case Op::f32_convert_i32_u:
    case Op::f32_convert_i64_u: return push(b_.CreateUIToFP(pop(), f32));
    case Op::f64_convert_i32_s:
    case Op::f64_convert_i64_s: return push(b_.CreateSIToFP(pop(), f64));
    case Op::f64_convert_i32_u:
    case Op::f64_convert_i64_u: return push(b_.CreateUIToFP(pop(), f64));
    case Op::f32_demote_f64: return push(b_.CreateFPTrunc(pop(), f32));
    case Op::f64_promote_f32:
      // Through an empty asm: LLVM folds demote(promote(x)) to x, which keeps a signalling NaN
      // signalling where wasm quiets it.
      return push(opaque(b_.CreateFPExt(pop(), f64)));
    case Op::i32_reinterpret_f32: return push(b_.CreateBitCast(pop(), i32));
    case Op::i64_reinterpret_f64: return push(b_.CreateBitCast(pop(), i64));
    case Op::f32_reinterpret_i32: return push(b_.CreateBitCast(pop(), f32));
    case Op::f64_reinterpret_i64: return push(b_.CreateBitCast(pop(), f64));
    default: break;
  }

  // Binary operations.
  Value* y = pop();
  Value* x = pop();
  llvm::Type* t = x->getType();
  auto zero = [&] { return llvm::ConstantInt::get(t, 0); };
  auto minus_one = [&] { return llvm::ConstantInt::getSigned(t, -1); };
  switch (op) {
    case Op::i32_eq:
    case Op::i64_eq: return push(bool32(b_.CreateICmpEQ(x, y)));
    case Op::i32_ne:
    case Op::i64_ne: return push(bool32(b_.CreateICmpNE(x, y)));
    case Op::i32_lt_s:
    case Op::i64_lt_s: return push(bool32(b_.CreateICmpSLT(x, y)));
    case Op::i32_lt_u:
    case Op::i64_lt_u: return push(bool32(b_.CreateICmpULT(x, y)));
    case Op::i32_gt_s:
    case Op::i64_gt_s: return push(bool32(b_.CreateICmpSGT(x, y)));
    case Op::i32_gt_u:
    case Op::i64_gt_u: return push(bool32(b_.CreateICmpUGT(x, y)));
    case Op::i32_le_s:
    case Op::i64_le_s: return push(bool32(b_.CreateICmpSLE(x, y)));
    case Op::i32_le_u:
    case Op::i64_le_u: return push(bool32(b_.CreateICmpULE(x, y)));
    case Op::i32_ge_s:
    case Op::i64_ge_s: return push(bool32(b_.CreateICmpSGE(x, y)));
    case Op::i32_ge_u:
    case Op::i64_ge_u: return push(bool32(b_.CreateICmpUGE(x, y)));
    case Op::f32_eq:
    case Op::f64_eq: return push(bool32(b_.CreateFCmpOEQ(x, y)));
    case Op::f32_ne:
    case Op::f64_ne: return push(bool32(b_.CreateFCmpUNE(x, y)));
    case Op::f32_lt:
    case Op::f64_lt: return push(bool32(b_.CreateFCmpOLT(x, y)));
    case Op::f32_gt:
    case Op::f64_gt: return push(bool32(b_.CreateFCmpOGT(x, y)));
    case Op::f32_le:
    case Op::f64_le: return push(bool32(b_.CreateFCmpOLE(x, y)));
    case Op::f32_ge:
    case Op::f64_ge: return push(bool32(b_.CreateFCmpOGE(x, y)));
    case Op::i32_add:
    case Op::i64_add: return push(b_.CreateAdd(x, y));
    case Op::i32_sub:
    case Op::i64_sub: return push(b_.CreateSub(x, y));
    case Op::i32_mul:
    case Op::i64_mul: return push(b_.CreateMul(x, y));
    case Op::i32_div_s:
    case Op::i64_div_s: {
      trap_if(b_.CreateICmpEQ(y, zero()), TrapKind::IntegerDivideByZero);
      const unsigned bits = t->getIntegerBitWidth();
      Value* min = llvm::ConstantInt::get(t, llvm::APInt::getSignedMinValue(bits));
      trap_if(b_.CreateAnd(b_.CreateICmpEQ(x, min), b_.CreateICmpEQ(y, minus_one())),
              TrapKind::IntegerOverflow);
      return push(b_.CreateSDiv(x, y));
    }
    case Op::i32_div_u:
    case Op::i64_div_u:
      trap_if(b_.CreateICmpEQ(y, zero()), TrapKind::IntegerDivideByZero);
      return push(b_.CreateUDiv(x, y));
    case Op::i32_rem_s:
    case Op::i64_rem_s: {
      trap_if(b_.CreateICmpEQ(y, zero()), TrapKind::IntegerDivideByZero);
      // x rem -1 is 0 (LLVM's srem of MIN by -1 is undefined): divide by 1 instead.
      Value* is_m1 = b_.CreateICmpEQ(y, minus_one());
      Value* safe = b_.CreateSelect(is_m1, llvm::ConstantInt::get(t, 1), y);
      return push(b_.CreateSelect(is_m1, zero(), b_.CreateSRem(x, safe)));
    }
    case Op::i32_rem_u:
    case Op::i64_rem_u:
      trap_if(b_.CreateICmpEQ(y, zero()), TrapKind::IntegerDivideByZero);
      return push(b_.CreateURem(x, y));
    case Op::i32_and:
    case Op::i64_and: return push(b_.CreateAnd(x, y));
    case Op::i32_or:
    case Op::i64_or: return push(b_.CreateOr(x, y));
    case Op::i32_xor:
    case Op::i64_xor: return push(b_.CreateXor(x, y));
    case Op::i32_shl:
    case Op::i64_shl: return push(b_.CreateShl(x, masked(y)));
    case Op::i32_shr_s:
    case Op::i64_shr_s: return push(b_.CreateAShr(x, masked(y)));
    case Op::i32_shr_u:
    case Op::i64_shr_u: return push(b_.CreateLShr(x, masked(y)));
    case Op::i32_rotl:
    case Op::i64_rotl: return push(b_.CreateIntrinsic(llvm::Intrinsic::fshl, {t}, {x, x, y}));
    case Op::i32_rotr:
    case Op::i64_rotr: return push(b_.CreateIntrinsic(llvm::Intrinsic::fshr, {t}, {x, x, y}));
    case Op::f32_add:
    case Op::f64_add: return push(b_.CreateFAdd(opaque_identity(x), opaque_identity(y)));
    case Op::f32_sub:
    case Op::f64_sub: return push(b_.CreateFSub(opaque_identity(x), opaque_identity(y)));
    case Op::f32_mul:
    case Op::f64_mul: return push(b_.CreateFMul(opaque_identity(x), opaque_identity(y)));
    case Op::f32_div:
    case Op::f64_div: return push(b_.CreateFDiv(opaque_identity(x), opaque_identity(y)));
    case Op::f32_min:
    case Op::f64_min:
    case Op::f32_max:
    case Op::f64_max: {
      // llvm.minimum/maximum pass a NaN operand through as it is; wasm's result is a quiet
      // NaN, which the hardware's add makes of any NaN operand.
      Value* m = binary_intr(op == Op::f32_min || op == Op::f64_min ? llvm::Intrinsic::minimum
                                                                    : llvm::Intrinsic::maximum,
                             x, y);
      return push(b_.CreateSelect(b_.CreateFCmpUNO(x, y), b_.CreateFAdd(x, y), m));
    }
    case Op::f32_copysign:
    case Op::f64_copysign: return push(binary_intr(llvm::Intrinsic::copysign, x, y));
    default: break;
  }
  // SupportScan admits nothing else.
  llvm_unreachable("an instruction SupportScan should have refused");
}

}  // namespace hull::native
