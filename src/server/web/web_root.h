#pragma once
// Serves the built console (web/dist) from a directory: GET/HEAD of any path outside /api/,
// /healthz and /metrics. Hashed assets under /assets/ are cached for a year (immutable); every
// other path that names no file gets index.html (the console routes in the browser), never
// cached. Every answer carries the console's security headers (CSP, frame-ancestors/X-Frame-
// Options, nosniff, Referrer-Policy). Paths are resolved segment by segment and the final file
// must lie inside the root after resolving symlinks, so no request reads outside it.

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "net/http.h"

namespace rampart::server {

class WebRoot {
 public:
  // `dir` empty: no console; every request gets a 404 that says how to build one.
  explicit WebRoot(std::string dir);

  // The directory served ("" when none), made absolute and canonical.
  const std::string& dir() const { return dir_; }
  bool has_console() const { return !dir_.empty(); }

  net::HttpResponse Serve(const net::HttpRequest& request) const;

 private:
  // The canonical path of the file for `path`, or nullopt when it is not a regular file inside
  // the root.
  std::optional<std::string> Resolve(std::string_view path) const;
  net::HttpResponse File(const std::string& file, std::string_view cache_control,
                         const net::HttpRequest& request) const;

  std::string dir_;
};

// The content type for a file name's extension ("application/octet-stream" when unknown).
std::string_view ContentTypeFor(std::string_view file_name);

// Adds the console's security headers to `response`.
void AddConsoleSecurityHeaders(net::HttpResponse& response);

// The default web root when --web-root is not given: the first directory holding index.html of
// /usr/share/rampart/web and <dir of the executable>/../share/rampart/web, then the source tree's
// web/dist when the executable runs from <repo>/build/<preset>/src/cli. Empty when none exists.
std::string DefaultWebRoot();

}  // namespace rampart::server
