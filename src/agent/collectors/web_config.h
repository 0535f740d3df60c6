#pragma once
// Parsers of web-server configurations, for the web_sites collector: nginx (nginx.conf syntax with
// `include`), Apache httpd (apache2.conf / httpd.conf syntax with `Include`/`IncludeOptional`),
// Caddy (Caddyfile) and Tomcat (server.xml `<Host appBase>` and `<Connector>`). Each turns a
// configuration tree into one WebSite per virtual host / server block. Pure parsing: files are read
// through the WebFileReader the caller supplies (the collector reads them through a HostView), so
// tests and fuzzers feed text. Hostile input yields what could be parsed plus messages in `errors`,
// never an exception.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

struct WebSite {
  std::string server;               // "nginx", "apache", "caddy", "tomcat"
  std::string config;               // file holding the server block / VirtualHost / Host
  int line = 0;                     // 1-based line where the block starts
  std::vector<std::string> names;   // server_name / ServerName + ServerAlias / Host name+Alias
  std::vector<std::string> listen;  // "*:80", "[::]:443", "127.0.0.1:8080", "unix:/run/app.sock"
  bool tls = false;                 // a listen with ssl, SSLEngine on, an SSL connector
  bool default_server = false;      // nginx default_server; Apache main server / first vhost
  std::string root;                 // document root of the site ("" when it serves no files)
  std::vector<std::string> other_roots;  // location roots, aliases, Alias targets (in order)
  std::vector<std::string> upstreams;    // proxy_pass / fastcgi_pass / ProxyPass targets
};

// One file the reader returns.
struct WebConfigFile {
  std::string path;
  std::string text;
};

// Expands an include pattern (absolute; may hold glob characters) to the files it names, in lexical
// order. A directory names the files directly inside it (Apache). On failure (unreadable, too
// large, or missing when `optional` is false) append "path: reason" to *errors; a glob matching
// nothing is no error.
using WebFileReader = std::function<std::vector<WebConfigFile>(
    const std::string& pattern, bool optional, std::vector<std::string>* errors)>;

struct WebConfigLimits {
  int max_include_depth = 16;
  std::size_t max_files = 512;    // files parsed per configuration tree (main file included)
  std::size_t max_sites = 10000;  // rows per configuration tree
};

struct WebConfig {
  std::vector<WebSite> sites;
  std::vector<std::string> files;   // every file parsed, main file first
  std::vector<std::string> errors;  // "file:line: message" or "file: message"
};

// nginx: `text` is the main file at `path` (e.g. /etc/nginx/nginx.conf). Relative include paths are
// resolved against the main file's directory; relative root/alias against `prefix` (nginx's
// --prefix, /usr/share/nginx for distribution packages). `server` blocks inside `http` become sites
// (`stream`/`mail` servers are not web sites). Roots are inherited http -> server -> location; a
// server without any root that still serves files gets nginx's default `<prefix>/html`.
WebConfig ParseNginxConfig(std::string_view text, const std::string& path,
                           const std::string& prefix, const WebFileReader& read,
                           const WebConfigLimits& limits = {});

// Apache httpd: `text` is the main file at `path`. Relative Include and DocumentRoot paths are
// resolved against ServerRoot (the `ServerRoot` directive, else `server_root`). Each <VirtualHost>
// is a site; the main server is a site too when it has a DocumentRoot or ServerName at top level.
// <IfModule>/<IfDefine>/<IfVersion> sections are assumed true; `Define` variables are expanded.
WebConfig ParseApacheConfig(std::string_view text, const std::string& path,
                            const std::string& server_root, const WebFileReader& read,
                            const WebConfigLimits& limits = {});

// Caddy: a Caddyfile. Each site block (its addresses before "{") is a site; a file without braces
// is one site. The global options block and snippet definitions "(name) { }" are not sites;
// `import` of a snippet is expanded inside a site, `import FILE-GLOB` at top level reads files
// (relative to the Caddyfile's directory). Addresses give listen and TLS as Caddy does: https:// or
// a host name on a port other than 80 is served over TLS (automatic HTTPS); `tls` in the site turns
// it on too.
WebConfig ParseCaddyfile(std::string_view text, const std::string& path, const WebFileReader& read,
                         const WebConfigLimits& limits = {});

// Tomcat server.xml: one site per <Host> with its appBase (relative paths against `catalina_base`)
// and the <Connector> ports of its <Service>. Comments, CDATA and entity-quoted attribute values
// are handled; this is not a validating XML parser.
WebConfig ParseTomcatServerXml(std::string_view text, const std::string& path,
                               const std::string& catalina_base);

}  // namespace rampart::agent
