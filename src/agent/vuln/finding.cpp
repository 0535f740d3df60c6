#include "agent/vuln/finding.h"

#include <array>

namespace rampart::agent::vuln {

int IdPreference(std::string_view id) {
  static constexpr std::array<std::string_view, 11> kOrder = {
      "DSA-",     "DLA-",  "DTSA-", "GHSA-", "PYSEC-", "GO-",
      "RUSTSEC-", "RHSA-", "RLSA-", "ALSA-", "ALBA-"};
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (id.substr(0, kOrder[i].size()) == kOrder[i]) return static_cast<int>(i);
  }
  if (id.substr(0, 4) == "CVE-") return static_cast<int>(kOrder.size()) + 1;
  return static_cast<int>(kOrder.size());
}

Json FindingToJson(const Finding& f) {
  Json j = Json::MakeObject();
  j.Set("id", f.id);
  // Contract (docs/vuln.md): "aliases" are the other ids of the same finding; "ids" lists them all.
  std::vector<std::string> aliases;
  for (const auto& id : f.ids) {
    if (id != f.id) aliases.push_back(id);
  }
  j.Set("aliases", Json::StringArray(aliases));
  j.Set("ids", Json::StringArray(f.ids));
  j.Set("package", f.package);
  j.Set("binaries", Json::StringArray(f.binaries));
  j.Set("paths", Json::StringArray(f.paths));
  j.Set("type", f.type);
  j.Set("installed_version", f.installed_version);
  j.Set("fixed_version", f.fixed_version);
  j.Set("severity", SeverityName(f.severity));
  j.Set("score", f.cvss_score);
  j.Set("summary", f.summary);
  j.Set("ecosystem", f.ecosystem);
  j.Set("status", f.status);
  j.Set("fix_command", f.fix);
  j.Set("references", Json::StringArray(f.references));
  j.Set("labels", Json::StringArray(f.labels));
  j.Set("sources", Json::StringArray(f.sources));
  if (!f.processes.empty()) {
    Json procs = Json::MakeArray();
    for (const auto& p : f.processes) {
      Json o = Json::MakeObject();
      o.Set("pid", p.pid);
      o.Set("name", p.name);
      o.Set("listening", p.listening);
      o.Set("deleted", p.deleted);
      procs.Push(std::move(o));
    }
    j.Set("processes", std::move(procs));
  }
  return j;
}

}  // namespace rampart::agent::vuln
