// Typed component calls on Wit<T> (component_wit.hh): TypedFunc for exports, typed_host for
// host functions, handles to guests' resources (GuestHandle) and host resources whose
// representations are C++ objects (Resource<T>). Types are checked once, when a function is
// looked up or linked; calls then lift and lower directly (component_raw.hh) where the
// canonical ABI allows. `hull bindgen cpp` generates code on these (docs/EMBEDDING.md,
// "Bindings from WIT").
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hull/component.hh"
#include "hull/component_raw.hh"
#include "hull/component_wit.hh"

namespace hull::api::component {

// An owned handle to a guest's resource, held by the host: move-only; the destructor drops the
// handle (running the guest's destructor). Generated bindings derive one class per resource.
// Passing it as an `own` argument moves it into the guest: call release() after the call.
class GuestHandle {
 public:
  GuestHandle() = default;
  explicit GuestHandle(ResourceAny h) : h_(h) {}
  GuestHandle(GuestHandle&& o) noexcept : h_(std::exchange(o.h_, std::nullopt)) {}
  GuestHandle& operator=(GuestHandle&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, std::nullopt);
    }
    return *this;
  }
  GuestHandle(const GuestHandle&) = delete;
  GuestHandle& operator=(const GuestHandle&) = delete;
  ~GuestHandle() { reset(); }

  bool valid() const { return h_.has_value(); }
  // The raw handle (for a call); an empty ResourceAny if this handle was released or moved.
  ResourceAny raw() const { return h_.value_or(ResourceAny{}); }
  // Gives up ownership without dropping (after the handle moved into the guest).
  ResourceAny release() { return std::exchange(h_, std::nullopt).value_or(ResourceAny{}); }
  // Drops the handle now; an error (e.g. a trap in the guest's destructor) is returned.
  Result<void> drop() {
    if (!h_) return {};
    ResourceAny h = *std::exchange(h_, std::nullopt);
    return resource_drop(h);
  }
  void reset() { (void)drop(); }

 private:
  std::optional<ResourceAny> h_;
};

namespace detail {
// Wit<H> for a class H derived from GuestHandle.
template <class H>
struct WitGuestHandle : WitHandle {
  static Result<void> lower(raw::Context& cx, const Type& t, const H& h, raw::Flat*& out) {
    return lower_any(cx, t, h.raw(), out);
  }
  static Result<void> store(raw::Context& cx, const Type& t, const H& h, uint32_t ptr) {
    return store_any(cx, t, h.raw(), ptr);
  }
  static Result<H> lift(raw::Context& cx, const Type& t, const raw::Flat*& in) {
    auto r = lift_any(cx, t, in);
    if (!r) return std::move(r).error();
    return H(*r);
  }
  static Result<H> load(raw::Context& cx, const Type& t, uint32_t ptr) {
    auto r = load_any(cx, t, ptr);
    if (!r) return std::move(r).error();
    return H(*r);
  }
  static Type type() { return any_handle_type(); }  // the resource is checked when lowered
  static Val to_val(const H& h) { return Val::resource(h.raw()); }
  static Result<H> from_val(const Val& v) {
    if (v.kind() != TypeKind::Own && v.kind() != TypeKind::Borrow) return mismatch("resource", v);
    return H(v.as_resource());
  }
};
}  // namespace detail

// A component function whose type was checked against R(Args...) at lookup.
template <class Sig>
class TypedFunc;
template <class R, class... Args>
class TypedFunc<R(Args...)> {
 public:
  static Result<TypedFunc> of(const Func& f) {
    const FuncType& t = f.type();
    std::vector<Type> want{Wit<detail::Bare<Args>>::type()...};
    if (want.size() != t.params.size()) {
      return Error(ErrorKind::Unlinkable,
                   "function " + to_string(t) + " takes " + std::to_string(t.params.size()) +
                       " parameters, the C++ signature " + std::to_string(want.size()));
    }
    for (size_t i = 0; i < want.size(); ++i) {
      if (!detail::wit_matches(want[i], t.params[i].type)) {
        return Error(ErrorKind::Unlinkable, "parameter `" + t.params[i].name + "` is " +
                                                to_string(t.params[i].type) +
                                                ", the C++ signature has " + to_string(want[i]));
      }
    }
    if constexpr (std::is_void_v<R>) {
      if (!t.result.empty())
        return Error(ErrorKind::Unlinkable, "function " + to_string(t) + " returns a value");
    } else {
      if (t.result.empty() || !detail::wit_matches(Wit<R>::type(), t.result)) {
        return Error(ErrorKind::Unlinkable,
                     "function " + to_string(t) + " does not return " + to_string(Wit<R>::type()));
      }
    }
    return TypedFunc(f);
  }
  Result<R> call(const Args&... args) const {
    if (direct_) return call_direct(args...);
    Val vals[sizeof...(Args) + 1] = {Wit<detail::Bare<Args>>::to_val(args)...};
    auto r = f_.call(std::span<const Val>(vals, sizeof...(Args)));
    if (!r) return std::move(r).error();
    if constexpr (std::is_void_v<R>) {
      return Result<void>();
    } else {
      return Wit<R>::from_val((*r)[0]);
    }
  }
  Result<R> operator()(const Args&... args) const { return call(args...); }
  const Func& func() const { return f_; }

 private:
  using Params = std::tuple<detail::Bare<Args>...>;
  using RV = std::conditional_t<std::is_void_v<R>, bool, R>;  // what a call produces
  static constexpr size_t kFlatParams = detail::FieldsLayout<detail::Bare<Args>...>::flat_count();

  explicit TypedFunc(Func f) : f_(std::move(f)), direct_(raw::can_call_export(f_)) {}

  // The arguments and the lifted result of one direct call (raw::ExportCall's env).
  struct Call {
    const TypedFunc* self;
    std::tuple<const Args&...> args;
    std::optional<RV> result;
  };

  // Lowers the arguments straight into the callee: flat, or (more than 16 flat values) a
  // tuple in memory from the callee's realloc, passed by pointer.
  static Result<size_t> lower_args(void* env, raw::Context& cx, raw::Flat* out) {
    auto& c = *static_cast<Call*>(env);
    const FuncType& t = c.self->f_.type();
    Result<void> r;
    if constexpr (kFlatParams > raw::kMaxFlatParams) {
      using Layout = detail::FieldsLayout<detail::Bare<Args>...>;
      constexpr auto off = Layout::offsets();
      auto ptr = cx.alloc_params(Layout::size(), Layout::align());
      if (!ptr) return std::move(ptr).error();
      [&]<size_t... I>(std::index_sequence<I...>) {
        ((r ? void(r = Wit<std::tuple_element_t<I, Params>>::store(
                       cx, t.params[I].type, std::get<I>(c.args), *ptr + off[I]))
            : void()),
         ...);
      }(std::index_sequence_for<Args...>{});
      if (!r) return std::move(r).error();
      out[0] = *ptr;
      return size_t{1};
    } else {
      raw::Flat* at = out;
      [&]<size_t... I>(std::index_sequence<I...>) {
        ((r ? void(r = Wit<std::tuple_element_t<I, Params>>::lower(cx, t.params[I].type,
                                                                   std::get<I>(c.args), at))
            : void()),
         ...);
      }(std::index_sequence_for<Args...>{});
      if (!r) return std::move(r).error();
      return static_cast<size_t>(at - out);
    }
  }

  // Lifts the result from the core result: the value itself, or a pointer to it.
  static Result<void> lift_result(void* env, raw::Context& cx, const raw::Flat* results, size_t n) {
    auto& c = *static_cast<Call*>(env);
    if constexpr (std::is_void_v<R>) {
      (void)cx, (void)results, (void)n;
      c.result = true;
      return {};
    } else {
      const Type& t = c.self->f_.type().result;
      if (n != 1)
        return Error(ErrorKind::Usage, "canonical ABI: core values do not match the result");
      Result<R> v = Error(ErrorKind::Usage, "");
      if constexpr (Wit<R>::flat_count() > raw::kMaxFlatResults) {
        auto ptr = static_cast<uint32_t>(results[0]);
        if (auto ok =
                cx.check_pointer(ptr, Wit<R>::size(), Wit<R>::align(), raw::PointerFor::ReturnArea);
            !ok)
          return ok;
        v = Wit<R>::load(cx, t, ptr);
      } else {
        const raw::Flat* in = results;
        v = Wit<R>::lift(cx, t, in);
      }
      if (!v) return std::move(v).error();
      c.result.emplace(std::move(*v));
      return {};
    }
  }

  Result<R> call_direct(const Args&... args) const {
    Call c{this, std::tuple<const Args&...>(args...), std::nullopt};
    raw::ExportCall call{&c, &lower_args, &lift_result};
    if (auto r = raw::call_export(f_, call); !r) return std::move(r).error();
    if constexpr (std::is_void_v<R>) {
      return Result<void>();
    } else {
      return std::move(*c.result);
    }
  }

  Func f_;
  bool direct_ = false;
};

// Looks up export `name` of `instance` as a TypedFunc<Sig> (Unlinkable error on a type
// mismatch, naming the parameter).
template <class Sig>
Result<TypedFunc<Sig>> typed_func(const Instance& instance, std::string_view name) {
  auto f = instance.get_func(name);
  if (!f) return Error(ErrorKind::Unlinkable, "no exported function `" + std::string(name) + "`");
  return TypedFunc<Sig>::of(*f);
}

namespace detail {
// What a host function's parameter is lifted into on the direct path: views own their data
// for the call (the guest's memory may move while the host runs).
template <class T>
struct Owned {
  using Type = T;
};
template <>
struct Owned<std::string_view> {
  using Type = std::string;
};
template <class T>
struct Owned<std::span<const T>> {
  using Type = std::vector<T>;
};

template <class Tuple>
struct OwnedTuple;
template <class... Ts>
struct OwnedTuple<std::tuple<Ts...>> {
  using Type = std::tuple<typename Owned<Ts>::Type...>;
};

// A host function's parameters without a leading Store (the calling instance's store, which
// the runtime passes: it is no component-level parameter).
template <class Tuple>
struct WithoutStore {
  static constexpr bool kTakesStore = false;
  using Type = Tuple;
};
template <class... Ts>
struct WithoutStore<std::tuple<Store, Ts...>> {
  static constexpr bool kTakesStore = true;
  using Type = std::tuple<Ts...>;
};

// The typed host function behind typed_host(): both call paths over one callable.
template <class F>
class TypedHost final : public raw::HostImpl {
  using Sig = Signature<Bare<F>>;
  using R = typename Sig::Ret;
  using Args = typename WithoutStore<typename Sig::Args>::Type;
  using Lifted = typename OwnedTuple<Args>::Type;
  static constexpr size_t kArgs = std::tuple_size_v<Args>;
  template <class X>
  struct Inner {
    using Type = X;
  };
  template <class X>
  struct Inner<Result<X>> {
    using Type = X;
  };
  using Out = typename Inner<R>::Type;  // the value the guest receives (void: none)

 public:
  static constexpr bool kTakesStore = WithoutStore<typename Sig::Args>::kTakesStore;

  explicit TypedHost(F fn) : fn_(std::move(fn)) {
    // The C++ signature's types, built once: accepts() runs for every lowered import of every
    // instance (per request in a server).
    [&]<size_t... I>(std::index_sequence<I...>) {
      (want_params_.push_back(Wit<std::tuple_element_t<I, Lifted>>::type()), ...);
    }(std::make_index_sequence<kArgs>{});
    if constexpr (!std::is_void_v<Out>) want_result_ = Wit<Out>::type();
  }

  // Runs for every lowered import of every instance (per request in a server), so decisions are
  // remembered by the identity of the import's type nodes (held here, so that no other type
  // can take their addresses): matching a large variant structurally costs thousands of
  // instructions.
  bool accepts(const FuncType& t) const override {
    std::lock_guard<std::mutex> lock(accepted_mu_);
    for (const Decision& d : accepted_) {
      if (d.is_for(t)) return d.accepts;
    }
    Decision d{{}, t.result, t.async, matches(t)};
    for (const Field& p : t.params) d.params.push_back(p.type);
    if (accepted_.size() >= kMaxDecisions) accepted_.erase(accepted_.begin());
    accepted_.push_back(std::move(d));
    return accepted_.back().accepts;
  }

  Result<size_t> call_raw(raw::Context& cx, const FuncType& t, std::span<const raw::Flat> args,
                          raw::Flat* results) override {
    using Layout = typename LayoutOf<Lifted>::Type;
    if constexpr (kTakesStore) {
      if (!cx.store()) return no_store();
    }
    Lifted in;
    Result<void> r;
    size_t used = 0;
    if constexpr (Layout::flat_count() > raw::kMaxFlatParams) {
      // Spilled: one pointer to a tuple of the params in the caller's memory.
      constexpr auto off = Layout::offsets();
      auto ptr = static_cast<uint32_t>(args.empty() ? 0 : args[0]);
      r = cx.check_pointer(ptr, Layout::size(), Layout::align(), raw::PointerFor::Params);
      if (!r) return std::move(r).error();
      each_arg(
          [&]<size_t I, class M>(M& x) -> Result<void> {
            auto v = Wit<M>::load(cx, t.params[I].type, ptr + off[I]);
            if (!v) return std::move(v).error();
            x = std::move(*v);
            return {};
          },
          in, r);
      used = 1;
    } else {
      const raw::Flat* at = args.data();
      each_arg(
          [&]<size_t I, class M>(M& x) -> Result<void> {
            auto v = Wit<M>::lift(cx, t.params[I].type, at);
            if (!v) return std::move(v).error();
            x = std::move(*v);
            return {};
          },
          in, r);
      used = static_cast<size_t>(at - args.data());
    }
    if (!r) return std::move(r).error();
    if constexpr (std::is_void_v<Out>) {
      if constexpr (IsResultT<R>) {
        auto out = invoke(cx.store(), std::move(in));
        if (!out) return std::move(out).error();
      } else {
        invoke(cx.store(), std::move(in));
      }
      return size_t{0};
    } else {
      auto produced = invoke(cx.store(), std::move(in));
      const Out* out = nullptr;
      if constexpr (IsResultT<R>) {
        if (!produced) return std::move(produced).error();
        out = &*produced;
      } else {
        out = &produced;
      }
      if constexpr (Wit<Out>::flat_count() > raw::kMaxFlatResults) {
        // Through memory: the caller passed the result pointer last.
        auto ptr = static_cast<uint32_t>(used < args.size() ? args[args.size() - 1] : 0);
        if (auto ok =
                cx.check_pointer(ptr, Wit<Out>::size(), Wit<Out>::align(), raw::PointerFor::Params);
            !ok)
          return std::move(ok).error();
        if (auto ok = Wit<Out>::store(cx, t.result, *out, ptr); !ok) return std::move(ok).error();
        return size_t{0};
      } else {
        raw::Flat* at = results;
        if (auto ok = Wit<Out>::lower(cx, t.result, *out, at); !ok) return std::move(ok).error();
        return size_t{1};
      }
    }
  }

  Result<void> call_vals(std::span<const Val> args, std::vector<Val>& results) override {
    if constexpr (kTakesStore) {
      return no_store();
    } else {
      return call_vals_with(nullptr, args, results);
    }
  }
  Result<void> call_vals_in(Store& store, std::span<const Val> args,
                            std::vector<Val>& results) override {
    return call_vals_with(&store, args, results);
  }

 private:
  static Error no_store() {
    return Error(ErrorKind::Usage, "this host function needs the store of a calling instance");
  }
  // fn_(args...), or fn_(*store, args...) when it takes the store.
  template <class Tuple>
  decltype(auto) invoke(Store* store, Tuple&& args) {
    if constexpr (kTakesStore) {
      return std::apply(
          [&](auto&&... a) -> decltype(auto) {
            return fn_(*store, std::forward<decltype(a)>(a)...);
          },
          std::forward<Tuple>(args));
    } else {
      (void)store;
      return std::apply(fn_, std::forward<Tuple>(args));
    }
  }

  Result<void> call_vals_with(Store* store, std::span<const Val> args, std::vector<Val>& results) {
    if (args.size() != kArgs) {
      return Error(ErrorKind::Usage, "host function takes " + std::to_string(kArgs) +
                                         " arguments, got " + std::to_string(args.size()));
    }
    Args converted;
    std::optional<Error> err;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((err ? void() : [&] {
         auto r = Wit<std::tuple_element_t<I, Args>>::from_val(args[I]);
         if (!r) {
           err = Error(ErrorKind::Usage, "argument " + std::to_string(I) + ": " + r.error().message);
         } else {
           std::get<I>(converted) = std::move(*r);
         }
       }()),
       ...);
    }(std::make_index_sequence<kArgs>{});
    if (err) return *err;
    if constexpr (std::is_void_v<R>) {
      invoke(store, converted);
      return {};
    } else if constexpr (IsResultT<R>) {
      R r = invoke(store, converted);
      if (!r) return std::move(r).error();
      if constexpr (!std::is_void_v<Out>) results.push_back(Wit<Out>::to_val(*r));
      return {};
    } else {
      results.push_back(Wit<R>::to_val(invoke(store, converted)));
      return {};
    }
  }

  template <class X>
  static constexpr bool IsResultT = hull::api::detail::IsResult<X>::value;
  template <class Tuple>
  struct LayoutOf;
  template <class... Ts>
  struct LayoutOf<std::tuple<Ts...>> {
    using Type = FieldsLayout<Ts...>;
  };
  // f.template operator()<I, M>(element) for each element of `in`, stopping at an error.
  template <class G>
  static void each_arg(G&& f, Lifted& in, Result<void>& r) {
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((r ? void(r = f.template operator()<I, std::tuple_element_t<I, Lifted>>(std::get<I>(in)))
          : void()),
       ...);
    }(std::make_index_sequence<kArgs>{});
  }

  bool matches(const FuncType& t) const {
    if (t.params.size() != kArgs || t.async) return false;
    for (size_t i = 0; i < kArgs; ++i) {
      if (!wit_matches(want_params_[i], t.params[i].type)) return false;
    }
    if constexpr (std::is_void_v<Out>) {
      return t.result.empty();
    } else {
      return !t.result.empty() && wit_matches(want_result_, t.result);
    }
  }
  struct Decision {
    std::vector<Type> params;
    Type result;
    bool async = false;
    bool accepts = false;
    bool is_for(const FuncType& t) const {
      if (t.params.size() != params.size() || t.async != async) return false;
      for (size_t i = 0; i < params.size(); ++i) {
        if (t.params[i].type.ptr() != params[i].ptr()) return false;
      }
      return t.result.ptr() == result.ptr();
    }
  };
  static constexpr size_t kMaxDecisions = 16;

  F fn_;
  std::vector<Type> want_params_;
  Type want_result_;
  mutable std::mutex accepted_mu_;
  mutable std::vector<Decision> accepted_;
};
}  // namespace detail

// Wraps a typed C++ callable as a HostFunc. A guest calling it through an import whose type
// the C++ signature matches passes its core values straight to typed lifting and lowering
// (component_raw.hh); other callers go through Vals (a mismatch traps naming the parameter).
// The callable may return void, a value, or Result<...> of those (an error becomes a trap).
// A callable whose first parameter is `Store&` receives the calling instance's store there
// (per-store host state, as StoreHostFunc): typed_host then gives a StoreHostFunc.
template <class F>
auto typed_host(F fn) {
  auto impl = std::make_shared<detail::TypedHost<F>>(std::move(fn));
  if constexpr (detail::TypedHost<F>::kTakesStore) {
    return StoreHostFunc(raw::StoreHostThunk{std::move(impl)});
  } else {
    return HostFunc(raw::HostThunk{std::move(impl)});
  }
}

// A host-defined resource whose representations are C++ objects: `Resource<T>::define`
// defines the resource type in a Linker; `make(T)` gives a new owned handle to return to a
// guest; `get(handle)` finds the object behind a handle a guest passed (own or borrow). When a
// guest drops its owned handle the object is destroyed. Objects live in a table shared by
// every store that instantiates through the linker; a handle of another resource type is
// refused.
template <class T>
class Resource {
 public:
  static Result<Resource> define(Linker& linker, std::string_view path) {
    auto objects = std::make_shared<Table>();
    auto type = linker.resource(path, [objects](uint32_t rep) { objects->items.erase(rep); });
    if (!type) return std::move(type).error();
    return Resource(*type, std::move(objects));
  }
  // A new owned handle for `value` (as a Val to return from a host function).
  Val make(T value) const {
    uint32_t rep = table_->next++;
    table_->items.emplace(rep, std::make_unique<T>(std::move(value)));
    return Val::resource(ResourceAny{type_.id, rep, true, 0});
  }
  // A new owned handle for a heap object (T may be abstract: an interface the host implements).
  Val make(std::unique_ptr<T> value) const {
    uint32_t rep = table_->next++;
    table_->items.emplace(rep, std::move(value));
    return Val::resource(ResourceAny{type_.id, rep, true, 0});
  }
  // The same as a handle (what a typed host function returns for an `own<R>` result).
  ResourceAny make_handle(std::unique_ptr<T> value) const {
    return make(std::move(value)).as_resource();
  }
  // Takes the object behind an owned handle the guest gave up (an `own` argument): the host
  // owns it from now on.
  Result<std::unique_ptr<T>> take(const ResourceAny& handle) const {
    if (handle.type != type_.id) return Error(ErrorKind::Usage, "handle of another resource type");
    auto it = table_->items.find(handle.rep);
    if (it == table_->items.end()) return Error(ErrorKind::Usage, "resource was dropped");
    std::unique_ptr<T> out = std::move(it->second);
    table_->items.erase(it);
    return out;
  }
  // The object behind `handle`, or a Usage error for a handle of another type or a dropped one.
  Result<T*> get(const ResourceAny& handle) const {
    if (handle.type != type_.id) return Error(ErrorKind::Usage, "handle of another resource type");
    auto it = table_->items.find(handle.rep);
    if (it == table_->items.end()) return Error(ErrorKind::Usage, "resource was dropped");
    return it->second.get();
  }
  size_t live() const { return table_->items.size(); }
  ResourceType type() const { return type_; }

 private:
  struct Table {
    uint32_t next = 1;
    std::map<uint32_t, std::unique_ptr<T>> items;
  };
  Resource(ResourceType type, std::shared_ptr<Table> table)
      : type_(type), table_(std::move(table)) {}
  ResourceType type_;
  std::shared_ptr<Table> table_;
};

}  // namespace hull::api::component
