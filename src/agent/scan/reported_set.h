#pragma once
// ReportedSet: the malware findings this host's agent has already sent to the server, kept in the
// agent's data dir so that a restart does not send them again (docs/malware.md, "The agent
// daemon's malware module"). One entry per (path, sha256) with a digest of what matched (rules,
// severity, family), the status it was reported with and when.
//
// File format (text, one record per line, written atomically):
//   rampart-malware-reported 1 <host id>
//   <sha256> <digest> <pending|quarantined> <reported_at> <path>
//   ...
//   end <entries> <SHA-256 of every byte before this line>
// Host id and path are escaped: '%', bytes below 0x21 and 0x7f become %XX, so any path (spaces,
// newlines, bytes that are not UTF-8) round-trips exactly. At most kMaxEntries entries: past that
// the oldest reports are dropped (such a finding may be sent once more, which the server merges
// into its open event).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace rampart::agent::scan {

class ReportedSet {
 public:
  static constexpr std::size_t kMaxEntries = 50000;
  static constexpr int kVersion = 1;

  struct Entry {
    std::string digest;  // ReportDigest of the finding
    std::string status;  // "pending" or "quarantined"
    std::int64_t reported_at = 0;
  };
  using Key = std::pair<std::string, std::string>;  // (path, sha256)

  ReportedSet() = default;

  // The set kept in `file` for the host `host_id` ("" file: in memory only). A missing file is an
  // empty set. An unreadable or corrupt file, or one written for another host id (the agent was
  // enrolled again), gives an empty set and a message in *warning (when not null); the file is
  // rewritten on the next Save.
  static ReportedSet Open(std::string file, std::string host_id, std::string* warning);

  // Parses the file format. InvalidArgument "line N: ..." naming the first problem.
  static Result<ReportedSet> Parse(std::string_view text);
  std::string Serialize() const;

  // True when this finding has to be sent: it was not reported before, or it was reported with
  // another digest (other rules matched) or another status; a quarantined finding is always sent
  // (every quarantine is news). Records it as reported at `now` either way.
  bool Record(const std::string& path, const std::string& sha256, const std::string& digest,
              std::string_view status, std::int64_t now);
  // Forgets one finding (so that it is sent when found again). True when it was there.
  bool Forget(const std::string& path, const std::string& sha256);
  // Forgets the findings below any of `roots` (a file or directory that a complete scan walked)
  // that are not in `found`: the file is gone, changed or clean now, so finding it again is news.
  // Returns how many were forgotten.
  std::size_t ForgetMissing(const std::vector<std::string>& roots, const std::set<Key>& found);

  // Writes the file when something changed since it was opened or last saved.
  Status Save();

  std::size_t size() const { return entries_.size(); }
  const std::string& host_id() const { return host_id_; }
  const std::map<Key, Entry>& entries() const { return entries_; }
  void set_max_entries(std::size_t max) { max_entries_ = max; }

 private:
  void Evict();

  std::string file_;
  std::string host_id_;
  std::map<Key, Entry> entries_;
  std::size_t max_entries_ = kMaxEntries;
  bool dirty_ = false;
};

// A short digest of what matched a file: its sorted rules, severity and family.
std::string ReportDigest(std::vector<std::string> rules, std::string_view severity,
                         std::string_view family);

}  // namespace rampart::agent::scan
