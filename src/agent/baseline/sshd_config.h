#pragma once
// OpenSSH server configuration as sshd itself resolves it (sshd_config(5)): keywords are
// case-insensitive, the first value obtained for a keyword wins, `Include` pulls in files (globs,
// relative paths under /etc/ssh) at the point where it appears and in the Match context it appears
// in, and `Match` blocks override the global values for the connections they match. Keywords left
// unset take OpenSSH's compiled-in defaults (OpenSSH 9.x, as shipped by Debian 12 and RHEL 9).
// Pure parsing; reading files goes through the IncludeReader the caller supplies.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart::agent::baseline {

struct SshdDirective {
  std::string key;    // lower case; aliases mapped (challengeresponseauthentication ->
                      // kbdinteractiveauthentication)
  std::string value;  // the arguments, quotes removed, joined by one space
  std::string file;
  int line = 0;
};

struct SshdMatchBlock {
  std::string criteria;  // "User bob Address 10.0.0.0/8", as written
  std::string file;
  int line = 0;
  std::vector<SshdDirective> directives;
};

struct SshdConfig {
  std::vector<SshdDirective> global;  // in file order, includes expanded
  std::vector<SshdMatchBlock> matches;
  std::vector<std::string> problems;  // unreadable includes, include loops, depth limit
};

// Expands an Include pattern (absolute, already resolved against /etc/ssh) to (path, content)
// pairs in lexical order, as glob(3) does. Unreadable matches are skipped by the reader.
using SshdIncludeReader =
    std::function<std::vector<std::pair<std::string, std::string>>(const std::string& pattern)>;

// Parses `text` (the main file, named `file`). Include depth is bounded at 16; at most 4096
// directives are kept.
SshdConfig ParseSshdConfig(std::string_view text, std::string_view file,
                           const SshdIncludeReader& read_include);

// OpenSSH's compiled-in default of a keyword (lower case), or nullopt when it has none worth
// comparing (e.g. allowusers).
std::optional<std::string> SshdDefault(std::string_view key);

struct SshdValue {
  std::string value;
  std::string source;  // "file:line", or "default"
};

// A connection to evaluate Match blocks against. Empty fields never match their criterion.
struct SshdConnection {
  std::string user, host, address, local_address, local_port;
};

// The value of `key` for connections that no Match block matches (what `sshd -T` prints without
// -C). nullopt when the keyword is unset and has no default.
std::optional<SshdValue> SshdGlobalValue(const SshdConfig& config, std::string_view key);
// The value for a given connection: the first value from a Match block it matches, else global.
std::optional<SshdValue> SshdValueFor(const SshdConfig& config, std::string_view key,
                                      const SshdConnection& conn);
// True when `conn` satisfies a Match criteria line (User, Group is never matched, Host, Address,
// LocalAddress, LocalPort, All; patterns with '*', '?', '!' and comma lists; Address and
// LocalAddress accept IPv4 CIDR).
bool SshdMatches(std::string_view criteria, const SshdConnection& conn);

}  // namespace rampart::agent::baseline
