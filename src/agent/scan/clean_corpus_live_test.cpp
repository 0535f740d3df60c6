// The shipped rules stay silent on this machine's /usr/share (documentation, scripts, PHP, Perl,
// Python and JavaScript that distributions ship) and on /etc: false positives there would bury
// real findings.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/scan/scanner.h"

namespace rampart::agent::scan {
namespace {

TEST(ShippedRulesLive, SilentOnUsrShareAndEtc) {
  std::vector<RuleDiagnostic> diags;
  auto rules = RuleSet::Compile(ShippedRuleSources(), "", &diags);
  ASSERT_TRUE(rules.ok());
  Scanner scanner(**rules, nullptr, nullptr);
  ScanOptions o;
  for (const char* p : {"/usr/share", "/etc"}) {
    if (std::filesystem::exists(p)) o.paths.emplace_back(p);
  }
  ASSERT_FALSE(o.paths.empty());
  o.max_file_size = std::uint64_t{64} << 20;
  auto report = scanner.Run(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GT(report->stats.files, 1000u);
  for (const Finding& f : report->findings) {
    ADD_FAILURE() << f.path << ": " << f.rules.front();
  }
}

}  // namespace
}  // namespace rampart::agent::scan
