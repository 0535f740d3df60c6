#include "agent/collectors/proc_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "common/strings.h"

namespace rampart::agent {
namespace {

// "0100007F:0035" -> address bytes and port. words = 1 (IPv4) or 4 (IPv6).
bool ParseEndpoint(std::string_view field, int words, std::array<std::uint8_t, 16>* addr,
                   std::uint16_t* port) {
  const std::size_t colon = field.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view hex = field.substr(0, colon);
  if (hex.size() != static_cast<std::size_t>(words) * 8) return false;
  addr->fill(0);
  for (int w = 0; w < words; ++w) {
    const auto word = ParseInt<std::uint32_t>(hex.substr(static_cast<std::size_t>(w) * 8, 8), 16);
    if (!word) return false;
    // The kernel printed the word's value in host order; storing it back in host order restores the
    // network-order bytes it came from.
    std::memcpy(addr->data() + static_cast<std::size_t>(w) * 4, &*word, 4);
  }
  const std::string_view port_hex = field.substr(colon + 1);
  if (port_hex.size() != 4) return false;
  const auto p = ParseInt<std::uint16_t>(port_hex, 16);
  if (!p) return false;
  *port = *p;
  return true;
}

}  // namespace

std::optional<NetSocket> ParseProcNetLine(std::string_view line, int family) {
  if (family != 4 && family != 6) return std::nullopt;
  // sl local rem st tx:rx tr:when retrnsmt uid timeout inode [...]
  const auto f = SplitWhitespace(line);
  if (f.size() < 10) return std::nullopt;
  if (f[0].empty() || f[0].back() != ':' ||
      !ParseInt<std::uint32_t>(f[0].substr(0, f[0].size() - 1))) {
    return std::nullopt;  // the header line ("sl local_address ...") or garbage
  }
  NetSocket s;
  s.family = family;
  const int words = family == 4 ? 1 : 4;
  if (!ParseEndpoint(f[1], words, &s.local, &s.local_port)) return std::nullopt;
  if (!ParseEndpoint(f[2], words, &s.remote, &s.remote_port)) return std::nullopt;
  const auto state = ParseInt<std::uint8_t>(f[3], 16);
  const auto uid = ParseInt<std::uint32_t>(f[7]);
  const auto inode = ParseInt<std::uint64_t>(f[9]);
  if (!state || !uid || !inode) return std::nullopt;
  s.state = *state;
  s.uid = *uid;
  s.inode = *inode;
  return s;
}

std::vector<NetSocket> ParseProcNet(std::string_view text, int family, std::size_t max_sockets) {
  std::vector<NetSocket> out;
  for (std::string_view line : SplitLines(text)) {
    if (out.size() >= max_sockets) break;
    if (auto s = ParseProcNetLine(line, family)) out.push_back(*s);
  }
  return out;
}

std::string FormatSocketAddress(int family, const std::array<std::uint8_t, 16>& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int af = family == 4 ? AF_INET : AF_INET6;
  if (::inet_ntop(af, addr.data(), buf, sizeof buf) == nullptr) return {};
  return buf;
}

bool IsListening(const NetSocket& s, bool udp) {
  return udp ? s.state == kTcpClose : s.state == kTcpListen;
}

std::optional<std::uint64_t> ParseSocketLink(std::string_view target) {
  constexpr std::string_view kPrefix = "socket:[";
  if (target.size() <= kPrefix.size() + 1 || target.substr(0, kPrefix.size()) != kPrefix ||
      target.back() != ']') {
    return std::nullopt;
  }
  return ParseInt<std::uint64_t>(target.substr(kPrefix.size(), target.size() - kPrefix.size() - 1));
}

}  // namespace rampart::agent
