#pragma once
// BaselineAgent: the agent daemon's baseline module. It answers the server's `run_baseline`
// command ({"run_id", "policies":[{"id", "source", "yaml"}]}): the policy text comes with the
// command, so custom policies work and agent and server agree on the version. Runs evaluate on
// this module's own thread, one at a time; requests wait in a small queue (a request arriving
// when the queue is full is refused and logged, the server sees no result for that run). Each
// policy's results are spooled as one batch of kind "baseline_results":
//   {"run_id", "policy":{"id","name","score"}, "results":[RESULT, ...]}
// where RESULT is what `rampart baseline --json` prints ({"policy","id","title","level",
// "status","evidence","remediation":{"advice","command"},"references"}). A policy the server
// marks "source":"custom" is evaluated without command probes (they answer not_applicable):
// uploading a policy must not be a way to run programs as root on every host.
// Every run_baseline command is answered through `command_done` (the daemon spools it as a
// "command_results" entry): succeeded with {"run_id","batches"} after the run, failed with the
// reason for malformed arguments or a full queue.
// Thread-safe: OnCommand may be called from the channel thread while a run is in progress.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "agent/baseline/evaluator.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent::baseline {

inline constexpr std::string_view kBaselineResultsKind = "baseline_results";

struct BaselineAgentOptions {
  std::string root = "/";  // the host to evaluate ("/" : this machine)
  // Called once per run_baseline command when it is finished or refused (null: not reported).
  std::function<void(std::string_view command_id, bool succeeded, std::string_view message,
                     const Json& result)>
      command_done;
  std::size_t max_queued = 4;     // run requests waiting behind the current one
  std::size_t max_policies = 16;  // per request
};

// The batch payload for one policy evaluated on `host` (also what tests and the CLI compare).
// `allow_commands`: false evaluates command probes as not_applicable.
Json EvaluatePolicyPayload(const HostView& host, const Policy& policy, std::string_view run_id,
                           bool allow_commands);

class BaselineAgent {
 public:
  // Spools one batch (kind, idempotency key, JSON payload). The daemon passes Spool::Enqueue.
  using Enqueue =
      std::function<Status(std::string_view kind, std::string_view key, std::string_view payload)>;

  BaselineAgent(BaselineAgentOptions options, Enqueue enqueue);
  ~BaselineAgent();  // Stop()
  BaselineAgent(const BaselineAgent&) = delete;
  BaselineAgent& operator=(const BaselineAgent&) = delete;

  void Start();
  // Finishes the policy being evaluated, drops queued requests, joins the thread. Idempotent.
  void Stop();

  // Channel command handler: true when the command is run_baseline (queued or refused as busy);
  // false for other commands. Returns at once.
  bool OnCommand(std::string_view id, std::string_view name, const Json& args);

  // Runs one request on the calling thread (tests; the module's thread uses it too). Returns the
  // number of batches spooled; InvalidArgument for malformed args (nothing spooled).
  Result<int> RunRequest(const Json& args);

  // Requests finished since the start (tests wait on it).
  std::size_t completed() const;

 private:
  void Loop();

  BaselineAgentOptions options_;
  Enqueue enqueue_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, Json>> queue_;  // (command id, args)
  bool stop_ = false;
  std::size_t completed_ = 0;
  std::thread thread_;
};

}  // namespace rampart::agent::baseline
