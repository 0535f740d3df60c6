#include "agent/monitor/login_monitor.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <thread>

#include "agent/detectors/detector_state.h"
#include "agent/sources/journal_follow.h"
#include "agent/sources/log_time.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr std::int64_t kRecentSuccessSeconds = 12 * 3600;
constexpr std::size_t kMaxRecentSuccess = 10000;
constexpr std::int64_t kRefusalLogSeconds = 3600;

const char* const kDefaultLogs[] = {"/var/log/auth.log", "/var/log/secure", "/var/log/messages"};
const char* const kDefaultBinaryLogs[] = {"/var/log/btmp", "/var/log/wtmp"};
const char* const kLastlog = "/var/log/lastlog";
constexpr std::size_t kMaxLastlogSeed = 10000;

// A setting by flat key ("brute_force.window_seconds") or nested ({"brute_force": {...}}).
const Json* Setting(const Json& settings, std::string_view path) {
  if (!settings.is_object()) return nullptr;
  if (const Json* flat = settings.Find(path)) return flat;
  const Json* node = &settings;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    if (!node->is_object()) return nullptr;
    node = node->Find(part);
    if (node == nullptr) return nullptr;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node;
}

bool IntIn(const Json* v, std::int64_t lo, std::int64_t hi, std::int64_t* out) {
  if (v == nullptr || !v->is_int() || v->as_int() < lo || v->as_int() > hi) return false;
  *out = v->as_int();
  return true;
}

int MonthOf(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm.tm_year * 12 + tm.tm_mon;
}

}  // namespace

LoginMonitorSettings SettingsFromConfig(const Json& settings, std::string_view host_id,
                                        const LoginMonitorSettings& base,
                                        std::vector<std::string>* problems) {
  LoginMonitorSettings out = base;
  auto problem = [&](std::string msg) {
    if (problems != nullptr) problems->push_back(std::move(msg));
  };
  std::int64_t v = 0;
  auto first_source_rule = [&]() -> BruteForceRule* {
    for (auto& r : out.rules.brute_force) {
      if (r.scope == RuleScope::kSource && !r.custom) return &r;
    }
    return nullptr;
  };
  if (const Json* j = Setting(settings, "brute_force.window_seconds")) {
    if (IntIn(j, 10, 86400, &v)) {
      if (auto* r = first_source_rule()) r->window_seconds = v;
    } else {
      problem("brute_force.window_seconds: expected an integer in 10..86400");
    }
  }
  if (const Json* j = Setting(settings, "brute_force.max_failures")) {
    if (IntIn(j, 2, 10000, &v)) {
      if (auto* r = first_source_rule()) r->failures = static_cast<std::uint32_t>(v);
    } else {
      problem("brute_force.max_failures: expected an integer in 2..10000");
    }
  }
  if (const Json* j = Setting(settings, "brute_force.block_seconds")) {
    if (IntIn(j, 0, 30 * 86400, &v)) {
      out.block_seconds = v;
    } else {
      problem("brute_force.block_seconds: expected an integer in 0..2592000");
    }
  }
  if (const Json* j = Setting(settings, "brute_force.rules")) {
    if (!j->is_array()) {
      problem("brute_force.rules: expected a list of {window_seconds, failures}");
    } else {
      std::erase_if(out.rules.brute_force, [](const BruteForceRule& r) { return r.custom; });
      std::size_t n = 0;
      for (const Json& r : j->as_array()) {
        std::int64_t window = 0;
        std::int64_t failures = 0;
        // The server's schema names the count max_failures; "failures" is the rules-file name.
        const Json* count = r.is_object() ? r.Find("max_failures") : nullptr;
        if (count == nullptr && r.is_object()) count = r.Find("failures");
        const Json* level = r.is_object() ? r.Find("level") : nullptr;
        const auto parsed_level = level != nullptr && level->is_string()
                                      ? ParseAlertLevel(level->as_string())
                                      : std::optional<AlertLevel>(AlertLevel::kHigh);
        if (!r.is_object() || !IntIn(r.Find("window_seconds"), 1, 30 * 86400, &window) ||
            !IntIn(count, 1, 1000000, &failures) || !parsed_level) {
          problem("brute_force.rules[" + std::to_string(n) +
                  "]: expected {window_seconds: 1..2592000, max_failures: 1..1000000, level}");
          continue;
        }
        if (n >= kMaxCustomRules) {
          problem("brute_force.rules: at most 5 custom rules; the rest are ignored");
          break;
        }
        BruteForceRule rule;
        rule.name = "custom_" + std::to_string(++n);
        rule.scope = RuleScope::kSource;
        rule.window_seconds = window;
        rule.failures = static_cast<std::uint32_t>(failures);
        rule.level = *parsed_level;
        rule.custom = true;
        out.rules.brute_force.push_back(std::move(rule));
      }
    }
  }
  // Whether a whitelist entry's "hosts" covers this host ("all", absent, or a list naming it).
  auto covers_host = [&](const Json& e) {
    const Json* hosts = e.is_object() ? e.Find("hosts") : nullptr;
    bool covers = hosts == nullptr || (hosts->is_string() && hosts->as_string() == "all");
    if (hosts != nullptr && hosts->is_array()) {
      for (const Json& h : hosts->as_array()) {
        covers = covers || (h.is_string() && h.as_string() == host_id);
      }
    }
    return covers;
  };
  bool scoped_reset = false;
  auto reset_scoped = [&] {
    if (!scoped_reset) out.rules.whitelist.scoped = base.rules.whitelist.scoped;
    scoped_reset = true;
  };
  if (const Json* j = Setting(settings, "login.whitelist")) {
    if (!j->is_array()) {
      problem("login.whitelist: expected a list of {source, hosts}");
    } else {
      out.never_block.clear();
      out.rules.whitelist.networks = base.rules.whitelist.networks;
      reset_scoped();
      for (std::size_t i = 0; i < j->as_array().size(); ++i) {
        const Json& e = j->as_array()[i];
        const std::string where = "login.whitelist[" + std::to_string(i) + "]";
        if (!e.is_object()) {
          problem(where + ": expected an object {source, hosts}");
          continue;
        }
        const Json* source = e.Find("source");
        std::optional<Cidr> cidr;
        if (source != nullptr) {
          cidr = source->is_string() ? ParseCidr(source->as_string()) : std::nullopt;
          if (!cidr) {
            problem(where + ".source: expected an IPv4/IPv6 address or CIDR");
            continue;
          }
        }
        const Json* user = e.Find("user");
        if (user != nullptr && (!user->is_string() || user->as_string().empty())) {
          problem(where + ".user: expected a user name");
          continue;
        }
        auto window = ParseWhitelistWindow(e, where);
        if (!window) {
          problem(window.error().message());
          continue;
        }
        if (!cidr && user == nullptr && !window->restricts_place()) {
          problem(where + ": expected a source, a user or countries");
          continue;
        }
        if (!covers_host(e)) continue;
        if (cidr && user == nullptr && !window->restricts()) {
          // Unconditional: also never blocked.
          out.never_block.push_back(*cidr);
          out.rules.whitelist.networks.push_back(*cidr);
          continue;
        }
        ScopedWhitelistEntry scoped;
        scoped.network = cidr;
        if (user != nullptr) scoped.user = user->as_string();
        scoped.window = std::move(*window);
        out.rules.whitelist.scoped.push_back(std::move(scoped));
      }
    }
  }
  if (const Json* j = Setting(settings, "login.whitelist_users")) {
    if (!j->is_array()) {
      problem("login.whitelist_users: expected a list of {user, hosts}");
    } else {
      out.rules.whitelist.users = base.rules.whitelist.users;
      if (!scoped_reset) reset_scoped();
      for (std::size_t i = 0; i < j->as_array().size(); ++i) {
        const Json& u = j->as_array()[i];
        const std::string where = "login.whitelist_users[" + std::to_string(i) + "]";
        if (u.is_string()) {  // a bare name (older configurations): every host
          if (!u.as_string().empty()) out.rules.whitelist.users.push_back(u.as_string());
          continue;
        }
        const Json* user = u.is_object() ? u.Find("user") : nullptr;
        if (user == nullptr || !user->is_string() || user->as_string().empty()) {
          problem(where + ".user: expected a user name");
          continue;
        }
        auto window = ParseWhitelistWindow(u, where);
        if (!window) {
          problem(window.error().message());
          continue;
        }
        if (!covers_host(u)) continue;
        if (!window->restricts()) {
          out.rules.whitelist.users.push_back(user->as_string());
          continue;
        }
        ScopedWhitelistEntry scoped;
        scoped.user = user->as_string();
        scoped.window = std::move(*window);
        out.rules.whitelist.scoped.push_back(std::move(scoped));
      }
    }
  }
  if (const Json* j = Setting(settings, "login.abnormal.learning_days")) {
    if (IntIn(j, 0, 365, &v)) {
      out.rules.abnormal_login.learning_seconds = v * 86400;
    } else {
      problem("login.abnormal.learning_days: expected an integer in 0..365");
    }
  }
  return out;
}

LoginMonitor::LoginMonitor(LoginMonitorOptions options, LoginMonitorSettings settings,
                           EventSink sink, BlockManager* blocks, Clock* clock)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      blocks_(blocks),
      clock_(clock),
      settings_(std::move(settings)) {
  BuildDetectors();
}

LoginMonitor::~LoginMonitor() = default;

std::int64_t LoginMonitor::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count();
}

void LoginMonitor::BuildDetectors() {
  BruteForceOptions brute;
  AbnormalLoginOptions abnormal;
  if (geoip_) {
    GeoIp* geo = geoip_.get();
    abnormal.country_of = [geo](std::string_view source) { return geo->Country(source); };
    brute.country_of = abnormal.country_of;
  }
  std::string carried;
  if (brute_ && abnormal_) carried = EncodeDetectorState(*brute_, *abnormal_, Now());
  auto build = [&] {
    brute_ = std::make_unique<BruteForceDetector>(settings_.rules, brute);
    abnormal_ = std::make_unique<AbnormalLoginDetector>(settings_.rules.abnormal_login,
                                                        settings_.rules.whitelist, abnormal);
    for (const auto& e : lastlog_seed_) abnormal_->Seed(e);
  };
  build();
  if (!carried.empty()) {
    if (Status s = DecodeDetectorState(carried, Now(), brute_.get(), abnormal_.get()); !s.ok()) {
      log::Warn("login detectors: their state could not be carried over ({}); starting empty",
                s.message());
      build();
    }
  }
}

void LoginMonitor::LoadDetectors() {
  const std::string path = options_.data_dir + "/" + std::string(kDetectorStateFile);
  auto loaded = LoadDetectorState(path, Now(), brute_.get(), abnormal_.get());
  if (loaded) {
    if (*loaded) {
      log::Info("login detectors: {} windows restored from {} (learning ends {})",
                brute_->tracked_keys(), path, abnormal_->learning_ends());
    }
    return;
  }
  log::Warn(
      "login detectors: {}; starting with empty windows and learning (the file is kept as "
      "{}.bad)",
      loaded.error().message(), path);
  std::rename(path.c_str(), (path + ".bad").c_str());
  brute_.reset();
  abnormal_.reset();
  BuildDetectors();
}

void LoginMonitor::SeedFromLastlog() {
  if (access(kLastlog, R_OK) != 0) return;
  lastlog_seed_.clear();
  const Status s = ScanBinaryLogFile(kLastlog, BinaryLog::kLastlog, [this](LoginEvent&& e) {
    if (!e.source.empty() && lastlog_seed_.size() < kMaxLastlogSeed) {
      lastlog_seed_.push_back(std::move(e));
    }
  });
  if (!s.ok()) {
    log::Warn("{}; abnormal-login profiles are not seeded from it", s.message());
    lastlog_seed_.clear();
    return;
  }
  for (const auto& e : lastlog_seed_) abnormal_->Seed(e);
  if (!lastlog_seed_.empty()) {
    log::Info("login monitor: {} users' last logins from {}", lastlog_seed_.size(), kLastlog);
  }
}

Status LoginMonitor::Start() {
  const std::string state_path = options_.data_dir + "/" + std::string(kMonitorStateFile);
  MonitorState state;
  if (auto loaded = LoadMonitorState(state_path); !loaded) {
    log::Error("{}; starting over from the end of each log", loaded.error().message());
    std::rename(state_path.c_str(), (state_path + ".bad").c_str());
  } else if (*loaded) {
    state = std::move(**loaded);
  }
  incidents_ = IncidentBook(std::move(state.incidents));
  journal_cursor_ = state.journal_cursor;

  if (!options_.geoip_db.empty()) {
    auto geo = GeoIp::Open(options_.geoip_db);
    if (!geo) {
      log::Error("GeoIP: {}; logins are not located", geo.error().message());
    } else {
      geoip_ = std::move(*geo);
      log::Info("GeoIP database {}", options_.geoip_db);
      BuildDetectors();
    }
  }

  std::vector<std::string> paths = options_.files;
  if (paths.empty()) {
    for (const char* p : kDefaultLogs) {
      if (access(p, R_OK) == 0) paths.emplace_back(p);
    }
  }
  const bool want_journal = options_.journal == LoginMonitorOptions::Journal::kOn ||
                            !options_.journal_dir.empty() ||
                            (options_.journal == LoginMonitorOptions::Journal::kAuto &&
                             JournalFollower::SystemJournalExists());
  if (want_journal && options_.journal != LoginMonitorOptions::Journal::kOff) {
    auto j = JournalFollower::Open(options_.journal_dir, journal_cursor_, options_.from_start);
    if (!j) {
      log::Error("{}; the journal is not monitored", j.error().message());
    } else {
      journal_ = std::move(*j);
    }
  }
  // btmp/wtmp repeat what sshd writes to the text logs and the journal: followed only without them.
  const bool text_source =
      journal_ != nullptr || std::any_of(paths.begin(), paths.end(), [](const std::string& p) {
        return DetectBinaryLog(p) == BinaryLog::kNone;
      });
  if (text_source) {
    std::erase_if(paths, [](const std::string& p) {
      if (DetectBinaryLog(p) == BinaryLog::kNone) return false;
      log::Info("{}: not followed: a text log or the journal already reports these logins", p);
      return true;
    });
  } else if (options_.files.empty()) {
    for (const char* p : kDefaultBinaryLogs) {
      if (access(p, R_OK) == 0) paths.emplace_back(p);
    }
  }
  for (auto& path : paths) {
    // Cursors are keyed by absolute path.
    std::error_code ec;
    if (auto abs = std::filesystem::absolute(path, ec); !ec) path = abs.lexically_normal().string();
    std::optional<FileCursor> resume;
    for (const auto& c : state.files) {
      if (c.path == path) resume = c;
    }
    FileSource source;
    source.binary = DetectBinaryLog(path);
    if (source.binary == BinaryLog::kLastlog) {
      log::Warn("{}: lastlog is not a log of logins; not followed", path);
      continue;
    }
    source.tailer = std::make_unique<FileTailer>(path, resume, options_.from_start,
                                                 BinaryLogRecordSize(source.binary));
    source.tailer->Prime();
    files_.push_back(std::move(source));
  }
  SeedFromLastlog();
  LoadDetectors();

  if (files_.empty() && !journal_) {
    return FailedPrecondition(
        "no login source: none of /var/log/auth.log, /var/log/secure, /var/log/messages, "
        "/var/log/btmp, /var/log/wtmp exists and there is no journal");
  }
  std::string followed;
  for (const auto& s : sources()) followed += (followed.empty() ? "" : ", ") + s;
  log::Info("login monitor: following {}", followed);
  return Status::Ok();
}

std::vector<std::string> LoginMonitor::sources() const {
  std::vector<std::string> out;
  for (const auto& f : files_) out.push_back(f.tailer->path());
  if (journal_) out.push_back(options_.journal_dir.empty() ? "journal" : options_.journal_dir);
  return out;
}

LoginMonitorStats LoginMonitor::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void LoginMonitor::UpdateSettings(LoginMonitorSettings settings) {
  std::lock_guard lock(mu_);
  pending_settings_ = std::move(settings);
}

void LoginMonitor::SetExtraProtected(std::vector<Cidr> networks) {
  std::lock_guard lock(mu_);
  extra_protected_ = std::move(networks);
}

std::vector<IpBytes> LoginMonitor::ManagementSources() const {
  std::vector<IpBytes> out = UtmpSources();
  std::vector<IpBytes> established = EstablishedSshSources();
  const std::int64_t now = Now();
  std::lock_guard lock(mu_);
  for (const auto& a : established) {
    const auto it = recent_success_.find(a);
    if (it != recent_success_.end() && it->second >= now - kRecentSuccessSeconds &&
        std::find(out.begin(), out.end(), a) == out.end()) {
      out.push_back(a);
    }
  }
  return out;
}

BlockPolicy LoginMonitor::MakeBlockPolicy(std::vector<Cidr> extra_protected) const {
  BlockPolicy policy;
  {
    std::lock_guard lock(mu_);
    policy.protected_networks =
        pending_settings_ ? pending_settings_->never_block : settings_.never_block;
    for (const auto& c : extra_protected_) policy.protected_networks.push_back(c);
  }
  for (auto& c : extra_protected) policy.protected_networks.push_back(std::move(c));
  policy.sessions = [this] { return ManagementSources(); };
  return policy;
}

void LoginMonitor::OnEvent(const LoginEvent& e) {
  detectors_dirty_ = true;
  {
    std::lock_guard lock(mu_);
    ++stats_.events;
    if (e.outcome == LoginOutcome::kSuccess) {
      if (auto addr = ParseIpAddress(e.source)) {
        if (recent_success_.size() >= kMaxRecentSuccess) {
          // Forget the oldest.
          auto oldest =
              std::min_element(recent_success_.begin(), recent_success_.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
          recent_success_.erase(oldest);
        }
        recent_success_[*addr] = e.time;
      }
    }
  }
  changed_.clear();
  brute_->Process(e, &changed_);
  auto remember = [](std::size_t i, std::vector<std::size_t>* list, std::vector<bool>* flags) {
    if (flags->size() <= i) flags->resize(i + 1);
    if (!(*flags)[i]) {
      (*flags)[i] = true;
      list->push_back(i);
    }
  };
  for (std::size_t i : changed_) remember(i, &changed_brute_, &flagged_brute_);
  changed_.clear();
  abnormal_->Process(e, &changed_);
  for (std::size_t i : changed_) remember(i, &changed_abnormal_, &flagged_abnormal_);
  // Bounded: a flood of distinct incidents is reported in slices.
  if (changed_brute_.size() + changed_abnormal_.size() >= 4096) FlushReports();
}

void LoginMonitor::FlushReports() {
  for (std::size_t i : changed_brute_) {
    flagged_brute_[i] = false;
    Report(brute_->alerts()[i]);
  }
  for (std::size_t i : changed_abnormal_) {
    flagged_abnormal_[i] = false;
    Report(abnormal_->alerts()[i]);
  }
  changed_brute_.clear();
  changed_abnormal_.clear();
}

void LoginMonitor::Report(const Alert& alert) {
  std::string country;
  if (geoip_ && !alert.source.empty()) country = geoip_->Country(alert.source);
  const Json event = incidents_.Track(alert, country);
  dirty_ = true;
  {
    std::lock_guard lock(mu_);
    ++stats_.alerts_reported;
  }
  if (sink_) sink_(event);
  MaybeBlock(alert, event.GetString("id"));
}

void LoginMonitor::MaybeBlock(const Alert& alert, const std::string& event_id) {
  if (blocks_ == nullptr || settings_.block_seconds <= 0 || alert.source.empty()) return;
  const bool source_scope = alert.type == "brute_force" && alert.sources.empty();
  if (!source_scope && alert.type != "cracked") return;
  auto target = ParseBlockTarget(alert.source);
  if (!target) return;  // a host name as logged: nothing to block by address
  const std::int64_t now = Now();
  // Each further failure updates the alert; block once per (source, block period).
  auto it = refused_.find(target->text);
  if (it != refused_.end() && it->second > now) return;
  auto added = blocks_->Add(target->text, settings_.block_seconds, alert.type, event_id);
  std::lock_guard lock(mu_);
  if (added) {
    ++stats_.blocks_added;
    refused_[target->text] = added->expires_at - 1;
    log::Warn("blocked {} for {} s ({}, {} failures) via {}", target->text, settings_.block_seconds,
              alert.type, alert.count, FirewallBackendName(blocks_->backend()));
    return;
  }
  if (added.error().code() == Code::kFailedPrecondition &&
      blocks_->backend() != FirewallBackend::kNone) {
    ++stats_.blocks_refused;
    refused_[target->text] = now + kRefusalLogSeconds;
    log::Warn("{} ({} alert); not blocked", added.error().message(), alert.type);
  } else {
    ++stats_.block_errors;
    refused_[target->text] = now + 60;  // retry in a minute
    log::Error("could not block {}: {}", target->text, added.error().message());
  }
  if (refused_.size() > kMaxRecentSuccess) {
    std::erase_if(refused_, [now](const auto& kv) { return kv.second <= now; });
  }
}

Result<std::size_t> LoginMonitor::PollOnce() {
  {
    std::optional<LoginMonitorSettings> next;
    {
      std::lock_guard lock(mu_);
      next.swap(pending_settings_);
    }
    if (next && !(*next == settings_)) {
      const bool rules_changed = !(next->rules == settings_.rules);
      {
        std::lock_guard lock(mu_);  // MakeBlockPolicy may read it from another thread
        settings_ = std::move(*next);
      }
      if (rules_changed) {
        changed_brute_.clear();
        changed_abnormal_.clear();
        flagged_brute_.clear();
        flagged_abnormal_.clear();
        BuildDetectors();
      }
      if (blocks_ != nullptr) blocks_->SetPolicy(MakeBlockPolicy({}));
      log::Info("login monitor: settings applied (block {} s)", settings_.block_seconds);
    }
  }
  std::size_t lines = 0;
  std::vector<LoginEvent> events;
  const std::int64_t now = Now();
  for (auto& f : files_) {
    if (f.binary != BinaryLog::kNone) {
      for (;;) {
        auto more = f.tailer->Poll([&](std::string_view record) {
          ++lines;
          // Record index in the file (1-based), as `rampart logscan` numbers them.
          const std::uint64_t index = f.tailer->delivered_offset() / kUtmpRecordSize + 1;
          auto parsed = ParseUtmpRecord(record);
          if (!parsed) return;
          if (auto e = UtmpRecordEvent(*parsed, f.binary, f.tailer->path(), index)) {
            OnEvent(*e);
          }
        });
        FlushReports();
        if (!more) {
          log::Warn("{}", more.error().ToString());
          break;
        }
        if (!*more) break;
      }
      continue;
    }
    const int month = MonthOf(now);
    if (!f.parser || f.parser_month != month) {
      // RFC 3164 lines carry no year: the parser infers it from its reference time, so it is
      // renewed when the month changes (a running agent crosses New Year correctly).
      AuthLogOptions o;
      o.file = f.tailer->path();
      o.reference_time = now;
      o.local_utc_offset = LocalUtcOffset(now);
      if (f.parser) f.parser->Flush(&events);
      f.parser = std::make_unique<AuthLogParser>(std::move(o));
      f.parser_month = month;
    }
    std::uint64_t line_no = 0;
    for (;;) {
      auto more = f.tailer->Poll([&](std::string_view line) {
        ++lines;
        f.parser->ParseLine(line, ++line_no, &events);
        for (const auto& e : events) OnEvent(e);
        events.clear();
      });
      FlushReports();
      if (!more) {
        log::Warn("{}", more.error().ToString());
        break;
      }
      if (!*more) break;
    }
    for (const auto& e : events) OnEvent(e);
    events.clear();
    FlushReports();
  }
  if (journal_) {
    auto n = journal_->Poll([&](LoginEvent&& e) { OnEvent(e); });
    FlushReports();
    if (!n) {
      log::Warn("{}", n.error().ToString());
    } else {
      lines += *n;
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.lines += lines;
  }
  if (lines > 0) dirty_ = true;
  const auto mono = clock_->Monotonic();
  if (dirty_ && mono - last_save_ >= options_.save_interval) {
    if (Status saved = SaveCursors(); !saved.ok()) log::Error("{}", saved.ToString());
  }
  if (detectors_dirty_ && mono - last_detector_save_ >= options_.detector_save_interval) {
    if (Status saved = SaveDetectors(); !saved.ok()) log::Error("{}", saved.ToString());
  }
  return lines;
}

Status LoginMonitor::SaveState() {
  Status cursors = SaveCursors();
  Status detectors = SaveDetectors();
  return cursors.ok() ? detectors : cursors;
}

Status LoginMonitor::SaveDetectors() {
  last_detector_save_ = clock_->Monotonic();
  detectors_dirty_ = false;
  return SaveDetectorState(options_.data_dir + "/" + std::string(kDetectorStateFile), *brute_,
                           *abnormal_, Now());
}

Status LoginMonitor::SaveCursors() {
  MonitorState state;
  for (const auto& f : files_) state.files.push_back(f.tailer->cursor());
  state.journal_cursor = journal_ ? journal_->cursor() : journal_cursor_;
  state.incidents = incidents_.Records(Now());
  last_save_ = clock_->Monotonic();
  dirty_ = false;
  return SaveMonitorState(options_.data_dir + "/" + std::string(kMonitorStateFile), state);
}

Status LoginMonitor::Run(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) {
    auto n = PollOnce();
    if (!n) log::Warn("login monitor: {}", n.error().ToString());
    if (blocks_ != nullptr) {
      if (auto expired = blocks_->ExpireDue(); !expired) {
        log::Warn("blocks: {}", expired.error().ToString());
      }
    }
    if (n && *n > 0) continue;  // more may be waiting
    std::this_thread::sleep_for(options_.poll);
  }
  return SaveState();
}

}  // namespace rampart::agent
