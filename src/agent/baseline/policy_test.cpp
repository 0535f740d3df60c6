// The policy loader: every problem is reported with file, line, column, check id and a stable code,
// all of them at once; good policies compile into typed probes.
#include "agent/baseline/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::agent::baseline {
namespace {

using ::testing::HasSubstr;

std::vector<PolicyProblem> Problems(std::string_view yaml) {
  std::vector<PolicyProblem> problems;
  auto p = ParsePolicy(yaml, "test.yaml", &problems);
  EXPECT_FALSE(p.ok());
  return problems;
}

constexpr std::string_view kGood = R"(id: demo
name: Demo
checks:
  - id: demo-1
    title: root login disabled
    remediation: {advice: set PermitRootLogin no, command: "sed -i ... /etc/ssh/sshd_config"}
    level: high
    references: [CIS 5.2.7]
    applies_to: {file: {path: /etc/ssh/sshd_config}}
    check:
      all:
        - sshd: {key: PermitRootLogin, value: "no"}
        - none:
            - file_content: {path: /etc/ssh/sshd_config, match: "(?i)^permitrootlogin yes"}
)";

TEST(PolicyLoader, CompilesAGoodPolicy) {
  auto p = ParsePolicy(kGood, "good.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->checks.size(), 1u);
  const Check& c = p->checks[0];
  EXPECT_EQ(c.id, "demo-1");
  EXPECT_EQ(c.level, Level::kHigh);
  EXPECT_EQ(c.remediation_command, "sed -i ... /etc/ssh/sshd_config");
  EXPECT_EQ(c.line, 4);
  ASSERT_TRUE(c.applies_to.has_value());
  ASSERT_EQ(c.condition.kind, Node::Kind::kAll);
  ASSERT_EQ(c.condition.children.size(), 2u);
  const Probe& sshd = *c.condition.children[0].probe;
  EXPECT_EQ(sshd.kind, ProbeKind::kSshd);
  EXPECT_EQ(sshd.key, "permitrootlogin");
  EXPECT_TRUE(sshd.cmp->Holds("NO"));
  EXPECT_FALSE(sshd.cmp->Holds("yes"));
  const Probe& fc = *c.condition.children[1].children[0].probe;
  EXPECT_TRUE(std::regex_search("PermitRootLogin yes", *fc.pattern));  // (?i) compiled as icase
}

TEST(PolicyLoader, ReportsEveryProblemWithFileLineAndCheckId) {
  const auto problems = Problems(R"(id: demo
name: Demo
checks:
  - id: c-1
    title: t
    remediation: r
    level: severe
    check: {sysctl: {key: a.b, op: about, value: 1}}
  - id: c-2
    title: t
    remediation: r
    level: low
    check: {file: {path: relative/path, mode: 999}}
  - id: c-1
    title: t
    remediation: r
    level: low
    check: {fiel: {path: /x}}
)");
  ASSERT_GE(problems.size(), 5u);
  auto find = [&](std::string_view code, std::string_view id) -> const PolicyProblem* {
    for (const auto& p : problems) {
      if (p.code == code && p.check_id == id) return &p;
    }
    return nullptr;
  };
  const auto* level = find("bad_level", "c-1");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->line, 7);
  EXPECT_EQ(level->column, 12);
  EXPECT_EQ(level->ToString(),
            "test.yaml:7:12: check c-1: bad_level: level: 'severe' is not high, medium or low");
  const auto* op = find("bad_op", "c-1");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->line, 8);
  ASSERT_NE(find("bad_value", "c-2"), nullptr);  // relative path
  ASSERT_NE(find("bad_mode", "c-2"), nullptr);
  const auto* dup = find("duplicate_id", "c-1");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->line, 14);
  const auto* probe = find("bad_probe", "c-1");
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->line, 18);
  EXPECT_THAT(probe->message, HasSubstr("unknown condition 'fiel'"));
}

TEST(PolicyLoader, ReportsMissingFieldsAndUnknownKeys) {
  const auto problems = Problems(R"(id: demo
name: Demo
colour: blue
checks:
  - id: c-1
    check: {package: {name: telnetd, installed: maybe, colour: red}}
)");
  std::vector<std::string> codes;
  for (const auto& p : problems) codes.push_back(p.code + "@" + std::to_string(p.line));
  EXPECT_THAT(codes, ::testing::IsSupersetOf(
                         {"unknown_key@3", "bad_value@6", "unknown_key@6", "missing_key@5"}));
  // title, remediation and level are each reported missing
  int missing = 0;
  for (const auto& p : problems) missing += p.code == "missing_key" && p.check_id == "c-1";
  EXPECT_EQ(missing, 3);
}

TEST(PolicyLoader, RejectsBadRegexDurationAndCommandPath) {
  const auto problems = Problems(R"(id: demo
name: Demo
checks:
  - id: c-1
    title: t
    remediation: r
    level: low
    check:
      any:
        - file_content: {path: /etc/x, match: "([unclosed"}
        - command: {argv: [sh, -c, id], timeout: 10m, match: x}
)");
  std::vector<std::string> codes;
  for (const auto& p : problems) codes.push_back(p.code);
  EXPECT_THAT(codes, ::testing::IsSupersetOf({"bad_regex", "bad_duration", "bad_value"}));
  for (const auto& p : problems) {
    if (p.code == "bad_value") {
      EXPECT_THAT(p.message, HasSubstr("absolute path"));
    }
  }
}

TEST(PolicyLoader, ReportsYamlSyntaxWithPosition) {
  const auto problems = Problems("id: demo\nchecks: [\n  - id: x\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].code, "yaml_syntax");
  EXPECT_GT(problems[0].line, 1);
}

TEST(PolicyLoader, BoundsConditionDepth) {
  std::string deep =
      "id: d\nname: D\nchecks:\n  - id: c\n    title: t\n    remediation: r\n    level: low\n    "
      "check: ";
  for (int i = 0; i < 20; ++i) deep += "{all: [";
  deep += "{os: {id: debian}}";
  for (int i = 0; i < 20; ++i) deep += "]}";
  deep += "\n";
  const auto problems = Problems(deep);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].code, "bad_condition");
}

TEST(PolicyLoader, ComparisonsAreCaseInsensitiveAndNumeric) {
  Comparison c;
  c.op = Op::kIn;
  c.values = {"INFO", "VERBOSE"};
  EXPECT_TRUE(c.Holds("verbose"));
  EXPECT_FALSE(c.Holds("DEBUG3"));
  c.op = Op::kLe;
  c.number = 4;
  EXPECT_TRUE(c.Holds("4"));
  EXPECT_TRUE(c.Holds(" 3 "));
  EXPECT_FALSE(c.Holds("6"));
  EXPECT_FALSE(c.Holds("four"));
}

TEST(PolicyLoader, FixtureCopyIsRelativeToThePolicyFile) {
  const std::string head =
      "id: t\nname: T\nchecks:\n  - id: c\n    title: t\n    remediation: r\n"
      "    level: low\n    check: {package: {name: x}}\n    tests:\n      pass: ";
  auto p = ParsePolicy(head + "{/var/lib/rpm/rpmdb.sqlite: {copy: rpmdb/a.sqlite}}\n",
                       "/src/policies/t.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->checks[0].pass_fixtures.at(0).at(0).copy, "/src/policies/rpmdb/a.sqlite");
  for (const char* bad : {"/etc/shadow", "../secret", "a/../../b", "''"}) {
    std::vector<PolicyProblem> problems;
    auto q = ParsePolicy(head + "{/x: {copy: " + bad + "}}\n", "t.yaml", &problems);
    EXPECT_FALSE(q.ok()) << bad;
    ASSERT_FALSE(problems.empty()) << bad;
    EXPECT_EQ(problems[0].code, "bad_fixture") << bad;
  }
}

TEST(PolicyLoader, MissingFileIsNotFound) {
  auto p = LoadPolicyFile("/nonexistent/policy.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace rampart::agent::baseline
