#include "agent/collectors/web_config.h"

#include <fnmatch.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// An in-memory file system for the include reader: patterns are matched with fnmatch.
class Files {
 public:
  Files() = default;
  Files(std::initializer_list<std::pair<const std::string, std::string>> files) : files_(files) {}
  WebFileReader Reader() {
    return [this](const std::string& pattern, bool optional, std::vector<std::string>* errors) {
      ++calls_;
      std::vector<WebConfigFile> out;
      for (const auto& [path, text] : files_) {
        if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0)
          out.push_back({path, text});
      }
      if (out.empty() && !optional && pattern.find_first_of("*?[") == std::string::npos) {
        errors->push_back(pattern + ": not found");
      }
      return out;
    };
  }
  int calls() const { return calls_; }

 private:
  std::map<std::string, std::string> files_;
  int calls_ = 0;
};

std::string AllErrors(const WebConfig& c) {
  std::string s;
  for (const auto& e : c.errors) s += e + "\n";
  return s;
}

TEST(NginxConfig, ServerBlocksWithListenNamesRootsAndInheritance) {
  Files fs({{"/etc/nginx/sites-enabled/a", R"(
server {
  listen 443 ssl default_server;
  listen [::]:443 ssl;
  server_name a.example "b.example";   # two names
  root html/a;
  location /img/ { alias /data/img/; }
  location /app { proxy_pass http://unix:/run/app.sock; }
  location /nested {
    location /nested/deep { root /data/deep; }
  }
}
server { listen 10.0.0.1; server_name _; location / { return 404; } }
)"}});
  const WebConfig c = ParseNginxConfig(
      "events {}\nhttp {\n root /srv/default;\n include sites-enabled/*;\n server { listen 8080; "
      "}\n}\n",
      "/etc/nginx/nginx.conf", "/usr/share/nginx", fs.Reader());
  EXPECT_THAT(c.errors, IsEmpty()) << AllErrors(c);
  ASSERT_EQ(c.sites.size(), 3u);
  const WebSite& a = c.sites[0];
  EXPECT_EQ(a.server, "nginx");
  EXPECT_EQ(a.config, "/etc/nginx/sites-enabled/a");
  EXPECT_EQ(a.line, 2);
  EXPECT_THAT(a.listen, ElementsAre("*:443", "[::]:443"));
  EXPECT_TRUE(a.tls);
  EXPECT_TRUE(a.default_server);
  EXPECT_THAT(a.names, ElementsAre("a.example", "b.example"));
  EXPECT_EQ(a.root, "/usr/share/nginx/html/a");  // relative to the prefix
  EXPECT_THAT(a.other_roots, ElementsAre("/data/img", "/data/deep"));
  EXPECT_THAT(a.upstreams, ElementsAre("http://unix:/run/app.sock"));

  const WebSite& b = c.sites[1];
  EXPECT_THAT(b.listen, ElementsAre("10.0.0.1:80"));
  EXPECT_FALSE(b.tls);
  EXPECT_EQ(b.root, "/srv/default");  // inherited from http

  const WebSite& main = c.sites[2];
  EXPECT_EQ(main.config, "/etc/nginx/nginx.conf");
  EXPECT_EQ(main.line, 5);
  EXPECT_THAT(main.listen, ElementsAre("*:8080"));
  EXPECT_THAT(c.files, ElementsAre("/etc/nginx/nginx.conf", "/etc/nginx/sites-enabled/a"));
}

TEST(NginxConfig, DefaultRootOnlyWhenTheServerServesFiles) {
  Files fs;
  const WebConfig c =
      ParseNginxConfig(R"(http {
  server { listen 80; }
  server { listen 81; location / { proxy_pass http://backend; } }
  server { listen 82; return 444; }
  server { listen unix:/run/x.sock; location /s { stub_status; } }
})",
                       "/usr/local/nginx/conf/nginx.conf", "/usr/local/nginx", fs.Reader());
  ASSERT_EQ(c.sites.size(), 4u);
  EXPECT_EQ(c.sites[0].root, "/usr/local/nginx/html");
  EXPECT_EQ(c.sites[1].root, "");
  EXPECT_THAT(c.sites[1].upstreams, ElementsAre("http://backend"));
  EXPECT_EQ(c.sites[2].root, "");
  EXPECT_EQ(c.sites[3].root, "/usr/local/nginx/html");
  EXPECT_THAT(c.sites[3].listen, ElementsAre("unix:/run/x.sock"));
}

TEST(NginxConfig, StreamAndMailServersAreNotSites) {
  Files fs;
  const WebConfig c = ParseNginxConfig(
      "stream { server { listen 3306; proxy_pass db:3306; } }\nmail { server { listen 25; } }\n",
      "/etc/nginx/nginx.conf", "/usr/share/nginx", fs.Reader());
  EXPECT_THAT(c.sites, IsEmpty());
  EXPECT_THAT(c.errors, IsEmpty());
}

TEST(NginxConfig, QuotesEscapesVariablesAndComments) {
  Files fs;
  const WebConfig c = ParseNginxConfig(R"(http { server {
  server_name "has space" 'single\'q' ~^(?<sub>.+)\.example\.com$;
  root "/var/www/${host}/pub";   # braces of a variable are not a block
  set $x "a;b{c}";
  location ~ "\.php$" { fastcgi_pass 127.0.0.1:9000; }
} })",
                                       "/etc/nginx/nginx.conf", "/usr/share/nginx", fs.Reader());
  EXPECT_THAT(c.errors, IsEmpty()) << AllErrors(c);
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_THAT(c.sites[0].names,
              ElementsAre("has space", "single'q", "~^(?<sub>.+)\\.example\\.com$"));
  EXPECT_EQ(c.sites[0].root, "/var/www/${host}/pub");
  EXPECT_THAT(c.sites[0].upstreams, ElementsAre("127.0.0.1:9000"));
}

TEST(NginxConfig, BrokenFileKeepsWhatParsedAndNamesFileAndLine) {
  Files fs({{"/etc/nginx/conf.d/bad.conf", "server {\n listen 81;\n root /srv/bad;\n"},
            {"/etc/nginx/conf.d/good.conf", "server { listen 82; root /srv/good; }\n"}});
  const WebConfig c = ParseNginxConfig(
      "http {\n include conf.d/*.conf;\n include missing.conf;\n}\n}\nserver_name \"open\n",
      "/etc/nginx/nginx.conf", "/usr/share/nginx", fs.Reader());
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_EQ(c.sites[0].root, "/srv/bad");
  EXPECT_EQ(c.sites[1].root, "/srv/good");
  const std::string errors = AllErrors(c);
  EXPECT_THAT(errors, HasSubstr("/etc/nginx/conf.d/bad.conf:4: unexpected end of file, "
                                "expecting \"}\""));
  EXPECT_THAT(errors, HasSubstr("/etc/nginx/nginx.conf:3: include /etc/nginx/missing.conf: "
                                "not found"));
  EXPECT_THAT(errors, HasSubstr("/etc/nginx/nginx.conf:5: unexpected \"}\""));
  EXPECT_THAT(errors, HasSubstr("/etc/nginx/nginx.conf:6: unterminated quoted string"));
}

TEST(NginxConfig, IncludeLoopsStopAtTheDepthAndFileLimits) {
  Files fs({{"/etc/nginx/loop.conf", "include loop.conf;\nserver { listen 1; }\n"}});
  const WebConfig c =
      ParseNginxConfig("http { include loop.conf; }", "/etc/nginx/nginx.conf", "/usr/share/nginx",
                       fs.Reader(), WebConfigLimits{8, 100, 1000});
  EXPECT_THAT(AllErrors(c), HasSubstr("include depth limit (8) reached"));
  EXPECT_EQ(c.sites.size(), 8u);
  EXPECT_EQ(fs.calls(), 8);

  Files wide({{"/etc/nginx/w/a", "server {}"},
              {"/etc/nginx/w/b", "server {}"},
              {"/etc/nginx/w/c", "server {}"}});
  const WebConfig w =
      ParseNginxConfig("http { include w/*; }", "/etc/nginx/nginx.conf", "/usr/share/nginx",
                       wide.Reader(), WebConfigLimits{16, 3, 1000});
  EXPECT_EQ(w.sites.size(), 2u);
  EXPECT_THAT(AllErrors(w), HasSubstr("file limit (3) reached; /etc/nginx/w/c"));
}

TEST(NginxConfig, DeepNestingIsRefusedWithoutRecursingForever) {
  std::string text = "http { server { ";
  for (int i = 0; i < 10000; ++i) text += "location / { ";
  const WebConfig c =
      ParseNginxConfig(text, "/etc/nginx/nginx.conf", "/usr/share/nginx", Files().Reader());
  EXPECT_THAT(AllErrors(c), HasSubstr("nested too deeply"));
}

TEST(ApacheConfig, DebianLayoutVirtualHostsAliasesTlsAndDefines) {
  Files fs(
      {{"/etc/apache2/ports.conf", "Listen 80\n<IfModule ssl_module>\n Listen 443\n</IfModule>\n"},
       {"/etc/apache2/sites-enabled/000-default.conf",
        "<VirtualHost *:80>\n DocumentRoot /var/www/html\n</VirtualHost>\n"},
       {"/etc/apache2/sites-enabled/ssl.conf", R"(Define ROOT /srv/site
<IfModule mod_ssl.c>
 <VirtualHost _default_:443 [::]:443>
  ServerName https://site.example:443
  ServerAlias www.site.example \
     alt.site.example
  DocumentRoot "${ROOT}/htdocs"
  Alias /static/ "${ROOT}/static/"
  ScriptAlias /cgi-bin/ cgi/
  SSLEngine On
  <Location /api>
   ProxyPass http://127.0.0.1:5000/ retry=0
  </Location>
  ProxyPass /ws/ ws://127.0.0.1:6000/
  <FilesMatch \.php$>
   SetHandler "proxy:unix:/run/php/fpm.sock|fcgi://localhost"
  </FilesMatch>
 </VirtualHost>
</IfModule>
)"}});
  const WebConfig c = ParseApacheConfig(
      "Include ports.conf\n<Directory /var/www/>\n Require all granted\n</Directory>\n"
      "IncludeOptional sites-enabled/*.conf\nIncludeOptional conf-enabled/*.conf\n",
      "/etc/apache2/apache2.conf", "/etc/apache2", fs.Reader());
  EXPECT_THAT(c.errors, IsEmpty()) << AllErrors(c);
  ASSERT_EQ(c.sites.size(), 2u);  // no main-server DocumentRoot: only the vhosts
  EXPECT_EQ(c.sites[0].config, "/etc/apache2/sites-enabled/000-default.conf");
  EXPECT_EQ(c.sites[0].line, 1);
  EXPECT_THAT(c.sites[0].listen, ElementsAre("*:80"));
  EXPECT_EQ(c.sites[0].root, "/var/www/html");
  EXPECT_FALSE(c.sites[0].tls);
  const WebSite& s = c.sites[1];
  EXPECT_EQ(s.line, 3);
  EXPECT_THAT(s.names, ElementsAre("site.example", "www.site.example", "alt.site.example"));
  EXPECT_THAT(s.listen, ElementsAre("_default_:443", "[::]:443"));
  EXPECT_TRUE(s.tls);
  EXPECT_TRUE(s.default_server);
  EXPECT_EQ(s.root, "/srv/site/htdocs");
  EXPECT_THAT(s.other_roots, ElementsAre("/srv/site/static", "/etc/apache2/cgi"));
  EXPECT_THAT(s.upstreams, ElementsAre("http://127.0.0.1:5000/", "ws://127.0.0.1:6000/",
                                       "unix:/run/php/fpm.sock|fcgi://localhost"));
}

TEST(ApacheConfig, RhelMainServerAndInheritedDocumentRoot) {
  Files fs({{"/etc/httpd/conf.d/ssl.conf",
             "Listen 443 https\n<VirtualHost _default_:443>\n#DocumentRoot \"/var/www/html\"\n"
             "ServerName www.example.com:443\nSSLEngine on\n</VirtualHost>\n"}});
  const WebConfig c = ParseApacheConfig(
      "ServerRoot \"/etc/httpd\"\nListen 80\nServerName www.example.com:80\n"
      "DocumentRoot \"/var/www/html\"\n<IfModule alias_module>\n"
      " ScriptAlias /cgi-bin/ \"/var/www/cgi-bin/\"\n</IfModule>\nIncludeOptional conf.d/*.conf\n",
      "/etc/httpd/conf/httpd.conf", "/etc/httpd", fs.Reader());
  EXPECT_THAT(c.errors, IsEmpty()) << AllErrors(c);
  ASSERT_EQ(c.sites.size(), 2u);
  const WebSite& main = c.sites[0];
  EXPECT_EQ(main.config, "/etc/httpd/conf/httpd.conf");
  EXPECT_EQ(main.line, 0);
  EXPECT_THAT(main.names, ElementsAre("www.example.com"));
  EXPECT_THAT(main.listen, ElementsAre("*:80", "*:443"));
  EXPECT_EQ(main.root, "/var/www/html");
  EXPECT_THAT(main.other_roots, ElementsAre("/var/www/cgi-bin"));
  EXPECT_FALSE(main.default_server);  // a vhost exists
  const WebSite& ssl = c.sites[1];
  EXPECT_TRUE(ssl.tls);
  EXPECT_EQ(ssl.root, "/var/www/html");  // the main server's
}

TEST(ApacheConfig, MismatchedAndUnclosedSectionsAreReported) {
  Files fs;
  const WebConfig c = ParseApacheConfig(
      "</Directory>\n<VirtualHost *:80>\n DocumentRoot /a\n<Directory /a>\n</VirtualHost>\n"
      "<VirtualHost *:81\nInclude /etc/nope.conf\n<VirtualHost *:82>\n DocumentRoot /b\n",
      "/etc/apache2/apache2.conf", "/etc/apache2", fs.Reader());
  const std::string errors = AllErrors(c);
  EXPECT_THAT(errors, HasSubstr("apache2.conf:1: </Directory> without matching <Directory>"));
  EXPECT_THAT(errors, HasSubstr("apache2.conf:5: expected </Directory> but saw </VirtualHost>"));
  EXPECT_THAT(errors, HasSubstr("apache2.conf:6: section \"VirtualHost\" lacks \">\""));
  EXPECT_THAT(errors, HasSubstr("apache2.conf:7: include /etc/nope.conf: not found"));
  EXPECT_THAT(errors, HasSubstr("apache2.conf:8: <VirtualHost> is not closed"));
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_EQ(c.sites[0].root, "/a");
  EXPECT_EQ(c.sites[1].root, "/b");
}

TEST(ApacheConfig, SelfDoublingDefinesStayBounded) {
  std::string text = "Define A xxxxxxxxxxxxxxxx\n";
  for (int i = 0; i < 40; ++i) text += "Define A ${A}${A}\n";
  text += "DocumentRoot /srv/${A}\n";
  const WebConfig c =
      ParseApacheConfig(text, "/etc/apache2/apache2.conf", "/etc/apache2", Files().Reader());
  EXPECT_THAT(AllErrors(c), HasSubstr("expansion grows past 16384 bytes"));
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_LE(c.sites[0].root.size(), std::size_t{17} << 10);
}

TEST(ApacheConfig, IncludeOptionalIsSilentIncludeIsNot) {
  Files fs;
  const WebConfig c =
      ParseApacheConfig("IncludeOptional /etc/none.conf\nIncludeOptional /etc/x/*.conf\n",
                        "/etc/apache2/apache2.conf", "/etc/apache2", fs.Reader());
  EXPECT_THAT(c.errors, IsEmpty());
  EXPECT_THAT(c.sites, IsEmpty());
}

TEST(Caddyfile, SitesAddressesRootsProxiesSnippetsAndImports) {
  Files fs({{"/etc/caddy/sites/b.caddy", "b.example {\n\troot * /srv/b\n}\n"}});
  const WebConfig c = ParseCaddyfile(R"({
	admin off
}
(common) {
	root * /srv/common
	reverse_proxy /api/* 127.0.0.1:9000
}
a.example, "www.a.example" {
	root * /srv/a
	handle_path /static/* {
		root * /srv/static
		file_server
	}
	@old path /old/*
	redir @old /new
	php_fastcgi unix//run/php.sock
}
http://intranet:8000 :9000 {
	import common
}
[::1]:8443 {
	tls internal
}
import sites/*.caddy
)",
                                     "/etc/caddy/Caddyfile", fs.Reader());
  EXPECT_THAT(c.errors, IsEmpty()) << AllErrors(c);
  ASSERT_EQ(c.sites.size(), 4u);
  const WebSite& a = c.sites[0];
  EXPECT_EQ(a.server, "caddy");
  EXPECT_EQ(a.line, 8);
  EXPECT_THAT(a.names, ElementsAre("a.example", "www.a.example"));
  EXPECT_THAT(a.listen, ElementsAre("*:443"));
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.root, "/srv/a");
  EXPECT_THAT(a.other_roots, ElementsAre("/srv/static"));
  EXPECT_THAT(a.upstreams, ElementsAre("unix//run/php.sock"));
  const WebSite& intranet = c.sites[1];
  EXPECT_THAT(intranet.names, ElementsAre("intranet"));
  EXPECT_THAT(intranet.listen, ElementsAre("*:8000", "*:9000"));
  EXPECT_FALSE(intranet.tls);
  EXPECT_EQ(intranet.root, "/srv/common");
  EXPECT_THAT(intranet.upstreams, ElementsAre("127.0.0.1:9000"));
  EXPECT_THAT(c.sites[2].names, ElementsAre("::1"));
  EXPECT_THAT(c.sites[2].listen, ElementsAre("*:8443"));
  EXPECT_TRUE(c.sites[2].tls);
  EXPECT_EQ(c.sites[3].config, "/etc/caddy/sites/b.caddy");
  EXPECT_EQ(c.sites[3].root, "/srv/b");
}

TEST(Caddyfile, OneSiteWithoutBracesAndErrors) {
  const WebConfig one = ParseCaddyfile("localhost:2015\nroot /var/www\nfile_server\n",
                                       "/etc/caddy/Caddyfile", Files().Reader());
  ASSERT_EQ(one.sites.size(), 1u);
  EXPECT_THAT(one.sites[0].listen, ElementsAre("*:2015"));
  EXPECT_EQ(one.sites[0].root, "/var/www");

  const WebConfig bad = ParseCaddyfile("a.example {\n root * \"/srv/a\n}\n", "/etc/caddy/Caddyfile",
                                       Files().Reader());
  EXPECT_THAT(AllErrors(bad), HasSubstr("/etc/caddy/Caddyfile:2: unterminated quoted string"));
  const WebConfig open = ParseCaddyfile("a.example {\n root * /srv/a\n}\n}\nb.example {\n",
                                        "/etc/caddy/Caddyfile", Files().Reader());
  EXPECT_THAT(AllErrors(open), HasSubstr("Caddyfile:4: unexpected \"}\""));
  EXPECT_THAT(AllErrors(open), HasSubstr("Caddyfile:5: unexpected end of file"));
  ASSERT_EQ(open.sites.size(), 2u);
  EXPECT_EQ(open.sites[0].root, "/srv/a");
}

TEST(TomcatServerXml, HostsAppBaseConnectorsAndContexts) {
  const WebConfig c = ParseTomcatServerXml(R"(<?xml version="1.0"?>
<Server port="8005">
  <!-- <Connector port="9999" SSLEnabled="true"/> -->
  <Service name="Catalina">
    <Connector port="8080" protocol="HTTP/1.1"/>
    <Connector port="8443" SSLEnabled="true" address="10.0.0.2"/>
    <Connector port="8009" protocol="AJP/1.3"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps">
        <Context path="/x" docBase="/srv/x"/>
        <Valve pattern="%h &quot;%r&quot;"/>
      </Host>
      <Host name="other" appBase="/srv/other-apps"/>
    </Engine>
  </Service>
</Server>)",
                                           "/etc/tomcat/server.xml", "/usr/share/tomcat");
  EXPECT_THAT(c.errors, IsEmpty()) << AllErrors(c);
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_EQ(c.sites[0].server, "tomcat");
  EXPECT_EQ(c.sites[0].line, 9);
  EXPECT_THAT(c.sites[0].names, ElementsAre("localhost"));
  EXPECT_TRUE(c.sites[0].default_server);
  EXPECT_EQ(c.sites[0].root, "/usr/share/tomcat/webapps");
  EXPECT_THAT(c.sites[0].other_roots, ElementsAre("/srv/x"));
  EXPECT_THAT(c.sites[0].listen, ElementsAre("*:8080", "10.0.0.2:8443"));
  EXPECT_TRUE(c.sites[0].tls);
  EXPECT_EQ(c.sites[1].root, "/srv/other-apps");
  EXPECT_FALSE(c.sites[1].default_server);
}

TEST(TomcatServerXml, UnterminatedConstructsAreReported) {
  const WebConfig c = ParseTomcatServerXml("<Server>\n<Service>\n<Host name=\"a\" <!-- x",
                                           "/opt/tomcat/conf/server.xml", "/opt/tomcat");
  ASSERT_FALSE(c.errors.empty());
  EXPECT_THAT(c.errors[0], HasSubstr("/opt/tomcat/conf/server.xml:3: unterminated"));
}

}  // namespace
}  // namespace rampart::agent
