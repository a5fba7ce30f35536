/* escape: tries every way out of a WASI sandbox and prints one line per attempt; exits 1 if ANY
 * attempt escaped, 2 if a sanity check failed (the sandbox is not set up as expected, so the
 * run proves nothing), 0 otherwise. Run it only under a WASI host (natively it can escape).
 *
 * Usage: escape SECRET_ABS OUTSIDE_ABS
 *   SECRET_ABS  absolute host path of a file outside every preopen (contents "SECRET...")
 *   OUTSIDE_ABS absolute host path of a directory outside every preopen holding secret2.txt
 * Expected preopens: the sandbox directory as "/" (read-write) and a read-only directory as
 * "/ro" holding ro.txt ("readonly") and rosub/. The sandbox holds (made by the test script):
 *   file.txt ("inside"), movable.txt, inside_link -> file.txt, sub/up -> .., sub/upup -> ../..,
 *   sub/chain3 -> ../../secret.txt, link_abs -> SECRET_ABS, link_rel -> ../secret.txt,
 *   link_dir_rel -> ../outside, link_dir_abs -> OUTSIDE_ABS, chain1 -> chain2 -> sub/chain3,
 *   loop1 -> loop2 -> loop1, selfloop -> selfloop, dangling_rel -> ../created_via_dangling.txt,
 *   dangling_abs -> <outside>/created_via_dangling.txt (both targets absent). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

static int attempts, escapes, sanity_failures;
static const char *secret_abs, *outside_abs;

/* Records one attempt; `succeeded` means the guest got through the boundary. */
static void report(int succeeded, const char *what, int err) {
  attempts++;
  if (succeeded) {
    escapes++;
    printf("ESCAPED: %s\n", what);
  } else {
    printf("blocked: %s (%s)\n", what, strerror(err));
  }
}

static void sanity(int ok, const char *what) {
  if (!ok) {
    sanity_failures++;
    printf("SANITY FAILURE: %s (%s)\n", what, strerror(errno));
  }
}

/* Reads up to n-1 bytes of path into buf; returns -1 when it cannot be opened. */
static int slurp(const char *path, char *buf, size_t n) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t got = read(fd, buf, n - 1);
  close(fd);
  buf[got > 0 ? got : 0] = '\0';
  return got < 0 ? -1 : 0;
}

static void try_open(const char *path, int flags, const char *why) {
  char what[512];
  char fl[64];
  snprintf(fl, sizeof fl, "%s%s%s%s", (flags & O_ACCMODE) == O_RDONLY ? "O_RDONLY"
           : (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDWR", (flags & O_CREAT) ? "|O_CREAT" : "",
           (flags & O_TRUNC) ? "|O_TRUNC" : "", (flags & O_APPEND) ? "|O_APPEND" : "");
  snprintf(what, sizeof what, "open(\"%s\", %s) %s", path, fl, why);
  errno = 0;
  int fd = open(path, flags, 0644);
  int err = errno;
  if (fd >= 0) {
    if ((flags & O_ACCMODE) != O_RDONLY) {
      /* Say whether the descriptor can really write, to tell a loose open from a real leak. */
      errno = 0;
      ssize_t n = write(fd, "X", 1);
      snprintf(what + strlen(what), sizeof what - strlen(what), " [open succeeded; a write then %s]",
               n == 1 ? "SUCCEEDED" : strerror(errno));
    }
    close(fd);
  }
  report(fd >= 0, what, err);
}

static void try_opendir(const char *path, const char *why) {
  char what[512];
  snprintf(what, sizeof what, "opendir(\"%s\") %s", path, why);
  errno = 0;
  DIR *d = opendir(path);
  int err = errno;
  if (d) {
    while (readdir(d) != NULL) continue; /* reading the entries is the leak */
    closedir(d);
  }
  report(d != NULL, what, err);
}

static void try_stat(const char *path, const char *why) {
  char what[512];
  snprintf(what, sizeof what, "stat(\"%s\") %s", path, why);
  struct stat st;
  errno = 0;
  int rc = stat(path, &st);
  report(rc == 0, what, errno);
}

/* Generic: `rc` is the return of a call that must fail (0 or more means it succeeded). */
static void try_rc(int rc, const char *what) { report(rc >= 0, what, errno); }

#define TRY(call, what) do { errno = 0; int rc_ = (call); try_rc(rc_, what); } while (0)

static void sanity_checks(void) {
  char buf[64];
  sanity(slurp("file.txt", buf, sizeof buf) == 0 && strcmp(buf, "inside") == 0,
         "read file.txt inside the sandbox");
  sanity(slurp("/file.txt", buf, sizeof buf) == 0 && strcmp(buf, "inside") == 0,
         "read /file.txt inside the sandbox");
  sanity(slurp("inside_link", buf, sizeof buf) == 0 && strcmp(buf, "inside") == 0,
         "follow a symlink that stays inside");
  sanity(slurp("sub/up/file.txt", buf, sizeof buf) == 0 && strcmp(buf, "inside") == 0,
         "follow sub/up -> .. that stays inside");
  sanity(slurp("sub/../file.txt", buf, sizeof buf) == 0 && strcmp(buf, "inside") == 0,
         "resolve sub/../file.txt that stays inside");
  sanity(slurp("/ro/ro.txt", buf, sizeof buf) == 0 && strcmp(buf, "readonly") == 0,
         "read /ro/ro.txt from the read-only preopen");
  char target[256];
  ssize_t n = readlink("link_rel", target, sizeof target);
  sanity(n == (ssize_t)strlen("../secret.txt") && memcmp(target, "../secret.txt", (size_t)n) == 0,
         "readlink link_rel (reading the link itself is allowed)");
  int fd = open("scratch.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  sanity(fd >= 0 && write(fd, "x", 1) == 1, "create and write scratch.txt in the sandbox");
  if (fd >= 0) close(fd);
  sanity(unlink("scratch.txt") == 0, "unlink scratch.txt in the sandbox");
  struct stat st;
  sanity(lstat("link_abs", &st) == 0 && S_ISLNK(st.st_mode), "lstat link_abs sees a symlink");
}

static void dot_dot_and_absolute(void) {
  try_open("../secret.txt", O_RDONLY, "climbs with ..");
  try_open("./../secret.txt", O_RDONLY, "climbs with ./..");
  try_open("sub/../../secret.txt", O_RDONLY, "climbs with sub/../..");
  try_open("sub/../sub/../../secret.txt", O_RDONLY, "climbs with a longer .. chain");
  try_open("/../secret.txt", O_RDONLY, "climbs above / with ..");
  try_open("../sandbox/file.txt", O_RDONLY, "leaves and re-enters the sandbox");
  try_open(secret_abs, O_RDONLY, "uses the host's absolute path");
  try_open("/ro/../secret.txt", O_RDONLY, "climbs out of the read-only preopen");
  try_open("/ro/../sandbox/file.txt", O_RDONLY, "goes from /ro to the sandbox through the host");
  try_opendir("..", "lists the parent of the preopen");
  try_opendir("/..", "lists the parent of /");
  try_opendir("/ro/..", "lists the parent of /ro");
  try_stat("../secret.txt", "stats a file outside");
}

static void symlinks(void) {
  try_open("link_abs", O_RDONLY, "follows an absolute symlink out");
  try_open("link_rel", O_RDONLY, "follows a relative symlink out");
  try_open("chain1", O_RDONLY, "follows a chain of symlinks out");
  try_open("sub/chain3", O_RDONLY, "follows a symlink with .. out");
  try_open("link_dir_rel/secret2.txt", O_RDONLY, "a relative dir symlink in the middle of a path");
  try_open("link_dir_abs/secret2.txt", O_RDONLY, "an absolute dir symlink in the middle of a path");
  try_open("link_dir_rel/../secret.txt", O_RDONLY, "a dir symlink followed by ..");
  try_open("sub/upup/secret.txt", O_RDONLY, "sub/upup -> ../.. in the middle of a path");
  try_open("sub/up/../secret.txt", O_RDONLY, "sub/up -> .. then .. again");
  try_open("sub/up/sub/up/../secret.txt", O_RDONLY, "repeated inside symlinks then ..");
  try_opendir("link_dir_rel", "lists a directory outside through a relative symlink");
  try_opendir("link_dir_abs", "lists a directory outside through an absolute symlink");
  try_opendir("sub/upup", "lists the sandbox's parent through a symlink");
  try_stat("link_rel", "stats a file outside through a symlink");
  try_stat("link_dir_abs/secret2.txt", "stats through an absolute dir symlink");
  try_open("loop1", O_RDONLY, "symlink loop loop1 -> loop2 -> loop1");
  try_open("selfloop", O_RDONLY, "symlink pointing at itself");
  try_open("loop1/x", O_RDONLY, "symlink loop in the middle of a path");
  try_open("loop1", O_WRONLY | O_CREAT, "creates through a symlink loop");
  try_stat("loop1", "stats through a symlink loop");

  /* A symlink the guest makes itself must not work as a way out either. */
  int made = symlink(secret_abs, "guest_abs_link");
  try_open("guest_abs_link", O_RDONLY, "follows a guest-made absolute symlink");
  if (made == 0) unlink("guest_abs_link");
  made = symlink("../secret.txt", "guest_rel_link");
  try_open("guest_rel_link", O_RDONLY, "follows a guest-made relative symlink");
  if (made == 0) unlink("guest_rel_link");
  made = symlink("../outside", "sub/guest_dir_link");
  try_open("sub/guest_dir_link/secret2.txt", O_RDONLY, "guest-made dir symlink in a path");
  if (made == 0) unlink("sub/guest_dir_link");
}

static void writes_outside(void) {
  /* O_CREAT follows a dangling symlink and would create its target: outside, here. */
  try_open("dangling_rel", O_WRONLY | O_CREAT, "creates the target of a dangling relative symlink");
  try_open("dangling_abs", O_WRONLY | O_CREAT, "creates the target of a dangling absolute symlink");
  try_open("dangling_rel", O_RDONLY | O_CREAT, "O_RDONLY|O_CREAT through a dangling symlink");
  try_open("../created.txt", O_WRONLY | O_CREAT, "creates a file outside");
  try_open("link_dir_rel/created.txt", O_WRONLY | O_CREAT, "creates through a dir symlink");
  try_open("link_dir_abs/created.txt", O_WRONLY | O_CREAT, "creates through an abs dir symlink");
  try_open("link_rel", O_WRONLY | O_TRUNC, "truncates a file outside through a symlink");
  try_open("link_rel", O_WRONLY | O_APPEND, "appends to a file outside through a symlink");
  try_open("chain1", O_RDWR, "opens read-write through a symlink chain");
  TRY(mkdir("../newdir", 0755), "mkdir(\"../newdir\") outside");
  TRY(mkdir("link_dir_rel/newdir", 0755), "mkdir through a dir symlink");
  TRY(mkdir("sub/upup/newdir", 0755), "mkdir through sub/upup");
  TRY(unlink("../secret.txt"), "unlink(\"../secret.txt\") outside");
  TRY(unlink("link_dir_rel/secret2.txt"), "unlink through a dir symlink");
  TRY(unlink("link_dir_abs/secret2.txt"), "unlink through an absolute dir symlink");
  TRY(rmdir("../outside"), "rmdir(\"../outside\") outside");
  TRY(truncate("link_rel", 0), "truncate(\"link_rel\") through a symlink");
  TRY(truncate("../secret.txt", 0), "truncate(\"../secret.txt\")");
  struct timespec times[2] = {{1, 0}, {1, 0}};
  TRY(utimensat(AT_FDCWD, "link_rel", times, 0), "utimensat through a symlink");
  TRY(utimensat(AT_FDCWD, "../secret.txt", times, 0), "utimensat(\"../secret.txt\")");
  TRY(symlink("x", "../newlink"), "symlink created outside");
  TRY(symlink("x", "link_dir_rel/newlink"), "symlink created through a dir symlink");
}

/* A directory descriptor is a capability of its own: paths under it stay beneath it. */
static void directory_fds(void) {
  int sub = open("sub", O_RDONLY | O_DIRECTORY);
  sanity(sub >= 0, "open sub as a directory");
  if (sub < 0) return;
  errno = 0;
  int fd = openat(sub, "../../secret.txt", O_RDONLY);
  report(fd >= 0, "openat(sub fd, \"../../secret.txt\")", errno);
  if (fd >= 0) close(fd);
  errno = 0;
  fd = openat(sub, "upup/secret.txt", O_RDONLY);
  report(fd >= 0, "openat(sub fd, \"upup/secret.txt\") through a symlink", errno);
  if (fd >= 0) close(fd);
  errno = 0;
  fd = openat(sub, "chain3", O_RDONLY);
  report(fd >= 0, "openat(sub fd, \"chain3\") through a symlink with ..", errno);
  if (fd >= 0) close(fd);
  TRY(mkdirat(sub, "../../dirfd_made", 0755), "mkdirat(sub fd, \"../../dirfd_made\")");
  close(sub);
}

static void hard_links(void) {
  TRY(link("../secret.txt", "hl_in"), "link(\"../secret.txt\", \"hl_in\") pulls a file in");
  TRY(link("file.txt", "../hl_out"), "link(\"file.txt\", \"../hl_out\") pushes a link out");
  TRY(link("link_dir_rel/secret2.txt", "hl_dir"), "link through a dir symlink");
  TRY(link("file.txt", "link_dir_abs/hl_out"), "link out through an absolute dir symlink");
  TRY(linkat(AT_FDCWD, "link_rel", AT_FDCWD, "hl_follow", AT_SYMLINK_FOLLOW),
      "linkat(AT_SYMLINK_FOLLOW) of a symlink pointing out");
  /* Linking the symlink itself is fine; the copy must still not lead out. */
  int made = link("link_rel", "hl_symlink");
  try_open("hl_symlink", O_RDONLY, "follows a hard link to an outward symlink");
  if (made == 0) unlink("hl_symlink");
  TRY(link("/ro/ro.txt", "hl_from_ro"), "link from the read-only preopen into the sandbox");
  TRY(link("file.txt", "/ro/hl_into_ro"), "link into the read-only preopen");
}

static void renames(void) {
  TRY(rename("movable.txt", "../moved.txt"), "rename a file out with ..");
  TRY(rename("../secret.txt", "stolen.txt"), "rename a file in with ..");
  TRY(rename("movable.txt", "link_dir_rel/moved.txt"), "rename out through a dir symlink");
  TRY(rename("link_dir_abs/secret2.txt", "stolen2.txt"), "rename in through a dir symlink");
  TRY(rename("sub", "../subdir_moved"), "rename a directory out");
  TRY(rename("/ro/ro.txt", "stolen_ro.txt"), "rename out of the read-only preopen");
  TRY(rename("movable.txt", "/ro/moved.txt"), "rename into the read-only preopen");
}

static void read_only_preopen(void) {
  try_open("/ro/ro.txt", O_WRONLY, "writes a file in the read-only preopen");
  try_open("/ro/ro.txt", O_RDWR, "opens read-write in the read-only preopen");
  try_open("/ro/ro.txt", O_WRONLY | O_TRUNC, "truncates in the read-only preopen");
  try_open("/ro/ro.txt", O_WRONLY | O_APPEND, "appends in the read-only preopen");
  try_open("/ro/new.txt", O_WRONLY | O_CREAT, "creates a file in the read-only preopen");
  try_open("/ro/new.txt", O_RDONLY | O_CREAT, "creates (O_RDONLY|O_CREAT) in the read-only preopen");
  try_open("/ro/rosub/new.txt", O_WRONLY | O_CREAT, "creates in a subdir of the read-only preopen");
  TRY(mkdir("/ro/newdir", 0755), "mkdir in the read-only preopen");
  TRY(unlink("/ro/ro.txt"), "unlink in the read-only preopen");
  TRY(rmdir("/ro/rosub"), "rmdir in the read-only preopen");
  TRY(rename("/ro/ro.txt", "/ro/renamed.txt"), "rename inside the read-only preopen");
  TRY(symlink("ro.txt", "/ro/newlink"), "symlink in the read-only preopen");
  TRY(link("/ro/ro.txt", "/ro/hardlink"), "hard link inside the read-only preopen");
  TRY(truncate("/ro/ro.txt", 0), "truncate in the read-only preopen");
  struct timespec times[2] = {{1, 0}, {1, 0}};
  TRY(utimensat(AT_FDCWD, "/ro/ro.txt", times, 0), "utimensat in the read-only preopen");

  int fd = open("/ro/ro.txt", O_RDONLY);
  sanity(fd >= 0, "open /ro/ro.txt read-only");
  if (fd >= 0) {
    TRY((int)write(fd, "x", 1), "write() on a read-only fd from the read-only preopen");
    TRY((int)pwrite(fd, "x", 1, 0), "pwrite() on a read-only fd from the read-only preopen");
    TRY(ftruncate(fd, 0), "ftruncate() on a read-only fd from the read-only preopen");
    TRY(futimens(fd, times), "futimens() on a file in the read-only preopen");
    close(fd);
  }
  int dfd = open("/ro/rosub", O_RDONLY | O_DIRECTORY);
  sanity(dfd >= 0, "open /ro/rosub as a directory");
  if (dfd >= 0) {
    int f = openat(dfd, "x", O_WRONLY | O_CREAT, 0644);
    report(f >= 0, "openat(O_CREAT) under a directory fd from the read-only preopen", errno);
    if (f >= 0) close(f);
    TRY(mkdirat(dfd, "d", 0755), "mkdirat under a directory fd from the read-only preopen");
    close(dfd);
  }
}

#ifdef __wasi__
/* Finds the preopened fd whose guest name is `name`, or -1. */
static int find_preopen(const char *name) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
    char buf[256];
    size_t len = ps.u.dir.pr_name_len;
    if (len >= sizeof buf || __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != 0) continue;
    buf[len] = '\0';
    if (strcmp(buf, name) == 0) return (int)fd;
  }
  return -1;
}

static const __wasi_rights_t kAllRights = (__wasi_rights_t)0x1fffffff;

/* Raw path_open (no wasi-libc path handling in between); returns the errno, 0 on success. */
static __wasi_errno_t raw_open(int dirfd, __wasi_lookupflags_t lookup, const char *path,
                               __wasi_oflags_t oflags, __wasi_rights_t rights, __wasi_fd_t *out) {
  __wasi_errno_t e = __wasi_path_open((__wasi_fd_t)dirfd, lookup, path, oflags, rights,
                                      kAllRights, 0, out);
  return e;
}

static void raw_try_open(int dirfd, __wasi_lookupflags_t lookup, const char *path,
                         __wasi_oflags_t oflags, __wasi_rights_t rights, const char *why) {
  __wasi_fd_t fd;
  __wasi_errno_t e = raw_open(dirfd, lookup, path, oflags, rights, &fd);
  char what[512];
  snprintf(what, sizeof what, "raw path_open(\"%s\") %s", path, why);
  if (e == 0) (void)__wasi_fd_close(fd);
  report(e == 0, what, e);
}

static void raw_wasi_calls(void) {
  int root = find_preopen("/"), ro = find_preopen("/ro");
  sanity(root >= 0, "preopen \"/\" exists");
  sanity(ro >= 0, "preopen \"/ro\" exists");
  if (root < 0 || ro < 0) return;
  const __wasi_lookupflags_t follow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  const __wasi_rights_t rd = __WASI_RIGHTS_FD_READ, wr = __WASI_RIGHTS_FD_WRITE;
  raw_try_open(root, follow, "../secret.txt", 0, rd, "with ..");
  raw_try_open(root, follow, secret_abs, 0, rd, "with the host's absolute path");
  raw_try_open(root, follow, "/", __WASI_OFLAGS_DIRECTORY, rd, "of the absolute path /");
  raw_try_open(root, follow, "..", __WASI_OFLAGS_DIRECTORY, rd, "of the parent directory");
  raw_try_open(root, follow, "sub/../..", __WASI_OFLAGS_DIRECTORY, rd, "sub/../..");
  raw_try_open(root, follow, "link_abs", 0, rd, "through an absolute symlink");
  raw_try_open(root, follow, "link_dir_rel/secret2.txt", 0, rd, "through a dir symlink");
  raw_try_open(root, follow, "sub/upup", __WASI_OFLAGS_DIRECTORY, rd, "of sub/upup");
  raw_try_open(root, 0, "link_dir_abs/secret2.txt", 0, rd, "(nofollow) via a dir symlink");
  raw_try_open(root, follow, "../created_raw.txt", __WASI_OFLAGS_CREAT, wr, "creating outside");

  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get((__wasi_fd_t)root, follow, "link_dir_abs/secret2.txt", &st);
  report(e == 0, "raw path_filestat_get through an absolute dir symlink", e);
  e = __wasi_path_filestat_get((__wasi_fd_t)root, 0, "../secret.txt", &st);
  report(e == 0, "raw path_filestat_get(\"../secret.txt\")", e);
  e = __wasi_path_create_directory((__wasi_fd_t)root, "../rawdir");
  report(e == 0, "raw path_create_directory(\"../rawdir\")", e);
  e = __wasi_path_link((__wasi_fd_t)root, follow, "link_rel", (__wasi_fd_t)root, "raw_hl");
  report(e == 0, "raw path_link(follow) of a symlink pointing out", e);
  e = __wasi_path_rename((__wasi_fd_t)root, "movable.txt", (__wasi_fd_t)ro, "raw_moved");
  report(e == 0, "raw path_rename into the read-only preopen", e);
  e = __wasi_path_rename((__wasi_fd_t)ro, "ro.txt", (__wasi_fd_t)root, "raw_stolen");
  report(e == 0, "raw path_rename out of the read-only preopen", e);
  e = __wasi_path_link((__wasi_fd_t)ro, 0, "ro.txt", (__wasi_fd_t)root, "raw_ro_hl");
  report(e == 0, "raw path_link out of the read-only preopen", e);

  /* Asking for write rights on a read-only preopen must not yield a writable file. */
  __wasi_fd_t fd;
  e = raw_open(ro, follow, "ro.txt", 0, rd | wr, &fd);
  if (e == 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n = 0;
    e = __wasi_fd_write(fd, &iov, 1, &n);
    (void)__wasi_fd_close(fd);
  }
  report(e == 0, "raw path_open(ro.txt, FD_WRITE) in the read-only preopen, then fd_write", e);
  raw_try_open(ro, follow, "raw_new.txt", __WASI_OFLAGS_CREAT, rd, "creating in the ro preopen");
  raw_try_open(ro, follow, "ro.txt", __WASI_OFLAGS_TRUNC, rd, "truncating in the ro preopen");

  /* A directory opened under the read-only preopen must not gain rights its parent lacks. */
  e = raw_open(ro, follow, "rosub", __WASI_OFLAGS_DIRECTORY, kAllRights, &fd);
  if (e == 0) {
    e = __wasi_path_create_directory(fd, "escalated");
    (void)__wasi_fd_close(fd);
  }
  report(e == 0, "path_create_directory in a dir opened with all rights under /ro", e);
  /* Rights can only shrink: re-granting write rights to the read-only preopen must fail. */
  e = __wasi_fd_fdstat_set_rights((__wasi_fd_t)ro, kAllRights, kAllRights);
  if (e == 0) e = __wasi_path_create_directory((__wasi_fd_t)ro, "escalated");
  report(e == 0, "fd_fdstat_set_rights(all) on /ro, then path_create_directory", e);
}
#endif

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: escape SECRET_ABS OUTSIDE_ABS\n");
    return 2;
  }
  secret_abs = argv[1];
  outside_abs = argv[2];
  (void)outside_abs;
  sanity_checks();
  dot_dot_and_absolute();
  symlinks();
  writes_outside();
  directory_fds();
  hard_links();
  renames();
  read_only_preopen();
#ifdef __wasi__
  raw_wasi_calls();
#endif
  char buf[64];
  sanity(slurp("file.txt", buf, sizeof buf) == 0 && strcmp(buf, "inside") == 0,
         "file.txt still readable at the end");
  printf("%d attempts, %d escaped, %d sanity failures\n", attempts, escapes, sanity_failures);
  if (escapes) return 1;
  return sanity_failures ? 2 : 0;
}
