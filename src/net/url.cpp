// ParseUrl (client.h): kept out of client_beast.cpp so parsing stays cheap to compile and fuzz.
#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/strings.h"
#include "net/client.h"

namespace rampart::net {
namespace {

Status BadUrl(std::string_view url, std::string_view what) {
  std::string shown(url.substr(0, 200));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (url.size() > 200) shown += "...";
  return InvalidArgument("invalid URL \"" + shown + "\": " + std::string(what));
}

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

Result<Url> ParseUrl(std::string_view url) {
  Url out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return BadUrl(url, "expected scheme://host[:port][/path], e.g. https://server:8443");
  }
  out.scheme = ToLower(url.substr(0, sep));
  std::uint16_t default_port = 0;
  if (out.scheme == "http" || out.scheme == "ws") {
    default_port = 80;
  } else if (out.scheme == "https" || out.scheme == "wss") {
    default_port = 443;
  } else {
    return BadUrl(url,
                  "unsupported scheme \"" + out.scheme + "\" (expected http, https, ws or wss)");
  }

  std::string_view rest = url.substr(sep + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    std::string_view target = rest.substr(path_start);
    out.target = target[0] == '?' ? "/" + std::string(target) : std::string(target);
    for (const char c : out.target) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
        return BadUrl(url, "the path has a space or control character (percent-encode it)");
      }
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(url, "user credentials in URLs are not supported");
  }
  if (authority.empty()) return BadUrl(url, "missing host");

  std::string_view port_text;
  if (authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "missing ']' after the IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    in6_addr addr{};
    if (::inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) {
      return BadUrl(url, "\"" + out.host + "\" is not an IPv6 address");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return BadUrl(url, "expected ':port' after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return BadUrl(url, "empty port");
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
      if (port_text.empty()) return BadUrl(url, "empty port");
    }
    if (authority.empty()) return BadUrl(url, "missing host");
    for (const char c : authority) {
      if (c == ':') return BadUrl(url, "IPv6 addresses must be in brackets, e.g. [::1]:8443");
      if (!IsHostNameChar(c)) {
        return BadUrl(url,
                      "the host has an invalid character (expected letters, digits, '-', '.')");
      }
    }
    out.host = ToLower(authority);
  }

  out.port = default_port;
  if (!port_text.empty()) {
    const auto port = ParseInt<std::uint32_t>(port_text);
    if (!port || *port == 0 || *port > 65535) {
      return BadUrl(url, "port \"" + std::string(port_text) + "\" is not a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(*port);
  }
  return out;
}

}  // namespace rampart::net
