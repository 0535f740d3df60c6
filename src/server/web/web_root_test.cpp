// WebRoot: the console's files, SPA fallback, caching and security headers, and no way out of the
// root (dot segments, encoded dots, symlinks, NUL bytes).
#include "server/web/web_root.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/wire.h"

namespace rampart::server {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class WebRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) / ("rampart-web-" + wire::RandomId("t"));
    root_ = base_ / "dist";
    Write(root_ / "index.html", "<!doctype html>INDEX");
    Write(root_ / "favicon.svg", "<svg/>");
    Write(root_ / "assets/index-abc123.js", "console.log(1)");
    Write(root_ / "assets/index-abc123.css", "body{}");
    Write(base_ / "secret.txt", "SECRET");
    fs::create_symlink(base_ / "secret.txt", root_ / "assets/leak.txt");
    fs::create_symlink(base_, root_ / "up");
    web_ = std::make_unique<WebRoot>(root_.string());
  }
  void TearDown() override { fs::remove_all(base_); }

  net::HttpResponse Get(const std::string& target, const std::string& method = "GET") {
    net::HttpRequest request;
    request.method = method;
    request.target = target;
    EXPECT_TRUE(net::ParseTarget(target, request).ok()) << target;
    return web_->Serve(request);
  }

  fs::path base_;
  fs::path root_;
  std::unique_ptr<WebRoot> web_;
};

TEST_F(WebRootTest, ServesIndexWithoutCachingAndAssetsImmutable) {
  net::HttpResponse index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html>INDEX");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.headers.Get("cache-control").value_or(""), "no-cache");

  net::HttpResponse js = Get("/assets/index-abc123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers.Get("cache-control").value_or(""), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/assets/index-abc123.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/favicon.svg").content_type, "image/svg+xml");
  EXPECT_TRUE(Get("/favicon.svg", "HEAD").body.empty());
}

TEST_F(WebRootTest, ConsoleRoutesGetIndexButMissingFilesAre404) {
  for (const char* route :
       {"/hosts", "/hosts/h_123", "/fingerprints/ports?f=port%3D22", "/x/y/z"}) {
    net::HttpResponse r = Get(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.body, "<!doctype html>INDEX") << route;
    EXPECT_EQ(r.headers.Get("cache-control").value_or(""), "no-cache") << route;
  }
  EXPECT_EQ(Get("/assets/missing-123.js").status, 404);
  EXPECT_EQ(Get("/favicon.ico").status, 404);
  EXPECT_EQ(Get("/", "POST").status, 405);
}

// Vulnerability ids hold dots (GHSA-..., DSA-5555-1, CVE ids with suffixes): reloading their page
// must give the console, not a 404. Only /assets/ and top-level file names are files.
TEST_F(WebRootTest, RoutesWhoseLastSegmentHasADotGetIndex) {
  for (const char* route :
       {"/vulnerabilities/DSA-5555-1.2", "/vulnerabilities/GHSA-abcd-1234.x",
        "/vulnerabilities/PYSEC-2024.10", "/hosts/h_1/x.json", "/events/ev.1?x=a.b"}) {
    net::HttpResponse r = Get(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.body, "<!doctype html>INDEX") << route;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << route;
  }
  // Missing files stay 404 (no HTML where a script or image was expected).
  for (const char* file :
       {"/robots.txt", "/favicon.ico", "/assets/x.js", "/assets/a/b.css", "/assets/no-dot"}) {
    EXPECT_EQ(Get(file).status, 404) << file;
  }
  // Existing files are still files, at the top level and under /assets/.
  EXPECT_EQ(Get("/favicon.svg").body, "<svg/>");
  EXPECT_EQ(Get("/assets/index-abc123.js").body, "console.log(1)");
}

TEST_F(WebRootTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (const char* target : {"/", "/assets/index-abc123.js", "/assets/nope.js", "/hosts"}) {
    net::HttpResponse r = Get(target);
    EXPECT_NE(r.headers.Get("content-security-policy").value_or("").find("frame-ancestors 'none'"),
              std::string::npos)
        << target;
    EXPECT_EQ(r.headers.Get("x-frame-options").value_or(""), "DENY");
    EXPECT_EQ(r.headers.Get("x-content-type-options").value_or(""), "nosniff");
    EXPECT_EQ(r.headers.Get("referrer-policy").value_or(""), "no-referrer");
  }
}

TEST_F(WebRootTest, NothingOutsideTheRootIsEverServed) {
  for (const char* target :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/leak.txt",
        "/up/secret.txt", "/up/dist/index.html", "/..\\secret.txt", "//etc/passwd",
        "/../../../../etc/passwd", "/assets/../../../../../etc/passwd"}) {
    net::HttpResponse r = Get(target);
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
    EXPECT_TRUE(r.status == 404 || r.body == "<!doctype html>INDEX") << target << " " << r.status;
  }
  // The HTTP layer refuses a %00 already; a NUL that got through is still no file name.
  net::HttpRequest nul;
  nul.method = "GET";
  nul.path = std::string("/assets/index-abc123.js\0/../../../secret.txt", 44);
  EXPECT_EQ(web_->Serve(nul).body.find("SECRET"), std::string::npos);
  EXPECT_NE(web_->Serve(nul).status, 200);
}

TEST(WebRoot, WithoutAConsoleSaysHowToBuildOne) {
  WebRoot web("");
  net::HttpRequest request;
  request.method = "GET";
  request.path = "/";
  net::HttpResponse r = web.Serve(request);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find("\"not_found\""), std::string::npos);
  EXPECT_NE(r.body.find("scripts/web.sh build"), std::string::npos);
}

TEST(WebRoot, ContentTypes) {
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("a.unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace rampart::server
