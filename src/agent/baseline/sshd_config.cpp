#include "agent/baseline/sshd_config.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>

#include "agent/baseline/sshd_effective.h"
#include "common/strings.h"

namespace rampart::agent::baseline {
namespace {

constexpr int kMaxIncludeDepth = 16;
constexpr std::size_t kMaxDirectives = 4096;

// Splits arguments the way sshd's argv_split does for our purposes: whitespace separated, double
// quotes group, the first separator may be '='.
std::vector<std::string> SplitArgs(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    std::string arg;
    if (s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') arg += s[i++];
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t') arg += s[i++];
    }
    out.push_back(std::move(arg));
  }
  return out;
}

std::string CanonicalKey(std::string key) {
  key = ToLower(key);
  if (key == "challengeresponseauthentication") return "kbdinteractiveauthentication";
  if (key == "pubkeyacceptedkeytypes") return "pubkeyacceptedalgorithms";
  if (key == "hostbasedacceptedkeytypes") return "hostbasedacceptedalgorithms";
  return key;
}

// Values sshd stores in another form than written: time keywords in seconds ("1m" -> "60"), and
// permitrootlogin's old spelling under its current name, LogLevel DEBUG1 as DEBUG. Comparisons then
// see what sshd sees.
void NormalizeValue(const std::string& key, std::string* value) {
  if (key == "logingracetime" || key == "clientaliveinterval") {
    if (auto secs = ParseSshdTime(*value)) *value = std::to_string(*secs);
  } else if (key == "permitrootlogin" && ToLower(*value) == "without-password") {
    *value = "prohibit-password";
  } else if (key == "loglevel" && ToLower(*value) == "debug1") {
    *value = "DEBUG";  // the same level; sshd prints DEBUG
  }
}

struct Parser {
  const SshdIncludeReader& read_include;
  SshdConfig* config;
  std::vector<std::string> stack;  // files being parsed (loop detection)

  void Parse(std::string_view text, const std::string& file, int depth, int match_index) {
    int line_no = 0;
    int current_match = match_index;
    ForEachLineOf(text, [&](std::string_view raw) {
      ++line_no;
      std::string_view line = TrimView(raw);
      if (line.empty() || line[0] == '#') return;
      // keyword, then '=' or whitespace
      std::size_t k = 0;
      while (k < line.size() && line[k] != ' ' && line[k] != '\t' && line[k] != '=') ++k;
      std::string key = CanonicalKey(std::string(line.substr(0, k)));
      std::string_view rest = TrimView(line.substr(k));
      if (!rest.empty() && rest[0] == '=') rest = TrimView(rest.substr(1));
      if (key == "match") {
        SshdMatchBlock block;
        block.criteria = std::string(rest);
        block.file = file;
        block.line = line_no;
        // "Match all" after a Match block returns to the global section's values only for
        // connections; structurally it is a block matching every connection.
        config->matches.push_back(std::move(block));
        current_match = static_cast<int>(config->matches.size()) - 1;
        return;
      }
      if (key == "include") {
        for (const auto& pattern : SplitArgs(rest)) {
          Include(pattern, file, line_no, depth, current_match);
        }
        return;
      }
      const auto args = SplitArgs(rest);
      SshdDirective d;
      d.key = std::move(key);
      d.value = Join(args, " ");
      NormalizeValue(d.key, &d.value);
      d.file = file;
      d.line = line_no;
      if (config->global.size() + config->matches.size() > kMaxDirectives) return;
      if (current_match < 0) {
        config->global.push_back(std::move(d));
      } else {
        config->matches[static_cast<std::size_t>(current_match)].directives.push_back(std::move(d));
      }
    });
  }

  void Include(const std::string& pattern, const std::string& file, int line, int depth,
               int match_index) {
    if (depth >= kMaxIncludeDepth) {
      config->problems.push_back(file + ":" + std::to_string(line) +
                                 ": Include nested deeper than 16 levels; not followed");
      return;
    }
    const std::string full = StartsWith(pattern, "/") ? pattern : "/etc/ssh/" + pattern;
    for (auto& [path, content] : read_include(full)) {
      if (std::find(stack.begin(), stack.end(), path) != stack.end()) {
        config->problems.push_back(file + ":" + std::to_string(line) + ": Include loop through " +
                                   path + "; not followed");
        continue;
      }
      stack.push_back(path);
      Parse(content, path, depth + 1, match_index);
      stack.pop_back();
    }
  }
};

bool PatternListMatches(std::string_view list, std::string_view value, bool cidr) {
  bool matched = false;
  for (auto item : Split(list, ',')) {
    item = TrimView(item);
    bool negated = false;
    if (!item.empty() && item[0] == '!') {
      negated = true;
      item.remove_prefix(1);
    }
    bool m = false;
    const std::string pat(item);
    if (cidr && pat.find('/') != std::string::npos) {
      // IPv4 CIDR only
      auto parse4 = [](std::string_view s) -> std::optional<std::uint32_t> {
        auto parts = Split(s, '.');
        if (parts.size() != 4) return std::nullopt;
        std::uint32_t v = 0;
        for (auto p : parts) {
          auto n = ParseInt<std::uint32_t>(p);
          if (!n || *n > 255) return std::nullopt;
          v = (v << 8) | *n;
        }
        return v;
      };
      const auto slash = pat.find('/');
      auto net = parse4(std::string_view(pat).substr(0, slash));
      auto bits = ParseInt<int>(std::string_view(pat).substr(slash + 1));
      auto addr = parse4(value);
      if (net && bits && *bits >= 0 && *bits <= 32 && addr) {
        const std::uint32_t mask = *bits == 0 ? 0 : ~std::uint32_t{0} << (32 - *bits);
        m = (*net & mask) == (*addr & mask);
      }
    } else {
      m = fnmatch(pat.c_str(), std::string(value).c_str(), 0) == 0;
    }
    if (m && negated) return false;  // a negated match vetoes the whole list
    if (m) matched = true;
  }
  return matched;
}

}  // namespace

SshdConfig ParseSshdConfig(std::string_view text, std::string_view file,
                           const SshdIncludeReader& read_include) {
  SshdConfig config;
  Parser parser{read_include, &config, {std::string(file)}};
  parser.Parse(text, std::string(file), 0, -1);
  return config;
}

std::optional<std::string> SshdDefault(std::string_view key) {
  static const std::map<std::string, std::string, std::less<>> kDefaults = {
      {"permitrootlogin", "prohibit-password"},
      {"passwordauthentication", "yes"},
      {"permitemptypasswords", "no"},
      {"pubkeyauthentication", "yes"},
      {"kbdinteractiveauthentication", "yes"},
      {"hostbasedauthentication", "no"},
      {"ignorerhosts", "yes"},
      {"x11forwarding", "no"},
      {"maxauthtries", "6"},
      {"maxsessions", "10"},
      {"maxstartups", "10:30:100"},
      {"logingracetime", "120"},
      {"clientaliveinterval", "0"},
      {"clientalivecountmax", "3"},
      {"loglevel", "INFO"},
      {"syslogfacility", "AUTH"},
      {"usepam", "no"},
      {"permituserenvironment", "no"},
      {"allowtcpforwarding", "yes"},
      {"allowagentforwarding", "yes"},
      {"allowstreamlocalforwarding", "yes"},
      {"disableforwarding", "no"},
      {"permittunnel", "no"},
      {"gatewayports", "no"},
      {"strictmodes", "yes"},
      {"usedns", "no"},
      {"banner", "none"},
      {"compression", "yes"},
      {"printlastlog", "yes"},
      {"printmotd", "yes"},
      {"tcpkeepalive", "yes"},
      {"gssapiauthentication", "no"},
      {"kerberosauthentication", "no"},
      {"port", "22"},
      {"ciphers",
       "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
       "aes256-gcm@openssh.com"},
      {"macs",
       "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
       "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
       "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"},
      {"kexalgorithms",
       "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
       "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
       "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
       "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"},
      {"allowusers", ""},
      {"allowgroups", ""},
      {"denyusers", ""},
      {"denygroups", ""},
      {"authenticationmethods", "any"},
      {"permitopen", "any"},
      {"maxstartups", "10:30:100"},
  };
  auto it = kDefaults.find(key);
  if (it == kDefaults.end()) return std::nullopt;
  return it->second;
}

std::optional<SshdValue> SshdGlobalValue(const SshdConfig& config, std::string_view key) {
  for (const auto& d : config.global) {
    if (d.key == key) return SshdValue{d.value, d.file + ":" + std::to_string(d.line)};
  }
  if (auto def = SshdDefault(key)) return SshdValue{*def, "default"};
  return std::nullopt;
}

std::optional<SshdValue> SshdValueFor(const SshdConfig& config, std::string_view key,
                                      const SshdConnection& conn) {
  for (const auto& block : config.matches) {
    if (!SshdMatches(block.criteria, conn)) continue;
    for (const auto& d : block.directives) {
      if (d.key == key) return SshdValue{d.value, d.file + ":" + std::to_string(d.line)};
    }
  }
  return SshdGlobalValue(config, key);
}

bool SshdMatches(std::string_view criteria, const SshdConnection& conn) {
  const auto args = SplitArgs(criteria);
  if (args.empty()) return false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string what = ToLower(args[i]);
    if (what == "all") continue;
    if (i + 1 >= args.size()) return false;  // a criterion without its pattern never matches
    const std::string& pattern = args[++i];
    bool ok = false;
    if (what == "user") {
      ok = !conn.user.empty() && PatternListMatches(pattern, conn.user, false);
    } else if (what == "host") {
      ok = !conn.host.empty() && PatternListMatches(pattern, conn.host, false);
    } else if (what == "address") {
      ok = !conn.address.empty() && PatternListMatches(pattern, conn.address, true);
    } else if (what == "localaddress") {
      ok = !conn.local_address.empty() && PatternListMatches(pattern, conn.local_address, true);
    } else if (what == "localport") {
      ok = !conn.local_port.empty() && PatternListMatches(pattern, conn.local_port, false);
    }
    if (!ok) return false;  // Group, RDomain and unknown criteria never match a bare connection
  }
  return true;
}

}  // namespace rampart::agent::baseline
