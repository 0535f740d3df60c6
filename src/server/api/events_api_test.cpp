// The events, blocks and commands routes: listing with filters, status handling, bulk actions,
// whitelisting from an event (settings + past events), manual block/unblock queued as commands.
#include <gtest/gtest.h>

#include <string>

#include "server/api/api_test_support.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using testing::kStart;
using testing::ParseBody;

class EventsApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    web_ = MustHost(tenant_a_, "web-1");
    db_ = MustHost(tenant_a_, "db-1");
  }

  ReportedEvent Incident(char hex, const std::string& source, const std::string& user,
                         EventLevel level, std::int64_t last_seen,
                         const std::string& type = "brute_force") {
    ReportedEvent e;
    e.incident_id = std::string(32, hex);
    e.type = type;
    e.level = level;
    e.service = "sshd";
    e.source = source;
    e.user = user;
    e.count = 5;
    e.first_seen = last_seen - 60;
    e.last_seen = last_seen;
    return e;
  }

  void MustIngest(const Host& host, std::vector<ReportedEvent> events) {
    SecurityEventsBatch batch;
    batch.idempotency_key = wire::RandomId("k");
    batch.events = std::move(events);
    auto r = storage_->ApplySecurityEvents(host.id, batch, Now());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  // The ids of GET target's items.
  std::vector<std::string> Ids(const std::string& target, const std::string& token) {
    Json body = GetOk(target, token);
    std::vector<std::string> ids;
    for (const Json& item : body.Find("items")->as_array()) ids.push_back(item.GetString("id"));
    return ids;
  }

  std::string IdOf(const std::string& source, const std::string& host_id) {
    auto ids = Ids("/api/v1/events?source=" + source + "&host_id=" + host_id, viewer_);
    EXPECT_EQ(ids.size(), 1U) << source;
    return ids.empty() ? "" : ids[0];
  }

  Host web_;
  Host db_;
};

TEST_F(EventsApi, ListsNewestFirstWithFiltersAndPages) {
  MustIngest(web_, {Incident('a', "203.0.113.7", "root", EventLevel::kHigh, kStart - 100),
                    Incident('b', "198.51.100.1", "admin", EventLevel::kLow, kStart - 50),
                    Incident('c', "203.0.113.7", "oracle", EventLevel::kCritical, kStart - 10,
                             "cracked")});
  MustIngest(db_, {Incident('a', "192.0.2.1", "root", EventLevel::kMedium, kStart - 200,
                            "invalid_user_scan")});
  Json all = GetOk("/api/v1/events", viewer_);
  const Json::Array& items = all.Find("items")->as_array();
  ASSERT_EQ(items.size(), 4U);
  EXPECT_EQ(items[0].GetString("type"), "cracked");
  EXPECT_EQ(items[0].GetString("level"), "critical");
  EXPECT_EQ(items[0].GetString("status"), "pending");
  EXPECT_EQ(items[0].GetString("hostname"), "web-1");
  EXPECT_EQ(items[0].GetString("incident_id"), std::string(32, 'c'));
  EXPECT_EQ(items[0].GetString("last_seen"), "2025-12-31T23:59:50Z");
  EXPECT_TRUE(items[0].Find("status_changed_by")->is_null());
  EXPECT_EQ(items[3].GetString("hostname"), "db-1");

  EXPECT_EQ(Ids("/api/v1/events?source=203.0.113.7", viewer_).size(), 2U);
  EXPECT_EQ(Ids("/api/v1/events?level=low", viewer_).size(), 1U);
  EXPECT_EQ(Ids("/api/v1/events?type=invalid_user_scan", viewer_).size(), 1U);
  EXPECT_EQ(Ids("/api/v1/events?host_id=" + db_.id, viewer_).size(), 1U);
  EXPECT_EQ(Ids("/api/v1/events?user=admin&status=pending", viewer_).size(), 1U);
  EXPECT_EQ(Ids("/api/v1/events?since=2025-12-31T23:59:00Z", viewer_).size(), 2U);
  EXPECT_EQ(Ids("/api/v1/events?until=" + std::to_string(kStart - 100), viewer_).size(), 2U);

  Json first = GetOk("/api/v1/events?limit=3", viewer_);
  ASSERT_TRUE(first.Find("next_cursor")->is_string());
  Json second = GetOk("/api/v1/events?limit=3&cursor=" + first.GetString("next_cursor"), viewer_);
  ASSERT_EQ(second.Find("items")->size(), 1U);
  EXPECT_TRUE(second.Find("next_cursor")->is_null());

  for (const char* bad : {"/api/v1/events?level=severe", "/api/v1/events?status=open",
                          "/api/v1/events?type=x", "/api/v1/events?since=yesterday",
                          "/api/v1/events?host_id=h_nope", "/api/v1/events?sort=level"}) {
    net::HttpResponse response = Do("GET", bad, viewer_);
    EXPECT_EQ(response.status, 400) << bad << ": " << response.body;
    EXPECT_EQ(ErrorCode(response), "invalid_argument") << bad;
  }
  EXPECT_EQ(GetOk("/api/v1/events", admin_b_).Find("items")->size(), 0U);
}

TEST_F(EventsApi, PatchSetsStatusAndNoteWithWhoAndWhen) {
  MustIngest(web_, {Incident('a', "203.0.113.7", "root", EventLevel::kHigh, kStart)});
  const std::string id = IdOf("203.0.113.7", web_.id);
  EXPECT_EQ(GetOk("/api/v1/hosts/" + web_.id, viewer_).Find("risk")->GetInt("events"), 1);
  net::HttpResponse response = Do("PATCH", "/api/v1/events/" + id, admin_,
                                  R"({"status":"handled","note":"password rotated"})");
  ASSERT_EQ(response.status, 200) << response.body;
  Json body = ParseBody(response);
  EXPECT_EQ(body.GetString("status"), "handled");
  EXPECT_EQ(body.GetString("note"), "password rotated");
  EXPECT_EQ(body.GetString("status_changed_by"), "user:" + admin_user_.id);
  EXPECT_EQ(body.GetString("status_changed_at"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(GetOk("/api/v1/hosts/" + web_.id, viewer_).Find("risk")->GetInt("events"), 0);
  EXPECT_EQ(GetOk("/api/v1/events/" + id, viewer_).GetString("status"), "handled");

  // Only the note.
  response = Do("PATCH", "/api/v1/events/" + id, operator_, R"({"note":"again"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseBody(response).GetString("status"), "handled");
  EXPECT_EQ(ParseBody(response).GetString("status_changed_by").rfind("token:", 0), 0U);

  struct Case {
    const char* body;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"status":"blocked"})",
                "field 'status': expected pending, handled, ignored or whitelisted (blocked is set "
                "by the agent's block list; use POST /api/v1/hosts/{id}/blocks to block), got "
                "'blocked'"},
           Case{R"({})", "request body: expected \"status\" and/or \"note\""},
           Case{R"({"status":"done"})", nullptr},
           Case{R"({"status":"handled","level":"low"})", nullptr},
           Case{R"({"status":7})", nullptr},
       }) {
    response = Do("PATCH", "/api/v1/events/" + id, operator_, c.body);
    EXPECT_EQ(response.status, 400) << c.body << ": " << response.body;
    if (c.message != nullptr) {
      EXPECT_EQ(ErrorMessage(response), c.message);
    }
  }
  EXPECT_EQ(Do("PATCH", "/api/v1/events/ev_missing", operator_, R"({"status":"handled"})").status,
            404);
  EXPECT_EQ(Do("PATCH", "/api/v1/events/" + id, operator_,
               R"({"note":")" + std::string(5000, 'n') + R"("})")
                .status,
            400);
}

TEST_F(EventsApi, BulkChangesFoundEventsAndNamesTheOthers) {
  MustIngest(web_, {Incident('a', "203.0.113.7", "root", EventLevel::kHigh, kStart),
                    Incident('b', "203.0.113.8", "root", EventLevel::kHigh, kStart)});
  const std::string a = IdOf("203.0.113.7", web_.id);
  const std::string b = IdOf("203.0.113.8", web_.id);
  net::HttpResponse response =
      Do("POST", "/api/v1/events/bulk", operator_,
         R"({"ids":[")" + a + R"(",")" + b + R"(",")" + a + R"(","ev_nope"],"status":"ignored"})");
  ASSERT_EQ(response.status, 200) << response.body;
  Json body = ParseBody(response);
  EXPECT_EQ(body.GetInt("updated"), 2);
  EXPECT_EQ(body.Find("not_found")->Dump(), R"(["ev_nope"])");
  EXPECT_EQ(Ids("/api/v1/events?status=ignored", viewer_).size(), 2U);

  // Another tenant's ids are "not found", never changed.
  response =
      Do("POST", "/api/v1/events/bulk", admin_b_, R"({"ids":[")" + a + R"("],"status":"handled"})");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(ParseBody(response).GetInt("updated"), 0);
  EXPECT_EQ(GetOk("/api/v1/events/" + a, viewer_).GetString("status"), "ignored");

  for (const std::string& bad :
       {std::string(R"({"ids":[],"status":"handled"})"), std::string(R"({"ids":["x"]})"),
        std::string(R"({"ids":[1],"status":"handled"})"),
        std::string(R"({"ids":"x","status":"handled"})")}) {
    EXPECT_EQ(Do("POST", "/api/v1/events/bulk", operator_, bad).status, 400) << bad;
  }
  std::string many = R"({"status":"handled","ids":[)";
  for (int i = 0; i < 501; ++i)
    many += std::string(i == 0 ? "" : ",") + "\"ev_" + std::to_string(i) + "\"";
  EXPECT_EQ(Do("POST", "/api/v1/events/bulk", operator_, many + "]}").status, 400);
}

TEST_F(EventsApi, WhitelistingFromAnEventEditsSettingsAndAppliesToPastEvents) {
  MustIngest(web_, {Incident('a', "203.0.113.7", "root", EventLevel::kHigh, kStart),
                    Incident('b', "203.0.113.7", "admin", EventLevel::kHigh, kStart - 500),
                    Incident('c', "198.51.100.1", "deploy", EventLevel::kLow, kStart - 10)});
  MustIngest(db_, {Incident('a', "203.0.113.7", "root", EventLevel::kHigh, kStart)});
  const std::string id = IdOf("203.0.113.7", web_.id + "&user=root");

  net::HttpResponse response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                                  R"({"scope":"host","apply_to_past":true})");
  ASSERT_EQ(response.status, 200) << response.body;
  Json body = ParseBody(response);
  EXPECT_EQ(body.Find("event")->GetString("status"), "whitelisted");
  EXPECT_EQ(body.GetInt("settings_version"), 1);
  EXPECT_EQ(body.GetInt("past_events_whitelisted"), 1);  // web's other 203.0.113.7 event
  Json settings = GetOk("/api/v1/settings", viewer_);
  EXPECT_EQ(settings.Find("settings")->Find("login")->Find("whitelist")->Dump(),
            R"([{"source":"203.0.113.7","hosts":[")" + web_.id + R"("]}])");
  // db-1 is out of scope.
  EXPECT_EQ(Ids("/api/v1/events?status=pending&host_id=" + db_.id, viewer_).size(), 1U);

  // Widening to every host: the same entry becomes "all"; db-1's event follows.
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"scope":"all","apply_to_past":true})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseBody(response).GetInt("settings_version"), 2);
  EXPECT_EQ(ParseBody(response).GetInt("past_events_whitelisted"), 1);
  settings = GetOk("/api/v1/settings", viewer_);
  EXPECT_EQ(settings.Find("settings")->Find("login")->Find("whitelist")->Dump(),
            R"([{"source":"203.0.113.7","hosts":"all"}])");
  // Nothing new to add: the version stays.
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_, R"({"scope":"all"})");
  EXPECT_EQ(ParseBody(response).GetInt("settings_version"), 2);

  // By user, without touching past events.
  const std::string deploy = IdOf("198.51.100.1", web_.id);
  response = Do("POST", "/api/v1/events/" + deploy + "/whitelist", operator_,
                R"({"match":"user","scope":"all"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseBody(response).GetInt("past_events_whitelisted"), 0);
  settings = GetOk("/api/v1/settings", viewer_);
  EXPECT_EQ(settings.Find("settings")->Find("login")->Find("whitelist_users")->Dump(),
            R"([{"user":"deploy","hosts":"all"}])");
  EXPECT_EQ(settings.Find("version")->as_int(), 3);

  EXPECT_EQ(
      Do("POST", "/api/v1/events/" + id + "/whitelist", operator_, R"({"scope":"rack"})").status,
      400);
  EXPECT_EQ(
      Do("POST", "/api/v1/events/" + id + "/whitelist", operator_, R"({"apply_to_past":"yes"})")
          .status,
      400);
}

TEST_F(EventsApi, WhitelistingWithAScopeCoversOnlyItsHostsDaysHoursAndCountries) {
  // kStart is Thursday 2026-01-01T00:00:00Z.
  auto located = [&](char hex, std::int64_t at, const char* country) {
    ReportedEvent e = Incident(hex, "203.0.113.9", "root", EventLevel::kHigh, at);
    e.country = country;
    return e;
  };
  MustIngest(web_, {located('a', kStart + 10 * 3600, "DE"),  // Thu 10:00 DE: the one whitelisted
                    located('b', kStart + 9 * 3600, "DE"),   // Thu 09:00 DE: covered
                    located('c', kStart + 22 * 3600, "DE"),  // Thu 22:00: out of hours
                    located('d', kStart + 2 * 86400 + 36000, "DE"),  // Sat 10:00: out of days
                    located('e', kStart + 11 * 3600, "FR")});        // FR: out of countries
  MustIngest(db_, {located('f', kStart + 9 * 3600, "DE")});          // db-1: not a covered host
  const std::string id = IdOf("203.0.113.9", web_.id + "&since=" + std::to_string(kStart + 36000) +
                                                 "&until=" + std::to_string(kStart + 36000));
  net::HttpResponse response =
      Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
         R"({"hosts":[")" + web_.id +
             R"("],"days":["mon","tue","wed","thu","fri"],"hours":"08:00-18:00","zone":"UTC",)"
             R"("countries":["DE"],"apply_to_past":true})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseBody(response).GetInt("past_events_whitelisted"), 1);
  Json settings = GetOk("/api/v1/settings", viewer_);
  EXPECT_EQ(settings.Find("settings")->Find("login")->Find("whitelist")->Dump(),
            R"([{"source":"203.0.113.9","hosts":[")" + web_.id +
                R"("],"countries":["DE"],"days":["mon","tue","wed","thu","fri"],)"
                R"("hours":"08:00-18:00","zone":"UTC"}])");
  EXPECT_EQ(Ids("/api/v1/events?status=pending&host_id=" + web_.id, viewer_).size(), 3U);
  EXPECT_EQ(Ids("/api/v1/events?status=pending&host_id=" + db_.id, viewer_).size(), 1U);

  // The same scope for another host widens that entry; another scope is another entry.
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"hosts":[")" + db_.id +
                    R"("],"days":["mon","tue","wed","thu","fri"],"hours":"08:00-18:00",)"
                    R"("countries":["DE"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"scope":"all","hours":"22:00-06:00","zone":"local"})");
  ASSERT_EQ(response.status, 200) << response.body;
  settings = GetOk("/api/v1/settings", viewer_);
  const Json* list = settings.Find("settings")->Find("login")->Find("whitelist");
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ(list->as_array()[0].Find("hosts")->Dump(),
            R"([")" + web_.id + R"(",")" + db_.id + R"("])");
  EXPECT_EQ(list->as_array()[1].Dump(),
            R"({"source":"203.0.113.9","hosts":"all","hours":"22:00-06:00","zone":"local"})");
  // A tz database name is stored as given (the agents follow its DST changes).
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"scope":"all","hours":"08:00-18:00","zone":"Europe/Paris"})");
  ASSERT_EQ(response.status, 200) << response.body;
  settings = GetOk("/api/v1/settings", viewer_);
  list = settings.Find("settings")->Find("login")->Find("whitelist");
  ASSERT_EQ(list->size(), 3U);
  EXPECT_EQ(
      list->as_array()[2].Dump(),
      R"({"source":"203.0.113.9","hosts":"all","hours":"08:00-18:00","zone":"Europe/Paris"})");

  // Bad scopes: named errors, nothing stored.
  const std::int64_t version = settings.GetInt("version");
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_, R"({"hours":"8-18"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorMessage(response).rfind("field.hours: expected HH:MM-HH:MM", 0), 0u)
      << ErrorMessage(response);
  response =
      Do("POST", "/api/v1/events/" + id + "/whitelist", operator_, R"({"countries":["Germany"]})");
  EXPECT_EQ(response.status, 400);
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"hours":"08:00-18:00","zone":"Europe/Pariss"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorMessage(response).rfind("field.zone: unknown time zone \"Europe/Pariss\"", 0), 0u)
      << ErrorMessage(response);
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"scope":"all","hosts":[")" + web_.id + R"("]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorMessage(response), "fields 'scope' and 'hosts': give one of them");
  response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_,
                R"({"hosts":["h_does_not_exist"]})");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(GetOk("/api/v1/settings", viewer_).GetInt("version"), version);
}

TEST_F(EventsApi, AnEventWithoutAnAddressCannotBeWhitelistedBySource) {
  MustIngest(web_, {Incident('a', "attacker.example", "root", EventLevel::kHigh, kStart)});
  const std::string id = Ids("/api/v1/events", viewer_)[0];
  net::HttpResponse response = Do("POST", "/api/v1/events/" + id + "/whitelist", operator_, "");
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(ErrorMessage(response),
            "event " + id + " has no source address to whitelist ('attacker.example')");
  EXPECT_EQ(GetOk("/api/v1/settings", viewer_).GetInt("version"), 0);
}

TEST_F(EventsApi, BlockAndUnblockAreQueuedAsCommands) {
  net::HttpResponse response =
      Do("POST", "/api/v1/hosts/" + web_.id + "/blocks", operator_, R"({"source":"203.0.113.7"})");
  ASSERT_EQ(response.status, 202) << response.body;
  Json command = *ParseBody(response).Find("command");
  EXPECT_EQ(command.GetString("name"), "block");
  EXPECT_EQ(command.GetString("status"), "pending");
  EXPECT_EQ(command.Find("args")->Dump(),
            R"({"source":"203.0.113.7","ttl_seconds":900,"reason":"manual"})");
  EXPECT_TRUE(command.Find("delivered_at")->is_null());

  response = Do("POST", "/api/v1/hosts/" + web_.id + "/blocks", operator_,
                R"({"source":"2001:db8::/64","ttl_seconds":3600,"reason":"incident-42"})");
  ASSERT_EQ(response.status, 202) << response.body;
  response = Do("DELETE", "/api/v1/hosts/" + web_.id + "/blocks/10.0.0.0_24", operator_);
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(ParseBody(response).Find("command")->Find("args")->Dump(),
            R"({"source":"10.0.0.0/24"})");

  Json commands = GetOk("/api/v1/hosts/" + web_.id + "/commands", viewer_);
  ASSERT_EQ(commands.Find("items")->size(), 3U);
  EXPECT_EQ(commands.Find("items")->as_array()[0].GetString("name"), "unblock");
  EXPECT_EQ(GetOk("/api/v1/hosts/" + db_.id + "/commands", viewer_).Find("items")->size(), 0U);

  for (const std::string& bad : {std::string(R"({"source":"not-an-ip"})"), std::string(R"({})"),
                                 std::string(R"({"source":"192.0.2.1","ttl_seconds":5})"),
                                 std::string(R"({"source":"192.0.2.1","reason":""})"),
                                 std::string(R"({"source":"192.0.2.1","until":1})")}) {
    response = Do("POST", "/api/v1/hosts/" + web_.id + "/blocks", operator_, bad);
    EXPECT_EQ(response.status, 400) << bad << ": " << response.body;
  }
  EXPECT_EQ(Do("DELETE", "/api/v1/hosts/" + web_.id + "/blocks/nope", operator_).status, 400);
  EXPECT_EQ(Do("DELETE", "/api/v1/hosts/h_missing/blocks/10.0.0.1", operator_).status, 404);
}

TEST_F(EventsApi, TheDefaultBlockTimeFollowsTheTenantsSetting) {
  ASSERT_EQ(Do("PUT", "/api/v1/settings", admin_,
               R"({"settings":{"brute_force":{"block_seconds":1800}}})")
                .status,
            200);
  net::HttpResponse response =
      Do("POST", "/api/v1/hosts/" + web_.id + "/blocks", operator_, R"({"source":"203.0.113.7"})");
  ASSERT_EQ(response.status, 202);
  EXPECT_EQ(ParseBody(response).Find("command")->Find("args")->GetInt("ttl_seconds"), 1800);
}

TEST_F(EventsApi, BlocksListWhatTheAgentsReported) {
  BlocksSnapshot snapshot;
  snapshot.idempotency_key = "b1";
  snapshot.backend = "nftables";
  BlockEntry b;
  b.source = "203.0.113.7";
  b.reason = "brute_force";
  b.event_id = std::string(32, 'a');
  b.created_at = kStart;
  b.expires_at = kStart + 900;
  snapshot.blocks = {b};
  ASSERT_TRUE(storage_->ApplyBlocksSnapshot(web_.id, snapshot, Now()).ok());
  Json page = GetOk("/api/v1/blocks", viewer_);
  ASSERT_EQ(page.Find("items")->size(), 1U);
  const Json& block = page.Find("items")->as_array()[0];
  EXPECT_EQ(block.GetString("host_id"), web_.id);
  EXPECT_EQ(block.GetString("hostname"), "web-1");
  EXPECT_EQ(block.GetString("expires_at"), "2026-01-01T00:15:00Z");
  EXPECT_EQ(block.GetString("backend"), "nftables");
  EXPECT_EQ(GetOk("/api/v1/blocks?source=203.0.113.7/32", viewer_).Find("items")->size(), 1U);
  EXPECT_EQ(GetOk("/api/v1/blocks?host_id=" + db_.id, viewer_).Find("items")->size(), 0U);
  EXPECT_EQ(Do("GET", "/api/v1/blocks?source=x", viewer_).status, 400);
  EXPECT_EQ(GetOk("/api/v1/blocks", admin_b_).Find("items")->size(), 0U);
}

}  // namespace
}  // namespace rampart::server::api
