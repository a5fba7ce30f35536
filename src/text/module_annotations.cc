// The annotations of a text module that become custom sections (spec appendix "Custom
// Sections and Annotations"): `(@custom "name" place? "bytes"*)` as module fields,
// `(@name "text")` after `module` and after a function's or tag's `$id`, and
// `(@metadata.code.branch_hint "\00")` before an instruction of a function body. The lexer
// keeps them beside the token stream (lexer.h), so the grammar elsewhere never sees them: this
// file claims each one where it may stand, and one left unclaimed is misplaced.
#include <algorithm>
#include <tuple>

#include "text/lexer.h"
#include "text/module_parser_impl.h"

namespace hull::text::module_impl {

namespace {

using Kind = Annotation::Kind;

// MSG at token AT of annotation A (its start without one).
Error error_at(const Annotation& a, const Token* at, std::string msg) {
  const uint32_t line = at ? at->line : a.line, col = at ? at->col : a.col;
  return Error::at_text(ErrorKind::Malformed, std::move(msg), line, col);
}

// "@custom annotation: WHAT".
Error annot_error(const Annotation& a, const Token* at, std::string_view what) {
  return error_at(a, at,
                  std::string(annotation_name(a.kind)) + " annotation: " + std::string(what));
}

// Placement of custom sections: the binary sections in the order Hull emits them, by the
// names the text format gives them. Slot 0 is `(before first)`, 2k+1 "before" section k,
// 2k+2 "after" it, and the last `(after last)` (after the name section too).
constexpr std::string_view kSectionNames[] = {"type",      "import", "func",   "table", "memory",
                                              "tag",       "global", "export", "start", "elem",
                                              "datacount", "code",   "data"};
constexpr int kNumSections = int(std::size(kSectionNames));
constexpr int kSlotBeforeFirst = 0;
constexpr int kSlotAfterLast = 2 * kNumSections + 1;

int section_number(std::string_view name) {
  for (int i = 0; i < kNumSections; ++i)
    if (kSectionNames[i] == name) return i;
  return -1;
}

}  // namespace

int ModuleParser::before_first_slot() { return kSlotBeforeFirst; }
int ModuleParser::after_last_slot() { return kSlotAfterLast; }

int ModuleParser::section_slot(std::string_view name, bool after) {
  const int k = section_number(name);
  return k < 0 ? -1 : 2 * k + (after ? 2 : 1);
}

// `"name" place? datastring`, place = `(before|after secname|first|last)`; without one the
// section goes after everything (`(after last)`).
Status ModuleParser::parse_custom_annotation(const Annotation& a) {
  const std::vector<Token>& t = a.body;
  size_t i = 0;
  if (t.empty() || t[0].kind != Tok::String)
    return annot_error(a, t.empty() ? nullptr : &t[0], "missing section name");
  if (!valid_utf8(t[0].text)) return annot_error(a, &t[0], "malformed UTF-8 encoding");
  CustomAnnotation ca;
  ca.name = std::string(t[0].text);
  ca.slot = kSlotAfterLast;
  i = 1;
  if (i < t.size() && t[i].kind == Tok::LParen) {
    const Token* kw = i + 1 < t.size() ? &t[i + 1] : nullptr;
    if (!kw || kw->kind != Tok::Atom || (kw->text != "before" && kw->text != "after"))
      return annot_error(a, kw ? kw : &t[i], "malformed placement");
    const bool after = kw->text == "after";
    const Token* sec = i + 2 < t.size() ? &t[i + 2] : nullptr;
    if (!sec || sec->kind != Tok::Atom)
      return annot_error(a, sec ? sec : kw, "malformed section kind");
    if (sec->text == "first" && !after) {
      ca.slot = kSlotBeforeFirst;
    } else if (sec->text == "last" && after) {
      ca.slot = kSlotAfterLast;
    } else {
      ca.slot = section_slot(sec->text, after);
      if (ca.slot < 0) return annot_error(a, sec, "malformed section kind");
    }
    if (i + 3 >= t.size() || t[i + 3].kind != Tok::RParen)
      return annot_error(a, i + 3 < t.size() ? &t[i + 3] : sec, "unexpected token");
    i += 4;
  }
  for (; i < t.size(); ++i) {
    if (t[i].kind != Tok::String) return annot_error(a, &t[i], "unexpected token");
    ca.contents.insert(ca.contents.end(), t[i].text.begin(), t[i].text.end());
  }
  customs_.push_back(std::move(ca));
  return {};
}

// `(@name "text")`: one string, valid UTF-8.
Result<std::string_view> ModuleParser::name_annotation_text(const Annotation& a) {
  if (a.body.size() != 1 || a.body[0].kind != Tok::String)
    return annot_error(a, a.body.empty() ? nullptr : &a.body[0], "missing name");
  if (!valid_utf8(a.body[0].text)) return annot_error(a, &a.body[0], "malformed UTF-8 encoding");
  return a.body[0].text;
}

// After pass 1, which found the fields: the annotations between BEGIN (after `module $id?`)
// and END (the module's `)`) are this module's. Those standing between fields are handled
// here: custom sections, the module's name (before the first field only).
Status ModuleParser::begin_annotations(size_t begin, size_t end) {
  const std::vector<Annotation>& all = c_.annotations();
  if (all.empty()) return {};
  auto first = std::lower_bound(all.begin(), all.end(), begin,
                                [](const Annotation& a, size_t p) { return a.pos < p; });
  auto last = std::upper_bound(first, all.end(), end,
                               [](size_t p, const Annotation& a) { return p < a.pos; });
  annotations_ = std::span<const Annotation>(first, last);
  annotation_used_.assign(annotations_.size(), 0);
  bool module_named = false;
  for (size_t i = 0; i < annotations_.size(); ++i) {
    const Annotation& a = annotations_[i];
    if (a.kind == Kind::BranchHint) has_branch_hints_ = true;
    const bool between_fields =
        a.pos == end || std::binary_search(fields_.begin(), fields_.end(), a.pos);
    if (!between_fields) continue;  // inside a field: claimed there, or misplaced
    switch (a.kind) {
      case Kind::Custom: HULL_TRY(parse_custom_annotation(a)); break;
      case Kind::Name: {
        if (a.pos != begin) continue;  // after a field: misplaced (end_annotations)
        if (module_named) return annot_error(a, nullptr, "multiple module");
        HULL_ASSIGN_OR_RETURN(std::string_view n, name_annotation_text(a));
        module_name_ = n;
        module_named = true;
        break;
      }
      case Kind::BranchHint: return annot_error(a, nullptr, "not in a function");
    }
    annotation_used_[i] = 1;
  }
  return {};
}

// The index of the first of this module's annotations at token POS or after it.
size_t ModuleParser::first_annotation_at(size_t pos) const {
  return size_t(std::lower_bound(annotations_.begin(), annotations_.end(), pos,
                                 [](const Annotation& a, size_t p) { return a.pos < p; }) -
                annotations_.begin());
}

// A @name annotation at token POS (right after a function's or tag's `$id?`), claimed.
Result<std::optional<std::string_view>> ModuleParser::take_name_annotation(size_t pos) {
  for (size_t i = first_annotation_at(pos); i < annotations_.size(); ++i) {
    const Annotation& a = annotations_[i];
    if (a.pos != pos) break;
    if (a.kind != Kind::Name || annotation_used_[i]) continue;
    annotation_used_[i] = 1;
    HULL_ASSIGN_OR_RETURN(std::string_view n, name_annotation_text(a));
    return std::optional<std::string_view>(n);
  }
  return std::optional<std::string_view>();
}

// The branch hint before the instruction at token POS of a function body, claimed (nullptr if
// none); two there are an error.
Result<const Annotation*> ModuleParser::take_branch_hint(size_t pos) {
  const Annotation* found = nullptr;
  for (size_t i = first_annotation_at(pos); i < annotations_.size(); ++i) {
    const Annotation& a = annotations_[i];
    if (a.pos != pos) break;
    if (a.kind != Kind::BranchHint || annotation_used_[i]) continue;
    if (found) return annot_error(a, nullptr, "duplicate annotation");
    if (a.body.size() != 1 || a.body[0].kind != Tok::String)
      return annot_error(a, a.body.empty() ? nullptr : &a.body[0], "malformed hint");
    annotation_used_[i] = 1;
    found = &a;
  }
  return found;
}

void ModuleParser::record_branch_hint(const Annotation* hint, size_t offset) {
  if (hint) {
    branch_hints_.push_back({hint_func_, uint32_t(offset), hint->body[0].text,
                             static_cast<uint32_t>(branch_hints_.size())});
  }
}

// After every field: an annotation nobody claimed stands where its kind may not.
Status ModuleParser::end_annotations() {
  for (size_t i = 0; i < annotations_.size(); ++i) {
    if (annotation_used_[i]) continue;
    const Annotation& a = annotations_[i];
    if (a.kind == Kind::BranchHint) {
      // Inside a function (before something that is not an instruction), or elsewhere.
      auto field = std::upper_bound(fields_.begin(), fields_.end(), a.pos);
      const bool in_func = field != fields_.begin() && c_.peek_at(*(field - 1) + 1).text == "func";
      if (!in_func) return annot_error(a, nullptr, "not in a function");
    }
    return error_at(a, nullptr,
                    "misplaced " + std::string(annotation_name(a.kind)) + " annotation");
  }
  return {};
}

void ModuleParser::put_custom_sections(Bytes& out, int slot) const {
  for (const CustomAnnotation& ca : customs_) {
    if (ca.slot != slot) continue;
    Bytes body;
    put_name(body, ca.name);
    body.insert(body.end(), ca.contents.begin(), ca.contents.end());
    out.push_back(0);
    put_u32(out, uint32_t(body.size()));
    out.insert(out.end(), body.begin(), body.end());
  }
}

// The "metadata.code.branch_hint" section (branch hinting proposal): per function, ascending,
// its hints by ascending offset from the start of the body (its locals): offset, size, bytes.
void ModuleParser::put_branch_hint_section(Bytes& out) {
  if (branch_hints_.empty()) return;
  // Hints at the same instruction keep their text order (std::sort on (func, offset, text
  // position): libstdc++ 12's stable_sort draws a deprecation warning from clang 19).
  std::sort(branch_hints_.begin(), branch_hints_.end(),
            [](const BranchHintEntry& a, const BranchHintEntry& b) {
              return std::tie(a.func, a.offset, a.order) < std::tie(b.func, b.offset, b.order);
            });
  Bytes funcs;
  uint32_t nfuncs = 0;
  for (size_t i = 0; i < branch_hints_.size();) {
    size_t j = i;
    while (j < branch_hints_.size() && branch_hints_[j].func == branch_hints_[i].func) ++j;
    put_u32(funcs, branch_hints_[i].func);
    put_u32(funcs, uint32_t(j - i));
    for (size_t k = i; k < j; ++k) {
      put_u32(funcs, branch_hints_[k].offset);
      put_u32(funcs, uint32_t(branch_hints_[k].value.size()));
      funcs.insert(funcs.end(), branch_hints_[k].value.begin(), branch_hints_[k].value.end());
    }
    ++nfuncs;
    i = j;
  }
  Bytes body;
  put_name(body, "metadata.code.branch_hint");
  put_u32(body, nfuncs);
  body.insert(body.end(), funcs.begin(), funcs.end());
  out.push_back(0);
  put_u32(out, uint32_t(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace hull::text::module_impl
