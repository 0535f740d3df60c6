#include "agent/vuln/osv.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "agent/vuln/cvss.h"
#include "common/strings.h"

namespace rampart::agent::vuln {
namespace {

Status Bad(const std::string& path, std::string_view what) {
  return InvalidArgument(path + ": " + std::string(what));
}

std::string Index(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

// An optional member that must be an array when present; JSON null counts as absent (the schema
// allows it for aliases, severity, affected, references).
Result<const Json::Array*> OptionalArray(const Json& obj, std::string_view key,
                                         const std::string& path) {
  const Json* j = obj.Find(key);
  if (j == nullptr || j->is_null()) return static_cast<const Json::Array*>(nullptr);
  if (!j->is_array()) return Bad(path, "expected an array");
  return &j->as_array();
}

Result<std::string> OptionalString(const Json& obj, std::string_view key, const std::string& path) {
  const Json* j = obj.Find(key);
  if (j == nullptr || j->is_null()) return std::string();
  if (!j->is_string()) return Bad(path, "expected a string");
  return j->as_string();
}

Result<std::string> OptionalTimestamp(const Json& obj, std::string_view key) {
  RAMPART_ASSIGN_OR_RETURN(std::string s, OptionalString(obj, key, std::string(key)));
  if (!s.empty() && !ParseTimestamp(s)) {
    return Bad(std::string(key), "'" + s + "' is not an RFC 3339 date-time");
  }
  return s;
}

void AddAlias(Advisory& a, const std::string& alias) {
  if (alias.empty() || alias == a.id) return;
  if (std::find(a.aliases.begin(), a.aliases.end(), alias) != a.aliases.end()) return;
  a.aliases.push_back(alias);
}

Status ParseAliases(const Json& record, std::string_view key, Advisory& a) {
  const std::string path(key);
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* arr, OptionalArray(record, key, path));
  if (arr == nullptr) return Status::Ok();
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const Json& item = (*arr)[i];
    if (item.is_string()) {
      AddAlias(a, item.as_string());
    } else if (const Json* id = item.Find("id"); key == "related" && id && id->is_string()) {
      AddAlias(a, id->as_string());
    } else {
      return Bad(Index(path, i), "expected a string");
    }
  }
  return Status::Ok();
}

// The severity[] entries of a record or of one affected package.
struct SeverityEntries {
  std::string v3, v2, v4, ubuntu;  // first of each kind
};

Status ParseSeverityArray(const Json& obj, const std::string& path, SeverityEntries& out) {
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* arr, OptionalArray(obj, "severity", path));
  if (arr == nullptr) return Status::Ok();
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string p = Index(path, i);
    const Json& e = (*arr)[i];
    if (!e.is_object()) return Bad(p, "expected an object");
    const Json* type = e.Find("type");
    const Json* score = e.Find("score");
    if (type == nullptr || !type->is_string())
      return Bad(p + ".type", "required string is missing");
    if (score == nullptr || !score->is_string())
      return Bad(p + ".score", "required string is missing");
    const std::string& t = type->as_string();
    const std::string& s = score->as_string();
    if (t == "CVSS_V3") {
      if (auto r = CvssV3BaseScore(s); !r.ok()) return Bad(p + ".score", r.error().message());
      if (out.v3.empty()) out.v3 = s;
    } else if (t == "CVSS_V2") {
      if (auto r = CvssV2BaseScore(s); !r.ok()) return Bad(p + ".score", r.error().message());
      if (out.v2.empty()) out.v2 = s;
    } else if (t == "CVSS_V4") {
      if (!s.starts_with("CVSS:4.0/"))
        return Bad(p + ".score", "CVSS v4 vector must start CVSS:4.0/");
      if (out.v4.empty()) out.v4 = s;
    } else if (t == "Ubuntu") {
      if (out.ubuntu.empty()) out.ubuntu = s;
    } else {
      return Bad(p + ".type", "'" + t + "' is not one of CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu");
    }
  }
  return Status::Ok();
}

// The severity word of an ecosystem_specific / database_specific object, if it has a recognised
// one.
std::optional<Severity> SpecificSeverity(const Json& obj, std::string_view key) {
  const Json* specific = obj.Find(key);
  if (specific == nullptr || !specific->is_object()) return std::nullopt;
  for (std::string_view field : {"severity", "urgency"}) {
    const Json* s = specific->Find(field);
    if (s != nullptr && s->is_string()) {
      if (auto sev = ParseSeverityWord(s->as_string())) return sev;
    }
  }
  return std::nullopt;
}

Status CheckSpecificIsObject(const Json& obj, std::string_view key, const std::string& path) {
  const Json* j = obj.Find(key);
  if (j != nullptr && !j->is_null() && !j->is_object()) return Bad(path, "expected an object");
  return Status::Ok();
}

Result<RangeEvent> ParseEvent(const Json& e, const std::string& path) {
  if (!e.is_object()) return Bad(path, "expected an object");
  static constexpr std::pair<std::string_view, RangeEvent::Kind> kKinds[] = {
      {"introduced", RangeEvent::Kind::kIntroduced},
      {"fixed", RangeEvent::Kind::kFixed},
      {"last_affected", RangeEvent::Kind::kLastAffected},
      {"limit", RangeEvent::Kind::kLimit},
  };
  RangeEvent ev;
  int found = 0;
  for (const auto& [key, kind] : kKinds) {
    const Json* v = e.Find(key);
    if (v == nullptr) continue;
    ++found;
    if (!v->is_string() || v->as_string().empty()) {
      return Bad(path + "." + std::string(key), "expected a non-empty version string");
    }
    ev.kind = kind;
    ev.version = v->as_string();
  }
  if (found != 1)
    return Bad(path, "expected exactly one of introduced, fixed, last_affected, limit");
  return ev;
}

Result<Range> ParseRange(const Json& r, const std::string& path) {
  if (!r.is_object()) return Bad(path, "expected an object");
  Range range;
  const Json* type = r.Find("type");
  if (type == nullptr || !type->is_string())
    return Bad(path + ".type", "required string is missing");
  const std::string& t = type->as_string();
  if (t == "ECOSYSTEM") {
    range.type = Range::Type::kEcosystem;
  } else if (t == "SEMVER") {
    range.type = Range::Type::kSemver;
  } else if (t == "GIT") {
    range.type = Range::Type::kGit;
    const Json* repo = r.Find("repo");
    if (repo == nullptr || !repo->is_string() || repo->as_string().empty()) {
      return Bad(path + ".repo", "required for a GIT range");
    }
  } else {
    return Bad(path + ".type", "'" + t + "' is not one of ECOSYSTEM, SEMVER, GIT");
  }
  const Json* events = r.Find("events");
  if (events == nullptr || !events->is_array())
    return Bad(path + ".events", "required array is missing");
  if (events->as_array().empty()) return Bad(path + ".events", "'events' is empty");
  bool introduced = false, fixed = false, last_affected = false;
  for (std::size_t i = 0; i < events->size(); ++i) {
    RAMPART_ASSIGN_OR_RETURN(RangeEvent ev,
                             ParseEvent(events->as_array()[i], Index(path + ".events", i)));
    introduced |= ev.kind == RangeEvent::Kind::kIntroduced;
    fixed |= ev.kind == RangeEvent::Kind::kFixed;
    last_affected |= ev.kind == RangeEvent::Kind::kLastAffected;
    range.events.push_back(std::move(ev));
  }
  if (!introduced) return Bad(path + ".events", "no 'introduced' event");
  if (fixed && last_affected) return Bad(path + ".events", "has both 'fixed' and 'last_affected'");
  return range;
}

Result<Affected> ParseAffected(const Json& a, const std::string& path, SeverityEntries& sev) {
  if (!a.is_object()) return Bad(path, "expected an object");
  Affected out;
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* ranges, OptionalArray(a, "ranges", path + ".ranges"));
  bool all_git = ranges != nullptr && !ranges->empty();
  if (ranges != nullptr) {
    for (std::size_t i = 0; i < ranges->size(); ++i) {
      RAMPART_ASSIGN_OR_RETURN(Range r, ParseRange((*ranges)[i], Index(path + ".ranges", i)));
      all_git &= r.type == Range::Type::kGit;
      out.ranges.push_back(std::move(r));
    }
  }
  const Json* pkg = a.Find("package");
  if (pkg == nullptr || pkg->is_null()) {
    if (!all_git) return Bad(path + ".package", "required object is missing");
  } else {
    if (!pkg->is_object()) return Bad(path + ".package", "expected an object");
    const Json* eco = pkg->Find("ecosystem");
    const Json* name = pkg->Find("name");
    if (eco == nullptr || !eco->is_string() || eco->as_string().empty()) {
      return Bad(path + ".package.ecosystem", "required non-empty string is missing");
    }
    if (name == nullptr || !name->is_string() || name->as_string().empty()) {
      return Bad(path + ".package.name", "required non-empty string is missing");
    }
    out.ecosystem = eco->as_string();
    out.name = name->as_string();
    RAMPART_ASSIGN_OR_RETURN(out.purl, OptionalString(*pkg, "purl", path + ".package.purl"));
  }
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* versions,
                           OptionalArray(a, "versions", path + ".versions"));
  if (versions != nullptr) {
    for (std::size_t i = 0; i < versions->size(); ++i) {
      const Json& v = (*versions)[i];
      if (!v.is_string()) return Bad(Index(path + ".versions", i), "expected a string");
      out.versions.push_back(v.as_string());
    }
  }
  RAMPART_RETURN_IF_ERROR(
      CheckSpecificIsObject(a, "ecosystem_specific", path + ".ecosystem_specific"));
  RAMPART_RETURN_IF_ERROR(
      CheckSpecificIsObject(a, "database_specific", path + ".database_specific"));
  SeverityEntries own;
  RAMPART_RETURN_IF_ERROR(ParseSeverityArray(a, path + ".severity", own));
  std::optional<Severity> s = SpecificSeverity(a, "ecosystem_specific");
  if (!s) s = SpecificSeverity(a, "database_specific");
  if (!s && !own.v3.empty()) s = SeverityFromV3Score(CvssV3BaseScore(own.v3).value_or(0.0));
  if (!s && !own.ubuntu.empty()) s = ParseSeverityWord(own.ubuntu);
  if (s && *s != Severity::kUnknown) out.severity = std::string(SeverityName(*s));
  if (sev.v3.empty()) sev.v3 = own.v3;
  if (sev.v2.empty()) sev.v2 = own.v2;
  if (sev.v4.empty()) sev.v4 = own.v4;
  return out;
}

Status ParseReferences(const Json& record, Advisory& a) {
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* refs,
                           OptionalArray(record, "references", "references"));
  if (refs == nullptr) return Status::Ok();
  for (std::size_t i = 0; i < refs->size(); ++i) {
    const Json& r = (*refs)[i];
    const std::string p = Index("references", i);
    if (!r.is_object()) return Bad(p, "expected an object");
    const Json* url = r.Find("url");
    if (url == nullptr || !url->is_string()) return Bad(p + ".url", "required string is missing");
    a.references.push_back(url->as_string());
  }
  return Status::Ok();
}

// Fills cvss_vector, cvss_score and severity; see the header for the order of preference.
void DeriveSeverity(const Json& record, const SeverityEntries& top, const SeverityEntries& pkgs,
                    Advisory& a) {
  const std::string& v3 = !top.v3.empty() ? top.v3 : pkgs.v3;
  const std::string& v2 = !top.v2.empty() ? top.v2 : pkgs.v2;
  const std::string& v4 = !top.v4.empty() ? top.v4 : pkgs.v4;
  if (!v3.empty()) {
    a.cvss_vector = v3;
    a.cvss_score = CvssV3BaseScore(v3).value_or(0.0);
    a.severity = SeverityFromV3Score(a.cvss_score);
  } else if (!v2.empty()) {
    a.cvss_vector = v2;
    a.cvss_score = CvssV2BaseScore(v2).value_or(0.0);
    a.severity = SeverityFromV2Score(a.cvss_score);
  } else if (!v4.empty()) {
    a.cvss_vector = v4;
  }
  if (a.severity != Severity::kUnknown) return;
  if (auto s = SpecificSeverity(record, "database_specific")) {
    a.severity = *s;
    return;
  }
  if (auto s = ParseSeverityWord(top.ubuntu)) {
    a.severity = *s;
    return;
  }
  for (const Affected& aff : a.affected) {
    if (auto s = ParseSeverityWord(aff.severity); s && *s > a.severity) a.severity = *s;
  }
}

int DigitsAt(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Days from 0001-01-01 in the proleptic Gregorian calendar.
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = y / 400;  // y >= 0 here
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe;
}

}  // namespace

std::optional<Timestamp> ParseTimestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  const int year = DigitsAt(s, 0, 4), month = DigitsAt(s, 5, 2), day = DigitsAt(s, 8, 2);
  const int hour = DigitsAt(s, 11, 2), minute = DigitsAt(s, 14, 2), second = DigitsAt(s, 17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int month_days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day > month_days) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0'), ++digits;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int oh = DigitsAt(s, pos + 1, 2), om = DigitsAt(s, pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || s[pos + 3] != ':') return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  Timestamp t;
  t.seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
              offset_minutes * 60;
  t.nanos = static_cast<std::int32_t>(nanos);
  return t;
}

Result<Advisory> ParseOsvRecord(const Json& record, std::string_view source) {
  if (!record.is_object()) return InvalidArgument("record: expected a JSON object");
  Advisory a;
  a.source = std::string(source);
  const Json* id = record.Find("id");
  if (id == nullptr || !id->is_string() || id->as_string().empty()) {
    return Bad("id", "required non-empty string is missing");
  }
  a.id = id->as_string();
  const Json* modified = record.Find("modified");
  if (modified == nullptr || !modified->is_string())
    return Bad("modified", "required string is missing");
  RAMPART_ASSIGN_OR_RETURN(a.modified, OptionalTimestamp(record, "modified"));
  RAMPART_ASSIGN_OR_RETURN(a.published, OptionalTimestamp(record, "published"));
  RAMPART_ASSIGN_OR_RETURN(a.withdrawn, OptionalTimestamp(record, "withdrawn"));
  RAMPART_ASSIGN_OR_RETURN(a.summary, OptionalString(record, "summary", "summary"));
  RAMPART_ASSIGN_OR_RETURN(a.details, OptionalString(record, "details", "details"));
  RAMPART_RETURN_IF_ERROR(ParseAliases(record, "aliases", a));
  RAMPART_RETURN_IF_ERROR(ParseAliases(record, "related", a));
  SeverityEntries top, pkgs;
  RAMPART_RETURN_IF_ERROR(ParseSeverityArray(record, "severity", top));
  RAMPART_ASSIGN_OR_RETURN(const Json::Array* affected,
                           OptionalArray(record, "affected", "affected"));
  if (affected != nullptr) {
    for (std::size_t i = 0; i < affected->size(); ++i) {
      RAMPART_ASSIGN_OR_RETURN(Affected aff,
                               ParseAffected((*affected)[i], Index("affected", i), pkgs));
      a.affected.push_back(std::move(aff));
    }
  }
  RAMPART_RETURN_IF_ERROR(ParseReferences(record, a));
  RAMPART_RETURN_IF_ERROR(CheckSpecificIsObject(record, "database_specific", "database_specific"));
  DeriveSeverity(record, top, pkgs, a);
  return a;
}

}  // namespace rampart::agent::vuln
