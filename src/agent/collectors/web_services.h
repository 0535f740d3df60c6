#pragma once
// web_services: the web servers running on the host, found from /proc (nginx, Apache httpd,
// lighttpd, Caddy, Tomcat, php-fpm, uWSGI, Gunicorn, Node.js, HAProxy, Traefik). One row per
// server instance: its main process (the one whose parent is not the same server), with the
// executable, user, version when the binary or the installation states it, configuration file,
// worker count and the TCP ports the instance listens on (joined with the ports collector's sockets
// by pid). Nothing is executed. Field contract: docs/inventory.md#web_services.

#include <span>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "common/host_view.h"
#include "common/json.h"

namespace rampart::agent {

std::span<const Field> WebServicesSchema();

// The server kind of a process from its comm, executable path and command line (arguments joined
// by spaces); "" when it is not a web server. Node.js processes are "node" (reported only when
// they listen on a TCP port).
std::string WebServerKind(std::string_view comm, std::string_view exe, std::string_view cmdline);

// The version that follows `marker` in `data` ("nginx/" in "...nginx/1.22.1\0..." -> "1.22.1"):
// digits and dots (at least one digit first), then an optional "-suffix" of letters, digits, '.',
// '_' or '~'. "" when no occurrence of marker is followed by a digit.
std::string FindVersionAfter(std::string_view data, std::string_view marker);

// The rows for `host`.
Json CollectWebServices(const HostView& host);

}  // namespace rampart::agent
