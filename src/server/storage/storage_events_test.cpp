// Storage: login security events (upsert per incident, idempotent batches, status handling,
// whitelisting past events), block snapshots, and the agent command queue. Runs on SQLite and on
// MariaDB (test_db.h).

#include <set>

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class Events : public StorageTest {
 protected:
  ReportedEvent Incident(const std::string& hex, const std::string& source,
                         EventLevel level = EventLevel::kMedium, std::int64_t last_seen = 5000) {
    ReportedEvent e;
    e.incident_id = hex;
    e.type = "brute_force";
    e.level = level;
    e.rule = "default";
    e.service = "sshd";
    e.source = source;
    e.user = "root";
    e.users = {"root", "admin"};
    e.count = 10;
    e.first_seen = 4000;
    e.last_seen = last_seen;
    return e;
  }

  EventsIngest MustApply(const std::string& host, const std::string& key,
                         std::vector<ReportedEvent> events, std::int64_t now = 6000) {
    SecurityEventsBatch batch;
    batch.idempotency_key = key;
    batch.events = std::move(events);
    auto result = storage().ApplySecurityEvents(host, batch, now);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : EventsIngest{};
  }

  std::vector<SecurityEvent> All(const std::string& tenant, EventQuery query = {}) {
    query.page.limit = 500;
    auto page = storage().ListSecurityEvents(tenant, query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<SecurityEvent>{};
  }

  static std::string Hex(char c) { return std::string(32, c); }
};

TEST_P(Events, NewIncidentsArePendingAndCountAsOpenRisk) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  EventsIngest r = MustApply(
      h.id, "k1", {Incident(Hex('a'), "203.0.113.7"), Incident(Hex('b'), "198.51.100.1")});
  EXPECT_EQ(r.outcome, IngestOutcome::kCommitted);
  EXPECT_EQ(r.inserted, 2);
  auto events = All(t.id);
  ASSERT_EQ(events.size(), 2U);
  for (const SecurityEvent& e : events) {
    EXPECT_EQ(e.status, EventStatus::kPending);
    EXPECT_EQ(e.host_id, h.id);
    EXPECT_EQ(e.hostname, "web-1");
    EXPECT_EQ(e.reported.users, (std::vector<std::string>{"root", "admin"}));
    EXPECT_EQ(e.created_at, 6000);
    EXPECT_EQ(e.id.rfind("ev_", 0), 0U);
  }
  EXPECT_EQ(storage().GetHost(t.id, h.id)->risk.events, 2);
}

TEST_P(Events, ADuplicateBatchKeyStoresNothingTwice) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  MustApply(h.id, "k1", {Incident(Hex('a'), "203.0.113.7")});
  ReportedEvent later = Incident(Hex('a'), "203.0.113.7", EventLevel::kHigh, 9000);
  later.count = 99;
  EventsIngest again = MustApply(h.id, "k1", {later});
  EXPECT_EQ(again.outcome, IngestOutcome::kDuplicate);
  auto events = All(t.id);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].reported.count, 10);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM security_events"), 1);
}

TEST_P(Events, UpsertTakesTheLaterVersionKeepsStatusAndNeverLowersLevel) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  MustApply(h.id, "k1", {Incident(Hex('a'), "203.0.113.7", EventLevel::kHigh, 5000)});
  const std::string id = All(t.id)[0].id;
  ASSERT_TRUE(
      storage().SetEventStatus(t.id, {id}, EventStatus::kHandled, "seen", "user:u_1", 7000).ok());

  ReportedEvent later = Incident(Hex('a'), "203.0.113.7", EventLevel::kLow, 8000);
  later.count = 42;
  later.users = {"root", "admin", "oracle"};
  later.first_seen = 4500;  // never moves first_seen later
  EventsIngest r = MustApply(h.id, "k2", {later}, 8100);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.inserted, 0);
  auto e = storage().GetSecurityEvent(t.id, id);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->reported.count, 42);
  EXPECT_EQ(e->reported.last_seen, 8000);
  EXPECT_EQ(e->reported.first_seen, 4000);
  EXPECT_EQ(e->reported.level, EventLevel::kHigh);
  EXPECT_EQ(e->reported.users.size(), 3U);
  EXPECT_EQ(e->status, EventStatus::kHandled);
  EXPECT_EQ(e->note, "seen");
  EXPECT_EQ(e->status_by, "user:u_1");
  EXPECT_EQ(e->status_at, 7000);
  EXPECT_EQ(e->updated_at, 8100);

  // An older version arriving late changes nothing it reported, but may still raise the level.
  ReportedEvent stale = Incident(Hex('a'), "203.0.113.7", EventLevel::kCritical, 6000);
  stale.count = 1;
  MustApply(h.id, "k3", {stale});
  e = storage().GetSecurityEvent(t.id, id);
  EXPECT_EQ(e->reported.count, 42);
  EXPECT_EQ(e->reported.last_seen, 8000);
  EXPECT_EQ(e->reported.level, EventLevel::kCritical);
}

TEST_P(Events, TheSameIncidentTwiceInOneBatchIsOneEvent) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  ReportedEvent first = Incident(Hex('a'), "203.0.113.7", EventLevel::kCritical, 5000);
  ReportedEvent second = Incident(Hex('a'), "203.0.113.7", EventLevel::kLow, 5500);
  second.count = 77;
  EventsIngest r = MustApply(h.id, "k1", {first, second});
  EXPECT_EQ(r.inserted, 1);
  auto events = All(t.id);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].reported.count, 77);
  EXPECT_EQ(events[0].reported.level, EventLevel::kCritical);
}

TEST_P(Events, IncidentIdsAreScopedToTheirHost) {
  Tenant t = MakeTenant("t");
  Host a = Enroll(t.id, "m1", "a");
  Host b = Enroll(t.id, "m2", "b");
  MustApply(a.id, "k1", {Incident(Hex('a'), "203.0.113.7")});
  MustApply(b.id, "k1", {Incident(Hex('a'), "203.0.113.7")});
  EXPECT_EQ(All(t.id).size(), 2U);
}

TEST_P(Events, FiltersPagesNewestFirstAndTenantIsolation) {
  Tenant t = MakeTenant("t");
  Tenant other = MakeTenant("other");
  Host h = Enroll(t.id, "m1", "web-1");
  Host h2 = Enroll(t.id, "m2", "db-1");
  Host foreign = Enroll(other.id, "m3", "x");
  std::vector<ReportedEvent> batch;
  for (int i = 0; i < 7; ++i) {
    ReportedEvent e = Incident(std::string(31, 'c') + static_cast<char>('0' + i),
                               i % 2 == 0 ? "203.0.113.7" : "198.51.100.9",
                               i < 3 ? EventLevel::kHigh : EventLevel::kLow, 5000 + i);
    if (i == 6) e.type = "cracked";
    batch.push_back(e);
  }
  MustApply(h.id, "k1", batch);
  MustApply(h2.id, "k1", {Incident(Hex('d'), "192.0.2.1", EventLevel::kLow, 100)});
  MustApply(foreign.id, "k1", {Incident(Hex('e'), "203.0.113.7")});

  // Newest first across pages, no duplicates, no gaps.
  EventQuery query;
  query.page.limit = 3;
  std::vector<std::int64_t> seen;
  std::set<std::string> ids;
  while (true) {
    auto page = storage().ListSecurityEvents(t.id, query);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const SecurityEvent& e : page->items) {
      seen.push_back(e.reported.last_seen);
      ids.insert(e.id);
      EXPECT_EQ(e.tenant_id, t.id);
    }
    if (page->next_cursor.empty()) break;
    query.page.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{5006, 5005, 5004, 5003, 5002, 5001, 5000, 100}));
  EXPECT_EQ(ids.size(), 8U);

  EventQuery by_source;
  by_source.source = "203.0.113.7";
  EXPECT_EQ(All(t.id, by_source).size(), 4U);
  EventQuery by_level;
  by_level.level = EventLevel::kHigh;
  EXPECT_EQ(All(t.id, by_level).size(), 3U);
  EventQuery by_type;
  by_type.type = "cracked";
  EXPECT_EQ(All(t.id, by_type).size(), 1U);
  EventQuery by_host;
  by_host.host_id = h2.id;
  EXPECT_EQ(All(t.id, by_host).size(), 1U);
  EventQuery window;
  window.since = 5002;
  window.until = 5004;
  EXPECT_EQ(All(t.id, window).size(), 3U);
  EventQuery by_status;
  by_status.status = EventStatus::kHandled;
  EXPECT_EQ(All(t.id, by_status).size(), 0U);
  EventQuery by_user;
  by_user.user = "nobody";
  EXPECT_EQ(All(t.id, by_user).size(), 0U);

  EventQuery foreign_host;
  foreign_host.host_id = foreign.id;
  EXPECT_EQ(storage().ListSecurityEvents(t.id, foreign_host).status().code(), Code::kNotFound);
  const std::string foreign_event = All(other.id)[0].id;
  EXPECT_EQ(storage().GetSecurityEvent(t.id, foreign_event).status().code(), Code::kNotFound);
  auto changed = storage().SetEventStatus(t.id, {foreign_event}, EventStatus::kIgnored,
                                          std::nullopt, "user:u", 1);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->empty());
  EXPECT_EQ(storage().GetSecurityEvent(other.id, foreign_event)->status, EventStatus::kPending);
}

TEST_P(Events, StatusChangesFollowTheRiskCounterAndReportMissingIds) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  MustApply(h.id, "k1",
            {Incident(Hex('a'), "203.0.113.7"), Incident(Hex('b'), "203.0.113.8"),
             Incident(Hex('c'), "203.0.113.9")});
  std::vector<std::string> ids;
  for (const SecurityEvent& e : All(t.id)) ids.push_back(e.id);
  ids.push_back("ev_missing");
  auto changed =
      storage().SetEventStatus(t.id, ids, EventStatus::kIgnored, std::nullopt, "token:tk_1", 9000);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->size(), 3U);
  EXPECT_EQ(storage().GetHost(t.id, h.id)->risk.events, 0);
  for (const SecurityEvent& e : All(t.id)) {
    EXPECT_EQ(e.status, EventStatus::kIgnored);
    EXPECT_EQ(e.status_by, "token:tk_1");
    EXPECT_EQ(e.note, "");
  }
  ASSERT_TRUE(storage()
                  .SetEventStatus(t.id, {ids[0]}, EventStatus::kPending, "reopened", "user:u", 9100)
                  .ok());
  EXPECT_EQ(storage().GetHost(t.id, h.id)->risk.events, 1);
  EXPECT_EQ(storage()
                .SetEventStatus(t.id, {ids[0]}, EventStatus::kPending, std::string(5000, 'x'),
                                "user:u", 1)
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST_P(Events, WhitelistingMarksPendingAndBlockedEventsOfTheSourceOrUserInScope) {
  Tenant t = MakeTenant("t");
  Host a = Enroll(t.id, "m1", "a");
  Host b = Enroll(t.id, "m2", "b");
  ReportedEvent by_user = Incident(Hex('c'), "192.0.2.50");
  by_user.user = "deploy";
  MustApply(a.id, "k1", {Incident(Hex('a'), "203.0.113.7"), by_user});
  MustApply(b.id, "k1", {Incident(Hex('a'), "203.0.113.7"), Incident(Hex('b'), "198.51.100.1")});
  // A handled event keeps the operator's decision.
  EventQuery on_b;
  on_b.host_id = b.id;
  on_b.source = "203.0.113.7";
  const std::string handled = All(t.id, on_b)[0].id;
  ASSERT_TRUE(
      storage().SetEventStatus(t.id, {handled}, EventStatus::kHandled, std::nullopt, "u", 1).ok());

  auto host_only = storage().WhitelistEvents(t.id, "203.0.113.7", "", a.id, "user:u", 100);
  ASSERT_TRUE(host_only.ok()) << host_only.status().ToString();
  EXPECT_EQ(*host_only, 1);
  auto everywhere = storage().WhitelistEvents(t.id, "203.0.113.7", "deploy", "", "user:u", 200);
  ASSERT_TRUE(everywhere.ok());
  EXPECT_EQ(*everywhere, 1);  // the deploy event; b's 203.0.113.7 event is handled
  EventQuery whitelisted;
  whitelisted.status = EventStatus::kWhitelisted;
  EXPECT_EQ(All(t.id, whitelisted).size(), 2U);
  EXPECT_EQ(storage().GetSecurityEvent(t.id, handled)->status, EventStatus::kHandled);
  EXPECT_EQ(storage().GetHost(t.id, a.id)->risk.events, 0);
  EXPECT_EQ(storage().GetHost(t.id, b.id)->risk.events, 1);
  EXPECT_EQ(storage().WhitelistEvents(t.id, "", "", "", "u", 1).status().code(),
            Code::kInvalidArgument);
}

class Blocks : public Events {
 protected:
  BlocksSnapshot Snapshot(const std::string& key, std::vector<std::string> sources) {
    BlocksSnapshot s;
    s.idempotency_key = key;
    s.backend = "nftables";
    for (const std::string& source : sources) {
      BlockEntry b;
      b.source = source;
      b.reason = "brute_force";
      b.created_at = 5000;
      b.expires_at = 5900;
      s.blocks.push_back(b);
    }
    return s;
  }
  std::vector<BlockEntry> AllBlocks(const std::string& tenant, BlockQuery query = {}) {
    query.page.limit = 500;
    auto page = storage().ListBlocks(tenant, query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<BlockEntry>{};
  }
};

TEST_P(Blocks, ASnapshotReplacesTheListAndMarksPendingEventsOfBlockedSources) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  MustApply(h.id, "e1",
            {Incident(Hex('a'), "203.0.113.7"), Incident(Hex('b'), "198.51.100.1"),
             Incident(Hex('c'), "192.0.2.1")});
  EventQuery c_query;
  c_query.source = "192.0.2.1";
  const std::string ignored = All(t.id, c_query)[0].id;
  ASSERT_TRUE(
      storage().SetEventStatus(t.id, {ignored}, EventStatus::kIgnored, std::nullopt, "u", 1).ok());

  auto r = storage().ApplyBlocksSnapshot(h.id, Snapshot("b1", {"203.0.113.7", "192.0.2.1"}), 6000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, IngestOutcome::kCommitted);
  EXPECT_EQ(r->updated, 1);
  auto blocks = AllBlocks(t.id);
  ASSERT_EQ(blocks.size(), 2U);
  EXPECT_EQ(blocks[0].source, "192.0.2.1");
  EXPECT_EQ(blocks[0].hostname, "web-1");
  EXPECT_EQ(blocks[0].backend, "nftables");
  EXPECT_EQ(blocks[0].expires_at, 5900);

  EventQuery blocked;
  blocked.status = EventStatus::kBlocked;
  auto events = All(t.id, blocked);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].reported.source, "203.0.113.7");
  EXPECT_EQ(events[0].status_by, "agent");
  EXPECT_EQ(storage().GetSecurityEvent(t.id, ignored)->status, EventStatus::kIgnored);
  EXPECT_EQ(storage().GetHost(t.id, h.id)->risk.events, 1);

  // The duplicate changes nothing; the next snapshot replaces the list.
  EXPECT_EQ(storage().ApplyBlocksSnapshot(h.id, Snapshot("b1", {}), 6100)->outcome,
            IngestOutcome::kDuplicate);
  EXPECT_EQ(AllBlocks(t.id).size(), 2U);
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(h.id, Snapshot("b2", {"10.0.0.0/8"}), 6200).ok());
  blocks = AllBlocks(t.id);
  ASSERT_EQ(blocks.size(), 1U);
  EXPECT_EQ(blocks[0].source, "10.0.0.0/8");
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(h.id, Snapshot("b3", {}), 6300).ok());
  EXPECT_TRUE(AllBlocks(t.id).empty());
}

TEST_P(Blocks, ABlockNamingAnIncidentMarksThatEvent) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  ReportedEvent distributed = Incident(Hex('a'), "");
  distributed.sources = {"203.0.113.1", "203.0.113.2"};
  MustApply(h.id, "e1", {distributed});
  BlocksSnapshot s = Snapshot("b1", {"203.0.113.1"});
  s.blocks[0].event_id = Hex('a');
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(h.id, s, 6000).ok());
  EXPECT_EQ(All(t.id)[0].status, EventStatus::kBlocked);
}

TEST_P(Blocks, ListingPagesAndFiltersWithinTheTenant) {
  Tenant t = MakeTenant("t");
  Tenant other = MakeTenant("o");
  Host a = Enroll(t.id, "m1", "a");
  Host b = Enroll(t.id, "m2", "b");
  Host x = Enroll(other.id, "m3", "x");
  std::vector<std::string> many;
  for (int i = 1; i <= 25; ++i) many.push_back("192.0.2." + std::to_string(i));
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(a.id, Snapshot("b1", many), 1).ok());
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(b.id, Snapshot("b1", {"192.0.2.1"}), 1).ok());
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(x.id, Snapshot("b1", {"192.0.2.1"}), 1).ok());
  BlockQuery query;
  query.page.limit = 10;
  std::set<std::string> seen;
  while (true) {
    auto page = storage().ListBlocks(t.id, query);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const BlockEntry& e : page->items) seen.insert(e.host_id + " " + e.source);
    if (page->next_cursor.empty()) break;
    query.page.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 26U);
  BlockQuery by_source;
  by_source.source = "192.0.2.1";
  EXPECT_EQ(AllBlocks(t.id, by_source).size(), 2U);
  BlockQuery foreign;
  foreign.host_id = x.id;
  EXPECT_EQ(storage().ListBlocks(t.id, foreign).status().code(), Code::kNotFound);
  // Deleting a host removes its events, blocks and commands.
  MustApply(a.id, "e1", {Incident(Hex('a'), "192.0.2.1")});
  AgentCommand c;
  c.tenant_id = t.id;
  c.host_id = a.id;
  c.name = "unblock";
  c.created_by = "u";
  ASSERT_TRUE(storage().EnqueueCommand(c).ok());
  ASSERT_TRUE(storage().DeleteHost(t.id, a.id).ok());
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM host_blocks WHERE host_id = '" + a.id + "'"), 0);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM security_events"), 0);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM agent_commands"), 0);
}

class Commands : public Blocks {
 protected:
  AgentCommand MustQueue(const Tenant& t, const Host& h, const std::string& name,
                         const std::string& source, std::int64_t at) {
    AgentCommand c;
    c.tenant_id = t.id;
    c.host_id = h.id;
    c.name = name;
    c.args = Json::Object{{"source", source}};
    c.created_by = "user:u_1";
    c.created_at = at;
    auto queued = storage().EnqueueCommand(c);
    EXPECT_TRUE(queued.ok()) << queued.status().ToString();
    return queued.ok() ? *queued : c;
  }
  CommandStatus StatusOf(const Tenant& t, const Host& h, const std::string& id) {
    auto page = storage().ListCommands(t.id, h.id, PageRequest{500, ""});
    EXPECT_TRUE(page.ok());
    for (const AgentCommand& c : page->items) {
      if (c.id == id) return c.status;
    }
    ADD_FAILURE() << "no command " << id;
    return CommandStatus::kExpired;
  }
};

TEST_P(Commands, QueuedCommandsAreClaimedOnceInOrderAndSurviveReopening) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  AgentCommand first = MustQueue(t, h, "block", "203.0.113.7", 1000);
  AgentCommand second = MustQueue(t, h, "unblock", "203.0.113.8", 1001);
  EXPECT_EQ(first.status, CommandStatus::kPending);
  EXPECT_EQ(first.id.rfind("cmd_", 0), 0U);

  auto hosts = storage().HostsWithCommandsSince(1000);
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ(*hosts, std::vector<std::string>{h.id});
  EXPECT_TRUE(storage().HostsWithCommandsSince(1002)->empty());

  // Another server process on the same database sees the queue (durable, not in memory).
  auto reopened = OpenStorage(url_, "");
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto claimed = (*reopened)->ClaimPendingCommands(h.id, 1100, 100);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 2U);
  EXPECT_EQ((*claimed)[0].id, first.id);
  EXPECT_EQ((*claimed)[1].id, second.id);
  EXPECT_EQ((*claimed)[0].args.GetString("source"), "203.0.113.7");
  EXPECT_TRUE(storage().ClaimPendingCommands(h.id, 1100, 100)->empty());
  EXPECT_EQ(StatusOf(t, h, first.id), CommandStatus::kDelivered);

  ASSERT_TRUE(storage().RequeueCommand(second.id).ok());
  EXPECT_EQ(StatusOf(t, h, second.id), CommandStatus::kPending);
  claimed = storage().ClaimPendingCommands(h.id, 1200, 100);
  ASSERT_EQ(claimed->size(), 1U);
  EXPECT_EQ((*claimed)[0].delivered_at, 1200);
}

TEST_P(Commands, ASnapshotShowingTheEffectMarksDeliveredCommandsApplied) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  AgentCommand block = MustQueue(t, h, "block", "203.0.113.7", 1000);
  AgentCommand unblock = MustQueue(t, h, "unblock", "198.51.100.1", 1001);
  AgentCommand pending_block = MustQueue(t, h, "block", "192.0.2.9", 1002);
  ASSERT_EQ(storage().ClaimPendingCommands(h.id, 1003, 2)->size(), 2U);
  ASSERT_TRUE(storage()
                  .ApplyBlocksSnapshot(h.id, Snapshot("b1", {"203.0.113.7", "198.51.100.1"}), 1002)
                  .ok());
  EXPECT_EQ(StatusOf(t, h, block.id), CommandStatus::kApplied);
  EXPECT_EQ(StatusOf(t, h, unblock.id), CommandStatus::kDelivered);  // still blocked
  ASSERT_TRUE(storage().ApplyBlocksSnapshot(h.id, Snapshot("b2", {"203.0.113.7"}), 1003).ok());
  EXPECT_EQ(StatusOf(t, h, unblock.id), CommandStatus::kApplied);
  EXPECT_EQ(StatusOf(t, h, pending_block.id), CommandStatus::kPending);  // never delivered
}

TEST_P(Commands, CommandsNotDeliveredWithinADayExpireAndOtherTenantsCannotQueue) {
  Tenant t = MakeTenant("t");
  Tenant other = MakeTenant("o");
  Host h = Enroll(t.id, "m1", "web-1");
  AgentCommand old = MustQueue(t, h, "block", "203.0.113.7", 1000);
  AgentCommand fresh = MustQueue(t, h, "block", "203.0.113.8", 1000 + kCommandTtlSeconds);
  auto claimed = storage().ClaimPendingCommands(h.id, 1001 + kCommandTtlSeconds, 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1U);
  EXPECT_EQ((*claimed)[0].id, fresh.id);
  EXPECT_EQ(StatusOf(t, h, old.id), CommandStatus::kExpired);

  AgentCommand foreign;
  foreign.tenant_id = other.id;
  foreign.host_id = h.id;
  foreign.name = "block";
  foreign.created_by = "u";
  EXPECT_EQ(storage().EnqueueCommand(foreign).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().ListCommands(other.id, h.id, PageRequest{}).status().code(), Code::kNotFound);
}

RAMPART_INSTANTIATE_DB_TEST(Events);
RAMPART_INSTANTIATE_DB_TEST(Blocks);
RAMPART_INSTANTIATE_DB_TEST(Commands);

}  // namespace
}  // namespace rampart::server
