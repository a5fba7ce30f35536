// wat_to_binary: tokenizes a text module and hands its fields to the module parser.
#include "text/wat.h"

#include "text/cursor.h"
#include "text/lexer.h"
#include "text/module_parser.h"

namespace hull::text {

Result<std::vector<uint8_t>> wat_to_binary(std::string_view text, const WatOptions& options) {
  HULL_ASSIGN_OR_RETURN(TokenList tl, tokenize(text));
  Cursor c(tl);
  bool wrapped = c.at_paren("module");
  std::string_view module_name;
  if (wrapped) {
    c.set_pos(2);
    if (c.at(Tok::Id)) module_name = c.next().text;
  }
  HULL_ASSIGN_OR_RETURN(
      std::vector<uint8_t> bin,
      encode_module_fields(c, module_name, options.name_section, options.u32_limits));
  if (wrapped) HULL_TRY(c.expect(Tok::RParen));
  if (!c.at(Tok::Eof)) return c.unexpected();
  return bin;
}

}  // namespace hull::text
