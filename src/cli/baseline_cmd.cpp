#include "cli/baseline_cmd.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "agent/baseline/evaluator.h"
#include "agent/baseline/policy.h"
#include "common/json.h"
#include "common/strings.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using agent::baseline::CheckResult;
using agent::baseline::CheckStatus;
using agent::baseline::Policy;

bool IsDir(const std::string& p) {
  std::error_code ec;
  return !p.empty() && fs::is_directory(p, ec);
}

std::string ExeDir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  return fs::path(std::string(buf, static_cast<std::size_t>(n))).parent_path().string();
}

std::vector<std::string> PolicyFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml"))
      files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool LooksLikeFile(const std::string& s) {
  return s.find('/') != std::string::npos || EndsWith(s, ".yaml") || EndsWith(s, ".yml");
}

Result<Policy> Load(const std::string& path, std::FILE* err) {
  std::vector<agent::baseline::PolicyProblem> problems;
  auto p = agent::baseline::LoadPolicyFile(path, &problems);
  if (!p.ok()) {
    if (problems.empty()) {
      std::fprintf(err, "rampart baseline: %s\n", p.status().message().c_str());
    }
    for (const auto& pr : problems) std::fprintf(err, "%s\n", pr.ToString().c_str());
  }
  return p;
}

const char* Upper(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "PASS";
    case CheckStatus::kFail:
      return "FAIL";
    case CheckStatus::kNotApplicable:
      return "N/A ";
    case CheckStatus::kError:
      return "ERR ";
  }
  return "?";
}

}  // namespace

std::string FindPolicyDir(const std::string& policy_dir) {
  if (!policy_dir.empty()) return IsDir(policy_dir) ? policy_dir : "";
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RAMPART_POLICY_DIR")) candidates.emplace_back(env);
  const std::string exe = ExeDir();
  if (!exe.empty()) {
    candidates.push_back(exe + "/../share/rampart/policies");
    candidates.push_back(exe + "/policies");
  }
#ifdef RAMPART_SOURCE_POLICY_DIR
  candidates.emplace_back(RAMPART_SOURCE_POLICY_DIR);
#endif
  candidates.emplace_back("/usr/local/share/rampart/policies");
  candidates.emplace_back("/usr/share/rampart/policies");
  for (const auto& c : candidates) {
    if (IsDir(c)) return fs::weakly_canonical(c).string();
  }
  return "";
}

int RunBaseline(const BaselineArgs& args, std::FILE* out, std::FILE* err) {
  const std::string dir = FindPolicyDir(args.policy_dir);
  std::vector<std::string> shipped = dir.empty() ? std::vector<std::string>{} : PolicyFiles(dir);

  if (args.list) {
    if (dir.empty()) {
      std::fprintf(err, "rampart baseline: no policy directory found (see docs/baseline.md)\n");
      return 2;
    }
    Json rows = Json::MakeArray();
    int rc = 0;
    for (const auto& f : shipped) {
      auto p = Load(f, err);
      if (!p.ok()) {
        rc = 2;
        continue;
      }
      Json row = Json::MakeObject();
      row.Set("id", p->id);
      row.Set("name", p->name);
      row.Set("checks", static_cast<std::int64_t>(p->checks.size()));
      row.Set("file", f);
      rows.Push(std::move(row));
    }
    if (args.json) {
      Json doc = Json::MakeObject();
      doc.Set("policy_dir", dir);
      doc.Set("policies", std::move(rows));
      std::fprintf(out, "%s\n", doc.Dump().c_str());
    } else {
      std::fprintf(out, "policies in %s\n%-28s %6s  %s\n", dir.c_str(), "ID", "CHECKS", "NAME");
      for (const auto& r : rows.as_array()) {
        std::fprintf(out, "%-28s %6lld  %s\n", r.GetString("id").c_str(),
                     static_cast<long long>(r.GetInt("checks")), r.GetString("name").c_str());
      }
    }
    return rc;
  }

  // Which files to load.
  std::vector<std::string> files;
  if (args.policies.empty()) {
    if (shipped.empty()) {
      std::fprintf(err, "rampart baseline: no shipped policies found; use --policy FILE\n");
      return 2;
    }
    files = shipped;
  }
  std::map<std::string, std::string> by_name;  // stem or id -> file, filled lazily
  for (const auto& name : args.policies) {
    if (LooksLikeFile(name)) {
      files.push_back(name);
      continue;
    }
    if (by_name
            .empty()) {  // file stems first; ids need a parse, done once when a name is not a stem
      for (const auto& f : shipped) by_name[fs::path(f).stem().string()] = f;
    }
    if (!by_name.count(name)) {
      for (const auto& f : shipped) {
        if (auto p = agent::baseline::LoadPolicyFile(f); p.ok()) by_name[p->id] = f;
      }
    }
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      std::vector<std::string> names;
      for (const auto& [n, f] : by_name) names.push_back(n);
      std::fprintf(err, "rampart baseline: --policy %s: no such shipped policy (in %s: %s)\n",
                   name.c_str(), dir.empty() ? "-" : dir.c_str(), Join(names, ", ").c_str());
      return 2;
    }
    files.push_back(it->second);
  }
  std::vector<Policy> policies;
  bool bad = false;
  for (const auto& f : files) {
    auto p = Load(f, err);
    if (!p.ok()) {
      bad = true;
      continue;
    }
    policies.push_back(std::move(*p));
  }
  if (bad) return 2;

  auto host = args.root == "/" ? Result<HostView>(HostView()) : HostView::Open(args.root);
  if (!host.ok()) {
    std::fprintf(err, "rampart baseline: --root %s: %s\n", args.root.c_str(),
                 host.status().message().c_str());
    return 2;
  }
  agent::baseline::EvaluatorOptions options;
  for (const auto& d : args.dictionaries) {
    std::ifstream in(d, std::ios::binary);
    if (!in) {
      std::fprintf(err, "rampart baseline: --dictionary %s: cannot be read\n", d.c_str());
      return 2;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    options.dictionaries.push_back(agent::baseline::ParsePasswordList(text, "custom:" + d));
  }
  agent::baseline::Evaluator evaluator(*host, std::move(options));

  const auto start = std::chrono::steady_clock::now();
  Json jpolicies = Json::MakeArray();
  Json jresults = Json::MakeArray();
  bool any_fail = false;
  std::string text;
  std::size_t total = 0;
  for (const auto& policy : policies) {
    const CheckResult applies = evaluator.PolicyApplies(policy);
    std::vector<CheckStatus> statuses;
    std::vector<std::pair<const agent::baseline::Check*, CheckResult>> results;
    if (applies.status == CheckStatus::kPass) {
      for (const auto& check : policy.checks) {
        results.emplace_back(&check, evaluator.Evaluate(check));
        statuses.push_back(results.back().second.status);
      }
    }
    std::map<CheckStatus, int> counts;
    for (auto s : statuses) ++counts[s];
    total += statuses.size();
    const int score = agent::baseline::Score(statuses);
    Json jp = Json::MakeObject();
    jp.Set("id", policy.id);
    jp.Set("name", policy.name);
    jp.Set("applies", applies.status == CheckStatus::kPass);
    jp.Set("score", applies.status == CheckStatus::kPass ? Json(score) : Json(nullptr));
    jp.Set("checks", static_cast<std::int64_t>(policy.checks.size()));
    jp.Set("passed", counts[CheckStatus::kPass]);
    jp.Set("failed", counts[CheckStatus::kFail]);
    jp.Set("not_applicable", counts[CheckStatus::kNotApplicable]);
    jp.Set("errors", counts[CheckStatus::kError]);
    if (applies.status != CheckStatus::kPass) jp.Set("reason", applies.evidence);
    jpolicies.Push(std::move(jp));
    if (applies.status != CheckStatus::kPass) {
      text += "== " + policy.id + " (" + policy.name + "): skipped, " + applies.evidence + "\n\n";
      continue;
    }
    text += "== " + policy.id + " (" + policy.name + "): score " + std::to_string(score) +
            "%  pass " + std::to_string(counts[CheckStatus::kPass]) + ", fail " +
            std::to_string(counts[CheckStatus::kFail]) + ", n/a " +
            std::to_string(counts[CheckStatus::kNotApplicable]) + ", error " +
            std::to_string(counts[CheckStatus::kError]) + "\n";
    for (const auto& [check, r] : results) {
      any_fail = any_fail || r.status == CheckStatus::kFail;
      Json jr = Json::MakeObject();
      jr.Set("policy", policy.id);
      jr.Set("id", check->id);
      jr.Set("title", check->title);
      jr.Set("level", agent::baseline::LevelName(check->level));
      jr.Set("status", agent::baseline::CheckStatusName(r.status));
      jr.Set("evidence", r.evidence);
      Json rem = Json::MakeObject();
      rem.Set("advice", check->remediation);
      rem.Set("command", check->remediation_command.empty() ? Json(nullptr)
                                                            : Json(check->remediation_command));
      jr.Set("remediation", std::move(rem));
      jr.Set("references", Json::StringArray(check->references));
      jresults.Push(std::move(jr));
      const bool show =
          args.show_all || r.status == CheckStatus::kFail || r.status == CheckStatus::kError;
      if (!show) continue;
      text += std::string(Upper(r.status)) + "  " + agent::baseline::LevelName(check->level) +
              std::string(7 - std::string(agent::baseline::LevelName(check->level)).size(), ' ') +
              check->id + "  " + check->title + "\n";
      text += "      found: " + Printable(r.evidence) + "\n";
      if (r.status == CheckStatus::kFail) {
        text += "      fix:   " + check->remediation + "\n";
        if (!check->remediation_command.empty()) {
          text += "      run:   " + check->remediation_command + "\n";
        }
      }
    }
    text += "\n";
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (args.json) {
    Json doc = Json::MakeObject();
    doc.Set("policies", std::move(jpolicies));
    doc.Set("results", std::move(jresults));
    std::fprintf(out, "%s\n", doc.Dump().c_str());
  } else {
    std::fputs(text.c_str(), out);
    std::fprintf(out, "%zu checks evaluated in %.0f ms\n", total, ms);
  }
  return any_fail ? 1 : 0;
}

}  // namespace rampart::cli
