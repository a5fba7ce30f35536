// Custom section checks (custom_sections.h).
#include "valid/custom_sections.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "base/reader.h"
#include "valid/validator.h"

namespace hull {

namespace {

constexpr std::string_view kBranchHints = "metadata.code.branch_hint";

Error hint_error(ErrorKind kind, const std::string& what, size_t offset) {
  return Error{kind, "@metadata.code.branch_hint annotation: " + what, offset, 0, 0};
}

// Records where each `if` and `br_if` of one body begins, relative to the body's start.
struct BranchSites {
  size_t body_begin = 0;
  std::vector<uint32_t> offsets;  // ascending: instructions arrive in order
  void begin_function(uint32_t, const FuncType&, std::span<const ValType>) {}
  void instr(const Instr& in, bool, std::span<const ValType>, std::span<const ValType>) {
    if (in.op == Op::if_ || in.op == Op::br_if)
      offsets.push_back(static_cast<uint32_t>(in.offset - body_begin));
  }
  Status end_function() { return {}; }
};

Status check_branch_hints(const ModuleDesc& m, const CustomSection& s) {
  Reader r(std::span<const uint8_t>(m.bytes.data() + s.contents.begin, s.contents.size()),
           s.contents.begin);
  auto malformed = [&r]() {
    return hint_error(ErrorKind::Malformed, r.error_message(), r.offset());
  };
  uint32_t nfuncs;
  if (!r.u32(&nfuncs)) return malformed();
  std::optional<ModuleInfo> info;
  int64_t prev_func = -1;
  for (uint32_t f = 0; f < nfuncs; ++f) {
    const size_t func_at = r.offset();
    uint32_t func, nhints;
    if (!r.u32(&func) || !r.u32(&nhints)) return malformed();
    if (func < m.num_imported_funcs || func >= m.num_funcs())
      return hint_error(ErrorKind::Invalid,
                        "invalid function " + std::to_string(func) + " (not defined here)",
                        func_at);
    if (int64_t(func) <= prev_func)
      return hint_error(ErrorKind::Invalid, "functions out of order", func_at);
    prev_func = func;
    if (!info) {
      info.emplace();
      HULL_TRY(validate_module_level(m, &*info));
    }
    BranchSites sites;
    sites.body_begin = m.bodies[func - m.num_imported_funcs].whole.begin;
    HULL_TRY(validate_function(m, *info, func, sites));
    int64_t prev_offset = -1;
    for (uint32_t h = 0; h < nhints; ++h) {
      const size_t hint_at = r.offset();
      uint32_t offset, size;
      const uint8_t* value;
      if (!r.u32(&offset) || !r.u32(&size) || !r.bytes(size, &value)) return malformed();
      if (int64_t(offset) <= prev_offset)
        return hint_error(ErrorKind::Invalid, "hints out of order", hint_at);
      prev_offset = offset;
      if (!std::binary_search(sites.offsets.begin(), sites.offsets.end(), offset)) {
        char buf[96];
        std::snprintf(buf, sizeof buf,
                      "invalid target: offset %u of function %u is not an if or br_if", offset,
                      func);
        return hint_error(ErrorKind::Invalid, buf, hint_at);
      }
      if (size != 1 || *value > 1)
        return hint_error(ErrorKind::Invalid, "hint must be one byte, 0 or 1", hint_at);
    }
  }
  if (!r.at_end()) return hint_error(ErrorKind::Malformed, "section size mismatch", r.offset());
  return {};
}

}  // namespace

Status check_custom_sections(const ModuleDesc& m) {
  for (const CustomSection& s : m.customs)
    if (s.name == kBranchHints) HULL_TRY(check_branch_hints(m, s));
  return {};
}

}  // namespace hull
