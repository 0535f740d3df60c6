#include "agent/transport/channel.h"

#include <algorithm>
#include <variant>

#include "agent/transport/backoff.h"
#include "agent/transport/enroll_client.h"
#include "common/logging.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<seconds>(clock.Now().time_since_epoch()).count();
}

milliseconds Until(std::chrono::steady_clock::time_point t) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(t - std::chrono::steady_clock::now()));
}

}  // namespace

Channel::Channel(Identity identity, ChannelOptions options, Spool* spool, InventorySync* inventory,
                 SnapshotSource source, Clock* clock)
    : identity_(std::move(identity)),
      options_(std::move(options)),
      spool_(spool),
      inventory_(inventory),
      clock_(clock),
      scheduler_(inventory, std::move(source)),
      settings_(options_.settings),
      config_version_(options_.config_version) {}

Channel::~Channel() { scheduler_.Stop(); }

AgentSettings Channel::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

std::int64_t Channel::config_version() const {
  std::lock_guard lock(mu_);
  return config_version_;
}

ChannelStats Channel::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Status Channel::Run() { return Loop(Mode::kDaemon, Steady::time_point::max()); }

Status Channel::RunOnce(milliseconds timeout) { return Loop(Mode::kOnce, Steady::now() + timeout); }

Status Channel::Deregister(milliseconds timeout) {
  return Loop(Mode::kDeregister, Steady::now() + timeout);
}

bool Channel::Wait(milliseconds d) {
  const auto end = Steady::now() + d;
  while (!stopping()) {
    const auto left = Until(end);
    if (left.count() == 0) return true;
    clock_->SleepFor(std::min(left, options_.poll));
  }
  return false;
}

void Channel::StartScheduler(Mode mode) {
  if (mode == Mode::kDeregister) return;
  if (mode == Mode::kOnce) {
    scheduler_.Start(seconds(0), std::nullopt);
    // "One delivery": what is pending, or else a full snapshot.
    if (spool_->size() == 0) scheduler_.Request(true);
    return;
  }
  const seconds interval(settings().inventory_interval_seconds);
  const InventoryState state = inventory_->state();
  bool pending = false;
  for (const auto& entry : spool_->List()) pending = pending || entry.kind == kInventoryKind;
  if (!pending && (state.force_full || state.acked_version == 0)) {
    // The server has nothing (or the chain broke before a restart): collect as soon as connected.
    collect_on_connect_ = true;
    scheduler_.Start(interval, std::nullopt);
    return;
  }
  // Keep the period across restarts: due one interval after the last collection.
  const std::int64_t since = std::max<std::int64_t>(0, UnixSeconds(*clock_) - state.collected_at);
  const seconds left(std::max<std::int64_t>(0, interval.count() - since));
  scheduler_.Start(interval, Steady::now() + left);
}

bool Channel::OnceDone() const { return spool_->size() == 0 && scheduler_.Idle(); }

Result<std::unique_ptr<net::WsClient>> Channel::Connect() {
  RAMPART_ASSIGN_OR_RETURN(std::string url, ChannelUrl(identity_.server_url));
  net::Headers headers;
  headers.Add("Authorization", wire::FormatAgentAuthorization(identity_.host_id, identity_.secret));
  net::ClientOptions client = ServerClientOptions(identity_, options_.insecure);
  client.connect_timeout = options_.connect_timeout;
  client.io_timeout = options_.io_timeout;
  return net::WsClient::Connect(url, headers, client);
}

Status Channel::Loop(Mode mode, Steady::time_point deadline) {
  RAMPART_ASSIGN_OR_RETURN(const std::string url, ChannelUrl(identity_.server_url));
  StartScheduler(mode);
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  const bool bounded = mode != Mode::kDaemon;
  Status result;
  for (;;) {
    if (stopping()) {
      if (bounded) result = Unavailable("stopped before the server acknowledged everything");
      break;
    }
    if (bounded && Steady::now() >= deadline) {
      result = Status(Code::kDeadlineExceeded,
                      "the server did not acknowledge everything in time (" +
                          std::to_string(spool_->size()) + " batches still spooled)");
      break;
    }
    auto ws = Connect();
    if (!ws) {
      {
        std::lock_guard lock(mu_);
        ++stats_.failed_connects;
        if (ws.error().code() == Code::kUnauthenticated) ++stats_.unauthorized;
      }
      if (ws.error().code() == Code::kUnauthenticated) {
        const std::string message =
            "the server refused this agent's identity " + identity_.host_id +
            " (HTTP 401): the host was deleted or its identity revoked; re-enrol with "
            "--enroll-token to replace " +
            options_.data_dir + "/identity.json";
        if (bounded) {
          result = Status(Code::kUnauthenticated, message);
          break;
        }
        log::Error("{}; keeping the identity and retrying in {} s", message,
                   std::chrono::duration_cast<seconds>(options_.unauthorized_retry).count());
        Wait(options_.unauthorized_retry);
        continue;
      }
      const milliseconds delay = backoff.Next();
      log::Warn("cannot connect to {}: {}; retrying in {} ms", url, ws.error().message(),
                delay.count());
      Wait(bounded ? std::min(delay, Until(deadline)) : delay);
      continue;
    }
    {
      std::lock_guard lock(mu_);
      ++stats_.connections;
    }
    log::Info("connected to {} as {}", url, identity_.host_id);
    backoff.Reset();
    Status session = Session(**ws, mode, deadline);
    (*ws)->Close();
    if (session.ok()) break;  // the goal was reached, or a stop in daemon mode
    if (session.code() == Code::kFailedPrecondition) {
      result = session;
      break;
    }
    if (stopping() || (bounded && Steady::now() >= deadline)) continue;  // reported above
    const milliseconds delay = backoff.Next();
    log::Warn("connection to {} lost: {}; reconnecting in {} ms", url, session.message(),
              delay.count());
    Wait(bounded ? std::min(delay, Until(deadline)) : delay);
  }
  scheduler_.Stop();
  return result;
}

Status Channel::Session(net::WsClient& ws, Mode mode, Steady::time_point deadline) {
  RAMPART_RETURN_IF_ERROR(ws.Send(HelloMessage(options_.agent_version, config_version())));
  bool done = false;
  if (mode == Mode::kDeregister) {
    RAMPART_RETURN_IF_ERROR(ws.Send(DeregisterMessage()));
    // The server acknowledges, or closes the channel of the now uninstalled host.
    while (!done && !stopping()) {
      if (Steady::now() >= deadline) {
        return Status(Code::kDeadlineExceeded, "no answer to the deregistration in time");
      }
      auto message =
          ws.Receive(std::min(options_.poll, std::max(milliseconds(1), Until(deadline))));
      if (!message) return Status::Ok();  // closed by the server
      if (*message) {
        auto parsed = ParseServerMessage(**message);
        done = parsed && std::holds_alternative<AckMessage>(*parsed);
      }
    }
    return stopping() && !done ? Unavailable("stopped") : Status::Ok();
  }

  auto send_heartbeat = [&]() -> Status {
    RAMPART_RETURN_IF_ERROR(ws.Send(HeartbeatMessage(UnixSeconds(*clock_))));
    std::lock_guard lock(mu_);
    ++stats_.heartbeats_sent;
    return Status::Ok();
  };
  RAMPART_RETURN_IF_ERROR(send_heartbeat());
  auto last_heartbeat = Steady::now();
  if (collect_on_connect_) {
    collect_on_connect_ = false;
    scheduler_.Request(false);
  }
  std::uint64_t last_sent = 0;  // everything queued up to here was sent on this connection
  while (!stopping()) {
    if (mode == Mode::kOnce) {
      if (OnceDone()) {
        Status error = scheduler_.last_error();
        if (!error.ok()) {
          return FailedPrecondition("the inventory could not be queued: " + error.ToString());
        }
        return Status::Ok();
      }
      if (Steady::now() >= deadline) {
        return Status(Code::kDeadlineExceeded, "deadline reached while waiting for acks");
      }
    }
    const auto heartbeat = seconds(settings().heartbeat_seconds);
    if (Steady::now() - last_heartbeat >= heartbeat) {
      RAMPART_RETURN_IF_ERROR(send_heartbeat());
      last_heartbeat = Steady::now();
    }
    RAMPART_RETURN_IF_ERROR(FillWindow(ws, &last_sent));
    const milliseconds wait =
        std::clamp(Until(last_heartbeat + heartbeat), milliseconds(1), options_.poll);
    RAMPART_ASSIGN_OR_RETURN(auto message, ws.Receive(wait));
    if (message) Handle(*message, mode, &done);
  }
  return mode == Mode::kDaemon ? Status::Ok() : Unavailable("stopped");
}

Status Channel::FillWindow(net::WsClient& ws, std::uint64_t* last_sent) {
  while (spool_->CountUpTo(*last_sent) < options_.max_in_flight) {
    RAMPART_ASSIGN_OR_RETURN(auto batch, spool_->Peek(*last_sent));
    if (!batch) break;
    RAMPART_RETURN_IF_ERROR(ws.Send(BatchMessage(batch->key, batch->kind, batch->payload)));
    *last_sent = batch->seq;
    std::lock_guard lock(mu_);
    ++stats_.batches_sent;
  }
  return Status::Ok();
}

void Channel::Handle(std::string_view text, Mode mode, bool* done) {
  auto parsed = ParseServerMessage(text);
  if (!parsed) {
    log::Warn("ignoring a malformed message from the server: {}", parsed.error().message());
    return;
  }
  if (const auto* ack = std::get_if<AckMessage>(&*parsed)) {
    HandleAck(*ack);
    if (mode == Mode::kDeregister) *done = true;
  } else if (const auto* config = std::get_if<ConfigMessage>(&*parsed)) {
    HandleConfig(*config);
  } else if (const auto* command = std::get_if<CommandMessage>(&*parsed)) {
    HandleCommand(*command);
  } else if (const auto* error = std::get_if<ErrorMessage>(&*parsed)) {
    log::Error("the server reported an error: {}: {}", error->code, error->message);
  } else if (const auto* unknown = std::get_if<UnknownMessage>(&*parsed)) {
    log::Debug("ignoring a server message of unknown type \"{}\"", unknown->type);
  }
}

void Channel::HandleAck(const AckMessage& ack) {
  const auto entry = spool_->Find(ack.key);
  if (!entry) {
    // Acked twice (after a resend), or dropped meanwhile (resync, spool overflow).
    log::Debug("ack for batch {} that is no longer spooled", ack.key);
    return;
  }
  // 0: not an inventory batch (inventory versions start at 1). A plain integer rather than an
  // optional: GCC 12 -O2 reports a false -Wmaybe-uninitialized on the optional here.
  const std::int64_t version =
      entry->kind == kInventoryKind ? InventoryKeyVersion(ack.key).value_or(0) : 0;
  if (Status removed = spool_->Remove(ack.key);
      !removed.ok() && removed.code() != Code::kNotFound) {
    log::Warn("spool: {}", removed.ToString());
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.batches_acknowledged;
  }
  switch (ack.status) {
    case AckStatus::kCommitted:
    case AckStatus::kDuplicate:
      log::Debug("batch {} {}", ack.key, AckStatusName(ack.status));
      if (version > 0) inventory_->OnCommitted(version);
      break;
    case AckStatus::kResync:
      log::Info("the server asked for a full inventory (resync of batch {})", ack.key);
      if (version > 0 && inventory_->OnChainBroken(version)) scheduler_.Request(true);
      break;
    case AckStatus::kRejected:
      log::Error("the server rejected batch {} ({}): {}", ack.key, entry->kind,
                 ack.message.empty() ? "no reason given" : ack.message);
      if (version > 0) inventory_->OnChainBroken(version);
      break;
  }
}

void Channel::HandleConfig(const ConfigMessage& config) {
  AgentSettings updated = settings();
  const int old_interval = updated.inventory_interval_seconds;
  for (const auto& problem : ApplySettings(config.settings, &updated)) {
    log::Warn("config version {}: {} (ignored)", config.version, problem);
  }
  if (!options_.data_dir.empty()) {
    if (Status saved = SaveConfig(options_.data_dir, StoredConfig{config.version, config.settings});
        !saved.ok()) {
      log::Warn("config version {}: cannot persist it: {}", config.version, saved.ToString());
    }
  }
  {
    std::lock_guard lock(mu_);
    settings_ = updated;
    config_version_ = config.version;
  }
  if (updated.inventory_interval_seconds != old_interval) {
    scheduler_.SetInterval(seconds(updated.inventory_interval_seconds));
  }
  log::Level level{};
  if (!updated.log_level.empty() && log::ParseLevel(updated.log_level, &level)) {
    log::SetLevel(level);
  }
  log::Info("config version {} applied (heartbeat {} s, inventory every {} s)", config.version,
            updated.heartbeat_seconds, updated.inventory_interval_seconds);
  for (const auto& listener : options_.config_listeners) listener(config.settings);
}

void Channel::HandleCommand(const CommandMessage& command) {
  if (command.name == "collect_inventory") {
    const Json* full = command.args.Find("full");
    const bool force = full != nullptr && full->is_bool() && full->as_bool();
    log::Info("command {}: collecting the inventory now{}", command.id, force ? " (full)" : "");
    scheduler_.Request(force);
    return;
  }
  for (const auto& handler : options_.command_handlers) {
    if (handler(command)) return;
  }
  log::Warn("unknown command \"{}\" (id {}) ignored", command.name, command.id);
}

}  // namespace rampart::agent
