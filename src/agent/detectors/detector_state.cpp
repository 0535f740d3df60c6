#include "agent/detectors/detector_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "common/files.h"

namespace rampart::agent {
namespace {

constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;

// Field readers: each error names the path of the field and what was expected.
Status Bad(const std::string& field, const char* expected) {
  return DataLoss(field + ": expected " + expected);
}

Result<const Json*> Field(const Json& obj, std::string_view key, const std::string& where,
                          bool (Json::*is)() const, const char* expected) {
  const Json* v = obj.Find(key);
  const std::string field = where + "." + std::string(key);
  if (v == nullptr || !(v->*is)()) return Bad(field, expected);
  return v;
}

Result<std::int64_t> IntField(const Json& obj, std::string_view key, const std::string& where,
                              std::int64_t lo, std::int64_t hi) {
  RAMPART_ASSIGN_OR_RETURN(const Json* v, Field(obj, key, where, &Json::is_int, "an integer"));
  if (v->as_int() < lo || v->as_int() > hi) {
    return DataLoss(where + "." + std::string(key) + ": " + std::to_string(v->as_int()) +
                    " is out of range");
  }
  return v->as_int();
}

Result<std::vector<std::string>> StringList(const Json& obj, std::string_view key,
                                            const std::string& where, std::size_t max) {
  std::vector<std::string> out;
  const Json* v = obj.Find(key);
  if (v == nullptr) return out;  // optional
  const std::string field = where + "." + std::string(key);
  if (!v->is_array()) return Bad(field, "an array of strings");
  for (const Json& s : v->as_array()) {
    if (!s.is_string()) return Bad(field, "an array of strings");
    if (out.size() < max) out.push_back(s.as_string());
  }
  return out;
}

// [[NAME, TIME], ...] (latest time per name).
Result<std::vector<std::pair<std::string, std::int64_t>>> NamedTimes(const Json& obj,
                                                                     std::string_view key,
                                                                     const std::string& where) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  const Json* v = obj.Find(key);
  if (v == nullptr) return out;
  const std::string field = where + "." + std::string(key);
  if (!v->is_array()) return Bad(field, "an array of [name, time] pairs");
  for (const Json& p : v->as_array()) {
    if (!p.is_array() || p.size() != 2 || !p.as_array()[0].is_string() ||
        !p.as_array()[1].is_int()) {
      return Bad(field, "an array of [name, time] pairs");
    }
    out.emplace_back(p.as_array()[0].as_string(), p.as_array()[1].as_int());
  }
  return out;
}

Json NamedTimesJson(const std::vector<std::pair<std::string, std::int64_t>>& items) {
  Json out = Json::MakeArray();
  for (const auto& [name, time] : items) {
    Json p = Json::MakeArray();
    p.Push(name);
    p.Push(time);
    out.Push(std::move(p));
  }
  return out;
}

Result<const Json::Array*> List(const Json& obj, std::string_view key, const std::string& where) {
  const Json* v = obj.Find(key);
  static const Json::Array kEmpty;
  if (v == nullptr) return &kEmpty;
  if (!v->is_array()) return Bad(where + "." + std::string(key), "an array");
  return &v->as_array();
}

}  // namespace

Json BruteForceDetector::ExportWindows() const {
  Json out = Json::MakeObject();
  // The latest event time seen: what expiry is judged against at load (events arrive in time
  // order, so a failure outside its window by then can never count again).
  std::int64_t latest = 0;
  source_keys_.ForEachOldestFirst([&latest](std::string_view, const KeyState& ks) {
    for (const auto& w : ks.windows) latest = std::max(latest, w.last_time);
  });
  account_keys_.ForEachOldestFirst([&latest](std::string_view, const KeyState& ks) {
    for (const auto& w : ks.windows) latest = std::max(latest, w.last_time);
  });
  scans_.ForEachOldestFirst(
      [&latest](std::string_view, const Scan& s) { latest = std::max(latest, s.last_time); });
  out.Set("event_time", latest);
  for (const RuleScope scope : {RuleScope::kSource, RuleScope::kAccount}) {
    const bool by_source = scope == RuleScope::kSource;
    const std::vector<std::size_t>& rule_ids = by_source ? source_rules_ : account_rules_;
    Json keys = Json::MakeArray();
    (by_source ? source_keys_ : account_keys_)
        .ForEachOldestFirst([&](std::string_view key, const KeyState& ks) {
          Json windows = Json::MakeArray();
          for (std::size_t j = 0; j < ks.windows.size() && j < rule_ids.size(); ++j) {
            const Window& w = ks.windows[j];
            if (w.slots.empty()) continue;
            Json jw = Json::MakeObject();
            jw.Set("rule", rules_.brute_force[rule_ids[j]].name);
            jw.Set("last", w.last_time);
            Json slots = Json::MakeArray();
            for (const auto& slot : w.slots) {
              Json p = Json::MakeArray();
              p.Push(slot.time);
              p.Push(slot.count);
              slots.Push(std::move(p));
            }
            jw.Set("slots", std::move(slots));
            if (by_source) {
              jw.Set("users", Json::StringArray(w.users));
            } else {
              jw.Set("sources", NamedTimesJson(w.sources));
            }
            windows.Push(std::move(jw));
          }
          if (windows.size() == 0) return;
          Json k = Json::MakeObject();
          k.Set("key", key);
          k.Set("windows", std::move(windows));
          keys.Push(std::move(k));
        });
    out.Set(by_source ? "sources" : "accounts", std::move(keys));
  }
  Json scans = Json::MakeArray();
  scans_.ForEachOldestFirst([&](std::string_view key, const Scan& s) {
    if (s.users.empty()) return;
    Json k = Json::MakeObject();
    k.Set("key", key);
    k.Set("last", s.last_time);
    k.Set("users", NamedTimesJson(s.users));
    scans.Push(std::move(k));
  });
  out.Set("scans", std::move(scans));
  return out;
}

Status BruteForceDetector::ImportWindows(const Json& state, std::int64_t now) {
  if (!state.is_object()) return Bad("brute_force", "an object");
  std::int64_t event_time = now;
  if (const Json* t = state.Find("event_time")) {
    if (!t->is_int()) return Bad("brute_force.event_time", "an integer");
    if (t->as_int() > 0) event_time = t->as_int();
  }
  // Expiry is judged by event time (a resumed log's backlog continues where the windows stopped),
  // but never later than the clock: a log dated in the future does not make everything expire.
  const std::int64_t event_last = event_time;
  now = std::min(now, event_time);
  for (const RuleScope scope : {RuleScope::kSource, RuleScope::kAccount}) {
    const bool by_source = scope == RuleScope::kSource;
    const std::string list_name = by_source ? "sources" : "accounts";
    const std::vector<std::size_t>& rule_ids = by_source ? source_rules_ : account_rules_;
    RAMPART_ASSIGN_OR_RETURN(const Json::Array* keys, List(state, list_name, "brute_force"));
    for (std::size_t k = 0; k < keys->size(); ++k) {
      const Json& jk = (*keys)[k];
      const std::string where = "brute_force." + list_name + "[" + std::to_string(k) + "]";
      if (!jk.is_object()) return Bad(where, "an object");
      RAMPART_ASSIGN_OR_RETURN(const Json* key,
                               Field(jk, "key", where, &Json::is_string, "a string"));
      RAMPART_ASSIGN_OR_RETURN(const Json::Array* windows, List(jk, "windows", where));
      KeyState ks;
      ks.windows.resize(rule_ids.size());
      bool any = false;
      for (std::size_t n = 0; n < windows->size(); ++n) {
        const Json& jw = (*windows)[n];
        const std::string wwhere = where + ".windows[" + std::to_string(n) + "]";
        if (!jw.is_object()) return Bad(wwhere, "an object");
        RAMPART_ASSIGN_OR_RETURN(const Json* rule,
                                 Field(jw, "rule", wwhere, &Json::is_string, "a rule name"));
        RAMPART_ASSIGN_OR_RETURN(std::int64_t last,
                                 IntField(jw, "last", wwhere, INT64_MIN / 2, INT64_MAX / 2));
        RAMPART_ASSIGN_OR_RETURN(const Json::Array* slots, List(jw, "slots", wwhere));
        RAMPART_ASSIGN_OR_RETURN(auto users, StringList(jw, "users", wwhere, kMaxAlertNames));
        RAMPART_ASSIGN_OR_RETURN(auto sources, NamedTimes(jw, "sources", wwhere));
        std::size_t j = 0;
        while (j < rule_ids.size() && rules_.brute_force[rule_ids[j]].name != rule->as_string()) {
          ++j;
        }
        if (j == rule_ids.size()) continue;  // the rule is gone (or changed scope)
        const BruteForceRule& r = rules_.brute_force[rule_ids[j]];
        const std::int64_t horizon = now - r.window_seconds;
        Window w;
        // Never after the saved event time (the latest of all "last"s in an honest file): a
        // hostile "last" would otherwise move the next save's event time and expire what this
        // load kept.
        w.last_time = std::min(last, event_last);
        std::int64_t previous = 0;
        for (std::size_t i = 0; i < slots->size(); ++i) {
          const Json& p = (*slots)[i];
          if (!p.is_array() || p.size() != 2 || !p.as_array()[0].is_int() ||
              !p.as_array()[1].is_int() || p.as_array()[1].as_int() < 1 ||
              p.as_array()[1].as_int() > kMaxCount) {
            return Bad(wwhere + ".slots[" + std::to_string(i) + "]", "[time, count >= 1]");
          }
          const std::int64_t t = p.as_array()[0].as_int();
          if (i > 0 && t <= previous) {
            return Bad(wwhere + ".slots[" + std::to_string(i) + "]", "times in ascending order");
          }
          previous = t;
          if (t <= horizon || t > w.last_time) continue;  // expired, or after the window's last
          const auto count = static_cast<std::uint64_t>(p.as_array()[1].as_int());
          w.slots.push_back({t, count});
          w.total += count;
        }
        if (w.slots.empty()) continue;
        if (by_source) {
          w.users = std::move(users);
        } else {
          std::erase_if(sources, [horizon](const auto& s) { return s.second <= horizon; });
          if (sources.size() > r.min_sources) sources.resize(r.min_sources);
          w.sources = std::move(sources);
        }
        ks.windows[j] = std::move(w);
        any = true;
      }
      if (!any) continue;
      (by_source ? source_keys_ : account_keys_).Get(key->as_string()) = std::move(ks);
    }
  }
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* scans, List(state, "scans", "brute_force"));
  const std::int64_t scan_horizon = now - rules_.invalid_user_scan.window_seconds;
  for (std::size_t k = 0; k < scans->size(); ++k) {
    const Json& jk = (*scans)[k];
    const std::string where = "brute_force.scans[" + std::to_string(k) + "]";
    if (!jk.is_object()) return Bad(where, "an object");
    RAMPART_ASSIGN_OR_RETURN(const Json* key,
                             Field(jk, "key", where, &Json::is_string, "a string"));
    RAMPART_ASSIGN_OR_RETURN(std::int64_t last,
                             IntField(jk, "last", where, INT64_MIN / 2, INT64_MAX / 2));
    RAMPART_ASSIGN_OR_RETURN(auto users, NamedTimes(jk, "users", where));
    std::erase_if(users, [scan_horizon](const auto& u) { return u.second <= scan_horizon; });
    if (users.empty() || !rules_.invalid_user_scan.enabled) continue;
    if (users.size() > rules_.invalid_user_scan.distinct_users) {
      users.erase(users.begin(), users.end() - static_cast<std::ptrdiff_t>(
                                                   rules_.invalid_user_scan.distinct_users));
    }
    Scan& s = scans_.Get(key->as_string());
    s.last_time = std::min(last, event_last);
    s.users = std::move(users);
  }
  return Status::Ok();
}

Json AbnormalLoginDetector::ExportLearning() const {
  Json out = Json::MakeObject();
  out.Set("started", started_);
  out.Set("baseline", baseline_);
  out.Set("learning_ends", learning_ends_);
  // Sorted by user, so the file does not churn with the hash map's order.
  std::vector<const std::pair<const std::string, Profile>*> sorted;
  sorted.reserve(profiles_.size());
  for (const auto& p : profiles_) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  Json profiles = Json::MakeArray();
  for (const auto* p : sorted) {
    Json j = Json::MakeObject();
    j.Set("user", p->first);
    j.Set("networks", Json::StringArray(p->second.networks));
    j.Set("hours", static_cast<std::int64_t>(p->second.hours));
    if (!p->second.countries.empty()) j.Set("countries", Json::StringArray(p->second.countries));
    profiles.Push(std::move(j));
  }
  out.Set("profiles", std::move(profiles));
  return out;
}

Status AbnormalLoginDetector::ImportLearning(const Json& state) {
  if (!state.is_object()) return Bad("abnormal", "an object");
  RAMPART_ASSIGN_OR_RETURN(const Json* started,
                           Field(state, "started", "abnormal", &Json::is_bool, "true or false"));
  RAMPART_ASSIGN_OR_RETURN(const Json* baseline,
                           Field(state, "baseline", "abnormal", &Json::is_bool, "true or false"));
  RAMPART_ASSIGN_OR_RETURN(std::int64_t ends, IntField(state, "learning_ends", "abnormal",
                                                       INT64_MIN / 2, INT64_MAX / 2));
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* profiles, List(state, "profiles", "abnormal"));
  std::unordered_map<std::string, Profile> loaded;
  for (std::size_t i = 0; i < profiles->size(); ++i) {
    const Json& jp = (*profiles)[i];
    const std::string where = "abnormal.profiles[" + std::to_string(i) + "]";
    if (!jp.is_object()) return Bad(where, "an object");
    RAMPART_ASSIGN_OR_RETURN(const Json* user,
                             Field(jp, "user", where, &Json::is_string, "a user name"));
    RAMPART_ASSIGN_OR_RETURN(std::int64_t hours, IntField(jp, "hours", where, 0, (1 << 24) - 1));
    RAMPART_ASSIGN_OR_RETURN(auto networks,
                             StringList(jp, "networks", where, options_.max_networks_per_user));
    RAMPART_ASSIGN_OR_RETURN(auto countries, StringList(jp, "countries", where, 256));
    if (loaded.size() >= options_.max_users) continue;
    Profile& p = loaded[user->as_string()];
    p.hours = static_cast<std::uint32_t>(hours);
    p.networks = std::move(networks);
    p.countries = std::move(countries);
  }
  started_ = started->as_bool();
  baseline_ = baseline->as_bool();
  learning_ends_ = ends;
  // Profiles seeded before the load (lastlog) are kept where the file has none for the user.
  for (auto& [user, profile] : loaded) profiles_[user] = std::move(profile);
  return Status::Ok();
}

std::string EncodeDetectorState(const BruteForceDetector& brute,
                                const AbnormalLoginDetector& abnormal, std::int64_t now) {
  Json doc = Json::MakeObject();
  doc.Set("version", kDetectorStateVersion);
  doc.Set("saved_at", now);
  doc.Set("brute_force", brute.ExportWindows());
  doc.Set("abnormal", abnormal.ExportLearning());
  return doc.Dump();
}

Status DecodeDetectorState(std::string_view text, std::int64_t now, BruteForceDetector* brute,
                           AbnormalLoginDetector* abnormal) {
  auto doc = Json::Parse(text, 16);
  if (!doc) return DataLoss("not JSON: " + doc.error().message());
  if (!doc->is_object()) return Bad("document", "an object");
  RAMPART_ASSIGN_OR_RETURN(std::int64_t version, IntField(*doc, "version", "document", 0, 1000));
  if (version != kDetectorStateVersion) {
    return DataLoss("version " + std::to_string(version) + " is not supported (expected " +
                    std::to_string(kDetectorStateVersion) + ")");
  }
  if (const Json* b = doc->Find("brute_force"))
    RAMPART_RETURN_IF_ERROR(brute->ImportWindows(*b, now));
  if (const Json* a = doc->Find("abnormal")) RAMPART_RETURN_IF_ERROR(abnormal->ImportLearning(*a));
  return Status::Ok();
}

Status SaveDetectorState(const std::string& path, const BruteForceDetector& brute,
                         const AbnormalLoginDetector& abnormal, std::int64_t now) {
  return WriteFileAtomic(path, EncodeDetectorState(brute, abnormal, now), 0600);
}

Result<bool> LoadDetectorState(const std::string& path, std::int64_t now, BruteForceDetector* brute,
                               AbnormalLoginDetector* abnormal) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return ErrnoStatus(errno, path);
  }
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, std::size_t{256} << 20));
  if (Status s = DecodeDetectorState(text, now, brute, abnormal); !s.ok()) {
    return DataLoss(path + ": " + s.message());
  }
  return true;
}

}  // namespace rampart::agent
