#pragma once
// Password-cracking detection: brute force per source and per account (distributed), invalid-user
// scans, and "cracked" (a success from a source past a threshold). Event time drives every window
// (no Clock): replaying an old log gives the same alerts as watching it live.
//
// Memory is bounded by distinct keys, not by events: each (rule, key) window keeps at most
// `failures` entries (one per second at most), at most `max_tracked_keys` keys of each kind are
// kept (the least recently used is evicted), and once a key has crossed a threshold its further
// failures only update its one Alert (count, last_seen, users). A source's rules escalate that one
// alert: the highest level crossed wins and names the rule.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/detectors/alert.h"
#include "agent/detectors/lru_map.h"
#include "agent/detectors/rules.h"
#include "agent/detectors/string_map.h"
#include "agent/sources/login_event.h"
#include "common/json.h"

namespace rampart::agent {

struct BruteForceOptions {
  std::size_t max_tracked_keys = 100000;  // per kind of key (sources, accounts, invalid-user scans)
  CountryOf country_of;  // for whitelist entries scoped to countries; empty: none covers
};

class BruteForceDetector {
 public:
  explicit BruteForceDetector(DetectionRules rules, BruteForceOptions options = {});

  // Feeds one event. Events are expected in time order; one older than the latest seen for its key
  // (a parser may emit a connection's events late) counts at that latest time. Events whose source
  // or user is whitelisted are ignored. Appends to *changed (when non-null) the indices into
  // alerts() of the alerts this event raised or updated (new alerts are appended to alerts()).
  // Every failure counts toward brute_force; those for non-existent users (invalid_user set, or
  // kind "invalid_user") also toward invalid_user_scan.
  void Process(const LoginEvent& event, std::vector<std::size_t>* changed = nullptr);

  // Every alert raised so far, in order of first raising, each updated in place.
  const std::vector<Alert>& alerts() const { return alerts_; }
  // Keys (sources, accounts, invalid-user scanners) with window state currently held (bounded by
  // 3 * max_tracked_keys), and how many were evicted to stay within the cap.
  std::size_t tracked_keys() const {
    return source_keys_.size() + account_keys_.size() + scans_.size();
  }
  std::uint64_t evicted_keys() const {
    return source_keys_.evictions() + account_keys_.evictions() + scans_.evictions();
  }

  // Persistence across agent restarts (detector_state.cpp, format in detector_state.h): the open
  // windows per source, per account and per invalid-user scanner, least recently used first.
  // Windows are tied to rules by name. Alerts and crossed thresholds are not part of it.
  Json ExportWindows() const;
  // Loads ExportWindows' output into this detector (meant for a fresh one), dropping failures
  // outside their rule's window as of the latest event time saved (or `now`, the clock, if that is
  // earlier), windows of rules that no longer exist, and keys left empty. Errors: kDataLoss
  // naming the field (what was loaded before it stays).
  Status ImportWindows(const Json& state, std::int64_t now);

 private:
  struct Window {
    struct Slot {
      std::int64_t time;
      std::uint64_t count;
    };
    std::vector<Slot> slots;  // oldest first; a small ring would save moves, sizes are tiny
    std::uint64_t total = 0;
    std::int64_t last_time = 0;
    std::vector<std::pair<std::string, std::int64_t>> sources;  // account scope: latest per source
    std::vector<std::string> users;  // source scope: distinct users, first kMaxAlertNames
  };
  struct KeyState {
    std::vector<Window> windows;  // one per rule of the key's scope, in rule order
  };
  struct Scan {
    std::vector<std::pair<std::string, std::int64_t>> users;  // latest time per invalid user
    std::int64_t last_time = 0;
  };
  struct Incident {
    std::size_t alert = 0;
    std::uint32_t crossed = 0;  // bit i: brute_force[i] crossed
  };

  // Adds the event to window w of rule i; true when the rule's condition now holds (the window is
  // then reset and its users/sources moved to crossed_users_/crossed_sources_).
  bool Count(std::size_t i, Window& w, const LoginEvent& e, std::uint64_t n,
             std::int64_t* first_seen, std::uint64_t* total);
  // source_hash: StringMap's Hash(e.source), computed once per event.
  void CountFailure(const LoginEvent& e, std::size_t source_hash,
                    std::vector<std::size_t>* changed);
  void CountInvalidUser(const LoginEvent& e, std::size_t source_hash,
                        std::vector<std::size_t>* changed);
  void CheckCracked(const LoginEvent& e, std::vector<std::size_t>* changed);
  std::size_t NewAlert(const char* type, const std::string& rule, AlertLevel level,
                       const LoginEvent& e);

  DetectionRules rules_;
  CountryOf country_of_;
  std::vector<Alert> alerts_;
  std::vector<std::size_t> source_rules_;  // indices into rules_.brute_force by scope
  std::vector<std::size_t> account_rules_;
  std::uint32_t source_mask_ = 0;  // bits of source_rules_
  std::uint32_t account_mask_ = 0;
  LruMap<KeyState> source_keys_;
  LruMap<KeyState> account_keys_;
  LruMap<Scan> scans_;
  StringMap<Incident> by_source_;             // brute_force, source scope
  StringMap<Incident> by_account_;            // brute_force, account scope
  StringMap<std::size_t> scans_raised_;       // invalid_user_scan by source
  StringMap<std::size_t> cracked_;            // by source + '\n' + user
  std::string key_;                           // scratch
  std::vector<std::string> crossed_sources_;  // scratch: Count()'s sources when a rule crossed
  std::vector<std::string> crossed_users_;    // scratch: Count()'s users when a rule crossed
};

}  // namespace rampart::agent
