#include "agent/monitor/security_events.h"

#include <algorithm>

#include "common/hash.h"
#include "common/logging.h"
#include "common/wire.h"

namespace rampart::agent {

std::string IncidentKey(const Alert& a) {
  std::string key = a.type;
  key += '\n';
  if (a.type == "brute_force") {
    // Account-scope alerts list the attacking sources; source-scope ones do not.
    if (!a.sources.empty()) {
      key += "acct\n" + a.user;
    } else {
      key += "src\n" + a.source;
    }
  } else if (a.type == "cracked") {
    key += a.source + '\n' + a.user;
  } else if (a.type == "abnormal_login") {
    key += a.user + '\n' + a.network;
  } else {
    key += a.source;
  }
  return key;
}

const char* ContractLevel(AlertLevel level) {
  switch (level) {
    case AlertLevel::kLow:
      return "low";
    case AlertLevel::kHigh:
      return "high";
    case AlertLevel::kCritical:
      return "critical";
    case AlertLevel::kMedium:
    case AlertLevel::kSuspicious:
      break;
  }
  return "medium";
}

int ContractLevelRank(std::string_view level) {
  if (level == "low") return 0;
  if (level == "medium") return 1;
  if (level == "high") return 2;
  if (level == "critical") return 3;
  return -1;
}

IncidentBook::IncidentBook(std::vector<IncidentRecord> restored, std::int64_t reopen_seconds)
    : reopen_seconds_(reopen_seconds) {
  for (auto& r : restored) {
    Entry e;
    e.base_count = r.count;
    e.record = std::move(r);
    const std::string key = e.record.key;
    entries_[key] = std::move(e);
  }
}

std::string IncidentBook::IdOf(const std::string& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? std::string() : it->second.record.id;
}

Json IncidentBook::Track(const Alert& a, const std::string& country) {
  const std::string key = IncidentKey(a);
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.live) {
    // A record from an earlier run: continue it when this alert is the same attack going on.
    if (a.first_seen > it->second.record.last_seen + reopen_seconds_) {
      entries_.erase(it);
      it = entries_.end();
    } else {
      it->second.live = true;
    }
  }
  if (it == entries_.end()) {
    Entry e;
    e.live = true;
    e.record.key = key;
    e.record.type = a.type;
    e.record.first_seen = a.first_seen;
    e.record.id = Sha256Hex(key + '\n' + std::to_string(a.first_seen)).substr(0, 32);
    e.record.level = ContractLevel(a.level);
    it = entries_.emplace(key, std::move(e)).first;
  }
  IncidentRecord& r = it->second.record;
  r.first_seen = std::min(r.first_seen, a.first_seen);
  r.last_seen = std::max(r.last_seen, a.last_seen);
  r.count = it->second.base_count + a.count;
  if (ContractLevelRank(ContractLevel(a.level)) > ContractLevelRank(r.level)) {
    r.level = ContractLevel(a.level);
  }

  Json j = Json::MakeObject();
  j.Set("id", r.id);
  j.Set("type", a.type);
  j.Set("level", r.level);
  j.Set("rule", a.rule);
  j.Set("service", a.service);
  j.Set("source", a.source);
  j.Set("user", a.user);
  j.Set("users", Json::StringArray(a.users));
  j.Set("sources", Json::StringArray(a.sources));
  j.Set("count", static_cast<std::int64_t>(r.count));
  j.Set("failures", static_cast<std::int64_t>(a.failures));
  j.Set("first_seen", r.first_seen);
  j.Set("last_seen", r.last_seen);
  // The contract has one reason: the strongest of a combined "new_network,unusual_hour".
  std::string reason = a.reason;
  if (reason.find(',') != std::string::npos) {
    for (const char* part : {"new_country", "new_user", "new_network", "unusual_hour"}) {
      if (reason.find(part) != std::string::npos) {
        reason = part;
        break;
      }
    }
  }
  j.Set("reason", reason);
  j.Set("network", a.network);
  j.Set("country", country.empty() ? a.country : country);
  return j;
}

std::vector<IncidentRecord> IncidentBook::Records(std::int64_t now, std::int64_t keep_seconds,
                                                  std::size_t max) const {
  std::vector<IncidentRecord> out;
  for (const auto& [key, e] : entries_) {
    if (e.record.last_seen >= now - keep_seconds) out.push_back(e.record);
  }
  std::sort(out.begin(), out.end(), [](const IncidentRecord& a, const IncidentRecord& b) {
    return a.last_seen != b.last_seen ? a.last_seen > b.last_seen : a.key < b.key;
  });
  if (out.size() > max) out.resize(max);
  return out;
}

void EventSpooler::Add(Json event) {
  const std::string id = event.GetString("id");
  if (auto it = pending_.find(id); it != pending_.end()) {
    it->second.second = std::move(event);  // keeps its place in the queue
    return;
  }
  if (pending_.size() >= max_pending_ && !order_.empty()) {
    log::Warn("login monitor: {} security events pending (spool full?); dropping the oldest",
              pending_.size());
    pending_.erase(order_.begin()->second);
    order_.erase(order_.begin());
  }
  const std::uint64_t seq = next_++;
  order_[seq] = id;
  pending_.emplace(id, std::make_pair(seq, std::move(event)));
}

Status EventSpooler::Flush() {
  while (!order_.empty()) {
    Json events = Json::MakeArray();
    std::vector<std::uint64_t> taken;
    for (auto it = order_.begin(); it != order_.end() && taken.size() < kMaxEventsPerBatch; ++it) {
      events.Push(pending_.at(it->second).second);
      taken.push_back(it->first);
    }
    Json payload = Json::MakeObject();
    payload.Set("events", std::move(events));
    if (auto queued = spool_->Enqueue(kSecurityEventsKind, wire::RandomId("sev"), payload.Dump());
        !queued) {
      return queued.error();
    }
    for (std::uint64_t seq : taken) {
      pending_.erase(order_.at(seq));
      order_.erase(seq);
    }
  }
  return Status::Ok();
}

Status EventSpooler::SendBlocks(std::string_view backend, Json blocks) {
  // A full snapshot supersedes every older one still queued.
  spool_->RemoveKind(kBlocksKind);
  Json payload = Json::MakeObject();
  payload.Set("backend", backend);
  payload.Set("blocks", std::move(blocks));
  if (auto queued = spool_->Enqueue(kBlocksKind, wire::RandomId("blk"), payload.Dump()); !queued) {
    return queued.error();
  }
  return Status::Ok();
}

}  // namespace rampart::agent
