#include "common/json.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(Json, KeepsInsertionOrderAndTypes) {
  Json j;
  j["b"] = 1;
  j["a"] = "x";
  j["c"] = Json::StringArray({"p", "q"});
  j["d"] = nullptr;
  j["e"] = 1.5;
  j["f"] = false;
  EXPECT_EQ(j.Dump(), R"({"b":1,"a":"x","c":["p","q"],"d":null,"e":1.5,"f":false})");
}

TEST(Json, EscapesControlCharactersAndInvalidUtf8) {
  Json j(
      std::string("a\"\\\n\x01\xff"
                  "\xc3\xa9"));
  EXPECT_EQ(j.Dump(), "\"a\\\"\\\\\\n\\u0001\xEF\xBF\xBD\xC3\xA9\"");
}

TEST(Json, RoundTripsThroughParse) {
  const std::string text = R"({"k":[1,-2,3.25,"s",true,null,{"x":{}}],"big":18446744073709551615})";
  auto j = Json::Parse(text);
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_EQ(j->Find("k")->as_array()[1].as_int(), -2);
  EXPECT_TRUE(j->Find("big")->is_double());
  auto again = Json::Parse(j->Dump());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *j);
}

TEST(Json, ParseErrorsNameLineAndColumn) {
  auto j = Json::Parse("{\n  \"a\": 1,\n  \"b\": ]\n}");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code(), Code::kInvalidArgument);
  EXPECT_NE(j.error().message().find("line 3"), std::string::npos) << j.error().message();
}

TEST(Json, ParseBoundsDepth) {
  std::string deep(10000, '[');
  auto j = Json::Parse(deep);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message().find("nested deeper"), std::string::npos);
}

TEST(Json, PrettyDumpIndents) {
  Json j;
  j["a"] = Json::StringArray({"x"});
  EXPECT_EQ(j.Dump(2), "{\n  \"a\": [\n    \"x\"\n  ]\n}");
}

TEST(Json, TypedGettersFallBack) {
  Json j;
  j["n"] = 7;
  j["s"] = "v";
  EXPECT_EQ(j.GetInt("n"), 7);
  EXPECT_EQ(j.GetInt("s", -1), -1);
  EXPECT_EQ(j.GetString("s"), "v");
  EXPECT_EQ(j.GetString("missing", "d"), "d");
}

}  // namespace
}  // namespace rampart
