// The rule loader: defaults, the shipped file, and every validation problem with its line and code.
#include "agent/detectors/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Problems(std::string_view yaml) {
  std::vector<RuleProblem> problems;
  auto r = ParseRules(yaml, "t.yaml", &problems);
  EXPECT_FALSE(r.ok());
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(std::to_string(p.line) + " " + p.code);
  return out;
}

TEST(Rules, DefaultsHoldTheDocumentedRules) {
  const DetectionRules& d = DefaultRules();
  ASSERT_EQ(d.brute_force.size(), 3u);
  EXPECT_EQ(d.brute_force[0].name, "brute_force");
  EXPECT_EQ(d.brute_force[0].scope, RuleScope::kSource);
  EXPECT_EQ(d.brute_force[0].window_seconds, 60);
  EXPECT_EQ(d.brute_force[0].failures, 5u);
  EXPECT_EQ(d.brute_force[0].level, AlertLevel::kMedium);
  EXPECT_EQ(d.brute_force[1].window_seconds, 600);
  EXPECT_EQ(d.brute_force[1].failures, 30u);
  EXPECT_EQ(d.brute_force[1].level, AlertLevel::kHigh);
  EXPECT_EQ(d.brute_force[2].scope, RuleScope::kAccount);
  EXPECT_EQ(d.brute_force[2].failures, 20u);
  EXPECT_EQ(d.brute_force[2].min_sources, 5u);
  EXPECT_TRUE(d.invalid_user_scan.enabled);
  EXPECT_EQ(d.invalid_user_scan.distinct_users, 5u);
  EXPECT_EQ(d.abnormal_login.learning_seconds, 7 * 86400);
  EXPECT_EQ(d.abnormal_login.hour_tolerance, 1);
  EXPECT_TRUE(d.whitelist.networks.empty());
}

TEST(Rules, ShippedFileEqualsEmbeddedDefaults) {
  const std::string path = std::string(RAMPART_SOURCE_DIR) + "/rules/login.yaml";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), DefaultRulesYaml()) << "rules/login.yaml and rules_default.cpp differ";
  auto loaded = LoadRulesFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(*loaded, DefaultRules());
}

TEST(Rules, AbsentSectionsKeepTheirDefaults) {
  auto r = ParseRules("whitelist:\n  sources: [10.0.0.0/8]\n", "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->brute_force, DefaultRules().brute_force);
  EXPECT_EQ(r->whitelist.networks.size(), 1u);
}

TEST(Rules, PartialSectionKeepsOtherFields) {
  auto r = ParseRules("invalid_user_scan:\n  distinct_users: 3\n", "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->invalid_user_scan.distinct_users, 3u);
  EXPECT_EQ(r->invalid_user_scan.window_seconds, 600);
}

TEST(Rules, CustomRulesAreAppended) {
  auto r = ParseRules(
      "custom:\n"
      "  - {name: slow, window: 1h, failures: 50, level: high}\n"
      "  - {name: acct, scope: account, window: 1d, failures: 100, sources: 10}\n",
      "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->brute_force.size(), 5u);
  EXPECT_EQ(r->brute_force[3].name, "slow");
  EXPECT_TRUE(r->brute_force[3].custom);
  EXPECT_EQ(r->brute_force[3].window_seconds, 3600);
  EXPECT_EQ(r->brute_force[4].scope, RuleScope::kAccount);
  EXPECT_EQ(r->brute_force[4].min_sources, 10u);
  EXPECT_EQ(r->brute_force[4].level, AlertLevel::kMedium);  // the default level
}

TEST(Rules, ReportsEveryProblemWithItsLine) {
  const char* yaml =
      "version: 2\n"                                                    // 1
      "brute_force:\n"                                                  // 2
      "  - name: Bad Name\n"                                            // 3
      "    window: 5x\n"                                                // 4
      "    failures: -1\n"                                              // 5
      "    level: severe\n"                                             // 6
      "    scope: host\n"                                               // 7
      "    colour: red\n"                                               // 8
      "  - name: ok\n"                                                  // 9
      "    window: 1m\n"                                                // 10
      "    failures: 5\n"                                               // 11
      "    sources: 3\n"                                                // 12
      "  - name: ok\n"                                                  // 13
      "    failures: 5\n"                                               // 14
      "invalid_user_scan:\n"                                            // 15
      "  enabled: maybe\n"                                              // 16
      "  distinct_users: 0\n"                                           // 17
      "abnormal_login:\n"                                               // 18
      "  learning_period: forever\n"                                    // 19
      "  hour_tolerance: 13\n"                                          // 20
      "whitelist:\n"                                                    // 21
      "  sources: [10.0.0.0/33, 300.1.1.1, 'bad host!', ok.example]\n"  // 22
      "  users: ['a b']\n"                                              // 23
      "extra: 1\n";                                                     // 24
  EXPECT_THAT(Problems(yaml),
              ElementsAre("1 bad_version", "3 bad_name", "4 bad_duration", "5 bad_count",
                          "6 bad_level", "7 bad_scope", "8 unknown_key", "12 key_not_for_scope",
                          "13 duplicate_name", "13 missing_key", "16 bad_bool", "17 bad_count",
                          "19 bad_duration", "20 bad_count", "22 bad_source", "22 bad_source",
                          "22 bad_source", "23 bad_user", "24 unknown_key"));
}

TEST(Rules, ProblemMessageNamesFileLineAndCode) {
  std::vector<RuleProblem> problems;
  auto r =
      ParseRules("brute_force:\n  - {name: x, window: 1m, failures: many}\n", "my.yaml", &problems);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].file, "my.yaml");
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[0].code, "bad_count");
  EXPECT_THAT(r.error().message(), ::testing::StartsWith("my.yaml:2:"));
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("'many'"));
}

TEST(Rules, SyntaxErrorHasItsLine) {
  EXPECT_THAT(Problems("version: 1\nbrute_force: [\n  {name: x\n"), ElementsAre("4 yaml_syntax"));
}

TEST(Rules, WrongShapesAreReported) {
  EXPECT_THAT(Problems("- a\n- b\n"), ElementsAre("1 not_a_map"));
  EXPECT_THAT(Problems("brute_force: {name: x}\n"), ElementsAre("1 not_a_list"));
  EXPECT_THAT(Problems("brute_force:\n  - just a string\n"), ElementsAre("2 not_a_map"));
  EXPECT_THAT(Problems("whitelist: [a]\n"), ElementsAre("1 not_a_map"));
  EXPECT_THAT(Problems("brute_force:\n  - {name: [a], window: 1m, failures: 3}\n"),
              ElementsAre("2 not_a_scalar"));
}

TEST(Rules, MoreThanFiveCustomRulesIsAnError) {
  std::string yaml = "custom:\n";
  for (int i = 0; i < 6; ++i) {
    yaml += "  - {name: c" + std::to_string(i) + ", window: 1m, failures: 5}\n";
  }
  EXPECT_THAT(Problems(yaml), ElementsAre("2 too_many_custom"));
}

TEST(Rules, TooManyRulesIsAnError) {
  std::string yaml = "brute_force:\n";
  for (int i = 0; i < 11; ++i) {
    yaml += "  - {name: r" + std::to_string(i) + ", window: 1m, failures: 5}\n";
  }
  EXPECT_THAT(Problems(yaml), ElementsAre("2 too_many_rules"));
}

TEST(Rules, MissingFileIsNotFound) {
  auto r = LoadRulesFile("/nonexistent/rules.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("/nonexistent/rules.yaml"));
}

TEST(Rules, ParsesDurations) {
  EXPECT_EQ(ParseDuration("30s"), 30);
  EXPECT_EQ(ParseDuration("5m"), 300);
  EXPECT_EQ(ParseDuration("1h"), 3600);
  EXPECT_EQ(ParseDuration("7d"), 7 * 86400);
  EXPECT_EQ(ParseDuration("0m"), std::nullopt);
  EXPECT_EQ(ParseDuration("m"), std::nullopt);
  EXPECT_EQ(ParseDuration("5"), std::nullopt);
  EXPECT_EQ(ParseDuration("-5m"), std::nullopt);
}

TEST(Rules, WhitelistMatchesCidrsMappedAddressesHostsAndUsers) {
  auto r = ParseRules(
      "whitelist:\n  sources: [192.0.2.0/24, '2001:db8::/32', 198.51.100.7, jump.example]\n"
      "  users: [backup]\n",
      "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Whitelist& w = r->whitelist;
  EXPECT_TRUE(w.SourceListed("192.0.2.200"));
  EXPECT_TRUE(w.SourceListed("::ffff:192.0.2.1"));
  EXPECT_FALSE(w.SourceListed("192.0.3.1"));
  EXPECT_TRUE(w.SourceListed("2001:db8:ffff::1"));
  EXPECT_FALSE(w.SourceListed("2001:db9::1"));
  EXPECT_TRUE(w.SourceListed("198.51.100.7"));
  EXPECT_FALSE(w.SourceListed("198.51.100.8"));
  EXPECT_TRUE(w.SourceListed("jump.example"));
  EXPECT_FALSE(w.SourceListed("evil.example"));
  EXPECT_FALSE(w.SourceListed(""));
  EXPECT_TRUE(w.UserListed("backup"));
  EXPECT_FALSE(w.UserListed("root"));
}

}  // namespace
}  // namespace rampart::agent
