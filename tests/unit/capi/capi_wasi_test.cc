// Tests of WASI preview 1 through the C API (hull.h): argv, environment, stdout redirected to a
// file, preopened directories and exit codes, with our wasm32-wasi C programs (built by
// tests/programs) and small text-format modules; errors for imports WASI cannot satisfy.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hull.h"
#include "wasi_run.h"
#include "wasm.h"

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<unsigned char> wat(const std::string& text) {
  wasm_byte_vec_t bin;
  wasm_message_t err;
  if (!hull_wat2wasm(text.data(), text.size(), &bin, &err)) {
    ADD_FAILURE() << err.data;
    wasm_byte_vec_delete(&err);
    return {};
  }
  std::vector<unsigned char> out(bin.data, bin.data + bin.size);
  wasm_byte_vec_delete(&bin);
  return out;
}

// A scratch directory, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hull-capi-wasi.XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

// Runs `wasm` with stdout captured in a file; returns the exit code (or a negative code).
struct RunResult {
  int code = 0;
  std::string out, err;
};
RunResult run(const std::vector<unsigned char>& wasm, std::vector<const char*> argv,
        std::vector<const char*> env_names = {}, std::vector<const char*> env_values = {},
        const char* preopen_host = nullptr, const char* preopen_guest = nullptr) {
  TempDir dir;
  fs::path out = dir.path / "stdout";
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0);
  hull_test_wasi_args a{argv.size(),   argv.data(), env_names.size(), env_names.data(),
                        env_values.data(), fd,      preopen_host,     preopen_guest};
  char err[512] = "";
  RunResult r;
  r.code = hull_test_wasi_run(wasm.data(), wasm.size(), &a, err, sizeof err);
  close(fd);
  r.out = read_all(out);
  r.err = err;
  return r;
}

std::vector<unsigned char> program(const char* name) {
  fs::path p = fs::path(HULL_TEST_PROGRAMS_WASM_DIR) / (std::string(name) + ".wasm");
  std::string data = read_all(p);
  return std::vector<unsigned char>(data.begin(), data.end());
}

// Writes "hi\n" to fd 1, then calls proc_exit(3).
constexpr const char* kHello = R"((module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))
    unreachable)))";

TEST(CapiWasi, Available) { EXPECT_TRUE(hull_has_wasi()); }

TEST(CapiWasi, WatModuleWritesStdoutAndExits) {
  RunResult r = run(wat(kHello), {"hello"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "hi\n");
}

TEST(CapiWasi, RealTrapIsNotAnExit) {
  RunResult r = run(wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start") unreachable)))"), {"t"});
  EXPECT_EQ(r.code, HULL_TEST_WASI_TRAP);
  EXPECT_EQ(r.err, "trap: unreachable");
  int code = 0;
  EXPECT_FALSE(hull_wasi_exit_code(nullptr, &code));
}

TEST(CapiWasi, ArgsProgramSeesArgvEnvAndExitCode) {
  auto wasm = program("args");
  if (wasm.empty()) GTEST_SKIP() << "tests/programs were not built (no wasm32-wasi toolchain)";
  RunResult r = run(wasm, {"args", "one", "two words"}, {"FOO", "EMPTY"}, {"bar", ""});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "argc=3\narg[1]=<one>\narg[2]=<two words>\nenv=<EMPTY=>\nenv=<FOO=bar>\n");
  r = run(wasm, {"args", "exit7"});
  EXPECT_EQ(r.code, 7) << r.err;
  EXPECT_EQ(r.out, "argc=2\narg[1]=<exit7>\n");
}

TEST(CapiWasi, CatProgramReadsAPreopenedDirectory) {
  auto wasm = program("cat");
  if (wasm.empty()) GTEST_SKIP() << "tests/programs were not built (no wasm32-wasi toolchain)";
  TempDir data;
  std::ofstream(data.path / "greeting.txt") << "hello from the host\n";
  RunResult r = run(wasm, {"cat", "/data/greeting.txt"}, {}, {}, data.path.c_str(), "/data");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from the host\n");
  // Nothing outside the preopen.
  r = run(wasm, {"cat", "/data/../etc/passwd"}, {}, {}, data.path.c_str(), "/data");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
}

TEST(CapiWasi, ErrorsNameTheProblem) {
  RunResult r = run(wat(R"((module
    (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
    (import "env" "log" (func (param i32)))))"), {"x"});
  EXPECT_EQ(r.code, HULL_TEST_WASI_ERROR);
  EXPECT_NE(r.err.find("\"env\" \"log\""), std::string::npos) << r.err;

  r = run(wat(R"((module
    (import "wasi_snapshot_preview1" "no_such_function" (func))))"), {"x"});
  EXPECT_NE(r.err.find("no_such_function"), std::string::npos) << r.err;

  r = run(wat(R"((module
    (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))))"), {"x"});
  EXPECT_EQ(r.code, HULL_TEST_WASI_ERROR);
  EXPECT_NE(r.err.find("type"), std::string::npos) << r.err;

  r = run(wat(kHello), {"x"}, {}, {}, "/nonexistent/hull-dir", "/d");
  EXPECT_EQ(r.code, HULL_TEST_WASI_ERROR);
  EXPECT_NE(r.err.find("preopen /nonexistent/hull-dir"), std::string::npos) << r.err;
}

TEST(CapiWasi, ConfigOwnershipAndDefaults) {
  // The default stdout is /dev/null: the guest's write succeeds and goes nowhere.
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  auto bytes = wat(kHello);
  wasm_byte_vec_t bin;
  wasm_byte_vec_new(&bin, bytes.size(), reinterpret_cast<const wasm_byte_t*>(bytes.data()));
  wasm_module_t* m = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  ASSERT_NE(m, nullptr);
  hull_wasi_config_t* cfg = hull_wasi_config_new();
  EXPECT_FALSE(hull_wasi_config_set_stdio_fd(cfg, 3, 1));
  EXPECT_FALSE(hull_wasi_config_set_stdio_fd(cfg, 1, -1));
  wasm_extern_vec_t imports;
  ASSERT_TRUE(hull_wasi_imports(store, m, cfg, &imports, nullptr));
  hull_wasi_config_delete(cfg);
  EXPECT_EQ(imports.size, 2u);
  wasm_trap_t* trap = nullptr;
  wasm_instance_t* inst = wasm_instance_new(store, m, &imports, &trap);
  ASSERT_NE(inst, nullptr);
  wasm_extern_vec_delete(&imports);
  wasm_extern_vec_t exps;
  wasm_instance_exports(inst, &exps);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(wasm_extern_as_func(exps.data[1]), &none, &none);
  int code = -1;
  EXPECT_TRUE(hull_wasi_exit_code(trap, &code));
  EXPECT_EQ(code, 3);
  wasm_trap_t* copy = wasm_trap_copy(trap);
  EXPECT_TRUE(hull_wasi_exit_code(copy, &code));
  wasm_trap_delete(copy);
  wasm_trap_delete(trap);
  wasm_extern_vec_delete(&exps);
  wasm_instance_delete(inst);
  wasm_module_delete(m);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

}  // namespace
