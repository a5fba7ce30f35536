// setjmp/longjmp exercised the ways C programs use them: error escapes out of deep recursion,
// nested and re-armed jump buffers, a longjmp that passes through a frame with its own setjmp,
// longjmp(env, 0) reading as 1, and locals (volatile) that must survive the jump. Built natively
// and for wasm32-wasi (clang's Wasm SjLj lowering on exception handling); outputs must match.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf top;
static int depth_reached;

static void recurse(int n, int limit) {
  depth_reached = n;
  if (n > limit) return;  // not taken: the jump below leaves first
  if (n == limit) longjmp(top, n);
  recurse(n + 1, limit);
  puts("unreachable: recurse returned");
}

// A frame with its own setjmp that the jump to an outer buffer must pass through untouched.
static jmp_buf outer;
static int middle_calls;
static void inner_thrower(int code) { longjmp(outer, code); }
static int middle(int code) {
  jmp_buf local;
  middle_calls++;
  int r = setjmp(local);
  if (r != 0) {
    printf("middle: caught its own jump %d\n", r);
    return -r;
  }
  if (code == 0) longjmp(local, 5);  // handled right here
  inner_thrower(code);               // goes past this frame to `outer`
  return 0;
}

static void call_middle(int code) {
  int got = setjmp(outer);
  if (got == 0) {
    int m = middle(code);
    printf("middle(%d) returned %d\n", code, m);
  } else {
    printf("outer: caught %d from middle(%d)\n", got, code);
  }
}

// A simple parser that reports errors by longjmp, as many C libraries do.
struct parser {
  const char* p;
  jmp_buf err;
  char msg[64];
};
static void fail(struct parser* ps, const char* what) {
  snprintf(ps->msg, sizeof ps->msg, "%s at '%s'", what, ps->p);
  longjmp(ps->err, 1);
}
static long expr(struct parser* ps);
static long atom(struct parser* ps) {
  if (*ps->p == '(') {
    ps->p++;
    long v = expr(ps);
    if (*ps->p != ')') fail(ps, "expected )");
    ps->p++;
    return v;
  }
  if (*ps->p < '0' || *ps->p > '9') fail(ps, "expected digit");
  long v = 0;
  while (*ps->p >= '0' && *ps->p <= '9') v = v * 10 + (*ps->p++ - '0');
  return v;
}
static long term(struct parser* ps) {
  long v = atom(ps);
  while (*ps->p == '*' || *ps->p == '/') {
    char op = *ps->p++;
    long r = atom(ps);
    if (op == '/' && r == 0) fail(ps, "division by zero");
    v = op == '*' ? v * r : v / r;
  }
  return v;
}
static long expr(struct parser* ps) {
  long v = term(ps);
  while (*ps->p == '+' || *ps->p == '-') {
    char op = *ps->p++;
    long r = term(ps);
    v = op == '+' ? v + r : v - r;
  }
  return v;
}
static void evaluate(const char* text) {
  struct parser ps = {.p = text};
  if (setjmp(ps.err) == 0) {
    long v = expr(&ps);
    if (*ps.p != '\0') fail(&ps, "trailing input");
    printf("%s = %ld\n", text, v);
  } else {
    printf("%s: error: %s\n", text, ps.msg);
  }
}

int main(int argc, char** argv) {
  (void)argv;
  // 1. Out of a deep recursion; the value comes back from setjmp.
  volatile int attempts = 0;
  int r = setjmp(top);
  attempts++;
  if (r == 0) {
    recurse(0, 1000);
  } else {
    printf("recursion: longjmp value %d, depth %d, attempts %d\n", r, depth_reached, attempts);
  }

  // 2. longjmp(env, 0) makes setjmp return 1.
  jmp_buf zero;
  volatile int rounds = 0;
  if ((r = setjmp(zero)) == 0) {
    rounds++;
    longjmp(zero, 0);
  }
  printf("longjmp 0: setjmp returned %d after %d round(s)\n", r, rounds);

  // 3. Re-arming the same buffer in a loop: each iteration jumps back once.
  jmp_buf loop;
  volatile int i = 0;
  volatile long sum = 0;
  r = setjmp(loop);
  sum += r;
  if (i < 10) {
    i++;
    longjmp(loop, i * 3);
  }
  printf("loop: %d jumps, sum of values %ld\n", i, sum);

  // 4. Jumps that a frame with its own setjmp handles, and ones that pass it by.
  for (int code = 0; code < 3; code++) call_middle(code);
  printf("middle called %d times\n", middle_calls);

  // 5. An error-reporting parser.
  const char* inputs[] = {"1+2*3", "(4+5)*(6-1)", "7/(3-3)", "2*(3+", "12x", "((((42))))"};
  for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) evaluate(inputs[k]);

  // 6. Many setjmp/longjmp pairs: the runtime must not leak or slow down per jump.
  jmp_buf many;
  volatile unsigned long long acc = 0;  // 64-bit on both sides (long is 32-bit on wasm32)
  volatile int n = 0;
  r = setjmp(many);
  acc = acc * 31 + (unsigned)r;
  if (++n < 100000) longjmp(many, n);
  printf("many: %d jumps, checksum %llu\n", n, acc);

  // The exit code travels too: 3 when called with an argument.
  return argc > 1 ? 3 : 0;
}
