#pragma once
// web_sites: the sites the host's web servers are configured to serve, read from their
// configuration files through the HostView (nginx, Apache httpd, Caddy, Tomcat). One row per nginx
// `server` block, Apache <VirtualHost> (plus the main server when it serves a DocumentRoot), Caddy
// site block and Tomcat <Host>. Field contract: docs/inventory.md#web_sites. The malware quick scan
// takes its web roots from these rows (web_roots.h).

#include <span>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/web_config.h"
#include "common/host_view.h"
#include "common/json.h"

namespace rampart::agent {

std::span<const Field> WebSitesSchema();

// A configuration tree to read: the main file, the server kind and the base for relative paths.
struct WebConfigSource {
  std::string server;  // "nginx", "apache", "tomcat"
  std::string path;    // main file
  std::string base;    // nginx prefix, Apache ServerRoot, Tomcat CATALINA_BASE
};

// The configuration trees of `host`: the usual locations of each server's main file, plus the
// files running servers were started with (`nginx -c FILE`, `httpd -f FILE` / `-d ROOT` in
// /proc/<pid>/cmdline). Each file once (by device and inode).
std::vector<WebConfigSource> FindWebConfigs(const HostView& host);

// Reads one tree through `host` (includes bounded: 1 MiB per file, WebConfigLimits).
WebConfig ReadWebConfig(const HostView& host, const WebConfigSource& source);

// The rows for `host`: every site of every tree of FindWebConfigs, with root existence checked in
// the host.
Json CollectWebSites(const HostView& host);

}  // namespace rampart::agent
