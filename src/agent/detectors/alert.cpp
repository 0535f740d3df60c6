#include "agent/detectors/alert.h"

#include <algorithm>

#include "common/clock.h"

namespace rampart::agent {
namespace {

void AddName(std::vector<std::string>* names, bool* truncated, std::string_view name) {
  // A full, truncated list stays as it is whatever the name: skip the search (a storm's alert
  // meets its list's names on every event).
  if (name.empty() || (*truncated && names->size() >= kMaxAlertNames)) return;
  if (std::find(names->begin(), names->end(), name) != names->end()) return;
  if (names->size() >= kMaxAlertNames) {
    *truncated = true;
    return;
  }
  names->emplace_back(name);
}

}  // namespace

void Alert::AddUser(std::string_view name) { AddName(&users, &users_truncated, name); }
void Alert::AddSource(std::string_view name) { AddName(&sources, &sources_truncated, name); }

Json AlertToJson(const Alert& a) {
  Json j = Json::MakeObject();
  j.Set("type", a.type);
  j.Set("rule", a.rule);
  j.Set("level", AlertLevelName(a.level));
  j.Set("source", a.source);
  j.Set("user", a.user);
  j.Set("users", Json::StringArray(a.users));
  if (a.users_truncated) j.Set("users_truncated", true);
  j.Set("count", a.count);
  j.Set("first_seen", FormatIso8601(a.first_seen));
  j.Set("last_seen", FormatIso8601(a.last_seen));
  j.Set("service", a.service);
  if (!a.sources.empty()) {
    j.Set("sources", Json::StringArray(a.sources));
    if (a.sources_truncated) j.Set("sources_truncated", true);
  }
  if (a.type == "cracked") j.Set("failures", a.failures);
  if (!a.reason.empty()) j.Set("reason", a.reason);
  if (!a.network.empty()) j.Set("network", a.network);
  if (!a.country.empty()) j.Set("country", a.country);
  return j;
}

}  // namespace rampart::agent
