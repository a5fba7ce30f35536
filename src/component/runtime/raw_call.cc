// The typed path of component calls (include/hull/component_raw.hh): the raw::Context typed
// code lays values out through, a typed call of a lifted export (the same bracket as
// LiftedFunc::call, with typed code in place of lower_flat_values / lift_flat_values), and the
// direct core function a lowered import gets when its callee is a typed host function.
#include <bit>

#include "component/abi/abi_internal.h"
#include "component/abi/strings.h"
#include "component/runtime/runtime.h"
#include "hull/component_raw.hh"

static_assert(std::endian::native == std::endian::little,
              "raw::read/write copy little-endian guest values as host integers");

namespace hull::api::component::raw {

using hull::component::abi_detail::Site;
namespace abi = hull::component::abi_detail;

Context::Context(hull::component::LiftLowerContext& cx, Store* store) : cx_(&cx), store_(store) {
  refresh();
}

void Context::refresh() {
  mem_ = cx_->memory_data();
  size_ = cx_->memory_size();
}

Result<uint32_t> Context::alloc_list(uint64_t count, uint32_t elem_size, uint32_t align) {
  uint64_t byte_length = count * elem_size;
  if (byte_length > UINT32_MAX) {
    if (cx_->wording == hull::component::TrapWording::Adapter)
      return Error(abi::out_of_bounds(*cx_, Site::ReallocList));
    return Error(hull::component::abi_trap("size overflow copying a list"));
  }
  auto p = abi::checked_realloc(*cx_, 0, 0, align, static_cast<uint32_t>(byte_length),
                                Site::ReallocList);
  refresh();
  return p;
}

Result<uint32_t> Context::alloc_params(uint32_t size, uint32_t align) {
  auto p = abi::checked_realloc(*cx_, 0, 0, align, size, Site::ReallocOther);
  refresh();
  return p;
}

Result<std::pair<uint32_t, uint32_t>> Context::store_string(std::string_view utf8) {
  auto r = hull::component::store_string_text(*cx_, utf8, 0);
  refresh();
  return r;
}

Result<uint32_t> Context::lower_handle(const ResourceAny& r, const Type& type) {
  if (type.empty() || (type.kind() != TypeKind::Own && type.kind() != TypeKind::Borrow))
    return Error(ErrorKind::Usage, "canonical ABI: a handle where " +
                                       (type.empty() ? std::string("no value") : to_string(type)) +
                                       " was expected");
  return type.kind() == TypeKind::Own ? cx_->lower_own(r, type->resource)
                                      : cx_->lower_borrow(r, type->resource);
}

Result<void> Context::check_pointer(uint32_t ptr, uint32_t size, uint32_t align, PointerFor what) {
  Site site = what == PointerFor::ReturnArea ? Site::ReturnPtr
              : what == PointerFor::Params   ? Site::ParamPtr
                                             : Site::Pointer;
  if (ptr % align != 0) return Error(abi::unaligned(*cx_, site, align));
  if (!abi::in_bounds(*cx_, ptr, size)) return Error(abi::out_of_bounds(*cx_, site));
  return {};
}

Result<void> Context::check_list(uint32_t ptr, uint32_t count, uint32_t elem_size, uint32_t align,
                                 uint64_t host_bytes) {
  // As load_list_from_range: zero-size elements count as one byte.
  if (uint64_t{count} * std::max<uint64_t>(elem_size, 1) > abi::kMaxListByteLength)
    return Error(abi::out_of_bounds(*cx_, Site::List));
  if (ptr % align != 0) return Error(abi::unaligned(*cx_, Site::List, align));
  if (!abi::in_bounds(*cx_, ptr, uint64_t{count} * elem_size))
    return Error(abi::out_of_bounds(*cx_, Site::List));
  return cx_->charge(host_bytes);
}

Result<std::string> Context::load_string(uint32_t ptr, uint32_t tagged_code_units) {
  return hull::component::load_string_text(*cx_, ptr, tagged_code_units);
}

Result<ResourceAny> Context::lift_handle(uint32_t index, const Type& type) {
  if (type.empty() || (type.kind() != TypeKind::Own && type.kind() != TypeKind::Borrow))
    return Error(ErrorKind::Usage, "canonical ABI: a handle where " +
                                       (type.empty() ? std::string("no value") : to_string(type)) +
                                       " was expected");
  return type.kind() == TypeKind::Own ? cx_->lift_own(index, type->resource)
                                      : cx_->lift_borrow(index, type->resource);
}

Error Context::bad_discriminant(uint32_t index, size_t count) const {
  return Error(abi::bad_discriminant(*cx_, index, count));
}

Error Context::bad_char(uint32_t bits) const { return Error(abi::bad_char(bits)); }

bool can_call_export(const Func& f) {
  auto* lifted = dynamic_cast<hull::component::LiftedFunc*>(f.raw().get());
  return lifted && !lifted->opts.async;
}

}  // namespace hull::api::component::raw

namespace hull::component {

namespace {

api::Error trap_error(std::string msg) { return api::Error(abi_trap(std::move(msg))); }

uint64_t core_bits(const api::Val& v) {
  uint64_t slots[2];
  v.to_slots(slots);
  bool narrow = v.type() == api::ValType::I32 || v.type() == api::ValType::F32;
  return narrow ? slots[0] & 0xffffffffu : slots[0];
}

api::Val core_val(api::ValType t, uint64_t bits) {
  uint64_t slots[2] = {bits, 0};
  return api::Val::from_slots(t, slots);
}

}  // namespace

// LiftedFunc::call with typed code laying out the values: the same checks in the same order.
api::Result<void> call_export_raw(LiftedFunc& f, const ac::raw::ExportCall& call) {
  ComponentInstance* inst = f.inst;
  if (!inst->may_enter_from(nullptr)) return trap_error("cannot enter component instance");
  CallTask task{inst, 0, {}};
  CallTask* saved_task = inst->current_task;
  inst->current_task = &task;
  InstanceContext cx(inst, f.opts, &task);
  cx.wording = TrapWording::Host;
  inst->set_entered_from(nullptr, true);
  inst->exclusive_depth += 1;
  auto finish = [&]() {
    inst->exclusive_depth -= 1;
    inst->set_entered_from(nullptr, false);
    inst->current_task = saved_task;
  };
  ac::raw::Context raw(cx, inst->store);
  ac::raw::Flat flat[ac::raw::kMaxFlatParams];
  auto n = call.lower_args(call.env, raw, flat);
  if (!n) {
    finish();
    return std::move(n).error();
  }
  if (*n != f.core_params.size()) {
    finish();
    return api::Error(api::ErrorKind::Usage,
                      "canonical ABI: core values do not match the flattened type");
  }
  api::Val args[ac::raw::kMaxFlatParams];
  for (size_t i = 0; i < *n; ++i) args[i] = core_val(f.core_params[i], flat[i]);
  api::Val core_results[kMaxFlatResults];
  std::span<api::Val> results(core_results, f.core_result_count);
  if (auto r = f.core.call(std::span<const api::Val>(args, *n), results); !r) {
    finish();
    return std::move(r).error();
  }
  ac::raw::Flat result_bits[kMaxFlatResults] = {};
  for (size_t i = 0; i < results.size(); ++i) result_bits[i] = core_bits(results[i]);
  // The context re-reads the memory: the core function may have grown it.
  ac::raw::Context lift_raw(cx, inst->store);
  if (auto r = call.lift_result(call.env, lift_raw, result_bits, results.size()); !r) {
    finish();
    return r;
  }
  if (f.opts.post_return) {
    inst->may_leave = false;
    auto r = f.opts.post_return->call(std::span<const api::Val>(results.data(), results.size()));
    inst->may_leave = true;
    if (!r) {
      finish();
      return std::move(r).error();
    }
  }
  if (task.num_borrows != 0) {
    finish();
    return trap_error("borrow handles still remain at the end of the call");
  }
  finish();
  return {};
}

namespace {

std::optional<api::Trap> call_lowered_raw(CanonFuncEnv& e, uint64_t* slots) {
  ComponentInstance* inst = e.inst;
  const LowerPlan& plan = *e.plan;
  if (!inst->may_leave) return abi_trap("cannot leave component instance");
  CallTask lend_scope{inst, 0, {}};
  InstanceContext cx(inst, e.opts, &lend_scope);
  cx.wording = TrapWording::Host;
  ac::raw::Flat args[ac::raw::kMaxFlatParams + 1];
  size_t n = std::min(plan.core.params.size(), std::size(args));
  for (size_t i = 0; i < n; ++i)
    args[i] = core_bits(api::Val::from_slots(plan.core.params[i], slots + i));
  ac::raw::Context raw(cx, inst->store);
  ac::raw::Flat out[kMaxFlatResults] = {};
  auto r = e.raw_host->call_raw(raw, *e.type, std::span<const ac::raw::Flat>(args, n), out);
  release_lends(inst, lend_scope);
  if (!r) {
    const api::Error& err = r.error();
    return err.trap ? *err.trap : api::Trap::host(err.message);
  }
  for (size_t i = 0; i < *r && i < plan.core.results.size(); ++i)
    core_val(plan.core.results[i], out[i]).to_slots(slots + i);
  return std::nullopt;
}

std::optional<api::Trap> lowered_raw_entry(void* state, api::Caller&, uint64_t* slots) {
#if defined(__cpp_exceptions)
  try {
    return call_lowered_raw(*static_cast<CanonFuncEnv*>(state), slots);
  } catch (const std::exception& x) {
    return api::Trap::host(std::string("host exception: ") + x.what());
  } catch (...) {
    return api::Trap::host("host exception");
  }
#else
  return call_lowered_raw(*static_cast<CanonFuncEnv*>(state), slots);
#endif
}

}  // namespace

// The core function of `canon lower` for a typed host callee: the caller's core arguments go
// to the typed code as they are; no Val is built.
api::Func lower_raw_host_func(CanonFuncEnv& env) {
  return api::detail::make_func_unowned(*env.inst->store, env.plan->core_type_id, lowered_raw_entry,
                                        &env);
}

}  // namespace hull::component

namespace hull::api::component::raw {

Result<void> call_export(const Func& f, const ExportCall& call) {
  auto* lifted = dynamic_cast<hull::component::LiftedFunc*>(f.raw().get());
  if (!lifted || lifted->opts.async)
    return Error(ErrorKind::Usage, "not a synchronous lifted export (use Func::call)");
  return hull::component::call_export_raw(*lifted, call);
}

}  // namespace hull::api::component::raw
