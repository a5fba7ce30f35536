// component_to_binary: tokenizes a text component and hands its fields to the component parser.
#include "text/component.h"

#include "text/component_parser.h"
#include "text/cursor.h"
#include "text/lexer.h"

namespace hull::text {

Result<std::vector<uint8_t>> component_to_binary(std::string_view text, const WatOptions& options) {
  HULL_ASSIGN_OR_RETURN(TokenList tl, tokenize(text));
  Cursor c(tl);
  bool wrapped = c.at_paren("component");
  std::string_view id;
  if (wrapped) {
    c.set_pos(2);
    if (c.at(Tok::Id)) id = c.next().text;
  }
  HULL_ASSIGN_OR_RETURN(std::vector<uint8_t> bin,
                        encode_component_fields(c, id, options.name_section));
  if (wrapped) HULL_TRY(c.expect(Tok::RParen));
  if (!c.at(Tok::Eof)) return c.unexpected();
  return bin;
}

}  // namespace hull::text
