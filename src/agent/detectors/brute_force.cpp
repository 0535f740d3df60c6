#include "agent/detectors/brute_force.h"

#include <algorithm>
#include <utility>

namespace rampart::agent {

BruteForceDetector::BruteForceDetector(DetectionRules rules, BruteForceOptions options)
    : rules_(std::move(rules)),
      country_of_(std::move(options.country_of)),
      source_keys_(options.max_tracked_keys),
      account_keys_(options.max_tracked_keys),
      scans_(options.max_tracked_keys) {
  // Incident::crossed holds one bit per rule; the loader caps the list well below that.
  if (rules_.brute_force.size() > 32) rules_.brute_force.resize(32);
  for (std::size_t i = 0; i < rules_.brute_force.size(); ++i) {
    const bool source = rules_.brute_force[i].scope == RuleScope::kSource;
    (source ? source_rules_ : account_rules_).push_back(i);
    (source ? source_mask_ : account_mask_) |= 1u << i;
  }
}

void BruteForceDetector::Process(const LoginEvent& event, std::vector<std::size_t>* changed) {
  if (rules_.whitelist.Suppresses(event, country_of_)) return;
  if (event.outcome == LoginOutcome::kSuccess) {
    CheckCracked(event, changed);
    return;
  }
  // The source is looked up in up to four maps: hash it once.
  const std::size_t source_hash = StringMap<Incident>::Hash(event.source);
  CountFailure(event, source_hash, changed);
  if ((event.invalid_user || event.kind == "invalid_user") && rules_.invalid_user_scan.enabled) {
    CountInvalidUser(event, source_hash, changed);
  }
}

std::size_t BruteForceDetector::NewAlert(const char* type, const std::string& rule,
                                         AlertLevel level, const LoginEvent& e) {
  Alert a;
  a.type = type;
  a.rule = rule;
  a.level = level;
  a.service = e.service;
  a.source = e.source;
  a.user = e.user;
  a.AddUser(e.user);
  a.first_seen = e.time;
  a.last_seen = e.time;
  alerts_.push_back(std::move(a));
  return alerts_.size() - 1;
}

bool BruteForceDetector::Count(std::size_t i, Window& w, const LoginEvent& e, std::uint64_t n,
                               std::int64_t* first_seen, std::uint64_t* total) {
  const BruteForceRule& r = rules_.brute_force[i];
  const std::int64_t t = std::max(e.time, w.last_time);
  w.last_time = t;
  if (!w.slots.empty() && w.slots.back().time == t) {
    w.slots.back().count += n;
  } else {
    w.slots.push_back({t, n});
  }
  w.total += n;
  const std::int64_t horizon = t - r.window_seconds;  // failures at or before it are out
  std::size_t drop = 0;
  while (drop < w.slots.size() && w.slots[drop].time <= horizon) w.total -= w.slots[drop++].count;
  // Only the latest `failures` worth matter (the account rule may still wait for more sources).
  while (drop + 1 < w.slots.size() && w.total - w.slots[drop].count >= r.failures) {
    w.total -= w.slots[drop++].count;
  }
  w.slots.erase(w.slots.begin(), w.slots.begin() + static_cast<std::ptrdiff_t>(drop));

  std::size_t distinct = 1;
  if (r.scope == RuleScope::kAccount) {
    auto& s = w.sources;
    std::erase_if(s, [horizon](const auto& p) { return p.second <= horizon; });
    auto it = std::find_if(s.begin(), s.end(), [&e](const auto& p) { return p.first == e.source; });
    if (it != s.end()) {
      it->second = t;
    } else {
      s.emplace_back(e.source, t);
      if (s.size() > r.min_sources) {
        s.erase(std::min_element(s.begin(), s.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; }));
      }
    }
    distinct = s.size();
  } else if (w.users.size() < kMaxAlertNames && !e.user.empty() &&
             std::find(w.users.begin(), w.users.end(), e.user) == w.users.end()) {
    w.users.push_back(e.user);
  }
  if (w.total < r.failures || distinct < r.min_sources) return false;
  *first_seen = std::min(w.slots.front().time, e.time);
  *total = w.total;
  crossed_sources_.clear();
  for (auto& p : w.sources) crossed_sources_.push_back(std::move(p.first));
  crossed_users_ = std::move(w.users);
  w = Window{};
  return true;
}

namespace {

// Most updates of a storm's alert repeat its latest source, user and service: compare, copy only
// what changed.
void Assign(std::string* to, const std::string& from) {
  if (*to != from) *to = from;
}

}  // namespace

void BruteForceDetector::CountFailure(const LoginEvent& e, std::size_t source_hash,
                                      std::vector<std::size_t>* changed) {
  const std::uint64_t n = std::max<std::uint32_t>(e.attempts, 1);
  for (const RuleScope scope : {RuleScope::kSource, RuleScope::kAccount}) {
    const bool by_source = scope == RuleScope::kSource;
    const std::vector<std::size_t>& rule_ids = by_source ? source_rules_ : account_rules_;
    const std::string& key = by_source ? e.source : e.user;
    if (rule_ids.empty() || (!by_source && key.empty())) continue;
    const std::uint32_t all = by_source ? source_mask_ : account_mask_;
    auto& incidents = by_source ? by_source_ : by_account_;
    auto& keys = by_source ? source_keys_ : account_keys_;
    const std::size_t hash = by_source ? source_hash : StringMap<Incident>::Hash(key);
    Incident* incident = incidents.Find(key, hash);
    const bool existed = incident != nullptr;
    bool touched = false;
    if (incident == nullptr || (incident->crossed & all) != all) {
      KeyState& ks = keys.Get(key, hash);
      if (ks.windows.empty()) ks.windows.resize(rule_ids.size());
      for (std::size_t j = 0; j < rule_ids.size(); ++j) {
        const std::size_t i = rule_ids[j];
        const BruteForceRule& r = rules_.brute_force[i];
        const std::uint32_t bit = 1u << i;
        if (incident != nullptr && (incident->crossed & bit) != 0) continue;
        std::int64_t first = 0;
        std::uint64_t total = 0;
        if (!Count(i, ks.windows[j], e, n, &first, &total)) continue;
        touched = true;
        if (incident == nullptr) {
          const std::size_t idx = NewAlert("brute_force", r.name, r.level, e);
          Alert& a = alerts_[idx];
          a.count = total;
          a.first_seen = first;
          for (const auto& s : crossed_sources_) a.AddSource(s);
          if (by_source) {
            a.users.clear();
            for (const auto& u : crossed_users_) a.AddUser(u);
            a.AddUser(e.user);
          } else {
            a.AddSource(e.source);
          }
          incident = &incidents.Insert(key, hash, Incident{idx, bit});
        } else {
          incident->crossed |= bit;
          Alert& a = alerts_[incident->alert];
          if (AlertLevelRank(r.level) > AlertLevelRank(a.level)) {
            a.level = r.level;
            a.rule = r.name;
          }
        }
      }
      // Every rule of this scope has fired for the key: its alert is all that is kept.
      if (incident != nullptr && (incident->crossed & all) == all) keys.Erase(key, hash);
    }
    if (existed) {
      Alert& a = alerts_[incident->alert];
      a.count += n;
      a.last_seen = std::max(a.last_seen, e.time);
      Assign(&a.source, e.source);
      Assign(&a.user, e.user);
      Assign(&a.service, e.service);
      a.AddUser(e.user);
      if (!by_source) a.AddSource(e.source);
      touched = true;
    }
    if (touched && changed != nullptr) changed->push_back(incident->alert);
  }
}

void BruteForceDetector::CountInvalidUser(const LoginEvent& e, std::size_t source_hash,
                                          std::vector<std::size_t>* changed) {
  if (e.user.empty()) return;
  const InvalidUserScanRule& r = rules_.invalid_user_scan;
  const std::uint64_t n = std::max<std::uint32_t>(e.attempts, 1);
  if (const std::size_t* raised = scans_raised_.Find(e.source, source_hash)) {
    Alert& a = alerts_[*raised];
    a.count += n;
    a.last_seen = std::max(a.last_seen, e.time);
    Assign(&a.user, e.user);
    Assign(&a.service, e.service);
    a.AddUser(e.user);
    if (changed != nullptr) changed->push_back(*raised);
    return;
  }
  Scan& s = scans_.Get(e.source, source_hash);
  const std::int64_t t = std::max(e.time, s.last_time);
  s.last_time = t;
  const std::int64_t horizon = t - r.window_seconds;
  std::erase_if(s.users, [horizon](const auto& p) { return p.second <= horizon; });
  auto it = std::find_if(s.users.begin(), s.users.end(),
                         [&e](const auto& p) { return p.first == e.user; });
  if (it != s.users.end()) {
    it->second = t;
    return;
  }
  s.users.emplace_back(e.user, t);
  if (s.users.size() < r.distinct_users) return;
  const std::size_t idx = NewAlert("invalid_user_scan", "invalid_user_scan", r.level, e);
  Alert& a = alerts_[idx];
  a.users.clear();
  for (const auto& [user, time] : s.users) {
    a.AddUser(user);
    a.first_seen = std::min(a.first_seen, time);
  }
  a.count = s.users.size();
  scans_raised_.Insert(e.source, source_hash, idx);
  scans_.Erase(e.source, source_hash);
  if (changed != nullptr) changed->push_back(idx);
}

void BruteForceDetector::CheckCracked(const LoginEvent& e, std::vector<std::size_t>* changed) {
  const Alert* attack = nullptr;
  if (const Incident* by_source = by_source_.Find(e.source)) {
    attack = &alerts_[by_source->alert];
  } else if (const Incident* by_account = by_account_.Find(e.user)) {
    const Alert& a = alerts_[by_account->alert];
    if (std::find(a.sources.begin(), a.sources.end(), e.source) != a.sources.end()) attack = &a;
  }
  if (attack == nullptr) return;
  key_ = e.source;
  key_ += '\n';
  key_ += e.user;
  const std::size_t key_hash = StringMap<std::size_t>::Hash(key_);
  if (const std::size_t* cracked = cracked_.Find(key_, key_hash)) {
    Alert& a = alerts_[*cracked];
    ++a.count;
    a.last_seen = std::max(a.last_seen, e.time);
    a.service = e.service;
    if (changed != nullptr) changed->push_back(*cracked);
    return;
  }
  const std::string rule = attack->rule;
  const std::uint64_t failures = attack->count;
  const std::size_t idx = NewAlert("cracked", rule, AlertLevel::kCritical, e);
  alerts_[idx].count = 1;
  alerts_[idx].failures = failures;
  cracked_.Insert(key_, key_hash, idx);
  if (changed != nullptr) changed->push_back(idx);
}

}  // namespace rampart::agent
