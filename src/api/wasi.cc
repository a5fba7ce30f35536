// Linker::define_wasi: binds the WASI preview 1 layer (src/wasi) into the C++ API, or reports
// that this build has none.
#include "api/internal.h"

#if defined(HULL_API_HAS_WASI)
#include "engine/linker.h"
#include "wasi/preview1/threads.h"
#include "wasi/preview1/wasi_preview1.h"
#endif

namespace hull::api {

using namespace detail;

#if defined(HULL_API_HAS_WASI)

bool wasi_available() { return true; }

namespace {

// Ends a threaded program when its store goes away: the threads stop, and stop using the store
// before it is destroyed (attachments go first).
struct ThreadsOwner {
  std::shared_ptr<wasi::ThreadGroup> group;
  hull::Store* store;
  ~ThreadsOwner() {
    group->end(wasi::ProgramExit{0, std::nullopt});  // keeps an earlier end
    group->remove_store(*store);
  }
};

wasi::ThreadGroup* threads_of(const StoreImpl* s) {
  return static_cast<wasi::ThreadGroup*>(s->wasi_threads.get());
}

}  // namespace

std::optional<uint32_t> detail::wasi_threads_exit_code(const StoreImpl* s) {
  auto end = threads_of(s)->ended();
  return end ? end->code : std::nullopt;
}

std::optional<Trap> Store::wasi_thread_trap() const {
  if (!impl_->wasi_threads) return std::nullopt;
  auto end = threads_of(impl_.get())->ended();
  if (!end || !end->trap) return std::nullopt;
  return to_api(*end->trap);
}

Result<void> Linker::define_wasi(Store& store, const WasiConfig& config) {
  StoreImpl* s = store.impl();
  if (config.threads && !s->engine->config.epoch_interruption) {
    return Error(ErrorKind::Usage,
                 "WasiConfig::threads needs Config::epoch_interruption (threads are stopped at "
                 "its check points)");
  }
  auto ctx = std::make_shared<wasi::Preview1Ctx>();
  wasi::WasiConfig wc;
  wc.args = config.args;
  wc.env = config.env;
  for (const auto& p : config.preopens) wc.preopens.push_back({p.host_path, p.guest_path, p.readonly});
  Status st = wasi::init_wasi_state(wc, &ctx->state);
  if (!st) return to_api(st.error());
  hull::Linker tmp;
  wasi::define_preview1(tmp, s->store, *ctx);
  for (const char* name : wasi::preview1_function_names()) {
    const hull::Extern* e = tmp.get(wasi::kPreview1Module, name);
    if (e) define(wasi::kPreview1Module, name, to_api(s, *e));
  }
  if (config.threads) {
    auto group = wasi::ThreadGroup::create(ctx);
    group->define(tmp, s->store);
    define(wasi::kThreadsModule, wasi::kThreadSpawnName,
           to_api(s, *tmp.get(wasi::kThreadsModule, wasi::kThreadSpawnName)));
    store.attach(std::shared_ptr<ThreadsOwner>(new ThreadsOwner{group, &s->store}));
    s->wasi_threads = std::move(group);
  }
  s->wasi_instance = &ctx->instance;
  s->wasi_exit = &ctx->state.exit_code;
  s->wasi_ctx = std::move(ctx);
  return {};
}

#else

bool wasi_available() { return false; }

std::optional<uint32_t> detail::wasi_threads_exit_code(const StoreImpl*) { return std::nullopt; }
std::optional<Trap> Store::wasi_thread_trap() const { return std::nullopt; }

Result<void> Linker::define_wasi(Store&, const WasiConfig&) {
  return Error(ErrorKind::Usage, "this build of libhull has no WASI support");
}

#endif

}  // namespace hull::api
