// What the wasi:http binding files share: the method and scheme variants as component values,
// the resource types of a linker's wasi:http (found again by the incoming side), and the
// interface definers.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "wasi/http/error_code.h"
#include "wasi/http/fields.h"
#include "wasi/p2/host.h"

namespace hull::wasi::http {

namespace p2 = hull::wasi::p2;
namespace api = hull::api;
using p2::Args;
using p2::Ctx;
using p2::Results;

// method: the WIT cases map to their upper-case tokens; other(s) is s.
cm::Val method_val(const std::string& method);
std::string method_of(const cm::Val& v);
bool is_valid_method(std::string_view method);
// scheme: HTTP / HTTPS / other(s).
cm::Val scheme_val(const std::string& scheme);
std::string scheme_of(const cm::Val& v);

cm::Val field_entries_val(const FieldEntries& entries);
FieldEntries field_entries_of(const cm::Val& list);

// The resource types of the most recently defined wasi:http that is still alive (a linker
// keeps its definitions alive): the incoming side needs them to hand resources to a guest.
std::shared_ptr<const p2::ResourceTypes> current_types();
void register_types(const std::shared_ptr<const p2::ResourceTypes>& types);

api::Result<void> add_http_types(cm::Linker& linker, const p2::Types& types);
api::Result<void> add_outgoing_handler(cm::Linker& linker, const p2::Types& types);

}  // namespace hull::wasi::http
