#include "agent/vuln/cvss.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent::vuln {
namespace {

double V3(std::string_view v) {
  const Result<double> r = CvssV3BaseScore(v);
  EXPECT_TRUE(r.ok()) << v << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

double V2(std::string_view v) {
  const Result<double> r = CvssV2BaseScore(v);
  EXPECT_TRUE(r.ok()) << v << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string V3Error(std::string_view v) {
  const Result<double> r = CvssV3BaseScore(v);
  return r.ok() ? "accepted" : r.error().message();
}

TEST(CvssV3, ScoresKnownVectorsLikeTheNvdCalculator) {
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N"), 6.4);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"), 7.5);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"), 5.9);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 8.8);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"), 5.3);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N"), 3.8);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), 1.6);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
}

// Exploitability 8.22*0.55*0.44*0.27*0.62 = 0.3331 plus impact 6.42*0.22 = 1.4124 is 1.7455,
// rounded up to 1.8 (the NVD calculator agrees); it is the physical-access variant above that
// scores 1.6.
TEST(CvssV3, LocalHighComplexityLowConfidentialityIsOnePointEight) {
  EXPECT_DOUBLE_EQ(V3("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), 1.8);
}

TEST(CvssV3, NoImpactScoresZero) {
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N"), 0.0);
}

TEST(CvssV3, ScopeChangedRaisesPrivilegeWeights) {
  // PR:H weighs 0.5 with S:C (0.27 with S:U): 8.22*0.85*0.77*0.5*0.85 = 2.2868 exploitability.
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H"), 9.1);
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"), 7.2);
}

TEST(CvssV3, TemporalAndEnvironmentalMetricsDoNotChangeTheBaseScore) {
  EXPECT_DOUBLE_EQ(V3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/CR:H/MAV:L"),
                   9.8);
}

TEST(CvssV3, RejectsMalformedVectorsNamingThePart) {
  EXPECT_NE(V3Error("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").find("does not start with CVSS:3.0/"),
            std::string::npos);
  EXPECT_NE(V3Error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H").find("missing base metric A"),
            std::string::npos);
  EXPECT_NE(
      V3Error("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").find("AV has invalid value 'Q'"),
      std::string::npos);
  EXPECT_NE(V3Error("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").find("'AV' repeated"),
            std::string::npos);
  EXPECT_NE(
      V3Error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1").find("unknown metric 'ZZ'"),
      std::string::npos);
  EXPECT_NE(V3Error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/").find("not KEY:VALUE"),
            std::string::npos);
  EXPECT_NE(V3Error("CVSS:3.1/").find("empty vector"), std::string::npos);
}

TEST(CvssV2, ScoresKnownVectors) {
  EXPECT_DOUBLE_EQ(V2("AV:N/AC:L/Au:N/C:P/I:P/A:P"), 7.5);
  EXPECT_DOUBLE_EQ(V2("AV:N/AC:L/Au:N/C:C/I:C/A:C"), 10.0);
  EXPECT_DOUBLE_EQ(V2("AV:N/AC:M/Au:N/C:N/I:P/A:N"), 4.3);
  EXPECT_DOUBLE_EQ(V2("AV:L/AC:L/Au:N/C:C/I:C/A:C"), 7.2);
  EXPECT_DOUBLE_EQ(V2("AV:N/AC:L/Au:N/C:N/I:N/A:P"), 5.0);
  EXPECT_DOUBLE_EQ(V2("AV:L/AC:L/Au:N/C:P/I:N/A:N"), 2.1);
  EXPECT_DOUBLE_EQ(V2("(AV:N/AC:L/Au:N/C:N/I:N/A:N)"), 0.0);
  EXPECT_DOUBLE_EQ(V2("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C"), 7.5);
  EXPECT_FALSE(CvssV2BaseScore("AV:N/AC:L/C:P/I:P/A:P").ok());
}

TEST(CvssSeverity, BandsFollowTheSpecifications) {
  EXPECT_EQ(SeverityFromV3Score(0.0), Severity::kUnknown);
  EXPECT_EQ(SeverityFromV3Score(0.1), Severity::kLow);
  EXPECT_EQ(SeverityFromV3Score(3.9), Severity::kLow);
  EXPECT_EQ(SeverityFromV3Score(4.0), Severity::kMedium);
  EXPECT_EQ(SeverityFromV3Score(6.9), Severity::kMedium);
  EXPECT_EQ(SeverityFromV3Score(7.0), Severity::kHigh);
  EXPECT_EQ(SeverityFromV3Score(8.9), Severity::kHigh);
  EXPECT_EQ(SeverityFromV3Score(9.0), Severity::kCritical);
  EXPECT_EQ(SeverityFromV2Score(10.0), Severity::kHigh);
  EXPECT_EQ(SeverityFromV2Score(3.9), Severity::kLow);
}

TEST(CvssSeverity, ParsesFeedWords) {
  EXPECT_EQ(ParseSeverityWord("MODERATE"), Severity::kMedium);
  EXPECT_EQ(ParseSeverityWord("Medium"), Severity::kMedium);
  EXPECT_EQ(ParseSeverityWord("LOW"), Severity::kLow);
  EXPECT_EQ(ParseSeverityWord("HIGH"), Severity::kHigh);
  EXPECT_EQ(ParseSeverityWord("CRITICAL"), Severity::kCritical);
  EXPECT_EQ(ParseSeverityWord("negligible"), Severity::kLow);
  EXPECT_EQ(ParseSeverityWord("not yet assigned"), std::nullopt);
  EXPECT_EQ(ParseSeverityWord(""), std::nullopt);
  EXPECT_EQ(SeverityName(Severity::kMedium), "medium");
  EXPECT_EQ(SeverityName(Severity::kUnknown), "unknown");
}

}  // namespace
}  // namespace rampart::agent::vuln
