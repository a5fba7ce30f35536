// String-keyed hash map: malloc/free, string formatting by hand, hashing, memcmp, probing.
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct {
  char* key;
  uint32_t len;
  uint32_t hash;
  uint32_t value;
} Slot;

static uint32_t fnv1a(const char* s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; ++i) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

// Writes "key-<decimal>-<hex>" into out; returns its length.
static uint32_t make_key(char* out, uint32_t v) {
  static const char hex[] = "0123456789abcdef";
  char tmp[16];
  uint32_t n = 0, t = 0;
  memcpy(out, "key-", 4);
  n = 4;
  uint32_t d = v;
  do { tmp[t++] = (char)('0' + d % 10); d /= 10; } while (d);
  while (t) out[n++] = tmp[--t];
  out[n++] = '-';
  for (int s = 28; s >= 0; s -= 4) out[n++] = hex[(v * 2654435761u >> s) & 15];
  out[n] = 0;
  return n;
}

// Returns the slot of key (an empty slot if absent); cap is a power of two.
static Slot* find(Slot* table, uint32_t cap, const char* key, uint32_t len, uint32_t h) {
  uint32_t i = h & (cap - 1);
  for (;;) {
    Slot* s = &table[i];
    if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)) return s;
    i = (i + 1) & (cap - 1);
  }
}

static uint32_t round_trip(uint32_t count, uint32_t seed) {
  uint32_t cap = 1;
  while (cap < count * 2) cap <<= 1;
  Slot* table = calloc(cap, sizeof(Slot));
  char key[48];
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t v = (i * 7919u + seed) % (count + count / 2);  // some duplicates
    uint32_t len = make_key(key, v);
    uint32_t h = fnv1a(key, len);
    Slot* s = find(table, cap, key, len, h);
    if (s->key) {
      s->value += 1;
    } else {
      s->key = malloc(len + 1);
      memcpy(s->key, key, len + 1);
      s->len = len;
      s->hash = h;
      s->value = 1;
    }
  }
  uint32_t check = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = make_key(key, i);
    Slot* s = find(table, cap, key, len, fnv1a(key, len));
    if (s->key) check = check * 33 + s->value + (uint32_t)strlen(s->key);
  }
  for (uint32_t i = 0; i < cap; ++i) free(table[i].key);
  free(table);
  return check;
}

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(8, scale);
  uint32_t check = 0;
  for (int32_t r = 0; r < reps; ++r) check = check * 7 + round_trip(200000, bench_opaque(r));
  return check & 0x7fffffff;
}
