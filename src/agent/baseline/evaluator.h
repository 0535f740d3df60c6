#pragma once
// Evaluates baseline checks on a host (this machine, or a mounted root / fixture read through
// HostView). Every probe reads files only through the HostView (symlinks resolve inside the root);
// commands run only on a live host, only from root-owned paths no one else can write, and are
// killed after their timeout. Host facts (packages, units, passwd, sysctl configuration, ...) are
// read once per Evaluator and shared by all checks. Not thread-safe; one Evaluator per thread.

#include <memory>
#include <string>
#include <vector>

#include "agent/baseline/policy.h"
#include "agent/baseline/weak_password.h"
#include "common/host_view.h"

namespace rampart::agent::baseline {

enum class CheckStatus { kPass, kFail, kNotApplicable, kError };
const char* CheckStatusName(CheckStatus s);  // "pass", "fail", "not_applicable", "error"

struct CheckResult {
  CheckStatus status = CheckStatus::kError;
  std::string evidence;  // the values found, with file:line where known
};

struct EvaluatorOptions {
  // Extra dictionaries for weak_passwords, tried after the built-in list.
  std::vector<PasswordList> dictionaries;
  // false: command probes answer not_applicable (e.g. inside tests or a no-exec policy).
  bool allow_commands = true;
};

class HostFacts;

class Evaluator {
 public:
  Evaluator(const HostView& host, EvaluatorOptions options = {});
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // A policy's own applies_to: pass (applies), not_applicable (with why), or error.
  CheckResult PolicyApplies(const Policy& policy);
  // One check: its applies_to, then its condition.
  CheckResult Evaluate(const Check& check);

 private:
  std::unique_ptr<HostFacts> facts_;
};

// Percentage of pass among pass + fail (not_applicable and error do not count); 100 when none.
int Score(const std::vector<CheckStatus>& statuses);

}  // namespace rampart::agent::baseline
