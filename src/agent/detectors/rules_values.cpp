// The value types of the detection rules (rules.h): levels, durations, addresses, CIDRs, the
// whitelist. No YAML here; rules.cpp loads files into these.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "agent/detectors/rules.h"
#include "common/strings.h"

namespace rampart::agent {

const char* AlertLevelName(AlertLevel level) {
  switch (level) {
    case AlertLevel::kLow:
      return "low";
    case AlertLevel::kMedium:
      return "medium";
    case AlertLevel::kHigh:
      return "high";
    case AlertLevel::kCritical:
      return "critical";
    case AlertLevel::kSuspicious:
      return "suspicious";
  }
  return "low";
}

std::optional<AlertLevel> ParseAlertLevel(std::string_view name) {
  for (AlertLevel l : {AlertLevel::kLow, AlertLevel::kMedium, AlertLevel::kHigh,
                       AlertLevel::kCritical, AlertLevel::kSuspicious}) {
    if (name == AlertLevelName(l)) return l;
  }
  return std::nullopt;
}

int AlertLevelRank(AlertLevel level) {
  switch (level) {
    case AlertLevel::kSuspicious:
      return 0;
    case AlertLevel::kLow:
      return 1;
    case AlertLevel::kMedium:
      return 2;
    case AlertLevel::kHigh:
      return 3;
    case AlertLevel::kCritical:
      return 4;
  }
  return 0;
}

const char* RuleScopeName(RuleScope scope) {
  return scope == RuleScope::kAccount ? "account" : "source";
}

std::optional<std::int64_t> ParseDuration(std::string_view text) {
  return ParseDurationSeconds(text);
}

std::optional<std::array<std::uint8_t, 16>> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  std::array<std::uint8_t, 16> out{};
  if (s.find(':') == std::string::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) != 1) return std::nullopt;
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
  std::memcpy(out.data(), &v6, 16);
  return out;
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  const auto slash = text.find('/');
  const auto addr = ParseIpAddress(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  Cidr c;
  c.addr = *addr;
  c.prefix = 128;
  if (slash != std::string_view::npos) {
    const auto p = ParseInt<int>(text.substr(slash + 1));
    if (!p || *p < 0 || *p > (v4 ? 32 : 128)) return std::nullopt;
    c.prefix = v4 ? *p + 96 : *p;
  }
  return c;
}

bool CidrContains(const Cidr& net, const std::array<std::uint8_t, 16>& addr) {
  int bits = net.prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const int take = std::min(bits, 8);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((net.addr[i] & mask) != (addr[i] & mask)) return false;
  }
  return true;
}

bool Whitelist::SourceListed(std::string_view source) const {
  if (source.empty()) return false;
  if (!networks.empty()) {
    if (const auto a = ParseIpAddress(source)) {
      for (const Cidr& n : networks) {
        if (CidrContains(n, *a)) return true;
      }
    }
  }
  return std::find(hosts.begin(), hosts.end(), source) != hosts.end();
}

bool Whitelist::UserListed(std::string_view user) const {
  return !user.empty() && std::find(users.begin(), users.end(), user) != users.end();
}

bool Whitelist::Suppresses(const LoginEvent& e, const CountryOf& country_of) const {
  if (Suppresses(e.source, e.user)) return true;
  if (scoped.empty()) return false;
  std::optional<std::array<std::uint8_t, 16>> addr;
  bool parsed = false;
  std::string country;
  bool located = false;
  for (const auto& entry : scoped) {
    if (!entry.user.empty() && entry.user != e.user) continue;
    if (entry.network) {
      if (!parsed) {
        addr = ParseIpAddress(e.source);
        parsed = true;
      }
      if (!addr || !CidrContains(*entry.network, *addr)) continue;
    }
    if (!entry.window.CoversTime(e.time)) continue;
    if (entry.window.restricts_place()) {
      if (!located) {
        country = country_of && !e.source.empty() ? country_of(e.source) : std::string();
        located = true;
      }
      if (!entry.window.CoversCountry(country)) continue;
    }
    return true;
  }
  return false;
}

}  // namespace rampart::agent
