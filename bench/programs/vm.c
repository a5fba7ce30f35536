// A register bytecode VM: the switch-dispatch loop typical of interpreters written in C
// (indirect branch via br_table, operand decoding from memory).
#include "bench.h"

enum { OP_LOADI, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_SHR, OP_AND, OP_ADDI, OP_JLT, OP_JMP,
       OP_MOV, OP_HALT };

typedef struct {
  uint8_t op, a, b, c;
  int32_t imm;
} Insn;

static uint32_t execute(const Insn* code, uint32_t* r) {
  const Insn* pc = code;
  for (;;) {
    const Insn* in = pc++;
    switch (in->op) {
      case OP_LOADI: r[in->a] = (uint32_t)in->imm; break;
      case OP_ADD: r[in->a] = r[in->b] + r[in->c]; break;
      case OP_SUB: r[in->a] = r[in->b] - r[in->c]; break;
      case OP_MUL: r[in->a] = r[in->b] * r[in->c]; break;
      case OP_XOR: r[in->a] = r[in->b] ^ r[in->c]; break;
      case OP_SHR: r[in->a] = r[in->b] >> (r[in->c] & 31); break;
      case OP_AND: r[in->a] = r[in->b] & r[in->c]; break;
      case OP_ADDI: r[in->a] = r[in->b] + (uint32_t)in->imm; break;
      case OP_JLT: if (r[in->a] < r[in->b]) pc = code + in->imm; break;
      case OP_JMP: pc = code + in->imm; break;
      case OP_MOV: r[in->a] = r[in->b]; break;
      case OP_HALT: return r[in->a];
      default: return 0;
    }
  }
}

uint32_t bench_run(int32_t scale) {
  // r0 = i, r1 = n, r2 = acc, r3 = 31, r4 = 3, r5 = tmp, r6 = mask, r7 = tmp2
  int32_t n = bench_reps(100000000, scale);
  Insn prog[] = {
      {OP_LOADI, 0, 0, 0, 0},            // 0: i = 0
      {OP_LOADI, 1, 0, 0, n},            // 1: n
      {OP_LOADI, 2, 0, 0, 1},            // 2: acc = 1
      {OP_LOADI, 3, 0, 0, 31},           // 3
      {OP_LOADI, 4, 0, 0, 3},            // 4
      {OP_LOADI, 6, 0, 0, 0xffff},       // 5
      {OP_MUL, 5, 2, 3, 0},              // 6: loop: tmp = acc * 31
      {OP_ADD, 5, 5, 0, 0},              // 7: tmp += i
      {OP_SHR, 7, 2, 4, 0},              // 8: tmp2 = acc >> 3
      {OP_XOR, 2, 5, 7, 0},              // 9: acc = tmp ^ tmp2
      {OP_AND, 7, 0, 6, 0},              // 10: tmp2 = i & 0xffff
      {OP_SUB, 2, 2, 7, 0},              // 11: acc -= tmp2
      {OP_MOV, 5, 2, 0, 0},              // 12
      {OP_ADDI, 0, 0, 0, 1},             // 13: ++i
      {OP_JLT, 0, 1, 0, 6},              // 14: if i < n goto loop
      {OP_HALT, 2, 0, 0, 0},             // 15
  };
  uint32_t regs[8] = {0};
  prog[3].imm = (int32_t)bench_opaque(31);
  return execute(prog, regs) & 0x7fffffff;
}
