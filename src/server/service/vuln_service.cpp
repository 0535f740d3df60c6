#include "server/service/vuln_service.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unordered_set>
#include <utility>

#include "agent/vuln/advisory_json.h"
#include "agent/vuln/osv.h"
#include "common/logging.h"

namespace rampart::server {
namespace {

using agent::vuln::Advisory;
using SteadyClock = std::chrono::steady_clock;

// Room for the installed versions of several copies of a package (the column holds 255 bytes).
constexpr std::size_t kMaxVersionText = 240;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// "%020lld.%09d" of the RFC 3339 time, so the database compares `modified` as text; "" when the
// record has no parsable time (then any copy replaces it, as AdvisorySet does on ties).
std::string ModifiedKey(const std::string& modified) {
  auto t = agent::vuln::ParseTimestamp(modified);
  if (!t) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%020lld.%09d", static_cast<long long>(t->seconds), t->nanos);
  return buf;
}

agent::SoftwarePackage PackageFromRow(const Json& row) {
  agent::SoftwarePackage p;
  p.type = row.GetString("type");
  p.name = row.GetString("name");
  p.version = row.GetString("version");
  p.source_name = row.GetString("source_name");
  p.source_version = row.GetString("source_version");
  p.arch = row.GetString("arch");
  p.path = row.GetString("path");
  p.status = row.GetString("status");
  p.normalized_name = row.GetString("normalized_name");
  if (const Json* epoch = row.Find("epoch"); epoch != nullptr && epoch->is_int()) {
    p.epoch = epoch->as_int();
  }
  return p;
}

// Every row of one category of one host, all pages.
Result<std::vector<Json>> HostRows(Storage& storage, std::string_view tenant_id,
                                   std::string_view host_id, std::string_view category) {
  FingerprintQuery query;
  query.category = std::string(category);
  query.host_id = std::string(host_id);
  query.page.limit = 500;
  std::vector<Json> rows;
  for (;;) {
    RAMPART_ASSIGN_OR_RETURN(Page<FingerprintRow> page,
                             storage.QueryFingerprints(tenant_id, query));
    for (FingerprintRow& row : page.items) rows.push_back(std::move(row.data));
    if (page.next_cursor.empty()) break;
    query.page.cursor = std::move(page.next_cursor);
  }
  return rows;
}

}  // namespace

Result<FeedImportReport> ImportFeed(Storage& storage, const std::string& path, std::int64_t now) {
  FeedImportReport report;
  const auto read_start = SteadyClock::now();
  agent::vuln::AdvisorySet set;
  RAMPART_ASSIGN_OR_RETURN(agent::vuln::FeedLoadReport loaded, agent::vuln::LoadFeed(path, set));
  std::vector<StoredAdvisory> records;
  records.reserve(set.size());
  for (const Advisory* a : set.All()) {
    if (a->id.size() > 128) {
      report.errors.push_back({a->source, a->id.substr(0, 128), "id longer than 128 bytes"});
      ++loaded.skipped;
      continue;
    }
    records.push_back(StoredAdvisory{a->id, ModifiedKey(a->modified), !a->withdrawn.empty(),
                                     agent::vuln::AdvisoryToJson(*a).Dump()});
  }
  report.read_seconds = SecondsSince(read_start);
  FeedImport import;
  std::filesystem::path p(path);
  import.name = p.filename().empty() ? p.parent_path().filename().string() : p.filename().string();
  if (import.name.empty()) import.name = path;
  import.records = static_cast<std::int64_t>(records.size());
  import.skipped = static_cast<std::int64_t>(loaded.skipped);
  import.imported_at = now;
  const auto store_start = SteadyClock::now();
  RAMPART_ASSIGN_OR_RETURN(report.stored, storage.ImportAdvisories(import, records));
  RAMPART_RETURN_IF_ERROR(storage.MarkHostsForRematch("", {}, now));
  report.store_seconds = SecondsSince(store_start);
  for (auto& e : loaded.errors) report.errors.push_back(std::move(e));
  report.releases_skipped = loaded.releases_skipped;
  return report;
}

Result<agent::vuln::MatchTarget> LoadMatchTarget(Storage& storage, std::string_view tenant_id,
                                                 std::string_view host_id) {
  RAMPART_ASSIGN_OR_RETURN(Host host, storage.GetHost(tenant_id, host_id));
  agent::vuln::MatchTarget target;
  RAMPART_ASSIGN_OR_RETURN(std::vector<Json> host_rows,
                           HostRows(storage, tenant_id, host_id, "host"));
  agent::OsInfo os;
  os.name = host.os_name;
  os.version = host.os_version;
  if (!host_rows.empty()) {
    const Json& row = host_rows.front();
    os.id = row.GetString("os_id");
    os.pretty_name = row.GetString("os_pretty_name");
    if (!row.GetString("os_version").empty()) os.version = row.GetString("os_version");
    target.kernel_release = row.GetString("kernel");
  }
  target.os = agent::vuln::OsTargetFor(os);
  RAMPART_ASSIGN_OR_RETURN(std::vector<Json> software,
                           HostRows(storage, tenant_id, host_id, "software"));
  target.packages.reserve(software.size());
  for (const Json& row : software) target.packages.push_back(PackageFromRow(row));
  return target;
}

std::vector<HostFinding> ToHostFindings(const std::vector<agent::vuln::Finding>& findings) {
  std::vector<HostFinding> out;
  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  for (const agent::vuln::Finding& f : findings) {
    // Column widths: an id or package name no advisory could carry is left out rather than
    // failing the whole host; versions are cut.
    if (f.id.size() > 128 || f.package.size() > 255) continue;
    auto [it, added] = seen.emplace(std::make_pair(f.id, f.package), out.size());
    if (!added) {
      // Another copy of the package (a language package in several environments): one finding
      // listing every vulnerable version and path, open while any copy is vulnerable.
      HostFinding& first = out[it->second];
      Json paths =
          first.detail.Find("paths") != nullptr ? *first.detail.Find("paths") : Json::MakeArray();
      for (const std::string& path : f.paths) paths.Push(path);
      first.detail.Set("paths", std::move(paths));
      Json versions = *first.detail.Find("installed_versions");
      bool known = false;
      for (const Json& v : versions.as_array())
        known = known || v.as_string() == f.installed_version;
      if (!known) {
        versions.Push(f.installed_version);
        if (first.installed_version.size() + f.installed_version.size() + 2 <= kMaxVersionText) {
          first.installed_version += ", " + f.installed_version;
        } else if (first.installed_version.find("...") == std::string::npos) {
          first.installed_version += ", ...";
        }
      }
      first.detail.Set("installed_versions", std::move(versions));
      continue;
    }
    HostFinding h;
    h.vuln_id = f.id;
    h.package = f.package;
    h.ids = f.ids;
    h.installed_version = f.installed_version.substr(0, 255);
    h.fixed_version = f.fixed_version.substr(0, 255);
    h.severity = std::string(agent::vuln::SeverityName(f.severity));
    h.score = f.cvss_score;
    h.summary = f.summary;
    h.fix_command = f.fix;
    h.detail = agent::vuln::FindingToJson(f);
    h.detail.Set("installed_versions", Json::StringArray({f.installed_version}));
    out.push_back(std::move(h));
  }
  return out;
}

struct VulnService::Snapshot {
  std::int64_t generation = 0;
  agent::vuln::AdvisorySet set;
  agent::vuln::AdvisoryIndex index;
  std::unordered_set<std::string> active_ids;  // ids of active advisories
};

VulnService::VulnService(Storage& storage, const Clock& clock)
    : storage_(storage), clock_(clock), snapshot_(std::make_shared<Snapshot>()) {}

std::shared_ptr<const VulnService::Snapshot> VulnService::Current() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::int64_t VulnService::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
}

std::int64_t VulnService::generation() const { return Current()->generation; }

std::size_t VulnService::advisory_count() const { return Current()->active_ids.size(); }

Status VulnService::Refresh() {
  std::lock_guard refresh(refresh_mu_);
  RAMPART_ASSIGN_OR_RETURN(std::int64_t generation, storage_.FeedGeneration());
  if (generation == Current()->generation) return Status::Ok();
  const auto start = SteadyClock::now();
  RAMPART_ASSIGN_OR_RETURN(std::vector<StoredAdvisory> stored, storage_.LoadAdvisories());
  auto next = std::make_shared<Snapshot>();
  next->generation = generation;
  std::size_t bad = 0;
  for (const StoredAdvisory& s : stored) {
    auto json = Json::Parse(s.data);
    Result<Advisory> a =
        json.ok() ? agent::vuln::AdvisoryFromJson(*json) : Result<Advisory>(json.status());
    if (!a.ok()) {
      if (bad++ < 10) log::Warn("vuln: stored advisory {}: {}", s.id, a.status().ToString());
      continue;
    }
    next->set.Add(std::move(*a));
  }
  const auto active = next->set.Active();
  for (const Advisory* a : active) next->active_ids.insert(a->id);
  next->index = agent::vuln::AdvisoryIndex::Build(active);
  log::Info("vuln: feed generation {}: {} active advisories indexed in {:.2f} s{}", generation,
            active.size(), SecondsSince(start),
            bad > 0 ? " (" + std::to_string(bad) + " unreadable)" : std::string());
  std::lock_guard lock(mu_);
  snapshot_ = std::move(next);
  return Status::Ok();
}

Result<RematchResult> VulnService::RematchHost(std::string_view tenant_id,
                                               std::string_view host_id) {
  auto snapshot = Current();
  RAMPART_ASSIGN_OR_RETURN(agent::vuln::MatchTarget target,
                           LoadMatchTarget(storage_, tenant_id, host_id));
  if (target.packages.empty()) return RematchResult{};  // no inventory yet: nothing to judge
  const auto findings = agent::vuln::MatchHost(snapshot->index, target);
  auto still_advised = [&snapshot](const std::string& id) {
    return snapshot->active_ids.count(id) > 0;
  };
  return storage_.ReplaceHostFindings(tenant_id, host_id, ToHostFindings(findings), still_advised,
                                      Now());
}

Result<VulnService::ScanSummary> VulnService::RematchTenant(std::string_view tenant_id) {
  const auto start = SteadyClock::now();
  RAMPART_RETURN_IF_ERROR(Refresh());
  ScanSummary summary;
  HostQuery query;
  query.page.limit = 500;
  for (;;) {
    RAMPART_ASSIGN_OR_RETURN(Page<Host> page, storage_.ListHosts(tenant_id, query));
    for (const Host& host : page.items) {
      if (host.status == HostStatus::kUninstalled) continue;
      ++summary.hosts;
      auto r = RematchHost(tenant_id, host.id);
      if (!r.ok()) {
        ++summary.failed;
        log::Warn("vuln: rematch of host {}: {}", host.id, r.status().ToString());
        continue;
      }
      summary.totals.detected += r->detected;
      summary.totals.new_findings += r->new_findings;
      summary.totals.fixed += r->fixed;
      summary.totals.removed += r->removed;
    }
    if (page.next_cursor.empty()) break;
    query.page.cursor = page.next_cursor;
  }
  summary.seconds = SecondsSince(start);
  return summary;
}

Result<std::int64_t> VulnService::DrainQueue(int max_hosts) {
  RAMPART_ASSIGN_OR_RETURN(auto queued, storage_.QueuedRematches(max_hosts));
  // No feed was ever imported: nothing can match and no finding exists, so inventory uploads cost
  // the database nothing more than dequeuing.
  const bool no_feeds = Current()->generation == 0;
  std::int64_t done = 0;
  for (const auto& [host_id, mark] : queued) {
    if (no_feeds) {
      RAMPART_RETURN_IF_ERROR(storage_.FinishRematch(host_id, mark));
      ++done;
      continue;
    }
    auto host = storage_.GetHostById(host_id);
    Status status = host.ok() ? RematchHost(host->tenant_id, host_id).status() : host.status();
    if (!status.ok() && status.code() != Code::kNotFound &&
        status.code() != Code::kInvalidArgument) {
      log::Warn("vuln: rematch of host {}: {} (kept queued)", host_id, status.ToString());
      continue;
    }
    if (!status.ok()) log::Warn("vuln: rematch of host {}: {}", host_id, status.ToString());
    RAMPART_RETURN_IF_ERROR(storage_.FinishRematch(host_id, mark));
    ++done;
  }
  return done;
}

Result<std::int64_t> VulnService::QueueScheduledScans() {
  RAMPART_ASSIGN_OR_RETURN(std::vector<Tenant> tenants, storage_.ListTenants());
  const std::int64_t now = Now();
  std::int64_t queued = 0;
  for (const Tenant& tenant : tenants) {
    RAMPART_ASSIGN_OR_RETURN(TenantSettings settings, storage_.GetSettings(tenant.id));
    std::int64_t hours = 24;
    if (const Json* v = settings.settings.Find("vulnerabilities"); v != nullptr) {
      if (const Json* h = v->Find("scan_interval_hours"); h != nullptr && h->is_int()) {
        hours = h->as_int();
      }
    }
    if (hours <= 0) continue;
    RAMPART_ASSIGN_OR_RETURN(bool due, storage_.ClaimScheduledScan(tenant.id, hours * 3600, now));
    if (!due) continue;
    RAMPART_RETURN_IF_ERROR(storage_.MarkHostsForRematch(tenant.id, {}, now));
    ++queued;
  }
  return queued;
}

}  // namespace rampart::server
