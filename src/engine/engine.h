// The engine API in one include: compile a module, link and instantiate it in a Store, call
// its functions.
//
//   auto mod = hull::compile(bytes);                 // Result<shared_ptr<const CompiledModule>>
//   hull::Store store;
//   hull::Linker linker;
//   hull::define_spectest(linker, store);            // optional host module
//   auto inst = linker.instantiate(store, *mod);     // Result<Instance*>
//   Function* f = (*inst)->exports.at("add").func;
//   auto r = hull::invoke(store, f, args);           // Result<InvokeResult>: values or a Trap
#pragma once

#include "engine/const_expr.h"
#include "engine/instantiate.h"
#include "engine/invoke.h"
#include "engine/linker.h"
#include "engine/module.h"
#include "engine/spectest.h"
#include "runtime/store.h"
#include "runtime/type_registry.h"
