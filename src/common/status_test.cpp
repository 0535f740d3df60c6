#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace rampart {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  RAMPART_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, WithContextKeepsCode) {
  Status s = NotFound("x").WithContext("reading /etc/passwd");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "reading /etc/passwd: x");
  EXPECT_EQ(s.ToString(), "not_found: reading /etc/passwd: x");
}

TEST(Status, ErrnoMapsToCodes) {
  EXPECT_EQ(ErrnoStatus(ENOENT, "f").code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus(EACCES, "f").code(), Code::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus(EEXIST, "f").code(), Code::kAlreadyExists);
  EXPECT_NE(ErrnoStatus(ENOENT, "f").message().find("f: "), std::string::npos);
}

TEST(Result, PropagatesErrorsThroughAssignOrReturn) {
  auto ok = Quarter(8);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 2);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "odd: 3");
  EXPECT_EQ(bad.value_or(-1), -1);
}

}  // namespace
}  // namespace rampart
