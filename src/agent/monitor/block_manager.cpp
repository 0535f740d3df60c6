#include "agent/monitor/block_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "agent/transport/durable_file.h"
#include "common/files.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxBlocks = 10000;

bool Overlaps(const Cidr& a, const Cidr& b) {
  return CidrContains(a, b.addr) || CidrContains(b, a.addr);
}

Cidr Host(const std::array<std::uint8_t, 16>& addr) {
  Cidr c;
  c.addr = addr;
  c.prefix = 128;
  return c;
}

Status Bad(const std::string& where, std::string_view what) {
  return DataLoss(where + ": " + std::string(what));
}

}  // namespace

std::string EncodeBlocksState(const BlocksState& state) {
  Json root = Json::MakeObject();
  root.Set("version", 1);
  root.Set("generation", static_cast<std::int64_t>(state.generation));
  root.Set("backend", state.backend);
  root.Set("blocks", BlocksToJson(state.blocks));
  return root.Dump(1) + "\n";
}

Result<BlocksState> DecodeBlocksState(std::string_view text) {
  auto parsed = Json::Parse(text, 8);
  if (!parsed) return DataLoss(parsed.error().message());
  const Json& root = *parsed;
  if (!root.is_object()) return Bad("blocks state", "expected a JSON object");
  const Json* version = root.Find("version");
  if (version == nullptr || !version->is_int() || version->as_int() != 1) {
    return Bad("version", "expected 1");
  }
  BlocksState state;
  const Json* gen = root.Find("generation");
  if (gen == nullptr || !gen->is_int() || gen->as_int() < 0) {
    return Bad("generation", "expected a non-negative integer");
  }
  state.generation = static_cast<std::uint64_t>(gen->as_int());
  state.backend = root.GetString("backend");
  const Json* blocks = root.Find("blocks");
  if (blocks == nullptr || !blocks->is_array() || blocks->size() > kMaxBlocks) {
    return Bad("blocks", "expected an array of at most 10000 blocks");
  }
  for (std::size_t i = 0; i < blocks->as_array().size(); ++i) {
    const Json& b = blocks->as_array()[i];
    const std::string where = "blocks[" + std::to_string(i) + "]";
    if (!b.is_object()) return Bad(where, "expected an object");
    Block block;
    const Json* source = b.Find("source");
    if (source == nullptr || !source->is_string())
      return Bad(where + ".source", "expected a string");
    auto target = ParseBlockTarget(source->as_string());
    if (!target) return Bad(where + ".source", "expected an IPv4/IPv6 address or CIDR");
    block.source = target->text;
    for (const char* key : {"reason", "event_id"}) {
      const Json* v = b.Find(key);
      if (v != nullptr && !v->is_string()) return Bad(where + "." + key, "expected a string");
    }
    block.reason = b.GetString("reason");
    block.event_id = b.GetString("event_id");
    for (auto [key, out] : {std::pair<const char*, std::int64_t*>{"created_at", &block.created_at},
                            {"expires_at", &block.expires_at}}) {
      const Json* v = b.Find(key);
      if (v == nullptr || !v->is_int() || v->as_int() < 0) {
        return Bad(where + "." + key, "expected a non-negative integer (unix seconds)");
      }
      *out = v->as_int();
    }
    state.blocks.push_back(std::move(block));
  }
  return state;
}

Json BlocksToJson(const std::vector<Block>& blocks) {
  Json out = Json::MakeArray();
  for (const auto& b : blocks) {
    Json j = Json::MakeObject();
    j.Set("source", b.source);
    j.Set("reason", b.reason);
    j.Set("event_id", b.event_id);
    j.Set("created_at", b.created_at);
    j.Set("expires_at", b.expires_at);
    out.Push(std::move(j));
  }
  return out;
}

std::string RefusalReason(const BlockTarget& target, const BlockPolicy& policy) {
  static const Cidr kLoopback4 = *ParseCidr("127.0.0.0/8");
  static const Cidr kLoopback6 = *ParseCidr("::1/128");
  static const Cidr kUnspecified4 = *ParseCidr("0.0.0.0/32");
  static const Cidr kUnspecified6 = *ParseCidr("::/128");
  if (Overlaps(target.cidr, kLoopback4) || Overlaps(target.cidr, kLoopback6)) {
    return "it covers the loopback network";
  }
  if (Overlaps(target.cidr, kUnspecified4) || Overlaps(target.cidr, kUnspecified6)) {
    return "it covers the unspecified address";
  }
  for (const Cidr& net : policy.protected_networks) {
    if (Overlaps(target.cidr, net)) {
      return "it overlaps a protected network (login whitelist or the server's address)";
    }
  }
  if (policy.sessions) {
    for (const auto& addr : policy.sessions()) {
      if (Overlaps(target.cidr, Host(addr)))
        return "it is the source of an open management session";
    }
  }
  return {};
}

// flock on blocks.lock for the lifetime of the object.
class BlockManager::Lock {
 public:
  explicit Lock(const std::string& path) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      status_ = ErrnoStatus(errno, path);
      return;
    }
    while (flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        status_ = ErrnoStatus(errno, path + ": flock");
        return;
      }
    }
  }
  ~Lock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  const Status& status() const { return status_; }

 private:
  int fd_ = -1;
  Status status_;
};

BlockManager::BlockManager(std::string data_dir, Firewall* firewall, Clock* clock)
    : data_dir_(std::move(data_dir)), firewall_(firewall), clock_(clock) {}

Status BlockManager::EnsureSetup() {
  if (setup_done_.load()) return Status::Ok();
  RAMPART_RETURN_IF_ERROR(firewall_->Setup());
  setup_done_.store(true);
  return Status::Ok();
}

void BlockManager::SetPolicy(BlockPolicy policy) {
  std::lock_guard lock(policy_mu_);
  policy_ = std::move(policy);
}

std::int64_t BlockManager::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count();
}

Result<BlocksState> BlockManager::LoadLocked() {
  const std::string path = data_dir_ + "/" + std::string(kBlocksFile);
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return BlocksState{};
    return ErrnoStatus(errno, path);
  }
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, std::size_t{16} << 20));
  auto state = DecodeBlocksState(text);
  if (!state) return DataLoss(path + ": " + state.error().message());
  return std::move(*state);
}

Status BlockManager::SaveLocked(BlocksState* state) {
  ++state->generation;
  // A reader without a firewall (`rampart block list` as a user) keeps the recorded backend.
  if (firewall_->backend() != FirewallBackend::kNone || state->backend.empty()) {
    state->backend = FirewallBackendName(firewall_->backend());
  }
  return WriteFileDurable(data_dir_ + "/" + std::string(kBlocksFile), EncodeBlocksState(*state),
                          0600);
}

std::size_t BlockManager::ExpireLocked(BlocksState* state, std::int64_t now) {
  std::size_t n = 0;
  auto& blocks = state->blocks;
  for (auto it = blocks.begin(); it != blocks.end();) {
    if (it->expires_at > now) {
      ++it;
      continue;
    }
    // The kernel has dropped it already (same timeout); removing it again is harmless and covers
    // a clock that jumped.
    if (auto t = ParseBlockTarget(it->source)) {
      if (Status removed = firewall_->Remove(*t); !removed.ok()) {
        log::Warn("unblocking {}: {}", it->source, removed.ToString());
      }
    }
    log::Info("block of {} expired", it->source);
    it = blocks.erase(it);
    ++n;
  }
  return n;
}

Status BlockManager::Restore() {
  Lock lock(data_dir_ + "/" + std::string(kBlocksLockFile));
  RAMPART_RETURN_IF_ERROR(lock.status());
  auto state = LoadLocked();
  if (!state) {
    const std::string path = data_dir_ + "/" + std::string(kBlocksFile);
    log::Error("{}; set aside as {}.bad, starting with no blocks", state.error().message(), path);
    std::rename(path.c_str(), (path + ".bad").c_str());
    state = BlocksState{};
  }
  if (firewall_->backend() == FirewallBackend::kNone) {
    if (!state->blocks.empty()) {
      log::Error("{} stored blocks cannot be applied: no firewall backend", state->blocks.size());
    }
    return firewall_->Setup();
  }
  const std::int64_t now = Now();
  const std::size_t expired = ExpireLocked(&*state, now);
  // The table/sets are made when the first block needs them: a host that never blocks keeps its
  // firewall untouched.
  if (!state->blocks.empty()) RAMPART_RETURN_IF_ERROR(EnsureSetup());
  for (const auto& b : state->blocks) {
    auto t = ParseBlockTarget(b.source);
    if (!t) continue;
    if (Status added = firewall_->Add(*t, b.expires_at - now); !added.ok()) {
      log::Error("re-applying the block of {}: {}", b.source, added.ToString());
    }
  }
  if (expired > 0 || state->backend != FirewallBackendName(firewall_->backend())) {
    RAMPART_RETURN_IF_ERROR(SaveLocked(&*state));
  }
  if (!state->blocks.empty()) {
    log::Info("{} blocks re-applied with their remaining time ({})", state->blocks.size(),
              FirewallBackendName(firewall_->backend()));
  }
  return Status::Ok();
}

Result<Block> BlockManager::Add(std::string_view source, std::int64_t ttl_seconds,
                                std::string reason, std::string event_id) {
  auto target = ParseBlockTarget(source);
  if (!target) {
    return InvalidArgument("\"" + std::string(source) +
                           "\" is not an IPv4/IPv6 address or CIDR (host names cannot be blocked)");
  }
  if (ttl_seconds < 1) return InvalidArgument("the block time must be at least 1 second");
  BlockPolicy policy;
  {
    std::lock_guard lock(policy_mu_);
    policy = policy_;
  }
  if (std::string why = RefusalReason(*target, policy); !why.empty()) {
    return FailedPrecondition(target->text + " is never blocked: " + why);
  }
  Lock lock(data_dir_ + "/" + std::string(kBlocksLockFile));
  RAMPART_RETURN_IF_ERROR(lock.status());
  RAMPART_ASSIGN_OR_RETURN(BlocksState state, LoadLocked());
  const std::int64_t now = Now();
  ExpireLocked(&state, now);
  auto it = std::find_if(state.blocks.begin(), state.blocks.end(),
                         [&](const Block& b) { return b.source == target->text; });
  if (it == state.blocks.end() && state.blocks.size() >= kMaxBlocks) {
    return ResourceExhausted("10000 blocks are active; not blocking " + target->text);
  }
  if (firewall_->backend() == FirewallBackend::kNone) {
    return firewall_->Add(*target, ttl_seconds);  // "... NOT blocked: no firewall backend"
  }
  RAMPART_RETURN_IF_ERROR(EnsureSetup());
  if (Status added = firewall_->Add(*target, ttl_seconds); !added.ok()) {
    // The table may have been removed under us (`nft flush ruleset`): set it up again, once.
    setup_done_.store(false);
    RAMPART_RETURN_IF_ERROR(EnsureSetup());
    RAMPART_RETURN_IF_ERROR(firewall_->Add(*target, ttl_seconds));
  }
  Block block;
  if (it != state.blocks.end()) {
    it->expires_at = std::max(it->expires_at, now + ttl_seconds);
    if (it->event_id.empty()) it->event_id = std::move(event_id);
    block = *it;
  } else {
    block.source = target->text;
    block.reason = std::move(reason);
    block.event_id = std::move(event_id);
    block.created_at = now;
    block.expires_at = now + ttl_seconds;
    state.blocks.push_back(block);
  }
  RAMPART_RETURN_IF_ERROR(SaveLocked(&state));
  return block;
}

Status BlockManager::Remove(std::string_view source) {
  auto target = ParseBlockTarget(source);
  if (!target) {
    return InvalidArgument("\"" + std::string(source) + "\" is not an IPv4/IPv6 address or CIDR");
  }
  Lock lock(data_dir_ + "/" + std::string(kBlocksLockFile));
  RAMPART_RETURN_IF_ERROR(lock.status());
  RAMPART_ASSIGN_OR_RETURN(BlocksState state, LoadLocked());
  auto it = std::find_if(state.blocks.begin(), state.blocks.end(),
                         [&](const Block& b) { return b.source == target->text; });
  if (it == state.blocks.end()) return NotFound(target->text + " is not blocked");
  RAMPART_RETURN_IF_ERROR(firewall_->Remove(*target));
  state.blocks.erase(it);
  return SaveLocked(&state);
}

Result<std::vector<Block>> BlockManager::List() {
  Lock lock(data_dir_ + "/" + std::string(kBlocksLockFile));
  RAMPART_RETURN_IF_ERROR(lock.status());
  RAMPART_ASSIGN_OR_RETURN(BlocksState state, LoadLocked());
  if (ExpireLocked(&state, Now()) > 0) RAMPART_RETURN_IF_ERROR(SaveLocked(&state));
  return state.blocks;
}

Result<std::size_t> BlockManager::ExpireDue() {
  Lock lock(data_dir_ + "/" + std::string(kBlocksLockFile));
  RAMPART_RETURN_IF_ERROR(lock.status());
  RAMPART_ASSIGN_OR_RETURN(BlocksState state, LoadLocked());
  const std::size_t n = ExpireLocked(&state, Now());
  if (n > 0) RAMPART_RETURN_IF_ERROR(SaveLocked(&state));
  return n;
}

std::uint64_t BlockManager::Generation() const {
  auto text = ReadLocalFile(data_dir_ + "/" + std::string(kBlocksFile), std::size_t{16} << 20);
  if (!text) return 0;
  auto state = DecodeBlocksState(*text);
  return state ? state->generation : 0;
}

}  // namespace rampart::agent
