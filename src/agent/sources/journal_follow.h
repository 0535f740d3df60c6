#pragma once
// JournalFollower: follows journald live (the login monitor's journal source) from a saved
// cursor, through the same matches and parser as ScanJournal. Implemented in journal.cpp (the only
// file that includes sd-journal). Not thread-safe.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/sources/login_event.h"
#include "common/status.h"

namespace rampart::agent {

class JournalFollower {
 public:
  // `directory` empty: the local system journal (sd_journal_open, SD_JOURNAL_LOCAL_ONLY);
  // otherwise a journal directory (sd_journal_open_directory, for tests). `cursor`: resume after
  // that entry (when the journal no longer has it, from the first entry after its position);
  // empty: from the end (from the start with `from_start`). Errors: the journal cannot be opened.
  static Result<std::unique_ptr<JournalFollower>> Open(const std::string& directory,
                                                       const std::string& cursor,
                                                       bool from_start = false);
  ~JournalFollower();
  JournalFollower(const JournalFollower&) = delete;
  JournalFollower& operator=(const JournalFollower&) = delete;

  // Reads up to `max_entries` new entries, calling fn for every event. Returns entries read.
  Result<std::size_t> Poll(const std::function<void(LoginEvent&&)>& fn,
                           std::size_t max_entries = 10000);
  // The cursor of the last entry read ("" before the first).
  const std::string& cursor() const { return cursor_; }

  // Whether this machine keeps a journal (/run/log/journal or /var/log/journal has files).
  static bool SystemJournalExists();

 private:
  struct Impl;
  explicit JournalFollower(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string cursor_;
};

}  // namespace rampart::agent
