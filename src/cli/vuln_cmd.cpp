#include "cli/vuln_cmd.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>

#include "agent/collectors/host.h"
#include "agent/collectors/software_apk.h"
#include "agent/collectors/software_dpkg.h"
#include "agent/collectors/software_lang.h"
#include "agent/collectors/software_rpm.h"
#include "agent/vuln/cvss.h"
#include "agent/vuln/feed.h"
#include "agent/vuln/matcher.h"
#include "agent/vuln/runtime_usage.h"
#include "cli/table.h"
#include "common/host_view.h"
#include "common/json.h"

namespace rampart::cli {
namespace {

using agent::vuln::Severity;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kNoFeedHelp =
    "rampart vuln: no advisory feed given; pass one or more --feed PATH:\n"
    "  OSV feeds: https://osv-vulnerabilities.storage.googleapis.com/<ECOSYSTEM>/all.zip\n"
    "    (ECOSYSTEM: Debian, Ubuntu, Alpine, Rocky%20Linux, AlmaLinux, PyPI, npm, Maven, Go, "
    "crates.io)\n"
    "  Debian Security Tracker: https://security-tracker.debian.org/tracker/data/json\n"
    "  A directory is searched for .json and .zip files.\n";

// Per-feed warnings printed on stderr before "... and N more".
constexpr std::size_t kMaxWarningsPerFeed = 20;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<agent::SoftwarePackage> ReadAllPackages(const HostView& host) {
  std::vector<agent::SoftwarePackage> all;
  auto add = [&all](std::vector<agent::SoftwarePackage> v) {
    for (auto& p : v) all.push_back(std::move(p));
  };
  add(agent::ReadDpkgPackages(host));
  add(agent::ReadRpmPackages(host));
  add(agent::ReadApkPackages(host));
  add(agent::ReadPythonPackages(host));
  add(agent::ReadNpmPackages(host));
  return all;
}

constexpr std::array<agent::Field, 7> kColumns = {{
    {"severity", agent::FieldType::kString, false, true},
    {"id", agent::FieldType::kString, false, true},
    {"package", agent::FieldType::kString, false, true},
    {"installed", agent::FieldType::kString, false, true},
    {"fixed", agent::FieldType::kString, false, true},
    {"fix", agent::FieldType::kString, false, true},
    {"labels", agent::FieldType::kString, false, true},
}};

std::string RenderFindings(const std::vector<agent::vuln::Finding>& findings) {
  Json rows = Json::MakeArray();
  for (const auto& f : findings) {
    Json r = Json::MakeObject();
    r.Set("severity", agent::vuln::SeverityName(f.severity));
    r.Set("id", f.id);
    r.Set("package", f.package);
    r.Set("installed", f.installed_version);
    r.Set("fixed", f.fixed_version.empty() ? "(" + f.status + ")" : f.fixed_version);
    r.Set("fix", f.fix.empty() ? "-" : f.fix);
    r.Set("labels", f.labels.empty() ? Json("-") : Json::StringArray(f.labels));
    rows.Push(std::move(r));
  }
  return RenderTable(rows, kColumns, 120);
}

}  // namespace

int RunVuln(const VulnArgs& args, std::FILE* out, std::FILE* err) {
  const auto start = Clock::now();
  if (args.feeds.empty()) {
    std::fputs(std::string(kNoFeedHelp).c_str(), err);
    return 2;
  }
  agent::vuln::MatchOptions options;
  options.include_unimportant = args.include_unimportant;
  options.include_os_managed_python = args.include_os_python;
  if (!args.min_severity.empty()) {
    const auto s = agent::vuln::ParseSeverityWord(args.min_severity);
    if (!s) {
      std::fprintf(err,
                   "rampart vuln: --min-severity: '%s' is not one of low, medium, high, critical\n",
                   args.min_severity.c_str());
      return 2;
    }
    options.min_severity = *s;
  }
  auto host = HostView::Open(args.root);
  if (!host) {
    std::fprintf(err, "rampart vuln: --root: %s\n", host.error().message().c_str());
    return 2;
  }

  agent::vuln::AdvisorySet set;
  std::size_t records = 0;
  std::size_t skipped = 0;
  Json feed_errors = Json::MakeArray();
  for (const std::string& path : args.feeds) {
    auto report = agent::vuln::LoadFeed(path, set);
    if (!report) {
      std::fprintf(err, "rampart vuln: --feed %s: %s\n", path.c_str(),
                   report.error().message().c_str());
      return 2;
    }
    records += report->records;
    skipped += report->skipped;
    std::size_t shown = 0;
    for (const auto& e : report->errors) {
      if (shown++ < kMaxWarningsPerFeed) {
        std::fprintf(err, "rampart vuln: warning: %s: %s: %s (record skipped)\n", e.source.c_str(),
                     e.id.empty() ? "(no id)" : e.id.c_str(), e.reason.c_str());
      }
      Json j = Json::MakeObject();
      j.Set("feed", path);
      j.Set("source", e.source);
      j.Set("id", e.id);
      j.Set("reason", e.reason);
      feed_errors.Push(std::move(j));
    }
    if (report->skipped > kMaxWarningsPerFeed) {
      std::fprintf(err, "rampart vuln: warning: %s: %zu records skipped in all\n", path.c_str(),
                   report->skipped);
    }
  }
  const double load_seconds = Seconds(start);

  const auto index_start = Clock::now();
  const auto active = set.Active();
  const auto index = agent::vuln::AdvisoryIndex::Build(active);
  const double index_seconds = Seconds(index_start);

  const auto match_start = Clock::now();
  agent::vuln::MatchTarget target;
  target.os = agent::vuln::OsTargetFor(agent::ReadOsInfo(*host));
  target.kernel_release = agent::ReadKernelRelease(*host);
  target.packages = ReadAllPackages(*host);
  agent::vuln::MatchStats mstats;
  auto findings = agent::vuln::MatchHost(index, target, options, &mstats);
  const double match_seconds = Seconds(match_start);

  // NEED_RESTART / REMOTE: which findings' packages running processes use. Only read when there is
  // something to label; an image root without /proc yields no usage and no labels.
  const auto runtime_start = Clock::now();
  agent::vuln::RuntimeUsage usage;
  if (!findings.empty()) usage = agent::vuln::ReadRuntimeUsage(*host);
  agent::vuln::ApplyRuntimeLabels(findings, usage);
  const double runtime_seconds = Seconds(runtime_start);

  if (args.json) {
    Json doc = Json::MakeObject();
    Json list = Json::MakeArray();
    for (const auto& f : findings) list.Push(agent::vuln::FindingToJson(f));
    doc.Set("findings", std::move(list));
    Json stats = Json::MakeObject();
    stats.Set("packages", mstats.packages);
    stats.Set("advisories", active.size());
    stats.Set("seconds", Seconds(start));
    stats.Set("load_seconds", load_seconds);
    stats.Set("index_seconds", index_seconds);
    stats.Set("match_seconds", match_seconds);
    stats.Set("feed_records", records);
    stats.Set("feed_skipped", skipped);
    stats.Set("os_ecosystem", target.os ? target.os->ecosystem : "");
    stats.Set("kernel_release", target.kernel_release);
    stats.Set("skipped_os_managed", mstats.skipped_os_managed);
    stats.Set("invalid_versions", mstats.invalid_versions);
    stats.Set("invalid_ranges", index.stats().invalid_ranges);
    stats.Set("runtime_available", usage.available);
    stats.Set("runtime_processes", usage.processes_scanned);
    stats.Set("runtime_seconds", runtime_seconds);
    doc.Set("stats", std::move(stats));
    doc.Set("feed_errors", std::move(feed_errors));
    std::fputs((doc.Dump(2) + "\n").c_str(), out);
  } else {
    std::string text;
    if (!target.os) {
      text += "note: no OSV ecosystem for this OS; only language packages were matched\n";
    }
    if (findings.empty()) {
      text += "No known vulnerabilities";
    } else {
      text += RenderFindings(findings);
      std::array<std::size_t, 5> by{};
      for (const auto& f : findings) ++by[static_cast<std::size_t>(f.severity)];
      text += "\n" + std::to_string(findings.size()) + " findings (" + std::to_string(by[4]) +
              " critical, " + std::to_string(by[3]) + " high, " + std::to_string(by[2]) +
              " medium, " + std::to_string(by[1]) + " low, " + std::to_string(by[0]) + " unknown)";
    }
    char tail[160];
    std::snprintf(tail, sizeof tail,
                  " in %zu packages (%s) against %zu advisories; matched in %.1f ms\n",
                  mstats.packages, target.os ? target.os->ecosystem.c_str() : "unknown OS",
                  active.size(), match_seconds * 1000);
    text += tail;
    std::fputs(text.c_str(), out);
  }
  return findings.empty() ? 0 : 1;
}

}  // namespace rampart::cli
