// The component decoder's internals, shared by decoder.cc (sections, definitions) and
// decode_types.cc (types, declarations, names).
//
// Every production reads from a hull::Reader; sections get their own sub-reader, so reading
// past a section's end is "unexpected end-of-file" and unread bytes at its end are "section
// size mismatch". Errors the Reader records (end of input, LEB128, UTF-8) are taken over and
// reworded as wasmparser words them; errors of the component productions are built here,
// because their texts ("invalid leading byte (0x3) for component or instance type
// declaration") are longer than the Reader's short dynamic messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/reader.h"
#include "base/result.h"
#include "component/binary/ast.h"
#include "component/binary/decoder.h"

namespace hull::component::detail {

class Parser {
 public:
  explicit Parser(std::shared_ptr<const std::vector<uint8_t>> bytes) : bytes_(std::move(bytes)) {}

  // Decodes the component in [begin, end) of the buffer into *out (recursively).
  bool component(size_t begin, size_t end, ComponentDesc* out);
  Error error() const;

  // ---- errors ----
  // Records `message` at `at` (the first error wins) and returns false.
  bool fail(std::string message, size_t at);
  // "invalid leading byte (0x<b>) for <what>", at the byte's offset.
  bool bad_byte(uint8_t b, const char* what, size_t at);
  // Takes over the error recorded in `r` (if no error was recorded here yet); returns false.
  bool take(const Reader& r);
  // Enters one level of nesting; false (an error) past kMaxNestingDepth.
  bool enter(size_t at);
  void leave() { --depth_; }
  // Counts one more decoded item against kMaxItems; false (an error) past it.
  bool item(size_t at);

  // ---- shared small productions (decode_types.cc) ----
  bool byte(Reader& r, uint8_t* out, size_t* at);
  bool name(Reader& r, std::string* out);
  bool boolean(Reader& r, bool* out);
  bool valtype(Reader& r, ValTypeUse* out);
  bool opt_valtype(Reader& r, std::optional<ValTypeUse>* out);
  bool resultlist(Reader& r, std::optional<ValTypeUse>* out);
  bool extern_name(Reader& r, ExternName* out);
  bool extern_desc(Reader& r, ExternDesc* out);
  // sort as in sortidx of a component definition (instantiate args, exports): the core sorts
  // other than module are malformed here, as in wasmparser.
  bool component_sort(Reader& r, SortIdx* out);
  bool alias(Reader& r, Alias* out);

  // ---- types ----
  bool core_type(Reader& r, CoreTypeDef* out);
  bool type(Reader& r, TypeDef* out);
  bool decls(Reader& r, bool component, std::vector<Decl>* out);

  // ---- custom sections ----
  void name_section(size_t begin, size_t end, ComponentDesc* out);

 private:
  // ---- sections (decoder.cc) ----
  bool core_module_section(size_t begin, size_t end, ComponentDesc* c);
  bool core_instance(Reader& r, CoreInstanceDef* out);
  bool instance(Reader& r, InstanceDef* out);
  bool canon(Reader& r, Canon* out);
  bool canon_opts(Reader& r, std::vector<CanonOpt>* out);
  bool start(Reader& r, StartDef* out);
  bool import(Reader& r, ImportDef* out);
  bool export_(Reader& r, ExportDef* out);
  bool value(Reader& r, size_t* at);
  bool custom(Reader& r, ComponentDesc* c);
  bool preamble(Reader& r, size_t begin, bool nested);

  bool module_decl(Reader& r, CoreTypeDecl* out);

  std::shared_ptr<const std::vector<uint8_t>> bytes_;
  std::optional<Error> err_;
  int depth_ = 0;
  size_t items_ = 0;
};

// How many elements to reserve for a vector of n elements that take at least `min_bytes`
// each: never more than the rest of the input could hold.
inline size_t capped(uint32_t n, const Reader& r, size_t min_bytes = 1) {
  return n < r.remaining() / min_bytes ? n : r.remaining() / min_bytes;
}

}  // namespace hull::component::detail
