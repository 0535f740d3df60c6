#pragma once
// LoginMonitor: live login monitoring for the agent daemon and `rampart monitor`. Follows the auth
// logs (FileTailer) and the journal (JournalFollower), feeds the existing parsers and detectors
// (brute force, cracked, invalid-user scans, abnormal logins), reports each new or updated
// incident as a contract security event (security_events.h) to an EventSink, and blocks cracking
// sources through a BlockManager.
//
// Sources: `files` when given; otherwise whichever of /var/log/auth.log, /var/log/secure and
// /var/log/messages exist. The binary /var/log/btmp (failed logins) and /var/log/wtmp (successful
// ones) are followed by record when no text log and no journal is (they repeat what sshd logs
// there: following both would count every guess twice); a btmp/wtmp named in `files` is followed
// on the same condition. /var/log/lastlog, when present, seeds the abnormal-login profiles (each
// user's last login source) at start. The journal: followed when the machine keeps one
// (JournalFollower::SystemJournalExists) unless turned off; `journal_dir` reads a journal
// directory instead (tests).
//
// Persistence (<data_dir>/login_monitor.json, monitor_state.h; the detectors' windows and learning
// in <data_dir>/login_detectors.json, detectors/detector_state.h): file cursors, the journal cursor
// and the incident book, saved after every poll that processed lines (at most once per
// `save_interval`, and at Stop). A crash between processing and saving re-reads at most that
// interval's lines; their alerts map to the same incident ids, so the server (which upserts by
// id) still sees one incident.
//
// Blocking: a brute_force alert of source scope, or a cracked alert, blocks its source for
// `block_seconds` (0: no automatic blocking), unless a never-block rule refuses it (logged once
// per source). Management sessions for the never-block rule: utmp remote logins, and established
// connections to the sshd port from sources that logged in successfully in the last 12 hours.
//
// Threads: PollOnce/Run on one thread; UpdateSettings and the block commands from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/detectors/abnormal_login.h"
#include "agent/detectors/brute_force.h"
#include "agent/detectors/rules.h"
#include "agent/monitor/block_manager.h"
#include "agent/monitor/file_tailer.h"
#include "agent/monitor/geoip.h"
#include "agent/monitor/security_events.h"
#include "agent/monitor/sessions.h"
#include "agent/sources/auth_log.h"
#include "agent/sources/login_records_log.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

class JournalFollower;

// Detection and blocking settings of the tenant.
struct LoginMonitorSettings {
  DetectionRules rules = DefaultRules();
  std::int64_t block_seconds = kDefaultBlockSeconds;
  std::vector<Cidr> never_block;  // login.whitelist CIDRs covering this host
  friend bool operator==(const LoginMonitorSettings&, const LoginMonitorSettings&) = default;
};

// Applies the pushed tenant settings (flat "brute_force.window_seconds" or nested keys) over
// `base`: brute_force.window_seconds / brute_force.max_failures set the first source-scope rule;
// brute_force.rules ([{window_seconds, max_failures, level}], at most 5) add custom source rules
// (level high by default); brute_force.block_seconds; login.whitelist ([{source: CIDR, user,
// countries, days, hours, zone, hosts: "all" | [host ids]}], entries covering `host_id`): an entry
// with only a source whitelists detection and blocking; one with a user or a scope
// (common/whitelist_scope.h) whitelists detection of the events it covers
// (Whitelist::scoped); login.whitelist_users ([{user, countries, days, hours, zone, hosts}], or
// bare names); login.abnormal.learning_days. Unknown keys are ignored; a bad value keeps the
// default and appends a message to *problems.
LoginMonitorSettings SettingsFromConfig(const Json& settings, std::string_view host_id,
                                        const LoginMonitorSettings& base,
                                        std::vector<std::string>* problems);

using EventSink = std::function<void(const Json& event)>;

struct LoginMonitorOptions {
  std::string data_dir;
  std::vector<std::string> files;  // empty: auto-detect
  enum class Journal { kAuto, kOn, kOff } journal = Journal::kAuto;
  std::string journal_dir;  // read this journal directory instead of the system journal
  bool from_start = false;  // without a saved cursor, read existing content (default: from the end)
  std::string geoip_db;     // "" = none
  std::chrono::milliseconds save_interval{1000};
  // How often the detectors' windows and learning (login_detectors.json) are saved while events
  // arrive; always at stop.
  std::chrono::milliseconds detector_save_interval{60000};
  std::chrono::milliseconds poll{200};
};

struct LoginMonitorStats {
  std::uint64_t lines = 0;
  std::uint64_t events = 0;
  std::uint64_t alerts_reported = 0;  // event versions handed to the sink
  std::uint64_t blocks_added = 0;
  std::uint64_t blocks_refused = 0;
  std::uint64_t block_errors = 0;
};

class LoginMonitor {
 public:
  // `blocks` may be null (no blocking); it and `clock` must outlive the monitor.
  LoginMonitor(LoginMonitorOptions options, LoginMonitorSettings settings, EventSink sink,
               BlockManager* blocks, Clock* clock);
  ~LoginMonitor();
  LoginMonitor(const LoginMonitor&) = delete;
  LoginMonitor& operator=(const LoginMonitor&) = delete;

  // Loads the saved state, opens the sources (logs which). Errors: none of the sources can be
  // read (no log file and no journal).
  Status Start();
  // Reads what the sources have now, detects, reports, blocks; saves the state when due.
  // Returns the number of lines/entries processed.
  Result<std::size_t> PollOnce();
  // Polls until `stop` is set (checking every options.poll), then saves the state.
  Status Run(const std::atomic<bool>& stop);
  // Saves the cursors and incidents (login_monitor.json) and the detectors' state
  // (login_detectors.json, detectors/detector_state.h).
  Status SaveState();

  // New tenant settings, applied at the next poll (detector state is kept when the rules are
  // unchanged; otherwise the detectors start over, the incident book continues the ids).
  void UpdateSettings(LoginMonitorSettings settings);
  // Never-block policy for the BlockManager (whitelist networks + extra networks such as the
  // server's addresses + management sessions).
  BlockPolicy MakeBlockPolicy(std::vector<Cidr> extra_protected) const;
  void SetExtraProtected(std::vector<Cidr> networks);

  std::vector<std::string> sources() const;  // what is followed ("journal" for the journal)
  LoginMonitorStats stats() const;

 private:
  struct FileSource {
    std::unique_ptr<FileTailer> tailer;
    std::unique_ptr<AuthLogParser> parser;
    int parser_month = -1;
    BinaryLog binary = BinaryLog::kNone;  // btmp/wtmp: tailed by record
  };
  void SeedFromLastlog();
  // (Re)creates the detectors for settings_; the windows and learning of the previous ones (if
  // any) are carried over (by rule name).
  void BuildDetectors();
  void LoadDetectors();
  Status SaveCursors();
  Status SaveDetectors();
  void OnEvent(const LoginEvent& e);
  void Report(const Alert& alert);
  // Reports each alert changed since the last call once (a burst of failures from one source
  // updates its incident many times; the sink gets the latest version).
  void FlushReports();
  void MaybeBlock(const Alert& alert, const std::string& event_id);
  std::int64_t Now() const;
  std::vector<IpBytes> ManagementSources() const;

  LoginMonitorOptions options_;
  EventSink sink_;
  BlockManager* blocks_;
  Clock* clock_;
  std::unique_ptr<GeoIp> geoip_;

  std::vector<FileSource> files_;
  std::unique_ptr<JournalFollower> journal_;
  std::string journal_cursor_;  // restored, until the journal is opened

  LoginMonitorSettings settings_;  // written by the polling thread under mu_
  std::unique_ptr<BruteForceDetector> brute_;
  std::unique_ptr<AbnormalLoginDetector> abnormal_;
  std::vector<LoginEvent> lastlog_seed_;  // replayed into every new abnormal-login detector
  IncidentBook incidents_;
  std::vector<std::size_t> changed_;
  std::vector<std::size_t> changed_brute_;  // alert indices to report, deduplicated
  std::vector<std::size_t> changed_abnormal_;
  std::vector<bool> flagged_brute_;  // by alert index: in changed_brute_
  std::vector<bool> flagged_abnormal_;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_save_{};
  bool detectors_dirty_ = false;  // events since the detectors were last saved
  std::chrono::steady_clock::time_point last_detector_save_{};
  std::map<std::string, std::int64_t> refused_;  // source -> when refusal was logged

  mutable std::mutex mu_;  // guards the members below
  std::optional<LoginMonitorSettings> pending_settings_;
  std::vector<Cidr> extra_protected_;
  std::map<IpBytes, std::int64_t> recent_success_;  // source -> last successful login
  LoginMonitorStats stats_;
};

}  // namespace rampart::agent
