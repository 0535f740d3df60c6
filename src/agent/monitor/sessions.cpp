#include "agent/monitor/sessions.h"

#include <utmpx.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common/files.h"

namespace rampart::agent {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// 8 hex digits -> a 32-bit word as the kernel printed it (host byte order).
bool Word(std::string_view hex, std::uint32_t* out) {
  if (hex.size() != 8) return false;
  std::uint32_t v = 0;
  for (char c : hex) {
    const int d = HexDigit(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  *out = v;
  return true;
}

// "0100007F:0016" -> address bytes and port.
bool Endpoint(std::string_view text, bool v6, IpBytes* addr, int* port) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view hex = text.substr(0, colon);
  const std::string_view port_hex = text.substr(colon + 1);
  if (port_hex.empty() || port_hex.size() > 4) return false;
  int p = 0;
  for (char c : port_hex) {
    const int d = HexDigit(c);
    if (d < 0) return false;
    p = p * 16 + d;
  }
  *port = p;
  addr->fill(0);
  if (!v6) {
    std::uint32_t w = 0;
    if (!Word(hex, &w)) return false;
    (*addr)[10] = 0xff;
    (*addr)[11] = 0xff;
    std::memcpy(addr->data() + 12, &w, 4);
    return true;
  }
  if (hex.size() != 32) return false;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t w = 0;
    if (!Word(hex.substr(static_cast<std::size_t>(i) * 8, 8), &w)) return false;
    std::memcpy(addr->data() + i * 4, &w, 4);
  }
  return true;
}

std::string_view NextField(std::string_view* line) {
  std::size_t i = 0;
  while (i < line->size() && ((*line)[i] == ' ' || (*line)[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < line->size() && (*line)[j] != ' ' && (*line)[j] != '\t') ++j;
  const std::string_view field = line->substr(i, j - i);
  line->remove_prefix(j);
  return field;
}

}  // namespace

std::vector<IpBytes> ParseProcNetTcp(std::string_view text, bool v6,
                                     const std::vector<int>& ports) {
  std::vector<IpBytes> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const std::string_view sl = NextField(&line);
    if (sl.empty() || sl.back() != ':') continue;  // the header line
    const std::string_view local = NextField(&line);
    const std::string_view remote = NextField(&line);
    const std::string_view state = NextField(&line);
    if (state != "01") continue;  // TCP_ESTABLISHED
    IpBytes laddr{};
    IpBytes raddr{};
    int lport = 0;
    int rport = 0;
    if (!Endpoint(local, v6, &laddr, &lport) || !Endpoint(remote, v6, &raddr, &rport)) continue;
    if (std::find(ports.begin(), ports.end(), lport) == ports.end()) continue;
    if (std::find(out.begin(), out.end(), raddr) == out.end()) out.push_back(raddr);
  }
  return out;
}

std::vector<int> ParseSshdPorts(std::string_view config) {
  std::vector<int> ports;
  while (!config.empty()) {
    const std::size_t nl = config.find('\n');
    std::string_view line = config.substr(0, nl);
    config.remove_prefix(nl == std::string_view::npos ? config.size() : nl + 1);
    const std::string_view key = NextField(&line);
    if (key.size() != 4 || strncasecmp(key.data(), "port", 4) != 0) continue;
    const std::string_view value = NextField(&line);
    if (value.empty() || value.size() > 5) continue;
    int p = 0;
    bool ok = true;
    for (char c : value) {
      ok = ok && c >= '0' && c <= '9';
      p = p * 10 + (c - '0');
    }
    if (ok && p > 0 && p < 65536 && std::find(ports.begin(), ports.end(), p) == ports.end()) {
      ports.push_back(p);
    }
  }
  if (ports.empty()) ports.push_back(22);
  return ports;
}

std::vector<IpBytes> EstablishedSshSources() {
  std::vector<int> ports = {22};
  if (auto config = ReadLocalFile("/etc/ssh/sshd_config", 1 << 20)) ports = ParseSshdPorts(*config);
  std::vector<IpBytes> out;
  for (const bool v6 : {false, true}) {
    auto text = ReadLocalFile(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", std::size_t{64} << 20);
    if (!text) continue;
    for (const auto& a : ParseProcNetTcp(*text, v6, ports)) {
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
  }
  return out;
}

std::vector<IpBytes> UtmpSources() {
  std::vector<IpBytes> out;
  setutxent();
  while (const utmpx* u = getutxent()) {
    if (u->ut_type != USER_PROCESS) continue;
    IpBytes a{};
    static_assert(sizeof u->ut_addr_v6 == 16);
    std::memcpy(a.data(), u->ut_addr_v6, 16);
    if (a == IpBytes{}) continue;  // a local login
    if (u->ut_addr_v6[1] == 0 && u->ut_addr_v6[2] == 0 && u->ut_addr_v6[3] == 0) {
      // IPv4, network order in the first word.
      IpBytes v4{};
      v4[10] = 0xff;
      v4[11] = 0xff;
      std::memcpy(v4.data() + 12, u->ut_addr_v6, 4);
      a = v4;
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  endutxent();
  return out;
}

}  // namespace rampart::agent
