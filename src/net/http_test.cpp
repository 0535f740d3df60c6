#include "net/http.h"

#include <gtest/gtest.h>

#include "net/client.h"

namespace rampart::net {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ParseTarget, SplitsAndDecodesPathAndQuery) {
  HttpRequest req;
  ASSERT_TRUE(ParseTarget("/api/v1/hosts%2Fx/a%20b?status=ONLINE&name=web%20server", req).ok());
  EXPECT_EQ(req.target, "/api/v1/hosts%2Fx/a%20b?status=ONLINE&name=web%20server");
  EXPECT_EQ(req.path, "/api/v1/hosts/x/a b");
  EXPECT_EQ(req.query, (Pairs{{"status", "ONLINE"}, {"name", "web server"}}));
}

TEST(ParseTarget, PlusIsSpaceInQueryButNotInPath) {
  HttpRequest req;
  ASSERT_TRUE(ParseTarget("/a+b?q=x+y%2Bz", req).ok());
  EXPECT_EQ(req.path, "/a+b");
  EXPECT_EQ(req.Query("q"), "x y+z");
}

TEST(ParseTarget, KeepsRepeatedKeysInOrderAndQueryReturnsTheFirst) {
  HttpRequest req;
  ASSERT_TRUE(ParseTarget("/f?port=22&port=6379&flag&=v&&", req).ok());
  EXPECT_EQ(req.query, (Pairs{{"port", "22"}, {"port", "6379"}, {"flag", ""}, {"", "v"}}));
  EXPECT_EQ(req.Query("port"), "22");
  EXPECT_EQ(req.Query("flag"), "");
  EXPECT_EQ(req.Query("missing"), std::nullopt);
}

TEST(ParseTarget, RejectsInvalidPercentEscapesNamingThem) {
  HttpRequest req;
  Status st = ParseTarget("/hosts?cursor=%zz", req);
  ASSERT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("\"%zz\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("query"), std::string::npos) << st.message();

  st = ParseTarget("/hosts/%4", req);
  ASSERT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("\"%4\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("path"), std::string::npos) << st.message();
}

TEST(ParseTarget, RejectsTargetsThatAreNotPathsAndNulBytes) {
  HttpRequest req;
  EXPECT_EQ(ParseTarget("hosts", req).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("", req).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("/a%00b", req).code(), Code::kInvalidArgument);
}

TEST(ParseTarget, AcceptsAbsoluteFormAndDropsFragments) {
  HttpRequest req;
  ASSERT_TRUE(ParseTarget("http://example.com:8080/x?y=1#frag", req).ok());
  EXPECT_EQ(req.path, "/x");
  EXPECT_EQ(req.query, (Pairs{{"y", "1"}}));
  ASSERT_TRUE(ParseTarget("?a=1", req).ok());
  EXPECT_EQ(req.path, "/");
}

TEST(PercentCoding, EncodeEscapesAllButUnreservedAndRoundTrips) {
  EXPECT_EQ(PercentEncode("a b/c?d=e&f~g.h-i_j"), "a%20b%2Fc%3Fd%3De%26f~g.h-i_j");
  const std::string bytes("\x00\xff\x7f+%", 5);
  EXPECT_EQ(PercentDecode(PercentEncode(bytes), true), bytes);
  EXPECT_EQ(PercentDecode("100%", false), "100%");    // invalid escapes stay as they are
  EXPECT_EQ(PercentDecode("%zz%4a", false), "%zzJ");  // and valid ones around them decode
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

TEST(Headers, StoresLowerCaseNamesAndLooksUpCaseInsensitively) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("X-Token", "first");
  h.Add("x-token", "second");
  EXPECT_EQ(h.all().front().first, "content-type");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(h.Get("x-TOKEN"), "first");
  EXPECT_EQ(h.Get("authorization"), std::nullopt);
  EXPECT_EQ(h.all().size(), 3u);
}

TEST(ParseUrl, ParsesSchemesWithDefaultPorts) {
  auto u = ParseUrl("https://rampart.example.com");
  ASSERT_TRUE(u.ok()) << u.error().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "rampart.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
  EXPECT_TRUE(u->tls());

  u = ParseUrl("HTTP://Server.Local/api/v1/hosts?limit=5#top");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "server.local");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/api/v1/hosts?limit=5");
  EXPECT_FALSE(u->tls());

  u = ParseUrl("ws://10.0.0.1:8080?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_FALSE(u->tls());

  u = ParseUrl("wss://agent-gw/api/v1/agent/channel");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 443);
  EXPECT_TRUE(u->tls());
}

TEST(ParseUrl, ParsesBracketedIpv6WithPort) {
  auto u = ParseUrl("https://[::1]:8443/healthz");
  ASSERT_TRUE(u.ok()) << u.error().ToString();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/healthz");
  u = ParseUrl("http://[fe80::1]");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "fe80::1");
  EXPECT_EQ(u->port, 80);
}

TEST(ParseUrl, RejectsBadUrlsSayingWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"server:8443", "expected scheme://"},
      {"ftp://host/", "unsupported scheme \"ftp\""},
      {"https://", "missing host"},
      {"https://:8443/", "missing host"},
      {"https://host:0", "port \"0\""},
      {"https://host:65536", "port \"65536\""},
      {"https://host:https", "port \"https\""},
      {"https://host:", "empty port"},
      {"https://[::1", "missing ']'"},
      {"https://[nothex]:1", "is not an IPv6 address"},
      {"https://::1:8443", "must be in brackets"},
      {"https://user:pw@host/", "credentials"},
      {"https://ho st/", "invalid character"},
      {"https://host/a b", "space or control character"},
  };
  for (const auto& [url, expected] : cases) {
    auto u = ParseUrl(url);
    ASSERT_FALSE(u.ok()) << url;
    EXPECT_EQ(u.error().code(), Code::kInvalidArgument) << url;
    EXPECT_NE(u.error().message().find(expected), std::string::npos)
        << url << " -> " << u.error().message();
    EXPECT_NE(u.error().message().find("invalid URL"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace rampart::net
