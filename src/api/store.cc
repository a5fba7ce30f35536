// Stores and the objects in them: functions (typed and dynamic calls, host functions),
// memories, globals, tables, instances and the Caller given to host functions.
#include <algorithm>
#include <chrono>

#include "api/internal.h"
#include "base/tick_clock.h"
#include "engine/invoke.h"
#include "engine/module.h"
#include "interp/interp.h"
#include "runtime/type_registry.h"

namespace hull::api {

using namespace detail;

namespace {

// The engine-facing trampoline of every API host function.
std::optional<hull::Trap> host_trampoline(void* env, hull::Store& st, uint64_t* slots) {
  HostEnv& e = *static_cast<HostEnv*>(env);
  // Prefer the tier's notion of the caller; else the importing instance, or the one whose
  // start function is running.
  hull::Instance* inst = st.caller ? st.caller : e.bound;
  if (!inst && e.store->pending_instance < st.instances.size()) {
    inst = &st.instances[e.store->pending_instance];
  }
  Caller c(e.store, inst);
  StoreImpl& s = *e.store;
  s.host_calls += 1;
  const bool timed = s.time_host_calls && s.host_depth == 0;
  const uint64_t started = timed ? tick_clock::now() : 0;
  s.host_depth += 1;
  // The call is a RootScope: what the host function receives from the store while it runs is
  // released when it returns (its results are then in the calling frame).
  const size_t roots = st.host_roots.size();
  std::optional<Trap> t = e.def.fn(e.state, c, slots);
  s.host_depth -= 1;
  if (timed) {
    s.host_call_ticks += tick_clock::now() - started;
  }
  std::optional<hull::Trap> out;
  if (t) {
    out = to_internal(*t, e.store);
  } else if (e.ref_results) {
    const hull::FuncType& ft = type_by_id(e.type_id).func;
    for (size_t i = 0, slot = 0; i < ft.results.size() && !out; slot += ft.results[i++].slots()) {
      if (auto why = check_ref(st, ft.results[i], static_cast<RefBits>(slots[slot]))) {
        out = hull::Trap{hull::TrapKind::Host,
                         "host function returned a reference that " + *why + " (result " +
                             std::to_string(i) + ")",
                         {}};
      }
    }
  }
  if (st.host_roots.size() > roots) st.host_roots.resize(roots);
  return out;
}

}  // namespace

namespace detail {

hull::Function* create_host(StoreImpl* s, HostFuncDef def, HostEnv** env_out) {
  HostEnv& env = s->host_envs.emplace_back();
  env.store = s;
  hull::FuncType ft = to_internal(def.type);
  for (const hull::ValType& r : ft.results) env.ref_results |= r.is_ref();
  env.def = std::move(def);
  env.state = env.def.state.get();
  if (env_out) *env_out = &env;
  hull::Function* f = create_host_function(s->store, std::move(ft), host_trampoline, &env);
  env.type_id = f->type_id;
  return f;
}

std::optional<Trap> call_slots(StoreImpl* s, hull::Function* f, uint64_t* slots) {
  if (!s || !f) return Trap::host("call of a null function");
  std::optional<hull::Trap> t = interp::call(s->store, f, slots);
  if (!t) return std::nullopt;
  return to_api(*t, s);
}

bool func_type_is(const hull::Function* f, const FuncType& want) {
  if (!f || !f->type) return false;
  return to_api(*f->type, module_of(f)) == want;
}

Extern to_api(StoreImpl* s, const hull::Extern& e) {
  switch (e.kind) {
    case hull::ExternKind::Func: return Func(s, e.func);
    case hull::ExternKind::Table: return Table(s, e.table);
    case hull::ExternKind::Memory: return Memory(s, e.memory);
    case hull::ExternKind::Global: return Global(s, e.global);
    case hull::ExternKind::Tag: return Tag(s, e.tag);
  }
  return Func();
}

hull::Extern to_internal(const Extern& e) {
  return std::visit([](const auto& x) { return hull::Extern::of(x.raw()); }, e);
}

}  // namespace detail

// ---- Store ----

Store::Store(const Engine& engine) : Store(engine, engine.config().limits) {}

Store::Store(const Engine& engine, const StoreLimits& limits)
    : impl_(std::make_unique<StoreImpl>()) {
  impl_->engine = engine.impl_;
  impl_->owner = this;
  impl_->limits = limits;
  impl_->store.limits.max_memory_bytes = limits.max_memory_bytes;
  impl_->store.limits.max_table_elements = limits.max_table_elements;
  impl_->store.limits.max_instances = limits.max_instances;
  // The interpreter allocates the whole value stack per store: at least 8 KiB, at most 1 GiB.
  impl_->store.limits.max_wasm_stack_bytes =
      std::clamp<uint64_t>(limits.max_wasm_stack_bytes, uint64_t(8) << 10, uint64_t(1) << 30);
}

Store::~Store() = default;
void Store::attach(std::shared_ptr<void> object) {
  // A component instance attaches a few objects (its instances, the InstancePre, WASI state):
  // room for them at once rather than growth by reallocation.
  if (impl_->attachments.capacity() < 8) impl_->attachments.reserve(8);
  impl_->attachments.push_back(std::move(object));
}
void Store::set_slot(const void* key, std::shared_ptr<void> value) {
  for (auto& [k, v] : impl_->slots) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  if (impl_->slots.capacity() < 4) impl_->slots.reserve(4);
  impl_->slots.emplace_back(key, std::move(value));
}
void* Store::slot(const void* key) const {
  for (const auto& [k, v] : impl_->slots) {
    if (k == key) return v.get();
  }
  return nullptr;
}
Store::Store(Store&& o) noexcept : impl_(std::move(o.impl_)) {
  if (impl_) impl_->owner = this;
}
Store& Store::operator=(Store&& o) noexcept {
  impl_ = std::move(o.impl_);
  if (impl_) impl_->owner = this;
  return *this;
}

const StoreLimits& Store::limits() const { return impl_->limits; }

Result<void> Store::set_fuel(uint64_t fuel) {
  if (!impl_->engine->config.consume_fuel)
    return Error(ErrorKind::Usage, "fuel is not enabled (Config::consume_fuel)");
  impl_->store.set_fuel(fuel);
  return {};
}
Result<uint64_t> Store::get_fuel() const {
  if (!impl_->engine->config.consume_fuel)
    return Error(ErrorKind::Usage, "fuel is not enabled (Config::consume_fuel)");
  return impl_->store.fuel_remaining();
}
Result<uint64_t> Store::fuel_consumed() const {
  if (!impl_->engine->config.consume_fuel)
    return Error(ErrorKind::Usage, "fuel is not enabled (Config::consume_fuel)");
  return impl_->store.fuel_consumed();
}
Store::Stats Store::stats() const {
  Stats st;
  st.host_calls = impl_->host_calls;
  st.host_call_time = std::chrono::nanoseconds(tick_clock::to_ns(impl_->host_call_ticks));
  if (impl_->engine->config.consume_fuel) st.fuel_consumed = impl_->store.fuel_consumed();
  st.instances = impl_->store.instances.size();
  for (const hull::Memory& m : impl_->store.memories) st.memory_bytes += m.size;
  for (const auto& m : impl_->store.shared_memories) st.memory_bytes += m->size_acquire();
  st.exceptions = impl_->store.exceptions.live_count();
  st.gc_objects = impl_->store.gc.live_objects();
  st.gc_bytes = impl_->store.gc.live_bytes();
  st.gc_collections = impl_->store.gc.collections();
  st.gc_allocated_bytes = impl_->store.gc.total_allocated_bytes();
  st.gc_pause_total = std::chrono::nanoseconds(impl_->store.gc.pause_total_ns());
  st.gc_pause_max = std::chrono::nanoseconds(impl_->store.gc.pause_max_ns());
  st.externrefs = impl_->store.gc.live_host_objects();
  st.host_roots = impl_->store.host_roots.size() + impl_->store.gc.pinned_count();
  return st;
}

void Store::collect_garbage() { hull::collect_garbage(impl_->store); }

void Store::time_host_calls(bool on) { impl_->time_host_calls = on; }

Result<void> Store::set_deadline(std::chrono::nanoseconds timeout) {
  if (!impl_->engine->config.epoch_interruption)
    return Error(ErrorKind::Usage, "deadlines are not enabled (Config::epoch_interruption)");
  impl_->store.set_deadline_ns(timeout.count() < 0 ? 0 : static_cast<uint64_t>(timeout.count()));
  return {};
}
void Store::clear_deadline() { impl_->store.epoch_deadline = UINT64_MAX; }
void Store::set_data(void* data) { impl_->data = data; }
void* Store::data() const { return impl_->data; }

Val Store::new_externref(uint64_t host_value, void (*finalizer)(uint64_t)) {
  return Val::from_ref_bits(ValType::ExternRef,
                            new_extern_ref(impl_->store, host_value, finalizer));
}

std::optional<uint64_t> Store::externref_value(const Val& v) const {
  const RefBits r = v.ref_bits();
  if (v.type() != ValType::ExternRef || !r || is_i31(r) ||
      !impl_->store.gc.contains(reinterpret_cast<const void*>(r)) ||
      ref_object_kind(r) != RefObjectKind::Host)
    return std::nullopt;
  return reinterpret_cast<const ExternObject*>(r)->host_value;
}

std::optional<uint32_t> Store::wasi_exit_code() const {
  if (!impl_->wasi_exit) return std::nullopt;
  if (impl_->wasi_threads) return wasi_threads_exit_code(impl_.get());
  return *impl_->wasi_exit;
}

std::optional<Func> Store::funcref(const Val& v) {
  if (v.type() != ValType::FuncRef || v.is_null_ref()) return std::nullopt;
  return Func(impl_.get(), reinterpret_cast<hull::Function*>(v.ref_bits()));
}

Val Val::funcref(const Func& f) {
  return from_ref_bits(ValType::FuncRef, reinterpret_cast<uintptr_t>(f.raw()));
}

Func make_func(Store& store, HostFuncDef def) {
  return Func(store.impl(), create_host(store.impl(), std::move(def)));
}

uint32_t detail::host_type_id(const FuncType& type) {
  return canonicalize_func_type(to_internal(type));
}

Func detail::make_func_unowned(Store& store, uint32_t type_id, RawHost fn, void* state) {
  StoreImpl* s = store.impl();
  HostEnv& env = s->host_envs.emplace_back();
  env.store = s;
  env.def.fn = fn;
  env.state = state;
  return Func(s, create_host_function(s->store, type_id, host_trampoline, &env));
}

// ---- Func ----

FuncType Func::type() const { return f_ ? to_api(*f_->type, module_of(f_)) : FuncType{}; }

Result<void> Func::call(std::span<const Val> args, std::span<Val> results) const {
  if (!f_) return Error(ErrorKind::Usage, "call of a null function");
  const hull::FuncType& ft = *f_->type;
  const ModuleDesc* md = module_of(f_);
  if (args.size() != ft.params.size()) {
    return Error(ErrorKind::Usage, "expected " + std::to_string(ft.params.size()) +
                                       " arguments, got " + std::to_string(args.size()));
  }
  if (results.size() != ft.results.size()) {
    return Error(ErrorKind::Usage, "expected room for " + std::to_string(ft.results.size()) +
                                       " results, got " + std::to_string(results.size()));
  }
  uint32_t nin = 0, nout = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    ValType want = to_api(ft.params[i], md);
    if (args[i].type() != want) {
      return Error(ErrorKind::Usage, "argument " + std::to_string(i) + " is " +
                                         to_string(args[i].type()) + ", expected " +
                                         to_string(want));
    }
    if (s_ && (want == ValType::FuncRef || want == ValType::ExternRef || want == ValType::AnyRef ||
               want == ValType::ExnRef)) {
      const hull::ValType& exact = type_by_id(f_->type_id).func.params[i];  // canonical
      if (auto why = check_ref(s_->store, exact, args[i].ref_bits()))
        return Error(ErrorKind::Usage, "argument " + std::to_string(i) + " " + *why);
    }
    nin += ft.params[i].slots();
  }
  for (const auto& t : ft.results) nout += t.slots();
  uint64_t small[16];
  std::vector<uint64_t> big;
  uint64_t* slots = small;
  const uint32_t n = std::max<uint32_t>({nin, nout, 1});
  if (n > 16) slots = (big.resize(n), big.data());
  uint64_t* p = slots;
  for (const Val& a : args) {
    a.to_slots(p);
    p += a.type() == ValType::V128 ? 2 : 1;
  }
  if (auto t = call_slots(s_, f_, slots)) return std::move(*t);
  p = slots;
  for (size_t i = 0; i < ft.results.size(); ++i) {
    ValType rt = to_api(ft.results[i], md);
    results[i] = Val::from_slots(rt, p);
    p += ft.results[i].slots();
  }
  return {};
}

Result<std::vector<Val>> Func::call(std::span<const Val> args) const {
  if (!f_) return Error(ErrorKind::Usage, "call of a null function");
  std::vector<Val> out(f_->type->results.size());
  auto r = call(args, out);
  if (!r) return std::move(r).error();
  return out;
}

// ---- Memory ----

MemoryType Memory::type() const {
  MemoryType t{to_api(m_->type.limits)};
  t.limits.min = m_->pages();
  return t;
}
uint8_t* Memory::data() const { return m_->base; }
uint64_t Memory::size() const { return m_->size_acquire(); }
uint64_t Memory::pages() const { return m_->size_acquire() >> m_->type.page_size_log2; }

Result<uint64_t> Memory::grow(uint64_t delta) const {
  uint64_t old = m_->grow(delta);
  if (old == UINT64_MAX) {
    return Error(ErrorKind::Limit, "memory cannot grow by " + std::to_string(delta) +
                                       " pages (maximum " + std::to_string(m_->max_pages) + ")");
  }
  return old;
}

Result<std::span<uint8_t>> Memory::view(uint64_t offset, uint64_t len) const {
  const uint64_t size = m_->size_acquire();  // a shared memory may grow on another thread
  if (offset > size || len > size - offset) {
    return Error(ErrorKind::Usage, "memory range [" + std::to_string(offset) + ", +" +
                                       std::to_string(len) + ") is out of bounds (size " +
                                       std::to_string(size) + ")");
  }
  return std::span<uint8_t>(m_->base + offset, len);
}

Result<void> Memory::read(uint64_t offset, std::span<uint8_t> out) const {
  auto v = view(offset, out.size());
  if (!v) return std::move(v).error();
  if (!out.empty()) std::memcpy(out.data(), v->data(), out.size());
  return {};
}

Result<void> Memory::write(uint64_t offset, std::span<const uint8_t> in) const {
  auto v = view(offset, in.size());
  if (!v) return std::move(v).error();
  if (!in.empty()) std::memcpy(v->data(), in.data(), in.size());
  return {};
}

Result<std::string> Memory::read_string(uint64_t offset, uint64_t len) const {
  auto v = view(offset, len);
  if (!v) return std::move(v).error();
  return std::string(reinterpret_cast<const char*>(v->data()), v->size());
}

Result<Memory> Memory::create(Store& store, const MemoryType& type) {
  hull::MemoryType mt;
  mt.limits = to_internal(type.limits);
  auto m = new_memory(store.impl()->store, mt);
  if (!m) return to_api(m.error());
  return Memory(store.impl(), *m);
}

// ---- SharedMemory ----

Result<SharedMemory> SharedMemory::create(const Engine& engine, const MemoryType& type) {
  if (!type.limits.shared)
    return Error(ErrorKind::Usage, "SharedMemory::create needs a shared memory type");
  if (!type.limits.max) return Error(ErrorKind::Usage, "shared memory must have maximum");
  hull::MemoryType mt;
  mt.limits = to_internal(type.limits);
  auto m = new_shared_memory(mt, engine.config().limits.max_memory_bytes);
  if (!m) return to_api(m.error());
  return SharedMemory(std::move(*m));
}

std::optional<SharedMemory> SharedMemory::from(const Memory& memory) {
  if (!memory.m_ || !memory.s_ || !memory.m_->shared) return std::nullopt;
  auto owned = shared_memory_of(memory.s_->store, memory.m_);
  if (!owned) return std::nullopt;
  return SharedMemory(std::move(owned));
}

Memory SharedMemory::in(Store& store) const {
  adopt_shared_memory(store.impl()->store, m_);
  return Memory(store.impl(), m_.get());
}

MemoryType SharedMemory::type() const {
  MemoryType t{to_api(m_->type.limits)};
  t.limits.min = pages();
  return t;
}
uint8_t* SharedMemory::data() const { return m_->base; }
uint64_t SharedMemory::size() const { return m_->size_acquire(); }
uint64_t SharedMemory::pages() const { return m_->size_acquire() >> m_->type.page_size_log2; }
Result<uint64_t> SharedMemory::grow(uint64_t delta) const {
  uint64_t old = m_->grow(delta);
  if (old == UINT64_MAX) {
    return Error(ErrorKind::Limit, "memory cannot grow by " + std::to_string(delta) +
                                       " pages (maximum " + std::to_string(m_->max_pages) + ")");
  }
  return old;
}

// ---- Global ----

GlobalType Global::type() const { return GlobalType{to_api(g_->type.type, nullptr), g_->type.mut}; }
Val Global::get() const {
  if (s_ && g_->type.type.is_ref()) root_for_host(s_->store, static_cast<RefBits>(g_->value[0]));
  return Val::from_slots(to_api(g_->type.type, nullptr), g_->value);
}

Result<void> Global::set(const Val& v) const {
  if (!g_->type.mut) return Error(ErrorKind::Usage, "global is immutable");
  ValType want = to_api(g_->type.type, nullptr);
  if (v.type() != want) {
    return Error(ErrorKind::Usage,
                 std::string("global is ") + to_string(want) + ", value is " + to_string(v.type()));
  }
  if (s_) {
    if (auto why = check_ref(s_->store, g_->type.type, v.ref_bits()))
      return Error(ErrorKind::Usage, "value " + *why);
  }
  v.to_slots(g_->value);
  return {};
}

Result<Global> Global::create(Store& store, const GlobalType& type, const Val& init) {
  if (init.type() != type.type) return Error(ErrorKind::Usage, "initial value has the wrong type");
  hull::GlobalType gt{to_internal(type.type), type.mut};
  if (auto why = check_ref(store.impl()->store, gt.type, init.ref_bits()))
    return Error(ErrorKind::Usage, "initial value " + *why);
  return Global(store.impl(), new_global(store.impl()->store, gt, to_internal(init)));
}

// ---- Table ----

TableType Table::type() const {
  TableType t{to_api(t_->type.elem, nullptr), to_api(t_->type.limits)};
  t.limits.min = t_->size();
  return t;
}
uint64_t Table::size() const { return t_->size(); }

Result<Val> Table::get(uint64_t index) const {
  if (index >= t_->size()) return Error(ErrorKind::Usage, "table index out of bounds");
  if (s_) root_for_host(s_->store, t_->elems[index]);
  return Val::from_ref_bits(to_api(t_->type.elem, nullptr), t_->elems[index]);
}

Result<void> Table::set(uint64_t index, const Val& v) const {
  if (index >= t_->size()) return Error(ErrorKind::Usage, "table index out of bounds");
  if (v.type() != to_api(t_->type.elem, nullptr)) {
    return Error(ErrorKind::Usage, "value type does not match the table's element type");
  }
  if (auto why = s_ ? check_ref(s_->store, t_->type.elem, v.ref_bits()) : std::nullopt)
    return Error(ErrorKind::Usage, "value " + *why);
  t_->elems[index] = v.ref_bits();
  return {};
}

Result<uint64_t> Table::grow(uint64_t delta, const Val& init) const {
  if (init.type() != to_api(t_->type.elem, nullptr)) {
    return Error(ErrorKind::Usage, "value type does not match the table's element type");
  }
  if (auto why = s_ ? check_ref(s_->store, t_->type.elem, init.ref_bits()) : std::nullopt)
    return Error(ErrorKind::Usage, "initial value " + *why);
  uint64_t old = t_->grow(delta, init.ref_bits());
  if (old == UINT64_MAX) return Error(ErrorKind::Limit, "table cannot grow");
  return old;
}

Result<Table> Table::create(Store& store, const TableType& type, const Val& init) {
  hull::TableType tt;
  tt.elem = to_internal(type.elem);
  tt.limits = to_internal(type.limits);
  if (init.type() != type.elem) return Error(ErrorKind::Usage, "initial value has the wrong type");
  if (auto why = check_ref(store.impl()->store, tt.elem, init.ref_bits()))
    return Error(ErrorKind::Usage, "initial value " + *why);
  auto t = new_table(store.impl()->store, tt, init.ref_bits());
  if (!t) return to_api(t.error());
  return Table(store.impl(), *t);
}

// ---- Instance ----

std::optional<Extern> Instance::get_export(std::string_view name) const {
  if (!i_) return std::nullopt;
  auto it = i_->exports.find(std::string(name));
  if (it == i_->exports.end()) return std::nullopt;
  return to_api(s_, it->second);
}

template <class T>
static std::optional<T> get_as(const Instance& i, std::string_view name) {
  auto e = i.get_export(name);
  if (!e || !std::holds_alternative<T>(*e)) return std::nullopt;
  return std::get<T>(*e);
}

std::optional<Func> Instance::get_func(std::string_view name) const {
  return get_as<Func>(*this, name);
}
std::optional<Memory> Instance::get_memory(std::string_view name) const {
  return get_as<Memory>(*this, name);
}
std::optional<Global> Instance::get_global(std::string_view name) const {
  return get_as<Global>(*this, name);
}
std::optional<Table> Instance::get_table(std::string_view name) const {
  return get_as<Table>(*this, name);
}
std::optional<Tag> Instance::get_tag(std::string_view name) const {
  return get_as<Tag>(*this, name);
}

std::vector<std::pair<std::string, Extern>> Instance::exports() const {
  std::vector<std::pair<std::string, Extern>> out;
  if (!i_) return out;
  // In the module's declaration order, not the hash map's.
  for (const Export& e : i_->module->desc.exports) {
    out.emplace_back(e.name, to_api(s_, i_->exports.at(e.name)));
  }
  return out;
}

std::optional<Extern> Instance::export_at(size_t index) const {
  if (!i_) return std::nullopt;
  const auto& exports = i_->module->desc.exports;
  if (index >= exports.size()) return std::nullopt;
  const Export& e = exports[index];
  switch (e.kind) {
    case hull::ExternKind::Func: return Func(s_, i_->funcs[e.index]);
    case hull::ExternKind::Table: return Table(s_, i_->tables[e.index]);
    case hull::ExternKind::Memory: return Memory(s_, i_->memories[e.index]);
    case hull::ExternKind::Global: return Global(s_, i_->globals[e.index]);
    case hull::ExternKind::Tag: return Tag(s_, i_->tags[e.index]);
  }
  return std::nullopt;
}

// ---- Tag ----

Result<Tag> Tag::create(Store& store, std::vector<ValType> params) {
  hull::FuncType ft;
  for (ValType p : params) ft.params.push_back(to_internal(p));
  hull::Store& st = store.impl()->store;
  hull::Tag& tag = st.tags.emplace_back();
  tag.type_id = canonicalize_func_type(ft);
  tag.type = &type_by_id(tag.type_id).func;
  return Tag(store.impl(), &tag);
}

FuncType Tag::type() const {
  return t_ ? to_api(type_by_id(t_->type_id).func, nullptr) : FuncType{};
}

Trap throw_exception(const Tag& tag, std::vector<Val> args) {
  Trap t;
  t.code = TrapCode::Exception;
  t.message = "uncaught exception";
  t.exception = std::make_shared<Exception>(Exception{tag, std::move(args)});
  return t;
}

// ---- Caller ----

Store& Caller::store() const { return *s_->owner; }

std::optional<Instance> Caller::instance() const {
  if (!i_) return std::nullopt;
  return Instance(s_, i_);
}

std::optional<Extern> Caller::get_export(std::string_view name) const {
  if (!i_) return std::nullopt;
  return Instance(s_, i_).get_export(name);
}

std::optional<Memory> Caller::memory(std::string_view name) const {
  if (!i_) return std::nullopt;
  return Instance(s_, i_).get_memory(name);
}

std::optional<Func> Caller::get_func(std::string_view name) const {
  if (!i_) return std::nullopt;
  return Instance(s_, i_).get_func(name);
}

}  // namespace hull::api
