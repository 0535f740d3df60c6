#include "agent/vuln/feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/files.h"

namespace rampart::agent::vuln {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kFeeds = RAMPART_SOURCE_DIR "/tests/testdata/feeds/";
const std::string kShared = RAMPART_SOURCE_DIR "/../shared/data/feeds/";

Advisory Make(std::string id, std::string modified, std::string summary = "") {
  Advisory a;
  a.id = std::move(id);
  a.modified = std::move(modified);
  a.summary = std::move(summary);
  return a;
}

FeedLoadReport Load(const std::string& path, AdvisorySet& set) {
  auto r = LoadFeed(path, set);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : FeedLoadReport{};
}

TEST(AdvisorySet, NewerModifiedReplacesAndOlderIsIgnored) {
  AdvisorySet set;
  EXPECT_TRUE(set.Add(Make("GHSA-1", "2024-01-01T00:00:00Z", "v1")));
  EXPECT_TRUE(set.Add(Make("GHSA-1", "2024-03-01T00:00:00Z", "v2")));
  EXPECT_FALSE(set.Add(Make("GHSA-1", "2024-02-01T00:00:00Z", "old")));
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(set.Find("GHSA-1")->summary, "v2");
  EXPECT_TRUE(set.Add(Make("GHSA-1", "2024-03-01T00:00:00Z", "same time, later add")));
  EXPECT_EQ(set.Find("GHSA-1")->summary, "same time, later add");
  EXPECT_EQ(set.Find("GHSA-2"), nullptr);
}

TEST(AdvisorySet, ComparesTimestampsAsInstantsNotText) {
  AdvisorySet set;
  // As text "…07.5Z" < "…07Z" ('.' sorts before 'Z'), yet it is half a second later.
  ASSERT_TRUE(set.Add(Make("A", "2024-02-16T08:21:07Z", "whole second")));
  EXPECT_TRUE(set.Add(Make("A", "2024-02-16T08:21:07.5Z", "fraction")));
  EXPECT_FALSE(set.Add(Make("A", "2024-02-16T10:21:07+03:00", "earlier, in another zone")));
  EXPECT_EQ(set.Find("A")->summary, "fraction");
}

TEST(AdvisorySet, WithdrawnIsKeptButNotActiveAndAnOlderCopyCannotResurrectIt) {
  AdvisorySet set;
  set.Add(Make("B", "2024-01-01T00:00:00Z"));
  set.Add(Make("A", "2024-01-01T00:00:00Z"));
  Advisory withdrawn = Make("A", "2024-05-01T00:00:00Z");
  withdrawn.withdrawn = "2024-05-01T00:00:00Z";
  EXPECT_TRUE(set.Add(withdrawn));
  ASSERT_EQ(set.Active().size(), 1u);
  EXPECT_EQ(set.Active()[0]->id, "B");
  EXPECT_FALSE(set.Add(Make("A", "2024-01-01T00:00:00Z")));
  EXPECT_EQ(set.Active().size(), 1u);
  EXPECT_NE(set.Find("A"), nullptr);
  // A newer copy that is not withdrawn (the database un-withdrew it) is active again.
  EXPECT_TRUE(set.Add(Make("A", "2024-06-01T00:00:00Z")));
  ASSERT_EQ(set.Active().size(), 2u);
  EXPECT_EQ(set.Active()[0]->id, "A");  // id order
}

TEST(LoadFeed, LoadsASingleRecordFile) {
  AdvisorySet set;
  const FeedLoadReport r = Load(kFeeds + "osv/GHSA-aaaa-bbbb-cccc.json", set);
  EXPECT_EQ(r.records, 1u);
  EXPECT_EQ(r.skipped, 0u);
  const Advisory* a = set.Find("GHSA-aaaa-bbbb-cccc");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->source, kFeeds + "osv/GHSA-aaaa-bbbb-cccc.json");
  EXPECT_DOUBLE_EQ(a->cvss_score, 9.8);
  EXPECT_EQ(a->severity, Severity::kCritical);
}

TEST(LoadFeed, LoadsABatchSkippingBadRecordsWithTheirIds) {
  AdvisorySet set;
  const FeedLoadReport r = Load(kFeeds + "osv/batch.json", set);
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(r.skipped, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].source, kFeeds + "osv/batch.json:vulns[1]");
  EXPECT_EQ(r.errors[0].id, "PYSEC-2024-2");
  EXPECT_EQ(r.errors[0].reason, "modified: required string is missing");
  EXPECT_EQ(set.size(), 2u);
  ASSERT_EQ(set.Active().size(), 1u);  // PYSEC-2024-3 is withdrawn
  EXPECT_EQ(set.Active()[0]->id, "PYSEC-2024-1");
}

TEST(LoadFeed, WalksADirectoryRecursivelyThroughJsonAndZipFiles) {
  AdvisorySet set;
  const FeedLoadReport r = Load(kFeeds + "osv", set);
  EXPECT_EQ(r.records, 6u);
  EXPECT_EQ(r.skipped, 3u);
  EXPECT_EQ(r.replaced, 0u);
  EXPECT_EQ(set.size(), 6u);
  EXPECT_EQ(set.Active().size(), 5u);
  for (const char* id : {"GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1", "PYSEC-2024-3", "GO-2024-0001",
                         "DSA-9001-1", "DSA-9002-1"}) {
    EXPECT_NE(set.Find(id), nullptr) << id;
  }
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[1].source, kFeeds + "osv/records.zip:DSA-9003-1.json");
  EXPECT_EQ(r.errors[1].id, "DSA-9003-1");
  EXPECT_EQ(r.errors[1].reason, "modified: 'yesterday' is not an RFC 3339 date-time");
  EXPECT_EQ(r.errors[2].source, kFeeds + "osv/records.zip:broken.json");
  EXPECT_EQ(r.errors[2].id, "");
  EXPECT_THAT(r.errors[2].reason, StartsWith("not JSON: line 1"));
  const Advisory* dsa = set.Find("DSA-9001-1");
  ASSERT_NE(dsa, nullptr);
  EXPECT_EQ(dsa->source, kFeeds + "osv/records.zip:DSA-9001-1.json");
  EXPECT_EQ(dsa->aliases, (std::vector<std::string>{"CVE-2023-0464", "CVE-2023-0465"}));
  EXPECT_EQ(set.Find("DSA-9002-1")->source, kFeeds + "osv/records.zip:sub/DSA-9002-1.json");
}

TEST(LoadFeed, ReimportingTheSameFeedReplacesInPlace) {
  AdvisorySet set;
  Load(kFeeds + "osv", set);
  const FeedLoadReport again = Load(kFeeds + "osv", set);
  EXPECT_EQ(again.records, 6u);
  EXPECT_EQ(again.replaced, 6u);  // same `modified`: the later add wins
  EXPECT_EQ(set.size(), 6u);
}

TEST(LoadFeed, BoundsZipEntriesSoABombCannotExhaustMemory) {
  AdvisorySet set;
  const FeedLoadReport r = Load(kFeeds + "zips/bomb.zip", set);
  EXPECT_EQ(r.records, 1u);
  EXPECT_NE(set.Find("GHSA-good-good-good"), nullptr);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].source, kFeeds + "zips/bomb.zip:bomb.json");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("exceeds the limit of 16777216"));
}

TEST(LoadFeed, BoundsWhatAnEntryInflatesEvenWhenItsStatedSizeLies) {
  AdvisorySet set;
  const FeedLoadReport r = Load(kFeeds + "zips/liar.zip", set);
  EXPECT_EQ(r.records, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].source, kFeeds + "zips/liar.zip:bomb.json");
}

TEST(LoadFeed, PathErrorsNameThePath) {
  AdvisorySet set;
  auto missing = LoadFeed(kFeeds + "no-such-feed.zip", set);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_THAT(missing.error().message(), HasSubstr("no-such-feed.zip"));
  auto corrupt = LoadFeed(kFeeds + "zips/corrupt.zip", set);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().code(), Code::kDataLoss);
  EXPECT_THAT(corrupt.error().message(),
              StartsWith(kFeeds + "zips/corrupt.zip: not a readable zip"));
  auto not_json = LoadFeed(kFeeds + "osv/README.txt", set);
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(not_json.error().message(), StartsWith(kFeeds + "osv/README.txt: line 1"));
}

TEST(LoadFeed, DetectsTheDebianTrackerByShape) {
  AdvisorySet set;
  const FeedLoadReport r = Load(kFeeds + "debian-tracker-sample.json", set);
  EXPECT_EQ(r.records, 12u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(r.releases_skipped, 10u);
  const Advisory* a = set.Find("CVE-2023-4911");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->affected[0].ecosystem, "Debian:12");
  const FeedLoadReport bad = Load(kFeeds + "debian-tracker-bad.json", set);
  EXPECT_EQ(bad.records, 2u);
  EXPECT_EQ(bad.skipped, 5u);
  EXPECT_EQ(bad.errors[0].source, kFeeds + "debian-tracker-bad.json:openssl/CVE-2023-0465");
}

// The shared feeds: every record of each must load (rejecting a valid record is a bug).
struct RealFeed {
  const char* file;
  std::size_t records;
};

class RealFeedTest : public ::testing::TestWithParam<RealFeed> {};

TEST_P(RealFeedTest, LoadsEveryRecord) {
  const std::string path = kShared + GetParam().file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not present";
  AdvisorySet set;
  const FeedLoadReport r = Load(path, set);
  for (const FeedError& e : r.errors)
    ADD_FAILURE() << e.source << " [" << e.id << "]: " << e.reason;
  EXPECT_EQ(r.records, GetParam().records);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(set.size(), GetParam().records);
}

INSTANTIATE_TEST_SUITE_P(SharedData, RealFeedTest,
                         ::testing::Values(RealFeed{"Debian-all.zip", 8870},
                                           RealFeed{"Go-all.zip", 4291},
                                           RealFeed{"PyPI-all.zip", 2661},
                                           RealFeed{"Maven-all.zip", 364},
                                           RealFeed{"npm-all.zip", 2}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.file;
                           return name.substr(0, name.find('-'));
                         });

TEST(RealFeeds, KnownRecordsConvertFaithfully) {
  const std::string path = kShared + "Debian-all.zip";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not present";
  AdvisorySet set;
  Load(path, set);
  const Advisory* dsa = set.Find("DSA-5380-1");
  ASSERT_NE(dsa, nullptr);
  EXPECT_EQ(dsa->aliases, std::vector<std::string>{"CVE-2023-1393"});
  ASSERT_EQ(dsa->affected.size(), 1u);
  EXPECT_EQ(dsa->affected[0].ecosystem, "Debian:11");
  EXPECT_EQ(dsa->affected[0].name, "xorg-server");
  EXPECT_EQ(dsa->affected[0].ranges[0].events[1].version, "2:1.20.11-1+deb11u6");
}

}  // namespace
}  // namespace rampart::agent::vuln
