#include "server/service/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::server {
namespace {

bool Contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Metrics, CountersRenderHelpTypeAndOneLinePerLabelSetSorted) {
  MetricsRegistry registry;
  auto& requests = registry.AddCounter("t_requests_total", "Requests.", {"method", "code"});
  requests.Add({"POST", "201"});
  requests.Add({"GET", "200"}, 2);
  requests.Add({"GET", "200"});
  EXPECT_EQ(registry.Render(),
            "# HELP t_requests_total Requests.\n"
            "# TYPE t_requests_total counter\n"
            "t_requests_total{method=\"GET\",code=\"200\"} 3\n"
            "t_requests_total{method=\"POST\",code=\"201\"} 1\n");
  EXPECT_EQ(requests.Get({"GET", "200"}), 3);
}

TEST(Metrics, EscapesLabelValuesAndHelpText) {
  MetricsRegistry registry;
  registry.AddGauge("t_gauge", "A \\ help\nline.", {"path"}).Set({"a\"b\\c\nd"}, 1.5);
  EXPECT_EQ(registry.Render(),
            "# HELP t_gauge A \\\\ help\\nline.\n"
            "# TYPE t_gauge gauge\n"
            "t_gauge{path=\"a\\\"b\\\\c\\nd\"} 1.5\n");
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  // Binary fractions, so the sum prints exactly.
  auto& h = registry.AddHistogram("t_seconds", "Latency.", {0.25, 0.0625, 1});
  h.Observe(0.03125);
  h.Observe(0.0625);  // on a bound: counts in that bucket (le is inclusive)
  h.Observe(0.5);
  h.Observe(3);
  EXPECT_EQ(registry.Render(),
            "# HELP t_seconds Latency.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{le=\"0.0625\"} 2\n"
            "t_seconds_bucket{le=\"0.25\"} 2\n"
            "t_seconds_bucket{le=\"1\"} 3\n"
            "t_seconds_bucket{le=\"+Inf\"} 4\n"
            "t_seconds_sum 3.59375\n"
            "t_seconds_count 4\n");
}

TEST(Metrics, GaugeFunctionsAreReadAtScrapeTime) {
  MetricsRegistry registry;
  int calls = 0;
  registry.AddGaugeFunction("t_live", "Live.", {}, [&calls] {
    ++calls;
    return MetricsRegistry::Samples{{{}, static_cast<double>(calls * 10)}};
  });
  EXPECT_TRUE(Contains(registry.Render(), "t_live 10\n"));
  EXPECT_TRUE(Contains(registry.Render(), "t_live 20\n"));
}

TEST(Metrics, FormatsSampleValues) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(42), "42");
  EXPECT_EQ(FormatSampleValue(-3), "-3");
  EXPECT_EQ(FormatSampleValue(0.25), "0.25");
  EXPECT_EQ(FormatSampleValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatSampleValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatSampleValue(0.0 / 0.0), "NaN");
}

TEST(ServerMetrics, ExposesTheServerFamiliesWithBoundedMethodLabels) {
  ServerMetrics metrics("1.2.3");
  metrics.RecordHttpRequest("GET", 200, 0.002);
  metrics.RecordHttpRequest("BREW", 405, 0.001);
  metrics.RecordBatch("committed");
  metrics.RecordBatch("rejected");
  metrics.RecordBatch("committed");
  metrics.RecordHeartbeat();
  metrics.WatchConnections([] { return std::size_t{7}; });
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "# TYPE rampart_http_requests_total counter\n"));
  EXPECT_TRUE(Contains(text, "rampart_http_requests_total{method=\"GET\",code=\"200\"} 1\n"));
  EXPECT_TRUE(Contains(text, "rampart_http_requests_total{method=\"OTHER\",code=\"405\"} 1\n"));
  EXPECT_TRUE(Contains(text, "# TYPE rampart_http_request_duration_seconds histogram\n"));
  EXPECT_TRUE(Contains(text, "rampart_http_request_duration_seconds_count 2\n"));
  EXPECT_TRUE(Contains(text, "rampart_agent_batches_total{outcome=\"committed\"} 2\n"));
  EXPECT_TRUE(Contains(text, "rampart_agent_batches_total{outcome=\"rejected\"} 1\n"));
  EXPECT_TRUE(Contains(text, "rampart_agent_heartbeats_total 1\n"));
  EXPECT_TRUE(Contains(text, "rampart_agent_connections 7\n"));
  EXPECT_TRUE(Contains(text, "rampart_build_info{version=\"1.2.3\"} 1\n"));
  // Every sample line belongs to a family announced before it.
  std::string family;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
    } else if (line[0] != '#') {
      EXPECT_EQ(line.rfind(family, 0), 0U) << line;
    }
  }
}

}  // namespace
}  // namespace rampart::server
