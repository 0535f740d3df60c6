#pragma once
// Test support for the hub and jobs tests: an in-memory WebSocket connection and a Storage that
// forwards to a real one but can be told to fail ApplyInventory (a database outage).

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/json.h"
#include "net/http.h"
#include "server/storage/storage.h"

namespace rampart::server::testing {

class FakeConnection final : public net::WsConnection {
 public:
  bool Send(std::string text) override {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    sent_.push_back(std::move(text));
    return true;
  }
  void Close() override {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  std::string remote_addr() const override { return "203.0.113.7"; }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  std::vector<std::string> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // Messages sent so far, parsed; removes them.
  std::vector<Json> Take() {
    std::lock_guard lock(mu_);
    std::vector<Json> out;
    for (const std::string& text : sent_) out.push_back(Json::Parse(text).value_or(Json()));
    sent_.clear();
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> sent_;
  bool closed_ = false;
};

// Forwards everything to `inner`; ApplyInventory can fail on demand and reports each call.
class ForwardingStorage final : public Storage {
 public:
  explicit ForwardingStorage(Storage& inner) : s_(inner) {}

  std::atomic<bool> fail_apply{false};
  std::function<void()> before_apply;  // runs inside ApplyInventory, before the commit

  std::string_view backend() const override { return s_.backend(); }
  int schema_version() const override { return s_.schema_version(); }
  Result<Tenant> CreateTenant(std::string_view n, std::int64_t now) override {
    return s_.CreateTenant(n, now);
  }
  Result<Tenant> GetTenant(std::string_view t) override { return s_.GetTenant(t); }
  Result<std::vector<Tenant>> ListTenants() override { return s_.ListTenants(); }
  Result<User> CreateUser(User u) override { return s_.CreateUser(std::move(u)); }
  Result<User> GetUser(std::string_view t, std::string_view u) override { return s_.GetUser(t, u); }
  Result<User> GetUserByName(std::string_view t, std::string_view n) override {
    return s_.GetUserByName(t, n);
  }
  Result<Page<User>> ListUsers(std::string_view t, const PageRequest& p) override {
    return s_.ListUsers(t, p);
  }
  Status DeleteUser(std::string_view t, std::string_view u, std::int64_t now) override {
    return s_.DeleteUser(t, u, now);
  }
  Result<ApiTokenRecord> CreateApiToken(ApiTokenRecord r) override {
    return s_.CreateApiToken(std::move(r));
  }
  Result<ApiTokenRecord> GetApiToken(std::string_view id) override { return s_.GetApiToken(id); }
  Result<Page<ApiTokenRecord>> ListApiTokens(std::string_view t, const PageRequest& p) override {
    return s_.ListApiTokens(t, p);
  }
  Status RevokeApiToken(std::string_view t, std::string_view id, std::int64_t now) override {
    return s_.RevokeApiToken(t, id, now);
  }
  Result<EnrollTokenRecord> CreateEnrollToken(EnrollTokenRecord r) override {
    return s_.CreateEnrollToken(std::move(r));
  }
  Result<EnrollTokenRecord> GetEnrollToken(std::string_view id) override {
    return s_.GetEnrollToken(id);
  }
  Result<Page<EnrollTokenRecord>> ListEnrollTokens(std::string_view t,
                                                   const PageRequest& p) override {
    return s_.ListEnrollTokens(t, p);
  }
  Status RevokeEnrollToken(std::string_view t, std::string_view id, std::int64_t now) override {
    return s_.RevokeEnrollToken(t, id, now);
  }
  Result<Host> EnrollHost(std::string_view id, Host h, std::int64_t now) override {
    return s_.EnrollHost(id, std::move(h), now);
  }
  Result<Host> GetHost(std::string_view t, std::string_view h) override { return s_.GetHost(t, h); }
  Result<Host> GetHostById(std::string_view h) override { return s_.GetHostById(h); }
  Result<Page<Host>> ListHosts(std::string_view t, const HostQuery& q) override {
    return s_.ListHosts(t, q);
  }
  Status DeleteHost(std::string_view t, std::string_view h) override { return s_.DeleteHost(t, h); }
  Status RecordHeartbeats(const std::vector<std::pair<std::string, std::int64_t>>& b) override {
    return s_.RecordHeartbeats(b);
  }
  Status SetHostStatus(std::string_view h, HostStatus st, std::int64_t now) override {
    return s_.SetHostStatus(h, st, now);
  }
  Result<std::int64_t> MarkOffline(std::int64_t cutoff) override { return s_.MarkOffline(cutoff); }
  Result<std::vector<std::pair<HostStatus, std::int64_t>>> CountHostsByStatus() override {
    return s_.CountHostsByStatus();
  }
  Result<IngestOutcome> ApplyInventory(std::string_view h, const InventoryBatch& b,
                                       std::int64_t now) override {
    if (before_apply) before_apply();
    if (fail_apply) return Unavailable("database is down (test)");
    return s_.ApplyInventory(h, b, now);
  }
  Result<Page<FingerprintRow>> QueryFingerprints(std::string_view t,
                                                 const FingerprintQuery& q) override {
    return s_.QueryFingerprints(t, q);
  }
  Result<std::vector<std::pair<std::string, std::int64_t>>> CountFingerprints(
      std::string_view t, std::string_view h) override {
    return s_.CountFingerprints(t, h);
  }
  Result<TenantSettings> GetSettings(std::string_view t) override { return s_.GetSettings(t); }
  Result<TenantSettings> PutSettings(std::string_view t, const Json& s, std::int64_t v,
                                     std::int64_t now) override {
    return s_.PutSettings(t, s, v, now);
  }
  Result<std::vector<std::pair<std::string, std::int64_t>>> SettingsChangedSince(
      std::int64_t since) override {
    return s_.SettingsChangedSince(since);
  }
  Result<bool> TryAcquireLease(std::string_view n, std::string_view h, std::int64_t ttl,
                               std::int64_t now) override {
    return s_.TryAcquireLease(n, h, ttl, now);
  }
  Result<std::int64_t> PruneBatchKeys(std::int64_t cutoff) override {
    return s_.PruneBatchKeys(cutoff);
  }
  Result<EventsIngest> ApplySecurityEvents(std::string_view h, const SecurityEventsBatch& b,
                                           std::int64_t now) override {
    if (fail_apply) return Unavailable("database is down (test)");
    return s_.ApplySecurityEvents(h, b, now);
  }
  Result<EventsIngest> ApplyBlocksSnapshot(std::string_view h, const BlocksSnapshot& b,
                                           std::int64_t now) override {
    if (fail_apply) return Unavailable("database is down (test)");
    return s_.ApplyBlocksSnapshot(h, b, now);
  }
  Result<Page<SecurityEvent>> ListSecurityEvents(std::string_view t, const EventQuery& q) override {
    return s_.ListSecurityEvents(t, q);
  }
  Result<SecurityEvent> GetSecurityEvent(std::string_view t, std::string_view id) override {
    return s_.GetSecurityEvent(t, id);
  }
  Result<std::vector<std::string>> SetEventStatus(std::string_view t,
                                                  const std::vector<std::string>& ids,
                                                  EventStatus st,
                                                  const std::optional<std::string>& note,
                                                  std::string_view by, std::int64_t now) override {
    return s_.SetEventStatus(t, ids, st, note, by, now);
  }
  Result<std::int64_t> WhitelistEvents(std::string_view t, std::string_view src,
                                       std::string_view user, std::string_view h,
                                       std::string_view by, std::int64_t now) override {
    return s_.WhitelistEvents(t, src, user, h, by, now);
  }
  Result<Page<BlockEntry>> ListBlocks(std::string_view t, const BlockQuery& q) override {
    return s_.ListBlocks(t, q);
  }
  Result<AgentCommand> EnqueueCommand(AgentCommand c) override {
    return s_.EnqueueCommand(std::move(c));
  }
  Result<Page<AgentCommand>> ListCommands(std::string_view t, std::string_view h,
                                          const PageRequest& p) override {
    return s_.ListCommands(t, h, p);
  }
  Result<std::vector<AgentCommand>> ClaimPendingCommands(std::string_view h, std::int64_t now,
                                                         int limit) override {
    return s_.ClaimPendingCommands(h, now, limit);
  }
  Status RequeueCommand(std::string_view id) override { return s_.RequeueCommand(id); }
  Result<std::vector<std::string>> HostsWithCommandsSince(std::int64_t since) override {
    return s_.HostsWithCommandsSince(since);
  }
  Result<FeedImport> ImportAdvisories(FeedImport i, const std::vector<StoredAdvisory>& r) override {
    return s_.ImportAdvisories(std::move(i), r);
  }
  Result<std::int64_t> FeedGeneration() override { return s_.FeedGeneration(); }
  Result<std::vector<StoredAdvisory>> LoadAdvisories() override { return s_.LoadAdvisories(); }
  Result<std::vector<FeedImport>> ListFeedImports() override { return s_.ListFeedImports(); }
  Status MarkHostsForRematch(std::string_view t, const std::vector<std::string>& h,
                             std::int64_t now) override {
    return s_.MarkHostsForRematch(t, h, now);
  }
  Result<std::vector<std::pair<std::string, std::string>>> QueuedRematches(int limit) override {
    return s_.QueuedRematches(limit);
  }
  Status FinishRematch(std::string_view h, std::string_view m) override {
    return s_.FinishRematch(h, m);
  }
  Result<bool> ClaimScheduledScan(std::string_view t, std::int64_t i, std::int64_t now) override {
    return s_.ClaimScheduledScan(t, i, now);
  }
  Result<RematchResult> ReplaceHostFindings(std::string_view t, std::string_view h,
                                            std::vector<HostFinding> c,
                                            const std::function<bool(const std::string&)>& a,
                                            std::int64_t now) override {
    return s_.ReplaceHostFindings(t, h, std::move(c), a, now);
  }
  Result<Page<HostFinding>> ListHostFindings(std::string_view t,
                                             const HostFindingQuery& q) override {
    return s_.ListHostFindings(t, q);
  }
  Result<Page<VulnSummary>> ListVulnerabilities(std::string_view t, const VulnQuery& q) override {
    return s_.ListVulnerabilities(t, q);
  }
  Result<std::vector<HostFinding>> SetFindingIgnored(std::string_view t, std::string_view h,
                                                     std::string_view v, bool i,
                                                     std::int64_t now) override {
    return s_.SetFindingIgnored(t, h, v, i, now);
  }
  Result<IgnoreRule> CreateIgnoreRule(IgnoreRule r) override {
    return s_.CreateIgnoreRule(std::move(r));
  }
  Result<std::vector<IgnoreRule>> ListIgnoreRules(std::string_view t) override {
    return s_.ListIgnoreRules(t);
  }
  Status DeleteIgnoreRule(std::string_view t, std::string_view id) override {
    return s_.DeleteIgnoreRule(t, id);
  }
  Result<EmergencyFlag> SetEmergency(EmergencyFlag f) override {
    return s_.SetEmergency(std::move(f));
  }
  Result<std::vector<EmergencyFlag>> ListEmergencies(std::string_view t) override {
    return s_.ListEmergencies(t);
  }
  Status DeleteEmergency(std::string_view t, std::string_view v) override {
    return s_.DeleteEmergency(t, v);
  }
  Status CreateWebSession(const WebSession& w) override { return s_.CreateWebSession(w); }
  Result<WebSession> GetWebSession(std::string_view id) override { return s_.GetWebSession(id); }
  Status TouchWebSession(std::string_view id, std::int64_t now) override {
    return s_.TouchWebSession(id, now);
  }
  Status DeleteWebSession(std::string_view id) override { return s_.DeleteWebSession(id); }
  Result<std::int64_t> PruneWebSessions(std::int64_t now, std::int64_t idle_cutoff) override {
    return s_.PruneWebSessions(now, idle_cutoff);
  }
  Result<HostSummary> SummarizeHosts(std::string_view t, int top_n) override {
    return s_.SummarizeHosts(t, top_n);
  }
  Result<StatsOverview> GetStatsOverview(std::string_view t) override {
    return s_.GetStatsOverview(t);
  }
  Result<std::vector<EventDayCount>> CountEventsByDay(std::string_view t, std::int64_t from,
                                                      std::int64_t offset) override {
    return s_.CountEventsByDay(t, from, offset);
  }
  Result<bool> AddVulnSnapshot(std::string_view t, const VulnDaySnapshot& s) override {
    return s_.AddVulnSnapshot(t, s);
  }
  Result<std::vector<VulnDaySnapshot>> ListVulnSnapshots(std::string_view t, std::string_view from,
                                                         std::string_view to) override {
    return s_.ListVulnSnapshots(t, from, to);
  }
  Result<BaselinePolicyRecord> PutBaselinePolicy(BaselinePolicyRecord p) override {
    return s_.PutBaselinePolicy(std::move(p));
  }
  Result<std::vector<BaselinePolicyRecord>> ListBaselinePolicies(std::string_view t) override {
    return s_.ListBaselinePolicies(t);
  }
  Result<BaselinePolicyRecord> GetBaselinePolicy(std::string_view t, std::string_view p) override {
    return s_.GetBaselinePolicy(t, p);
  }
  Status DeleteBaselinePolicy(std::string_view t, std::string_view p) override {
    return s_.DeleteBaselinePolicy(t, p);
  }
  Result<std::vector<BaselinePolicySettings>> ListBaselineSettings(std::string_view t) override {
    return s_.ListBaselineSettings(t);
  }
  Status PutBaselineSettings(const BaselinePolicySettings& s) override {
    return s_.PutBaselineSettings(s);
  }
  Result<BaselineRun> CreateBaselineRun(BaselineRun r) override {
    return s_.CreateBaselineRun(std::move(r));
  }
  Result<BaselineRun> GetBaselineRun(std::string_view t, std::string_view r) override {
    return s_.GetBaselineRun(t, r);
  }
  Result<BaselineIngest> ApplyBaselineResults(std::string_view h, const BaselineResultsBatch& b,
                                              std::int64_t now) override {
    return s_.ApplyBaselineResults(h, b, now);
  }
  Result<std::vector<BaselineResultRow>> ListBaselineResults(
      std::string_view t, const BaselineResultQuery& q) override {
    return s_.ListBaselineResults(t, q);
  }
  Result<BaselineCounts> CountBaselineResults(std::string_view t, std::string_view p) override {
    return s_.CountBaselineResults(t, p);
  }
  Result<BaselineIgnore> CreateBaselineIgnore(BaselineIgnore i) override {
    return s_.CreateBaselineIgnore(std::move(i));
  }
  Result<std::vector<BaselineIgnore>> ListBaselineIgnores(std::string_view t) override {
    return s_.ListBaselineIgnores(t);
  }
  Status DeleteBaselineIgnore(std::string_view t, std::string_view i) override {
    return s_.DeleteBaselineIgnore(t, i);
  }
  Result<std::vector<BaselineDay>> BaselineTrend(std::string_view t, std::string_view d) override {
    return s_.BaselineTrend(t, d);
  }
  Result<CommandResultsIngest> ApplyCommandResults(std::string_view h, const CommandResultsBatch& b,
                                                   std::int64_t now) override {
    return s_.ApplyCommandResults(h, b, now);
  }
  Result<EventsIngest> ApplyMalwareEvents(std::string_view h, const MalwareEventsBatch& b,
                                          std::int64_t now) override {
    return s_.ApplyMalwareEvents(h, b, now);
  }
  Result<Page<MalwareEvent>> ListMalwareEvents(std::string_view t, const MalwareQuery& q) override {
    return s_.ListMalwareEvents(t, q);
  }
  Result<MalwareEvent> GetMalwareEvent(std::string_view t, std::string_view id) override {
    return s_.GetMalwareEvent(t, id);
  }
  Result<MalwareEvent> SetMalwareStatus(std::string_view t, std::string_view id, MalwareStatus st,
                                        std::string_view by, std::int64_t now) override {
    return s_.SetMalwareStatus(t, id, st, by, now);
  }
  Result<TrustedCreated> CreateTrustedFile(TrustedFile e) override {
    return s_.CreateTrustedFile(std::move(e));
  }
  Result<std::vector<TrustedFile>> ListTrustedFiles(std::string_view t) override {
    return s_.ListTrustedFiles(t);
  }
  Status DeleteTrustedFile(std::string_view t, std::string_view id) override {
    return s_.DeleteTrustedFile(t, id);
  }
  Result<Page<MalwareScan>> ListMalwareScans(std::string_view t, const ScanQuery& q) override {
    return s_.ListMalwareScans(t, q);
  }
  Result<MalwareSummary> SummarizeMalware(std::string_view t, std::int64_t now) override {
    return s_.SummarizeMalware(t, now);
  }

 private:
  Storage& s_;
};

}  // namespace rampart::server::testing
