// The settings schema (validation, defaults) and GET/PUT /settings.
#include <gtest/gtest.h>

#include <string>

#include "server/api/api_test_support.h"
#include "server/api/settings_schema.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using testing::ParseBody;

Json MustParse(std::string_view text) {
  auto parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : Json();
}

// The message of validating `text`, or "ok".
std::string Problem(std::string_view text) {
  Status status = ValidateSettings(MustParse(text));
  return status.ok() ? "ok" : status.message();
}

TEST(SettingsSchema, AcceptsEveryKnownKeyWithinItsRange) {
  EXPECT_EQ(Problem("{}"), "ok");
  EXPECT_EQ(Problem(R"({"agent":{"heartbeat_seconds":5,"inventory_interval_seconds":86400,
                      "log_level":"debug"},
                      "hosts":{"offline_after_seconds":30},
                      "brute_force":{"window_seconds":60,"max_failures":5,"block_seconds":0},
                      "login":{"whitelist":[{"source":"10.0.0.0/8","hosts":"all"},
                                            {"source":"2001:db8::1","hosts":["h_1","h_2"]},
                                            {"source":"192.0.2.7/32","hosts":["h_3"]}]}})"),
            "ok");
}

TEST(SettingsSchema, NamesTheKeyPathAndWhatWasExpected) {
  EXPECT_EQ(Problem(R"({"agent":{"heartbeat_seconds":2}})"),
            "agent.heartbeat_seconds: expected an integer from 5 to 3600, got 2");
  EXPECT_EQ(Problem(R"({"agent":{"heartbeat_seconds":"60"}})"),
            "agent.heartbeat_seconds: expected an integer from 5 to 3600, got \"60\"");
  EXPECT_EQ(Problem(R"({"agent":{"heartbeat_seconds":60.5}})"),
            "agent.heartbeat_seconds: expected an integer from 5 to 3600, got 60.5");
  EXPECT_EQ(Problem(R"({"agent":{"log_level":"loud"}})"),
            "agent.log_level: expected one of trace|debug|info|warn|error, got \"loud\"");
  EXPECT_EQ(Problem(R"({"hosts":{"offline_after_seconds":86401}})"),
            "hosts.offline_after_seconds: expected an integer from 30 to 86400, got 86401");
  EXPECT_EQ(Problem(R"({"agent":5})"), "agent: expected an object");
  EXPECT_EQ(Problem("[]"), "settings: expected a JSON object");
}

TEST(SettingsSchema, RejectsUnknownAndDuplicateKeys) {
  EXPECT_EQ(
      Problem(R"({"agnet":{}})"),
      "agnet: unknown setting (known keys: agent, hosts, brute_force, login, vulnerabilities, "
      "malware)");
  EXPECT_EQ(Problem(R"({"agent":{"heartbeat":60}})"),
            "agent.heartbeat: unknown setting (known keys under agent: heartbeat_seconds, "
            "inventory_interval_seconds, log_level)");
  // A dotted key is not a shortcut for nesting.
  EXPECT_NE(Problem(R"({"agent.heartbeat_seconds":60})").find("unknown setting"),
            std::string::npos);
  EXPECT_EQ(Problem(R"({"agent":{"log_level":"info","log_level":"warn"}})"),
            "agent.log_level: duplicate key");
  EXPECT_EQ(Problem(R"({"agent":{"heartbeat_seconds":{"x":1}}})"),
            "agent.heartbeat_seconds: expected an integer from 5 to 3600, got {\"x\":1}");
}

TEST(SettingsSchema, ValidatesLoginWhitelistEntries) {
  auto whitelist = [](std::string_view entries) {
    return Problem(std::string(R"({"login":{"whitelist":)") + std::string(entries) + "}}");
  };
  EXPECT_EQ(whitelist(R"({})"), "login.whitelist: expected an array of at most 1000 entries");
  EXPECT_EQ(whitelist(R"([{"source":"10.0.0.300","hosts":"all"}])"),
            "login.whitelist[0].source: expected an IPv4/IPv6 address or CIDR, got \"10.0.0.300\"");
  EXPECT_EQ(
      whitelist(R"([{"source":"10.0.0.0/33","hosts":"all"}])"),
      "login.whitelist[0].source: expected an IPv4/IPv6 address or CIDR, got \"10.0.0.0/33\"");
  EXPECT_EQ(whitelist(R"([{"source":"::/129","hosts":"all"}])").substr(0, 26),
            "login.whitelist[0].source:");
  EXPECT_EQ(whitelist(R"([{"source":"10.0.0.1","hosts":"all"},{"source":"10.0.0.2"}])"),
            "login.whitelist[1].hosts: required");
  EXPECT_EQ(whitelist(R"([{"hosts":"all"}])"),
            "login.whitelist[0].source: required (or user, or countries)");
  EXPECT_EQ(whitelist(R"([{"source":"10.0.0.1","hosts":"some"}])"),
            "login.whitelist[0].hosts: expected \"all\" or a non-empty array (at most 10000) of "
            "host ids, got \"some\"");
  EXPECT_EQ(whitelist(R"([{"source":"10.0.0.1","hosts":[]}])").substr(0, 24),
            "login.whitelist[0].hosts");
  EXPECT_EQ(whitelist(R"([{"source":"10.0.0.1","hosts":["h 1"]}])").substr(0, 24),
            "login.whitelist[0].hosts");
  EXPECT_EQ(whitelist(R"([{"source":"10.0.0.1","hosts":"all","note":"x"}])"),
            "login.whitelist[0].note: unknown key (accepted: source, user, hosts, countries, "
            "days, hours, zone)");
  EXPECT_EQ(whitelist(R"(["10.0.0.1"])"),
            "login.whitelist[0]: expected an object {\"source\": ..., \"hosts\": ...}");
}

TEST(SettingsSchema, WhitelistScopes) {
  auto problem = [](std::string_view login) {
    Status s = ValidateSettings(MustParse(std::string(R"({"login":)") + std::string(login) + "}"));
    return s.ok() ? std::string() : s.message();
  };
  // Scoped entries are valid; an entry may name countries or a user instead of a source.
  EXPECT_EQ(problem(R"({"whitelist":[
      {"source":"198.51.100.0/24","days":["mon","fri"],"hours":"08:00-18:00","zone":"+01:00",
       "hosts":["h1"]},
      {"countries":["DE","FR"],"hosts":"all"},
      {"source":"203.0.113.5","user":"deploy","hosts":"all"},
      {"user":"ops","hours":"22:00-06:00","zone":"local","hosts":"all"}],
    "whitelist_users":[{"user":"backup","countries":["DE"],"days":["sat","sun"],"hosts":"all"}]})"),
            "");
  EXPECT_EQ(problem(R"({"whitelist":[{"countries":["de"],"hosts":"all"}]})"),
            "login.whitelist[0].countries: expected two upper-case letters (\"DE\"), got \"de\"");
  EXPECT_EQ(problem(R"({"whitelist":[{"source":"10.0.0.1","days":["funday"],"hosts":"all"}]})"),
            "login.whitelist[0].days: expected mon, tue, wed, thu, fri, sat or sun, got "
            "\"funday\"");
  EXPECT_EQ(problem(R"({"whitelist_users":[{"user":"a","hours":"9-5","hosts":"all"}]})")
                .find("login.whitelist_users[0].hours: expected HH:MM-HH:MM"),
            0u);
  EXPECT_EQ(problem(R"({"whitelist":[{"source":"10.0.0.1","zone":"Mars/Base","hosts":"all"}]})")
                .substr(0, 64),
            "login.whitelist[0].zone: unknown time zone \"Mars/Base\": expected");
  EXPECT_EQ(
      problem(R"({"whitelist":[{"source":"10.0.0.1","zone":"a b","hosts":"all"}]})").substr(0, 31),
      "login.whitelist[0].zone: expect");
  // tz database names (tzdata, scripts/install-deps.sh).
  EXPECT_EQ(problem(R"({"whitelist":[{"source":"10.0.0.1","hours":"08:00-18:00",)"
                    R"("zone":"Europe/Paris","hosts":"all"}],)"
                    R"("whitelist_users":[{"user":"a","days":["sat"],"zone":"America/New_York",)"
                    R"("hosts":"all"}]})"),
            "");
  EXPECT_EQ(problem(R"({"whitelist":[{"days":["mon"],"hosts":"all"}]})"),
            "login.whitelist[0].source: required (or user, or countries)");
  EXPECT_EQ(problem(R"({"whitelist_users":[{"user":"a","source":"10.0.0.1","hosts":"all"}]})"),
            "login.whitelist_users[0].source: unknown key (accepted: user, hosts, countries, days, "
            "hours, zone)");
}

TEST(SettingsSchema, EffectiveSettingsFillDefaultsAndDropInvalidValues) {
  Json effective = EffectiveSettings(MustParse(
      R"({"agent":{"heartbeat_seconds":30,"log_level":"bogus"},"junk":1,
          "login":{"whitelist":[{"source":"10.0.0.1","hosts":"all"}]}})"));
  EXPECT_EQ(
      effective.Dump(),
      R"({"agent":{"heartbeat_seconds":30,"inventory_interval_seconds":3600,"log_level":"info"},)"
      R"("hosts":{"offline_after_seconds":180},)"
      R"("brute_force":{"window_seconds":300,"max_failures":5,"block_seconds":900,"rules":[]},)"
      R"("login":{"whitelist":[{"source":"10.0.0.1","hosts":"all"}],"whitelist_users":[],)"
      R"("abnormal":{"learning_days":14}},)"
      R"("vulnerabilities":{"scan_interval_hours":24},)"
      R"("malware":{"realtime":"on","auto_quarantine":"off","quick_scan_time":"03:00",)"
      R"("full_scan_days":0,"full_scan_window_start":"01:00","full_scan_window_hours":6,)"
      R"("quick_scan_window_hours":2}})");
  EXPECT_EQ(EffectiveSettings(Json()), EffectiveSettings(Json::MakeObject()));
  EXPECT_TRUE(ValidateSettings(EffectiveSettings(Json())).ok());
}

TEST(SettingsSchema, BruteForceRulesAreAtMostFiveCompleteRules) {
  auto check = [](const std::string& rules) {
    return ValidateSettings(MustParse(R"({"brute_force":{"rules":)" + rules + "}}")).message();
  };
  EXPECT_EQ(check(R"([{"window_seconds":60,"max_failures":10,"level":"critical"},
                      {"window_seconds":3600,"max_failures":50}])"),
            "");
  EXPECT_EQ(check(R"([{"window_seconds":5,"max_failures":10}])"),
            "brute_force.rules[0].window_seconds: expected an integer from 10 to 604800, got 5");
  EXPECT_EQ(check(R"([{"window_seconds":60}])"), "brute_force.rules[0].max_failures: required");
  EXPECT_EQ(check(R"([{"window_seconds":60,"max_failures":3,"level":"severe"}])"),
            "brute_force.rules[0].level: expected low, medium, high or critical, got \"severe\"");
  EXPECT_EQ(check(R"([{"window_seconds":60,"max_failures":3,"count":1}])"),
            "brute_force.rules[0].count: unknown key (accepted: window_seconds, max_failures, "
            "level)");
  const std::string rule = R"({"window_seconds":60,"max_failures":3})";
  EXPECT_EQ(
      check("[" + rule + "," + rule + "," + rule + "," + rule + "," + rule + "," + rule + "]"),
      "brute_force.rules: expected an array of at most 5 rules");
}

TEST(SettingsSchema, MalwareTimesOfDayAndSwitches) {
  EXPECT_TRUE(ValidateSettings(MustParse(R"({"malware":{"realtime":"off","auto_quarantine":"on",
      "quick_scan_time":"23:59","full_scan_days":7,"full_scan_window_start":"00:00",
      "full_scan_window_hours":24,"quick_scan_window_hours":24}})"))
                  .ok());
  for (const char* bad : {R"("24:00")", R"("3:00")", R"("03:60")", R"("03-00")", "300", "null"}) {
    EXPECT_EQ(
        ValidateSettings(MustParse(std::string(R"({"malware":{"quick_scan_time":)") + bad + "}}"))
            .message(),
        std::string("malware.quick_scan_time: expected a time of day \"HH:MM\" (00:00 to "
                    "23:59), got ") +
            bad)
        << bad;
  }
  EXPECT_FALSE(ValidateSettings(MustParse(R"({"malware":{"realtime":true}})")).ok());
  EXPECT_FALSE(ValidateSettings(MustParse(R"({"malware":{"full_scan_days":-1}})")).ok());
  Json effective = EffectiveSettings(MustParse(R"({"malware":{"quick_scan_time":"25:00"}})"));
  EXPECT_EQ(effective.Find("malware")->GetString("quick_scan_time"), "03:00");
}

TEST(SettingsSchema, UserWhitelistAndLearningDays) {
  EXPECT_TRUE(ValidateSettings(MustParse(R"({"login":{"whitelist_users":[
      {"user":"deploy","hosts":"all"},{"user":"backup","hosts":["h_1"]}],
      "abnormal":{"learning_days":30}}})"))
                  .ok());
  EXPECT_EQ(
      ValidateSettings(MustParse(R"({"login":{"whitelist_users":[{"user":"","hosts":"all"}]}})"))
          .message(),
      "login.whitelist_users[0].user: expected a user name of 1 to 255 bytes without control "
      "characters, got \"\"");
  EXPECT_EQ(
      ValidateSettings(MustParse(R"({"login":{"whitelist_users":[{"user":"x"}]}})")).message(),
      "login.whitelist_users[0].hosts: required");
  EXPECT_EQ(ValidateSettings(MustParse(R"({"login":{"abnormal":{"learning_days":0}}})")).message(),
            "login.abnormal.learning_days: expected an integer from 1 to 90, got 0");
}

TEST(SettingsSchema, JsonSchemaDescribesEveryKey) {
  Json schema = SettingsJsonSchema();
  for (const SettingSpec& spec : SettingSpecs()) {
    const Json* node = &schema;
    for (std::string_view part : SettingPathParts(spec.path)) {
      node = node->Find("properties") == nullptr ? nullptr : node->Find("properties")->Find(part);
      ASSERT_NE(node, nullptr) << spec.path;
    }
    EXPECT_FALSE(node->GetString("description").empty()) << spec.path;
  }
  EXPECT_EQ(*schema.Find("additionalProperties"), Json(false));
}

class SettingsApi : public ApiFixture {};

TEST_F(SettingsApi, StartsEmptyWithDefaultsAsEffectiveValues) {
  Json body = GetOk("/api/v1/settings", viewer_);
  EXPECT_EQ(body.Find("settings")->Dump(), "{}");
  EXPECT_EQ(*body.Find("effective"), EffectiveSettings(Json::MakeObject()));
  EXPECT_TRUE(body.Find("version")->is_int());
}

TEST_F(SettingsApi, AdminReplacesSettingsAndTheVersionAdvances) {
  const std::int64_t v0 = GetOk("/api/v1/settings", viewer_).GetInt("version");
  net::HttpResponse put = Do(
      "PUT", "/api/v1/settings", admin_,
      R"({"version":)" + std::to_string(v0) + R"(,"settings":{"agent":{"heartbeat_seconds":30}}})");
  ASSERT_EQ(put.status, 200) << put.body;
  Json stored = ParseBody(put);
  EXPECT_GT(stored.GetInt("version"), v0);
  EXPECT_EQ(stored.Find("settings")->Dump(), R"({"agent":{"heartbeat_seconds":30}})");
  EXPECT_EQ(stored.Find("effective")->Find("agent")->GetInt("heartbeat_seconds"), 30);
  EXPECT_EQ(stored.GetString("updated_at"), "2026-01-01T00:00:00Z");
  Json read = GetOk("/api/v1/settings", viewer_);
  EXPECT_EQ(read.GetInt("version"), stored.GetInt("version"));
  EXPECT_EQ(*read.Find("settings"), *stored.Find("settings"));

  // Without a version the write is unconditional.
  net::HttpResponse blind = Do("PUT", "/api/v1/settings", admin_, R"({"settings":{}})");
  EXPECT_EQ(blind.status, 200) << blind.body;
}

TEST_F(SettingsApi, AStaleVersionIs409AndChangesNothing) {
  const std::int64_t v0 = GetOk("/api/v1/settings", viewer_).GetInt("version");
  const std::string body = R"({"version":)" + std::to_string(v0) +
                           R"(,"settings":{"hosts":{"offline_after_seconds":300}}})";
  ASSERT_EQ(Do("PUT", "/api/v1/settings", admin_, body).status, 200);
  net::HttpResponse stale = Do("PUT", "/api/v1/settings", admin_,
                               R"({"version":)" + std::to_string(v0) +
                                   R"(,"settings":{"hosts":{"offline_after_seconds":60}}})");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(ErrorCode(stale), "failed_precondition");
  EXPECT_EQ(GetOk("/api/v1/settings", viewer_)
                .Find("settings")
                ->Find("hosts")
                ->GetInt("offline_after_seconds"),
            300);
}

TEST_F(SettingsApi, InvalidSettingsAre400NamingThePathAndNothingIsStored) {
  const Json before = GetOk("/api/v1/settings", viewer_);
  struct Case {
    std::string body;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"settings":{"agent":{"heartbeat_seconds":1}}})",
            "settings.agent.heartbeat_seconds: expected an integer from 5 to 3600, got 1"},
           {R"({"settings":{"agent":{"colour":"red"}}})", "settings.agent.colour: unknown setting"},
           {R"({"settings":[]})", "settings: expected a JSON object"},
           {R"({"version":"3","settings":{}})", "field 'version': expected an integer"},
           {R"({"version":-1,"settings":{}})", "field 'version': expected an integer"},
           {R"({"settings":{},"extra":1})", "unknown field 'extra' (accepted: version, settings)"},
           {R"({"version":1})", "field 'settings': required"},
           {R"([1,2])", "request body: expected a JSON object"},
       }) {
    net::HttpResponse response = Do("PUT", "/api/v1/settings", admin_, c.body);
    EXPECT_EQ(response.status, 400) << c.body << " -> " << response.body;
    EXPECT_EQ(ErrorMessage(response).rfind(c.message, 0), 0U)
        << c.body << " -> " << ErrorMessage(response);
  }
  EXPECT_EQ(GetOk("/api/v1/settings", viewer_), before);
}

}  // namespace
}  // namespace rampart::server::api
