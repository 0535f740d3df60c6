#pragma once
// Advisory feeds: reading OSV records (one record per file, `{"vulns":[...]}` batches, directories
// of them, and an ecosystem's `all.zip` as osv.dev publishes it) and the Debian Security Tracker's
// JSON, into one AdvisorySet. A bad record is reported with its source, id and reason and skipped;
// it never aborts the rest.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/vuln/advisory.h"
#include "common/status.h"

namespace rampart::agent::vuln {

struct FeedError {
  std::string source;  // file (and zip entry): "PyPI-all.zip:PYSEC-2021-1.json"
  std::string id;      // record id when known, "" otherwise
  std::string reason;  // "affected[0].ranges[0]: 'events' is empty"
};

struct FeedLoadReport {
  std::size_t records = 0;        // records read and accepted
  std::size_t skipped = 0;        // records rejected (each has a FeedError)
  std::size_t replaced = 0;       // records that replaced an older copy with the same id
  std::vector<FeedError> errors;  // at most kMaxReportedErrors kept; `skipped` counts all
  // Debian tracker release entries for codenames without a Debian:N ecosystem ("sid",
  // "experimental"): counted, not errors.
  std::size_t releases_skipped = 0;
};
inline constexpr std::size_t kMaxReportedErrors = 1000;

// Advisories by id. Adding a record whose id exists keeps the one with the newer `modified` (ties:
// the later add), so re-importing a newer feed updates records in place. Withdrawn records are kept
// (so a later, older copy cannot resurrect them) but never returned by Active(). Not thread-safe
// for concurrent Add.
class AdvisorySet {
 public:
  // Returns true when `a` was stored (new id, or newer than the stored copy).
  bool Add(Advisory a);
  // Every stored advisory that is not withdrawn, in id order.
  std::vector<const Advisory*> Active() const;
  const Advisory* Find(std::string_view id) const;
  // Every stored advisory, withdrawn ones included, in id order (what a feed import stores).
  std::vector<const Advisory*> All() const;
  std::size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, Advisory, std::less<>> by_id_;
};

// Loads a path into `set`: a .json file (one OSV record, a {"vulns":[...]} batch, or Debian
// Security Tracker JSON), a .zip of such files, or a directory searched recursively for .json and
// .zip files. Errors (the Status) only when the path itself cannot be read (missing, unreadable,
// not JSON at all, a corrupt zip); per-record problems go into the report.
Result<FeedLoadReport> LoadFeed(const std::string& path, AdvisorySet& set);

}  // namespace rampart::agent::vuln
