// The agent protocol of one simulated agent (common/wire.h): what it sends when its channel
// opens, how it answers acks, and its periodic heartbeats, deltas and security events.
#include <algorithm>
#include <cstdint>
#include <string>

#include "common/json.h"
#include "fleet_sim_loop.h"
#include "fleet_sim_messages.h"
#include "fleet_sim_ws.h"

namespace rampart::fleet {

void Fleet::Loop::OnOpen(std::uint32_t i) {
  Agent& a = agents_[i];
  a.state = AgentState::kOpen;
  c_.in_flight.fetch_sub(1);
  std::int64_t now_connected = c_.connected.fetch_add(1) + 1;
  std::int64_t peak = c_.peak_connected.load();
  while (now_connected > peak && !c_.peak_connected.compare_exchange_weak(peak, now_connected)) {
  }
  std::int64_t now = NowMs();
  if (now_connected == static_cast<std::int64_t>(agents_.size()) &&
      c_.all_connected_ms.load() < 0) {
    c_.all_connected_ms.store(now);
  }
  Send(i, HelloMessage(o_.agent_version));
  c_.hellos.fetch_add(1);
  if (a.pending_version != 0) {
    SendPendingBatch(i);  // unacknowledged before the disconnect: same key again
  } else if (a.want_full) {
    StartBatch(i, /*full=*/true);
  }
  timers_.push({NextSlot(i, o_.heartbeat_seconds, now), i, a.epoch, TimerKind::kHeartbeat});
  timers_.push({NextSlot(i, o_.inventory_every_seconds, now), i, a.epoch, TimerKind::kDelta});
  if (a.pending_event != 0) SendPendingEvents(i);
  if (o_.events_every_seconds > 0) {
    timers_.push({NextSlot(i, o_.events_every_seconds, now), i, a.epoch, TimerKind::kEvent});
  }
}

void Fleet::Loop::OnMessage(std::uint32_t i, std::string_view text) {
  Agent& a = agents_[i];
  auto message = Json::Parse(text);
  if (!message.ok() || !message->is_object()) {
    c_.protocol_errors.fetch_add(1);
    RecordError("unparsable server message: " + std::string(text.substr(0, 120)));
    return;
  }
  std::string type = message->GetString("type");
  if (type == "ack") {
    std::string status = message->GetString("status");
    if (a.pending_event != 0 && message->GetString("key") == EventKey(i, a.pending_event)) {
      if (status == "committed" || status == "duplicate") {
        c_.events_acked.fetch_add(1);
      } else {
        c_.events_rejected.fetch_add(1);
        RecordError("events batch " + status + ": " + message->GetString("message"));
      }
      a.pending_event = 0;
      return;
    }
    bool mine = a.pending_version != 0 && message->GetString("key") == Key(i, a.pending_version);
    if (status == "committed") {
      c_.acks_committed.fetch_add(1);
    } else if (status == "duplicate") {
      c_.acks_duplicate.fetch_add(1);
    } else if (status == "resync") {
      c_.acks_resync.fetch_add(1);
    } else if (status == "rejected") {
      c_.acks_rejected.fetch_add(1);
      RecordError("batch rejected: " + message->GetString("message"));
    } else {
      c_.protocol_errors.fetch_add(1);
      RecordError("ack with unknown status '" + status + "'");
      return;
    }
    if (!mine) {
      c_.acks_unmatched.fetch_add(1);
      return;
    }
    if (status == "committed" || status == "duplicate") {
      if (a.version == 0) {
        std::int64_t n = c_.inventoried.fetch_add(1) + 1;
        if (n == static_cast<std::int64_t>(agents_.size())) c_.all_inventoried_ms.store(NowMs());
      }
      a.version = a.pending_version;
      a.want_full = false;
    } else if (status == "resync") {
      a.want_full = true;
    }
    a.pending_version = 0;
    if (a.want_full && status == "resync") StartBatch(i, /*full=*/true);
  } else if (type == "config") {
    c_.configs.fetch_add(1);
  } else if (type == "command") {
    c_.commands.fetch_add(1);
  } else if (type == "error") {
    c_.server_error_messages.fetch_add(1);
    RecordError("server error message: " + message->GetString("code") + ": " +
                message->GetString("message"));
  } else {
    RecordError("unknown server message type '" + type + "'");
  }
}

void Fleet::Loop::Send(std::uint32_t i, const std::string& text) {
  AppendClientFrame(agents_[i].out, kWsText, text, NextMask());
  c_.bytes_sent.fetch_add(static_cast<std::int64_t>(text.size()));
}

void Fleet::Loop::StartBatch(std::uint32_t i, bool full) {
  Agent& a = agents_[i];
  a.pending_version = a.next_version++;
  a.pending_base = a.version;
  a.pending_full = full;
  SendPendingBatch(i);
}

void Fleet::Loop::SendPendingBatch(std::uint32_t i) {
  Agent& a = agents_[i];
  std::string key = Key(i, a.pending_version);
  std::int64_t now = UnixNow();
  if (a.pending_full) {
    AgentProfile profile{i, ids_[i].hostname, o_.agent_version};
    Send(i, FullInventoryMessage(profile, key, a.pending_version, a.pending_base, now));
    c_.full_batches.fetch_add(1);
  } else {
    Send(i, DeltaInventoryMessage(key, a.pending_version, a.pending_base, now));
    c_.delta_batches.fetch_add(1);
  }
  timers_.push({NowMs() + kAckTimeoutMs, i, a.epoch, TimerKind::kAckTimeout, a.pending_version});
}

std::string Fleet::Loop::Key(std::uint32_t i, std::int64_t version) const {
  return o_.run_id + "-" + std::to_string(i) + "-" + std::to_string(version);
}

void Fleet::Loop::SendPendingEvents(std::uint32_t i) {
  Agent& a = agents_[i];
  Send(i, SecurityEventsMessage(i, EventKey(i, a.pending_event), a.pending_event, UnixNow()));
  c_.event_batches.fetch_add(1);
  timers_.push({NowMs() + kAckTimeoutMs, i, a.epoch, TimerKind::kEventAckTimeout, a.pending_event});
}

std::string Fleet::Loop::EventKey(std::uint32_t i, std::int64_t seq) const {
  return o_.run_id + "-" + std::to_string(i) + "-e" + std::to_string(seq);
}

std::uint32_t Fleet::Loop::NextMask() { return static_cast<std::uint32_t>(rng_()); }

std::int64_t Fleet::Loop::NextSlot(std::uint32_t i, int interval_s, std::int64_t now) const {
  std::int64_t interval = std::int64_t{interval_s} * 1000;
  std::int64_t offset =
      static_cast<std::int64_t>(i) * interval / static_cast<std::int64_t>(agents_.size());
  std::int64_t first = t0_ + offset;
  if (first > now) return first;
  return first + ((now - first) / interval + 1) * interval;
}

void Fleet::Loop::FireTimers(std::int64_t now) {
  while (!timers_.empty() && timers_.top().at_ms <= now) {
    Timer t = timers_.top();
    timers_.pop();
    Agent& a = agents_[t.index];
    if (a.epoch != t.epoch) continue;
    switch (t.kind) {
      case TimerKind::kConnectTimeout:
        if (a.state != AgentState::kIdle && a.state != AgentState::kOpen) {
          c_.connect_errors.fetch_add(1);
          RecordError("no WebSocket after 30 s (connect + TLS + upgrade)");
          Disconnect(t.index, 1000);
        }
        break;
      case TimerKind::kReconnect:
        if (a.state == AgentState::kIdle) connect_queue_.push_front(t.index);
        break;
      case TimerKind::kHeartbeat:
        if (a.state != AgentState::kOpen) break;
        Send(t.index, HeartbeatMessage(UnixNow()));
        c_.heartbeats.fetch_add(1);
        timers_.push({t.at_ms + std::int64_t{o_.heartbeat_seconds} * 1000, t.index, t.epoch,
                      TimerKind::kHeartbeat});
        Flush(t.index);
        break;
      case TimerKind::kAckTimeout:
        if (a.state != AgentState::kOpen || a.pending_version != t.version) break;
        c_.ack_timeouts.fetch_add(1);
        RecordError("no ack within 60 s: batch sent again with the same key");
        SendPendingBatch(t.index);
        Flush(t.index);
        break;
      case TimerKind::kDelta:
        if (a.state != AgentState::kOpen) break;
        timers_.push({t.at_ms + std::int64_t{o_.inventory_every_seconds} * 1000, t.index, t.epoch,
                      TimerKind::kDelta});
        if (a.pending_version != 0 || a.version == 0) {
          c_.deltas_skipped.fetch_add(1);
          break;
        }
        StartBatch(t.index, /*full=*/false);
        Flush(t.index);
        break;
      case TimerKind::kEvent:
        if (a.state != AgentState::kOpen) break;
        timers_.push({t.at_ms + std::int64_t{o_.events_every_seconds} * 1000, t.index, t.epoch,
                      TimerKind::kEvent});
        if (a.pending_event != 0) {
          c_.events_skipped.fetch_add(1);
          break;
        }
        a.pending_event = ++a.event_seq;
        SendPendingEvents(t.index);
        Flush(t.index);
        break;
      case TimerKind::kEventAckTimeout:
        if (a.state != AgentState::kOpen || a.pending_event != t.version) break;
        c_.ack_timeouts.fetch_add(1);
        RecordError("no ack within 60 s: events batch sent again with the same key");
        SendPendingEvents(t.index);
        Flush(t.index);
        break;
    }
  }
}

}  // namespace rampart::fleet
