#pragma once
// The places the malware quick scan covers (docs/malware.md, "--quick"): the document roots of the
// web sites the host's web servers serve (from the web_sites rows), the usual web-root locations
// for servers without a configuration we parse, and the temp, cron, systemd and autostart places.
// `rampart scan --quick`, the agent's scheduled quick scan and its real-time watch use this list.

#include <string>
#include <vector>

#include "common/host_view.h"
#include "common/json.h"

namespace rampart::agent {

// Roots of the web_sites rows `sites` (root and other_roots) that exist in `host`. A root holding a
// variable (nginx `$host`, Apache `%{...}`) contributes its directory before the first variable
// component. `/` and top-level system directories (/usr, /etc, /var, /proc, ...) are dropped: a
// site rooted there would turn the quick scan into a full one. Sorted, deduplicated, nested
// collapsed.
std::vector<std::string> WebSiteScanRoots(const HostView& host, const Json& sites);

// Drops duplicates and every path below another path of the list (a directory covers its
// subtree); sorted.
std::vector<std::string> CollapseNestedPaths(std::vector<std::string> paths);

// The whole quick-scan list for `host`: WebSiteScanRoots(CollectWebSites(host)) plus the fixed
// places that exist (/var/www, /srv/www, ..., /tmp, cron, systemd, autostart), collapsed.
std::vector<std::string> QuickScanPlaces(const HostView& host);

}  // namespace rampart::agent
