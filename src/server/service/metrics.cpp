#include "server/service/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "common/logging.h"

namespace rampart::server {

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  std::string type;  // counter gauge histogram
  std::vector<std::string> labels;
  CounterFamily* counter = nullptr;
  GaugeFamily* gauge = nullptr;
  Histogram* histogram = nullptr;
  std::function<Samples()> collect;
  // Owners of the above.
  std::unique_ptr<CounterFamily> counter_owner;
  std::unique_ptr<GaugeFamily> gauge_owner;
  std::unique_ptr<Histogram> histogram_owner;
};

namespace {

void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const LabelValues& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(i < values.size() ? values[i] : std::string());
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += EscapeLabelValue(extra_value);
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                  const LabelValues& values, double value) {
  out += name;
  AppendLabels(out, labels, values);
  out += ' ';
  out += FormatSampleValue(value);
  out += '\n';
}

}  // namespace

void CounterFamily::Add(const LabelValues& values, double delta) {
  assert(delta >= 0);
  std::lock_guard lock(mu_);
  series_[values] += delta;
}

double CounterFamily::Get(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second;
}

void GaugeFamily::Set(const LabelValues& values, double value) {
  std::lock_guard lock(mu_);
  series_[values] = value;
}

void GaugeFamily::Add(const LabelValues& values, double delta) {
  std::lock_guard lock(mu_);
  series_[values] += delta;
}

double GaugeFamily::Get(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second;
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  buckets_.assign(bounds_.size() + 1, 0);
}

void Histogram::Observe(double value) {
  const auto index = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  std::lock_guard lock(mu_);
  ++buckets_[index];
  sum_ += value;
  ++count_;
}

std::uint64_t Histogram::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> labels) {
  auto family = std::make_unique<Family>();
  family->name = std::move(name);
  family->help = std::move(help);
  family->type = "counter";
  family->labels = std::move(labels);
  family->counter_owner = std::make_unique<CounterFamily>();
  family->counter = family->counter_owner.get();
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
  return *families_.back()->counter;
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> labels) {
  auto family = std::make_unique<Family>();
  family->name = std::move(name);
  family->help = std::move(help);
  family->type = "gauge";
  family->labels = std::move(labels);
  family->gauge_owner = std::make_unique<GaugeFamily>();
  family->gauge = family->gauge_owner.get();
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
  return *families_.back()->gauge;
}

Histogram& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<double> upper_bounds) {
  auto family = std::make_unique<Family>();
  family->name = std::move(name);
  family->help = std::move(help);
  family->type = "histogram";
  family->histogram_owner = std::make_unique<Histogram>(std::move(upper_bounds));
  family->histogram = family->histogram_owner.get();
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
  return *families_.back()->histogram;
}

void MetricsRegistry::AddGaugeFunction(std::string name, std::string help,
                                       std::vector<std::string> labels,
                                       std::function<Samples()> collect) {
  auto family = std::make_unique<Family>();
  family->name = std::move(name);
  family->help = std::move(help);
  family->type = "gauge";
  family->labels = std::move(labels);
  family->collect = std::move(collect);
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& family : families_) {
    out += "# HELP " + family->name + " " + EscapeHelp(family->help) + "\n";
    out += "# TYPE " + family->name + " " + family->type + "\n";
    if (family->counter != nullptr || family->gauge != nullptr) {
      std::map<LabelValues, double> series;
      if (family->counter != nullptr) {
        std::lock_guard series_lock(family->counter->mu_);
        series = family->counter->series_;
      } else {
        std::lock_guard series_lock(family->gauge->mu_);
        series = family->gauge->series_;
      }
      for (const auto& [values, value] : series) {
        AppendSample(out, family->name, family->labels, values, value);
      }
    } else if (family->collect) {
      // Scrape-time sources run outside no other lock than the registry's; they must not call
      // back into the registry.
      Samples samples = family->collect();
      std::sort(samples.begin(), samples.end());
      for (const auto& [values, value] : samples) {
        AppendSample(out, family->name, family->labels, values, value);
      }
    } else if (family->histogram != nullptr) {
      const Histogram& h = *family->histogram;
      std::lock_guard h_lock(h.mu_);
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h.bounds_.size(); ++i) {
        cumulative += h.buckets_[i];
        out += family->name + "_bucket";
        AppendLabels(out, {}, {}, "le", FormatSampleValue(h.bounds_[i]));
        out += " " + std::to_string(cumulative) + "\n";
      }
      out += family->name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count_) + "\n";
      out += family->name + "_sum " + FormatSampleValue(h.sum_) + "\n";
      out += family->name + "_count " + std::to_string(h.count_) + "\n";
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);
}

namespace {

std::string_view NormalizeMethod(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

}  // namespace

ServerMetrics::ServerMetrics(std::string_view version)
    : http_requests_(registry_.AddCounter("rampart_http_requests_total",
                                          "HTTP requests served, by method and status code.",
                                          {"method", "code"})),
      http_duration_(registry_.AddHistogram(
          "rampart_http_request_duration_seconds", "Time to handle an HTTP request.",
          {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      batches_(registry_.AddCounter("rampart_agent_batches_total",
                                    "Agent batches received, by outcome (committed, duplicate, "
                                    "resync, rejected, error).",
                                    {"outcome"})),
      heartbeats_(registry_.AddCounter("rampart_agent_heartbeats_total",
                                       "Agent heartbeats received.", {})) {
  heartbeats_.Add({}, 0);  // an unlabelled counter exists from the start, at 0
  registry_.AddGauge("rampart_build_info", "Build information (value 1).", {"version"})
      .Set({std::string(version)}, 1);
}

void ServerMetrics::RecordHttpRequest(std::string_view method, int status, double seconds) {
  http_requests_.Add({std::string(NormalizeMethod(method)), std::to_string(status)});
  http_duration_.Observe(seconds);
}

void ServerMetrics::RecordBatch(std::string_view outcome) { batches_.Add({std::string(outcome)}); }

void ServerMetrics::RecordHeartbeat() { heartbeats_.Add({}); }

void ServerMetrics::WatchConnections(std::function<std::size_t()> count) {
  registry_.AddGaugeFunction(
      "rampart_agent_connections", "Agent channels open on this server node.", {},
      [count = std::move(count)] {
        return MetricsRegistry::Samples{{LabelValues{}, static_cast<double>(count())}};
      });
}

void ServerMetrics::WatchHosts(Storage& storage) {
  registry_.AddGaugeFunction(
      "rampart_hosts", "Hosts of all tenants, by status (from the database).", {"status"},
      [&storage] {
        MetricsRegistry::Samples samples;
        auto counts = storage.CountHostsByStatus();
        if (!counts) {
          log::Warn("metrics: counting hosts: {}", counts.error().ToString());
          return samples;
        }
        for (HostStatus s : {HostStatus::kOnline, HostStatus::kOffline, HostStatus::kUninstalled}) {
          double n = 0;
          for (const auto& [status, count] : *counts) {
            if (status == s) n += static_cast<double>(count);
          }
          samples.push_back({{std::string(HostStatusName(s))}, n});
        }
        return samples;
      });
}

}  // namespace rampart::server
