#include "server/service/channel_protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "common/wire.h"

namespace rampart::server {
namespace {

Json ParseOrDie(std::string_view text) {
  auto parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  return parsed.ok() ? *parsed : Json();
}

std::string ErrorOf(std::string_view payload, const InventoryLimits& limits = {}) {
  auto batch = ParseInventoryBatch("k1", ParseOrDie(payload), limits);
  return batch.ok() ? std::string("<accepted>") : batch.error().message();
}

constexpr std::string_view kFull = R"({
  "version": 3, "base": 0, "mode": "full", "collected_at": "2026-11-29T02:51:27Z",
  "categories": {
    "host": {"rows": [{"hostname": "web-1", "ips": ["10.0.0.5", "fe80::1"], "os_name": "Debian",
                       "os_version": "12", "machine_type": "VM", "agent_version": "0.1.0",
                       "last_login": {"user": "root", "time": "2026-11-28T10:00:00Z"}}]},
    "ports": {"rows": [{"proto": "tcp", "port": 22}, {"proto": "tcp", "port": 6379},
                       {"proto": "tcp", "port": 22}]},
    "resources": {"rows": [{"cpu_percent": 3.5, "disks": [{"mount": "/", "used": 1}]}]}
  }})";

TEST(ChannelProtocol, FullSnapshotBecomesABatchWithHostFieldsAndDistinctRows) {
  auto batch = ParseInventoryBatch("inv-1", ParseOrDie(kFull));
  ASSERT_TRUE(batch.ok()) << batch.error().ToString();
  EXPECT_EQ(batch->idempotency_key, "inv-1");
  EXPECT_TRUE(batch->full);
  EXPECT_EQ(batch->version, 3);
  EXPECT_EQ(batch->collected_at, 1795920687);
  ASSERT_EQ(batch->rows.size(), 3U);
  EXPECT_EQ(batch->rows[1].first, "ports");
  EXPECT_EQ(batch->rows[1].second.size(), 2U);  // the repeated port 22 row is kept once
  ASSERT_TRUE(batch->host_fields.has_value());
  EXPECT_EQ(batch->host_fields->hostname, "web-1");
  EXPECT_EQ(batch->host_fields->ips, (std::vector<std::string>{"10.0.0.5", "fe80::1"}));
  EXPECT_EQ(batch->host_fields->os_name, "Debian");
  EXPECT_EQ(batch->host_fields->os_version, "12");
  EXPECT_EQ(batch->host_fields->machine_type, "VM");
  EXPECT_EQ(batch->host_fields->agent_version, "0.1.0");
}

TEST(ChannelProtocol, DeltaCarriesAddedRowsAndRemovedKeysRelativeToItsBase) {
  const std::string key = wire::RowKey(ParseOrDie(R"({"proto":"tcp","port":22})"));
  auto batch = ParseInventoryBatch(
      "inv-2",
      ParseOrDie(
          R"({"version":4,"base":3,"mode":"delta","changes":{"ports":{"added":[{"proto":"udp","port":53}],"removed":[")" +
          key + R"("]},"software":{"added":[]}}})"));
  ASSERT_TRUE(batch.ok()) << batch.error().ToString();
  EXPECT_FALSE(batch->full);
  EXPECT_EQ(batch->base, 3);
  ASSERT_EQ(batch->rows.size(), 1U);  // empty additions are left out
  EXPECT_EQ(batch->rows[0].first, "ports");
  ASSERT_EQ(batch->removed.size(), 1U);
  EXPECT_EQ(batch->removed[0].second, std::vector<std::string>{key});
  EXPECT_FALSE(batch->host_fields.has_value());
}

TEST(ChannelProtocol, RejectsBadShapesNamingWhere) {
  EXPECT_EQ(ErrorOf(R"({"version":1,"categories":{}})"),
            "inventory batch: mode: expected \"full\" or \"delta\"");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","categories":{}})"), "inventory batch: version: missing");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","version":"3","categories":{}})"),
            "inventory batch: version: expected an integer >= 1");
  EXPECT_EQ(ErrorOf(R"({"mode":"delta","version":3,"changes":{}})"),
            "inventory batch: base: missing");
  EXPECT_EQ(ErrorOf(R"({"mode":"delta","version":3,"base":3,"changes":{}})"),
            "inventory batch: version: must be greater than base");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","version":1})"),
            "inventory batch: categories: missing (a full snapshot needs them)");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","version":1,"categories":{"ports":{"rows":[1]}}})"),
            "inventory batch: categories.ports.rows[0]: expected a JSON object");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","version":1,"categories":{"ports":[]}})"),
            "inventory batch: categories.ports: expected {\"rows\":[...]}");
  EXPECT_NE(ErrorOf(R"({"mode":"full","version":1,"categories":{"passwords":{"rows":[]}}})")
                .find("categories.passwords: unknown category (expected one of host, resources"),
            std::string::npos);
  EXPECT_EQ(
      ErrorOf(
          R"({"mode":"full","version":1,"categories":{"ports":{"rows":[]},"ports":{"rows":[]}}})"),
      "inventory batch: categories.ports: category given twice");
  EXPECT_EQ(
      ErrorOf(R"({"mode":"delta","version":2,"base":1,"changes":{"ports":{"removed":["abc"]}}})"),
      "inventory batch: changes.ports.removed[0]: expected a row key (64 lower-case hex "
      "digits)");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","version":1,"collected_at":"yesterday","categories":{}})"),
            "inventory batch: collected_at: time 'yesterday': expected ISO-8601 like "
            "2026-11-29T02:51:27Z");
  EXPECT_EQ(
      ErrorOf(R"({"mode":"full","version":1,"categories":{"host":{"rows":[{"a":1},{"a":2}]}}})"),
      "inventory batch: categories.host: one row at most");
  EXPECT_EQ(
      ErrorOf(R"({"mode":"full","version":1,"categories":{"ports":{"rows":[{"a":[[[[1]]]]}]}}})"),
      "inventory batch: categories.ports.rows[0].a: nested deeper than 3 levels");
  EXPECT_EQ(ErrorOf("[]"), "inventory batch: expected a JSON object");
  auto bad_key = ParseInventoryBatch("has space", ParseOrDie(kFull));
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.error().message().find("key"), std::string::npos);
}

TEST(ChannelProtocol, EnforcesRowCountAndSizeLimits) {
  InventoryLimits limits;
  limits.max_rows_per_category = 2;
  limits.max_row_bytes = 64;
  EXPECT_EQ(
      ErrorOf(R"({"mode":"full","version":1,"categories":{"ports":{"rows":[{},{},{}]}}})", limits),
      "inventory batch: categories.ports.rows: more than 2 rows");
  EXPECT_EQ(ErrorOf(R"({"mode":"full","version":1,"categories":{"ports":{"rows":[{"x":")" +
                        std::string(100, 'a') + R"("}]}}})",
                    limits),
            "inventory batch: categories.ports.rows[0]: row larger than 64 bytes");
  limits = {};
  limits.max_total_rows = 3;
  EXPECT_EQ(
      ErrorOf(
          R"({"mode":"full","version":1,"categories":{"ports":{"rows":[{},{}]},"jars":{"rows":[{},{}]}}})",
          limits),
      "inventory batch: categories.jars.rows: the batch holds more than 3 rows");
}

TEST(ChannelProtocol, ParsesChannelMessagesAndRefusesNonObjectsOrMissingType) {
  auto hello = ParseChannelMessage(R"({"type":"hello","agent_version":"0.1.0"})");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->GetString("type"), "hello");
  EXPECT_FALSE(ParseChannelMessage(R"({"kind":"hello"})").ok());
  EXPECT_FALSE(ParseChannelMessage(R"({"type":5})").ok());
  EXPECT_FALSE(ParseChannelMessage("not json").ok());
  EXPECT_FALSE(ParseChannelMessage(std::string(1000, '[')).ok());
}

TEST(ChannelProtocol, ParsesIso8601WithFractionsAndOffsets) {
  EXPECT_EQ(*ParseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIso8601("2026-11-29T02:51:27Z"), 1795920687);
  EXPECT_EQ(*ParseIso8601("2026-11-29T02:51:27.123456Z"), 1795920687);
  EXPECT_EQ(*ParseIso8601("2026-11-29T03:51:27+01:00"), 1795920687);
  EXPECT_EQ(*ParseIso8601("2026-11-28T21:51:27-05:00"), 1795920687);
  EXPECT_EQ(*ParseIso8601("2000-02-29T00:00:00Z"), 951782400);
  for (std::string_view bad : {"2026-11-29", "2026-13-01T00:00:00Z", "2026-11-29T02:51:27",
                               "2026-11-29T02:51:27.Z", "2026-11-29 02:51:27Z", "x"}) {
    EXPECT_FALSE(ParseIso8601(bad).ok()) << bad;
  }
}

TEST(ChannelProtocol, BuildsServerMessages) {
  EXPECT_EQ(AckMessage("k", "committed", ""), R"({"type":"ack","key":"k","status":"committed"})");
  EXPECT_EQ(AckMessage("k", "rejected", "why"),
            R"({"type":"ack","key":"k","status":"rejected","message":"why"})");
  EXPECT_EQ(ConfigMessage(7, ParseOrDie(R"({"a":1})")),
            R"({"type":"config","version":7,"settings":{"a":1}})");
  EXPECT_EQ(CommandMessage("c1", "scan", Json()),
            R"({"type":"command","id":"c1","name":"scan","args":{}})");
  EXPECT_EQ(ErrorMessage("unknown_type", "no"),
            R"({"type":"error","code":"unknown_type","message":"no"})");
}

TEST(ChannelProtocol, BatchKeysAreShortTokens) {
  EXPECT_TRUE(IsValidBatchKey("inv-0000000017"));
  EXPECT_TRUE(IsValidBatchKey("h_1:inv.3"));
  EXPECT_FALSE(IsValidBatchKey(""));
  EXPECT_FALSE(IsValidBatchKey(std::string(129, 'a')));
  EXPECT_FALSE(IsValidBatchKey("a b"));
  EXPECT_FALSE(IsValidBatchKey("a/b"));
}

}  // namespace
}  // namespace rampart::server
