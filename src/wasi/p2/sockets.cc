// wasi:sockets — network (the network resource, error codes, addresses), instance-network and
// ip-name-lookup here; tcp and tcp-create-socket in sockets_tcp.cc, udp and
// udp-create-socket in sockets_udp.cc. The socket logic is the core's (wasi/core/sockets.h).
#include "wasi/p2/sockets.h"

namespace hull::wasi::p2 {

NetworkGrants grants_of(const Ctx& c) {
  NetworkGrants g;
  g.inherit_network = c.config.inherit_network;
  g.tcp = c.config.allow_tcp;
  g.udp = c.config.allow_udp;
  g.ip_name_lookup = c.config.allow_ip_name_lookup;
  return g;
}

cm::Val family_val(IpFamily f) {
  return cm::Val::enumeration(f == IpFamily::ipv4 ? "ipv4" : "ipv6");
}

IpFamily family_of(const cm::Val& v) {
  return v.case_name() == "ipv6" ? IpFamily::ipv6 : IpFamily::ipv4;
}

namespace {

cm::Val ipv4_tuple(const IpAddress& ip) {
  std::vector<cm::Val> parts;
  for (uint8_t b : ip.v4) parts.push_back(cm::Val::u8(b));
  return cm::Val::tuple(std::move(parts));
}

cm::Val ipv6_tuple(const IpAddress& ip) {
  std::vector<cm::Val> parts;
  for (uint16_t s : ip.v6) parts.push_back(cm::Val::u16(s));
  return cm::Val::tuple(std::move(parts));
}

IpAddress ip_of_tuple(IpFamily family, const cm::Val& tuple) {
  IpAddress ip;
  ip.family = family;
  const auto& parts = tuple.items();
  if (family == IpFamily::ipv4) {
    for (size_t i = 0; i < 4 && i < parts.size(); ++i) {
      ip.v4[i] = static_cast<uint8_t>(parts[i].as_u64());
    }
  } else {
    for (size_t i = 0; i < 8 && i < parts.size(); ++i) {
      ip.v6[i] = static_cast<uint16_t>(parts[i].as_u64());
    }
  }
  return ip;
}

}  // namespace

cm::Val ip_address_val(const IpAddress& ip) {
  return ip.family == IpFamily::ipv4 ? cm::Val::variant("ipv4", ipv4_tuple(ip))
                                     : cm::Val::variant("ipv6", ipv6_tuple(ip));
}

cm::Val socket_address_val(const SocketAddress& a) {
  if (a.ip.family == IpFamily::ipv4) {
    return cm::Val::variant(
        "ipv4", cm::Val::record({{"port", cm::Val::u16(a.port)}, {"address", ipv4_tuple(a.ip)}}));
  }
  return cm::Val::variant("ipv6", cm::Val::record({{"port", cm::Val::u16(a.port)},
                                                   {"flow-info", cm::Val::u32(a.flow_info)},
                                                   {"address", ipv6_tuple(a.ip)},
                                                   {"scope-id", cm::Val::u32(a.scope_id)}}));
}

SocketAddress socket_address_of(const cm::Val& v) {
  SocketAddress a;
  const cm::Val* rec = v.payload();
  if (!rec) return a;
  // Record fields come in the type's order: ipv4 (port, address), ipv6 (port, flow-info,
  // address, scope-id).
  const auto& f = rec->items();
  if (v.case_name() == "ipv4" && f.size() == 2) {
    a.port = static_cast<uint16_t>(f[0].as_u64());
    a.ip = ip_of_tuple(IpFamily::ipv4, f[1]);
  } else if (v.case_name() == "ipv6" && f.size() == 4) {
    a.port = static_cast<uint16_t>(f[0].as_u64());
    a.flow_info = static_cast<uint32_t>(f[1].as_u64());
    a.ip = ip_of_tuple(IpFamily::ipv6, f[2]);
    a.scope_id = static_cast<uint32_t>(f[3].as_u64());
  }
  return a;
}

api::Result<void> net_answer(const NetResult<void>& r, Results& out) {
  out.push_back(r ? cm::Val::ok() : cm::Val::err(cm::Val::enumeration(net_error_name(r.error()))));
  return {};
}

api::Result<cm::Val> child_pollable(Ctx& c, const ResourceTypes& t, uint32_t parent,
                                    std::function<Readiness()> source) {
  auto rep = push(c, std::make_unique<Pollable>(std::move(source)), parent);
  if (!rep) return std::move(rep).error();
  return own(t.pollable, *rep);
}

namespace {

api::Result<void> add_network(cm::Linker& linker, const Types& types) {
  {
    Definer d(linker, "wasi:sockets/network");
    d.uses("error", types->error);
    types->network = d.resource("network");
    // The error code behind a stream's last-operation-failed error, when a socket caused it.
    d.fn("network-error-code", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
      auto e = get<IoError>(c, a[0], "error");
      if (!e) return std::move(e).error();
      NetError code = net_error_from((*e)->code);
      r.push_back(code == NetError::unknown
                      ? cm::Val::none()
                      : cm::Val::some(cm::Val::enumeration(net_error_name(code))));
      return {};
    });
    if (auto st = d.status(); !st) return st;
  }
  Definer d(linker, "wasi:sockets/instance-network");
  d.uses("network", types->network);
  d.fn("instance-network", [types](Ctx& c, Args, Results& r) -> api::Result<void> {
    auto rep = push(c, std::make_unique<Network>());
    if (!rep) return std::move(rep).error();
    r.push_back(own(types->network, *rep));
    return {};
  });
  return d.status();
}

api::Result<void> add_ip_name_lookup(cm::Linker& linker, const Types& types) {
  Definer d(linker, "wasi:sockets/ip-name-lookup");
  d.uses("pollable", types->pollable);
  d.uses("network", types->network);
  types->resolve_address_stream = d.resource("resolve-address-stream");
  d.fn("resolve-addresses", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    if (auto n = get<Network>(c, a[0], "network"); !n) return std::move(n).error();
    // The lookup completes here (getaddrinfo blocks): the stream then never says would-block.
    auto found = resolve_addresses(a[1].as_string(), grants_of(c));
    if (!found) return net_answer(NetResult<void>(found.error()), r);
    auto rep = push(c, std::make_unique<ResolveAddressStream>(std::move(*found)));
    if (!rep) return std::move(rep).error();
    r.push_back(cm::Val::ok(own(types->resolve_address_stream, *rep)));
    return {};
  });
  d.fn("[method]resolve-address-stream.resolve-next-address",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<ResolveAddressStream>(c, a[0], "resolve-address-stream");
         if (!s) return std::move(s).error();
         std::optional<IpAddress> next = (*s)->next();
         r.push_back(cm::Val::ok(next ? cm::Val::some(ip_address_val(*next)) : cm::Val::none()));
         return {};
       });
  d.fn("[method]resolve-address-stream.subscribe",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<ResolveAddressStream>(c, a[0], "resolve-address-stream");
         if (!s) return std::move(s).error();
         auto p = child_pollable(c, *types, rep_of(a[0]), [] { return Readiness::ready(); });
         if (!p) return std::move(p).error();
         r.push_back(std::move(*p));
         return {};
       });
  return d.status();
}

}  // namespace

api::Result<void> add_sockets(cm::Linker& linker, const Types& types) {
  if (auto r = add_network(linker, types); !r) return r;
  if (auto r = add_ip_name_lookup(linker, types); !r) return r;
  if (auto r = add_sockets_tcp(linker, types); !r) return r;
  return add_sockets_udp(linker, types);
}

}  // namespace hull::wasi::p2
