// hull.h's WASI preview 1 functions: a configuration object and the import vector for
// wasm_instance_new, backed by src/wasi (or failing cleanly in a build without it).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "capi/internal.h"

#if defined(HULL_CAPI_HAS_WASI)
#include "engine/linker.h"
#include "wasi/preview1/wasi_preview1.h"
#endif

extern char** environ;

// Stdio of the guest: /dev/null (the default), the host's own descriptor, or a given one.
enum class StdioMode : uint8_t { Null, Inherit, HostFd };

struct hull_wasi_config_t {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // set explicitly, in order
  bool inherit_env = false;
  StdioMode stdio[3] = {StdioMode::Null, StdioMode::Null, StdioMode::Null};
  int stdio_fd[3] = {-1, -1, -1};
  struct Preopen {
    std::string host, guest;
    bool read_only;
  };
  std::vector<Preopen> preopens;
};

namespace {

void set_error(wasm_message_t* error, const std::string& msg) {
  if (!error) return;
  wasm_byte_vec_new_uninitialized(error, msg.size() + 1);
  std::memcpy(error->data, msg.c_str(), msg.size() + 1);
}

}  // namespace

extern "C" {

hull_wasi_config_t* hull_wasi_config_new(void) { return new hull_wasi_config_t; }
void hull_wasi_config_delete(hull_wasi_config_t* c) { delete c; }

void hull_wasi_config_set_argv(hull_wasi_config_t* c, size_t argc, const char* const argv[]) {
  c->args.clear();
  for (size_t i = 0; i < argc; ++i) c->args.emplace_back(argv[i] ? argv[i] : "");
}

void hull_wasi_config_set_env(hull_wasi_config_t* c, size_t n, const char* const names[],
                              const char* const values[]) {
  for (size_t i = 0; i < n; ++i) {
    if (!names[i]) continue;
    std::string name = names[i], value = values[i] ? values[i] : "";
    bool replaced = false;
    for (auto& [k, v] : c->env) {
      if (k == name) {
        v = value;
        replaced = true;
      }
    }
    if (!replaced) c->env.emplace_back(std::move(name), std::move(value));
  }
}

void hull_wasi_config_inherit_env(hull_wasi_config_t* c) { c->inherit_env = true; }

void hull_wasi_config_inherit_stdio(hull_wasi_config_t* c) {
  for (int i = 0; i < 3; ++i) {
    c->stdio[i] = StdioMode::Inherit;
    c->stdio_fd[i] = -1;
  }
}

bool hull_wasi_config_set_stdio_fd(hull_wasi_config_t* c, int guest_fd, int host_fd) {
  if (guest_fd < 0 || guest_fd > 2 || host_fd < 0) return false;
  c->stdio[guest_fd] = StdioMode::HostFd;
  c->stdio_fd[guest_fd] = host_fd;
  return true;
}

void hull_wasi_config_preopen_dir(hull_wasi_config_t* c, const char* host_path,
                                  const char* guest_path, bool read_only) {
  if (!host_path) return;
  c->preopens.push_back({host_path, guest_path ? guest_path : host_path, read_only});
}

}  // extern "C"

#if defined(HULL_CAPI_HAS_WASI)

namespace {

namespace wasi = hull::wasi;

// The entry for a guest stdio fd backed by host descriptor `fd` (as src/wasi does for the
// inherited ones): a terminal gets no seek/tell rights, which is how wasi-libc's isatty() tells.
wasi::FdEntry stdio_entry(int fd, bool owned) {
  wasi::FdEntry e;
  e.host_fd = fd;
  e.owns_host_fd = owned;
  struct stat st;
  e.type = fstat(fd, &st) == 0 ? wasi::file_type_of_mode(st.st_mode) : wasi::FileType::unknown;
  e.base = wasi::right::regular_file;
  if (e.type == wasi::FileType::character_device && isatty(fd)) {
    e.base &= ~(wasi::right::fd_seek | wasi::right::fd_tell);
  }
  e.inheriting = 0;
  return e;
}

// init_wasi_state gives the guest the host's stdio; replace what the config says otherwise.
hull::Status apply_stdio(const hull_wasi_config_t& c, wasi::WasiState* state) {
  for (int i = 0; i < 3; ++i) {
    if (c.stdio[i] == StdioMode::Inherit) continue;
    int fd = c.stdio_fd[i];
    bool owned = false;
    if (c.stdio[i] == StdioMode::Null) {
      fd = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (fd < 0) {
        return hull::Error::make(hull::ErrorKind::Io,
                                 std::string("cannot open /dev/null: ") + strerror(errno));
      }
      owned = true;
    }
    state->fds.close(static_cast<uint32_t>(i));
    state->fds.insert_at(static_cast<uint32_t>(i), stdio_entry(fd, owned));
  }
  return {};
}

void set_env_entry(std::vector<std::string>& env, const std::string& name,
                   const std::string& entry) {
  for (auto& e : env) {
    if (e.compare(0, name.size() + 1, name + "=") == 0) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

}  // namespace

namespace hull::capi {

std::optional<int> take_wasi_exit(wasm_store_t* s) {
  for (auto& ctx : s->wasi) {
    if (ctx->state.exit_code) {
      int code = static_cast<int>(*ctx->state.exit_code);
      ctx->state.exit_code.reset();
      return code;
    }
  }
  return std::nullopt;
}

}  // namespace hull::capi

extern "C" {

bool hull_has_wasi(void) { return true; }

bool hull_wasi_imports(wasm_store_t* s, const wasm_module_t* m, const hull_wasi_config_t* c,
                       wasm_extern_vec_t* out, wasm_message_t* error) {
  wasm_extern_vec_new_empty(out);
  const hull::CompiledModule& cm = *m->module;
  const hull::ModuleDesc& d = cm.desc;
  // Check every import first, so nothing is created in the store for a module we reject.
  const auto names = wasi::preview1_function_names();
  for (const hull::Import& imp : d.imports) {
    bool known = false;
    if (imp.module == wasi::kPreview1Module && imp.kind == hull::ExternKind::Func) {
      for (const char* n : names) known = known || imp.name == n;
    }
    if (!known) {
      set_error(error, "cannot satisfy import \"" + imp.module + "\" \"" + imp.name +
                           "\": hull_wasi_imports provides only the " +
                           wasi::kPreview1Module + " functions");
      return false;
    }
  }
  wasi::WasiConfig wc;
  wc.args = c->args;
  if (c->inherit_env) {
    for (char** e = environ; e && *e; ++e) wc.env.emplace_back(*e);
  }
  for (const auto& [k, v] : c->env) set_env_entry(wc.env, k, k + "=" + v);
  for (const auto& p : c->preopens) wc.preopens.push_back({p.host, p.guest, p.read_only});
  auto ctx = std::make_shared<wasi::Preview1Ctx>();
  hull::Status st = wasi::init_wasi_state(wc, &ctx->state);
  if (st.ok()) st = apply_stdio(*c, &ctx->state);
  if (!st.ok()) {
    std::string msg = st.error().message;
    // src/wasi words preopen failures for the CLI ("--dir PATH: ...").
    if (msg.rfind("--dir ", 0) == 0) msg = "preopen " + msg.substr(6);
    set_error(error, msg);
    return false;
  }
  hull::Linker linker;
  wasi::define_preview1(linker, s->store, *ctx);
  std::vector<wasm_extern_t*> ext;
  for (const hull::Import& imp : d.imports) {
    const hull::Extern* e = linker.get(imp.module, imp.name);
    if (!e || e->kind != hull::ExternKind::Func ||
        e->func->type_id != cm.type_ids[imp.type_index]) {
      for (wasm_extern_t* x : ext) wasm_extern_delete(x);
      set_error(error, "import \"" + imp.module + "\" \"" + imp.name +
                           "\" has a type other than WASI's");
      return false;
    }
    ext.push_back(hull::capi::new_handle<wasm_func_t>(RefKind::Func, s, e->func));
  }
  s->wasi.push_back(std::move(ctx));
  wasm_extern_vec_new(out, ext.size(), ext.data());
  return true;
}

bool hull_wasi_exit_code(const wasm_trap_t* trap, int* code) {
  if (!trap || !trap->data || !trap->data->wasi_exit) return false;
  if (code) *code = *trap->data->wasi_exit;
  return true;
}

}  // extern "C"

#else  // no WASI in this build

namespace hull::capi {
std::optional<int> take_wasi_exit(wasm_store_t*) { return std::nullopt; }
}  // namespace hull::capi

extern "C" {

bool hull_has_wasi(void) { return false; }

bool hull_wasi_imports(wasm_store_t*, const wasm_module_t*, const hull_wasi_config_t*,
                       wasm_extern_vec_t* out, wasm_message_t* error) {
  wasm_extern_vec_new_empty(out);
  set_error(error, "this build of libhull has no WASI support");
  return false;
}

bool hull_wasi_exit_code(const wasm_trap_t*, int*) { return false; }

}  // extern "C"

#endif
