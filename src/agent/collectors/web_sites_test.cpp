#include "agent/collectors/web_sites.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/collectors/web_roots.h"
#include "agent/collectors/web_test_util.h"

namespace rampart::agent {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

namespace fs = std::filesystem;

HostView Root(const std::string& name) { return web_test::FixtureRoot(name); }
using web_test::Strings;

bool Bool(const Json& row, std::string_view key) {
  const Json* v = row.Find(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// The row of `server` whose config is `config` and line `line`.
Json Find(const Json& rows, std::string_view server, std::string_view config, int line) {
  for (const Json& r : rows.as_array()) {
    const Json* l = r.Find("line");
    const int row_line = l != nullptr && l->is_int() ? static_cast<int>(l->as_int()) : 0;
    if (r.GetString("server") == server && r.GetString("config") == config && row_line == line) {
      return r;
    }
  }
  ADD_FAILURE() << "no " << server << " row at " << config << ":" << line << " in " << rows.Dump();
  return Json::MakeObject();
}

class DebianSites : public ::testing::Test {
 protected:
  HostView host_ = Root("root-debian");
  Json rows_ = CollectWebSites(host_);
};

TEST_F(DebianSites, EveryRowMatchesTheSchema) {
  ASSERT_EQ(rows_.size(), 7u) << rows_.Dump();
  for (const Json& r : rows_.as_array()) {
    const Status s = ValidateRow(r, WebSitesSchema());
    EXPECT_TRUE(s.ok()) << s.message();
  }
}

TEST_F(DebianSites, FindsNginxAndApacheMainFiles) {
  const auto sources = FindWebConfigs(host_);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].server, "nginx");
  EXPECT_EQ(sources[0].path, "/etc/nginx/nginx.conf");
  EXPECT_EQ(sources[0].base, "/usr/share/nginx");
  EXPECT_EQ(sources[1].server, "apache");
  EXPECT_EQ(sources[1].base, "/etc/apache2");
}

TEST_F(DebianSites, DefaultSiteThroughTheSitesEnabledLink) {
  const Json d = Find(rows_, "nginx", "/etc/nginx/sites-enabled/default", 4);
  EXPECT_THAT(Strings(d, "listen"), ElementsAre("*:80", "[::]:80"));
  EXPECT_THAT(Strings(d, "names"), ElementsAre("_"));
  EXPECT_FALSE(Bool(d, "tls"));
  EXPECT_TRUE(Bool(d, "default_server"));
  EXPECT_EQ(d.GetString("root"), "/var/www/html");
  EXPECT_TRUE(Bool(d, "root_exists"));
  EXPECT_THAT(Strings(d, "upstreams"), ElementsAre("unix:/run/php/php8.2-fpm.sock"));
  EXPECT_THAT(Strings(d, "config_errors"), IsEmpty());
}

TEST_F(DebianSites, TlsShopWithAliasAndProxyUnderOpt) {
  const Json redirect = Find(rows_, "nginx", "/etc/nginx/sites-enabled/shop.conf", 2);
  EXPECT_EQ(redirect.GetString("root"), "");  // only a return
  EXPECT_FALSE(Bool(redirect, "root_exists"));
  const Json shop = Find(rows_, "nginx", "/etc/nginx/sites-enabled/shop.conf", 8);
  EXPECT_THAT(Strings(shop, "names"), ElementsAre("shop.example.com", "www.shop.example.com"));
  EXPECT_THAT(Strings(shop, "listen"), ElementsAre("*:443", "[::]:443"));
  EXPECT_TRUE(Bool(shop, "tls"));
  EXPECT_EQ(shop.GetString("root"), "/opt/shop/public");
  EXPECT_TRUE(Bool(shop, "root_exists"));
  EXPECT_THAT(Strings(shop, "other_roots"), ElementsAre("/srv/shop-media"));
  EXPECT_THAT(Strings(shop, "missing_roots"), IsEmpty());
  EXPECT_THAT(Strings(shop, "upstreams"), ElementsAre("http://127.0.0.1:9000", "127.0.0.1:9001"));
}

TEST_F(DebianSites, ServerWithoutRootServesTheDefaultRoot) {
  const Json status = Find(rows_, "nginx", "/etc/nginx/conf.d/status.conf", 1);
  EXPECT_THAT(Strings(status, "listen"), ElementsAre("127.0.0.1:8080"));
  EXPECT_EQ(status.GetString("root"), "/usr/share/nginx/html");
  EXPECT_FALSE(Bool(status, "root_exists"));
  EXPECT_THAT(Strings(status, "missing_roots"), ElementsAre("/usr/share/nginx/html"));
}

TEST_F(DebianSites, BrokenFileYieldsItsPartAndAnError) {
  const Json wiki = Find(rows_, "nginx", "/etc/nginx/conf.d/wiki.conf", 2);
  EXPECT_EQ(wiki.GetString("root"), "/var/www/wiki");
  EXPECT_FALSE(Bool(wiki, "root_exists"));
  EXPECT_THAT(Strings(wiki, "config_errors"),
              ElementsAre("/etc/nginx/conf.d/wiki.conf:9: unexpected end of file, expecting "
                          "\"}\""));
}

TEST_F(DebianSites, SitesAvailableOnlyIsNotServed) {
  for (const Json& r : rows_.as_array()) EXPECT_NE(r.GetString("root"), "/var/www/unused");
}

TEST_F(DebianSites, ApacheVirtualHosts) {
  const Json def = Find(rows_, "apache", "/etc/apache2/sites-enabled/000-default.conf", 1);
  EXPECT_THAT(Strings(def, "listen"), ElementsAre("*:8000"));
  EXPECT_EQ(def.GetString("root"), "/var/www/html");
  const Json blog = Find(rows_, "apache", "/etc/apache2/sites-enabled/blog-ssl.conf", 3);
  EXPECT_THAT(Strings(blog, "names"),
              ElementsAre("blog.example.org", "www.blog.example.org", "blog.internal"));
  EXPECT_THAT(Strings(blog, "listen"), ElementsAre("_default_:8443", "[::]:8443"));
  EXPECT_TRUE(Bool(blog, "tls"));
  EXPECT_EQ(blog.GetString("root"), "/srv/blog/htdocs");
  EXPECT_TRUE(Bool(blog, "root_exists"));
  EXPECT_THAT(Strings(blog, "other_roots"), ElementsAre("/srv/blog/static"));
  EXPECT_THAT(
      Strings(blog, "upstreams"),
      ElementsAre("http://127.0.0.1:5000/", "unix:/run/php/php8.2-fpm.sock|fcgi://localhost"));
}

TEST(RpmSites, MainServerVhostsAndTomcat) {
  const HostView host = Root("root-rpm");
  const Json rows = CollectWebSites(host);
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, WebSitesSchema()).ok());
  const Json main = Find(rows, "apache", "/etc/httpd/conf/httpd.conf", 0);
  EXPECT_TRUE(main.Find("line")->is_null());
  EXPECT_THAT(Strings(main, "names"), ElementsAre("www.example.com"));
  EXPECT_THAT(Strings(main, "listen"), ElementsAre("*:80", "*:443"));
  EXPECT_EQ(main.GetString("root"), "/var/www/html");
  EXPECT_TRUE(Bool(main, "root_exists"));
  EXPECT_THAT(Strings(main, "other_roots"), ElementsAre("/var/www/cgi-bin"));
  const Json app = Find(rows, "apache", "/etc/httpd/conf.d/app.conf", 1);
  EXPECT_EQ(app.GetString("root"), "/srv/app/public");
  const Json ssl = Find(rows, "apache", "/etc/httpd/conf.d/ssl.conf", 4);
  EXPECT_TRUE(Bool(ssl, "tls"));
  EXPECT_EQ(ssl.GetString("root"), "/var/www/html");
  const Json tomcat = Find(rows, "tomcat", "/etc/tomcat/server.xml", 15);
  EXPECT_EQ(tomcat.GetString("root"), "/usr/share/tomcat/webapps");
  EXPECT_TRUE(Bool(tomcat, "root_exists"));
  EXPECT_THAT(Strings(tomcat, "listen"), ElementsAre("*:8080"));  // AJP and commented out: no
  EXPECT_THAT(Strings(tomcat, "other_roots"), ElementsAre("/srv/legacy-app"));
  EXPECT_EQ(rows.size(), 4u);
}

TEST(AlpineSites, HttpDirectoryAndAlpinePrefix) {
  const HostView host = Root("root-alpine");
  const Json rows = CollectWebSites(host);
  ASSERT_EQ(rows.size(), 4u) << rows.Dump();
  const Json status = Find(rows, "nginx", "/etc/nginx/http.d/status.conf", 1);
  EXPECT_EQ(status.GetString("root"), "/srv/www/status");
  EXPECT_TRUE(Bool(status, "root_exists"));
  const Json caddy = Find(rows, "caddy", "/etc/caddy/Caddyfile", 11);
  EXPECT_THAT(Strings(caddy, "names"), ElementsAre("example.org", "www.example.org"));
  EXPECT_TRUE(Bool(caddy, "tls"));
  EXPECT_EQ(caddy.GetString("root"), "/srv/www/example");
  EXPECT_TRUE(Bool(caddy, "root_exists"));
  EXPECT_THAT(Strings(caddy, "upstreams"),
              ElementsAre("localhost:8080", "localhost:8081", "unix//run/php-fpm.sock"));
  const Json intranet = Find(rows, "caddy", "/etc/caddy/Caddyfile", 20);
  EXPECT_FALSE(Bool(intranet, "tls"));
  EXPECT_THAT(Strings(intranet, "listen"), ElementsAre("*:8000"));
  EXPECT_THAT(Strings(intranet, "missing_roots"), ElementsAre("/srv/www/common"));
}

// A root built in a temporary directory (symlinks, hostile sizes, loops, a config passed with -c).
class TempRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart-websites-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& path, const std::string& text) {
    const fs::path p = dir_ / path.substr(1);
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  HostView Host() {
    auto h = HostView::Open(dir_.string());
    EXPECT_TRUE(h.ok());
    return std::move(h).value();
  }
  fs::path dir_;
};

TEST_F(TempRoot, ConfigNamedOnARunningNginxCommandLine) {
  Write("/proc/4242/comm", "nginx\n");
  Write("/proc/4242/cmdline", "nginx: master process /usr/sbin/nginx -c /opt/edge/nginx.conf");
  Write("/opt/edge/nginx.conf", "http { server { listen 8088; root /srv/edge; } }\n");
  Write("/srv/edge/index.html", "x");
  const Json rows = CollectWebSites(Host());
  ASSERT_EQ(rows.size(), 1u) << rows.Dump();
  EXPECT_EQ(rows.as_array()[0].GetString("config"), "/opt/edge/nginx.conf");
  EXPECT_EQ(rows.as_array()[0].GetString("root"), "/srv/edge");
}

TEST_F(TempRoot, ApacheStartedWithServerRootAndRelativeFile) {
  Write("/proc/77/comm", "httpd\n");
  using namespace std::string_literals;
  Write("/proc/77/cmdline", "/usr/sbin/httpd\0-d\0/srv/httpd\0-f\0conf/site.conf\0"s);
  Write("/srv/httpd/conf/site.conf", "DocumentRoot htdocs\nServerName x.example\n");
  const Json rows = CollectWebSites(Host());
  ASSERT_EQ(rows.size(), 1u) << rows.Dump();
  EXPECT_EQ(rows.as_array()[0].GetString("root"), "/srv/httpd/htdocs");
}

TEST_F(TempRoot, OversizedIncludeIsReportedAndSkipped) {
  Write("/etc/nginx/nginx.conf", "http {\n include conf.d/*.conf;\n server { listen 1; }\n}\n");
  Write("/etc/nginx/conf.d/huge.conf", std::string((1 << 20) + 10, '#'));
  const WebConfig cfg =
      ReadWebConfig(Host(), {"nginx", "/etc/nginx/nginx.conf", "/usr/share/nginx"});
  ASSERT_EQ(cfg.sites.size(), 1u);
  ASSERT_EQ(cfg.errors.size(), 1u);
  EXPECT_THAT(cfg.errors[0], HasSubstr("/etc/nginx/nginx.conf:2: include "
                                       "/etc/nginx/conf.d/huge.conf: larger than 1 MiB"));
}

TEST_F(TempRoot, SymlinkOutOfTheRootStaysInside) {
  Write("/etc/nginx/nginx.conf", "http { include /etc/nginx/sites/*; }\n");
  fs::create_directories(dir_ / "etc/nginx/sites");
  fs::create_symlink("/etc/passwd", dir_ / "etc/nginx/sites/evil");  // resolves inside the root
  const Json rows = CollectWebSites(Host());
  EXPECT_EQ(rows.size(), 0u);
}

TEST_F(TempRoot, QuickScanPlacesTakeSiteRootsAndCollapseNested) {
  Write("/etc/nginx/nginx.conf",
        "http {\n server { root /opt/shop/public; location /m/ { alias /opt/shop/public/m/; } }\n"
        " server { root /srv/vhosts/$host/www; }\n server { root /; }\n server { root /usr; }\n"
        " server { root /data/missing; }\n}\n");
  Write("/opt/shop/public/index.php", "<?php");
  Write("/opt/shop/public/m/a.png", "x");
  Write("/srv/vhosts/a.example/www/index.html", "x");
  Write("/var/www/html/index.html", "x");
  Write("/var/www/other/index.html", "x");
  Write("/tmp/x", "x");
  Write("/etc/crontab", "");
  const HostView host = Host();
  EXPECT_THAT(WebSiteScanRoots(host, CollectWebSites(host)),
              ElementsAre("/opt/shop/public", "/srv/vhosts"));
  const auto quick = QuickScanPlaces(host);
  EXPECT_THAT(quick,
              ElementsAre("/etc/crontab", "/opt/shop/public", "/srv/vhosts", "/tmp", "/var/www"));
}

TEST(WebRoots, DebianFixtureQuickSetHasTheUnusualShopRoot) {
  const HostView host = Root("root-debian");
  const auto quick = QuickScanPlaces(host);
  EXPECT_THAT(quick, Contains("/opt/shop/public"));
  EXPECT_THAT(quick, Contains("/srv/shop-media"));
  EXPECT_THAT(quick, Contains("/srv/blog/htdocs"));
  EXPECT_THAT(quick, Contains("/srv/blog/static"));
  EXPECT_THAT(quick, Not(Contains("/var/www/html")));  // under /var/www from the fixed list
  EXPECT_THAT(quick, Contains("/var/www"));
  EXPECT_THAT(quick, Contains("/etc/crontab"));
}

TEST(WebRoots, CollapseNestedPaths) {
  EXPECT_THAT(CollapseNestedPaths({"/a/b", "/a", "/a-b", "/a/", "/c/d/e", "/c/d"}),
              ElementsAre("/a", "/a-b", "/c/d"));
  EXPECT_THAT(CollapseNestedPaths({}), IsEmpty());
}

}  // namespace
}  // namespace rampart::agent
