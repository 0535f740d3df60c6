// ParseMysqlUrl: "mysql://user:password@host:port/database?socket=/path".
//
// The URL carries a password, and it comes from a command line or a config file, so no error
// message here ever repeats any part of the input: a typo in the host could as well be the tail of
// a password whose '/' or '@' was not percent-encoded.

#include <optional>
#include <string>
#include <string_view>

#include "common/strings.h"
#include "server/storage/sql_db.h"

namespace rampart::server {
namespace {

constexpr std::string_view kScheme = "mysql://";
constexpr std::string_view kShape = " (expected mysql://user:password@host:port/database)";

Status UrlError(std::string_view what) {
  return InvalidArgument("mysql URL: " + std::string(what) + std::string(kShape));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding ('+' stays '+'). nullopt on a malformed escape or a decoded NUL byte
// (the C client API would silently cut the value there).
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      if (s[i] == '\0') return std::nullopt;
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexDigit(s[i + 1]);
    const int lo = HexDigit(s[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Status ParseHostPort(std::string_view hostport, MysqlParams* params) {
  std::string_view host = hostport;
  std::string_view port;
  const bool bracketed = StartsWith(hostport, "[");
  if (bracketed) {  // IPv6 literal: [::1]:3306
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return UrlError("unclosed '[' in the IPv6 host");
    host = hostport.substr(1, close - 1);
    if (host.empty()) return UrlError("empty IPv6 host in []");
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return UrlError("unexpected text after the IPv6 host");
      port = rest.substr(1);
      if (port.empty()) return UrlError("empty port after ':'");
    }
  } else if (const std::size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    if (port.empty()) return UrlError("empty port after ':'");
  }
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || (bracketed && (c == ':' || c == '%'));
    if (!ok) {
      return UrlError(
          "the host may contain only letters, digits, '.', '-' and '_' (or be an IPv6 address in "
          "[brackets])");
    }
  }
  if (!host.empty()) params->host = std::string(host);
  if (!port.empty()) {
    const auto value = ParseInt<std::uint16_t>(port);
    if (!value || *value == 0) return UrlError("the port must be a number from 1 to 65535");
    params->port = *value;
  }
  return Status::Ok();
}

Status ParseQuery(std::string_view query, MysqlParams* params) {
  for (std::string_view pair : Split(query, '&')) {
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (key != "socket") return UrlError("unknown query parameter (the only one is socket=PATH)");
    auto socket = PercentDecode(value);
    if (!socket || socket->empty() || (*socket)[0] != '/') {
      return UrlError("socket= must be an absolute path");
    }
    params->socket = std::move(*socket);
  }
  return Status::Ok();
}

}  // namespace

Result<MysqlParams> ParseMysqlUrl(std::string_view url) {
  std::string_view rest = url;
  if (!ConsumePrefix(&rest, kScheme)) return UrlError("must start with mysql://");
  if (rest.find('#') != std::string_view::npos) {
    return UrlError("'#' is not allowed (percent-encode it as %23 in the password)");
  }
  MysqlParams params;

  // RFC 3986: the authority ends at the first '/' or '?'. A password containing '/', '?' or '@'
  // must be percent-encoded.
  const std::size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = rest.substr(authority_end);

  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (userinfo.find('@') != std::string_view::npos) {
      return UrlError("'@' in the user or password must be percent-encoded as %40");
    }
    const std::size_t colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon));
    if (!user) return UrlError("bad percent-encoding in the user name");
    if (user->empty()) return UrlError("empty user name before '@'");
    params.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(userinfo.substr(colon + 1));
      if (!password) return UrlError("bad percent-encoding in the password");
      params.password = std::move(*password);
    }
  } else if (tail.find('@') != std::string_view::npos) {
    return UrlError("'/', '?' and '@' in the password must be percent-encoded (%2F, %3F, %40)");
  }
  RAMPART_RETURN_IF_ERROR(ParseHostPort(authority, &params));

  std::string_view path = tail;
  std::string_view query;
  if (const std::size_t q = tail.find('?'); q != std::string_view::npos) {
    path = tail.substr(0, q);
    query = tail.substr(q + 1);
  }
  if (ConsumePrefix(&path, "/")) {
    auto database = PercentDecode(path);
    if (!database) return UrlError("bad percent-encoding in the database name");
    if (database->find('/') != std::string::npos || database->size() > 64) {
      return UrlError("the database name must be one path segment of at most 64 characters");
    }
    params.database = std::move(*database);
  }
  RAMPART_RETURN_IF_ERROR(ParseQuery(query, &params));
  if (authority.empty() && params.socket.empty()) params.host = "localhost";
  return params;
}

}  // namespace rampart::server
