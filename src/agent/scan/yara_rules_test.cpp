#include "agent/scan/yara_rules.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "agent/scan/scan_test_samples.h"

namespace rampart::agent::scan {
namespace {

std::unique_ptr<RuleSet> Shipped() {
  std::vector<RuleDiagnostic> diags;
  auto set = RuleSet::Compile(ShippedRuleSources(), "", &diags);
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  for (const auto& d : diags) ADD_FAILURE() << d.ToString();
  return std::move(*set);
}

std::vector<std::string> Matches(const RuleSet& set, const std::string& text) {
  auto scanner = set.NewScanner(10);
  EXPECT_TRUE(scanner.ok());
  auto hits = (*scanner)->Scan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  EXPECT_TRUE(hits.ok()) << hits.status().ToString();
  std::vector<std::string> names;
  for (std::uint32_t i : *hits) names.push_back(set.rules()[i].name);
  return names;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rampart-yara-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ShippedRules, CompileWithoutDiagnosticsAndCarryMetadata) {
  auto set = Shipped();
  ASSERT_GE(set->rules().size(), 20u);
  const std::set<std::string> severities = {"low", "medium", "high", "critical"};
  for (const RuleInfo& r : set->rules()) {
    EXPECT_FALSE(r.description.empty()) << r.name;
    EXPECT_TRUE(severities.count(r.severity)) << r.name << ": " << r.severity;
    EXPECT_FALSE(r.family.empty()) << r.name;
  }
}

TEST(ShippedRules, EachRuleFiresOnItsSample) {
  auto set = Shipped();
  std::set<std::string> covered;
  for (const auto& sample : testing::RuleSamples()) {
    const auto names = Matches(*set, sample.text);
    EXPECT_NE(std::find(names.begin(), names.end(), sample.rule), names.end())
        << sample.rule << " did not fire on " << sample.name;
    covered.insert(sample.rule);
  }
  for (const RuleInfo& r : set->rules()) {
    EXPECT_TRUE(covered.count(r.name)) << "shipped rule without a sample: " << r.name;
  }
}

TEST(ShippedRules, SilentOnAWordPressLikeTree) {
  auto set = Shipped();
  for (const auto& [name, text] : testing::CleanWebTree()) {
    EXPECT_TRUE(Matches(*set, text).empty()) << name;
  }
}

TEST(ShippedRules, EicarOnlyAtTheStartOfASmallFile) {
  auto set = Shipped();
  EXPECT_EQ(Matches(*set, testing::Eicar() + "\r\n"), std::vector<std::string>{"eicar_test_file"});
  EXPECT_TRUE(Matches(*set, "docs: " + testing::Eicar()).empty());
}

TEST(RuleSet, ABrokenFileIsReportedWithLineAndTheOthersStillLoad) {
  std::vector<RuleSource> sources = {
      {"/rules/good.yar", "rule good { strings: $a = \"hello\" condition: $a }\n"},
      {"/rules/bad.yar", "rule ok_one { condition: true }\n\nrule broken { condition: $nope }\n"},
  };
  std::vector<RuleDiagnostic> diags;
  auto set = RuleSet::Compile(sources, "", &diags);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].file, "/rules/bad.yar");
  EXPECT_EQ(diags[0].line, 3);
  EXPECT_TRUE(diags[0].is_error);
  EXPECT_NE(diags[0].message.find("$nope"), std::string::npos) << diags[0].message;
  EXPECT_EQ(diags[0].ToString().rfind("/rules/bad.yar:3: error: ", 0), 0u);
  ASSERT_EQ((*set)->rules().size(), 1u);  // the whole bad file is left out
  EXPECT_EQ(Matches(**set, "say hello"), std::vector<std::string>{"good"});
}

TEST(RuleSet, NothingCompilesIsAnError) {
  std::vector<RuleDiagnostic> diags;
  auto set = RuleSet::Compile({{"x.yar", "rule {"}}, "", &diags);
  EXPECT_FALSE(set.ok());
  EXPECT_EQ(diags.size(), 1u);
}

TEST(RuleSet, CompiledRulesAreCachedByContent) {
  TempDir dir;
  std::vector<RuleSource> v1 = {{"a.yar", "rule a { strings: $s = \"abc\" condition: $s }"}};
  std::vector<RuleDiagnostic> diags;
  auto first = RuleSet::Compile(v1, dir.path(), &diags);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE((*first)->from_cache());
  auto second = RuleSet::Compile(v1, dir.path(), &diags);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)->from_cache());
  EXPECT_EQ((*second)->content_hash(), (*first)->content_hash());
  EXPECT_EQ(Matches(**second, "xxabcxx"), std::vector<std::string>{"a"});
  // Changed text: a new hash, compiled afresh.
  std::vector<RuleSource> v2 = {{"a.yar", "rule a { strings: $s = \"abd\" condition: $s }"}};
  auto third = RuleSet::Compile(v2, dir.path(), &diags);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE((*third)->from_cache());
  EXPECT_NE((*third)->content_hash(), (*first)->content_hash());
  // A corrupt cache file is recompiled, not trusted.
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    std::filesystem::resize_file(e.path(), 10);
  }
  auto fourth = RuleSet::Compile(v1, dir.path(), &diags);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE((*fourth)->from_cache());
  EXPECT_EQ(Matches(**fourth, "abc"), std::vector<std::string>{"a"});
}

TEST(RuleSet, ReadsRuleFilesOfADirectoryRecursively) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/sub");
  for (const auto& [p, text] : std::vector<std::pair<std::string, std::string>>{
           {"/b.yar", "rule b { condition: true }"},
           {"/sub/a.yara", "rule a { condition: true }"},
           {"/notes.txt", "not a rule"}}) {
    FILE* f = std::fopen((dir.path() + p).c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  auto sources = ReadRuleSources(dir.path());
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].name, dir.path() + "/b.yar");
  EXPECT_EQ((*sources)[1].name, dir.path() + "/sub/a.yara");
  EXPECT_FALSE(ReadRuleSources(dir.path() + "/missing").ok());
  std::filesystem::create_directories(dir.path() + "/empty");
  EXPECT_EQ(ReadRuleSources(dir.path() + "/empty").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace rampart::agent::scan
