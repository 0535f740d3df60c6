#include "server/storage/page_cursor.h"

#include <gtest/gtest.h>

namespace rampart::server {
namespace {

TEST(PageCursor, RoundTripsEveryValueShape) {
  const PageCursor cursors[] = {
      {"hostname", false, Json("web-01"), "h_1"},
      {"last_seen", true, Json(std::int64_t{1732000000}), "h_2"},
      {"fingerprints", false, Json::StringArray({"h_3", "ports"}), "ab12"},
      {"users", false, Json("ünïcode \"quoted\""), ""},
  };
  for (const PageCursor& c : cursors) {
    const std::string text = EncodeCursor(c);
    EXPECT_EQ(
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << text;
    auto back = DecodeCursor(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
  }
}

TEST(PageCursor, UnreadableInputIsInvalidArgumentNamingTheCursor) {
  const std::string bad[] = {
      "",                          // nothing
      "a",                         // impossible base64 length
      "ab+/",                      // standard, not URL-safe, alphabet
      "YQ==",                      // padding
      "YR",                        // non-zero trailing bits
      Base64UrlEncode("{}"),       // not an array
      Base64UrlEncode("[1,2,3]"),  // wrong arity
      Base64UrlEncode(R"(["s","sideways","v","id"])"),
      Base64UrlEncode(R"(["s","asc",{"o":1},"id"])"),
      Base64UrlEncode(R"(["s","asc",[1],"id"])"),
      Base64UrlEncode(R"(["","asc","v","id"])"),
      Base64UrlEncode(R"(["s","asc","v",7])"),
      Base64UrlEncode(R"(["s","asc","v","id"] trailing)"),
      std::string(kMaxCursorChars + 1, 'A'),
  };
  for (const std::string& text : bad) {
    auto c = DecodeCursor(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(c.status().message().rfind("cursor: ", 0), 0u) << c.status().message();
  }
}

TEST(PageCursor, CheckRejectsAnotherSortDirectionOrValueType) {
  const PageCursor c{"last_seen", true, Json(5), "h_1"};
  EXPECT_TRUE(CheckCursor(c, "last_seen", true, Json::Type::kInt).ok());
  Status other_sort = CheckCursor(c, "hostname", true, Json::Type::kString);
  EXPECT_EQ(other_sort.code(), Code::kInvalidArgument);
  EXPECT_NE(other_sort.message().find("made for sort 'last_seen' desc"), std::string::npos)
      << other_sort.message();
  EXPECT_EQ(CheckCursor(c, "last_seen", false, Json::Type::kInt).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckCursor(c, "last_seen", true, Json::Type::kString).code(), Code::kInvalidArgument);
}

TEST(PageCursor, LimitIsClamped) {
  EXPECT_EQ(ClampPageLimit(-3), 1);
  EXPECT_EQ(ClampPageLimit(0), 1);
  EXPECT_EQ(ClampPageLimit(50), 50);
  EXPECT_EQ(ClampPageLimit(501), 500);
}

TEST(Base64Url, MatchesRfc4648Vectors) {
  // RFC 4648 section 10, without padding.
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

}  // namespace
}  // namespace rampart::server
