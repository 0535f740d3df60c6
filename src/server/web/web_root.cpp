#include "server/web/web_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "common/files.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::server {
namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{32} << 20;
constexpr std::size_t kMaxPathBytes = 1024;

// Assets: the console loads scripts, styles and images from itself only; API calls go to the same
// origin. No inline script or eval; inline style attributes are not used either.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

std::optional<std::string> Canonical(const std::string& path) {
  char buffer[PATH_MAX];
  if (realpath(path.c_str(), buffer) == nullptr) return std::nullopt;
  return std::string(buffer);
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Errors have the API's shape, so a client that strays outside /api/v1 still gets JSON it can read.
net::HttpResponse PlainError(int status, std::string_view message) {
  Json error = Json::MakeObject();
  error.Set("code", status == 404   ? "not_found"
                    : status == 405 ? "method_not_allowed"
                                    : "internal");
  error.Set("message", message);
  Json body = Json::MakeObject();
  body.Set("error", std::move(error));
  net::HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.Dump();
  response.headers.Add("cache-control", "no-store");
  AddConsoleSecurityHeaders(response);
  return response;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(file_name, ext)) return type;
  }
  return "application/octet-stream";
}

void AddConsoleSecurityHeaders(net::HttpResponse& response) {
  response.headers.Add("content-security-policy", kCsp);
  response.headers.Add("x-frame-options", "DENY");
  response.headers.Add("x-content-type-options", "nosniff");
  response.headers.Add("referrer-policy", "no-referrer");
  response.headers.Add("cross-origin-opener-policy", "same-origin");
}

std::string DefaultWebRoot() {
  std::vector<std::string> candidates = {"/usr/share/rampart/web"};
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path bin = exe.parent_path();
    candidates.push_back((bin / "../share/rampart/web").lexically_normal().string());
    // <repo>/build/<preset>/src/cli/rampart -> <repo>/web/dist
    candidates.push_back((bin / "../../../../web/dist").lexically_normal().string());
  }
  for (const std::string& dir : candidates) {
    if (IsRegularFile(dir + "/index.html")) return dir;
  }
  return "";
}

WebRoot::WebRoot(std::string dir) {
  if (dir.empty()) return;
  if (auto canonical = Canonical(dir)) dir_ = std::move(*canonical);
}

std::optional<std::string> WebRoot::Resolve(std::string_view path) const {
  if (path.empty() || path.front() != '/' || path.size() > kMaxPathBytes) return std::nullopt;
  std::string joined = dir_;
  for (std::string_view segment : Split(path.substr(1), '/')) {
    if (segment.empty()) continue;
    // The path is percent-decoded already: "..", "." and anything with a NUL or backslash never
    // name a console file.
    if (segment == "." || segment == ".." || segment.find('\0') != std::string_view::npos ||
        segment.find('\\') != std::string_view::npos) {
      return std::nullopt;
    }
    joined += "/";
    joined += segment;
  }
  auto canonical = Canonical(joined);
  if (!canonical) return std::nullopt;
  // Symlinks inside the root may not lead out of it.
  if (*canonical != dir_ && !StartsWith(*canonical, dir_ + "/")) return std::nullopt;
  if (!IsRegularFile(*canonical)) return std::nullopt;
  return canonical;
}

net::HttpResponse WebRoot::File(const std::string& file, std::string_view cache_control,
                                const net::HttpRequest& request) const {
  auto data = ReadLocalFile(file, kMaxFileBytes);
  if (!data.ok()) {
    log::Warn("console: {}: {}", file, data.error().ToString());
    return PlainError(500, "cannot read a console file; see the server log");
  }
  net::HttpResponse response;
  response.content_type = std::string(ContentTypeFor(file));
  response.headers.Add("cache-control", cache_control);
  AddConsoleSecurityHeaders(response);
  if (request.method != "HEAD") response.body = std::move(*data);
  return response;
}

net::HttpResponse WebRoot::Serve(const net::HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    net::HttpResponse response = PlainError(405, "method not allowed: use GET");
    response.headers.Add("allow", "GET, HEAD");
    return response;
  }
  if (dir_.empty()) {
    return PlainError(404, "no such route: " + Printable(request.path.substr(0, 200)) +
                               " (the web console is not installed: build it with scripts/web.sh "
                               "build and start the server with --web-root web/dist)");
  }
  const bool asset = StartsWith(request.path, "/assets/");
  if (auto file = Resolve(request.path)) {
    // Vite names every asset after its content hash, so a cached copy is never stale.
    const std::string_view cache = asset ? "public, max-age=31536000, immutable"
                                   : EndsWith(*file, "/index.html") ? "no-cache"
                                                                    : "public, max-age=3600";
    return File(*file, cache, request);
  }
  // A missing asset is a real 404 (a script must not get HTML back). The console's files live in
  // two places only: hashed assets under /assets/ and a few top-level files (favicon.svg), so a
  // missing top-level name with a dot is a 404 too. Every other path is a console route, answered
  // by index.html, even when its last segment holds a dot (/vulnerabilities/DSA-5555-1.2 reloads).
  // A view into request.path itself (substr of the std::string would be a temporary).
  const std::string_view path = request.path;
  const bool top_level = path.rfind('/') == 0;
  if (asset || (top_level && path.find('.') != std::string_view::npos)) {
    return PlainError(404, "no such file: " + Printable(request.path.substr(0, 200)));
  }
  auto index = Resolve("/index.html");
  if (!index) return PlainError(404, "the web root has no index.html: " + dir_);
  return File(*index, "no-cache", request);
}

}  // namespace rampart::server
