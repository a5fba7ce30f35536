// The WIT interfaces `hull serve` gives components beside WASI 0.2: wasi:keyvalue
// (@0.2.0-draft2: store, atomics, batch) and Spin's fermyon:spin/key-value@2.0.0 and
// fermyon:spin/variables@2.0.0, over the key-value backends and the app's variables.
// Host functions are defined once per Linker; what a store (one request's instance) may reach
// is attached to the store: the component's key_value_stores (opening any other label answers
// access-denied) and its variables.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hull/component.hh"
#include "serve/runtime_config.h"
#include "serve/variables.h"

namespace hull::serve {

// The package versions these interfaces are defined at.
inline constexpr std::string_view kWasiKeyValueVersion = "0.2.0-draft2";
inline constexpr std::string_view kSpinVersion = "2.0.0";

struct ServeConfig {
  std::shared_ptr<KvRegistry> kv;             // the app's stores (shared by every instance)
  std::vector<std::string> key_value_stores;  // the labels this component may open
  // The component's variables (variables.get); empty: every name is undefined.
  std::function<VariableValue(std::string_view name)> variables;
};

// Defines wasi:keyvalue/{store,atomics,batch} and fermyon:spin/{key-value,variables} on `linker`.
hull::api::Result<void> add_serve_to_linker(hull::api::component::Linker& linker);
// Gives `store` the state those functions use; call before instantiating in it.
hull::api::Result<void> attach_serve(hull::api::Store& store, ServeConfig config);

struct AppManifest;
struct Component;
// The ServeConfig for one of an app's components: its stores, its variables resolved by
// `resolver` (which must outlive every store the config is attached to).
ServeConfig serve_config_for(const Component& component, std::shared_ptr<KvRegistry> kv,
                             std::shared_ptr<const VariableResolver> resolver);

}  // namespace hull::serve
