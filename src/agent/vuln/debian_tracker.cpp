#include "agent/vuln/debian_tracker.h"

#include <algorithm>
#include <array>
#include <map>

#include "agent/vuln/cvss.h"

namespace rampart::agent::vuln {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kReleases = {{
    {"buzz", "1.1"},    {"rex", "1.2"},     {"bo", "1.3"},    {"hamm", "2.0"},  {"slink", "2.1"},
    {"potato", "2.2"},  {"woody", "3.0"},   {"sarge", "3.1"}, {"etch", "4"},    {"lenny", "5"},
    {"squeeze", "6"},   {"wheezy", "7"},    {"jessie", "8"},  {"stretch", "9"}, {"buster", "10"},
    {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"},  {"duke", "15"},
}};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t SkipSpace(std::string_view t, std::size_t pos) {
  while (pos < t.size() && IsSpace(t[pos])) ++pos;
  return pos;
}

Status SplitError(std::size_t pos, std::string_view what) {
  return InvalidArgument("byte " + std::to_string(pos) + ": " + std::string(what));
}

// Returns the position just past the closing quote of the string starting at `pos` (a '"').
Result<std::size_t> SkipString(std::string_view t, std::size_t pos) {
  for (std::size_t i = pos + 1; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return SplitError(pos, "unterminated string");
}

// Returns the position just past the value starting at `pos`.
Result<std::size_t> SkipValue(std::string_view t, std::size_t pos) {
  if (pos >= t.size()) return SplitError(pos, "expected a value");
  if (t[pos] == '"') return SkipString(t, pos);
  if (t[pos] != '{' && t[pos] != '[') {
    while (pos < t.size() && t[pos] != ',' && t[pos] != '}' && t[pos] != ']' && !IsSpace(t[pos])) {
      ++pos;
    }
    return pos;
  }
  std::vector<char> stack;
  for (std::size_t i = pos; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '"') {
      RAMPART_ASSIGN_OR_RETURN(std::size_t end, SkipString(t, i));
      i = end - 1;
    } else if (c == '{' || c == '[') {
      stack.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (stack.empty() || stack.back() != c) return SplitError(i, "mismatched bracket");
      stack.pop_back();
      if (stack.empty()) return i + 1;
    }
  }
  return SplitError(pos, "unterminated object or array");
}

struct Mapped {
  Severity severity = Severity::kUnknown;
  std::string urgency;  // trailing '*' stripped
};

Mapped MapUrgency(std::string_view urgency) {
  while (!urgency.empty() && urgency.back() == '*') urgency.remove_suffix(1);
  Mapped m;
  m.urgency = std::string(urgency);
  if (urgency == "high" || urgency == "medium" || urgency == "low" || urgency == "unimportant") {
    m.severity = ParseSeverityWord(urgency).value_or(Severity::kUnknown);
  }
  return m;
}

Result<std::string> StringMember(const Json& obj, std::string_view key, const std::string& path,
                                 bool required) {
  const std::string where = path.empty() ? std::string(key) : path + "." + std::string(key);
  const Json* j = obj.Find(key);
  if (j == nullptr || j->is_null()) {
    if (required) return InvalidArgument(where + ": required string is missing");
    return std::string();
  }
  if (!j->is_string()) return InvalidArgument(where + ": expected a string");
  return j->as_string();
}

// One release of one (package, issue) entry -> an Affected, or nullopt when not affected / skipped.
Result<std::optional<Affected>> ParseRelease(std::string_view package, const std::string& codename,
                                             const Json& rel, std::size_t& releases_skipped) {
  const std::string path = "releases." + codename;
  if (!rel.is_object()) return InvalidArgument(path + ": expected an object");
  RAMPART_ASSIGN_OR_RETURN(std::string status, StringMember(rel, "status", path, true));
  RAMPART_ASSIGN_OR_RETURN(std::string fixed, StringMember(rel, "fixed_version", path, false));
  RAMPART_ASSIGN_OR_RETURN(std::string urgency, StringMember(rel, "urgency", path, false));
  RAMPART_ASSIGN_OR_RETURN(std::string nodsa, StringMember(rel, "nodsa", path, false));
  RAMPART_ASSIGN_OR_RETURN(std::string nodsa_reason,
                           StringMember(rel, "nodsa_reason", path, false));
  if (const Json* repos = rel.Find("repositories"); repos && !repos->is_object()) {
    return InvalidArgument(path + ".repositories: expected an object");
  }
  const bool resolved = status == "resolved";
  if (!resolved && status != "open" && status != "undetermined") {
    return InvalidArgument(path + ".status: '" + status +
                           "' is not one of resolved, open, undetermined");
  }
  if (resolved && fixed.empty()) {
    return InvalidArgument(path + ".fixed_version: required when status is resolved");
  }
  const std::optional<std::string_view> number = DebianReleaseNumber(codename);
  if (!number) {
    ++releases_skipped;
    return std::optional<Affected>();
  }
  if (resolved && fixed == "0") return std::optional<Affected>();  // never affected in this release
  const Mapped urg = MapUrgency(urgency);
  Affected a;
  a.ecosystem = "Debian:" + std::string(*number);
  a.name = std::string(package);
  a.purl = "pkg:deb/debian/" + a.name + "?arch=source&distro=" + codename;
  Range range;
  range.events.push_back({RangeEvent::Kind::kIntroduced, "0"});
  if (resolved) {
    range.events.push_back({RangeEvent::Kind::kFixed, fixed});
  } else if (urg.urgency == "unimportant") {
    a.status = "unimportant";
  } else if (!nodsa.empty() || !nodsa_reason.empty()) {
    a.status = "no-dsa";
  } else if (urg.urgency == "end-of-life") {
    a.status = "end-of-life";
  } else {
    a.status = status;
  }
  a.ranges.push_back(std::move(range));
  if (urg.severity != Severity::kUnknown) a.severity = std::string(SeverityName(urg.severity));
  return std::optional<Affected>(std::move(a));
}

struct EntryResult {
  std::string description;
  std::int64_t debianbug = 0;
  std::vector<Affected> affected;
};

Result<EntryResult> ParseEntry(std::string_view package, const Json& entry,
                               std::size_t& releases_skipped) {
  if (!entry.is_object()) return InvalidArgument("expected an object");
  EntryResult out;
  RAMPART_ASSIGN_OR_RETURN(out.description, StringMember(entry, "description", "", false));
  RAMPART_ASSIGN_OR_RETURN(std::string scope, StringMember(entry, "scope", "", false));
  if (const Json* bug = entry.Find("debianbug"); bug && !bug->is_null()) {
    if (!bug->is_int()) return InvalidArgument("debianbug: expected an integer");
    out.debianbug = bug->as_int();
  }
  const Json* releases = entry.Find("releases");
  if (releases == nullptr || !releases->is_object()) {
    return InvalidArgument("releases: required object is missing");
  }
  std::size_t skipped = 0;
  for (const auto& [codename, rel] : releases->as_object()) {
    RAMPART_ASSIGN_OR_RETURN(std::optional<Affected> a,
                             ParseRelease(package, codename, rel, skipped));
    if (a) out.affected.push_back(std::move(*a));
  }
  releases_skipped += skipped;
  return out;
}

void Merge(std::string_view package, const std::string& issue, EntryResult entry,
           const std::string& source, std::map<std::string, std::size_t, std::less<>>& index,
           std::vector<Advisory>& out) {
  if (entry.affected.empty()) return;
  auto it = index.find(issue);
  if (it == index.end()) {
    Advisory a;
    a.id = issue;
    a.source = source + ":" + std::string(package) + "/" + issue;
    a.references.push_back("https://security-tracker.debian.org/tracker/" + issue);
    it = index.emplace(issue, out.size()).first;
    out.push_back(std::move(a));
  }
  Advisory& a = out[it->second];
  if (a.summary.empty()) a.summary = entry.description;
  if (entry.debianbug > 0) {
    std::string bug = "https://bugs.debian.org/" + std::to_string(entry.debianbug);
    if (std::find(a.references.begin(), a.references.end(), bug) == a.references.end()) {
      a.references.push_back(std::move(bug));
    }
  }
  for (Affected& aff : entry.affected) {
    if (auto s = ParseSeverityWord(aff.severity); s && *s > a.severity) a.severity = *s;
    a.affected.push_back(std::move(aff));
  }
}

}  // namespace

std::optional<std::string_view> DebianReleaseNumber(std::string_view codename) {
  for (const auto& [name, number] : kReleases) {
    if (name == codename) return number;
  }
  return std::nullopt;
}

Result<std::vector<JsonMemberText>> SplitJsonObjectMembers(std::string_view t) {
  std::vector<JsonMemberText> members;
  std::size_t pos = SkipSpace(t, 0);
  if (pos >= t.size() || t[pos] != '{') return SplitError(pos, "expected '{'");
  pos = SkipSpace(t, pos + 1);
  if (pos < t.size() && t[pos] == '}') {
    pos = SkipSpace(t, pos + 1);
    if (pos != t.size()) return SplitError(pos, "unexpected text after the object");
    return members;
  }
  while (true) {
    if (pos >= t.size() || t[pos] != '"') return SplitError(pos, "expected a member name");
    RAMPART_ASSIGN_OR_RETURN(std::size_t key_end, SkipString(t, pos));
    auto key = Json::Parse(t.substr(pos, key_end - pos));
    if (!key.ok() || !key->is_string()) return SplitError(pos, "invalid member name");
    pos = SkipSpace(t, key_end);
    if (pos >= t.size() || t[pos] != ':') return SplitError(pos, "expected ':'");
    pos = SkipSpace(t, pos + 1);
    RAMPART_ASSIGN_OR_RETURN(std::size_t value_end, SkipValue(t, pos));
    members.emplace_back(key->as_string(), t.substr(pos, value_end - pos));
    pos = SkipSpace(t, value_end);
    if (pos < t.size() && t[pos] == ',') {
      pos = SkipSpace(t, pos + 1);
      continue;
    }
    if (pos < t.size() && t[pos] == '}') break;
    return SplitError(pos, "expected ',' or '}'");
  }
  pos = SkipSpace(t, pos + 1);
  if (pos != t.size()) return SplitError(pos, "unexpected text after the object");
  return members;
}

bool LooksLikeDebianTracker(const std::vector<JsonMemberText>& members) {
  for (const auto& [key, value] : members) {
    if (key == "id" || key == "vulns" || key == "modified" || key == "schema_version") return false;
  }
  for (const auto& [key, value] : members) {
    auto issues = SplitJsonObjectMembers(value);
    if (!issues.ok()) return false;
    if (issues->empty()) continue;
    auto first = Json::Parse(issues->front().second);
    return first.ok() && first->is_object() && first->Find("releases") != nullptr;
  }
  return false;
}

TrackerParseResult ParseDebianTrackerMembers(const std::vector<JsonMemberText>& members,
                                             std::string_view source) {
  TrackerParseResult result;
  std::map<std::string, std::size_t, std::less<>> index;
  const std::string src(source);
  for (const auto& [package, text] : members) {
    auto issues = Json::Parse(text);
    if (!issues.ok() || !issues->is_object()) {
      ++result.entries;
      ++result.rejected;
      result.errors.push_back(
          {src + ":" + package, "",
           issues.ok() ? "expected an object of issues" : issues.error().message()});
      continue;
    }
    for (auto& [issue, entry] : issues->as_object()) {
      ++result.entries;
      auto parsed = issue.empty() ? Result<EntryResult>(InvalidArgument("empty issue id"))
                                  : ParseEntry(package, entry, result.releases_skipped);
      if (!parsed.ok()) {
        ++result.rejected;
        result.errors.push_back(
            {src + ":" + package + "/" + issue, issue, parsed.error().message()});
        continue;
      }
      Merge(package, issue, std::move(*parsed), src, index, result.advisories);
    }
  }
  return result;
}

Result<TrackerParseResult> ParseDebianTracker(std::string_view text, std::string_view source) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<JsonMemberText> members, SplitJsonObjectMembers(text));
  return ParseDebianTrackerMembers(members, source);
}

}  // namespace rampart::agent::vuln
