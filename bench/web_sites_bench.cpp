// Benchmarks of the web-server configuration parsers (nginx, Apache httpd, Tomcat server.xml), of
// the web_sites and web_services collectors on the Debian fixture root and on this host, of the
// version search in executables, and of the quick-scan place list the malware scan builds.
#include <benchmark/benchmark.h>

#include <string>

#include "agent/collectors/web_config.h"
#include "agent/collectors/web_roots.h"
#include "agent/collectors/web_services.h"
#include "agent/collectors/web_sites.h"
#include "common/host_view.h"

namespace {

using namespace rampart;
using namespace rampart::agent;

// A hosting server's nginx configuration: `sites` server blocks with TLS, locations and comments.
std::string NginxSites(int sites) {
  std::string text = "user www-data;\nevents { worker_connections 768; }\nhttp {\n  sendfile on;\n";
  for (int i = 0; i < sites; ++i) {
    const std::string n = std::to_string(i);
    text += "  # site " + n +
            "\n  server {\n    listen 443 ssl http2;\n    listen [::]:443 ssl;\n" +
            "    server_name site" + n + ".example.com www.site" + n + ".example.com;\n" +
            "    root /var/www/site" + n + "/public;\n    index index.php index.html;\n" +
            "    location / { try_files $uri $uri/ /index.php?$query_string; }\n" +
            "    location /media/ { alias /srv/media/site" + n + "/; expires 30d; }\n" +
            "    location ~ \\.php$ { fastcgi_pass unix:/run/php/fpm-" + n + ".sock; }\n  }\n";
  }
  return text + "}\n";
}

std::string ApacheSites(int sites) {
  std::string text =
      "Listen 80\nListen 443\n<Directory /var/www/>\n  Require all granted\n</Directory>\n";
  for (int i = 0; i < sites; ++i) {
    const std::string n = std::to_string(i);
    text += "<VirtualHost *:443>\n  ServerName site" + n + ".example.com\n  ServerAlias www.site" +
            n + ".example.com\n  DocumentRoot \"/var/www/site" + n + "/htdocs\"\n" +
            "  Alias /static/ /srv/static/site" + n + "/\n  SSLEngine on\n" +
            "  <FilesMatch \\.php$>\n    SetHandler "
            "\"proxy:unix:/run/php/fpm.sock|fcgi://localhost\"\n" +
            "  </FilesMatch>\n</VirtualHost>\n";
  }
  return text;
}

const WebFileReader kNoIncludes = [](const std::string&, bool, std::vector<std::string>*) {
  return std::vector<WebConfigFile>{};
};

void BM_ParseNginx(benchmark::State& state) {
  const std::string text = NginxSites(static_cast<int>(state.range(0)));
  std::size_t sites = 0;
  for (auto _ : state) {
    const WebConfig c =
        ParseNginxConfig(text, "/etc/nginx/nginx.conf", "/usr/share/nginx", kNoIncludes);
    sites = c.sites.size();
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
  state.counters["sites"] = static_cast<double>(sites);
}
BENCHMARK(BM_ParseNginx)->Arg(1000);

void BM_ParseApache(benchmark::State& state) {
  const std::string text = ApacheSites(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ParseApacheConfig(text, "/etc/apache2/apache2.conf", "/etc/apache2", kNoIncludes));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseApache)->Arg(1000);

void BM_ParseTomcat(benchmark::State& state) {
  std::string text =
      "<?xml version=\"1.0\"?>\n<Server port=\"8005\">\n<Service name=\"Catalina\">\n"
      "<Connector port=\"8080\" protocol=\"HTTP/1.1\"/>\n<Engine defaultHost=\"h0\">\n";
  for (int i = 0; i < 1000; ++i) {
    const std::string n = std::to_string(i);
    text += "<!-- host " + n + " -->\n<Host name=\"h" + n + "\" appBase=\"webapps" + n +
            "\" unpackWARs=\"true\">\n  <Context path=\"/x\" docBase=\"/srv/x" + n +
            "\"/>\n</Host>\n";
  }
  text += "</Engine>\n</Service>\n</Server>\n";
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseTomcatServerXml(text, "/etc/tomcat/server.xml", "/var/lib/t"));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseTomcat);

void BM_WebSitesDebianFixture(benchmark::State& state) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  if (!host.ok()) {
    state.SkipWithError("fixture root missing");
    return;
  }
  std::size_t rows = 0;
  for (auto _ : state) {
    const Json out = CollectWebSites(*host);
    rows = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_WebSitesDebianFixture)->Unit(benchmark::kMillisecond);

void BM_WebSitesLive(benchmark::State& state) {
  const HostView host;
  std::size_t rows = 0;
  for (auto _ : state) {
    const Json out = CollectWebSites(host);
    rows = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_WebSitesLive)->Unit(benchmark::kMillisecond);

// What `rampart scan --quick` spends before scanning: sites collected, roots checked, fixed places
// globbed.
void BM_QuickScanPlacesLive(benchmark::State& state) {
  const HostView host;
  std::size_t places = 0;
  for (auto _ : state) {
    const auto out = QuickScanPlaces(host);
    places = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["places"] = static_cast<double>(places);
}
BENCHMARK(BM_QuickScanPlacesLive)->Unit(benchmark::kMillisecond);

// The version search over an executable-sized buffer whose marker is at the end (the worst case).
void BM_FindVersionAfter(benchmark::State& state) {
  std::string data(std::size_t{8} << 20, 'x');
  data += "nginx/1.22.1";
  for (auto _ : state) benchmark::DoNotOptimize(FindVersionAfter(data, "nginx/"));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_FindVersionAfter);

void BM_WebServicesLive(benchmark::State& state) {
  const HostView host;
  std::size_t rows = 0;
  for (auto _ : state) {
    const Json out = CollectWebServices(host);
    rows = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_WebServicesLive)->Unit(benchmark::kMillisecond);

}  // namespace
