#pragma once
// The API load of the fleet benchmark: GET /api/v1/hosts?limit=50 (every tenth request
// GET /api/v1/hosts/{random id}) at a fixed rate on keep-alive HTTPS connections with a bearer
// token. The schedule is open-loop: request k is due at start + k/rps and its latency is measured
// from that due time, so a slow server cannot hide its delay by slowing the client down
// (no coordinated omission). `connections` worker threads take due requests in turn.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fleet_sim_tls.h"

namespace rampart::fleet {

struct ApiLoadOptions {
  Endpoint endpoint;
  const TlsClientContext* tls = nullptr;  // not owned
  std::string token;
  double rps = 20;
  int connections = 4;
  std::vector<std::string> host_ids;  // for the detail requests
};

struct ApiSample {
  std::int64_t due_ms = 0;  // Fleet::NowMs() clock
  std::int64_t latency_us = 0;
  int status = 0;       // HTTP status; 0 when the request failed in transport
  bool detail = false;  // GET /hosts/{id} rather than the list
};

class ApiLoad {
 public:
  explicit ApiLoad(ApiLoadOptions options);
  ~ApiLoad();  // stops
  ApiLoad(const ApiLoad&) = delete;
  ApiLoad& operator=(const ApiLoad&) = delete;

  // Opens the connections and starts the schedule (first request due now).
  void Start();
  // Stops the schedule and joins the workers. Idempotent.
  void Stop();
  // Every completed request so far. Thread-safe.
  std::vector<ApiSample> Samples() const;
  // Distinct failure texts with counts (first 20). Thread-safe.
  std::vector<std::string> ErrorSamples() const;

 private:
  void Worker(int worker);
  void RecordError(const std::string& text);

  ApiLoadOptions o_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> next_slot_{0};
  std::int64_t start_us_ = 0;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::vector<ApiSample> samples_;
  std::map<std::string, std::int64_t> errors_;
};

}  // namespace rampart::fleet
