#pragma once
// `rampart baseline`: evaluate baseline policies (shipped or custom YAML) on this host or a mounted
// root.

#include <cstdio>
#include <string>
#include <vector>

namespace rampart::cli {

struct BaselineArgs {
  std::vector<std::string> policies;  // names/ids of shipped policies, or policy files
  std::string root = "/";             // host root (a mounted image, a fixture)
  bool json = false;
  bool list = false;                      // list shipped policies and their check counts
  bool show_all = false;                  // tables: also list passing and not-applicable checks
  std::vector<std::string> dictionaries;  // extra weak-password lists, one password per line
  std::string policy_dir;                 // overrides the lookup of shipped policies
};

// The directory shipped policies are read from, first that exists: `policy_dir` when given,
// $RAMPART_POLICY_DIR, <exe>/../share/rampart/policies, <exe>/policies, the source tree's
// policies/ (a build directory's binary), /usr/local/share/rampart/policies,
// /usr/share/rampart/policies. "" when none exists.
std::string FindPolicyDir(const std::string& policy_dir);

// Prints a report per policy (failed and erroneous checks with evidence and the fix; --show-all
// lists every check) or, with --json, one document {"policies":[...],"results":[...]}. Returns 1
// when a check fails, 0 otherwise, 2 on usage errors and policy errors (each problem with file,
// line, check id).
int RunBaseline(const BaselineArgs& args, std::FILE* out, std::FILE* err);

}  // namespace rampart::cli
