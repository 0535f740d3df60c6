#include "agent/baseline/service_auth.h"

#include <gtest/gtest.h>

namespace rampart::agent::baseline {
namespace {

TEST(ServiceAuth, LoopbackAddresses) {
  for (const char* a :
       {"127.0.0.1", "127.1.2.3", "::1", "-::1", "[::1]", "localhost", "127.0.0.1/32"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a : {"0.0.0.0", "10.0.0.1", "::", "0.0.0.0/0", "127.0.0.0/1"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

TEST(ServiceAuth, Redis) {
  EXPECT_FALSE(AnalyzeRedisConfig("bind 127.0.0.1 -::1\n", "r.conf").exposed);
  EXPECT_FALSE(AnalyzeRedisConfig("# no bind\nprotected-mode yes\n", "r.conf").exposed);
  EXPECT_FALSE(AnalyzeRedisConfig("bind 0.0.0.0\nrequirepass s3cret\n", "r.conf").exposed);
  EXPECT_FALSE(
      AnalyzeRedisConfig("bind 0.0.0.0\nuser default on >s3cret ~* +@all\n", "r.conf").exposed);
  const auto f = AnalyzeRedisConfig("bind 127.0.0.1\nbind 0.0.0.0 ::\n", "r.conf");
  EXPECT_TRUE(f.exposed);
  EXPECT_EQ(f.evidence, "r.conf:2: bind 0.0.0.0 :: without requirepass");
  EXPECT_TRUE(AnalyzeRedisConfig("protected-mode no\n", "r.conf").exposed);
  EXPECT_TRUE(AnalyzeRedisConfig("bind 0.0.0.0\nrequirepass \"\"\n", "r.conf").exposed);
}

TEST(ServiceAuth, PgHba) {
  EXPECT_FALSE(AnalyzePgHba("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                            "host all all ::1/128 trust\nhost all all 0.0.0.0/0 scram-sha-256\n",
                            "pg_hba.conf")
                   .exposed);
  const auto f = AnalyzePgHba("# c\nhostssl all all 10.0.0.0/8 trust  # lab\n", "pg_hba.conf");
  EXPECT_TRUE(f.exposed);
  EXPECT_EQ(f.evidence.substr(0, 14), "pg_hba.conf:2:");
  EXPECT_TRUE(AnalyzePgHba("host all all 192.168.0.0 255.255.0.0 trust\n", "p").exposed);
  EXPECT_TRUE(AnalyzePgHba("host all all all trust\n", "p").exposed);
}

TEST(ServiceAuth, MongoDb) {
  EXPECT_FALSE(AnalyzeMongodConfig("net:\n  bindIp: 127.0.0.1,::1\n", "m").exposed);
  EXPECT_FALSE(AnalyzeMongodConfig("", "m").exposed);  // default bindIp is loopback
  EXPECT_FALSE(
      AnalyzeMongodConfig("net:\n  bindIp: 0.0.0.0\nsecurity:\n  authorization: enabled\n", "m")
          .exposed);
  EXPECT_TRUE(AnalyzeMongodConfig("net:\n  port: 27017\n  bindIp: 0.0.0.0  # all\n", "m").exposed);
  EXPECT_TRUE(AnalyzeMongodConfig("bind_ip = 0.0.0.0\nauth = false\n", "m").exposed);
}

TEST(ServiceAuth, Elasticsearch) {
  EXPECT_FALSE(AnalyzeElasticsearchConfig("network.host: 0.0.0.0\n", "e").exposed);
  EXPECT_FALSE(AnalyzeElasticsearchConfig("xpack.security.enabled: false\n", "e").exposed);
  EXPECT_TRUE(
      AnalyzeElasticsearchConfig("network.host: 0.0.0.0\nxpack.security.enabled: false\n", "e")
          .exposed);
  EXPECT_TRUE(AnalyzeElasticsearchConfig(
                  "network:\n  host: _site_\nxpack:\n  security:\n    enabled: \"false\"\n", "e")
                  .exposed);
}

}  // namespace
}  // namespace rampart::agent::baseline
