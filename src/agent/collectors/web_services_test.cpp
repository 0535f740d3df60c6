#include "agent/collectors/web_services.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/collectors/web_test_util.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

HostView Root(const std::string& name) { return web_test::FixtureRoot(name); }
using web_test::Strings;

TEST(WebServerKind, RecognisesServersByExecutableAndCommandLine) {
  EXPECT_EQ(WebServerKind("nginx", "/usr/sbin/nginx", "nginx: master process"), "nginx");
  EXPECT_EQ(WebServerKind("nginx", "/usr/local/openresty/nginx/sbin/openresty", ""), "nginx");
  EXPECT_EQ(WebServerKind("apache2", "/usr/sbin/apache2", "/usr/sbin/apache2 -k start"), "apache");
  EXPECT_EQ(WebServerKind("httpd", "/usr/sbin/httpd", "/usr/sbin/httpd -DFOREGROUND"), "apache");
  EXPECT_EQ(WebServerKind("php-fpm8.2", "/usr/sbin/php-fpm8.2", "php-fpm: master process"),
            "php-fpm");
  EXPECT_EQ(WebServerKind("java", "/usr/lib/jvm/java-17/bin/java",
                          "/usr/bin/java -Dcatalina.base=/var/lib/tomcat10 "
                          "org.apache.catalina.startup.Bootstrap start"),
            "tomcat");
  EXPECT_EQ(WebServerKind("java", "/usr/bin/java", "/usr/bin/java -jar app.jar"), "");
  EXPECT_EQ(WebServerKind("gunicorn", "/usr/bin/python3.11", "gunicorn: master [app:app]"),
            "gunicorn");
  EXPECT_EQ(WebServerKind("python3", "/usr/bin/python3.11",
                          "/usr/bin/python3 /srv/app/venv/bin/uvicorn main:app"),
            "uvicorn");
  EXPECT_EQ(WebServerKind("node", "/usr/bin/node", "node server.js"), "node");
  EXPECT_EQ(WebServerKind("sshd", "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D"), "");
  // Without an executable link (another user's process), the name decides.
  EXPECT_EQ(WebServerKind("httpd", "", ""), "apache");
}

TEST(FindVersionAfter, DigitsDotsAndASuffix) {
  using namespace std::string_literals;
  EXPECT_EQ(FindVersionAfter("\0nginx/%s\0nginx/1.22.1\0"s, "nginx/"), "1.22.1");
  EXPECT_EQ(FindVersionAfter("Apache/2.4.57 (Debian)", "Apache/"), "2.4.57");
  EXPECT_EQ(FindVersionAfter("X-Powered-By: PHP/8.2.7-1~deb12u1\0"s, "X-Powered-By: PHP/"),
            "8.2.7-1~deb12u1");
  EXPECT_EQ(FindVersionAfter("Apache Tomcat Version 10.1.6\n", "Apache Tomcat Version "), "10.1.6");
  EXPECT_EQ(FindVersionAfter("nginx/ nginx/x nginx/", "nginx/"), "");
  EXPECT_EQ(FindVersionAfter("lighttpd/1.4.", "lighttpd/"), "1.4");
  EXPECT_EQ(FindVersionAfter("", ""), "");
}

TEST(WebServices, DebianFixtureNginxMasterWithItsWorkerAndPorts) {
  const Json rows = CollectWebServices(Root("root-debian"));
  ASSERT_EQ(rows.size(), 1u) << rows.Dump();
  const Json& n = rows.as_array()[0];
  EXPECT_TRUE(ValidateRow(n, WebServicesSchema()).ok());
  EXPECT_EQ(n.GetString("server"), "nginx");
  EXPECT_EQ(n.GetInt("pid"), 700);
  EXPECT_EQ(n.GetString("exe"), "/usr/sbin/nginx");
  EXPECT_EQ(n.GetString("user"), "root");
  EXPECT_EQ(n.GetInt("workers"), 1);
  EXPECT_EQ(n.GetString("worker_user"), "www-data");
  EXPECT_EQ(n.GetString("config"), "/etc/nginx/nginx.conf");
  EXPECT_FALSE(Strings(n, "listen").empty());
}

TEST(WebServices, AlpineFixtureConfigFromTheCommandLine) {
  const Json rows = CollectWebServices(Root("root-alpine"));
  ASSERT_EQ(rows.size(), 1u) << rows.Dump();
  EXPECT_EQ(rows.as_array()[0].GetString("config"), "/etc/nginx/nginx.conf");
  EXPECT_EQ(rows.as_array()[0].GetInt("workers"), 1);
}

class ServicesRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart-websvc-" + std::to_string(::getpid()) + "-" +
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
  void Proc(int pid, int ppid, int uid, const std::string& comm, const std::string& exe,
            const std::string& cmdline) {
    const std::string d = "/proc/" + std::to_string(pid);
    Write(d + "/comm", comm + "\n");
    Write(d + "/cmdline", cmdline);
    Write(d + "/status", "Name:\t" + comm + "\nPPid:\t" + std::to_string(ppid) + "\nUid:\t" +
                             std::to_string(uid) + "\t" + std::to_string(uid) + "\t0\t0\n");
    fs::create_symlink(exe, dir_ / d.substr(1) / "exe");
  }
  HostView Host() {
    auto h = HostView::Open(dir_.string());
    EXPECT_TRUE(h.ok());
    return std::move(h).value();
  }
  fs::path dir_;
};

TEST_F(ServicesRoot, VersionsFromBinaryReleaseNotesAndExeName) {
  using namespace std::string_literals;
  Write("/etc/passwd", "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n");
  // The marker sits across the 1 MiB read boundary.
  std::string binary(std::size_t{1} << 20, 'x');
  binary.replace(binary.size() - 3, 3, "Apa");
  binary += "che/2.4.57\0"s;
  Write("/usr/sbin/apache2", binary);
  Proc(10, 1, 0, "apache2", "/usr/sbin/apache2", "/usr/sbin/apache2\0-k\0start\0"s);
  Proc(11, 10, 33, "apache2", "/usr/sbin/apache2", "/usr/sbin/apache2\0-k\0start\0"s);
  Proc(12, 10, 33, "apache2", "/usr/sbin/apache2", "/usr/sbin/apache2\0-k\0start\0"s);
  Write("/etc/apache2/apache2.conf", "");
  Write("/opt/tomcat/RELEASE-NOTES", "                     Apache Tomcat Version 9.0.70\n");
  Proc(20, 1, 33, "java", "/usr/lib/jvm/bin/java",
       "/usr/lib/jvm/bin/java\0-Dcatalina.base=/opt/tomcat\0-Dcatalina.home=/opt/tomcat\0"
       "org.apache.catalina.startup.Bootstrap\0start\0"s);
  Write("/usr/sbin/php-fpm8.2", "no marker here");
  Proc(30, 1, 0, "php-fpm8.2", "/usr/sbin/php-fpm8.2",
       "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)");
  Proc(40, 1, 1000, "node", "/usr/bin/node", "node\0idle.js\0"s);  // listens nowhere: not a row
  const Json rows = CollectWebServices(Host());
  ASSERT_EQ(rows.size(), 3u) << rows.Dump();
  const Json& a = rows.as_array()[0];
  EXPECT_EQ(a.GetString("server"), "apache");
  EXPECT_EQ(a.GetString("version"), "2.4.57");
  EXPECT_EQ(a.GetString("version_source"), "binary");
  EXPECT_EQ(a.GetInt("workers"), 2);
  EXPECT_EQ(a.GetString("worker_user"), "www-data");
  EXPECT_EQ(a.GetString("config"), "/etc/apache2/apache2.conf");
  EXPECT_THAT(Strings(a, "listen"), IsEmpty());
  const Json& t = rows.as_array()[1];
  EXPECT_EQ(t.GetString("server"), "tomcat");
  EXPECT_EQ(t.GetString("version"), "9.0.70");
  EXPECT_EQ(t.GetString("version_source"), "release-notes");
  EXPECT_EQ(t.GetString("config"), "/opt/tomcat/conf/server.xml");
  EXPECT_EQ(t.GetString("user"), "www-data");
  const Json& f = rows.as_array()[2];
  EXPECT_EQ(f.GetString("server"), "php-fpm");
  EXPECT_EQ(f.GetString("version"), "8.2");
  EXPECT_EQ(f.GetString("version_source"), "exe-name");
  EXPECT_EQ(f.GetString("config"), "/etc/php/8.2/fpm/php-fpm.conf");
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, WebServicesSchema()).ok());
}

TEST_F(ServicesRoot, AChangedBinaryIsReadAgain) {
  using namespace std::string_literals;
  Write("/usr/sbin/nginx", "\0nginx/1.24.0\0"s);
  Proc(60, 1, 0, "nginx", "/usr/sbin/nginx", "nginx: master process /usr/sbin/nginx");
  EXPECT_EQ(CollectWebServices(Host()).as_array().at(0).GetString("version"), "1.24.0");
  EXPECT_EQ(CollectWebServices(Host()).as_array().at(0).GetString("version"), "1.24.0");
  Write("/usr/sbin/nginx", "\0\0nginx/1.25.10\0"s);  // an upgrade: other size
  EXPECT_EQ(CollectWebServices(Host()).as_array().at(0).GetString("version"), "1.25.10");
}

TEST_F(ServicesRoot, ParentLoopsDoNotHang) {
  Proc(50, 51, 0, "nginx", "/usr/sbin/nginx", "nginx");
  Proc(51, 50, 0, "nginx", "/usr/sbin/nginx", "nginx");
  const Json rows = CollectWebServices(Host());
  EXPECT_LE(rows.size(), 2u);
}

}  // namespace
}  // namespace rampart::agent
