#include "agent/baseline/baseline_agent.h"

#include <chrono>

#include "common/logging.h"

namespace rampart::agent::baseline {
namespace {

// Idempotency keys allow [A-Za-z0-9._:-], at most 128 characters.
std::string KeyPart(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 56)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out;
}

Json ResultJson(const Policy& policy, const Check& check, const CheckResult& r) {
  Json jr = Json::MakeObject();
  jr.Set("policy", policy.id);
  jr.Set("id", check.id);
  jr.Set("title", check.title);
  jr.Set("level", LevelName(check.level));
  jr.Set("status", CheckStatusName(r.status));
  jr.Set("evidence", r.evidence);
  Json rem = Json::MakeObject();
  rem.Set("advice", check.remediation);
  rem.Set("command",
          check.remediation_command.empty() ? Json(nullptr) : Json(check.remediation_command));
  jr.Set("remediation", std::move(rem));
  jr.Set("references", Json::StringArray(check.references));
  return jr;
}

}  // namespace

Json EvaluatePolicyPayload(const HostView& host, const Policy& policy, std::string_view run_id,
                           bool allow_commands) {
  EvaluatorOptions options;
  options.allow_commands = allow_commands;
  Evaluator evaluator(host, std::move(options));
  const CheckResult applies = evaluator.PolicyApplies(policy);
  Json results = Json::MakeArray();
  std::vector<CheckStatus> statuses;
  if (applies.status == CheckStatus::kPass) {
    for (const Check& check : policy.checks) {
      const CheckResult r = evaluator.Evaluate(check);
      statuses.push_back(r.status);
      results.Push(ResultJson(policy, check, r));
    }
  }
  Json jp = Json::MakeObject();
  jp.Set("id", policy.id);
  jp.Set("name", policy.name);
  jp.Set("score", applies.status == CheckStatus::kPass ? Json(Score(statuses)) : Json(nullptr));
  if (applies.status != CheckStatus::kPass) jp.Set("reason", applies.evidence);
  Json payload = Json::MakeObject();
  payload.Set("run_id", std::string(run_id));
  payload.Set("policy", std::move(jp));
  payload.Set("results", std::move(results));
  return payload;
}

BaselineAgent::BaselineAgent(BaselineAgentOptions options, Enqueue enqueue)
    : options_(std::move(options)), enqueue_(std::move(enqueue)) {}

BaselineAgent::~BaselineAgent() { Stop(); }

void BaselineAgent::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void BaselineAgent::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BaselineAgent::OnCommand(std::string_view id, std::string_view name, const Json& args) {
  if (name != "run_baseline") return false;
  std::size_t waiting = 0;
  {
    std::lock_guard lock(mu_);
    waiting = queue_.size();
    if (waiting < options_.max_queued) queue_.emplace_back(std::string(id), args);
  }
  if (waiting >= options_.max_queued) {
    log::Warn("command {}: run_baseline refused: {} baseline runs already waiting", id, waiting);
    if (options_.command_done) {
      options_.command_done(
          id, false,
          "refused: " + std::to_string(waiting) + " baseline runs already waiting on this host",
          Json::MakeObject());
    }
    return true;
  }
  log::Info("command {}: baseline run {} queued", id, args.GetString("run_id"));
  wake_.notify_all();
  return true;
}

std::size_t BaselineAgent::completed() const {
  std::lock_guard lock(mu_);
  return completed_;
}

void BaselineAgent::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto [id, args] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    auto spooled = RunRequest(args);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Json result = Json::MakeObject();
    result.Set("run_id", args.GetString("run_id"));
    if (spooled.ok()) {
      log::Info("command {}: baseline run {}: {} policy result batch(es) spooled in {} ms", id,
                args.GetString("run_id"), *spooled, ms);
      result.Set("batches", static_cast<std::int64_t>(*spooled));
      result.Set("milliseconds", static_cast<std::int64_t>(ms));
    } else {
      log::Error("command {}: baseline run failed: {}", id, spooled.status().message());
    }
    if (options_.command_done) {
      options_.command_done(id, spooled.ok(),
                            spooled.ok() ? "evaluated " + std::to_string(*spooled) + " policies"
                                         : std::string(spooled.status().message()),
                            result);
    }
    lock.lock();
    ++completed_;
  }
}

Result<int> BaselineAgent::RunRequest(const Json& args) {
  if (!args.is_object()) return InvalidArgument("run_baseline: expected an object");
  const std::string run_id = args.GetString("run_id");
  const Json* policies = args.Find("policies");
  if (policies == nullptr || !policies->is_array() || policies->size() == 0 ||
      policies->size() > options_.max_policies) {
    return InvalidArgument("run_baseline: expected \"policies\": 1 to " +
                           std::to_string(options_.max_policies) + " {id, yaml} objects");
  }
  auto host = options_.root == "/" ? Result<HostView>(HostView()) : HostView::Open(options_.root);
  if (!host.ok()) return host.status();
  int spooled = 0;
  for (const Json& p : policies->as_array()) {
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
    }
    const std::string id = p.GetString("id");
    auto policy = ParsePolicy(p.GetString("yaml"), (id.empty() ? "policy" : id) + ".yaml");
    if (!policy.ok()) {
      // The server validated it with the same loader: an agent of another version may differ.
      log::Error("baseline run {}: policy {} does not load here: {}", run_id, id,
                 policy.status().message());
      continue;
    }
    const bool allow_commands = p.GetString("source") == "shipped";
    const Json payload = EvaluatePolicyPayload(*host, *policy, run_id, allow_commands);
    // One key per run and policy: a command delivered twice spools (and stores) once. A request
    // without a run id gets a key of its own.
    const std::string run_part =
        run_id.empty()
            ? "local" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count())
            : run_id;
    const std::string key = "baseline-" + KeyPart(run_part) + "-" + KeyPart(policy->id);
    Status queued = enqueue_(kBaselineResultsKind, key, payload.Dump());
    if (!queued.ok() && queued.code() != Code::kAlreadyExists) {
      log::Error("baseline run {}: spooling {}: {}", run_id, policy->id, queued.message());
      continue;
    }
    ++spooled;
  }
  return spooled;
}

}  // namespace rampart::agent::baseline
