// 128-bit SIMD kernels written with clang vector extensions: wasm simd128 under -msimd128,
// SSE natively. f32x4 multiply-add, i32x4 mixing, i8x16 saturating-style byte blending.
#include "bench.h"

typedef float f32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint8_t u8x8 __attribute__((vector_size(8)));

#define N 4096  // elements of f32/u32 (16 KiB per array: stays in cache)
static f32x4 xs[N / 4], ys[N / 4];
static u32x4 us[N / 4];
static u8x16 pa[N / 4], pb[N / 4];

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(700000, scale);
  for (int i = 0; i < N / 4; ++i) {
    for (int l = 0; l < 4; ++l) {
      xs[i][l] = (float)((i * 4 + l) % 97) * 0.01f;
      ys[i][l] = 1.0f;
      us[i][l] = (uint32_t)(i * 4 + l) * 2654435761u;
    }
    for (int l = 0; l < 16; ++l) {
      pa[i][l] = (uint8_t)(i * 16 + l);
      pb[i][l] = (uint8_t)(i * 7 + l * 3);
    }
  }
  const float af = (float)bench_opaque(3) * 0.25f;
  const f32x4 a = {af, af, af, af};
  const f32x4 damp = {0.5f, 0.5f, 0.5f, 0.5f};
  u32x4 acc = {0, 0, 0, 0};
  for (int32_t r = 0; r < reps; ++r) {
    for (int i = 0; i < N / 4; ++i) {
      f32x4 y = ys[i] * damp + a * xs[i];
      ys[i] = y;
      u32x4 u = us[i];
      u = (u ^ (u >> 7)) * 0x9e3779b1u + (u32x4)(y > a);
      us[i] = u;
      acc += u;
      // Byte blend: average of two "pixel" vectors, widened to 16 bits to avoid overflow.
      u16x8 lo = __builtin_convertvector(__builtin_shufflevector(pa[i], pa[i], 0, 1, 2, 3, 4, 5, 6, 7), u16x8) +
                 __builtin_convertvector(__builtin_shufflevector(pb[i], pb[i], 0, 1, 2, 3, 4, 5, 6, 7), u16x8);
      u16x8 hi = __builtin_convertvector(__builtin_shufflevector(pa[i], pa[i], 8, 9, 10, 11, 12, 13, 14, 15), u16x8) +
                 __builtin_convertvector(__builtin_shufflevector(pb[i], pb[i], 8, 9, 10, 11, 12, 13, 14, 15), u16x8);
      lo >>= 1;
      hi >>= 1;
      u8x16 avg = __builtin_shufflevector(__builtin_convertvector(lo, u8x8),
                                          __builtin_convertvector(hi, u8x8),
                                          0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
      pa[i] = avg ^ (u8x16)(u32x4){(uint32_t)r, 0, 0, 0};
    }
  }
  float fs = 0;
  for (int i = 0; i < N / 4; ++i) fs += ys[i][0] + ys[i][1] + ys[i][2] + ys[i][3];
  uint32_t check = acc[0] ^ acc[1] ^ acc[2] ^ acc[3];
  for (int i = 0; i < N / 4; ++i) check = check * 31 + pa[i][i & 15];
  return (check + (uint32_t)(int32_t)(fs * 16.0f)) & 0x7fffffff;
}
