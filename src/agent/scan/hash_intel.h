#pragma once
// Hash intelligence for the scanner: blocklists of known-bad SHA-256/MD5 hashes and the
// trusted-file allowlist. Parsers are pure functions over text (fuzzed in fuzz/); loading files
// only reads and forwards the file name for messages.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace rampart::agent::scan {

// One known-bad hash. `name` is the threat name shown as the finding's rule ("blocklist:<name>").
struct BlockEntry {
  std::string sha256;  // lower-case hex, or empty
  std::string md5;     // lower-case hex, or empty
  std::string name;
  std::string severity = "high";
  std::string family;
};

// Parses a blocklist. Accepted, per line (blank lines and lines starting with '#' ignored):
//   <hash>                      a 64-hex SHA-256 or 32-hex MD5
//   <hash> <name...>            whitespace-separated
//   <hash>,<name>[,<severity>[,<family>]]   CSV; a first line whose first field is "sha256",
//                               "md5" or "hash" (e.g. "sha256,name,severity,family") is a header
// Errors: kInvalidArgument "<file>:<line>: <what was expected>" for the first bad line.
Result<std::vector<BlockEntry>> ParseBlocklist(std::string_view text, std::string_view file_name);

// One trusted-file rule.
struct TrustEntry {
  enum class Kind { kSha256, kPathGlob, kDirectory };
  Kind kind = Kind::kSha256;
  std::string value;  // hex hash, glob (fnmatch, '*' also matches '/'), or directory without a
                      // trailing '/'
};

// Parses an allowlist, one rule per line ('#' comments, blank lines ignored):
//   sha256:<64 hex>   |  path:<absolute glob>  |  dir:<absolute directory>
// A bare 64-hex value is a sha256 rule. Errors as ParseBlocklist.
Result<std::vector<TrustEntry>> ParseAllowlist(std::string_view text, std::string_view file_name);

// The loaded lists, queried by scanner threads. Immutable after loading; thread-safe for reads.
class HashIntel {
 public:
  // Reads and parses one file each. Errors: the read error or the parse error (file:line).
  Status LoadBlocklist(const std::string& path);
  Status LoadAllowlist(const std::string& path);
  void AddBlock(BlockEntry e);
  void AddTrust(TrustEntry e);

  // The blocklist entry for a file's hashes, or nullptr. md5 may be empty (not computed).
  const BlockEntry* Blocked(std::string_view sha256, std::string_view md5) const;
  // True when a path or directory rule covers `path` (the file need not be read at all).
  bool TrustedPath(std::string_view path) const;
  // True when `sha256` is on the allowlist (findings of that file are cleared).
  bool TrustedHash(std::string_view sha256) const;
  // True when some MD5 is blocklisted, so scanning must compute MD5 too.
  bool needs_md5() const { return !by_md5_.empty(); }
  bool empty() const;

 private:
  std::vector<BlockEntry> blocks_;
  std::unordered_map<std::string, std::size_t> by_sha256_;
  std::unordered_map<std::string, std::size_t> by_md5_;
  std::unordered_map<std::string, bool> trusted_sha256_;
  std::vector<std::string> trusted_globs_;
  std::vector<std::string> trusted_dirs_;
};

}  // namespace rampart::agent::scan
