#include "agent/vuln/advisory_json.h"

#include <string>

#include "agent/vuln/cvss.h"

namespace rampart::agent::vuln {
namespace {

constexpr std::string_view kEventNames[] = {"introduced", "fixed", "last_affected", "limit"};
constexpr std::string_view kRangeTypes[] = {"ECOSYSTEM", "SEMVER", "GIT"};

Status Bad(const std::string& path, std::string_view what) {
  return InvalidArgument(path + ": " + std::string(what));
}

Result<std::string> Str(const Json& obj, std::string_view key, const std::string& path) {
  const Json* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return Bad(path + "." + std::string(key), "expected a string");
  return v->as_string();
}

Result<std::vector<std::string>> Strings(const Json& obj, std::string_view key,
                                         const std::string& path) {
  std::vector<std::string> out;
  const Json* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) return Bad(path + "." + std::string(key), "expected an array of strings");
  for (const Json& item : v->as_array()) {
    if (!item.is_string()) {
      return Bad(path + "." + std::string(key), "expected an array of strings");
    }
    out.push_back(item.as_string());
  }
  return out;
}

Result<Range> RangeFrom(const Json& j, const std::string& path) {
  if (!j.is_object()) return Bad(path, "expected an object");
  Range r;
  RAMPART_ASSIGN_OR_RETURN(std::string type, Str(j, "type", path));
  bool known = false;
  for (std::size_t i = 0; i < std::size(kRangeTypes); ++i) {
    if (type == kRangeTypes[i]) {
      r.type = static_cast<Range::Type>(i);
      known = true;
    }
  }
  if (!known) return Bad(path + ".type", "expected ECOSYSTEM, SEMVER or GIT");
  const Json* events = j.Find("events");
  if (events == nullptr || !events->is_array()) return Bad(path + ".events", "expected an array");
  for (std::size_t e = 0; e < events->size(); ++e) {
    const Json& ev = events->as_array()[e];
    const std::string ep = path + ".events[" + std::to_string(e) + "]";
    if (!ev.is_object() || ev.size() != 1 || !ev.as_object()[0].second.is_string()) {
      return Bad(ep, "expected one member with a string value");
    }
    const auto& [name, value] = ev.as_object()[0];
    bool ok = false;
    for (std::size_t k = 0; k < std::size(kEventNames); ++k) {
      if (name == kEventNames[k]) {
        r.events.push_back({static_cast<RangeEvent::Kind>(k), value.as_string()});
        ok = true;
      }
    }
    if (!ok) return Bad(ep, "expected introduced, fixed, last_affected or limit");
  }
  return r;
}

Result<Affected> AffectedFrom(const Json& j, const std::string& path) {
  if (!j.is_object()) return Bad(path, "expected an object");
  Affected a;
  RAMPART_ASSIGN_OR_RETURN(a.ecosystem, Str(j, "ecosystem", path));
  RAMPART_ASSIGN_OR_RETURN(a.name, Str(j, "name", path));
  RAMPART_ASSIGN_OR_RETURN(a.purl, Str(j, "purl", path));
  RAMPART_ASSIGN_OR_RETURN(a.versions, Strings(j, "versions", path));
  RAMPART_ASSIGN_OR_RETURN(a.severity, Str(j, "severity", path));
  RAMPART_ASSIGN_OR_RETURN(a.status, Str(j, "status", path));
  if (const Json* ranges = j.Find("ranges"); ranges != nullptr && !ranges->is_null()) {
    if (!ranges->is_array()) return Bad(path + ".ranges", "expected an array");
    for (std::size_t i = 0; i < ranges->size(); ++i) {
      RAMPART_ASSIGN_OR_RETURN(
          Range r, RangeFrom(ranges->as_array()[i], path + ".ranges[" + std::to_string(i) + "]"));
      a.ranges.push_back(std::move(r));
    }
  }
  return a;
}

}  // namespace

Json AdvisoryToJson(const Advisory& a) {
  Json j = Json::MakeObject();
  j.Set("id", a.id);
  j.Set("aliases", Json::StringArray(a.aliases));
  j.Set("summary", a.summary);
  j.Set("details", a.details);
  j.Set("published", a.published);
  j.Set("modified", a.modified);
  j.Set("withdrawn", a.withdrawn);
  j.Set("severity", SeverityName(a.severity));
  j.Set("cvss_vector", a.cvss_vector);
  j.Set("cvss_score", a.cvss_score);
  Json affected = Json::MakeArray();
  for (const Affected& af : a.affected) {
    Json o = Json::MakeObject();
    o.Set("ecosystem", af.ecosystem);
    o.Set("name", af.name);
    if (!af.purl.empty()) o.Set("purl", af.purl);
    Json ranges = Json::MakeArray();
    for (const Range& r : af.ranges) {
      Json ro = Json::MakeObject();
      ro.Set("type", kRangeTypes[static_cast<std::size_t>(r.type)]);
      Json events = Json::MakeArray();
      for (const RangeEvent& e : r.events) {
        Json eo = Json::MakeObject();
        eo.Set(kEventNames[static_cast<std::size_t>(e.kind)], e.version);
        events.Push(std::move(eo));
      }
      ro.Set("events", std::move(events));
      ranges.Push(std::move(ro));
    }
    o.Set("ranges", std::move(ranges));
    if (!af.versions.empty()) o.Set("versions", Json::StringArray(af.versions));
    if (!af.severity.empty()) o.Set("severity", af.severity);
    if (!af.status.empty()) o.Set("status", af.status);
    affected.Push(std::move(o));
  }
  j.Set("affected", std::move(affected));
  j.Set("references", Json::StringArray(a.references));
  j.Set("source", a.source);
  return j;
}

Result<Advisory> AdvisoryFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("advisory: expected a JSON object");
  Advisory a;
  const std::string p = "advisory";
  RAMPART_ASSIGN_OR_RETURN(a.id, Str(j, "id", p));
  if (a.id.empty()) return Bad(p + ".id", "expected a non-empty string");
  RAMPART_ASSIGN_OR_RETURN(a.aliases, Strings(j, "aliases", p));
  RAMPART_ASSIGN_OR_RETURN(a.summary, Str(j, "summary", p));
  RAMPART_ASSIGN_OR_RETURN(a.details, Str(j, "details", p));
  RAMPART_ASSIGN_OR_RETURN(a.published, Str(j, "published", p));
  RAMPART_ASSIGN_OR_RETURN(a.modified, Str(j, "modified", p));
  RAMPART_ASSIGN_OR_RETURN(a.withdrawn, Str(j, "withdrawn", p));
  RAMPART_ASSIGN_OR_RETURN(std::string severity, Str(j, "severity", p));
  if (!severity.empty() && severity != "unknown") {
    auto s = ParseSeverityWord(severity);
    if (!s) return Bad(p + ".severity", "expected unknown, low, medium, high or critical");
    a.severity = *s;
  }
  RAMPART_ASSIGN_OR_RETURN(a.cvss_vector, Str(j, "cvss_vector", p));
  if (const Json* score = j.Find("cvss_score"); score != nullptr && !score->is_null()) {
    if (!score->is_number()) return Bad(p + ".cvss_score", "expected a number");
    a.cvss_score = score->as_double();
  }
  if (const Json* affected = j.Find("affected"); affected != nullptr && !affected->is_null()) {
    if (!affected->is_array()) return Bad(p + ".affected", "expected an array");
    for (std::size_t i = 0; i < affected->size(); ++i) {
      RAMPART_ASSIGN_OR_RETURN(Affected af, AffectedFrom(affected->as_array()[i],
                                                         "affected[" + std::to_string(i) + "]"));
      a.affected.push_back(std::move(af));
    }
  }
  RAMPART_ASSIGN_OR_RETURN(a.references, Strings(j, "references", p));
  RAMPART_ASSIGN_OR_RETURN(a.source, Str(j, "source", p));
  return a;
}

}  // namespace rampart::agent::vuln
