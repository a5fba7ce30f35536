// check_custom_sections: the branch hints of "metadata.code.branch_hint" must name defined
// functions in order, and point at `if` / `br_if` instructions in order.
#include "valid/custom_sections.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#if defined(HULL_HAVE_TEXT) && defined(HULL_HAVE_DECODER)
#include "binary/decoder.h"
#include "text/wat.h"

namespace hull {
namespace {

// func 0 imported; func 1: (param i32), body 00 | 20 00 | 04 40 (if, offset 3) | 0b | 0b.
constexpr std::string_view kWat =
    "(module (import \"m\" \"f\" (func)) (func (param i32) (if (local.get 0) (then))))";

// kWat's binary with a "metadata.code.branch_hint" section of CONTENTS appended.
std::vector<uint8_t> with_hints(std::vector<uint8_t> contents) {
  auto r = text::wat_to_binary(kWat, {.name_section = false});
  EXPECT_TRUE(r.ok());
  std::vector<uint8_t> bytes = r.ok() ? *r : std::vector<uint8_t>{};
  const std::string name = "metadata.code.branch_hint";
  std::vector<uint8_t> body = {uint8_t(name.size())};
  body.insert(body.end(), name.begin(), name.end());
  body.insert(body.end(), contents.begin(), contents.end());
  bytes.push_back(0x00);
  bytes.push_back(uint8_t(body.size()));
  bytes.insert(bytes.end(), body.begin(), body.end());
  return bytes;
}

Status check(std::vector<uint8_t> bytes) {
  auto m = decode_module(std::move(bytes));
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  if (!m.ok()) return m.error();
  return check_custom_sections(*m);
}

void expect_error(std::vector<uint8_t> contents, ErrorKind kind, const std::string& message) {
  Status s = check(with_hints(std::move(contents)));
  ASSERT_FALSE(s.ok()) << message;
  EXPECT_EQ(s.error().kind, kind) << s.error().to_string();
  EXPECT_EQ(s.error().message, message);
  EXPECT_NE(s.error().offset, SIZE_MAX) << "no byte offset: " << s.error().to_string();
}

TEST(CustomSections, BranchHintOnIfIsValid) {
  EXPECT_TRUE(check(with_hints({0x01, 0x01, 0x01, 0x03, 0x01, 0x01})).ok());
  // No hints at all, and the text format's own section.
  EXPECT_TRUE(check(with_hints({0x00})).ok());
  auto r = text::wat_to_binary(
      "(module (func (param i32) (@metadata.code.branch_hint \"\\00\") (if (local.get 0) "
      "(then))))");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(check(*r).ok());
}

TEST(CustomSections, BranchHintErrors) {
  // Offset 1 is local.get, not an if.
  expect_error({0x01, 0x01, 0x01, 0x01, 0x01, 0x01}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: invalid target: offset 1 of function 1 "
               "is not an if or br_if");
  // Offset 4 is inside the if's block type.
  expect_error({0x01, 0x01, 0x01, 0x04, 0x01, 0x01}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: invalid target: offset 4 of function 1 "
               "is not an if or br_if");
  expect_error({0x01, 0x00, 0x00}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: invalid function 0 (not defined here)");
  expect_error({0x01, 0x02, 0x00}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: invalid function 2 (not defined here)");
  expect_error({0x02, 0x01, 0x00, 0x01, 0x00}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: functions out of order");
  expect_error({0x01, 0x01, 0x02, 0x03, 0x01, 0x01, 0x03, 0x01, 0x00}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: hints out of order");
  expect_error({0x01, 0x01, 0x01, 0x03, 0x01, 0x02}, ErrorKind::Invalid,
               "@metadata.code.branch_hint annotation: hint must be one byte, 0 or 1");
  expect_error({0x01, 0x01, 0x01, 0x03}, ErrorKind::Malformed,
               "@metadata.code.branch_hint annotation: unexpected end of section or function");
  expect_error({0x00, 0x00}, ErrorKind::Malformed,
               "@metadata.code.branch_hint annotation: section size mismatch");
}

}  // namespace
}  // namespace hull
#endif
