// Header, query and percent-encoding helpers shared by the server and the client. Pure code: no
// Boost, so the API layer and the fuzzer can use it cheaply.
#include "net/http.h"

#include <algorithm>
#include <cstddef>

#include "common/strings.h"

namespace rampart::net {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Error messages quote the untrusted text; keep them short and printable.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 120;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

// Checks that every '%' in `text` starts a two-digit hex escape.
Status CheckEscapes(std::string_view text, std::string_view what, std::string_view target) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 2 >= text.size() || HexValue(text[i + 1]) < 0 || HexValue(text[i + 2]) < 0) {
      return InvalidArgument("invalid percent escape " +
                             Quote(text.substr(i, std::min<std::size_t>(3, text.size() - i))) +
                             " in the " + std::string(what) + " of request target " +
                             Quote(target) + ": expected '%' and two hex digits");
    }
  }
  return Status::Ok();
}

}  // namespace

void Headers::Add(std::string_view name, std::string_view value) {
  std::string lower(name);
  for (char& c : lower) c = LowerAscii(c);
  items_.emplace_back(std::move(lower), std::string(value));
}

std::optional<std::string> Headers::Get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

Status ParseTarget(std::string_view target, HttpRequest& request) {
  request.target = std::string(target);
  request.path.clear();
  request.query.clear();

  std::string_view rest = target;
  // A fragment is never meaningful to the server.
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  // Absolute form ("http://host/path"), which proxies send: drop the scheme and authority.
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (rest.size() >= scheme.size() && EqualsIgnoreCase(rest.substr(0, scheme.size()), scheme)) {
      rest.remove_prefix(scheme.size());
      const auto slash = rest.find_first_of("/?");
      rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      break;
    }
  }
  if (rest == "*") {
    request.path = "*";
    return Status::Ok();
  }
  if (rest.empty() || (rest[0] != '/' && rest[0] != '?')) {
    return InvalidArgument("request target " + Quote(target) + " must start with '/'");
  }

  std::string_view path = rest;
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  if (path.empty()) path = "/";
  RAMPART_RETURN_IF_ERROR(CheckEscapes(path, "path", target));
  request.path = PercentDecode(path, /*plus_is_space=*/false);
  if (request.path.find('\0') != std::string::npos) {
    return InvalidArgument("request target " + Quote(target) + " has a NUL byte (%00) in its path");
  }

  RAMPART_RETURN_IF_ERROR(CheckEscapes(query, "query", target));
  std::size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      const auto eq = piece.find('=');
      const std::string_view key = piece.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      request.query.emplace_back(PercentDecode(key, true), PercentDecode(value, true));
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace rampart::net
