// The server's reading of baseline_results batches: a good batch, every kind of bad input named,
// sizes bounded, invalid results rejected one by one.
#include "server/service/baseline_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::server {
namespace {

using ::testing::HasSubstr;

Json Parse(std::string_view text) {
  auto j = Json::Parse(text);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

constexpr std::string_view kGood = R"J({"run_id":"brun_abc","policy":{"id":"linux-cis-debian",
 "name":"Linux CIS (Debian)","score":50},
 "results":[{"id":"cis-5.2.10","title":"SSH root login disabled","level":"high","status":"fail",
   "evidence":"/etc/ssh/sshd_config:12: PermitRootLogin yes",
   "remediation":{"advice":"Set PermitRootLogin no","command":"sed -i s/yes/no/ /etc/ssh/sshd_config"},
   "references":["CIS 5.2.10"]},
  {"id":"cis-1.1","title":"t","level":"low","status":"pass","evidence":"","remediation":"",
   "references":[]}]})J";

TEST(BaselineProtocol, ParsesAGoodBatch) {
  auto parsed = ParseBaselineResults("key-1", Parse(kGood));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const BaselineResultsBatch& b = parsed->batch;
  EXPECT_EQ(b.idempotency_key, "key-1");
  EXPECT_EQ(b.run_id, "brun_abc");
  EXPECT_EQ(b.policy_id, "linux-cis-debian");
  EXPECT_EQ(b.policy_name, "Linux CIS (Debian)");
  EXPECT_EQ(b.score, 50);
  ASSERT_EQ(b.results.size(), 2U);
  EXPECT_EQ(b.results[0].check_id, "cis-5.2.10");
  EXPECT_EQ(b.results[0].status, "fail");
  EXPECT_EQ(b.results[0].references, (std::vector<std::string>{"CIS 5.2.10"}));
  EXPECT_EQ(b.results[0].remediation, "Set PermitRootLogin no");
  EXPECT_EQ(b.results[0].remediation_command, "sed -i s/yes/no/ /etc/ssh/sshd_config");
  EXPECT_EQ(b.results[1].remediation_command, "");
  EXPECT_TRUE(parsed->rejected.empty());
}

TEST(BaselineProtocol, RejectsBadEnvelopes) {
  struct Case {
    std::string_view json, expect;
  };
  for (const Case& c : std::vector<Case>{
           {"[]", "expected an object payload"},
           {R"({"results":[]})", "policy: expected an object"},
           {R"({"policy":{"id":"../etc"},"results":[]})", "policy.id"},
           {R"({"policy":{"id":"p","score":101},"results":[]})", "policy.score"},
           {R"({"policy":{"id":"p","name":"a\nb"},"results":[]})", "policy.name"},
           {R"({"policy":{"id":"p"},"results":{}})", "results: expected an array"},
           {R"({"run_id":"a b","policy":{"id":"p"},"results":[]})", "run_id"},
       }) {
    auto parsed = ParseBaselineResults("k", Parse(c.json));
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr("baseline_results batch: "));
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.expect)) << c.json;
  }
}

TEST(BaselineProtocol, RejectsBadResultsOneByOne) {
  auto parsed = ParseBaselineResults("k", Parse(R"({"policy":{"id":"p"},"results":[
    {"id":"ok","level":"high","status":"pass"},
    {"id":"","level":"high","status":"pass"},
    {"id":"x","level":"severe","status":"pass"},
    {"id":"y","level":"low","status":"passed"},
    {"id":"z","level":"low","status":"fail","references":"CIS"},
    {"id":"ok","level":"low","status":"fail"},
    {"id":"w","level":"low","status":"fail","evidence":5},
    {"id":"v","level":"low","status":"fail","remediation":{"advice":1}},
    7]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->batch.results.size(), 1U);
  EXPECT_EQ(parsed->batch.results[0].check_id, "ok");
  ASSERT_EQ(parsed->rejected.size(), 8U);
  EXPECT_THAT(parsed->rejected[0], HasSubstr("results[1]: id"));
  EXPECT_THAT(parsed->rejected[1], HasSubstr("results[2]: level"));
  EXPECT_THAT(parsed->rejected[2], HasSubstr("results[3]: status"));
  EXPECT_THAT(parsed->rejected[3], HasSubstr("results[4]: references"));
  EXPECT_THAT(parsed->rejected[4], HasSubstr("results[5]: id: ok appears twice"));
  EXPECT_THAT(parsed->rejected[5], HasSubstr("results[6]: evidence"));
  EXPECT_THAT(parsed->rejected[6], HasSubstr("results[7]: remediation"));
  EXPECT_THAT(parsed->rejected[7], HasSubstr("results[8]: expected an object"));
}

TEST(BaselineProtocol, BoundsAndCleansText) {
  Json item = Json::MakeObject();
  item.Set("id", "c");
  item.Set("level", "low");
  item.Set("status", "fail");
  item.Set("evidence", std::string(kMaxBaselineEvidence * 2, 'e') + "\x01");
  item.Set("remediation", std::string("line 1\nline\t2\x1b[31m"));
  Json payload = Json::MakeObject();
  Json policy = Json::MakeObject();
  policy.Set("id", "p");
  payload.Set("policy", std::move(policy));
  Json results = Json::MakeArray();
  results.Push(item);
  payload.Set("results", std::move(results));
  auto parsed = ParseBaselineResults("k", payload);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->batch.results.size(), 1U);
  const BaselineCheckResult& r = parsed->batch.results[0];
  EXPECT_LE(r.evidence.size(), kMaxBaselineEvidence);
  EXPECT_THAT(r.evidence, HasSubstr("[truncated]"));
  EXPECT_EQ(r.remediation, "line 1\nline\t2?[31m");

  Json many = Json::MakeArray();
  for (std::size_t i = 0; i <= kMaxBaselineResultsPerBatch; ++i) many.Push(item);
  payload.Set("results", std::move(many));
  EXPECT_FALSE(ParseBaselineResults("k", payload).ok());
}

TEST(BaselineProtocol, BaselineIds) {
  EXPECT_TRUE(IsBaselineId("linux-cis-debian"));
  EXPECT_TRUE(IsBaselineId("cis_5.2.10"));
  EXPECT_FALSE(IsBaselineId(""));
  EXPECT_FALSE(IsBaselineId("-x"));
  EXPECT_FALSE(IsBaselineId(".hidden"));
  EXPECT_FALSE(IsBaselineId("a/b"));
  EXPECT_FALSE(IsBaselineId(std::string(129, 'a')));
}

}  // namespace
}  // namespace rampart::server
