/* sleep: checks clocks and sleeping: clock_getres/clock_gettime on every clock, nanosleep and
 * poll timeouts measured against the monotonic clock, and poll readiness on stdin. Prints one
 * deterministic line per check ("ok ..." or "FAIL ...") and exits 1 if any check failed.
 * Modes: (none) clocks + sleeps; "no-cputime" the same without the CPU-time clocks (WASI 0.2
 * has none, so a preview 1 program run through the component adapter cannot read them);
 * "stdin" waits for stdin to become readable and echoes it; "stdin-timeout" expects stdin to
 * stay silent for 100 ms. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

static int64_t now_ns(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) return -1;
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check_res(clockid_t id, const char *name) {
  struct timespec ts;
  char what[96];
  snprintf(what, sizeof what, "clock_getres %s is in (0, 10ms]", name);
  int ok = clock_getres(id, &ts) == 0;
  int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  check(ok && ns > 0 && ns <= 10000000, what);
}

static void check_cpu_clock(clockid_t id, const char *name) {
  char what[96];
  snprintf(what, sizeof what, "%s advances while spinning", name);
  int64_t start = now_ns(id);
  volatile uint64_t sink = 0;
  int64_t wall_start = now_ns(CLOCK_MONOTONIC);
  /* Spin ~20 ms of wall time so even a coarse CPU clock ticks. */
  while (now_ns(CLOCK_MONOTONIC) - wall_start < 20000000)
    for (int i = 0; i < 1000; i++) sink += (uint64_t)i * 7;
  int64_t end = now_ns(id);
  check(start >= 0 && end > start, what);
}

static void check_sleeps(void) {
  int64_t t0 = now_ns(CLOCK_MONOTONIC);
  struct timespec req = {0, 40 * 1000000};
  int rc = nanosleep(&req, NULL);
  int64_t slept = now_ns(CLOCK_MONOTONIC) - t0;
  check(rc == 0 && slept >= 40000000 && slept < 5000000000LL, "nanosleep 40ms sleeps >= 40ms");

  t0 = now_ns(CLOCK_MONOTONIC);
  rc = poll(NULL, 0, 40);
  slept = now_ns(CLOCK_MONOTONIC) - t0;
  check(rc == 0 && slept >= 40000000 && slept < 5000000000LL, "poll timeout 40ms sleeps >= 40ms");

  t0 = now_ns(CLOCK_MONOTONIC);
  rc = usleep(30000);
  slept = now_ns(CLOCK_MONOTONIC) - t0;
  check(rc == 0 && slept >= 30000000, "usleep 30ms sleeps >= 30ms");

  t0 = now_ns(CLOCK_MONOTONIC);
  req.tv_nsec = 0;
  check(nanosleep(&req, NULL) == 0 && now_ns(CLOCK_MONOTONIC) - t0 < 1000000000,
        "nanosleep 0 returns at once");
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "stdin") == 0) {
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    int rc = poll(&p, 1, 10000);
    check(rc == 1 && (p.revents & (POLLIN | POLLHUP)), "poll says stdin is readable");
    char buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    check(n > 0, "read from stdin after poll");
    printf("stdin said: %s", buf);
    return failures ? 1 : 0;
  }
  if (strcmp(mode, "stdin-timeout") == 0) {
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    int64_t t0 = now_ns(CLOCK_MONOTONIC);
    int rc = poll(&p, 1, 100);
    int64_t waited = now_ns(CLOCK_MONOTONIC) - t0;
    check(rc == 0 && waited >= 100000000, "poll on silent stdin times out after 100ms");
    return failures ? 1 : 0;
  }

  check_res(CLOCK_REALTIME, "realtime");
  check_res(CLOCK_MONOTONIC, "monotonic");
  int64_t real = now_ns(CLOCK_REALTIME);
  check(real > 1577836800LL * 1000000000 && real < 4102444800LL * 1000000000,
        "realtime is between 2020 and 2100");
  check(labs((long)(time(NULL) - real / 1000000000)) <= 2, "time() agrees with realtime");
  int64_t prev = now_ns(CLOCK_MONOTONIC);
  int monotonic = prev >= 0;
  for (int i = 0; i < 10000 && monotonic; i++) {
    int64_t t = now_ns(CLOCK_MONOTONIC);
    monotonic = t >= prev;
    prev = t;
  }
  check(monotonic, "monotonic never goes backwards (10000 reads)");
  if (strcmp(mode, "no-cputime") != 0) {
    check_cpu_clock(CLOCK_PROCESS_CPUTIME_ID, "process cputime");
    check_cpu_clock(CLOCK_THREAD_CPUTIME_ID, "thread cputime");
  }
  check_sleeps();
  printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
