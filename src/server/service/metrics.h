#pragma once
// A tiny metrics registry (labelled counters and gauges, histograms, gauges read at scrape time)
// and its Prometheus text exposition (format 0.0.4), plus ServerMetrics: the families the server
// records. No client library: the handful of series here do not justify one. Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/storage/storage.h"

namespace rampart::server {

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class CounterFamily {
 public:
  // Adds `delta` (>= 0) to the series with these label values (created at 0).
  void Add(const LabelValues& values, double delta = 1);
  double Get(const LabelValues& values) const;

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::map<LabelValues, double> series_;
};

class GaugeFamily {
 public:
  void Set(const LabelValues& values, double value);
  void Add(const LabelValues& values, double delta);
  double Get(const LabelValues& values) const;

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::map<LabelValues, double> series_;
};

// A histogram without labels: cumulative buckets, _sum and _count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  std::uint64_t count() const;

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::vector<double> bounds_;          // ascending, without +Inf
  std::vector<std::uint64_t> buckets_;  // per bound, not cumulative; last entry: above all bounds
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class MetricsRegistry {
 public:
  using Samples = std::vector<std::pair<LabelValues, double>>;

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registration returns a reference that stays valid for the registry's lifetime. Names must be
  // valid Prometheus metric names ([a-zA-Z_:][a-zA-Z0-9_:]*); REQUIRES: not registered before.
  CounterFamily& AddCounter(std::string name, std::string help, std::vector<std::string> labels);
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> labels);
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> upper_bounds);
  // A gauge whose samples `collect` returns at each scrape (e.g. counts from the database). A
  // collect that returns nothing leaves the family without samples (only HELP/TYPE lines).
  void AddGaugeFunction(std::string name, std::string help, std::vector<std::string> labels,
                        std::function<Samples()> collect);

  // The exposition: per family "# HELP", "# TYPE" and its samples, in registration order; series
  // sorted by label values.
  std::string Render() const;

 private:
  struct Family;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

// Escaping of the text format: label values escape backslash, double quote and newline; HELP text
// escapes backslash and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);
// A sample value: integers without a fraction, "+Inf", "-Inf", "NaN", otherwise shortest exact.
std::string FormatSampleValue(double value);

// The server's metrics.
class ServerMetrics {
 public:
  explicit ServerMetrics(std::string_view version);

  // One HTTP request (not WebSocket frames). Methods outside the standard set count as "OTHER" so
  // a client cannot grow the series without bound.
  void RecordHttpRequest(std::string_view method, int status, double seconds);
  // outcome: committed, duplicate, resync, rejected, error.
  void RecordBatch(std::string_view outcome);
  void RecordHeartbeat();

  // Scrape-time sources: open agent connections on this node; hosts per status from storage
  // (all nodes). Call once each, before serving.
  void WatchConnections(std::function<std::size_t()> count);
  void WatchHosts(Storage& storage);

  std::string Render() const { return registry_.Render(); }
  MetricsRegistry& registry() { return registry_; }

 private:
  MetricsRegistry registry_;
  CounterFamily& http_requests_;
  Histogram& http_duration_;
  CounterFamily& batches_;
  CounterFamily& heartbeats_;
};

}  // namespace rampart::server
