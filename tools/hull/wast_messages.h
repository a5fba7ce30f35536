// Whether a failure message of Hull satisfies the text a .wast assertion expects.
#pragma once

#include <span>
#include <string_view>

namespace hull::cli {

// One documented exception to the prefix rule: an assertion expecting `expected` is also
// satisfied by a Hull message starting with `hull`. `expected` ending in '*' stands for every
// expected text starting with what precedes the '*'. Text-only entries apply only to errors
// of the text format (a quoted or inline text module that did not parse), where Hull's parser
// and the reference interpreter's lexer and parser divide the blame differently; `why` says
// how.
struct MessageAlias {
  std::string_view expected;
  std::string_view hull;
  bool text_only;
  std::string_view why;
};

// The reference interpreter's rule (the expected text is a prefix of the actual message), or
// an entry of the alias table. `text` says whether the error comes from the text format.
bool message_satisfies(std::string_view actual, std::string_view expected, bool text = false);

// The alias table, for documentation (hull wast --message-aliases) and tests.
std::span<const MessageAlias> message_aliases();

}  // namespace hull::cli
