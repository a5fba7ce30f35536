// wasi:sockets bindings shared by sockets.cc (network, instance-network, ip-name-lookup),
// sockets_tcp.cc and sockets_udp.cc: component values of the network interface's types, the
// grants of a store, and result<T, error-code> answers.
#pragma once

#include <optional>

#include "wasi/core/sockets.h"
#include "wasi/p2/host.h"

namespace hull::wasi::p2 {

// The grants in a store's configuration.
NetworkGrants grants_of(const Ctx& c);

cm::Val family_val(IpFamily f);
IpFamily family_of(const cm::Val& v);  // ip-address-family
cm::Val ip_address_val(const IpAddress& ip);
cm::Val socket_address_val(const SocketAddress& a);
SocketAddress socket_address_of(const cm::Val& v);  // ip-socket-address

// result<_, error-code> / result<T, error-code> from a core result.
api::Result<void> net_answer(const NetResult<void>& r, Results& out);
template <class T, class ToVal>
api::Result<void> net_answer(const NetResult<T>& r, ToVal to_val, Results& out) {
  if (!r) return net_answer(NetResult<void>(r.error()), out);
  out.push_back(cm::Val::ok(to_val(*r)));
  return {};
}

// A pollable in the table, a child of `parent` (which it reads from).
api::Result<cm::Val> child_pollable(Ctx& c, const ResourceTypes& t, uint32_t parent,
                                    std::function<Readiness()> source);

api::Result<void> add_sockets_tcp(cm::Linker& linker, const Types& types);
api::Result<void> add_sockets_udp(cm::Linker& linker, const Types& types);

}  // namespace hull::wasi::p2
