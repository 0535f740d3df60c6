#include "cli/scan_cmd.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>

#include "agent/collectors/web_roots.h"
#include "agent/scan/hash_intel.h"
#include "agent/scan/result_cache.h"
#include "agent/scan/scanner.h"
#include "agent/scan/vault.h"
#include "agent/scan/watcher.h"
#include "agent/scan/yara_rules.h"
#include "common/clock.h"
#include "common/host_view.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::cli {
namespace {

namespace sc = agent::scan;

constexpr const char* kExtraRulesDir = "/etc/rampart/rules/malware";

std::atomic<bool> g_stop{false};

bool Exists(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

// The quick-scan places of this host: the roots of the web sites its web servers serve (the
// web_sites fingerprint, collected now), the usual web roots, temp, cron, systemd and autostart
// places (agent/collectors/web_roots.h).
std::vector<std::string> QuickPaths() { return agent::QuickScanPlaces(HostView()); }

// Lower CPU and I/O priority for background-style scans (--quick, --full).
void BeBackground() {
  if (::setpriority(PRIO_PROCESS, 0, 10) != 0) log::Debug("scan: setpriority failed");
  constexpr int kIoprioClassBestEffort = 2;
  constexpr int kIoprioWhoProcess = 1;
  const long prio = (kIoprioClassBestEffort << 13) | 7;
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, prio) != 0) {
    log::Debug("scan: ioprio_set failed");
  }
}

std::string Mb(std::uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

void PrintProgress(std::FILE* err, const sc::ScanProgress& p) {
  const double rate = p.seconds > 0 ? static_cast<double>(p.bytes) / p.seconds : 0;
  std::string eta = "?";
  if (p.walk_done && rate > 0 && p.bytes_found >= p.bytes) {
    const auto s = static_cast<long>(static_cast<double>(p.bytes_found - p.bytes) / rate);
    eta = fmt::format("{}:{:02}", s / 60, s % 60);
  }
  std::fprintf(err, "\r\033[K%llu files, %s, %.1f MB/s, ETA %s",
               static_cast<unsigned long long>(p.files), Mb(p.bytes).c_str(), rate / 1e6,
               eta.c_str());
  std::fflush(err);
}

Json FindingJson(const sc::Finding& f, const std::string& quarantine_id) {
  Json j = Json::MakeObject();
  j["path"] = f.path;
  j["sha256"] = f.sha256;
  if (!f.md5.empty()) j["md5"] = f.md5;
  j["size"] = static_cast<std::int64_t>(f.size);
  j["rules"] = Json::StringArray(f.rules);
  j["severity"] = f.severity;
  j["family"] = f.family;
  j["description"] = f.description;
  if (!quarantine_id.empty()) j["quarantine_id"] = quarantine_id;
  return j;
}

struct Loaded {
  std::unique_ptr<sc::RuleSet> rules;
  std::vector<sc::RuleDiagnostic> diagnostics;
};

Result<Loaded> LoadRules(const ScanArgs& args, const std::string& cache_dir) {
  std::vector<sc::RuleSource> sources;
  auto add_path = [&](const std::string& p) -> Status {
    RAMPART_ASSIGN_OR_RETURN(auto more, sc::ReadRuleSources(p));
    for (auto& s : more) sources.push_back(std::move(s));
    return Status::Ok();
  };
  if (!args.rules.empty()) {
    for (const std::string& p : args.rules)
      RAMPART_RETURN_IF_ERROR(add_path(p).WithContext("--rules"));
  } else {
    sources = sc::ShippedRuleSources();
    if (Exists(kExtraRulesDir)) {
      if (Status s = add_path(kExtraRulesDir); !s.ok()) {
        log::Warn("scan: extra rules {}: {}", kExtraRulesDir, s.ToString());
      }
    }
    for (const std::string& p : args.add_rules) {
      RAMPART_RETURN_IF_ERROR(add_path(p).WithContext("--add-rules"));
    }
  }
  Loaded out;
  auto set = sc::RuleSet::Compile(sources, cache_dir, &out.diagnostics);
  if (!set.ok()) return set.error();
  out.rules = std::move(*set);
  return out;
}

void OnSignal(int) { g_stop.store(true); }

int RunWatch(const ScanArgs& args, sc::Scanner& scanner, std::uint64_t max_size, sc::Vault* vault,
             std::FILE* out, std::FILE* err) {
  // Watches are on directories; --quick also lists single files (crontab, rc.local), whose
  // directories are not all worth watching.
  std::vector<std::string> dirs;
  for (const std::string& p : args.paths) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      dirs.push_back(p);
    } else {
      std::fprintf(err, "rampart scan --watch: %s is not a directory; not watched\n", p.c_str());
    }
  }
  auto watcher = sc::Watcher::Start(dirs);
  if (!watcher.ok()) {
    std::fprintf(err, "rampart scan --watch: %s\n", watcher.error().ToString().c_str());
    return 2;
  }
  std::fprintf(err, "rampart scan: watching %zu director%s with %s; Ctrl-C stops\n", dirs.size(),
               dirs.size() == 1 ? "y" : "ies", (*watcher)->backend_name());
  struct sigaction sa {};
  sa.sa_handler = &OnSignal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  int found = 0;
  while (!g_stop.load()) {
    auto paths = (*watcher)->Poll(200);
    if (!paths.ok()) {
      std::fprintf(err, "rampart scan --watch: %s\n", paths.error().ToString().c_str());
      return 2;
    }
    for (const std::string& p : *paths) {
      auto f = scanner.ScanFile(p, max_size);
      if (!f.ok()) {
        log::Debug("watch: {}: {}", p, f.error().ToString());
        continue;
      }
      if (!f->has_value()) continue;
      ++found;
      const sc::Finding& finding = **f;
      std::string qid;
      if (vault != nullptr) {
        auto item = vault->Quarantine(finding.path, finding.rules, finding.severity, finding.family,
                                      args.kill);
        if (item.ok()) {
          qid = item->id;
        } else {
          std::fprintf(err, "rampart scan: quarantine %s: %s\n", finding.path.c_str(),
                       item.error().ToString().c_str());
        }
      }
      if (args.json) {
        std::fprintf(out, "%s\n", FindingJson(finding, qid).Dump().c_str());
      } else {
        std::fprintf(out, "%s  %s  %s%s\n", finding.severity.c_str(),
                     Join(finding.rules, ",").c_str(), finding.path.c_str(),
                     qid.empty() ? "" : (" (quarantined " + qid + ")").c_str());
      }
      std::fflush(out);
    }
  }
  return found > 0 ? 1 : 0;
}

}  // namespace

std::string DefaultDataDir() {
  if (::geteuid() == 0) return "/var/lib/rampart/agent";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && x[0] == '/') {
    return std::string(x) + "/rampart";
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && h[0] == '/') {
    return std::string(h) + "/.cache/rampart";
  }
  return "/tmp/rampart-" + std::to_string(::geteuid());
}

int RunScan(const ScanArgs& args_in, std::FILE* out, std::FILE* err) {
  ScanArgs args = args_in;
  if (args.quick && args.full) {
    std::fprintf(err, "rampart scan: --quick and --full exclude each other\n");
    return 2;
  }
  if (args.quick) {
    for (std::string& p : QuickPaths()) args.paths.push_back(std::move(p));
  } else if (args.full) {
    args.paths.push_back("/");
    if (Exists("/dev/shm")) args.paths.push_back("/dev/shm");
  }
  if (args.paths.empty()) {
    std::fprintf(err, "rampart scan: give PATH..., --quick or --full\n");
    return 2;
  }
  auto max_size = sc::ParseSize(args.max_file_size);
  if (!max_size.ok()) {
    std::fprintf(err, "rampart scan: --max-file-size: %s\n", max_size.error().message().c_str());
    return 2;
  }
  double timeout = 0;
  if (!args.timeout.empty()) {
    auto t = ParseDurationSeconds(args.timeout);
    if (!t || *t <= 0) {
      std::fprintf(err, "rampart scan: --timeout: expected a duration such as 90s, 30m, 2h\n");
      return 2;
    }
    timeout = static_cast<double>(*t);
  }
  if (args.cpu_limit < 0 || args.cpu_limit > 3200) {
    std::fprintf(err, "rampart scan: --cpu-limit: expected 1..3200 (%% of one CPU)\n");
    return 2;
  }
  const std::string data_dir = args.data_dir.empty() ? DefaultDataDir() : args.data_dir;
  const std::string cache_dir = args.no_cache ? std::string() : data_dir + "/scan";

  sc::HashIntel intel;
  for (const std::string& p : args.blocklists) {
    if (Status s = intel.LoadBlocklist(p); !s.ok()) {
      std::fprintf(err, "rampart scan: --blocklist: %s\n", s.message().c_str());
      return 2;
    }
  }
  for (const std::string& p : args.allowlists) {
    if (Status s = intel.LoadAllowlist(p); !s.ok()) {
      std::fprintf(err, "rampart scan: --allowlist: %s\n", s.message().c_str());
      return 2;
    }
  }
  auto loaded = LoadRules(args, cache_dir);
  if (!loaded.ok()) {
    std::fprintf(err, "rampart scan: %s\n", loaded.error().message().c_str());
    // Say why no file compiled.
    return 2;
  }
  for (const auto& d : loaded->diagnostics) {
    std::fprintf(err, "rampart scan: %s\n", d.ToString().c_str());
  }
  const sc::RuleSet& rules = *loaded->rules;

  std::optional<sc::Vault> vault;
  if (args.quarantine) {
    auto v = sc::Vault::Open(data_dir + "/quarantine");
    if (!v.ok()) {
      std::fprintf(err, "rampart scan: quarantine vault: %s\n", v.error().ToString().c_str());
      return 2;
    }
    vault.emplace(std::move(*v));
  }

  sc::ResultCache cache(cache_dir, rules.content_hash());
  if (!cache_dir.empty()) cache.Load();
  sc::Scanner scanner(rules, &intel, cache_dir.empty() ? nullptr : &cache);
  if (args.quick || args.full) BeBackground();

  if (args.watch) {
    const int rc = RunWatch(args, scanner, *max_size, vault ? &*vault : nullptr, out, err);
    if (!cache_dir.empty()) (void)cache.Save();
    return rc;
  }

  sc::ScanOptions opts;
  opts.paths = args.paths;
  opts.max_file_size = *max_size;
  // Our own data dir holds compiled rules (the rules' strings in clear) and the vault.
  if (char* real = ::realpath(data_dir.c_str(), nullptr)) {
    opts.exclude_dirs.emplace_back(real);
    std::free(real);
  }
  opts.threads = args.threads;
  opts.timeout_seconds = timeout;
  opts.cpu_percent = args.cpu_limit;
  const bool tty = ::isatty(::fileno(err)) != 0;
  if (tty) opts.on_progress = [err](const sc::ScanProgress& p) { PrintProgress(err, p); };
  auto report = scanner.Run(opts);
  if (tty) std::fprintf(err, "\r\033[K");
  if (!report.ok()) {
    std::fprintf(err, "rampart scan: %s\n", report.error().ToString().c_str());
    return 2;
  }
  if (!cache_dir.empty()) {
    if (Status s = cache.Save(); !s.ok()) log::Warn("scan cache: {}", s.ToString());
  }
  for (const std::string& e : report->errors) log::Info("scan: {}", e);

  std::vector<std::string> qids(report->findings.size());
  if (vault) {
    for (std::size_t i = 0; i < report->findings.size(); ++i) {
      const sc::Finding& f = report->findings[i];
      auto item = vault->Quarantine(f.path, f.rules, f.severity, f.family, args.kill);
      if (item.ok()) {
        qids[i] = item->id;
      } else {
        std::fprintf(err, "rampart scan: quarantine %s: %s\n", f.path.c_str(),
                     item.error().ToString().c_str());
      }
    }
  }

  const sc::ScanStats& st = report->stats;
  if (args.json) {
    Json doc = Json::MakeObject();
    Json list = Json::MakeArray();
    for (std::size_t i = 0; i < report->findings.size(); ++i) {
      list.Push(FindingJson(report->findings[i], qids[i]));
    }
    doc["findings"] = std::move(list);
    Json stats = Json::MakeObject();
    stats["files"] = static_cast<std::int64_t>(st.files);
    stats["bytes"] = static_cast<std::int64_t>(st.bytes);
    stats["seconds"] = st.seconds;
    stats["bytes_read"] = static_cast<std::int64_t>(st.bytes_read);
    stats["cached"] = static_cast<std::int64_t>(st.cached);
    stats["skipped"] = static_cast<std::int64_t>(st.skipped);
    stats["errors"] = static_cast<std::int64_t>(st.errors);
    stats["timed_out"] = st.timed_out;
    stats["rules"] = static_cast<std::int64_t>(rules.rules().size());
    doc["stats"] = std::move(stats);
    Json diags = Json::MakeArray();
    for (const auto& d : loaded->diagnostics) diags.Push(d.ToString());
    doc["rule_errors"] = std::move(diags);
    std::fprintf(out, "%s\n", doc.Dump(2).c_str());
  } else {
    for (std::size_t i = 0; i < report->findings.size(); ++i) {
      const sc::Finding& f = report->findings[i];
      std::fprintf(out, "%-8s %-40s %s%s\n", f.severity.c_str(), Join(f.rules, ",").c_str(),
                   f.path.c_str(),
                   qids[i].empty() ? "" : ("  [quarantined " + qids[i] + "]").c_str());
    }
    std::fprintf(out,
                 "%zu finding(s); %llu files, %s in %.2f s (%llu from cache, %llu skipped, "
                 "%llu errors)%s\n",
                 report->findings.size(), static_cast<unsigned long long>(st.files),
                 Mb(st.bytes).c_str(), st.seconds, static_cast<unsigned long long>(st.cached),
                 static_cast<unsigned long long>(st.skipped),
                 static_cast<unsigned long long>(st.errors),
                 st.timed_out ? "; stopped at --timeout" : "");
  }
  return report->findings.empty() ? 0 : 1;
}

int RunQuarantine(const QuarantineArgs& args, std::FILE* out, std::FILE* err) {
  const std::string data_dir = args.data_dir.empty() ? DefaultDataDir() : args.data_dir;
  auto vault = sc::Vault::Open(data_dir + "/quarantine");
  if (!vault.ok()) {
    std::fprintf(err, "rampart quarantine: %s\n", vault.error().ToString().c_str());
    return 2;
  }
  switch (args.action) {
    case QuarantineArgs::Action::kList: {
      auto items = vault->List();
      if (!items.ok()) {
        std::fprintf(err, "rampart quarantine: %s\n", items.error().ToString().c_str());
        return 2;
      }
      if (args.json) {
        Json list = Json::MakeArray();
        for (const auto& it : *items) {
          Json j = Json::MakeObject();
          j["id"] = it.id;
          j["original_path"] = it.original_path;
          j["sha256"] = it.sha256;
          j["size"] = static_cast<std::int64_t>(it.size);
          j["quarantined_at"] = FormatIso8601(it.quarantined_at);
          j["rules"] = Json::StringArray(it.rules);
          j["severity"] = it.severity;
          j["family"] = it.family;
          j["uid"] = static_cast<std::int64_t>(it.uid);
          j["gid"] = static_cast<std::int64_t>(it.gid);
          j["mode"] = fmt::format("{:04o}", it.mode);
          list.Push(std::move(j));
        }
        Json doc = Json::MakeObject();
        doc["items"] = std::move(list);
        std::fprintf(out, "%s\n", doc.Dump(2).c_str());
      } else {
        std::fprintf(out, "%-18s  %-20s  %-8s  %s\n", "ID", "QUARANTINED", "SEVERITY", "PATH");
        for (const auto& it : *items) {
          std::fprintf(out, "%-18s  %-20s  %-8s  %s  (%s)\n", it.id.c_str(),
                       FormatIso8601(it.quarantined_at).c_str(), it.severity.c_str(),
                       it.original_path.c_str(), Join(it.rules, ",").c_str());
        }
      }
      return 0;
    }
    case QuarantineArgs::Action::kRestore: {
      auto item = vault->Get(args.id);
      Status s = item.ok() ? vault->Restore(args.id, args.force) : item.error();
      if (!s.ok()) {
        std::fprintf(err, "rampart quarantine restore: %s\n", s.message().c_str());
        return 2;
      }
      std::fprintf(out, "restored %s to %s\n", args.id.c_str(), item->original_path.c_str());
      return 0;
    }
    case QuarantineArgs::Action::kDelete: {
      if (Status s = vault->Delete(args.id); !s.ok()) {
        std::fprintf(err, "rampart quarantine delete: %s\n", s.message().c_str());
        return 2;
      }
      std::fprintf(out, "deleted %s\n", args.id.c_str());
      return 0;
    }
  }
  return 2;
}

std::vector<std::string> QuickScanPaths() { return QuickPaths(); }

}  // namespace rampart::cli
