// Linker::define_wasi: binds the WASI preview 1 layer (src/wasi) into the C++ API, or reports
// that this build has none.
#include "api/internal.h"

#if defined(HULL_API_HAS_WASI)
#include "engine/linker.h"
#include "wasi/preview1/wasi_preview1.h"
#endif

namespace hull::api {

using namespace detail;

#if defined(HULL_API_HAS_WASI)

bool wasi_available() { return true; }

Result<void> Linker::define_wasi(Store& store, const WasiConfig& config) {
  StoreImpl* s = store.impl();
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
  s->wasi_instance = &ctx->instance;
  s->wasi_exit = &ctx->state.exit_code;
  s->wasi_ctx = std::move(ctx);
  return {};
}

#else

bool wasi_available() { return false; }

Result<void> Linker::define_wasi(Store&, const WasiConfig&) {
  return Error(ErrorKind::Usage, "this build of libhull has no WASI support");
}

#endif

}  // namespace hull::api
