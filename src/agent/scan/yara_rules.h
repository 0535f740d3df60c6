#pragma once
// YARA rule sets: compilation with per-file error reports, an on-disk cache of compiled rules, and
// scanning of memory buffers. The only interface to libyara; yara.h is included by yara_rules.cpp
// alone.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart::agent::scan {

// One rule file's text; `name` is what messages call it (its path, or "shipped:webshell_php.yar").
struct RuleSource {
  std::string name;
  std::string text;
};

// A compiler message. Errors drop the whole file they are in; warnings keep it.
struct RuleDiagnostic {
  std::string file;
  int line = 0;
  std::string message;
  bool is_error = true;
  std::string ToString() const;  // "file:line: error: message"
};

// Metadata of one compiled (non-private) rule, from its meta: section.
struct RuleInfo {
  std::string name;         // identifier
  std::string ns;           // namespace (the file's name)
  std::string description;  // meta description ("" when absent)
  std::string severity;     // meta severity: low, medium, high, critical ("medium" when absent)
  std::string family;       // meta family ("" when absent)
};

// Reads every *.yar / *.yara file under `path` (a file or a directory, recursively, sorted by
// path; symlinks are not followed below the top). Errors: kNotFound / kPermissionDenied for the top
// path, kInvalidArgument when a directory holds no rule file.
Result<std::vector<RuleSource>> ReadRuleSources(const std::string& path);

// The rules Rampart ships (rules/malware/*.yar, built into the binary).
std::vector<RuleSource> ShippedRuleSources();

// "libyara 4.2.3".
std::string YaraVersion();

class RuleSet;

// One thread's scanner over a RuleSet. Not thread-safe; make one per thread. Must not outlive its
// RuleSet.
class RuleScanner {
 public:
  ~RuleScanner();
  RuleScanner(const RuleScanner&) = delete;
  RuleScanner& operator=(const RuleScanner&) = delete;

  // Scans `size` bytes at `data` and returns the indexes (into RuleSet::rules()) of the matching
  // rules, ascending. Errors: kDeadlineExceeded when the per-scan timeout passed,
  // kResourceExhausted when libyara ran out of memory or match slots, kInternal otherwise.
  Result<std::vector<std::uint32_t>> Scan(const std::uint8_t* data, std::size_t size);

 private:
  friend class RuleSet;
  struct Impl;
  explicit RuleScanner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A compiled rule set. Immutable after construction; thread-safe for concurrent scanners.
class RuleSet {
 public:
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Compiles `sources`. Each file is first compiled on its own, so one file with an error is
  // reported in `diagnostics` (file, line, message) and left out while the others load. With a
  // non-empty `cache_dir`, the compiled rules are saved to and loaded from
  // `<cache_dir>/rules-<hash>.yarc`, keyed by content_hash(). Errors: kInvalidArgument when no
  // file compiles (the diagnostics say why), kInternal on libyara failures.
  static Result<std::unique_ptr<RuleSet>> Compile(const std::vector<RuleSource>& sources,
                                                  const std::string& cache_dir,
                                                  std::vector<RuleDiagnostic>* diagnostics);

  // SHA-256 (hex) over the libyara version and every source's name and text: a result computed
  // with equal content_hash() is valid for this rule set.
  const std::string& content_hash() const { return content_hash_; }
  const std::vector<RuleInfo>& rules() const { return rules_; }
  // True when the compiled rules came from the on-disk cache.
  bool from_cache() const { return from_cache_; }

  // REQUIRES: timeout_seconds > 0.
  Result<std::unique_ptr<RuleScanner>> NewScanner(int timeout_seconds) const;

 private:
  friend class RuleScanner;
  struct Impl;
  RuleSet();
  std::unique_ptr<Impl> impl_;
  std::vector<RuleInfo> rules_;
  std::string content_hash_;
  bool from_cache_ = false;
};

}  // namespace rampart::agent::scan
